package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/polarityml/polarity/data"
)

// Splits are the split names Load accepts.
var Splits = []string{"train", "test"}

// Load reads one split ("train" or "test") of a review source into memory
// and checks its labels; rows with empty text are kept (LoadSummary counts
// them).
//
//   - Sample: the embedded synthetic sample (20,000 train / 2,000 test).
//   - Hub: the seed notebook's working set from mteb/amazon_polarity,
//     exactly: train.shuffle(seed=42).select(range(20000)) and
//     test.shuffle(seed=42).select(range(2000)) (see HubSample).
//   - File: a directory holding train.* and test.* review files, or a single
//     file, which is the train split (its "test" split is an error: split it
//     with TrainTestSplit).
func Load(src Source, split string) ([]Review, error) {
	reviews, _, err := LoadSummary(src, split)
	return reviews, err
}

// LoadSummary is Load that also returns what the pass over the data counted.
func LoadSummary(src Source, split string) ([]Review, Summary, error) {
	if split != "train" && split != "test" {
		return nil, Summary{}, fmt.Errorf("unknown split %q; use \"train\" or \"test\"", split)
	}
	switch src.Kind {
	case Sample, "":
		b, err := data.Sample(split)
		if err != nil {
			return nil, Summary{}, err
		}
		name := "embedded synthetic sample " + split + ".parquet"
		r, err := NewParquetReader(name, bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, Summary{}, err
		}
		defer r.Close()
		return ReadAll(r, name)
	case Hub:
		return loadHub(split)
	case File:
		path, err := splitFile(src.Path, split)
		if err != nil {
			return nil, Summary{}, err
		}
		r, err := OpenFile(path)
		if err != nil {
			return nil, Summary{}, err
		}
		defer r.Close()
		return ReadAll(r, path)
	}
	return nil, Summary{}, fmt.Errorf("unknown review source kind %q", src.Kind)
}

// splitFile finds the file holding split for a File source.
func splitFile(path, split string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		if split == "train" {
			return path, nil
		}
		return "", fmt.Errorf("review source %s is a single file, used as the train split; for a test split point %s at a directory holding train.* and test.*, or split the file with TrainTestSplit", path, SourceEnv)
	}
	matches, err := filepath.Glob(filepath.Join(path, split+".*"))
	if err != nil {
		return "", err
	}
	if len(matches) != 1 {
		return "", fmt.Errorf("directory %s must hold exactly one %s.* review file (parquet, jsonl, csv or txt); found %d", path, split, len(matches))
	}
	return matches[0], nil
}

// errHubNotBuilt is returned until the hub client lands.
var errHubNotBuilt = errors.New("the hub source is not available in this build yet; use POLARITY_DATA=sample or a file")

func loadHub(split string) ([]Review, Summary, error) {
	return nil, Summary{}, errHubNotBuilt
}
