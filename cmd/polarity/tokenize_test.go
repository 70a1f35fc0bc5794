package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/hub/hubtest"
)

func TestTokenizeJSONLMatchesHuggingFace(t *testing.T) {
	data, err := os.ReadFile("../../lib/tokenize/testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Cases []struct {
			Text      string   `json:"text"`
			MaxLength int      `json:"max_length"`
			Safe      bool     `json:"safe"`
			IDs       []int32  `json:"ids"`
			Tokens    []string `json:"tokens"`
			WordIDs   []*int32 `json:"word_ids"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	var input strings.Builder
	var want []int
	for i, c := range golden.Cases {
		if c.MaxLength == 128 && !c.Safe {
			b, _ := json.Marshal(c.Text)
			input.Write(append(b, '\n'))
			want = append(want, i)
		}
	}
	stdout, stderr, code := runWithStdin(t, input.String(), "tokenize", "--jsonl", "--max-len", "128")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != len(want) || len(want) < 50 {
		t.Fatalf("%d output lines for %d inputs", len(lines), len(want))
	}
	for k, line := range lines {
		var got struct {
			IDs           []int32  `json:"ids"`
			Tokens        []string `json:"tokens"`
			AttentionMask []int32  `json:"attention_mask"`
			WordIDs       []*int32 `json:"word_ids"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d: %v", k+1, err)
		}
		c := golden.Cases[want[k]]
		if !slices.Equal(got.IDs, c.IDs) || !slices.Equal(got.Tokens, c.Tokens) || len(got.AttentionMask) != len(c.IDs) {
			t.Fatalf("%q: got %v, want %v", c.Text, got.IDs, c.IDs)
		}
		if got.WordIDs[0] != nil || got.WordIDs[len(got.WordIDs)-1] != nil || len(got.WordIDs) != len(c.WordIDs) {
			t.Fatalf("%q: word ids %v", c.Text, line)
		}
		for i := 1; i < len(c.WordIDs)-1; i++ {
			if *got.WordIDs[i] != *c.WordIDs[i] {
				t.Fatalf("%q: word id %d is %d, want %d", c.Text, i, *got.WordIDs[i], *c.WordIDs[i])
			}
		}
	}
}

func TestTokenizeArgsAndFlags(t *testing.T) {
	stdout, stderr, code := runCLI(t, nil, "tokenize", "--max-len", "5", "Great CD, [SEP] love it")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"[CLS] great cd", "101", "5 tokens (truncated)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _, _ = runCLI(t, nil, "tokenize", "--jsonl", "a [SEP] b")
	if !strings.Contains(stdout, `"ids":[101,1037,102,1038,102]`) {
		t.Errorf("literal [SEP] (Hugging Face behaviour): %s", stdout)
	}
	stdout, _, _ = runCLI(t, nil, "tokenize", "--jsonl", "--safe-specials", "a [SEP] b")
	if !strings.Contains(stdout, `"tokens":["[CLS]","a","[","sep","]","b","[SEP]"]`) {
		t.Errorf("--safe-specials: %s", stdout)
	}
}

func TestTokenizeBadInputIsExplained(t *testing.T) {
	for _, tc := range []struct {
		input string
		args  []string
		code  int
		want  string
	}{
		{"\"ok\"\nnot json\n", []string{"--jsonl"}, 1, "input line 2 is not a JSON string"},
		{"", []string{"--backend", "hf", "x"}, 1, "built without tokenizers_hf"},
		{"", []string{"--tokenizer", "/nonexistent/tokenizer.json", "x"}, 1, "want a tokenizer.json"},
		{"", []string{"--max-len", "1", "x"}, 1, "at least 2"},
		{"", []string{"--frobnicate"}, 2, "Usage: polarity tokenize"},
	} {
		_, stderr, code := runWithStdin(t, tc.input, append([]string{"tokenize"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("tokenize %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// runWithStdin runs the built binary with input on standard input.
func runWithStdin(t *testing.T, input string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return stdout.String(), stderr.String(), exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), 0
}

func TestTokenizeHubRepo(t *testing.T) {
	home, _ := os.UserHomeDir()
	path := filepath.Join(home, "go", "pkg", "mod", "github.com", "daulet", "tokenizers@v1.24.0", "test", "data", "bert-base-uncased.json")
	if d := os.Getenv("GOMODCACHE"); d != "" {
		path = filepath.Join(d, "github.com", "daulet", "tokenizers@v1.24.0", "test", "data", "bert-base-uncased.json")
	}
	content, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("bert-base-uncased.json not in the module cache: %v", err)
	}
	srv := hubtest.New(t)
	srv.AddRepo("acme/bert", map[string][]byte{"tokenizer.json": content})
	env := []string{"HF_ENDPOINT=" + srv.URL, "HF_HUB_CACHE=" + t.TempDir(), "HF_TOKEN=hf_secret_value"}
	stdout, stderr, code := runCLI(t, env, "tokenize", "--jsonl", "--tokenizer", "acme/bert", "Hello")
	if code != 0 || !strings.Contains(stdout, `"ids":[101,7592,102]`) {
		t.Fatalf("exit %d, stdout %s, stderr %s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, "hf_secret_value") {
		t.Fatal("HF_TOKEN printed")
	}
}
