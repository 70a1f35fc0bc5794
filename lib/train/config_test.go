package train

import (
	"bytes"
	"flag"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPresets(t *testing.T) {
	seed, err := NewConfig(PresetSeed)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Model: ModelConfig{Name: "bert-base-uncased"},
		Data:  DataConfig{Source: "hub", Samples: 20000, ShuffleSeed: 42, ValFraction: 0.3, SplitSeed: 42, MaxLen: 128},
		Training: TrainingConfig{Epochs: 5, BatchSize: 16, LR: 1e-6, WeightDecay: 0.01, Beta1: 0.9, Beta2: 0.999,
			Epsilon: 1e-8, Seed: 42, OutDir: "build/model", Precision: "float32"},
	}
	if seed != want {
		t.Errorf("seed preset = %+v\nwant %+v", seed, want)
	}
	ft, _ := NewConfig(PresetFinetune)
	if ft.Training.LR != 2e-5 || ft.Training.WarmupRatio < 0.06 || ft.Training.WarmupRatio > 0.1 ||
		ft.Training.Epochs < 2 || ft.Training.Epochs > 3 || ft.Training.MaxGradNorm != 1 {
		t.Errorf("finetune preset = %+v", ft.Training)
	}
	if off, _ := NewConfig(PresetOffline); ft.Training.Precision != PrecisionAuto || off.Training.Precision != PrecisionAuto {
		t.Errorf("precision: finetune %q, offline %q; want %q (bf16 on GPUs)", ft.Training.Precision, off.Training.Precision, PrecisionAuto)
	}
	laptop, _ := NewConfig(PresetLaptop)
	if laptop.Model.Name != LaptopModel || laptop.Data.Source != "hub" || laptop.Data.Samples != 7000 ||
		laptop.Data.MaxLen != 128 || laptop.Training.LR != 1e-4 || laptop.Training.Epochs != 2 ||
		laptop.Training.Precision != PrecisionAuto {
		t.Errorf("laptop preset = %+v", laptop)
	}
	for _, p := range Presets {
		c, _ := NewConfig(p)
		if err := c.Validate(); err != nil {
			t.Errorf("preset %s invalid: %v", p, err)
		}
	}
	if _, err := NewConfig("fast"); err == nil || !strings.Contains(err.Error(), "offline") {
		t.Errorf("unknown preset error = %v", err)
	}
}

func TestSettingsStringAndFlagsShareKeys(t *testing.T) {
	c, _ := NewConfig(PresetSeed)
	if err := c.Set("lr=2e-5; epochs = 3\nmodel=tiny;clip=1"); err != nil {
		t.Fatal(err)
	}
	if c.Training.LR != 2e-5 || c.Training.Epochs != 3 || c.Model.Name != "tiny" || c.Training.MaxGradNorm != 1 {
		t.Errorf("after Set: %+v", c)
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"--batch", "8", "--max-len", "64", "--data", "sample"}); err != nil {
		t.Fatal(err)
	}
	if c.Training.BatchSize != 8 || c.Data.MaxLen != 64 || c.Data.Source != "sample" {
		t.Errorf("after flags: %+v", c)
	}
	// Only the named keys become flags.
	data := flag.NewFlagSet("data", flag.ContinueOnError)
	c.RegisterFlags(data, DataKeys...)
	var names []string
	data.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if slices.Sort(names); !slices.Equal(names, slices.Sorted(slices.Values(DataKeys))) {
		t.Errorf("data flags: %v, want %v", names, DataKeys)
	}
	// String round-trips through Set.
	var back Config
	if err := back.Set(c.String()); err != nil {
		t.Fatal(err)
	}
	if back != c {
		t.Errorf("round trip: %+v\nwant %+v", back, c)
	}
	for _, bad := range []string{"lr", "nope=1", "epochs=three", "lr=fast"} {
		if err := c.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}

func TestValidateNamesTheProblem(t *testing.T) {
	for spec, word := range map[string]string{
		"epochs=0": "epochs", "lr=0": "lr", "warmup=1": "warmup", "val-fraction=0": "val-fraction",
		"max-len=2": "max-len", "clip=-1": "clip", "batch=0": "batch", "precision=fp16": "precision",
	} {
		c, _ := NewConfig(PresetOffline)
		if err := c.Set(spec); err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), word) {
			t.Errorf("%s: Validate() = %v, want an error naming %s", spec, err, word)
		}
	}
}

func TestPrecisionResolves(t *testing.T) {
	for _, c := range []struct {
		precision string
		gpu       bool
		want      string
	}{
		{"auto", true, "bfloat16"}, {"auto", false, "float32"}, {"", true, "bfloat16"}, {"", false, "float32"},
		{"bf16", false, "bfloat16"}, {"BFloat16", true, "bfloat16"}, {"fp32", true, "float32"}, {"float32", false, "float32"},
	} {
		got, err := TrainingConfig{Precision: c.precision}.ComputeDType(c.gpu)
		if err != nil || got != c.want {
			t.Errorf("precision %q on GPU=%v: %q, %v; want %q", c.precision, c.gpu, got, err, c.want)
		}
	}
	if _, err := (TrainingConfig{Precision: "half"}).ComputeDType(true); err == nil ||
		!strings.Contains(err.Error(), "auto, float32 (fp32) or bfloat16 (bf16)") {
		t.Errorf("precision=half: error %v, want one listing the accepted values", err)
	}
}

func TestHistoryFiles(t *testing.T) {
	h := History{
		{Step: 10, Epoch: 1, TrainLoss: 0.6, TrainAccuracy: 0.7, ValLoss: 0.5, ValAccuracy: 0.75},
		{Step: 20, Epoch: 2, TrainLoss: 0.3, TrainAccuracy: 0.9, ValLoss: 0.4, ValAccuracy: 0.8, ElapsedSeconds: 61.5},
	}
	dir := t.TempDir()
	if err := h.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadHistory(dir)
	if err != nil || len(back) != 2 || back[1] != h[1] || back.TrainTime() != 61500*time.Millisecond {
		t.Errorf("ReadHistory: %+v, %v (train time %s)", back, err, back.TrainTime())
	}
	if _, err := ReadHistory(t.TempDir()); err == nil || !strings.Contains(err.Error(), "history.json") {
		t.Errorf("ReadHistory of an empty directory: %v", err)
	}
	var csv bytes.Buffer
	if err := h.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "step,epoch,lr,train_loss") || !strings.HasPrefix(lines[2], "20,2,0,0.3,0.9,0.4,0.8") {
		t.Errorf("csv:\n%s", csv.String())
	}
	data, err := h.CurvesPNG(9, 3.5)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 864 || b.Dy() != 336 {
		t.Errorf("curves image is %v, want 864×336 (9×3.5 in at 96 dpi)", b)
	}
	if _, err := (History{}).CurvesPNG(9, 3.5); err == nil {
		t.Error("empty history plotted")
	}
}
