package train

import (
	stdctx "context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/compute"
)

func testConfig(t *testing.T) TrainingConfig {
	c, err := NewConfig(PresetFinetune)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.Training
	tc.LR, tc.Epochs, tc.BatchSize, tc.WarmupRatio, tc.Seed = 5e-2, 3, 16, 0.1, 7
	tc.Patience = 0
	tc.OutDir = t.TempDir()
	return tc
}

func newTrainer(t *testing.T, cfg TrainingConfig) *Trainer {
	t.Helper()
	t.Setenv("GOMLX_BACKEND", testBackend)
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	return &Trainer{Config: cfg, Backend: backend, Ctx: context.New(), Model: bagModel}
}

func TestTinyModelOverfits64Examples(t *testing.T) {
	cfg := testConfig(t)
	cfg.Epochs, cfg.WeightDecay = 30, 0
	data := newTokenData(64, 1)
	tr := newTrainer(t, cfg)
	res, err := tr.Fit(stdctx.Background(), data, data)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := NewEvaluator(tr.Backend, tr.Ctx, bagModel)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	final, err := ev.Evaluate(data, 16, false)
	if err != nil {
		t.Fatal(err)
	}
	if final.Accuracy < 0.99 {
		t.Errorf("train accuracy after %d steps = %.3f, want ≥ 0.99 (history %+v)", res.Steps, final.Accuracy, res.History)
	}
	if first := res.History[0].TrainLoss; final.Loss > first/5 {
		t.Errorf("loss fell only from %.4f to %.4f", first, final.Loss)
	}
	for _, name := range []string{HistoryJSON, HistoryCSV, CurvesPNG, "model.safetensors", stateDir + "/" + stateVariablesFile} {
		if _, err := os.Stat(filepath.Join(cfg.OutDir, name)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
}

// cancellingData cancels a context when a given number of batches has been drawn.
type cancellingData struct {
	Dataset
	after  int
	cancel func()
}

func (c *cancellingData) Batch(indices []int) (Batch, error) {
	c.after--
	if c.after == 0 {
		c.cancel()
	}
	return c.Dataset.Batch(indices)
}

func TestResumeEqualsUninterrupted(t *testing.T) {
	cfg := testConfig(t)
	cfg.EvalEvery = 5 // checkpoints also mid-epoch
	train, val := newTokenData(100, 2), newTokenData(32, 3)

	straight := newTrainer(t, cfg)
	if _, err := straight.Fit(stdctx.Background(), train, val); err != nil {
		t.Fatal(err)
	}

	cfg.OutDir = t.TempDir()
	first := newTrainer(t, cfg)
	runCtx, cancel := stdctx.WithCancel(stdctx.Background())
	defer cancel()
	// Interrupt mid-epoch 2, away from a validation point.
	_, err := first.Fit(runCtx, &cancellingData{Dataset: train, after: 10, cancel: cancel}, val)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Fit after cancel: err = %v, want ErrInterrupted", err)
	}
	second := newTrainer(t, cfg) // a fresh process: new context, nothing in memory
	second.Resume = true
	res, err := second.Fit(stdctx.Background(), train, val)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * 7; res.Steps != want {
		t.Errorf("steps = %d, want %d", res.Steps, want)
	}
	compared := 0
	for v := range straight.Ctx.IterVariables() {
		other := second.Ctx.GetVariableByScopeAndName(v.Scope(), v.Name())
		if other == nil {
			t.Errorf("variable %s missing after resume", v.ScopeAndName())
			continue
		}
		if !v.DType().IsFloat() {
			continue
		}
		a, b := tensors.MustCopyFlatData[float32](v.MustValue()), tensors.MustCopyFlatData[float32](other.MustValue())
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-6 {
				t.Fatalf("%s[%d]: uninterrupted %v, resumed %v", v.ScopeAndName(), i, a[i], b[i])
			}
		}
		compared++
	}
	if compared < 10 { // model weights + optimizer moments
		t.Errorf("compared only %d variables", compared)
	}
	if len(res.History) != len(straight.mustHistory(t)) {
		t.Errorf("resumed history has %d records, uninterrupted %d", len(res.History), len(straight.mustHistory(t)))
	}
}

func (t *Trainer) mustHistory(tb testing.TB) History {
	st, err := loadState(filepath.Join(t.Config.OutDir, stateDir), context.New())
	if err != nil {
		tb.Fatal(err)
	}
	return st.History
}

func TestResumeRefusesChangedSettings(t *testing.T) {
	cfg := testConfig(t)
	cfg.Epochs = 1
	train, val := newTokenData(40, 2), newTokenData(16, 3)
	if _, err := newTrainer(t, cfg).Fit(stdctx.Background(), train, val); err != nil {
		t.Fatal(err)
	}
	cfg.BatchSize = 8
	tr := newTrainer(t, cfg)
	tr.Resume = true
	if _, err := tr.Fit(stdctx.Background(), train, val); err == nil {
		t.Fatal("resume with another batch size succeeded")
	}
}

func TestEarlyStopping(t *testing.T) {
	cfg := testConfig(t)
	cfg.LR, cfg.Epochs, cfg.Patience, cfg.WarmupRatio = 0.5, 20, 2, 0
	// Labels in val are flipped: validation loss rises as training succeeds.
	train, val := newTokenData(64, 4), newTokenData(32, 5)
	for i := range val.labels {
		val.labels[i] = 1 - val.labels[i]
	}
	res, err := newTrainer(t, cfg).Fit(stdctx.Background(), train, val)
	if err != nil {
		t.Fatal(err)
	}
	if !res.StoppedEarly || len(res.History) >= 20 {
		t.Errorf("stopped early = %v after %d validations, want a stop well before 20", res.StoppedEarly, len(res.History))
	}
}
