//go:build !(tokenizers_hf && cgo)

package tokenize

import "fmt"

// loadHF reports that this binary has no Hugging Face backend.
func loadHF(string, options) (Tokenizer, error) {
	return nil, fmt.Errorf("tokenizer backend %q: polarity was built without tokenizers_hf; rebuild with `CGO_ENABLED=1 go build -tags tokenizers_hf` and libtokenizers.a from %s on the linker path (see README), or use the %q backend", BackendHF, DefaultModule, BackendGo)
}
