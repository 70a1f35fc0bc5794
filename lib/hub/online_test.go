package hub_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/hub/hubtest"
)

// The hub answers a regular file with a relative 307 to /api/resolve-cache/…
// whose Content-Length is the redirect's own: the client must follow it and
// take the size from the final answer, as huggingface_hub does.
func TestRelativeRedirectIsFollowedAndSizeNeverComesFromIt(t *testing.T) {
	config := bytes.Repeat([]byte(`{"hidden_size": 768}`), 50)
	h := hubtest.New(t)
	h.AddRepo("acme/bert", map[string][]byte{"config.json": config})
	h.SetETagOnRedirect(true) // the 307 names the ETag: only its size is wrong
	c := h.HubClient(t.TempDir())
	c.SetToken(hubtest.Token)
	p, err := c.Download(context.Background(), hub.File{Type: hub.Model, Repo: "acme/bert", Revision: "main", Path: "config.json"})
	if err != nil {
		t.Fatalf("%v; requests %v", err, h.Requests())
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, config) {
		t.Fatal("content differs")
	}
	var paths []string
	for _, r := range h.Requests() {
		paths = append(paths, r.Method+" "+strings.SplitN(r.Path, "/", 4)[1]+"/"+strings.SplitN(r.Path, "/", 4)[2])
		if r.Authorization != "Bearer "+hubtest.Token {
			t.Errorf("%s %s: the hub's own resolve-cache URL must get the token", r.Method, r.Path)
		}
	}
	if want := "HEAD acme/bert,HEAD api/resolve-cache,GET api/resolve-cache"; strings.Join(paths, ",") != want {
		t.Errorf("requests %v, want %s", paths, want)
	}
}

// An absolute redirect of the HEAD (to another host) is not followed:
// huggingface_hub reads the metadata from the redirect itself, and a redirect
// without X-Repo-Commit means HF_ENDPOINT is not a hub.
func TestAbsoluteRedirectIsNotFollowed(t *testing.T) {
	h := hubtest.New(t)
	h.AddRepo("acme/bert", map[string][]byte{"config.json": []byte("{}")})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(proxy.Close)
	c := &hub.Client{Endpoint: proxy.URL, CacheDir: t.TempDir(), HTTP: &http.Client{}}
	_, err := c.Download(context.Background(), hub.File{Type: hub.Model, Repo: "acme/bert", Revision: "main", Path: "config.json"})
	if err == nil || !strings.Contains(err.Error(), "commit") {
		t.Fatalf("err %v, want the missing commit hash named", err)
	}
	if n := len(h.Requests()); n != 0 {
		t.Errorf("the absolute redirect was followed: %v", h.Requests())
	}
}

// A signed CDN URL expires; after the CDN's 403 the client asks the hub for a
// fresh one and resumes, instead of calling the repository gated.
func TestExpiredSignedURLIsRefreshedAndResumed(t *testing.T) {
	data := payload(300_000)
	const name = "default/train/0000.parquet"
	h := newHub(t, hub.ParquetRevision, map[string][]byte{name: data})
	h.SetSignatureTTL(100 * time.Millisecond)
	h.Truncate(name)
	c := h.HubClient(t.TempDir())
	c.Retries, c.Backoff, c.MaxBackoff = 3, 300*time.Millisecond, time.Second
	p, err := c.Download(context.Background(), parquetFile(name))
	if err != nil {
		t.Fatalf("%v; requests %v", err, h.Requests())
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, data) {
		t.Fatal("content differs")
	}
	var gets []string
	for _, r := range requests(h, cdnGets) {
		gets = append(gets, r.Range)
	}
	// The full GET (cut short), the resume refused (expired), the resume on
	// the fresh URL.
	if want := ",bytes=150000-,bytes=150000-"; strings.Join(gets, ",") != want {
		t.Errorf("CDN GET ranges %q, want %q", strings.Join(gets, ","), want)
	}
	heads := requests(h, func(r hubtest.Request) bool { return !r.CDN && r.Method == http.MethodHead })
	if len(heads) != 2 {
		t.Errorf("%d HEADs on the hub, want 2 (the first and the refresh)", len(heads))
	}
}

// The parquet API lists /api/…/N.parquet URLs; the shard's real path (here
// partial-train/, as for a partial conversion) is read from the redirect.
func TestParquetShardNamesComeFromTheRedirect(t *testing.T) {
	h := newHub(t, hub.ParquetRevision, map[string][]byte{
		"default/partial-train/0000.parquet": payload(100), "default/partial-train/0001.parquet": payload(200)})
	c := h.HubClient(t.TempDir())
	files, err := c.ParquetFiles(context.Background(), fakeRepo, "default", "train")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Revision+":"+f.Path)
	}
	want := "refs/convert/parquet:default/partial-train/0000.parquet refs/convert/parquet:default/partial-train/0001.parquet"
	if strings.Join(got, " ") != want {
		t.Fatalf("shards %v, want %s", got, want)
	}
	for _, f := range files {
		if _, err := c.Download(context.Background(), f); err != nil {
			t.Fatal(err)
		}
	}
}

