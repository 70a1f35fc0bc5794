package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBaselineTrainsEvaluatesAndSaves runs polarity baseline on a small
// selection of the sample: the split matches polarity train's, the scores
// come out as JSON, and the model and the exported split are written.
func TestBaselineTrainsEvaluatesAndSaves(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "baseline.json.gz")
	stdout, stderr, code := runCLI(t, nil, "baseline", "--samples", "400", "--val-fraction", "0.25",
		"--out", model, "--export-split", filepath.Join(dir, "split"), "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var got struct {
		TrainReviews int     `json:"train_reviews"`
		Features     int     `json:"features"`
		TrainSeconds float64 `json:"train_seconds"`
		Evaluations  []struct {
			Split    string
			Reviews  int
			Accuracy float64
			F1Macro  float64 `json:"f1_macro"`
			Report   map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	if got.TrainReviews != 300 || got.Features < 1000 || got.TrainSeconds <= 0 || len(got.Evaluations) != 2 {
		t.Fatalf("output: %s", stdout)
	}
	for i, want := range []struct {
		split   string
		reviews int
	}{{"validation", 100}, {"test", 2000}} {
		e := got.Evaluations[i]
		if e.Split != want.split || e.Reviews != want.reviews || e.Accuracy < 0.75 || e.F1Macro < 0.75 || e.Report["macro avg"] == nil {
			t.Errorf("evaluation %d: %+v, want %s on %d reviews with accuracy and F1 >= 0.75", i, e, want.split, want.reviews)
		}
	}
	if _, err := os.Stat(model); err != nil {
		t.Errorf("no saved model: %v", err)
	}
	for name, lines := range map[string]int{"train": 300, "validation": 100, "test": 2000} {
		data, err := os.ReadFile(filepath.Join(dir, "split", name+".jsonl"))
		if err != nil || strings.Count(string(data), "\n") != lines {
			t.Errorf("%s.jsonl: %d lines (%v), want %d", name, strings.Count(string(data), "\n"), err, lines)
		}
	}
}

func TestBaselineRejectsBadSettings(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"baseline", "--C", "0"}, "C=0"},
		{[]string{"baseline", "--val-fraction", "1"}, "val-fraction=1"},
		{[]string{"baseline", "--data", "/no/such/file"}, "/no/such/file"},
	} {
		_, stderr, code := runCLI(t, nil, c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr lacks %q:\n%s", c.args, code, c.want, stderr)
		}
	}
}
