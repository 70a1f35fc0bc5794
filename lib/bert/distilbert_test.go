package bert

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/polarityml/polarity/lib/bert/safetensors"
)

// The DistilBERT reference checkpoints (scripts/golden/distilbert_reference.py)
// and their torch.save twins.
var distilGoldenNames = []string{"distil-f32", "distil-f16"}

func TestDistilBERTLogitsMatchTorchReference(t *testing.T) {
	for _, name := range distilGoldenNames {
		for _, dir := range []string{name, name + "-bin"} {
			t.Run(dir, func(t *testing.T) {
				m, err := Load(filepath.Join("testdata", dir))
				if err != nil {
					t.Fatal(err)
				}
				g := readGolden(t, filepath.Join("testdata", name))
				if !m.Config.IsDistilBERT() || len(m.Report.Initialized) > 0 {
					t.Fatalf("model_type %q, initialised %v: want a complete DistilBERT", m.Config.ModelType, m.Report.Initialized)
				}
				got := logitsOf(t, m.Context, m.Config, g.IDs, g.Mask, g.TypeIDs)
				d := maxAbsDiff(t, got, g.Logits)
				t.Logf("%s (%s): max |Δlogit| vs torch = %.2g", dir, filepath.Base(m.Report.Path), d)
				if d > 1e-5 {
					t.Fatalf("max |Δlogit| = %.3g vs torch, want ≤ 1e-5\ngot  %v\nwant %v", d, got, g.Logits)
				}
			})
		}
	}
}

// sameLogits fails unless both directories' models give bit-identical logits
// on the golden batch of goldenDir.
func sameLogits(t *testing.T, goldenDir string, a, b *Model) {
	t.Helper()
	g := readGolden(t, goldenDir)
	la := logitsOf(t, a.Context, a.Config, g.IDs, g.Mask, g.TypeIDs)
	lb := logitsOf(t, b.Context, b.Config, g.IDs, g.Mask, g.TypeIDs)
	for i := range la {
		if !slices.Equal(la[i], lb[i]) {
			t.Fatalf("logits differ: %v vs %v", la, lb)
		}
	}
}

func TestTorchBinTwinsGiveTheSameLogitsAsSafetensors(t *testing.T) {
	pairs := map[string]string{
		"hub-f32-bin": "hub-f32", "hub-f32-sharded": "hub-f32",
		"distil-f32-bin": "distil-f32", "distil-f16-bin": "distil-f16", "hub-f32-legacy": "hub-f32",
	}
	for bin, st := range pairs {
		t.Run(bin, func(t *testing.T) {
			a, err := Load(filepath.Join("testdata", st))
			if err != nil {
				t.Fatal(err)
			}
			b, err := Load(filepath.Join("testdata", bin))
			if err != nil {
				t.Fatal(err)
			}
			if base := filepath.Base(b.Report.Path); !strings.HasPrefix(base, TorchWeightsFile) {
				t.Fatalf("read %s, want the pytorch_model.bin checkpoint", b.Report.Path)
			}
			if b.Report.Loaded != a.Report.Loaded || !slices.Equal(b.Report.Ignored, a.Report.Ignored) {
				t.Fatalf("report %s\nwant the same as\n%s", b.Report, a.Report)
			}
			sameLogits(t, filepath.Join("testdata", st), a, b)
		})
	}
}

