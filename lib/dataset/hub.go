package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/polarityml/polarity/lib/hub"
)

// HubRepo is the Hugging Face copy of Amazon Polarity the seed notebook
// uses (train 3,600,000 rows, test 400,000; columns label, text, label_text).
const HubRepo = "mteb/amazon_polarity"

// SeedShuffle is the seed notebook's shuffle seed:
// train.shuffle(seed=42).select(range(20000)) and
// test.shuffle(seed=42).select(range(2000)).
const SeedShuffle = 42

// SeedSampleSize is how many reviews of each split the seed notebook uses.
var SeedSampleSize = map[string]int{"train": 20000, "test": 2000}

// hubRows is the row count of each split of HubRepo.
var hubRows = map[string]int64{"train": 3_600_000, "test": 400_000}

// checkHubRows refuses shards of a HubRepo split whose rows do not add up to
// the split's: a shuffle over fewer rows would pick other reviews silently.
// (lib/hub already refuses a partial set against the shard list it keeps;
// this covers caches filled without that list.)
func checkHubRows(split string, paths []string) error {
	r, n, err := OpenParquetFiles(paths)
	if err != nil {
		return err
	}
	r.Close()
	if want, ok := hubRows[split]; ok && n != want {
		return fmt.Errorf("%s %s: the %d cached parquet shards hold %d rows, the split has %d; some shards are missing "+
			"(an interrupted download?): run again online (HF_HUB_OFFLINE unset) to download them",
			HubRepo, split, len(paths), n, want)
	}
	return nil
}

// DownloadHub downloads (or finds in the cache) the parquet shards of one
// split of HubRepo and returns their local paths in order.
func DownloadHub(ctx context.Context, c *hub.Client, split string) ([]string, error) {
	files, err := c.ParquetFiles(ctx, HubRepo, "default", split)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(files))
	for i, f := range files {
		if paths[i], err = c.Download(ctx, f); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// OpenParquetFiles streams several parquet files as one, in order.
func OpenParquetFiles(paths []string) (Reader, int64, error) {
	var total int64
	for _, p := range paths {
		r, err := OpenParquet(p)
		if err != nil {
			return nil, 0, err
		}
		total += r.(*parquetReader).NumRows()
		r.Close()
	}
	return &multiReader{paths: paths}, total, nil
}

type multiReader struct {
	paths []string
	cur   Reader
}

func (m *multiReader) Next() (Review, error) {
	for {
		if m.cur == nil {
			if len(m.paths) == 0 {
				return Review{}, io.EOF
			}
			r, err := OpenParquet(m.paths[0])
			if err != nil {
				return Review{}, err
			}
			m.cur, m.paths = r, m.paths[1:]
		}
		rev, err := m.cur.Next()
		if !errors.Is(err, io.EOF) {
			return rev, err
		}
		m.cur.Close()
		m.cur = nil
	}
}

func (m *multiReader) Close() error {
	if m.cur != nil {
		return m.cur.Close()
	}
	return nil
}

// HubSample picks rows ShuffleIndices(n, seed)[:k] from the parquet files
// (n = their total row count), in that order: exactly what HF datasets'
// split.shuffle(seed=seed).select(range(k)) returns. It streams the files
// once, holding only the k picked reviews.
func HubSample(paths []string, k int, seed uint64) ([]Review, Summary, error) {
	r, n, err := OpenParquetFiles(paths)
	if err != nil {
		return nil, Summary{}, err
	}
	defer r.Close()
	if k <= 0 || int64(k) > n {
		return nil, Summary{}, fmt.Errorf("cannot take %d reviews from %d rows", k, n)
	}
	perm := ShuffleIndices(int(n), seed)[:k]
	slot := make(map[int]int, k)
	for pos, row := range perm {
		slot[row] = pos
	}
	picked := make([]Review, k)
	if _, err := Scan(r, func(row int, rev Review) error {
		if pos, ok := slot[row]; ok {
			picked[pos] = rev
		}
		return nil
	}); err != nil {
		return nil, Summary{}, err
	}
	var s Summary
	for i, rev := range picked {
		s.Add(perm[i], rev)
	}
	if err := s.Check(fmt.Sprintf("%s sample of %d", HubRepo, k)); err != nil {
		return nil, s, err
	}
	return picked, s, nil
}
