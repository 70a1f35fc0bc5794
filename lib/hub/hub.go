// Package hub downloads files of Hugging Face hub repositories into the
// cache layout Python's huggingface_hub uses ($HF_HOME/hub, by default
// ~/.cache/huggingface/hub: <type>s--ORG--NAME/{blobs,snapshots,refs}), so a
// user's existing cache is reused and Python reuses ours.
//
// It talks to the hub as huggingface_hub's hf_hub_download does: a HEAD on
// the resolve URL that follows relative redirects only and reads the commit,
// ETag and size from the last answer (the size from X-Linked-Size, or from
// Content-Length only when that answer is not a redirect); the same lock
// file ({cache}/.locks/{repo folder}/{etag}.lock, flock) around the
// download of a blob, so that two processes, Go or Python, never write one
// .incomplete file at once; and, when the hub cannot be asked, the cached
// snapshot of the revision (ref + snapshot) instead of an error.
//
// Downloads resume with Range requests, are verified against the hub's
// checksum (the sha256 ETag of LFS files, the git blob sha1 otherwise), are
// renamed into place only when complete, and retry 429/5xx and broken
// connections with exponential backoff; a signed CDN URL that expired (401
// or 403 from a host other than the hub) is replaced by a fresh one from a
// new HEAD. The token is optional, sent only to the hub's own host (never
// to a CDN or any other host a redirect points at), and never printed.
// HF_HUB_OFFLINE=1 serves from the cache only.
package hub

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/polarityml/polarity/lib/progress"
)

// DefaultEndpoint is the public hub.
const DefaultEndpoint = "https://huggingface.co"

// RepoType is "model", "dataset" or "space".
type RepoType string

// Repository types.
const (
	Model   RepoType = "model"
	Dataset RepoType = "dataset"
)

// Client downloads from one hub endpoint into one cache directory.
type Client struct {
	// Endpoint is the hub's base URL ($HF_ENDPOINT, else DefaultEndpoint).
	Endpoint string
	// CacheDir is the hub cache (see DefaultCacheDir).
	CacheDir string
	// Offline serves from the cache only ($HF_HUB_OFFLINE or
	// $TRANSFORMERS_OFFLINE true).
	Offline bool
	// Retries is how many times a failed request is retried (429, 5xx,
	// broken connections); Backoff is the first wait, doubled each time and
	// capped at MaxBackoff (a Retry-After header is honoured up to it).
	Retries             int
	Backoff, MaxBackoff time.Duration
	// StallTimeout abandons a download attempt when no byte arrives for
	// this long (the retry then resumes it); 0 waits forever.
	StallTimeout time.Duration
	// HTTP is the client used; its redirects are handled by Client itself.
	HTTP *http.Client
	// Progress, when set, is called for each file downloaded, returning the
	// bar to advance. Nil shows no progress.
	Progress func(name string, total int64) *progress.Bar
	// Notices receives one-line notices, each said once per client: the
	// cache used because the hub cannot be asked, a wait for another
	// process's download. Nil says nothing.
	Notices io.Writer

	noticeMu sync.Mutex
	noticed  map[string]bool

	// token returns the access token; a closure so that printing a Client
	// (%v, %+v, %#v) can never show it.
	token func() string
}

// NewFromEnv returns a client configured by huggingface_hub's environment
// variables, with Python's precedence (see env.go): HF_ENDPOINT; the cache
// HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME; the token
// HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the file HF_TOKEN_PATH or HF_HOME/token;
// offline HF_HUB_OFFLINE, else TRANSFORMERS_OFFLINE. It shows progress bars
// and prints notices on stderr.
func NewFromEnv() *Client {
	c := &Client{
		Endpoint:     strings.TrimRight(envOr("HF_ENDPOINT", DefaultEndpoint), "/"),
		CacheDir:     DefaultCacheDir(),
		Offline:      offlineFromEnv(),
		Retries:      5,
		Backoff:      time.Second,
		MaxBackoff:   30 * time.Second,
		StallTimeout: time.Minute,
		// No overall timeout (files are gigabytes), but a hub that stops
		// answering fails the attempt and the retry loop takes over.
		HTTP: &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
			IdleConnTimeout:       90 * time.Second,
		}},
		Progress: func(name string, total int64) *progress.Bar {
			return progress.New("download "+name, total, "B")
		},
		Notices: os.Stderr,
	}
	c.SetToken(tokenFromEnv())
	return c
}

