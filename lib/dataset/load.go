package dataset

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/polarityml/polarity/data"
	"github.com/polarityml/polarity/lib/hub"
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

// loadHub reads the seed notebook's working set of a split from the hub. The
// picked reviews are kept in a small parquet file (see hubSampleCache), so
// later loads skip the pass over the whole split.
func loadHub(split string) ([]Review, Summary, error) {
	ctx := context.Background()
	paths, err := DownloadHub(ctx, hub.NewFromEnv(), split)
	if err != nil {
		return nil, Summary{}, err
	}
	k := SeedSampleSize[split]
	cache := hubSampleCache(paths, split, k)
	if cache != "" {
		if r, err := OpenParquet(cache); err == nil {
			reviews, sum, err := ReadAll(r, cache)
			r.Close()
			if err == nil && len(reviews) == k {
				return reviews, sum, nil
			}
		}
	}
	if err := checkHubRows(split, paths); err != nil {
		return nil, Summary{}, err
	}
	reviews, sum, err := HubSample(paths, k, SeedShuffle)
	if err == nil && cache != "" {
		_ = WriteParquetFile(cache, reviews) // best effort: only a speed-up
	}
	return reviews, sum, err
}

// hubSampleCache names the file holding the seed's picks from the shards at
// paths: $XDG_CACHE_HOME/polarity (or the OS user cache dir), keyed by the
// hub commit of the snapshot the shards come from; "" when unknown.
func hubSampleCache(paths []string, split string, k int) string {
	dir, err := os.UserCacheDir()
	if err != nil || len(paths) == 0 {
		return ""
	}
	parts := strings.Split(filepath.ToSlash(paths[0]), "/")
	for i, p := range parts[:len(parts)-1] {
		if p == "snapshots" {
			return filepath.Join(dir, "polarity", "amazon_polarity", parts[i+1], fmt.Sprintf("%s-shuffle%d-first%d.parquet", split, SeedShuffle, k))
		}
	}
	return ""
}
