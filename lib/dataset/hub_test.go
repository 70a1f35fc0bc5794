package dataset

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// numbered returns n distinct reviews whose text names their row.
func numbered(n, offset int) []Review {
	out := make([]Review, n)
	for i := range out {
		out[i] = Review{Label: (i * 7 / 3) % 2, Text: fmt.Sprintf("review number %d", offset+i)}
	}
	return out
}

// fakeParquetHub serves HubRepo's parquet conversion of one split as shards.
func fakeParquetHub(t *testing.T, split string, shards [][]Review) (*httptest.Server, *atomic.Int64) {
	var requests atomic.Int64
	blobs := map[string][]byte{}
	for i, s := range shards {
		var b bytes.Buffer
		if err := WriteParquet(&b, s); err != nil {
			t.Fatal(err)
		}
		blobs[fmt.Sprintf("default/%s/%04d.parquet", split, i)] = b.Bytes()
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path == "/api/datasets/"+HubRepo+"/parquet/default/"+split {
			var urls []string
			for i := range shards {
				urls = append(urls, fmt.Sprintf("%s/api/datasets/%s/parquet/default/%s/%d.parquet", srv.URL, HubRepo, split, i))
			}
			json.NewEncoder(w).Encode(urls)
			return
		}
		path, ok := strings.CutPrefix(r.URL.Path, "/datasets/"+HubRepo+"/resolve/refs/convert/parquet/")
		content, found := blobs[path]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		h := sha1.New()
		fmt.Fprintf(h, "blob %d\x00", len(content))
		h.Write(content)
		w.Header().Set("X-Repo-Commit", strings.Repeat("ab", 20))
		w.Header().Set("ETag", `"`+hex.EncodeToString(h.Sum(nil))+`"`)
		http.ServeContent(w, r, path, time.Time{}, bytes.NewReader(content))
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

func TestLoadHubTakesTheSeedsShuffledSample(t *testing.T) {
	shards := [][]Review{numbered(1200, 0), numbered(1000, 1200), numbered(800, 2200)}
	var all []Review
	for _, s := range shards {
		all = append(all, s...)
	}
	srv, requests := fakeParquetHub(t, "test", shards)
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
	before := requests.Load()
	again, err := Load(Source{Kind: Hub}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if requests.Load() != before || len(again) != len(got) || again[17] != got[17] {
		t.Errorf("offline load made %d requests or returned different reviews", requests.Load()-before)
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
