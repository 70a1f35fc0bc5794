package bert

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert/safetensors"
)

// rewriteCheckpoint copies testdata/hub-f32 into a temp dir with its tensors
// passed through edit (which may drop, add or reshape them).
func rewriteCheckpoint(t *testing.T, edit func(map[string]*safetensors.Tensor)) string {
	t.Helper()
	src := filepath.Join("testdata", "hub-f32")
	f, err := safetensors.ReadFile(filepath.Join(src, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	edit(f.Tensors)
	var ts []*safetensors.Tensor
	for _, n := range f.Names() {
		ts = append(ts, f.Tensors[n])
	}
	dir := t.TempDir()
	if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), ts, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(src, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSaveLoadGivesIdenticalLogits(t *testing.T) {
	m, err := Load(filepath.Join("testdata", "hub-f32"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tok := filepath.Join(dir, "src-tokenizer.json")
	if err := os.WriteFile(tok, []byte(`{"version":"1.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "saved")
	if err := m.Save(out, tok); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ConfigFile, WeightsFile, TokenizerFile} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatalf("saved model lacks %s: %v", f, err)
		}
	}
	m2, err := Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m2.Report.Renamed)+len(m2.Report.Ignored)+len(m2.Report.Initialized) != 0 {
		t.Fatalf("saved checkpoint is not canonical: %s", m2.Report)
	}
	if got := m2.Config.Labels(); strings.Join(got, ",") != "negative,positive" {
		t.Fatalf("labels after save/load: %v", got)
	}
	g := readGolden(t, filepath.Join("testdata", "hub-f32"))
	a := logitsOf(t, m.Context, m.Config, g.IDs, g.Mask, g.TypeIDs)
	b := logitsOf(t, m2.Context, m2.Config, g.IDs, g.Mask, g.TypeIDs)
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("logits changed after save/load: %v vs %v", a, b)
			}
		}
	}
}

func TestLoadInitialisesMissingHeadAndSaysSo(t *testing.T) {
	dir := rewriteCheckpoint(t, func(ts map[string]*safetensors.Tensor) {
		delete(ts, "classifier.weight")
		delete(ts, "classifier.bias")
	})
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.Report.Initialized, ","); got != "classifier.weight,classifier.bias" {
		t.Fatalf("initialized %q, want the classifier head", got)
	}
	if s := m.Report.String(); !strings.Contains(s, "newly initialized: classifier.weight, classifier.bias") {
		t.Fatalf("report does not say the head is new:\n%s", s)
	}
	g := readGolden(t, filepath.Join("testdata", "hub-f32"))
	logits := logitsOf(t, m.Context, m.Config, g.IDs, g.Mask, g.TypeIDs)
	if logits[0][0] == 0 && logits[0][1] == 0 {
		t.Fatal("new head gave all-zero logits: weights were not initialised")
	}
}

func TestLoadErrorsNameTheTensor(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(map[string]*safetensors.Tensor)
		want []string
	}{
		"misshaped": {
			edit: func(ts map[string]*safetensors.Tensor) {
				q := ts["bert.encoder.layer.1.attention.self.query.weight"]
				q.Shape = []int{q.Shape[1] / 2, q.Shape[0] * 2}
			},
			want: []string{`"bert.encoder.layer.1.attention.self.query.weight" has shape [16 64]`, "needs [32 32]"},
		},
		"missing encoder weight": {
			edit: func(ts map[string]*safetensors.Tensor) { delete(ts, "bert.encoder.layer.0.output.dense.bias") },
			want: []string{"1 encoder weights are missing (bert.encoder.layer.0.output.dense.bias)"},
		},
		"integer weight": {
			edit: func(ts map[string]*safetensors.Tensor) {
				b := ts["classifier.bias"]
				b.DType = "I32" // same byte size as F32
			},
			want: []string{`"classifier.bias" has dtype I32`},
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(rewriteCheckpoint(t, tc.edit))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestNewModelIsSeeded(t *testing.T) {
	cfg := smallConfig()
	a, err := New(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(cfg, 7)
	ids, mask := [][]int32{{1, 2, 3}}, [][]int32{{1, 1, 1}}
	types := [][]int32{{0, 0, 0}}
	la, lb := logitsOf(t, a.Context, cfg, ids, mask, types), logitsOf(t, b.Context, cfg, ids, mask, types)
	if la[0][0] != lb[0][0] || la[0][1] != lb[0][1] {
		t.Fatalf("same seed, different models: %v vs %v", la, lb)
	}
}

func TestSummaryMatchesTransformers(t *testing.T) {
	rows := Summary(BaseUncased())
	if len(rows) != 1+12+1+1+1 {
		t.Fatalf("%d summary rows, want embeddings + 12 layers + pooler + classifier + total", len(rows))
	}
	want := map[string]int{"bert.embeddings": 23_837_184, "bert.encoder.layer.0": 7_087_872,
		"bert.pooler": 590_592, "classifier": 1_538, "total": 109_483_778}
	for _, r := range rows {
		if w, ok := want[r.Module]; ok && r.Params != w {
			t.Errorf("%s: %d params, want %d", r.Module, r.Params, w)
		}
	}
	if s := FormatSummary(BaseUncased()); !strings.Contains(s, "109,483,778") {
		t.Errorf("summary lacks the total:\n%s", s)
	}
}
