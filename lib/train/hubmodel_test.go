package train

import (
	stdctx "context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert/berttest"

	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/bert/safetensors"
	"github.com/polarityml/polarity/lib/hub/hubtest"
)

// fakeBertBaseHub serves berttest's base-model repo (legacy
// LayerNorm.gamma/beta names, pre-training heads, no classifier, vocab.txt)
// as google-bert/bert-base-uncased, redirecting the legacy name
// bert-base-uncased there as huggingface.co does.
func fakeBertBaseHub(t *testing.T) (h *hubtest.Hub, weights *safetensors.File) {
	t.Helper()
	files := berttest.BaseRepoFiles(t)
	weights, err := safetensors.Parse(files[bert.WeightsFile])
	if err != nil {
		t.Fatal(err)
	}
	h = hubtest.New(t)
	h.AddRepo("google-bert/bert-base-uncased", files, "bert-base-uncased")
	return h, weights
}

// TestRunDownloadsHubModelAndTrainsFromIt trains one step from
// `--model bert-base-uncased` served by a fake hub: the checkpoint is
// downloaded into HF_HUB_CACHE with the token, its missing classifier head is
// initialised and reported, and the saved weights are the downloaded ones
// moved by one small step (in bfloat16 mixed precision), not a random
// initialisation, and still float32.
func TestRunDownloadsHubModelAndTrainsFromIt(t *testing.T) {
	srv, downloaded := fakeBertBaseHub(t)
	cfg, cache := oneStepFromHub(t, srv, "bert-base-uncased")
	t.Setenv("HF_TOKEN", "hf_TrainSecret")
	cfg.Training.Precision = "bf16" // mixed precision must still save float32 weights
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
	if res.ComputeDType != "bfloat16" || !strings.Contains(log.String(), "precision: bfloat16 compute") {
		t.Errorf("compute dtype %q, want bfloat16 and logged; log:\n%s", res.ComputeDType, log.String())
	}
	if !sentToken(srv, "Bearer hf_TrainSecret") {
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
	if dt := saved.Tensors[name].DType; dt != "F32" {
		t.Errorf("saved %s as %s after bfloat16 training, want F32 (the float32 master weights)", name, dt)
	}
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

// oneStepFromHub points the hub client at srv with a fresh cache (returned)
// and returns a configuration that trains model for one step on 12 reviews.
func oneStepFromHub(t *testing.T, srv *hubtest.Hub, model string) (Config, string) {
	t.Helper()
	cache := t.TempDir()
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_HUB_CACHE", cache)
	t.Setenv("HF_HOME", t.TempDir())
	t.Setenv("HF_HUB_OFFLINE", "")
	cfg, err := NewConfig(PresetOffline)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model.Name = model
	cfg.Data.Samples, cfg.Data.ValFraction, cfg.Data.MaxLen = 24, 0.5, 32
	cfg.Training.Epochs, cfg.Training.BatchSize, cfg.Training.LR, cfg.Training.WarmupRatio = 1, 16, 1e-3, 0
	cfg.Training.OutDir = t.TempDir()
	return cfg, cache
}

// sentToken reports whether any request to h carried the Authorization header auth.
func sentToken(h *hubtest.Hub, auth string) bool {
	for _, r := range h.Requests() {
		if r.Authorization == auth {
			return true
		}
	}
	return false
}

// TestRunFineTunesTorchBinDistilBERT fine-tunes a DistilBERT classifier from
// a hub repo that has only pytorch_model.bin and lists POSITIVE before
// NEGATIVE: the labels are matched by name (and logged), the model trains one
// step the right way round, saves as a DistilBERT checkpoint under Hugging
// Face names, and evaluates through the same mapping.
func TestRunFineTunesTorchBinDistilBERT(t *testing.T) {
	files := berttest.DistilBinRepoFiles(t)
	files[bert.ConfigFile] = []byte(strings.NewReplacer(`"0": "NEGATIVE"`, `"0": "POSITIVE"`, `"1": "POSITIVE"`, `"1": "NEGATIVE"`,
		`"NEGATIVE": 0`, `"NEGATIVE": 1`, `"POSITIVE": 1`, `"POSITIVE": 0`).Replace(string(files[bert.ConfigFile])))
	srv := hubtest.New(t)
	srv.AddRepo("acme/distilbert-sst2", files)
	cfg, _ := oneStepFromHub(t, srv, "acme/distilbert-sst2")
	var log strings.Builder
	res, err := Run(stdctx.Background(), cfg, RunOptions{Log: func(format string, a ...any) {
		fmt.Fprintf(&log, format+"\n", a...)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 1 || !res.Model.Config.IsDistilBERT() {
		t.Fatalf("%d steps on %s, want 1 on DistilBERT", res.Steps, res.Model.Config.Architecture())
	}
	if want := "labels: by name: POSITIVE → positive, NEGATIVE → negative"; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log.String())
	}
	if !strings.Contains(log.String(), "pytorch_model.bin") {
		t.Errorf("log does not say the weights came from pytorch_model.bin:\n%s", log.String())
	}
	saved, err := safetensors.ReadFile(filepath.Join(cfg.Training.OutDir, bert.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	if saved.Tensors["distilbert.transformer.layer.1.ffn.lin2.weight"] == nil || saved.Tensors["pre_classifier.bias"] == nil {
		t.Fatalf("saved tensors %v, want DistilBERT's Hugging Face names", saved.Names())
	}
	m, err := LoadModel(stdctx.Background(), cfg.Training.OutDir, 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	reviews, _, _, err := Splits(cfg.Data)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := EvaluateReviews(m, reviews, 8, 32, false)
	if err != nil {
		t.Fatal(err)
	}
	if ev.LabelMap.Identity() || ev.Report.Names[1] != "positive" {
		t.Fatalf("mapping %s, names %v", ev.LabelMap, ev.Report.Names)
	}
	correct := 0
	for i, logits := range ev.Logits {
		// Class 0 is POSITIVE: the prediction is positive when its logit wins.
		pred := 0
		if logits[0] > logits[1] {
			pred = 1
		}
		if ev.Predictions[i] != pred {
			t.Fatalf("review %d: logits %v predicted %d, want %d", i, logits, ev.Predictions[i], pred)
		}
		if pred == reviews[i].Label {
			correct++
		}
	}
	if want := float64(correct) / float64(len(reviews)); ev.Accuracy != want {
		t.Errorf("accuracy %v, want %v", ev.Accuracy, want)
	}
}
