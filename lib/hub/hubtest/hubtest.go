// Package hubtest runs a fake Hugging Face hub over httptest that answers the
// way huggingface.co does today, for the tests of code that downloads through
// lib/hub:
//
//   - HEAD or GET /{repo}/resolve/{rev}/{path} (models; /datasets/{repo}/… for
//     datasets) on a regular (git) file answers 307 with a relative Location
//     /api/resolve-cache/{type}s/{repo}/{commit}/{path}?…&etag=…, X-Repo-Commit,
//     the redirect's own small Content-Length and no ETag. The resolve-cache URL
//     answers 200 with the git blob sha1 as ETag and the bytes (Range works).
//   - On an LFS file (.safetensors, .parquet, .bin, .h5, .msgpack, or over
//     10 MiB) it answers 302 to a signed URL on a second server, the CDN, with
//     X-Repo-Commit, X-Linked-Etag (the sha256), X-Linked-Size and an ETag that
//     is not the content hash. A signature expires after SignatureTTL; the CDN
//     then answers 403, as CloudFront does.
//   - A legacy name (AddRepo's aliases) answers 307 with a relative Location on
//     the canonical repo and no X-Repo-Commit.
//   - An unknown repo is 404 with X-Error-Code RepoNotFound, an unknown file
//     404 with EntryNotFound.
//   - GET /api/datasets/{repo}/parquet/{config}/{split} lists the split's
//     parquet shards on refs/convert/parquet as
//     {hub}/api/datasets/{repo}/parquet/{config}/{split}/{n}.parquet URLs; each
//     answers 302 to the shard's resolve URL (folders such as
//     partial-{split}/ included).
//
// Knobs (Fail, Truncate, Stall, Corrupt, Private, Throttle, SetSignatureTTL,
// SetETagOnRedirect) inject the failures a client must survive.
package hubtest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polarityml/polarity/lib/hub"
)

// Commit is the revision every fake repository reports.
const Commit = "0123456789abcdef0123456789abcdef01234567"

// Token is the access token private files require (see Private).
const Token = "hf_hubtestSecretToken123"

// Request is one request the fake hub or its CDN received.
type Request struct {
	Method string
	// CDN marks a request to the CDN host rather than the hub.
	CDN bool
	// Repo and File are from the resolve URL (or the file a resolve-cache or
	// CDN URL stands for); Redirected marks an answer that sent the client to
	// a renamed repository.
	Repo, File string
	Redirected bool
	// Path is the URL path as sent (escaped); Range the Range header.
	Path, Range string
	// Authorization is the request's Authorization header ("" when absent).
	Authorization string
}

// String formats the request as "METHOD FILE auth=BOOL", or
// "METHOD redirect REPO" for a redirect.
func (r Request) String() string {
	if r.Redirected {
		return fmt.Sprintf("%s redirect %s", r.Method, r.Repo)
	}
	return fmt.Sprintf("%s %s auth=%v", r.Method, r.File, r.Authorization != "")
}

type repoKey struct {
	typ  hub.RepoType
	name string
}

// blob is what a CDN URL serves.
type blob struct {
	repo, file string
	content    []byte
}

// Hub is a running fake hub. Its URL is the hub endpoint; CDN is the second
// host LFS files redirect to.
type Hub struct {
	*httptest.Server
	CDN *httptest.Server

	mu sync.Mutex
	// repos[key][rev][path]; rev "" serves every revision.
	repos    map[repoKey]map[string]map[string][]byte
	renamed  map[repoKey]string
	blobs    map[string]blob // sha256 → content, for the CDN
	requests []Request
	key      []byte // signs CDN URLs

	signatureTTL   time.Duration
	etagOnRedirect bool
	failures       map[string][]int
	truncate       map[string]bool
	corrupt        map[string]bool
	private        map[string]bool
	stall          map[string]time.Duration
	chunk          int
	chunkDelay     time.Duration
}

