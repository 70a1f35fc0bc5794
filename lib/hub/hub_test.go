package hub_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/hub/hubtest"
)

const fakeRepo = "mteb/amazon_polarity"

// newHub starts a fake hub serving fakeRepo's files: path → content at rev.
func newHub(t *testing.T, rev string, files map[string][]byte) *hubtest.Hub {
	h := hubtest.New(t)
	h.Add(hub.Dataset, fakeRepo, rev, files)
	return h
}

// client is a hub client of h with quick retries and a fresh cache.
func client(t *testing.T, h *hubtest.Hub) *hub.Client {
	c := h.HubClient(t.TempDir())
	c.Retries, c.MaxBackoff = 3, 5*time.Millisecond
	return c
}

// requests lists h's requests matching keep, formatted by format.
func requests(h *hubtest.Hub, keep func(hubtest.Request) bool) []hubtest.Request {
	var out []hubtest.Request
	for _, r := range h.Requests() {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func cdnGets(r hubtest.Request) bool { return r.CDN && r.Method == http.MethodGet }

func parquetFile(path string) hub.File {
	return hub.File{Type: hub.Dataset, Repo: fakeRepo, Revision: hub.ParquetRevision, Path: path}
}

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghij"[i%10]
	}
	return b
}

func TestDownloadUsesHFCacheLayoutAndKeepsTokenOffOtherHosts(t *testing.T) {
	lfsData, readme := payload(100_000), []byte("# amazon polarity\n")
	h := newHub(t, hub.ParquetRevision, map[string][]byte{"default/train/0000.parquet": lfsData})
	h.Add(hub.Dataset, fakeRepo, "main", map[string][]byte{"README.md": readme})
	c := client(t, h)
	c.SetToken(hubtest.Token)
	ctx := context.Background()

	got, err := c.Download(ctx, parquetFile("default/train/0000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(c.CacheDir, "datasets--mteb--amazon_polarity")
	want := filepath.Join(repo, "snapshots", hubtest.Commit, "default", "train", "0000.parquet")
	if got != want {
		t.Fatalf("path %s, want %s", got, want)
	}
	target, err := os.Readlink(got)
	if err != nil || target != filepath.Join("..", "..", "..", "..", "blobs", hubtest.SHA256(lfsData)) {
		t.Errorf("snapshot entry is not huggingface_hub's relative symlink to the blob: %q, %v", target, err)
	}
	if b, _ := os.ReadFile(got); string(b) != string(lfsData) {
		t.Error("downloaded content differs")
	}
	if ref, _ := os.ReadFile(filepath.Join(repo, "refs", "refs", "convert", "parquet")); string(ref) != hubtest.Commit {
		t.Errorf("refs/refs/convert/parquet = %q, want the commit", ref)
	}
	readmePath, err := c.Download(ctx, hub.File{Type: hub.Dataset, Repo: fakeRepo, Revision: "main", Path: "README.md"})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(readmePath); string(b) != string(readme) {
		t.Error("README content differs")
	}
	if _, err := os.Stat(filepath.Join(repo, "blobs", hubtest.GitSHA1(readme))); err != nil {
		t.Errorf("regular file's blob is not named by its git sha1: %v", err)
	}
	for _, r := range h.Requests() {
		if r.CDN == (r.Authorization != "") {
			t.Errorf("%+v: the token must reach the hub and never the CDN", r)
		}
	}
	// A second call downloads nothing.
	before := len(requests(h, cdnGets))
	if again, err := c.Download(ctx, parquetFile("default/train/0000.parquet")); err != nil || again != got {
		t.Fatalf("second download: %s, %v", again, err)
	}
	if len(requests(h, cdnGets)) != before {
		t.Error("a cached file was downloaded again")
	}
}

func TestTruncatedBodyResumesWithRange(t *testing.T) {
	data := payload(300_000)
	h := newHub(t, hub.ParquetRevision, map[string][]byte{"default/test/0000.parquet": data})
	h.Truncate("default/test/0000.parquet")
	got, err := client(t, h).Download(context.Background(), parquetFile("default/test/0000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got); string(b) != string(data) {
		t.Fatal("resumed download differs from the original")
	}
	gets := requests(h, cdnGets)
	if len(gets) != 2 || gets[1].Range != fmt.Sprintf("bytes=%d-", len(data)/2) {
		t.Errorf("expected a second GET resuming at byte %d, got %v", len(data)/2, gets)
	}
}

func TestStalledDownloadIsAbandonedAndResumed(t *testing.T) {
	data := payload(200_000)
	h := newHub(t, hub.ParquetRevision, map[string][]byte{"default/train/0000.parquet": data})
	h.Stall("default/train/0000.parquet", 3*time.Second)
	c := client(t, h)
	c.StallTimeout = 200 * time.Millisecond
	start := time.Now()
	got, err := c.Download(context.Background(), parquetFile("default/train/0000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got); string(b) != string(data) {
		t.Fatal("content differs after the stall")
	}
	if time.Since(start) > 2500*time.Millisecond {
		t.Errorf("took %v: the stalled connection was not abandoned", time.Since(start))
	}
	if gets := requests(h, cdnGets); len(gets) != 2 || gets[1].Range == "" {
		t.Errorf("expected a resumed second GET, got %v", gets)
	}
}

func TestWrongChecksumLeavesNothingBehind(t *testing.T) {
	h := newHub(t, hub.ParquetRevision, map[string][]byte{"default/train/0000.parquet": payload(5000)})
	h.Corrupt("default/train/0000.parquet")
	c := client(t, h)
	_, err := c.Download(context.Background(), parquetFile("default/train/0000.parquet"))
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), "run again") {
		t.Fatalf("error %v does not report the checksum mismatch", err)
	}
	var left []string
	filepath.Walk(c.CacheDir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && !strings.Contains(p, ".locks") {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("a failed download left files: %v", left)
	}
}

func TestErrorStatusesAndRetries(t *testing.T) {
	h := newHub(t, "main", map[string][]byte{
		"train.jsonl": []byte(`{"label":1,"text":"x"}` + "\n"), "private.jsonl": []byte("secret\n")})
	h.Private("private.jsonl")
	ctx := context.Background()
	file := func(p string) hub.File { return hub.File{Type: hub.Dataset, Repo: fakeRepo, Revision: "main", Path: p} }
	heads := func(name string) int {
		return len(requests(h, func(r hubtest.Request) bool {
			return r.Method == http.MethodHead && r.File == name && !strings.HasPrefix(r.Path, "/api/")
		}))
	}

	// 429 (Retry-After: 0), then 500 and 503, then success.
	h.Fail("train.jsonl", 429, 500, 503)
	c := client(t, h)
	if _, err := c.Download(ctx, file("train.jsonl")); err != nil {
		t.Fatalf("429/500/503 then 200 should succeed after retries: %v", err)
	}
	if n := heads("train.jsonl"); n != 4 {
		t.Errorf("%d HEAD requests, want 4 (3 failures + 1 success)", n)
	}

	// Persistent 503: gives up after Retries with a clear message.
	h.Fail("train.jsonl", 503, 503, 503, 503, 503)
	c = client(t, h)
	start := time.Now()
	_, err := c.Download(ctx, file("train.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "try again later") {
		t.Errorf("persistent 503: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("backoff ignored MaxBackoff")
	}

	// 401 without and with a wrong token: explains HF_TOKEN, never prints it.
	c = client(t, h)
	_, err = c.Download(ctx, file("private.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "HF_TOKEN") {
		t.Errorf("401: %v", err)
	}
	c.SetToken("hf_wrongWrongWrong")
	if _, err = c.Download(ctx, file("private.jsonl")); err == nil || strings.Contains(err.Error(), "hf_wrong") {
		t.Errorf("401 with a token: %v", err)
	}
	c.SetToken(hubtest.Token)
	if _, err = c.Download(ctx, file("private.jsonl")); err != nil {
		t.Errorf("with the right token: %v", err)
	}

	// 404: no retries, a message naming the file.
	before := heads("nope.jsonl")
	_, err = c.Download(ctx, file("nope.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), "nope.jsonl") {
		t.Errorf("404: %v", err)
	}
	if n := heads("nope.jsonl") - before; n != 1 {
		t.Errorf("404 was retried: %d requests", n)
	}
}

func TestOfflineModeServesCacheOnly(t *testing.T) {
	h := newHub(t, hub.ParquetRevision, map[string][]byte{
		"default/train/0000.parquet": payload(1000), "default/train/0001.parquet": payload(900)})
	c := client(t, h)
	ctx := context.Background()
	files, err := c.ParquetFiles(ctx, fakeRepo, "default", "train")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Path != "default/train/0000.parquet" || files[1].Path != "default/train/0001.parquet" || files[0].Revision != hub.ParquetRevision {
		t.Fatalf("ParquetFiles = %+v", files)
	}
	for _, f := range files {
		if _, err := c.Download(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	c.Offline = true
	before := len(h.Requests())
	offline, err := c.ParquetFiles(ctx, fakeRepo, "default", "train")
	if err != nil || len(offline) != 2 || offline[1] != files[1] {
		t.Fatalf("offline listing %+v, %v", offline, err)
	}
	if _, err := c.Download(ctx, files[0]); err != nil {
		t.Fatalf("offline cache hit: %v", err)
	}
	_, err = c.Download(ctx, parquetFile("default/test/0000.parquet"))
	if err == nil || !strings.Contains(err.Error(), "HF_HUB_OFFLINE") || !strings.Contains(err.Error(), "not in the cache") {
		t.Errorf("offline miss: %v", err)
	}
	if _, err := c.ParquetFiles(ctx, fakeRepo, "default", "test"); err == nil || !strings.Contains(err.Error(), "HF_HUB_OFFLINE") {
		t.Errorf("offline listing miss: %v", err)
	}
	if n := len(h.Requests()) - before; n != 0 {
		t.Errorf("offline mode made %d requests", n)
	}
}

func TestValidRepoIDAcceptsLegacyNames(t *testing.T) {
	for _, id := range []string{"bert-base-uncased", "google-bert/bert-base-uncased", "acme/tiny_bert.v2", "gpt2"} {
		if err := hub.ValidRepoID(id); err != nil {
			t.Errorf("ValidRepoID(%q) = %v, want nil", id, err)
		}
	}
	for _, id := range []string{"", "a/b/c", "../x", "a/..", "-a/b", "a/b-", "a--b", "a b", "/abs", "a/", ".hidden"} {
		if err := hub.ValidRepoID(id); err == nil {
			t.Errorf("ValidRepoID(%q) = nil, want an error", id)
		}
	}
}
