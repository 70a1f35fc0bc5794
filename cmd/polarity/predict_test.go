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

// TestPredictVocabulary: predict spells its flags like train and eval
// (--max-len, --batch); the old spellings still work but are not in the help;
// --model tiny is the untrained tiny model, as in train and eval, not a hub id.
func TestPredictVocabulary(t *testing.T) {
	_, help, code := runCLI(t, nil, "predict", "--help")
	if code != 0 || !strings.Contains(help, "-max-len") || !strings.Contains(help, "-batch int") ||
		strings.Contains(help, "max-length") || strings.Contains(help, "batch-size") || !strings.Contains(help, "integrated gradients") {
		t.Errorf("predict --help (exit %d):\n%s", code, help)
	}
	env := []string{"GOMLX_BACKEND=go", "HF_HUB_OFFLINE=1", "HF_ENDPOINT=http://127.0.0.1:9"}
	var outputs []string
	for _, flags := range [][]string{{"--max-len", "16", "--batch", "2"}, {"--max-length", "16", "--batch-size", "2"}} {
		args := append(append([]string{"predict", "--model", "tiny", "--json"}, flags...), "great value", "broke after a week")
		out, stderr, code := runCLI(t, env, args...)
		if code != 0 || strings.Count(out, "\n") != 2 {
			t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", flags, code, out, stderr)
		}
		outputs = append(outputs, out)
	}
	if outputs[0] != outputs[1] {
		t.Errorf("old and new flag spellings give different predictions:\n%s\n%s", outputs[0], outputs[1])
	}
}