// New starts an empty fake hub and its CDN, closed when the test ends.
func New(t testing.TB) *Hub {
	h := &Hub{
		repos: map[repoKey]map[string]map[string][]byte{}, renamed: map[repoKey]string{}, blobs: map[string]blob{},
		key: []byte(t.Name()), signatureTTL: time.Hour, failures: map[string][]int{},
		truncate: map[string]bool{}, corrupt: map[string]bool{}, private: map[string]bool{}, stall: map[string]time.Duration{},
	}
	h.CDN = httptest.NewServer(http.HandlerFunc(h.serveCDN))
	h.Server = httptest.NewServer(http.HandlerFunc(h.serveHub))
	t.Cleanup(func() { h.Server.Close(); h.CDN.Close() })
	return h
}

// AddRepo serves files (name → content) as model repository repo at any
// revision; aliases are legacy names that redirect to it.
func (h *Hub) AddRepo(repo string, files map[string][]byte, aliases ...string) {
	h.Add(hub.Model, repo, "", files)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, alias := range aliases {
		h.renamed[repoKey{hub.Model, alias}] = repo
	}
}

// Add serves files (path → content) of a repository at one revision (""
// serves them at every revision not added explicitly).
func (h *Hub) Add(typ hub.RepoType, repo, revision string, files map[string][]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := repoKey{typ, repo}
	if h.repos[k] == nil {
		h.repos[k] = map[string]map[string][]byte{}
	}
	if h.repos[k][revision] == nil {
		h.repos[k][revision] = map[string][]byte{}
	}
	for p, c := range files {
		h.repos[k][revision][p] = c
		if IsLFS(p, c) {
			h.blobs[SHA256(c)] = blob{repo: repo, file: p, content: c}
		}
	}
}

// IsLFS reports whether the fake hub stores a file in LFS (behind the CDN).
func IsLFS(name string, content []byte) bool {
	switch path.Ext(name) {
	case ".safetensors", ".parquet", ".bin", ".h5", ".msgpack":
		return true
	}
	return len(content) > 10<<20
}

// SHA256 is the hex sha256 of b: an LFS file's ETag and blob name.
func SHA256(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// GitSHA1 is the git blob sha1 of b: a regular file's ETag and blob name.
func GitSHA1(b []byte) string {
	s := sha1.New()
	fmt.Fprintf(s, "blob %d\x00", len(b))
	s.Write(b)
	return hex.EncodeToString(s.Sum(nil))
}

// ETag is the name of b's blob in the cache: its sha256 when stored in LFS,
// else its git sha1.
func ETag(name string, b []byte) string {
	if IsLFS(name, b) {
		return SHA256(b)
	}
	return GitSHA1(b)
}

// SetSignatureTTL makes CDN URLs expire d after the hub hands them out.
func (h *Hub) SetSignatureTTL(d time.Duration) { h.mu.Lock(); h.signatureTTL = d; h.mu.Unlock() }

// SetETagOnRedirect makes the 307 of a regular file carry the file's ETag
// (as the hub could start doing any day), so that only a client that
// follows relative redirects learns the real size.
func (h *Hub) SetETagOnRedirect(on bool) { h.mu.Lock(); h.etagOnRedirect = on; h.mu.Unlock() }

// Fail makes the next requests for file (a path in a repository, or
// "CONFIG/SPLIT" for the parquet list) answer the given statuses in order,
// before answering normally (429 comes with Retry-After: 0).
func (h *Hub) Fail(file string, statuses ...int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures[file] = append(h.failures[file], statuses...)
}

// Truncate makes the CDN's next full GET of file promise every byte, send
// half and drop the connection.
func (h *Hub) Truncate(file string) { h.mu.Lock(); h.truncate[file] = true; h.mu.Unlock() }

// Stall makes the CDN's next full GET of file send half, then nothing for d.
func (h *Hub) Stall(file string, d time.Duration) { h.mu.Lock(); h.stall[file] = d; h.mu.Unlock() }

// Corrupt makes the CDN serve altered bytes of file.
func (h *Hub) Corrupt(file string) { h.mu.Lock(); h.corrupt[file] = true; h.mu.Unlock() }

// Private makes file answer 401 unless the request carries Token.
func (h *Hub) Private(file string) { h.mu.Lock(); h.private[file] = true; h.mu.Unlock() }

// Throttle makes the CDN send chunk bytes, then wait delay, repeatedly.
func (h *Hub) Throttle(chunk int, delay time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.chunk, h.chunkDelay = chunk, delay
}

// Requests returns the requests received so far, in order.
func (h *Hub) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.requests...)
}

