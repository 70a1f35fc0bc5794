package envinfo

import (
	"runtime"
	"strings"
	"testing"
)

func lookup(items []Item, name string) (string, bool) {
	for _, it := range items {
		if it.Name == name {
			return it.Value, true
		}
	}
	return "", false
}

func TestReportNeverShowsToken(t *testing.T) {
	t.Setenv("HF_TOKEN", "hf_secretvalue123")
	items := Report()
	for _, it := range items {
		if strings.Contains(it.Value, "hf_secretvalue123") {
			t.Fatalf("report leaks HF_TOKEN in %q", it.Name)
		}
	}
	if v, _ := lookup(items, "HF_TOKEN"); v != "set (value hidden)" {
		t.Errorf("HF_TOKEN line = %q", v)
	}
}

func TestReportListsVersionsBackendAndData(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "go")
	t.Setenv("POLARITY_DATA", "")
	items := report(map[string]string{"github.com/gomlx/gomlx": "v0.26.0"})
	if v, _ := lookup(items, "Go"); v != runtime.Version() {
		t.Errorf("Go = %q", v)
	}
	if v, _ := lookup(items, "github.com/gomlx/gomlx"); v != "v0.26.0" {
		t.Errorf("gomlx version = %q, want v0.26.0", v)
	}
	if v, _ := lookup(items, "gonum.org/v1/plot"); !strings.Contains(v, "not in") {
		t.Errorf("a module missing from the build info shows %q", v)
	}
	if v, ok := lookup(items, "CPU kernels"); !ok || v == "" {
		t.Errorf("no CPU kernels line in %v", items)
	}
	if v, _ := lookup(items, "GoMLX backend"); !strings.HasPrefix(v, "go:") && !strings.HasPrefix(v, "go ") {
		t.Errorf("backend = %q", v)
	}
	if v, _ := lookup(items, "Reviews"); !strings.Contains(v, "SYNTHETIC") {
		t.Errorf("reviews = %q", v)
	}
	rows := Rows(items)
	if len(rows) != len(items)+1 || rows[0][0] != "what" {
		t.Errorf("Rows: %d rows, header %v", len(rows), rows[0])
	}
}
