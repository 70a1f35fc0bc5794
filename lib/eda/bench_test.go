package eda

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedReviews is shared/data/... beside the checkout (or beside the
// worktrees' folder); see the README there.
const sharedReviews = "shared/data/amazon_polarity_test_head.ft.txt"

func loadShared(b *testing.B) []string {
	var f *os.File
	var err error
	for up := "../../../"; len(up) <= 15; up += "../" {
		if f, err = os.Open(filepath.Join(up, sharedReviews)); err == nil {
			break
		}
	}
	if f == nil {
		b.Skipf("benchmark data ../%s is absent (it sits beside a checkout, never in it)", sharedReviews)
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		_, text, _ := strings.Cut(sc.Text(), " ")
		texts = append(texts, text)
	}
	return texts
}

// BenchmarkNgrams123 counts uni-, bi- and trigrams (exact) over the 6,459 real
// reviews; reviews/s is the figure to quote.
func BenchmarkNgrams123(b *testing.B) {
	texts := loadShared(b)
	b.ResetTimer()
	for b.Loop() {
		nc, _ := NewNgramCounter(0, 1, 2, 3)
		for _, t := range texts {
			if err := nc.Add(t); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(texts)*b.N)/b.Elapsed().Seconds(), "reviews/s")
}

// BenchmarkAnalyzer runs the whole EDA accumulation (lengths, words, n-grams,
// word-cloud counts) over the same reviews.
func BenchmarkAnalyzer(b *testing.B) {
	texts := loadShared(b)
	b.ResetTimer()
	for b.Loop() {
		a, _ := NewAnalyzer(Options{})
		for i, t := range texts {
			if err := a.Add(i%2, t); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(texts)*b.N)/b.Elapsed().Seconds(), "reviews/s")
}
