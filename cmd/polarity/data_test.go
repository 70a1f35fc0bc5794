package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataSelectPrintsNumpyPermutationPrefix(t *testing.T) {
	out, stderr, code := runCLI(t, nil, "data", "select", "--rows", "3600000", "--seed", "42", "--take", "20")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// numpy.random.default_rng(42).permutation(3600000)[:20]; see scripts/golden/shuffle.py.
	want := "1571269 357164 1622455 1072453 2088174 815575 229661 535013 335337 1884708 " +
		"1845846 3088283 2869885 3287899 2787483 944644 789816 67916 2110254 192087"
	if got := strings.Join(strings.Fields(out), " "); got != want {
		t.Errorf("select printed %s\nwant %s", got, want)
	}
	if _, stderr, code := runCLI(t, nil, "data", "select", "--rows", "5", "--take", "6"); code != 1 || !strings.Contains(stderr, "more than --rows") {
		t.Errorf("take > rows: exit %d, %s", code, stderr)
	}
	if _, _, code := runCLI(t, nil, "data", "select", "--rows", "5"); code != 2 {
		t.Errorf("missing --take: exit %d, want usage error 2", code)
	}
}

func TestDataGenSampleRegeneratesCommittedBytes(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := runCLI(t, nil, "data", "gen-sample", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "SYNTHETIC") {
		t.Errorf("gen-sample output does not say the reviews are synthetic:\n%s", out)
	}
	for _, split := range []string{"train", "test"} {
		got, _ := os.ReadFile(filepath.Join(dir, split+".parquet"))
		want, err := os.ReadFile(filepath.Join("..", "..", "data", "sample", split+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("gen-sample's %s.parquet differs from the committed data/sample/%s.parquet", split, split)
		}
	}
}

func TestDataHeadAndStats(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "small.parquet")
	if _, stderr, code := runCLI(t, nil, "data", "gen-sample", "--rows", "300", "--seed", "5", "--file", file); code != 0 {
		t.Fatalf("gen-sample --rows: %s", stderr)
	}
	out, stderr, code := runCLI(t, nil, "data", "head", "--n", "3", file)
	if code != 0 {
		t.Fatalf("head: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("head --n 3 printed %d lines:\n%s", len(lines), out)
	}
	for _, l := range lines {
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 || (f[0] != "0" || f[1] != "negative") && (f[0] != "1" || f[1] != "positive") || len(f[2]) < 20 {
			t.Errorf("bad head line %q", l)
		}
	}
	out, stderr, code = runCLI(t, nil, "data", "stats", file)
	if code != 0 || !strings.Contains(out, "300 rows") || !strings.Contains(out, "rows/s") {
		t.Errorf("stats: exit %d\n%s%s", code, out, stderr)
	}
	_, stderr, _ = runCLI(t, nil, "data", "head", "sample")
	if !strings.Contains(stderr, "SYNTHETIC") {
		t.Errorf("head sample does not say it is synthetic: %s", stderr)
	}
}

func TestDataBadInputAndOffline(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.parquet")
	os.WriteFile(empty, nil, 0o644)
	if _, stderr, code := runCLI(t, nil, "data", "head", empty); code != 1 || !strings.Contains(stderr, "empty (0 bytes)") {
		t.Errorf("empty file: exit %d, %s", code, stderr)
	}
	env := []string{"HF_HUB_OFFLINE=1", "HF_HOME=" + dir, "HF_HUB_CACHE=", "HF_TOKEN=hf_doNotPrintMe"}
	_, stderr, code := runCLI(t, env, "data", "download", "--split", "test")
	if code != 1 || !strings.Contains(stderr, "HF_HUB_OFFLINE") {
		t.Errorf("offline download with an empty cache: exit %d, %s", code, stderr)
	}
	if strings.Contains(stderr, "hf_doNotPrintMe") {
		t.Error("download printed HF_TOKEN")
	}
}
