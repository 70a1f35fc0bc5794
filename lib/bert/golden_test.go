package bert

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// golden is what scripts/golden/bert_reference.py (an independent torch
// implementation) wrote for a checkpoint.
type golden struct {
	IDs     [][]int32   `json:"ids"`
	Mask    [][]int32   `json:"mask"`
	TypeIDs [][]int32   `json:"type_ids"`
	Logits  [][]float64 `json:"logits"`
	// Logits in bfloat16 mixed precision (ParamComputeDType), rounding to
	// bfloat16 to nearest even (torch, XLA) or toward zero (GoMLX's pure-Go backend).
	LogitsBF16Nearest  [][]float64          `json:"logits_bf16_nearest"`
	LogitsBF16Truncate [][]float64          `json:"logits_bf16_truncate"`
	Labels             []int32              `json:"labels"`
	Loss               float64              `json:"loss"`
	Gradients          map[string][]float64 `json:"gradients"`
}

// goldenNames are the reference checkpoints in testdata/.
var goldenNames = []string{"hub-f32", "noprefix-bf16", "tiny-f16"}

// goldenCheckpoint loads testdata/<name>: the model and its golden data.
func goldenCheckpoint(t *testing.T, name string) (*Model, *golden) {
	t.Helper()
	dir := filepath.Join("testdata", name)
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m, readGolden(t, dir)
}

func readGolden(t *testing.T, dir string) *golden {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// maxAbsDiff is the largest |a-b| over two equally shaped matrices.
func maxAbsDiff(t *testing.T, got [][]float32, want [][]float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("row %d: got %d columns, want %d", i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			worst = max(worst, math.Abs(float64(got[i][j])-want[i][j]))
		}
	}
	return worst
}

func TestLogitsMatchTorchReference(t *testing.T) {
	for _, name := range goldenNames {
		t.Run(name, func(t *testing.T) {
			m, g := goldenCheckpoint(t, name)
			if len(m.Report.Initialized) > 0 {
				t.Fatalf("weights initialised instead of loaded: %v", m.Report.Initialized)
			}
			got := logitsOf(t, m.Context, m.Config, g.IDs, g.Mask, g.TypeIDs)
			if d := maxAbsDiff(t, got, g.Logits); d > 1e-4 {
				t.Fatalf("max |Δlogit| = %.3g vs torch, want ≤ 1e-4\ngot  %v\nwant %v", d, got, g.Logits)
			} else {
				t.Logf("max |Δlogit| vs torch = %.2g", d)
			}
		})
	}
}

func TestLoadReportsHubSpellingsAndExtras(t *testing.T) {
	m, err := Load(filepath.Join("testdata", "hub-f32"))
	if err != nil {
		t.Fatal(err)
	}
	r := m.Report
	if r.Loaded != len(Parameters(m.Config)) {
		t.Errorf("loaded %d weights, want all %d", r.Loaded, len(Parameters(m.Config)))
	}
	if got := r.Renamed["bert.embeddings.LayerNorm.weight"]; got != "bert.embeddings.LayerNorm.gamma" {
		t.Errorf("LayerNorm.weight read from %q, want the legacy gamma", got)
	}
	want := "bert.embeddings.position_ids,cls.predictions.bias,cls.predictions.transform.dense.weight,cls.seq_relationship.weight"
	if got := strings.Join(r.Ignored, ","); got != want {
		t.Errorf("ignored %s, want %s", got, want)
	}
	m2, err := Load(filepath.Join("testdata", "noprefix-bf16"))
	if err != nil {
		t.Fatal(err)
	}
	if got := m2.Report.Renamed["bert.pooler.dense.weight"]; got != "pooler.dense.weight" {
		t.Errorf("pooler read from %q, want the unprefixed name", got)
	}
}
