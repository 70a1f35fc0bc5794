package evaluate

import (
	"bytes"
	"image/png"
	"testing"
)

func TestConfidentlyWrong(t *testing.T) {
	yTrue := []int{0, 1, 1, 0, 1, 0}
	yPred := []int{1, 1, 0, 1, 0, 0}
	conf := []float64{0.7, 0.99, 0.95, 0.7, 0.6, 0.8}
	got, err := ConfidentlyWrong(yTrue, yPred, conf, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []Mistake{{2, 1, 0, 0.95}, {0, 0, 1, 0.7}, {3, 0, 1, 0.7}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mistake %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := ConfidentlyWrong(yTrue, yPred[:2], conf, 3); err == nil {
		t.Error("mismatched lengths accepted")
	}
}

func TestFiguresRender(t *testing.T) {
	yTrue := []int{0, 0, 0, 1, 1, 1, 1}
	yPred := []int{0, 0, 1, 1, 1, 0, 1}
	r, err := NewReport(yTrue, yPred, []string{"negative", "positive"})
	if err != nil {
		t.Fatal(err)
	}
	heat, err := ConfusionHeatmap(r)
	if err != nil {
		t.Fatal(err)
	}
	hist, err := ProbabilityHistograms(yTrue, []float64{0, 0.1, 0.6, 0.9, 1, 0.3, 0.97}, r.Names, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []interface{ PNG() ([]byte, error) }{heat, hist} {
		data, err := f.PNG()
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
			t.Errorf("figure %dx%d pixels", b.Dx(), b.Dy())
		}
	}
	if _, err := ProbabilityHistograms(yTrue, []float64{0.5}, r.Names, 1); err == nil {
		t.Error("mismatched lengths accepted")
	}
	if _, err := ConfusionHeatmap(&Report{Names: []string{"a"}}); err == nil {
		t.Error("empty matrix accepted")
	}
}