func TestSafetensorsPreferredOverTorchBin(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{ConfigFile, WeightsFile} {
		data, err := os.ReadFile(filepath.Join("testdata", "distil-f32", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A pytorch_model.bin that is not even a zip: it must not be opened.
	if err := os.WriteFile(filepath.Join(dir, TorchWeightsFile), []byte("not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(m.Report.Path) != WeightsFile {
		t.Fatalf("read %s, want model.safetensors", m.Report.Path)
	}
	os.Remove(filepath.Join(dir, WeightsFile))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a torch.save checkpoint") {
		t.Fatalf("err %v, want the broken pytorch_model.bin named", err)
	}
	os.Remove(filepath.Join(dir, TorchWeightsFile))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "pytorch_model.bin.index.json") {
		t.Fatalf("err %v, want every file looked for listed", err)
	}
}

func TestDistilBERTSaveLoadRoundTripKeepsHubNames(t *testing.T) {
	for _, name := range distilGoldenNames {
		t.Run(name, func(t *testing.T) {
			m, err := Load(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "saved")
			if err := m.Save(out, ""); err != nil {
				t.Fatal(err)
			}
			m2, err := Load(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(m2.Report.Renamed)+len(m2.Report.Ignored)+len(m2.Report.Initialized) != 0 {
				t.Fatalf("saved checkpoint is not canonical: %s", m2.Report)
			}
			sameLogits(t, filepath.Join("testdata", name), m, m2)
			// Hugging Face names out: exactly DistilBertForSequenceClassification's state dict.
			f, err := safetensors.ReadFile(filepath.Join(out, WeightsFile))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, p := range Parameters(m.Config) {
				want = append(want, p.Name)
			}
			slices.Sort(want)
			if got := f.Names(); !slices.Equal(got, want) {
				t.Fatalf("saved tensors %v\nwant %v", got, want)
			}
			for _, n := range []string{"distilbert.transformer.layer.0.attention.q_lin.weight", "distilbert.transformer.layer.1.ffn.lin2.bias",
				"distilbert.transformer.layer.1.sa_layer_norm.weight", "distilbert.transformer.layer.0.output_layer_norm.bias",
				"distilbert.embeddings.LayerNorm.weight", "pre_classifier.weight", "classifier.bias"} {
				if f.Tensors[n] == nil {
					t.Errorf("saved checkpoint lacks %s", n)
				}
			}
			// DistilBERT's config keys out, and the same config back in.
			data, err := os.ReadFile(filepath.Join(out, ConfigFile))
			if err != nil {
				t.Fatal(err)
			}
			var raw map[string]any
			if err := json.Unmarshal(data, &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"dim", "hidden_dim", "n_layers", "n_heads", "activation", "seq_classif_dropout", "sinusoidal_pos_embds"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("config.json lacks DistilBERT's %q: %s", k, data)
				}
			}
			if _, ok := raw["hidden_size"]; ok || raw["model_type"] != "distilbert" ||
				!slices.Equal(m2.Config.Architectures, []string{"DistilBertForSequenceClassification"}) {
				t.Errorf("config.json is not a DistilBERT config: %s", data)
			}
			c1, c2 := *m.Config, *m2.Config
			c1.ClassifierDropout, c2.ClassifierDropout = nil, nil
			c1.NumLabelsField, c2.NumLabelsField = 0, 0
			c1.TorchDType, c2.TorchDType = "", "" // Save writes float32
			a, _ := json.Marshal(c1)
			b, _ := json.Marshal(c2)
			if string(a) != string(b) || c1.SinusoidalPosEmbds != c2.SinusoidalPosEmbds ||
				m.Config.classifierDropout() != m2.Config.classifierDropout() {
				t.Errorf("config changed in the round trip:\n%s\n%s", a, b)
			}
		})
	}
}

func TestParseConfigChoosesTheFamily(t *testing.T) {
	c, err := ParseConfig([]byte(`{"architectures":["DistilBertForSequenceClassification"],"dim":64,"n_heads":4,"n_layers":1,"hidden_dim":96}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsDistilBERT() || c.HiddenSize != 64 || c.IntermediateSize != 96 || c.NumHiddenLayers != 1 ||
		c.LayerNormEps != 1e-12 || c.classifierDropout() != 0.2 || c.HiddenAct != "gelu" {
		t.Fatalf("DistilBERT config from architectures: %+v", c)
	}
	if c, err := ParseConfig([]byte(`{"architectures":["BertForMaskedLM"]}`), "test"); err != nil || c.IsDistilBERT() || c.ModelType != "bert" {
		t.Fatalf("BERT from architectures: %+v, %v", c, err)
	}
	_, err = ParseConfig([]byte(`{"model_type":"roberta"}`), "x/config.json")
	if err == nil || !strings.Contains(err.Error(), `"roberta"`) || !strings.Contains(err.Error(), "DistilBERT") {
		t.Fatalf("err %v, want the unsupported model_type named with the supported ones", err)
	}
	if _, err := ParseConfig([]byte(`{"model_type":"distilbert","activation":"mish"}`), "test"); err == nil || !strings.Contains(err.Error(), "mish") {
		t.Fatalf("err %v, want the unsupported activation named", err)
	}
}

func TestNumParamsDistilBERTBase(t *testing.T) {
	if got := NumParams(DistilBaseUncased()); got != 66_955_010 {
		t.Fatalf("distilbert-base-uncased + 2 labels has %d params, want 66,955,010", got)
	}
	if s := FormatSummary(DistilBaseUncased()); !strings.Contains(s, "DistilBertForSequenceClassification") ||
		!strings.Contains(s, "distilbert.transformer.layer.5 ") || !strings.Contains(s, "66,955,010") {
		t.Fatalf("summary:\n%s", s)
	}
}

func TestSinusoidalPositionsAreTheFrozenTable(t *testing.T) {
	stored, err := Load(filepath.Join("testdata", "distil-f16"))
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := New(stored.Config, 1)
	if err != nil {
		t.Fatal(err)
	}
	const name = "distilbert.embeddings.position_embeddings.weight"
	v := newBuilder(fresh.Context, fresh.Config, nil).modelVariable(name)
	if v.Trainable {
		t.Error("sinusoidal position embeddings are trainable; transformers freezes them")
	}
	got := tensors.MustCopyFlatData[float32](v.MustValue())
	want := tensors.MustCopyFlatData[float32](newBuilder(stored.Context, stored.Config, nil).modelVariable(name).MustValue())
	worst := 0.0
	for i := range want {
		worst = max(worst, math.Abs(float64(got[i]-want[i])))
	}
	if worst > 1e-3 { // the stored table is float16
		t.Fatalf("initial sinusoid differs from the checkpoint's by %g", worst)
	}
}

func TestSavedConfigNamesTheClassifier(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"model_type":"distilbert","architectures":["DistilBertForMaskedLM"],"dim":32,"n_heads":4,"n_layers":1,"hidden_dim":64,"vocab_size":50,"max_position_embeddings":16}`), "base")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := cfg.WriteConfig(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Architectures, []string{"DistilBertForSequenceClassification"}) {
		t.Fatalf("architectures %v after fine-tuning a masked-LM checkpoint", back.Architectures)
	}
}

// DistilBERT runs in bfloat16 mixed precision through the same layers:
// logits stay within bfloat16's rounding of the float32 reference.
func TestDistilBERTBFloat16StaysCloseToFloat32(t *testing.T) {
	m, err := Load(filepath.Join("testdata", "distil-f32"))
	if err != nil {
		t.Fatal(err)
	}
	g := readGolden(t, filepath.Join("testdata", "distil-f32"))
	m.Context.SetParam(ParamComputeDType, "bfloat16")
	d := maxAbsDiff(t, logitsOf(t, m.Context, m.Config, g.IDs, g.Mask, g.TypeIDs), g.Logits)
	t.Logf("bfloat16 vs float32 torch: max |Δlogit| = %.2g", d)
	if d == 0 || d > 0.1 {
		t.Fatalf("bfloat16 logits differ from float32 by %g, want (0, 0.1]", d)
	}
}
