package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchJSONHasTheAgreedKeys(t *testing.T) {
	out, stderr, code := runCLI(t, []string{"GOMLX_BACKEND=go"},
		"bench", "--model", "tiny", "--batch", "2", "--max-len", "16", "--steps", "1", "--precision", "fp32", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	get := func(path string) any {
		var v any = r
		for _, key := range strings.Split(path, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[key]
		}
		return v
	}
	for _, key := range []string{"backend", "train.samples_per_second", "inference.samples_per_second", "compile_seconds", "peak_rss_bytes"} {
		if x, ok := get(key).(float64); key != "backend" && (!ok || x <= 0) {
			t.Errorf("%s = %v, want a positive number", key, get(key))
		}
	}
	if b, _ := get("backend").(string); !strings.HasPrefix(b, "go:") {
		t.Errorf("backend = %v, want the pure-Go backend", get("backend"))
	}
	if _, ok := get("train").(map[string]any)["mfu"]; !ok {
		t.Error("train.mfu missing (null is allowed when the peak is unknown)")
	}
	if get("compute_dtype") != "float32" {
		t.Errorf("compute_dtype = %v, want float32 for --precision fp32", get("compute_dtype"))
	}
}

func TestBenchBadFlagsAreClear(t *testing.T) {
	_, stderr, code := runCLI(t, []string{"GOMLX_BACKEND=go"}, "bench", "--batch", "0")
	if code != 1 || !strings.Contains(stderr, "batch=0") {
		t.Errorf("--batch 0: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runCLI(t, []string{"GOMLX_BACKEND=go"}, "bench", "--precision", "fp8", "--max-len", "8")
	if code != 1 || !strings.Contains(stderr, "precision") {
		t.Errorf("--precision fp8: exit %d, stderr %q", code, stderr)
	}
}
