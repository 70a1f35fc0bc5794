package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainThenEval trains the tiny model for one short epoch on the sample,
// resumes the finished run, and evaluates the saved model with --json.
func TestTrainThenEval(t *testing.T) {
	out := t.TempDir()
	env := []string{"GOMLX_BACKEND=go:parallelism=8"}
	args := []string{"train", "--samples", "60", "--max-len", "32", "--batch", "16", "--epochs", "1", "--out", out}
	stdout, stderr, code := runCLI(t, env, args...)
	if code != 0 {
		t.Fatalf("train: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "trained 3 steps on 42 reviews") || !strings.Contains(stdout, "final validation") {
		t.Errorf("train output:\n%s", stdout)
	}
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json", "history.csv", "history.json", "curves.png", "state/trainer.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("train wrote no %s: %v", f, err)
		}
	}
	// Resuming a finished run does no more steps.
	stdout, stderr, code = runCLI(t, env, append(args, "--resume")...)
	if code != 0 || !strings.Contains(stderr, "resuming at step 3 of 3") {
		t.Errorf("resume: exit %d\n%s\n%s", code, stdout, stderr)
	}

	stdout, stderr, code = runCLI(t, env, "eval", "--model", out, "--max-len", "32", "--limit", "100", "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d\n%s", code, stderr)
	}
	var got struct {
		Examples int
		Accuracy float64
		Loss     float64
		Report   map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("eval --json output is not JSON: %v\n%s", err, stdout)
	}
	if got.Examples != 100 || got.Accuracy < 0 || got.Accuracy > 1 || got.Loss <= 0 {
		t.Errorf("eval: %+v", got)
	}
	for _, key := range []string{"negative", "positive", "macro avg", "weighted avg", "confusion_matrix"} {
		if _, ok := got.Report[key]; !ok {
			t.Errorf("eval report lacks %q: %s", key, stdout)
		}
	}
}

func TestTrainRejectsBadSettings(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--lr", "0"}, "lr=0"},
		{[]string{"train", "--preset", "quick"}, `unknown preset "quick"`},
		{[]string{"train", "--epochs", "two"}, "want an integer"},
		{[]string{"train", "--data", "/no/such/file"}, "neither"},
		{[]string{"eval", "--model", "/no/such/model"}, "/no/such/model"},
	} {
		_, stderr, code := runCLI(t, nil, c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr lacks %q:\n%s", c.args, code, c.want, stderr)
		}
	}
}

// TestHubModelOfflineNamesTheFix: train, eval and predict resolve a hub repo
// id the same way; offline with an empty cache, each says what is missing
// and how to get it, without contacting the hub.
func TestHubModelOfflineNamesTheFix(t *testing.T) {
	env := []string{"HF_HUB_OFFLINE=1", "HF_HUB_CACHE=" + t.TempDir(), "HF_ENDPOINT=http://127.0.0.1:9", "GOMLX_BACKEND=go"}
	for _, args := range [][]string{
		{"train", "--model", "bert-base-uncased", "--samples", "20"},
		{"eval", "--model", "google-bert/bert-base-uncased@main", "--limit", "4"},
		{"predict", "--model", "bert-base-uncased", "great"},
	} {
		_, stderr, code := runCLI(t, env, args...)
		if code != 1 || !strings.Contains(stderr, "HF_HUB_OFFLINE is set") || !strings.Contains(stderr, "config.json is not in the cache") {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant the offline error naming config.json", args, code, stderr)
		}
	}
}
