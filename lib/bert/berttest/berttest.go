// Package berttest gives tests a complete, tiny BERT model directory: lib/bert's
// random-weight hub-f32 reference checkpoint (scripts/golden/bert_reference.py:
// vocab 100, hidden 32, 2 layers, 32 positions, labels negative/positive) plus
// a 100-token vocab.txt, so that packages loading models (lib/bert's
// Predictor, lib/predict, the CLI) test against one fixture; and the same
// checkpoint as a base-model hub repo, for tests of downloads. Its DistilBERT
// twin is distil-f32 (scripts/golden/distilbert_reference.py: the same vocab,
// dim 32, 2 blocks, labels NEGATIVE/POSITIVE as the SST-2 model's).
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
	return writeDir(t, files(t, "hub-f32", false))
}

// DistilModelDir is ModelDir for the DistilBERT checkpoint: config.json,
// model.safetensors and vocab.txt.
func DistilModelDir(t testing.TB) string {
	t.Helper()
	return writeDir(t, files(t, "distil-f32", false))
}

// DistilBinRepoFiles is the DistilBERT classifier as an older hub repo that
// has only pytorch_model.bin (written by torch.save), with config.json and
// vocab.txt, by file name.
func DistilBinRepoFiles(t testing.TB) map[string][]byte {
	t.Helper()
	return files(t, "distil-f32-bin", false)
}

func writeDir(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
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
	return files(t, "hub-f32", true)
}

// files reads the checkpoint testdata/<name> (dropping its classifier head
// if headless) and adds vocab.txt.
func files(t testing.TB, name string, headless bool) map[string][]byte {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("berttest: cannot locate lib/bert/testdata")
	}
	src := filepath.Join(filepath.Dir(self), "..", "testdata", name)
	out := map[string][]byte{"vocab.txt": []byte(strings.Join(Vocab, "\n") + "\n")}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "golden.json" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
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
