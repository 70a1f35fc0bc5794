package evaluate

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

type goldenCase struct {
	Name        string                     `json:"name"`
	YTrue       []int                      `json:"y_true"`
	YPred       []int                      `json:"y_pred"`
	TargetNames []string                   `json:"target_names"`
	Digits      int                        `json:"digits"`
	Text        string                     `json:"text"`
	Dict        map[string]json.RawMessage `json:"dict"`
	Confusion   [][]int                    `json:"confusion"`
}

// TestReportMatchesSklearn compares with scikit-learn's own output, produced
// by scripts/golden/evaluate_report.py.
func TestReportMatchesSklearn(t *testing.T) {
	data, err := os.ReadFile("testdata/classification_report.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Version string       `json:"sklearn_version"`
		Cases   []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	for _, c := range golden.Cases {
		t.Run(c.Name, func(t *testing.T) {
			r, err := NewReport(c.YTrue, c.YPred, c.TargetNames)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Text(c.Digits); got != c.Text {
				t.Errorf("text differs from sklearn %s:\n--- got\n%s--- want\n%s", golden.Version, got, c.Text)
			}
			for i, row := range c.Confusion {
				for j, v := range row {
					if r.Confusion[i][j] != v {
						t.Errorf("confusion[%d][%d] = %d, want %d", i, j, r.Confusion[i][j], v)
					}
				}
			}
			ours, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(ours, &got); err != nil {
				t.Fatal(err)
			}
			for key, want := range c.Dict {
				compareJSON(t, key, got[key], want)
			}
		})
	}
}

func compareJSON(t *testing.T, key string, got, want json.RawMessage) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v in %s", key, err, got)
	}
	_ = json.Unmarshal(want, &w)
	switch wv := w.(type) {
	case float64:
		if gv, ok := g.(float64); !ok || math.Abs(gv-wv) > 1e-15 {
			t.Errorf("%s = %v, sklearn %v", key, g, wv)
		}
	case map[string]any:
		gm, _ := g.(map[string]any)
		for k, v := range wv {
			gv, ok := gm[k].(float64)
			if !ok || math.Abs(gv-v.(float64)) > 1e-15 {
				t.Errorf("%s.%s = %v, sklearn %v", key, k, gm[k], v)
			}
		}
	}
}

func TestConfusionMatrixRejectsBadLabels(t *testing.T) {
	if _, err := ConfusionMatrix([]int{0, 2}, []int{0, 1}, 2); err == nil || !strings.Contains(err.Error(), "label 2") {
		t.Errorf("err = %v, want one naming label 2", err)
	}
	if _, err := ConfusionMatrix([]int{0}, []int{0, 1}, 2); err == nil {
		t.Error("length mismatch accepted")
	}
}
