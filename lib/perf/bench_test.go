package perf

import (
	stdctx "context"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/compute"
)

func TestBenchTinyOnGoBackend(t *testing.T) {
	t.Setenv(compute.EnvVar, "go")
	r, err := Bench(stdctx.Background(), Options{Model: "tiny", Batch: 2, MaxLen: 16, Steps: 2, Precision: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Backend, "go:") || r.GPU || r.ComputeDType != "float32" {
		t.Errorf("backend %q gpu %v dtype %s: want the pure-Go backend computing in float32 under auto", r.Backend, r.GPU, r.ComputeDType)
	}
	if r.Layers != 2 || r.Hidden != 128 || r.Params != bert.NumParams(bert.Tiny()) {
		t.Errorf("model shape %d layers, hidden %d, %d params: want tiny's", r.Layers, r.Hidden, r.Params)
	}
	for name, ph := range map[string]Phase{"train": r.Train, "inference": r.Inference} {
		if ph.Steps != 2 || ph.MsPerStep <= 0 || ph.CompileSeconds <= 0 || ph.SamplesPerSecond <= 0 || ph.TFLOPS <= 0 {
			t.Errorf("%s: %+v, want 2 timed steps with positive times and rates", name, ph)
		}
		if got := ph.SamplesPerSecond * ph.MsPerStep / 1000; got < 1.999 || got > 2.001 {
			t.Errorf("%s: samples/s × s/step = %g, want the batch size 2", name, got)
		}
		if (ph.MFU != nil) != (r.Peak != nil) {
			t.Errorf("%s: MFU %v with peak %v: want an MFU exactly when the peak is known", name, ph.MFU, r.Peak)
		}
	}
	if r.Train.FLOPsPerStep != TrainFLOPs(bert.Tiny(), 2, 16) || r.Inference.FLOPsPerStep != ForwardFLOPs(bert.Tiny(), 2, 16) {
		t.Errorf("FLOPs per step %g / %g do not match the config's count", r.Train.FLOPsPerStep, r.Inference.FLOPsPerStep)
	}
	if r.CompileSeconds != r.Train.CompileSeconds+r.Inference.CompileSeconds || r.PeakRSSBytes <= 0 {
		t.Errorf("compile %g s, peak RSS %d", r.CompileSeconds, r.PeakRSSBytes)
	}
}

func TestBenchRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Model: "tiny", Batch: 0, MaxLen: 16}, "batch"},
		{Options{Model: "tiny", Batch: 2, MaxLen: 1024}, "max_position_embeddings"},
		{Options{Model: "tiny", Batch: 2, MaxLen: 16, Precision: "fp8"}, "precision"},
		{Options{Model: t.TempDir() + "/missing/model", Batch: 2, MaxLen: 16}, "tiny, base, large"},
	} {
		_, err := Bench(stdctx.Background(), tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Bench(%+v) error %v, want one mentioning %q", tc.opts, err, tc.want)
		}
	}
}
