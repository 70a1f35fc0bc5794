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
