package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSource(t *testing.T) {
	file := filepath.Join(t.TempDir(), "reviews.jsonl")
	if err := os.WriteFile(file, []byte(`{"label":1,"text":"ok"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for spec, want := range map[string]Source{
		"":       {Kind: Sample},
		"sample": {Kind: Sample},
		"hub":    {Kind: Hub},
		file:     {Kind: File, Path: file},
	} {
		got, err := ParseSource(spec)
		if err != nil || got != want {
			t.Errorf("ParseSource(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
	}
	if _, err := ParseSource("/no/such/reviews.csv"); err == nil || !strings.Contains(err.Error(), `neither "sample", "hub"`) {
		t.Errorf("missing file: error %v does not explain the choices", err)
	}
}

func TestSampleIsLabelledSynthetic(t *testing.T) {
	t.Setenv(SourceEnv, "")
	src, err := SourceFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src.String(), "SYNTHETIC") {
		t.Errorf("sample description %q must say it is synthetic", src)
	}
}
