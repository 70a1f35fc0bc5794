// Package berttest gives tests a complete, tiny BERT model directory: lib/bert's
// random-weight hub-f32 reference checkpoint (scripts/golden/bert_reference.py:
// vocab 100, hidden 32, 2 layers, 32 positions, labels negative/positive) plus
// a 100-token vocab.txt, so that packages loading models (lib/bert's
// Predictor, lib/predict, the CLI) test against one fixture; and the same
// checkpoint as a base-model hub repo, for tests of downloads.
package berttest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert/safetensors"
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
	dir := t.TempDir()
	for name, data := range files(t, false) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// BaseRepoFiles is the fixture as a base-model repo on the hub, the way
// bert-base-uncased is published: config.json, model.safetensors without
// the classifier head (legacy LayerNorm.gamma/beta names and pre-training
// heads kept) and vocab.txt, by file name.
func BaseRepoFiles(t testing.TB) map[string][]byte {
	t.Helper()
	return files(t, true)
}

// files reads the checkpoint (dropping its classifier head if headless) and
// adds vocab.txt.
func files(t testing.TB, headless bool) map[string][]byte {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("berttest: cannot locate lib/bert/testdata")
	}
	src := filepath.Join(filepath.Dir(self), "..", "testdata", "hub-f32")
	out := map[string][]byte{"vocab.txt": []byte(strings.Join(Vocab, "\n") + "\n")}
	for _, f := range []string{"config.json", "model.safetensors"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = data
	}
	if headless {
		out["model.safetensors"] = withoutClassifier(t, out["model.safetensors"])
	}
	return out
}

// withoutClassifier is the safetensors data without the classifier.* tensors.
func withoutClassifier(t testing.TB, data []byte) []byte {
	t.Helper()
	full, err := safetensors.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var kept []*safetensors.Tensor
	for _, name := range full.Names() {
		if !strings.HasPrefix(name, "classifier.") {
			kept = append(kept, full.Tensors[name])
		}
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := safetensors.WriteFile(path, kept, nil); err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return base
}
