package plots

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/eda"
)

// testReport analyses the golden corpus of package eda.
func testReport(t *testing.T) *eda.Report {
	t.Helper()
	b, err := os.ReadFile("../testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		Label int
		Text  string
	}
	if err := json.Unmarshal(b, &docs); err != nil {
		t.Fatal(err)
	}
	a, err := eda.NewAnalyzer(eda.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := a.Add(d.Label, d.Text); err != nil {
			t.Fatal(err)
		}
	}
	r, err := a.Report()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWriteReportWritesEveryFigure(t *testing.T) {
	r := testReport(t)
	dir := t.TempDir()
	paths, err := WriteReport(dir, r, 7)
	if err != nil {
		t.Fatal(err)
	}
	// 3 histograms + top words + 3×(overall + by sentiment) = 10 figures ×
	// (PNG + SVG), 2 clouds, 1 JSON.
	if len(paths) != 23 {
		t.Errorf("wrote %d files, want 23: %v", len(paths), paths)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(p) {
		case ".png":
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if w := img.Bounds().Dx(); w < 600 || w > 1000 {
				t.Errorf("%s is %d px wide; want notebook width (600–1000)", p, w)
			}
		case ".svg":
			if !bytes.Contains(b, []byte("<svg")) {
				t.Errorf("%s is not SVG", p)
			}
		case ".json":
			var back eda.Report
			if err := json.Unmarshal(b, &back); err != nil || back.Reviews != r.Reviews {
				t.Errorf("report.json does not round-trip: %v", err)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestFiguresRefuseMissingClass(t *testing.T) {
	r := testReport(t)
	r.Classes = r.Classes[:1]
	if _, err := Figures(r); err == nil {
		t.Error("a report with one sentiment was drawn")
	}
	if _, err := WriteReport(t.TempDir(), r, 1); err == nil {
		t.Error("a report with one sentiment was written")
	}
	if _, err := TopTerms("x", "x", "x", nil, Neutral); err == nil {
		t.Error("an empty bar chart was drawn")
	}
}

func TestWordCloudDeterministicAndUnclipped(t *testing.T) {
	r := testReport(t)
	words := r.Classes[1].CloudWords
	opts := CloudOptions{Color: ClassColors[1], Seed: 3, Width: 600, Height: 300}
	a, err := WordCloudPNG(words, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := WordCloudPNG(words, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("the same words and seed gave two different word clouds")
	}
	img, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 600 || img.Bounds().Dy() != 300 {
		t.Fatalf("size %v, want 600×300", img.Bounds())
	}
	// No word may touch the picture's edge, where it would be cut off.
	white := color.RGBAModel.Convert(color.White)
	bd := img.Bounds()
	for x := bd.Min.X; x < bd.Max.X; x++ {
		for _, y := range []int{bd.Min.Y, bd.Max.Y - 1} {
			if color.RGBAModel.Convert(img.At(x, y)) != white {
				t.Fatalf("ink at edge pixel (%d,%d): a word is clipped", x, y)
			}
		}
	}
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for _, x := range []int{bd.Min.X, bd.Max.X - 1} {
			if color.RGBAModel.Convert(img.At(x, y)) != white {
				t.Fatalf("ink at edge pixel (%d,%d): a word is clipped", x, y)
			}
		}
	}
	if inked(img) < 0.05 {
		t.Errorf("only %.1f%% of the cloud is ink: words are missing", 100*inked(img))
	}
	if _, err := WordCloud(nil, opts); err == nil {
		t.Error("an empty word cloud was drawn")
	}
}

func inked(img image.Image) float64 {
	bd := img.Bounds()
	n := 0
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r != 0xffff || g != 0xffff || b != 0xffff {
				n++
			}
		}
	}
	return float64(n) / float64(bd.Dx()*bd.Dy())
}

func TestCountTicks(t *testing.T) {
	var labels []string
	for _, tk := range (countTicks{}).Ticks(0, 2600) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0 500 1,000 1,500 2,000 2,500" {
		t.Errorf("labels %q", got)
	}
	if got := groupThousands(-1234567); got != "-1,234,567" {
		t.Errorf("groupThousands = %s", got)
	}
}
