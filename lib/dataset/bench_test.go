package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkScanParquet streams a 100k-row parquet file, counting labels and
// text lengths (make bench-data does the same on 3.6M rows, with peak RSS).
func BenchmarkScanParquet(b *testing.B) {
	const rows = 100_000
	path := filepath.Join(b.TempDir(), "bench.parquet")
	reviews := make([]Review, rows)
	for i := range reviews {
		reviews[i] = Review{Label: i % 2, Text: fmt.Sprintf("review %d: the sound is crisp, but the battery life is short and the price is too high for what you get.", i)}
	}
	if err := WriteParquetFile(path, reviews); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := OpenParquet(path)
		if err != nil {
			b.Fatal(err)
		}
		s, err := Scan(r, nil)
		r.Close()
		if err != nil || s.Rows != rows {
			b.Fatalf("%d rows, %v", s.Rows, err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// sharedReviews finds the 6,459 real Amazon Polarity test reviews kept
// outside the repository (never committed): $POLARITY_SHARED_DATA, or a
// shared/data folder beside the checkout or one level up.
func sharedReviews() (string, bool) {
	const name = "amazon_polarity_test_head.ft.txt"
	for _, dir := range []string{os.Getenv("POLARITY_SHARED_DATA"), "../../../shared/data", "../../../../shared/data"} {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, name); fileExists(p) {
			return p, true
		}
	}
	return "", false
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func TestRealFastTextReviews(t *testing.T) {
	path, ok := sharedReviews()
	if !ok {
		t.Skip("the real reviews (shared/data/amazon_polarity_test_head.ft.txt, or $POLARITY_SHARED_DATA) are not here: skipping; nothing else depends on them")
	}
	reviews, sum, err := LoadSummary(Source{Kind: File, Path: path}, "train")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 6459 || sum.Labels != [2]int{3137, 3322} || sum.EmptyTexts != 0 {
		t.Errorf("summary %s; the README says 6,459 reviews, 3,137 negative, 3,322 positive", sum)
	}
	if first := reviews[0]; first.Label != Positive || len(first.Text) < 9 || first.Text[:9] != "Great CD:" {
		t.Errorf("first review %+v; want the positive \"Great CD: …\"", first)
	}
}
