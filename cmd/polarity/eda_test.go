package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEdaNgramsPrintsSortedJSON(t *testing.T) {
	in := writeFile(t, "r.txt", "__label__2 Great product: great product, GREAT price\n__label__1 Bad: not a great product at all\n")
	out, stderr, code := runCLI(t, nil, "eda", "ngrams", "--n", "2", "--top", "3", "--input", in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got [][2]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	// great product ×3, product great ×2, then the count-1 bigrams in n-gram order.
	want := `[["great product",3],["product great",2],["at all",1]]`
	if strings.TrimSpace(out) != want {
		t.Errorf("got %s, want %s", strings.TrimSpace(out), want)
	}
}

func TestEdaReportWritesPlotsAndNumbers(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := runCLI(t, nil, "eda", "report", "--data", "sample", "--sample", "400", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{"chars_per_review.png", "chars_per_review.svg", "mean_word_length.png", "top_trigrams_by_sentiment.svg", "wordcloud_positive.png", "report.json"} {
		if !strings.Contains(out, filepath.Join(dir, name)) {
			t.Errorf("output does not list %s:\n%s", name, out)
		}
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Source  string
		Reviews int
		Classes []struct{ Reviews int }
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Reviews != 400 || len(r.Classes) != 2 || !strings.Contains(r.Source, "SYNTHETIC") {
		t.Errorf("report.json: %+v, %v", r, err)
	}
}

func TestEdaBadInputIsClear(t *testing.T) {
	for _, tc := range []struct {
		name, file, content, want string
	}{
		{"empty corpus", "empty.txt", "", "is empty"},
		{"one class", "pos.txt", "__label__2 good: fine\n__label__2 nice: very nice\n", "no negative reviews"},
		{"latin-1", "latin1.txt", "__label__1 caf\xe9: bad\n__label__2 ok: fine\n", "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := writeFile(t, tc.file, tc.content)
			dir := t.TempDir()
			_, stderr, code := runCLI(t, nil, "eda", "report", "--input", in, "--out", dir)
			if code != 1 || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "panic") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr, tc.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("bad input still wrote %d files", len(entries))
			}
		})
	}
	_, stderr, code := runCLI(t, nil, "eda", "ngrams", "--input", "x", "--data", "sample")
	if code != 1 || !strings.Contains(stderr, "not both") {
		t.Errorf("--input with --data: exit %d, %s", code, stderr)
	}
}
