package hub

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	fakeRepo   = "mteb/amazon_polarity"
	fakeCommit = "0123456789abcdef0123456789abcdef01234567"
	fakeToken  = "hf_fakeSecretToken123"
)

// fakeHub serves one dataset repository like the Hugging Face hub: LFS
// files redirect to a second server (the "CDN", another host:port), regular
// files are served directly. Knobs inject the failures the client must survive.
type fakeHub struct {
	t        *testing.T
	hub, cdn *httptest.Server
	files    map[string][]byte // "REV/PATH" → content
	lfs      map[string]bool   // "REV/PATH" → stored in LFS

	mu sync.Mutex
	// failures[key] are statuses answered (in order) before succeeding.
	failures map[string][]int
	// truncate serves half of the CDN body once per listed sha.
	truncate map[string]bool
	// stall sends half of the CDN body once, then goes silent for 3 s.
	stall map[string]bool
	// corrupt serves altered bytes for these shas.
	corrupt map[string]bool
	// private paths need the token.
	private map[string]bool
	// seen records "server METHOD path auth=<bool> range=<hdr>".
	seen []string
	// cdnAuth is true if the CDN ever saw an Authorization header.
	cdnAuth bool
}

func newFakeHub(t *testing.T) *fakeHub {
	h := &fakeHub{t: t, files: map[string][]byte{}, lfs: map[string]bool{}, failures: map[string][]int{},
		truncate: map[string]bool{}, stall: map[string]bool{}, corrupt: map[string]bool{}, private: map[string]bool{}}
	h.cdn = httptest.NewServer(http.HandlerFunc(h.serveCDN))
	h.hub = httptest.NewServer(http.HandlerFunc(h.serveHub))
	t.Cleanup(func() { h.hub.Close(); h.cdn.Close() })
	return h
}

func (h *fakeHub) add(rev, path string, content []byte, lfs bool) {
	h.files[rev+"/"+path] = content
	h.lfs[rev+"/"+path] = lfs
}

