package eda

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func analyze(t *testing.T, docs []doc) (*Report, error) {
	t.Helper()
	a, err := NewAnalyzer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := a.Add(d.Label, d.Text); err != nil {
			t.Fatal(err)
		}
	}
	return a.Report()
}

func TestReportOnGoldenCorpus(t *testing.T) {
	docs := goldenCorpus(t)
	r, err := analyze(t, docs)
	if err != nil {
		t.Fatal(err)
	}
	if r.Reviews != int64(len(docs)) || !r.Exact {
		t.Fatalf("reviews=%d exact=%v", r.Reviews, r.Exact)
	}
	var perClass [2]int64
	for _, d := range docs {
		perClass[d.Label]++
	}
	for _, c := range r.Classes {
		if c.Reviews != perClass[c.Label] {
			t.Errorf("%s: %d reviews, want %d", c.Name, c.Reviews, perClass[c.Label])
		}
		for name, h := range map[string]Histogram{"chars": c.CharsHist, "words": c.WordsHist} {
			if h.Total() != c.Reviews {
				t.Errorf("%s %s histogram counts sum to %d, want N=%d", c.Name, name, h.Total(), c.Reviews)
			}
		}
		if got := c.MeanWordLenHist.Total() + c.NoWords; got != c.Reviews {
			t.Errorf("%s mean-word-length histogram + reviews without words = %d, want %d", c.Name, got, c.Reviews)
		}
		if c.MeanWordLenKDE == nil || len(c.MeanWordLenKDE.X) != 200 {
			t.Errorf("%s: no KDE curve", c.Name)
		}
		if len(c.Ngrams[3]) != 20 || len(c.TopWords) != 20 || len(c.CloudWords) == 0 {
			t.Errorf("%s: %d trigrams, %d top words, %d cloud words", c.Name, len(c.Ngrams[3]), len(c.TopWords), len(c.CloudWords))
		}
	}
	if len(r.Ngrams[2]) != 20 || len(r.TopWords) != 20 {
		t.Errorf("overall: %d bigrams, %d words", len(r.Ngrams[2]), len(r.TopWords))
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatalf("report is not JSON-encodable: %v", err)
	}
}

func TestReportRejectsBadCorpora(t *testing.T) {
	if _, err := analyze(t, nil); !errors.Is(err, ErrEmptyCorpus) {
		t.Errorf("empty corpus: err = %v", err)
	}
	_, err := analyze(t, []doc{{1, "great"}, {1, "fine"}})
	if err == nil || !strings.Contains(err.Error(), "no negative reviews") {
		t.Errorf("one class only: err = %v", err)
	}
	_, err = analyze(t, []doc{{0, "   "}, {1, "fine product"}})
	if err == nil || !strings.Contains(err.Error(), "no word") {
		t.Errorf("a class without words: err = %v", err)
	}
	a, _ := NewAnalyzer(Options{})
	if err := a.Add(2, "x"); err == nil || !strings.Contains(err.Error(), "label 2") {
		t.Errorf("label 2: err = %v", err)
	}
	if err := a.Add(0, "bad \xff byte"); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("non-UTF-8: err = %v", err)
	}
	if a.Reviews() != [2]int64{} {
		t.Errorf("rejected reviews were counted: %v", a.Reviews())
	}
}

func TestMeasure(t *testing.T) {
	l := Measure("Très bon\tproduit ")
	if l.Chars != 17 || l.Words != 3 || !l.HasWords || l.MeanWordLen != 14.0/3 {
		t.Errorf("Measure = %+v", l)
	}
	if l := Measure(" \n"); l.HasWords || l.Words != 0 {
		t.Errorf("Measure(blank) = %+v", l)
	}
}

func TestReportSaveLoad(t *testing.T) {
	r, err := analyze(t, []doc{{0, "bad one"}, {1, "good one"}})
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/r.json"
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := LoadReport(path)
	if err != nil || back.Reviews != 2 || back.Classes[1].Ngrams[1][0].Term != "good" {
		t.Fatalf("LoadReport = %+v, %v", back, err)
	}
	if _, err := LoadReport(path + ".missing"); err == nil || !strings.Contains(err.Error(), "run the analysis first") {
		t.Errorf("missing report: %v", err)
	}
}

func TestBoundedReportCarriesErrorBound(t *testing.T) {
	a, err := NewAnalyzer(Options{Capacity: 8, TopK: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		text := "good product " + strings.Repeat("x", i%40+2)
		if err := a.Add(i%2, text); err != nil {
			t.Fatal(err)
		}
	}
	r, err := a.Report()
	if err != nil {
		t.Fatal(err)
	}
	if r.Exact || r.MaxOverCount == 0 {
		t.Fatalf("exact=%v max_over_count=%d; a capacity of 8 must evict", r.Exact, r.MaxOverCount)
	}
	if got := r.Ngrams[2][0]; got.Term != "good product" || got.Count-got.MaxOver > 200 || got.Count < 200 {
		t.Errorf("top bigram %+v, want good product with true count 200 inside its bounds", got)
	}
}