// After an interrupted download, offline (or with the hub unreachable) the
// split is refused, naming the missing shards, instead of sampling fewer rows.
func TestOfflineAfterPartialDownloadNamesMissingShards(t *testing.T) {
	shards := map[string][]byte{}
	for _, n := range []string{"0000", "0001", "0002"} {
		shards["default/train/"+n+".parquet"] = payload(1000)
	}
	h := newHub(t, hub.ParquetRevision, shards)
	c := h.HubClient(t.TempDir())
	ctx := context.Background()
	files, err := c.ParquetFiles(ctx, fakeRepo, "default", "train")
	if err != nil || len(files) != 3 {
		t.Fatalf("%v, %v", files, err)
	}
	if _, err := c.Download(ctx, files[0]); err != nil { // then the download was interrupted
		t.Fatal(err)
	}
	check := func(what string, err error) {
		t.Helper()
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		for _, want := range []string{"2 of 3", "default/train/0001.parquet", "default/train/0002.parquet", "run again"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: error %q lacks %q", what, msg, want)
			}
		}
		if strings.Contains(msg, "0000.parquet") {
			t.Errorf("%s: error %q names a shard that is cached", what, msg)
		}
	}
	c.Offline = true
	_, err = c.ParquetFiles(ctx, fakeRepo, "default", "train")
	check("offline", err)
	if err != nil && !strings.Contains(err.Error(), "unset HF_HUB_OFFLINE") {
		t.Errorf("offline: %v does not name the fix", err)
	}
	c.Offline = false
	h.Close()
	_, err = c.ParquetFiles(ctx, fakeRepo, "default", "train")
	check("hub unreachable", err)
}

// With the network down, cached files (and the cached shard list) are used,
// as hf_hub_download does, and the client says so once.
func TestUnreachableHubFallsBackToTheCacheOnce(t *testing.T) {
	h := newHub(t, hub.ParquetRevision, map[string][]byte{"default/test/0000.parquet": payload(1000)})
	h.Add(hub.Dataset, fakeRepo, "main", map[string][]byte{"test.jsonl": []byte(`{"label":1,"text":"x"}` + "\n")})
	c := h.HubClient(t.TempDir())
	ctx := context.Background()
	jsonl := hub.File{Type: hub.Dataset, Repo: fakeRepo, Revision: "main", Path: "test.jsonl"}
	files, err := c.ParquetFiles(ctx, fakeRepo, "default", "test")
	if err != nil {
		t.Fatal(err)
	}
	want := map[hub.File]string{}
	for _, f := range append(files, jsonl) {
		if want[f], err = c.Download(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	h.Close()
	var notices bytes.Buffer
	c.Notices = &notices
	// Python does not retry a HEAD that cannot connect: with a cached copy
	// to fall back on, neither is time spent on backoff here.
	c.Retries, c.Backoff, c.MaxBackoff = 5, time.Second, 30*time.Second
	start := time.Now()
	defer func() {
		if d := time.Since(start); d > time.Second {
			t.Errorf("falling back to the cache took %v: the unreachable hub was retried", d)
		}
	}()
	again, err := c.ParquetFiles(ctx, fakeRepo, "default", "test")
	if err != nil || len(again) != 1 || again[0] != files[0] {
		t.Fatalf("listing with the hub down: %v, %v", again, err)
	}
	for f, p := range want {
		if got, err := c.Download(ctx, f); err != nil || got != p {
			t.Errorf("%s with the hub down: %q, %v; want the cached %q", f, got, err, p)
		}
	}
	if n := strings.Count(notices.String(), "\n"); n != 1 || !strings.Contains(notices.String(), "cache") {
		t.Errorf("notices %q, want one line saying the cache is used", notices.String())
	}
	// Not cached, in a revision that is: the network error, at once, saying
	// what failed and what to do.
	if _, err := c.Download(ctx, hub.File{Type: hub.Dataset, Repo: fakeRepo, Revision: "main", Path: "train.jsonl"}); err == nil ||
		!strings.Contains(err.Error(), "cannot reach") || !strings.Contains(err.Error(), "HF_HUB_OFFLINE=1") {
		t.Errorf("an uncached file with the hub down: %v; want an error naming the unreachable host and the offline fix", err)
	}
}

// hf_hub_download raises EntryNotFound rather than serve a cached copy the
// hub says no longer exists; any other failure (here 500s) uses the cache.
func TestOnlyAnAnswerOfTheHubThatTheFileIsGoneSkipsTheCache(t *testing.T) {
	h := newHub(t, "main", map[string][]byte{"test.jsonl": []byte("{}\n")})
	c := h.HubClient(t.TempDir())
	f := hub.File{Type: hub.Dataset, Repo: fakeRepo, Revision: "main", Path: "test.jsonl"}
	cached, err := c.Download(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	h.Fail("test.jsonl", 500, 500)
	if got, err := c.Download(context.Background(), f); err != nil || got != cached {
		t.Errorf("hub failing with 500: %q, %v; want the cached %q", got, err, cached)
	}
	gone := hubtest.New(t)
	gone.Add(hub.Dataset, fakeRepo, "main", map[string][]byte{"other.jsonl": []byte("{}\n")})
	c.Endpoint = gone.URL
	if _, err := c.Download(context.Background(), f); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("file gone from the hub: err %v, want the 404", err)
	}
}