func sha256hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func gitSHA1(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func (h *fakeHub) record(server string, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen = append(h.seen, fmt.Sprintf("%s %s %s auth=%v range=%s", server, r.Method, r.URL.Path, r.Header.Get("Authorization") != "", r.Header.Get("Range")))
	if server == "cdn" && r.Header.Get("Authorization") != "" {
		h.cdnAuth = true
	}
}

func (h *fakeHub) requests(prefix string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, s := range h.seen {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// nextFailure pops the next scripted failure status for key.
func (h *fakeHub) nextFailure(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f := h.failures[key]; len(f) > 0 {
		h.failures[key] = f[1:]
		return f[0]
	}
	return 0
}

func (h *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	h.record("hub", r)
	if split, ok := strings.CutPrefix(r.URL.Path, "/api/datasets/"+fakeRepo+"/parquet/default/"); ok {
		if status := h.nextFailure("api"); status != 0 {
			w.WriteHeader(status)
			return
		}
		json.NewEncoder(w).Encode([]string{
			h.hub.URL + "/api/datasets/" + fakeRepo + "/parquet/default/" + split + "/0.parquet",
			h.hub.URL + "/datasets/" + fakeRepo + "/resolve/refs%2Fconvert%2Fparquet/default/" + split + "/0001.parquet",
		})
		return
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/datasets/"+fakeRepo+"/resolve/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	revEsc, pathEsc, _ := strings.Cut(rest, "/")
	rev, _ := url.PathUnescape(revEsc)
	path, _ := url.PathUnescape(pathEsc)
	key := rev + "/" + path
	if status := h.nextFailure(key); status != 0 {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		return
	}
	if h.private[key] && r.Header.Get("Authorization") != "Bearer "+fakeToken {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	content, ok := h.files[key]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Repo-Commit", fakeCommit)
	if h.lfs[key] {
		sum := sha256hex(content)
		w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
		w.Header().Set("X-Linked-Size", fmt.Sprint(len(content)))
		w.Header().Set("ETag", `"not-the-content-hash"`)
		w.Header().Set("Location", h.cdn.URL+"/blobs/"+sum+"?signature=abc")
		w.WriteHeader(http.StatusFound)
		return
	}
	w.Header().Set("ETag", `"`+gitSHA1(content)+`"`)
	http.ServeContent(w, r, path, time.Time{}, strings.NewReader(string(content)))
}

func (h *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	h.record("cdn", r)
	sum := strings.TrimPrefix(r.URL.Path, "/blobs/")
	var content []byte
	for k, c := range h.files {
		if h.lfs[k] && sha256hex(c) == sum {
			content = c
		}
	}
	if content == nil {
		http.NotFound(w, r)
		return
	}
	h.mu.Lock()
	truncate, corrupt, stall := h.truncate[sum], h.corrupt[sum], h.stall[sum]
	h.truncate[sum], h.stall[sum] = false, false
	h.mu.Unlock()
	if corrupt {
		content = []byte(strings.ToUpper(string(content)))
	}
	if truncate && r.Header.Get("Range") == "" {
		// Promise everything, send half, drop the connection.
		w.Header().Set("Content-Length", fmt.Sprint(len(content)))
		w.WriteHeader(http.StatusOK)
		w.Write(content[:len(content)/2])
		return
	}
	if stall && r.Header.Get("Range") == "" {
		w.Header().Set("Content-Length", fmt.Sprint(len(content)))
		w.WriteHeader(http.StatusOK)
		w.Write(content[:len(content)/2])
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
		return
	}
	http.ServeContent(w, r, "blob", time.Time{}, strings.NewReader(string(content)))
}

func (h *fakeHub) client(t *testing.T) *Client {
	return &Client{Endpoint: h.hub.URL, CacheDir: t.TempDir(), Retries: 3, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, HTTP: &http.Client{}}
}

func parquetFile(path string) File {
	return File{Type: Dataset, Repo: fakeRepo, Revision: ParquetRevision, Path: path}
}

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghij"[i%10]
	}
	return b
}

func TestDownloadUsesHFCacheLayoutAndKeepsTokenOffOtherHosts(t *testing.T) {
	h := newFakeHub(t)
	lfsData, readme := payload(100_000), []byte("# amazon polarity\n")
	h.add(ParquetRevision, "default/train/0000.parquet", lfsData, true)
	h.add("main", "README.md", readme, false)
	c := h.client(t)
	c.SetToken(fakeToken)
	ctx := context.Background()

	got, err := c.Download(ctx, parquetFile("default/train/0000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(c.CacheDir, "datasets--mteb--amazon_polarity")
	want := filepath.Join(repo, "snapshots", fakeCommit, "default", "train", "0000.parquet")
	if got != want {
		t.Fatalf("path %s, want %s", got, want)
	}
	target, err := os.Readlink(got)
	if err != nil || target != filepath.Join("..", "..", "..", "..", "blobs", sha256hex(lfsData)) {
		t.Errorf("snapshot entry is not huggingface_hub's relative symlink to the blob: %q, %v", target, err)
	}
	if b, _ := os.ReadFile(got); string(b) != string(lfsData) {
		t.Error("downloaded content differs")
	}
	if ref, _ := os.ReadFile(filepath.Join(repo, "refs", "refs", "convert", "parquet")); string(ref) != fakeCommit {
		t.Errorf("refs/refs/convert/parquet = %q, want the commit", ref)
	}
	readmePath, err := c.Download(ctx, File{Type: Dataset, Repo: fakeRepo, Revision: "main", Path: "README.md"})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(readmePath); string(b) != string(readme) {
		t.Error("README content differs")
	}
	if _, err := os.Stat(filepath.Join(repo, "blobs", gitSHA1(readme))); err != nil {
		t.Errorf("regular file's blob is not named by its git sha1: %v", err)
	}
	if h.cdnAuth {
		t.Error("the Authorization header reached the CDN host after the redirect")
	}
	if len(h.requests("hub HEAD /datasets/"+fakeRepo+"/resolve/refs/convert/parquet/")) == 0 ||
		!strings.Contains(h.requests("hub HEAD")[0], "auth=true") {
		t.Errorf("the hub itself did not get the token: %v", h.requests("hub"))
	}
	// A second call downloads nothing.
	before := len(h.requests("cdn GET"))
	if again, err := c.Download(ctx, parquetFile("default/train/0000.parquet")); err != nil || again != got {
		t.Fatalf("second download: %s, %v", again, err)
	}
	if len(h.requests("cdn GET")) != before {
		t.Error("a cached file was downloaded again")
	}
}

func TestTruncatedBodyResumesWithRange(t *testing.T) {
	h := newFakeHub(t)
	data := payload(300_000)
	h.add(ParquetRevision, "default/test/0000.parquet", data, true)
	h.truncate[sha256hex(data)] = true
	c := h.client(t)
	got, err := c.Download(context.Background(), parquetFile("default/test/0000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got); string(b) != string(data) {
		t.Fatal("resumed download differs from the original")
	}
	gets := h.requests("cdn GET")
	if len(gets) != 2 || !strings.Contains(gets[1], fmt.Sprintf("range=bytes=%d-", len(data)/2)) {
		t.Errorf("expected a second GET resuming at byte %d, got %v", len(data)/2, gets)
	}
}

func TestStalledDownloadIsAbandonedAndResumed(t *testing.T) {
	h := newFakeHub(t)
	data := payload(200_000)
	h.add(ParquetRevision, "default/train/0000.parquet", data, true)
	h.stall[sha256hex(data)] = true
	c := h.client(t)
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
	if gets := h.requests("cdn GET"); len(gets) != 2 || !strings.Contains(gets[1], "range=bytes=") {
		t.Errorf("expected a resumed second GET, got %v", gets)
	}
}

func TestWrongChecksumLeavesNothingBehind(t *testing.T) {
	h := newFakeHub(t)
	data := payload(5000)
	h.add(ParquetRevision, "default/train/0000.parquet", data, true)
	h.corrupt[sha256hex(data)] = true
	c := h.client(t)
	_, err := c.Download(context.Background(), parquetFile("default/train/0000.parquet"))
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), "run again") {
		t.Fatalf("error %v does not report the checksum mismatch", err)
	}
	var left []string
	filepath.Walk(c.CacheDir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("a failed download left files: %v", left)
	}
}

func TestErrorStatusesAndRetries(t *testing.T) {
	h := newFakeHub(t)
	h.add("main", "train.jsonl", []byte(`{"label":1,"text":"x"}`+"\n"), true)
	h.add("main", "private.jsonl", []byte("secret\n"), true)
	h.private["main/private.jsonl"] = true
	ctx := context.Background()
	file := func(p string) File { return File{Type: Dataset, Repo: fakeRepo, Revision: "main", Path: p} }

	// 429 (Retry-After: 0), then 500 and 503, then success.
	h.failures["main/train.jsonl"] = []int{429, 500, 503}
	c := h.client(t)
	if _, err := c.Download(ctx, file("train.jsonl")); err != nil {
		t.Fatalf("429/500/503 then 200 should succeed after retries: %v", err)
	}
	if n := len(h.requests("hub HEAD /datasets/" + fakeRepo + "/resolve/main/train.jsonl")); n != 4 {
		t.Errorf("%d HEAD requests, want 4 (3 failures + 1 success)", n)
	}

	// Persistent 503: gives up after Retries with a clear message.
	h.failures["main/train.jsonl"] = []int{503, 503, 503, 503, 503}
	c = h.client(t)
	start := time.Now()
	_, err := c.Download(ctx, file("train.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "try again later") {
		t.Errorf("persistent 503: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("backoff ignored MaxBackoff")
	}

	// 401 without and with a wrong token: explains HF_TOKEN, never prints it.
	c = h.client(t)
	_, err = c.Download(ctx, file("private.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "HF_TOKEN") {
		t.Errorf("401: %v", err)
	}
	c.SetToken("hf_wrongWrongWrong")
	if _, err = c.Download(ctx, file("private.jsonl")); err == nil || strings.Contains(err.Error(), "hf_wrong") {
		t.Errorf("401 with a token: %v", err)
	}
	c.SetToken(fakeToken)
	if _, err = c.Download(ctx, file("private.jsonl")); err != nil {
		t.Errorf("with the right token: %v", err)
	}

	// 404: no retries, a message naming the file.
	before := len(h.requests("hub HEAD"))
	_, err = c.Download(ctx, file("nope.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), "nope.jsonl") {
		t.Errorf("404: %v", err)
	}
	if n := len(h.requests("hub HEAD")) - before; n != 1 {
		t.Errorf("404 was retried: %d requests", n)
	}
}

func TestOfflineModeServesCacheOnly(t *testing.T) {
	h := newFakeHub(t)
	h.add(ParquetRevision, "default/train/0000.parquet", payload(1000), true)
	h.add(ParquetRevision, "default/train/0001.parquet", payload(900), true)
	c := h.client(t)
	ctx := context.Background()
	files, err := c.ParquetFiles(ctx, fakeRepo, "default", "train")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Path != "default/train/0000.parquet" || files[1].Path != "default/train/0001.parquet" || files[0].Revision != ParquetRevision {
		t.Fatalf("ParquetFiles = %+v", files)
	}
	for _, f := range files {
		if _, err := c.Download(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	c.Offline = true
	before := len(h.requests(""))
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
	if n := len(h.requests("")) - before; n != 0 {
		t.Errorf("offline mode made %d requests", n)
	}
}

func TestNewFromEnvReadsHFVariables(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HF_HOME", home)
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_HUB_OFFLINE", "1")
	t.Setenv("HF_ENDPOINT", "https://hub.example/")
	os.WriteFile(filepath.Join(home, "token"), []byte(fakeToken+"\n"), 0o600)
	c := NewFromEnv()
	if c.CacheDir != filepath.Join(home, "hub") || !c.Offline || c.Endpoint != "https://hub.example" || !c.HasToken() {
		t.Errorf("client from env: cache %s offline %v endpoint %s token %v", c.CacheDir, c.Offline, c.Endpoint, c.HasToken())
	}
	if strings.Contains(fmt.Sprintf("%+v %v %#v", *c, c, c), fakeToken) {
		t.Error("printing the client shows the token")
	}
}

func TestValidRepoIDAcceptsLegacyNames(t *testing.T) {
	for _, id := range []string{"bert-base-uncased", "google-bert/bert-base-uncased", "acme/tiny_bert.v2", "gpt2"} {
		if err := ValidRepoID(id); err != nil {
			t.Errorf("ValidRepoID(%q) = %v, want nil", id, err)
		}
	}
	for _, id := range []string{"", "a/b/c", "../x", "a/..", "-a/b", "a/b-", "a--b", "a b", "/abs", "a/", ".hidden"} {
		if err := ValidRepoID(id); err == nil {
			t.Errorf("ValidRepoID(%q) = nil, want an error", id)
		}
	}
}
