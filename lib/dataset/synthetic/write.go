package synthetic

import (
	"fmt"
	"path/filepath"

	"github.com/polarityml/polarity/lib/dataset"
)

// WriteSample writes the committed sample files, train.parquet
// (TrainRows reviews, TrainSeed) and test.parquet (TestRows, TestSeed), into
// dir, each atomically. The bytes are the same on every run and platform.
func WriteSample(dir string) error {
	for _, s := range []struct {
		split string
		rows  int
		seed  uint64
	}{{"train", TrainRows, TrainSeed}, {"test", TestRows, TestSeed}} {
		path := filepath.Join(dir, s.split+".parquet")
		if err := dataset.WriteParquetFile(path, Generate(s.rows, s.seed)); err != nil {
			return fmt.Errorf("writing the synthetic sample: %w", err)
		}
	}
	return nil
}

// UniquePool is how many distinct reviews WriteRows generates; larger files
// repeat them in order (benchmarks measure reading, not text variety, and
// generating millions of reviews would take minutes).
const UniquePool = 50000

// WriteRows writes a parquet file of n synthetic reviews for seed,
// atomically: the first min(n, UniquePool) are Generate(…, seed), and rows
// beyond repeat them cyclically.
func WriteRows(path string, n int, seed uint64) error {
	if n <= 0 {
		return fmt.Errorf("row count %d must be positive", n)
	}
	pool := Generate(min(n, UniquePool), seed)
	rows := make([]dataset.Review, n)
	for i := range rows {
		rows[i] = pool[i%len(pool)]
	}
	return dataset.WriteParquetFile(path, rows)
}