// HubClient returns a hub client for this fake hub with the given cache
// directory, one quick retry and no token.
func (h *Hub) HubClient(cacheDir string) *hub.Client {
	return &hub.Client{Endpoint: h.URL, CacheDir: cacheDir, Retries: 1, Backoff: time.Millisecond,
		MaxBackoff: time.Millisecond, HTTP: &http.Client{}}
}

func (h *Hub) record(r *http.Request, req Request) {
	req.Method, req.Path, req.Range = r.Method, r.URL.EscapedPath(), r.Header.Get("Range")
	req.Authorization = r.Header.Get("Authorization")
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, req)
}

// nextFailure pops the next scripted status for file (0: none).
func (h *Hub) nextFailure(file string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.failures[file]
	if len(f) == 0 {
		return 0
	}
	h.failures[file] = f[1:]
	return f[0]
}

func (h *Hub) lookup(typ hub.RepoType, repo, rev, file string) (content []byte, repoFound, found bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	revs, ok := h.repos[repoKey{typ, repo}]
	if !ok {
		return nil, false, false
	}
	if files, ok := revs[rev]; ok {
		if c, ok := files[file]; ok {
			return c, true, true
		}
	}
	if rev == Commit { // every revision is this commit
		for _, files := range revs {
			if c, ok := files[file]; ok {
				return c, true, true
			}
		}
	}
	c, ok := revs[""][file]
	return c, true, ok
}

func (h *Hub) serveHub(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(p, "/api/resolve-cache/"):
		h.serveResolveCache(w, r, strings.TrimPrefix(p, "/api/resolve-cache/"))
	case strings.HasPrefix(p, "/api/datasets/") && strings.Contains(p, "/parquet/"):
		h.serveParquetAPI(w, r, strings.TrimPrefix(p, "/api/datasets/"))
	case strings.HasPrefix(p, "/datasets/"):
		h.serveResolve(w, r, hub.Dataset, strings.TrimPrefix(p, "/datasets/"))
	default:
		h.serveResolve(w, r, hub.Model, strings.TrimPrefix(p, "/"))
	}
}

// serveResolve answers /{repo}/resolve/{rev}/{path} (prefix already cut).
func (h *Hub) serveResolve(w http.ResponseWriter, r *http.Request, typ hub.RepoType, rest string) {
	repo, tail, ok := strings.Cut(rest, "/resolve/")
	revEsc, fileEsc, _ := strings.Cut(tail, "/")
	rev, err1 := url.PathUnescape(revEsc)
	file, err2 := url.PathUnescape(fileEsc)
	if !ok || err1 != nil || err2 != nil {
		h.record(r, Request{})
		http.NotFound(w, r)
		return
	}
	h.mu.Lock()
	target, renamed := h.renamed[repoKey{typ, repo}]
	h.mu.Unlock()
	if renamed {
		h.record(r, Request{Repo: repo, Redirected: true})
		w.Header().Set("Location", typePrefix(typ)+"/"+target+"/resolve/"+tail)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	h.record(r, Request{Repo: repo, File: file})
	if status := h.nextFailure(file); status != 0 {
		failWith(w, status)
		return
	}
	h.mu.Lock()
	private, ttl, etagOnRedirect := h.private[file], h.signatureTTL, h.etagOnRedirect
	h.mu.Unlock()
	if private && r.Header.Get("Authorization") != "Bearer "+Token {
		w.Header().Set("X-Error-Code", "GatedRepo")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	content, repoFound, found := h.lookup(typ, repo, rev, file)
	if !repoFound {
		w.Header().Set("X-Error-Code", "RepoNotFound")
		http.Error(w, "Repository not found", http.StatusNotFound)
		return
	}
	w.Header().Set("X-Repo-Commit", Commit)
	if !found {
		w.Header().Set("X-Error-Code", "EntryNotFound")
		http.Error(w, "Entry not found", http.StatusNotFound)
		return
	}
	if IsLFS(file, content) {
		sum := SHA256(content)
		expires := time.Now().Add(ttl).UnixMilli()
		w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(content)))
		w.Header().Set("ETag", `"pointer-`+sum[:16]+`"`)
		w.Header().Set("Location", fmt.Sprintf("%s/blobs/%s?Expires=%d&Signature=%s", h.CDN.URL, sum, expires, h.sign(sum, expires)))
		writeRedirectBody(w, r, http.StatusFound)
		return
	}
	cache := fmt.Sprintf("/api/resolve-cache/%ss/%s/%s/%s?%s=&etag=%s", typ, repo, Commit, fileEsc,
		url.QueryEscape(r.URL.EscapedPath()), url.QueryEscape(`"`+GitSHA1(content)+`"`))
	w.Header().Set("Location", cache)
	if etagOnRedirect {
		w.Header().Set("ETag", `"`+GitSHA1(content)+`"`)
	}
	writeRedirectBody(w, r, http.StatusTemporaryRedirect)
}

