// Package hubtest serves fake Hugging Face hub model repositories over
// httptest, for the tests of code that downloads through lib/hub: HEAD and
// GET on /{repo}/resolve/{revision}/{file} answer with X-Repo-Commit, an ETag
// holding the sha256 (as for LFS files) and the bytes; unknown files are 404;
// a renamed repository redirects, as huggingface.co does for legacy names.
package hubtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polarityml/polarity/lib/hub"
)

// Commit is the revision every fake repository reports.
const Commit = "0123456789abcdef0123456789abcdef01234567"

// Request is one request the fake hub received.
type Request struct {
	Method string
	// Repo and File are from the resolve URL; Redirected marks an answer
	// that sent the client to a renamed repository.
	Repo, File string
	Redirected bool
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

// Hub is a running fake hub. Its URL is the hub endpoint.
type Hub struct {
	*httptest.Server
	mu       sync.Mutex
	repos    map[string]map[string][]byte
	renamed  map[string]string
	requests []Request
}

// New starts an empty fake hub, closed when the test ends.
func New(t testing.TB) *Hub {
	h := &Hub{repos: map[string]map[string][]byte{}, renamed: map[string]string{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

// AddRepo serves files (name → content) as repository repo at any revision;
// aliases are legacy names that redirect to it.
func (h *Hub) AddRepo(repo string, files map[string][]byte, aliases ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.repos[repo] = files
	for _, alias := range aliases {
		h.renamed[alias] = repo
	}
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
		MaxBackoff: time.Millisecond, HTTP: h.Server.Client()}
}

func (h *Hub) serve(w http.ResponseWriter, r *http.Request) {
	repo, rest, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/resolve/")
	_, file, _ := strings.Cut(rest, "/")
	h.mu.Lock()
	defer h.mu.Unlock()
	if target, renamed := h.renamed[repo]; ok && renamed {
		h.requests = append(h.requests, Request{Method: r.Method, Repo: repo, Redirected: true, Authorization: r.Header.Get("Authorization")})
		http.Redirect(w, r, "/"+target+"/resolve/"+rest, http.StatusTemporaryRedirect)
		return
	}
	h.requests = append(h.requests, Request{Method: r.Method, Repo: repo, File: file, Authorization: r.Header.Get("Authorization")})
	data, found := h.repos[repo][file]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(data)
	w.Header().Set("X-Repo-Commit", Commit)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	if r.Method == http.MethodGet {
		w.Write(data)
	}
}
