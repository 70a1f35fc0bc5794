package train

import (
	stdctx "context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/bert/safetensors"
)

// fakeBertBaseHub serves lib/bert's hub-f32 checkpoint (legacy
// LayerNorm.gamma/beta names, pre-training heads, no classifier) with a
// vocab.txt as google-bert/bert-base-uncased, redirecting the legacy name
// bert-base-uncased there as huggingface.co does. It counts requests that
// carried the token.
func fakeBertBaseHub(t *testing.T) (srv *httptest.Server, weights *safetensors.File, authorized *atomic.Int32) {
	t.Helper()
	src := filepath.Join("..", "bert", "testdata", "hub-f32")
	config, err := os.ReadFile(filepath.Join(src, bert.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	full, err := safetensors.ReadFile(filepath.Join(src, bert.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	var kept []*safetensors.Tensor
	for _, name := range full.Names() {
		if !strings.HasPrefix(name, "classifier.") {
			kept = append(kept, full.Tensors[name])
		}
	}
	base := filepath.Join(t.TempDir(), bert.WeightsFile)
	if err := safetensors.WriteFile(base, kept, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	vocab := "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\na\nand\nit\nis\nthis\ngreat\ngood\nlove\nbad\nawful\nworst\nnot\nbook\n"
	files := map[string][]byte{bert.ConfigFile: config, bert.WeightsFile: data, bert.VocabFile: []byte(vocab)}
	authorized = &atomic.Int32{}
	const repo = "/google-bert/bert-base-uncased/resolve/"
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/bert-base-uncased/resolve/"); ok {
			http.Redirect(w, r, repo+rest, http.StatusTemporaryRedirect)
			return
		}
		if r.Header.Get("Authorization") == "Bearer hf_TrainSecret" {
			authorized.Add(1)
		}
		rest, _ := strings.CutPrefix(r.URL.Path, repo)
		_, name, _ := strings.Cut(rest, "/")
		body, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256(body)
		w.Header().Set("X-Repo-Commit", "89abcdef0123456789abcdef0123456789abcdef")
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if r.Method == http.MethodGet {
			w.Write(body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, full, authorized
}

// TestRunDownloadsHubModelAndTrainsFromIt trains one step from
// `--model bert-base-uncased` served by a fake hub: the checkpoint is
// downloaded into HF_HUB_CACHE with the token, its missing classifier head is
// initialised and reported, and the saved weights are the downloaded ones
// moved by one small step, not a random initialisation.
func TestRunDownloadsHubModelAndTrainsFromIt(t *testing.T) {
	srv, downloaded, authorized := fakeBertBaseHub(t)
	cache := t.TempDir()
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_HUB_CACHE", cache)
	t.Setenv("HF_HOME", t.TempDir())
	t.Setenv("HF_TOKEN", "hf_TrainSecret")
	t.Setenv("HF_HUB_OFFLINE", "")

	cfg, err := NewConfig(PresetOffline)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model.Name = "bert-base-uncased"
	cfg.Data.Samples, cfg.Data.ValFraction, cfg.Data.MaxLen = 24, 0.5, 32
	cfg.Training.Epochs, cfg.Training.BatchSize, cfg.Training.LR, cfg.Training.WarmupRatio = 1, 16, 1e-3, 0
	cfg.Training.OutDir = t.TempDir()
	var log strings.Builder
	res, err := Run(stdctx.Background(), cfg, RunOptions{Log: func(format string, a ...any) {
		fmt.Fprintf(&log, format+"\n", a...)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 1 {
		t.Errorf("%d steps, want 1", res.Steps)
	}
	if authorized.Load() == 0 {
		t.Error("no request carried HF_TOKEN")
	}
	if strings.Contains(log.String(), "TrainSecret") {
		t.Errorf("the token was logged:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "classifier.weight") {
		t.Errorf("log does not report the fresh classifier head:\n%s", log.String())
	}
	if _, err := os.Stat(filepath.Join(cache, "models--bert-base-uncased", "refs", "main")); err != nil {
		t.Errorf("not downloaded into the HF cache layout: %v", err)
	}
	saved, err := safetensors.ReadFile(filepath.Join(cfg.Training.OutDir, bert.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	const name = "bert.embeddings.word_embeddings.weight"
	before, err := downloaded.Tensors[name].Float32()
	if err != nil {
		t.Fatal(err)
	}
	after, err := saved.Tensors[name].Float32()
	if err != nil {
		t.Fatal(err)
	}
	var maxDiff float64
	for i := range before {
		maxDiff = max(maxDiff, math.Abs(float64(after[i]-before[i])))
	}
	// One AdamW step moves each weight by at most about lr (plus decay).
	if maxDiff == 0 || maxDiff > 2*cfg.Training.LR {
		t.Errorf("word embeddings moved by up to %g from the downloaded ones, want (0, %g]", maxDiff, 2*cfg.Training.LR)
	}

	// Offline, the cached snapshot is used; an uncached model names the fix.
	t.Setenv("HF_HUB_OFFLINE", "1")
	srv.Close()
	if _, err := LoadModel(stdctx.Background(), "bert-base-uncased", 1, 32); err != nil {
		t.Errorf("offline from the cache: %v", err)
	}
	_, err = LoadModel(stdctx.Background(), "acme/never-downloaded", 1, 32)
	if err == nil || !strings.Contains(err.Error(), "HF_HUB_OFFLINE") {
		t.Errorf("offline, not cached: err %v, want HF_HUB_OFFLINE named", err)
	}
}