// writeRedirectBody answers a redirect with a short body, whose length is
// the response's Content-Length (not the file's), as the hub does.
func writeRedirectBody(w http.ResponseWriter, r *http.Request, status int) {
	body := "Redirecting to " + w.Header().Get("Location")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(body))
	}
}

func failWith(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "0")
	}
	w.WriteHeader(status)
}

func typePrefix(typ hub.RepoType) string {
	if typ == hub.Dataset {
		return "/datasets"
	}
	return ""
}

// serveResolveCache answers {type}s/{repo}/{commit}/{path}.
func (h *Hub) serveResolveCache(w http.ResponseWriter, r *http.Request, rest string) {
	typName, rest, _ := strings.Cut(rest, "/")
	typ := hub.RepoType(strings.TrimSuffix(typName, "s"))
	// The repo is ORG/NAME or NAME; the commit is the first 40-hex element.
	parts := strings.Split(rest, "/")
	i := 0
	for i < len(parts) && parts[i] != Commit {
		i++
	}
	if i == 0 || i >= len(parts)-1 {
		h.record(r, Request{})
		http.NotFound(w, r)
		return
	}
	repo := strings.Join(parts[:i], "/")
	file, err := url.PathUnescape(strings.Join(parts[i+1:], "/"))
	h.record(r, Request{Repo: repo, File: file})
	content, _, found := h.lookup(typ, repo, Commit, file)
	if err != nil || !found {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Repo-Commit", Commit)
	w.Header().Set("ETag", `"`+GitSHA1(content)+`"`)
	http.ServeContent(w, r, "", time.Time{}, strings.NewReader(string(content)))
}

func (h *Hub) sign(sum string, expires int64) string {
	m := hmac.New(sha256.New, h.key)
	fmt.Fprintf(m, "%s|%d", sum, expires)
	return hex.EncodeToString(m.Sum(nil))
}

func (h *Hub) serveCDN(w http.ResponseWriter, r *http.Request) {
	sum := strings.TrimPrefix(r.URL.Path, "/blobs/")
	h.mu.Lock()
	b, ok := h.blobs[sum]
	h.mu.Unlock()
	h.record(r, Request{CDN: true, Repo: b.repo, File: b.file})
	if !ok {
		http.NotFound(w, r)
		return
	}
	expires, err := strconv.ParseInt(r.URL.Query().Get("Expires"), 10, 64)
	if err != nil || !hmac.Equal([]byte(r.URL.Query().Get("Signature")), []byte(h.sign(sum, expires))) {
		http.Error(w, "<Error><Code>AccessDenied</Code><Message>Invalid signature</Message></Error>", http.StatusForbidden)
		return
	}
	if time.Now().UnixMilli() > expires {
		http.Error(w, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", http.StatusForbidden)
		return
	}
	h.mu.Lock()
	truncate, corrupt, stall := h.truncate[b.file], h.corrupt[b.file], h.stall[b.file]
	full := r.Header.Get("Range") == ""
	if full {
		delete(h.truncate, b.file)
		delete(h.stall, b.file)
	}
	chunk, delay := h.chunk, h.chunkDelay
	h.mu.Unlock()
	content := b.content
	if corrupt {
		content = []byte(strings.ToUpper(string(content)))
	}
	if full && (truncate || stall > 0) {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.WriteHeader(http.StatusOK)
		w.Write(content[:len(content)/2])
		w.(http.Flusher).Flush()
		if stall > 0 {
			select {
			case <-r.Context().Done():
			case <-time.After(stall):
			}
		}
		return // the connection ends short of Content-Length
	}
	var out http.ResponseWriter = w
	if chunk > 0 {
		out = slowWriter{w, chunk, delay}
	}
	http.ServeContent(out, r, "", time.Time{}, strings.NewReader(string(content)))
}

// slowWriter sends chunk bytes at a time, waiting delay after each.
type slowWriter struct {
	http.ResponseWriter
	chunk int
	delay time.Duration
}

func (s slowWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), s.chunk)
		m, err := s.ResponseWriter.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		s.ResponseWriter.(http.Flusher).Flush()
		time.Sleep(s.delay)
		p = p[k:]
	}
	return n, nil
}

