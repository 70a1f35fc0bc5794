package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert/berttest"

	"github.com/polarityml/polarity/lib/bert"
)

func TestPredictJSONMatchesLibrary(t *testing.T) {
	dir := berttest.ModelDir(t)
	texts := []string{"the movie was great", "bad bad movie", "good"}
	env := []string{"GOMLX_BACKEND=go"}
	out, stderr, code := runCLI(t, env, append([]string{"predict", "--model", dir, "--json"}, texts...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Setenv("GOMLX_BACKEND", "go")
	p, err := bert.LoadPredictor(dir, bert.PredictorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.PredictBatch(texts)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("%d output lines for %d texts:\n%s", len(lines), len(texts), out)
	}
	for i, line := range lines {
		var got bert.Prediction
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i, err, line)
		}
		if !strings.HasPrefix(line, `{"text":`) || got.Text != texts[i] || got.Label != want[i].Label ||
			got.LabelID != want[i].LabelID || got.Probability != want[i].Probability || len(got.Logits) != 2 {
			t.Errorf("line %d = %s, want %+v", i, line, want[i])
		}
	}
}

func TestPredictReadsInputFileAsText(t *testing.T) {
	dir := berttest.ModelDir(t)
	input := filepath.Join(t.TempDir(), "texts.txt")
	if err := os.WriteFile(input, []byte("the movie was great\n\n  bad  \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runCLI(t, []string{"GOMLX_BACKEND=go"}, "predict", "--model", dir, "--input", input)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "the movie was great") || !strings.HasSuffix(lines[1], "bad") {
		t.Fatalf("output:\n%s", out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "negative") && !strings.HasPrefix(l, "positive") {
			t.Fatalf("line %q does not start with a label", l)
		}
	}
}

func TestPredictErrors(t *testing.T) {
	if _, stderr, code := runCLI(t, nil, "predict", "some text"); code != 2 || !strings.Contains(stderr, "--model") {
		t.Fatalf("without --model: exit %d, stderr %q; want usage (2)", code, stderr)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	_, stderr, code := runCLI(t, []string{"GOMLX_BACKEND=go"}, "predict", "--model", missing, "hello")
	if code != 1 || !strings.Contains(stderr, "no such directory") {
		t.Fatalf("missing model dir: exit %d, stderr %q; want an error saying the directory is missing", code, stderr)
	}
}