// noticeFallback says, once, that the cache is used because the hub
// could not be asked.
func (c *Client) noticeFallback(err error) {
	c.notice("fallback", fmt.Sprintf("hub: cannot ask %s (%v); using the files already in the cache %s", c.Endpoint, err, c.CacheDir))
}

// notice writes msg to Notices once per key.
func (c *Client) notice(key, msg string) {
	if c.Notices == nil {
		return
	}
	c.noticeMu.Lock()
	defer c.noticeMu.Unlock()
	if c.noticed[key] {
		return
	}
	if c.noticed == nil {
		c.noticed = map[string]bool{}
	}
	c.noticed[key] = true
	fmt.Fprintln(c.Notices, msg)
}

// SetToken sets the access token (empty: anonymous).
func (c *Client) SetToken(token string) {
	token = strings.TrimSpace(token)
	c.token = func() string { return token }
}

// HasToken reports whether a token is set, without revealing it.
func (c *Client) HasToken() bool { return c.token != nil && c.token() != "" }

// File names one file of a repository at a revision (a branch, tag, or
// commit; e.g. "main" or "refs/convert/parquet").
type File struct {
	Type     RepoType
	Repo     string // "ORG/NAME", or a legacy canonical name such as "bert-base-uncased"
	Revision string
	Path     string // inside the repository, e.g. "default/train/0000.parquet"
}

// String names the file as REPO@REVISION/PATH (no secrets, safe to print).
func (f File) String() string { return f.Repo + "@" + f.Revision + "/" + f.Path }

// repoDir is the cache folder of the repository: datasets--ORG--NAME.
func (c *Client) repoDir(f File) string {
	return filepath.Join(c.CacheDir, string(f.Type)+"s--"+strings.ReplaceAll(f.Repo, "/", "--"))
}

var commitHash = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Cached returns the cached path of f without any network access, or
// ErrNotCached.
func (c *Client) Cached(f File) (string, error) {
	dir, ok := c.cachedSnapshot(f)
	if !ok {
		return "", ErrNotCached
	}
	p := filepath.Join(dir, filepath.FromSlash(f.Path))
	if _, err := os.Stat(p); err != nil { // follows the symlink: the blob must exist
		return "", ErrNotCached
	}
	return p, nil
}

// cachedSnapshot is the snapshot folder of f's revision (a commit, or the
// commit its ref names), when it is in the cache.
func (c *Client) cachedSnapshot(f File) (string, bool) {
	commit := f.Revision
	if !commitHash.MatchString(commit) {
		b, err := os.ReadFile(filepath.Join(c.repoDir(f), "refs", filepath.FromSlash(f.Revision)))
		if err != nil {
			return "", false
		}
		commit = strings.TrimSpace(string(b))
	}
	dir := filepath.Join(c.repoDir(f), "snapshots", commit)
	return dir, exists(dir)
}

// ErrNotCached means a file is not in the local cache.
var ErrNotCached = errors.New("not in the Hugging Face cache")

// ErrNotFound means the hub answered 404: no such repository, revision or file.
var ErrNotFound = errors.New("not found")