// serveParquetAPI answers {repo}/parquet/{config}/{split} with the shard
// URLs, and {repo}/parquet/{config}/{split}/{n}.parquet with a 302 to the
// shard.
func (h *Hub) serveParquetAPI(w http.ResponseWriter, r *http.Request, rest string) {
	repo, tail, _ := strings.Cut(rest, "/parquet/")
	parts := strings.Split(tail, "/")
	if len(parts) < 2 || len(parts) > 3 {
		h.record(r, Request{})
		http.NotFound(w, r)
		return
	}
	config, split := parts[0], parts[1]
	h.record(r, Request{Repo: repo, File: config + "/" + split})
	if status := h.nextFailure(config + "/" + split); status != 0 && len(parts) == 2 {
		failWith(w, status)
		return
	}
	shards := h.parquetShards(repo, config, split)
	if len(parts) == 2 {
		if len(shards) == 0 {
			http.NotFound(w, r)
			return
		}
		urls := make([]string, len(shards))
		for i := range shards {
			urls[i] = fmt.Sprintf("%s/api/datasets/%s/parquet/%s/%s/%d.parquet", h.URL, repo, config, split, i)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(urls)
		return
	}
	n, err := strconv.Atoi(strings.TrimSuffix(parts[2], ".parquet"))
	if err != nil || n < 0 || n >= len(shards) {
		http.NotFound(w, r)
		return
	}
	var esc []string
	for _, s := range strings.Split(shards[n], "/") {
		esc = append(esc, url.PathEscape(s))
	}
	w.Header().Set("Location", fmt.Sprintf("%s/datasets/%s/resolve/%s/%s", h.URL, repo, url.PathEscape(hub.ParquetRevision), strings.Join(esc, "/")))
	writeRedirectBody(w, r, http.StatusFound)
}

// parquetShards lists the paths of a split's shards on refs/convert/parquet:
// CONFIG/SPLIT/…, CONFIG/partial-SPLIT/… or CONFIG/SPLIT-partK/…, sorted.
func (h *Hub) parquetShards(repo, config, split string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for p := range h.repos[repoKey{hub.Dataset, repo}][hub.ParquetRevision] {
		dirs := strings.Split(p, "/")
		if len(dirs) != 3 || dirs[0] != config || path.Ext(p) != ".parquet" {
			continue
		}
		if d := dirs[1]; d == split || d == "partial-"+split || strings.HasPrefix(d, split+"-part") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
