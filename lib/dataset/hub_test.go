package dataset

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/hub/hubtest"
)

// numbered returns n distinct reviews whose text names their row.
func numbered(n, offset int) []Review {
	out := make([]Review, n)
	for i := range out {
		out[i] = Review{Label: (i * 7 / 3) % 2, Text: fmt.Sprintf("review number %d", offset+i)}
	}
	return out
}

// fakeParquetHub serves HubRepo's parquet conversion of one split as shards
// on a fake hub that answers as huggingface.co does.
func fakeParquetHub(t *testing.T, split string, shards [][]Review) *hubtest.Hub {
	files := map[string][]byte{}
	for i, s := range shards {
		var b bytes.Buffer
		if err := WriteParquet(&b, s); err != nil {
			t.Fatal(err)
		}
		files[fmt.Sprintf("default/%s/%04d.parquet", split, i)] = b.Bytes()
	}
	h := hubtest.New(t)
	h.Add(hub.Dataset, HubRepo, hub.ParquetRevision, files)
	return h
}

func TestLoadHubTakesTheSeedsShuffledSample(t *testing.T) {
	shards := [][]Review{numbered(1200, 0), numbered(1000, 1200), numbered(800, 2200)}
	var all []Review
	for _, s := range shards {
		all = append(all, s...)
	}
	srv := fakeParquetHub(t, "test", shards)
	setHubRows(t, "test", int64(len(all)))
	t.Setenv("HF_ENDPOINT", srv.URL)
	t.Setenv("HF_HOME", t.TempDir())
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())

	got, sum, err := LoadSummary(Source{Kind: Hub}, "test")
	if err != nil {
		t.Fatal(err)
	}
	perm := ShuffleIndices(len(all), SeedShuffle)
	if len(got) != SeedSampleSize["test"] || sum.Rows != len(got) {
		t.Fatalf("%d reviews, want %d", len(got), SeedSampleSize["test"])
	}
	for i, rev := range got {
		if rev != all[perm[i]] {
			t.Fatalf("review %d = %+v, want row %d %+v (test.shuffle(seed=42).select(range(2000)))", i, rev, perm[i], all[perm[i]])
		}
	}

	cached, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_CACHE_HOME"), "polarity", "amazon_polarity", "*", "test-shuffle42-first2000.parquet"))
	if len(cached) != 1 {
		t.Errorf("the picked reviews were not cached: %v", cached)
	}

	// Offline, from the cache, with no request at all.
	t.Setenv("HF_HUB_OFFLINE", "1")
	before := len(srv.Requests())
	again, err := Load(Source{Kind: Hub}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != before || len(again) != len(got) || again[17] != got[17] {
		t.Errorf("offline load made %d requests or returned different reviews", len(srv.Requests())-before)
	}
	if _, err := Load(Source{Kind: Hub}, "train"); err == nil || !strings.Contains(err.Error(), "HF_HUB_OFFLINE") {
		t.Errorf("offline train split (not cached): %v", err)
	}
}

func TestHubSampleRejectsTooFewRows(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/x.parquet"
	if err := WriteParquetFile(path, numbered(10, 0)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := HubSample([]string{path}, 11, 42); err == nil || !strings.Contains(err.Error(), "cannot take 11 reviews from 10 rows") {
		t.Errorf("error %v", err)
	}
}

// setHubRows makes the split's expected row count n for one test.
func setHubRows(t *testing.T, split string, n int64) {
	old := hubRows[split]
	hubRows[split] = n
	t.Cleanup(func() { hubRows[split] = old })
}

// With the hub unreachable, the cached shards are used (as hf_hub_download
// uses the cache); after an interrupted download they are refused.
func TestDownloadHubWithoutNetworkUsesTheCache(t *testing.T) {
	srv := fakeParquetHub(t, "test", [][]Review{numbered(10, 0), numbered(10, 10)})
	c := srv.HubClient(t.TempDir())
	ctx := context.Background()
	paths, err := DownloadHub(ctx, c, "test")
	if err != nil || len(paths) != 2 {
		t.Fatalf("%v, %v", paths, err)
	}
	srv.Close()
	again, err := DownloadHub(ctx, c, "test")
	if err != nil || strings.Join(again, ",") != strings.Join(paths, ",") {
		t.Fatalf("hub down: %v, %v; want the cached %v", again, err, paths)
	}
	if err := os.Remove(paths[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := DownloadHub(ctx, c, "test"); err == nil || !strings.Contains(err.Error(), "1 of 2") || !strings.Contains(err.Error(), "default/test/0001.parquet") {
		t.Errorf("hub down, a shard missing: err %v, want the missing shard named", err)
	}
}

// Shards from a cache without the kept shard list (an older polarity) are
// counted: fewer rows than the split has is refused, never sampled.
func TestCheckHubRowsRefusesAnIncompleteSplit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0000.parquet")
	if err := WriteParquetFile(path, numbered(10, 0)); err != nil {
		t.Fatal(err)
	}
	if err := checkHubRows("test", []string{path}); err == nil || !strings.Contains(err.Error(), "10 rows") || !strings.Contains(err.Error(), "400000") {
		t.Errorf("err %v, want the row counts named", err)
	}
	setHubRows(t, "test", 10)
	if err := checkHubRows("test", []string{path}); err != nil {
		t.Error(err)
	}
}