// Download returns the local path of f, downloading it unless cached. The
// path is inside the snapshot folder and stays valid across runs.
func (c *Client) Download(ctx context.Context, f File) (string, error) {
	if err := validFile(f); err != nil {
		return "", err
	}
	if c.Offline {
		p, err := c.Cached(f)
		if err != nil {
			return "", fmt.Errorf("HF_HUB_OFFLINE is set and %s is not in the cache %s; unset HF_HUB_OFFLINE to download it, or copy a cache that has it", f, c.CacheDir)
		}
		return p, nil
	}
	cached, cacheErr := c.Cached(f)
	// When the revision is cached, a HEAD that cannot connect is not retried
	// (huggingface_hub never retries it): the cache answers at once.
	_, revisionCached := c.cachedSnapshot(f)
	meta, err := c.head(ctx, f, revisionCached)
	if err != nil {
		// As hf_hub_download: unless the hub said the file or revision does
		// not exist, a failed HEAD (no network, timeout, 401/403, 5xx) falls
		// back to the cached snapshot of the revision.
		if ctx.Err() == nil && !isMissingEntry(err) && cacheErr == nil {
			c.noticeFallback(err)
			return cached, nil
		}
		return "", err
	}
	repo := c.repoDir(f)
	snapshot := filepath.Join(repo, "snapshots", meta.commit, filepath.FromSlash(f.Path))
	blob := filepath.Join(repo, "blobs", meta.etag)
	if exists(snapshot) {
		return snapshot, c.writeRef(f, meta.commit)
	}
	if !exists(blob) {
		unlock, err := c.lock(ctx, f, meta.etag)
		if err != nil {
			return "", err
		}
		defer unlock()
		if !exists(blob) { // another process may have finished it while we waited
			if err := c.fetch(ctx, f, meta, blob); err != nil {
				return "", err
			}
		}
	}
	if err := link(blob, snapshot); err != nil {
		return "", err
	}
	return snapshot, c.writeRef(f, meta.commit)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// lock takes huggingface_hub's lock on downloading one blob,
// {cache}/.locks/{repo folder}/{etag}.lock, with flock as Python's filelock
// does, polling until it is free or ctx ends. The returned func releases it.
func (c *Client) lock(ctx context.Context, f File, etag string) (func(), error) {
	p := filepath.Join(c.CacheDir, ".locks", filepath.Base(c.repoDir(f)), etag+".lock")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	fd, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		ok, err := tryLock(fd)
		if err != nil {
			fd.Close()
			return nil, fmt.Errorf("%s: locking %s: %w", f, p, err)
		}
		if ok {
			return func() { fd.Close() }, nil // closing releases the lock
		}
		c.notice("lock "+p, fmt.Sprintf("hub: waiting for another process downloading %s (lock %s)", f, p))
		select {
		case <-ctx.Done():
			fd.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func validFile(f File) error {
	if f.Type == "" || f.Repo == "" || f.Revision == "" || f.Path == "" {
		return fmt.Errorf("hub file %+v needs a type, repo, revision and path", f)
	}
	if err := ValidRepoID(f.Repo); err != nil {
		return err
	}
	if strings.Contains(f.Path, "..") || strings.HasPrefix(f.Path, "/") {
		return fmt.Errorf("file path %q must be relative, without ..", f.Path)
	}
	return nil
}

// repoIDPattern is huggingface_hub's validate_repo_id: an optional "ORG/"
// then a name, each of word characters, '-' and '.'.
var repoIDPattern = regexp.MustCompile(`^(?:[\w.-]+/)?[\w.-]+$`)

// ValidRepoID checks a repository id the way huggingface_hub does: "ORG/NAME",
// or a legacy canonical name without an owner ("bert-base-uncased", which the
// hub redirects to "google-bert/bert-base-uncased"), at most 96 characters,
// without "--" or "..", not starting or ending with '-' or '.'.
func ValidRepoID(id string) error {
	name := id[strings.IndexByte(id, '/')+1:]
	owner, _, _ := strings.Cut(id, "/")
	bad := !repoIDPattern.MatchString(id) || len(id) > 96 ||
		strings.Contains(id, "--") || strings.Contains(id, "..")
	for _, part := range []string{owner, name} {
		bad = bad || strings.HasPrefix(part, "-") || strings.HasPrefix(part, ".") ||
			strings.HasSuffix(part, "-") || strings.HasSuffix(part, ".")
	}
	if bad {
		return fmt.Errorf("repository %q must look like ORG/NAME or NAME (letters, digits, '-', '_', '.'; no \"--\" or \"..\")", id)
	}
	return nil
}

// writeRef records revision → commit as huggingface_hub does.
func (c *Client) writeRef(f File, commit string) error {
	if f.Revision == commit {
		return nil
	}
	p := filepath.Join(c.repoDir(f), "refs", filepath.FromSlash(f.Revision))
	if b, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(b)) == commit {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(commit), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// link points the snapshot entry at the blob with a relative symlink (as
// huggingface_hub does), copying where symlinks are not available.
func link(blob, snapshot string) error {
	if err := os.MkdirAll(filepath.Dir(snapshot), 0o755); err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(snapshot), blob)
	if err != nil {
		return err
	}
	os.Remove(snapshot)
	if err := os.Symlink(rel, snapshot); err == nil {
		return nil
	}
	in, err := os.Open(blob)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(snapshot)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// fileMeta is what a HEAD on the resolve URL tells.
type fileMeta struct {
	commit, etag string
	size         int64
	location     string // where to GET the bytes
}

// ResolveURL is the hub URL of f's content.
func (c *Client) ResolveURL(f File) string {
	prefix := ""
	switch f.Type {
	case Dataset:
		prefix = "/datasets"
	case "space":
		prefix = "/spaces"
	}
	var parts []string
	for _, p := range strings.Split(f.Path, "/") {
		parts = append(parts, url.PathEscape(p))
	}
	return c.Endpoint + prefix + "/" + f.Repo + "/resolve/" + url.PathEscape(f.Revision) + "/" + strings.Join(parts, "/")
}

// head is huggingface_hub's get_hf_file_metadata: a HEAD that follows
// relative redirects (a renamed repository, the /api/resolve-cache/ hop of
// a regular file) and no absolute one (the signed CDN URL of an LFS file,
// which becomes the download location). With failFast, a request that
// cannot connect is not retried.
func (c *Client) head(ctx context.Context, f File, failFast bool) (fileMeta, error) {
	target := c.ResolveURL(f)
	for hops := 0; hops < 10; hops++ {
		var resp *http.Response
		err := c.retry(ctx, func() (err error) {
			resp, err = c.do(ctx, http.MethodHead, target, f)
			if failFast {
				err = transportPermanent(err)
			}
			return err
		})
		if err != nil {
			return fileMeta{}, err
		}
		resp.Body.Close()
		if !isRedirect(resp.StatusCode) {
			return metaFrom(resp, f, target)
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || loc.String() == "" {
			return fileMeta{}, fmt.Errorf("%s: the hub answered %d with a bad Location %q", f, resp.StatusCode, resp.Header.Get("Location"))
		}
		if loc.IsAbs() || loc.Host != "" {
			return metaFrom(resp, f, loc.String())
		}
		// _request_wrapper(follow_relative_redirects=True): the Location's
		// path replaces the URL's, the Location's query is dropped.
		if !strings.HasPrefix(loc.Path, "/") {
			loc = resp.Request.URL.ResolveReference(&url.URL{Path: loc.Path, RawPath: loc.RawPath})
		}
		next := *resp.Request.URL
		next.Path, next.RawPath = loc.Path, loc.RawPath
		target = next.String()
	}
	return fileMeta{}, fmt.Errorf("%s: too many redirects", f)
}

func isRedirect(status int) bool { return status >= 300 && status < 400 }

// metaFrom reads the metadata of the HEAD's last answer. The size comes from
// X-Linked-Size, else from Content-Length unless the answer is a redirect (a
// redirect's Content-Length is that of its own body); unknown, only the
// checksum is checked.
func metaFrom(resp *http.Response, f File, location string) (fileMeta, error) {
	m := fileMeta{commit: resp.Header.Get("X-Repo-Commit"), location: location}
	m.etag = cleanETag(resp.Header.Get("X-Linked-Etag"))
	if m.etag == "" {
		m.etag = cleanETag(resp.Header.Get("ETag"))
	}
	size := resp.Header.Get("X-Linked-Size")
	if size == "" && !isRedirect(resp.StatusCode) {
		size = resp.Header.Get("Content-Length")
	}
	m.size, _ = strconv.ParseInt(size, 10, 64)
	if !commitHash.MatchString(m.commit) || m.etag == "" || strings.ContainsAny(m.etag, `/\`) {
		return fileMeta{}, fmt.Errorf("%s: the hub's answer lacks a commit hash or ETag (is HF_ENDPOINT a Hugging Face hub?)", f)
	}
	return m, nil
}

func cleanETag(s string) string {
	return strings.Trim(strings.TrimPrefix(strings.TrimSpace(s), "W/"), `"`)
}

// fetch downloads meta.location into blob, resuming a partial download and
// verifying the checksum before the final rename.
func (c *Client) fetch(ctx context.Context, f File, meta fileMeta, blob string) error {
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return err
	}
	partial := blob + ".incomplete"
	var bar *progress.Bar
	if c.Progress != nil {
		bar = c.Progress(f.Path, meta.size)
		defer bar.Done()
	}
	err := c.retry(ctx, func() error {
		err := c.fetchOnce(ctx, f, meta, partial, bar)
		var expired *signedURLError
		if !errors.As(err, &expired) {
			return err
		}
		// A signed URL expired: ask the hub for a fresh one, resume at once.
		fresh, headErr := c.head(ctx, f, false)
		if headErr != nil {
			return headErr
		}
		if fresh.etag != meta.etag {
			return &permanentError{fmt.Errorf("%s changed on the hub during the download (ETag %s, now %s); run again", f, meta.etag, fresh.etag)}
		}
		meta.location = fresh.location
		return c.fetchOnce(ctx, f, meta, partial, bar)
	})
	if err != nil {
		return err
	}
	if err := verify(partial, meta); err != nil {
		os.Remove(partial)
		return fmt.Errorf("%s: %w; the corrupt download was deleted, run again to retry", f, err)
	}
	return os.Rename(partial, blob)
}

// fetchOnce appends what is missing of the file to partial.
func (c *Client) fetchOnce(ctx context.Context, f File, meta fileMeta, partial string, bar *progress.Bar) error {
	out, err := os.OpenFile(partial, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return &permanentError{err}
	}
	defer out.Close()
	have, err := out.Seek(0, io.SeekEnd)
	if err != nil {
		return &permanentError{err}
	}
	if meta.size > 0 && have >= meta.size {
		return nil
	}
	header := http.Header{}
	if have > 0 {
		header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := c.request(ctx, http.MethodGet, meta.location, header, f)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if c.StallTimeout > 0 {
		watchdog := time.AfterFunc(c.StallTimeout, cancel)
		defer watchdog.Stop()
		body = stallReader{resp.Body, watchdog, c.StallTimeout}
	}
	switch resp.StatusCode {
	case http.StatusOK:
		if have > 0 { // the server ignored Range: start over
			if err := out.Truncate(0); err != nil {
				return &permanentError{err}
			}
			if _, err := out.Seek(0, io.SeekStart); err != nil {
				return &permanentError{err}
			}
			have = 0
		}
	case http.StatusPartialContent:
	case http.StatusRequestedRangeNotSatisfiable:
		return nil // already complete; verify decides
	case http.StatusUnauthorized, http.StatusForbidden:
		if !c.sameHost(resp.Request.URL) {
			return &signedURLError{file: f, host: resp.Request.URL.Host, status: resp.StatusCode}
		}
		return statusError(resp, f)
	default:
		return statusError(resp, f)
	}
	if bar != nil {
		bar.Set(have)
	}
	var w io.Writer = out
	if bar != nil {
		w = io.MultiWriter(out, barWriter{bar})
	}
	n, err := io.Copy(w, body)
	if err != nil {
		return fmt.Errorf("%s: connection broke after %d bytes: %w", f, have+n, err)
	}
	if meta.size > 0 && have+n < meta.size {
		return fmt.Errorf("%s: body ended after %d of %d bytes", f, have+n, meta.size)
	}
	return nil
}

// stallReader restarts a watchdog timer on every successful read.
type stallReader struct {
	r       io.Reader
	timer   *time.Timer
	timeout time.Duration
}

func (s stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.timer.Reset(s.timeout)
	}
	return n, err
}

type barWriter struct{ b *progress.Bar }

func (w barWriter) Write(p []byte) (int, error) {
	w.b.Add(int64(len(p)))
	return len(p), nil
}

// verify checks size and checksum: a 64-hex ETag is the sha256 of an LFS
// file; a 40-hex one is the git blob sha1 of a regular file.
func verify(path string, meta fileMeta) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	if meta.size > 0 && st.Size() != meta.size {
		return fmt.Errorf("downloaded %d bytes, expected %d", st.Size(), meta.size)
	}
	var h hash.Hash
	switch len(meta.etag) {
	case 64:
		h = sha256.New()
	case 40:
		h = sha1.New()
		fmt.Fprintf(h, "blob %d\x00", st.Size())
	default:
		return nil // an ETag that is not a content hash: size check only
	}
	if _, err := io.Copy(h, in); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(meta.etag) {
		return fmt.Errorf("checksum mismatch: got %s, the hub says %s", got, meta.etag)
	}
	return nil
}

// signedURLError is a 401/403 from a host other than the hub: the signed
// URL the hub redirected to has expired (fetch asks the hub for a new one).
type signedURLError struct {
	file   File
	host   string
	status int
}

func (e *signedURLError) Error() string {
	return fmt.Sprintf("%s: %s answered %d %s to the download URL the hub gave, also after asking the hub for a fresh one; try again later",
		e.file, e.host, e.status, http.StatusText(e.status))
}

// hubError is an error answer of the hub with its X-Error-Code
// (RepoNotFound, EntryNotFound, RevisionNotFound, GatedRepo, …).
type hubError struct {
	code string
	err  error
}

func (e *hubError) Error() string { return e.err.Error() }
func (e *hubError) Unwrap() error { return e.err }

// isMissingEntry reports whether the hub said that the file or the revision
// does not exist: the errors hf_hub_download raises instead of using the
// cache.
func isMissingEntry(err error) bool {
	var he *hubError
	return errors.As(err, &he) && (he.code == "EntryNotFound" || he.code == "RevisionNotFound")
}

// transportPermanent makes an error that is no answer of the hub (no
// connection, a timeout) permanent.
func transportPermanent(err error) error {
	var perm *permanentError
	var later *retryLaterError
	if err == nil || errors.As(err, &perm) || errors.As(err, &later) {
		return err
	}
	return &permanentError{err}
}

// permanentError is not worth retrying.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// retryLaterError is a 429/5xx answer, possibly with Retry-After.
type retryLaterError struct {
	status int
	after  time.Duration
	what   string
}

func (e *retryLaterError) Error() string {
	return fmt.Sprintf("%s: the hub answered %d %s; retries exhausted, try again later", e.what, e.status, http.StatusText(e.status))
}

func statusError(resp *http.Response, f File) error {
	err := statusMessage(resp, f)
	if code := resp.Header.Get("X-Error-Code"); code != "" {
		if perm, ok := err.(*permanentError); ok {
			return &permanentError{&hubError{code: code, err: perm.err}}
		}
	}
	return err
}

func statusMessage(resp *http.Response, f File) error {
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return &permanentError{fmt.Errorf("%s: the hub answered %d %s; the repository may be gated or private: "+
			"set HF_TOKEN to a token with access (https://huggingface.co/settings/tokens) and accept its terms on the hub", f, s, http.StatusText(s))}
	case s == http.StatusNotFound:
		return &permanentError{fmt.Errorf("%s: %w (404); check the repository, revision and file name", f, ErrNotFound)}
	case s == http.StatusTooManyRequests || s >= 500:
		e := &retryLaterError{status: s, what: f.String()}
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			e.after = time.Duration(secs) * time.Second
		}
		return e
	default:
		return &permanentError{fmt.Errorf("%s: unexpected answer %d %s", f, s, http.StatusText(s))}
	}
}

// do sends one request without a body and maps error statuses to errors.
// Redirects are not followed.
func (c *Client) do(ctx context.Context, method, target string, f File) (*http.Response, error) {
	resp, err := c.request(ctx, method, target, nil, f)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	resp.Body.Close()
	return nil, statusError(resp, f)
}

// request sends one request, naming f in a transport error; a cancelled
// ctx is permanent.
func (c *Client) request(ctx context.Context, method, target string, header http.Header, f File) (*http.Response, error) {
	resp, err := c.send(ctx, method, target, header)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &permanentError{ctx.Err()}
		}
		if u, perr := url.Parse(target); perr == nil {
			return nil, fmt.Errorf("%s: cannot reach %s (%w): check the network or proxy settings; with %s=1 only files already in the cache are used",
				f, u.Host, err, "HF_HUB_OFFLINE")
		}
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	return resp, nil
}

// retry runs fn until it succeeds, fails permanently, or Retries retries
// are spent, waiting with exponential backoff (or Retry-After) in between.
func (c *Client) retry(ctx context.Context, fn func() error) error {
	backoff := c.Backoff
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		var perm *permanentError
		if errors.As(err, &perm) || attempt >= c.Retries || ctx.Err() != nil {
			return err
		}
		wait := backoff
		var rl *retryLaterError
		if errors.As(err, &rl) && rl.after > 0 {
			wait = rl.after
		}
		if c.MaxBackoff > 0 {
			wait = min(wait, c.MaxBackoff)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		backoff *= 2
	}
}

// send issues one request. The token goes only to the hub's own host, and
// redirects are returned, not followed, so no header reaches another host.
func (c *Client) send(ctx context.Context, method, target string, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, &permanentError{err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", "polarity (github.com/polarityml/polarity)")
	req.Header.Set("Accept-Encoding", "identity")
	if c.HasToken() && c.sameHost(req.URL) {
		req.Header.Set("Authorization", "Bearer "+c.token())
	}
	client := *c.httpClient()
	inner := client.CheckRedirect
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if method == http.MethodHead {
			return http.ErrUseLastResponse
		}
		if !c.sameHost(r.URL) {
			r.Header.Del("Authorization")
		}
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		if inner != nil {
			return inner(r, via)
		}
		return nil
	}
	return client.Do(req)
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

func (c *Client) sameHost(u *url.URL) bool {
	hub, err := url.Parse(c.Endpoint)
	return err == nil && strings.EqualFold(hub.Scheme, u.Scheme) && strings.EqualFold(hub.Host, u.Host)
}
