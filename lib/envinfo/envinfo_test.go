package envinfo

import (
	"os"
	"path/filepath"
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
	items := report(map[string]string{"github.com/gomlx/gomlx": "v0.26.0"}, nil)
	if v, _ := lookup(items, "Go"); v != runtime.Version() {
		t.Errorf("Go = %q", v)
	}
	if v, _ := lookup(items, "github.com/gomlx/gomlx"); v != "v0.26.0" {
		t.Errorf("gomlx version = %q, want v0.26.0", v)
	}
	if v, _ := lookup(items, "gonum.org/v1/plot"); !strings.Contains(v, "not linked") {
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

// TestModuleVersionsComeFromGoMod: a module this test binary does not link
// (the Rust tokenizers binding, behind a build tag) is reported with the
// version go.mod requires, not as missing.
func TestModuleVersionsComeFromGoMod(t *testing.T) {
	req := requiredVersions()
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Modules {
		if !strings.Contains(string(data), "\t"+m+" "+req[m]) || req[m] == "" {
			t.Errorf("go.mod requirement of %s read as %q", m, req[m])
		}
	}
	v, _ := lookup(Report(), "github.com/daulet/tokenizers")
	if v != req["github.com/daulet/tokenizers"]+" (required by go.mod; not linked into this program)" {
		t.Errorf("daulet/tokenizers = %q", v)
	}
	for _, c := range []struct{ linked, required, want string }{
		{"v1.0.0", "v1.0.0", "v1.0.0"},
		{"v1.1.0", "v1.0.0", "v1.1.0 (go.mod requires v1.0.0)"},
		{"", "v1.0.0", "v1.0.0 (required by go.mod; not linked into this program)"},
		{"", "", "not linked into this program, and Polarity's go.mod was not found"},
	} {
		if got := moduleVersion(c.linked, c.required); got != c.want {
			t.Errorf("moduleVersion(%q, %q) = %q, want %q", c.linked, c.required, got, c.want)
		}
	}
	if readRequires(filepath.Join(t.TempDir(), "go.mod")) != nil {
		t.Error("a missing go.mod gave requirements")
	}
}
