package train

import (
	stdctx "context"
	"testing"

	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/tokenize"
)

// microBERT is a one-layer BERT small enough to train in seconds here.
func microBERT() *bert.Config {
	c := bert.Tiny()
	c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize = 1, 32, 2, 64
	return c
}

func sampleReviews(t *testing.T, n int) []dataset.Review {
	t.Helper()
	reviews, err := dataset.Load(dataset.Source{Kind: dataset.Sample}, "train")
	if err != nil {
		t.Fatal(err)
	}
	return reviews[:n]
}

func TestBertOverfits64Reviews(t *testing.T) {
	// bfloat16 is the GPU default (precision=auto); it must train as well.
	losses := map[string]float64{}
	for _, dtype := range []string{"float32", "bfloat16"} {
		t.Run(dtype, func(t *testing.T) { losses[dtype] = testBertOverfits64Reviews(t, dtype) })
	}
	if t.Failed() {
		return
	}
	t.Logf("final loss on the 64 reviews: float32 %.6f, bfloat16 %.6f", losses["float32"], losses["bfloat16"])
	if losses["float32"] == losses["bfloat16"] {
		t.Error("bfloat16 training gave exactly the float32 loss: the compute dtype was not applied")
	}
}

// testBertOverfits64Reviews trains computing in computeDType and returns the
// final loss on the 64 reviews (dropout off).
func testBertOverfits64Reviews(t *testing.T, computeDType string) float64 {
	t.Setenv("GOMLX_BACKEND", testBackend)
	path, err := tokenize.DefaultPath()
	if err != nil {
		t.Skip(err)
	}
	tok, err := tokenize.Load(path, tokenize.WithMaxLength(32))
	if err != nil {
		t.Fatal(err)
	}
	data, err := NewTextDataset(tok, sampleReviews(t, 64), 32)
	if err != nil {
		t.Fatal(err)
	}
	model, err := bert.New(microBERT(), 3)
	if err != nil {
		t.Fatal(err)
	}
	model.Context.SetParam(bert.ParamComputeDType, computeDType)
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.LR, cfg.Epochs, cfg.BatchSize, cfg.WarmupRatio, cfg.WeightDecay = 3e-3, 15, 16, 0.1, 0
	tr := &Trainer{Config: cfg, Backend: backend, Ctx: model.Context, Model: BertModel(model.Config)}
	res, err := tr.Fit(stdctx.Background(), data, data)
	if err != nil {
		t.Fatal(err)
	}
	last := res.History[len(res.History)-1]
	if last.ValAccuracy < 0.98 { // "validation" here is the training set itself, dropout off
		t.Errorf("%s: accuracy on the 64 training reviews after %d steps = %.3f, want ≥ 0.98; history:\n%v", computeDType, res.Steps, last.ValAccuracy, HistoryRows(res.History))
	}
	return last.ValLoss
}
