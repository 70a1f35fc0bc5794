// Package berttest gives tests a complete, tiny BERT model directory: lib/bert's
// random-weight hub-f32 reference checkpoint (scripts/golden/bert_reference.py:
// vocab 100, hidden 32, 2 layers, 32 positions, labels negative/positive) plus
// a 100-token vocab.txt, so that packages loading models (lib/bert's
// Predictor, lib/predict, the CLI) test against one fixture.
package berttest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Vocab is the fixture's vocab.txt: special tokens, a few review words, then
// w14 … w99 up to the checkpoint's vocab_size of 100.
var Vocab = vocab()

func vocab() []string {
	v := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "movie", "great", "awful", "the", "was", "!", "##s"}
	for i := len(v); i < 100; i++ {
		v = append(v, fmt.Sprintf("w%d", i))
	}
	return v
}

// ModelDir writes the model directory (config.json, model.safetensors,
// vocab.txt) into a fresh t.TempDir() and returns its path.
func ModelDir(t testing.TB) string {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("berttest: cannot locate lib/bert/testdata")
	}
	src := filepath.Join(filepath.Dir(self), "..", "testdata", "hub-f32")
	dir := t.TempDir()
	for _, f := range []string{"config.json", "model.safetensors"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "vocab.txt"), []byte(strings.Join(Vocab, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
