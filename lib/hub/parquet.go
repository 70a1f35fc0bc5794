package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/polarityml/polarity/lib/atomicfile"
)

// ParquetRevision is the branch where the hub keeps its parquet conversion
// of every dataset.
const ParquetRevision = "refs/convert/parquet"

// ParquetFiles lists the parquet shards of one split of a dataset (e.g.
// "mteb/amazon_polarity", config "default", split "train") in order, as files
// on ParquetRevision. It asks GET /api/datasets/REPO/parquet/CONFIG/SPLIT,
// reads each shard's path from the redirect of the URL listed, and keeps
// the list in the cache (REPO_FOLDER/parquet-api/CONFIG/SPLIT.json).
// Offline, or when the hub cannot be asked, the kept list is used, and a
// shard it names that is not cached (an interrupted download) is an error
// naming the missing shards; a cache without the list (filled by an older
// version) is globbed.
func (c *Client) ParquetFiles(ctx context.Context, repo, config, split string) ([]File, error) {
	what := File{Type: Dataset, Repo: repo, Revision: ParquetRevision, Path: config + "/" + split}
	if err := validFile(what); err != nil {
		return nil, err
	}
	if c.Offline {
		files, err := c.cachedParquetFiles(what)
		if errors.Is(err, ErrNotCached) {
			return nil, fmt.Errorf("HF_HUB_OFFLINE is set and no parquet files of %s (%s/%s) are in the cache %s; unset HF_HUB_OFFLINE to download them",
				repo, config, split, c.CacheDir)
		}
		if err != nil {
			return nil, fmt.Errorf("HF_HUB_OFFLINE is set and %w; unset HF_HUB_OFFLINE and run again to download them", err)
		}
		return files, nil
	}
	cached, cacheErr := c.cachedParquetFiles(what)
	// With a kept list, a request that cannot connect is not retried.
	files, err := c.listParquet(ctx, what, config, split, !errors.Is(cacheErr, ErrNotCached))
	if err == nil {
		return files, c.keepParquetList(what, files)
	}
	if ctx.Err() != nil || isMissingEntry(err) {
		return nil, err // the hub answered: no such config or split
	}
	switch {
	case errors.Is(cacheErr, ErrNotCached):
		return nil, err
	case cacheErr != nil:
		return nil, fmt.Errorf("the hub cannot be asked (%v) and %w; run again once it can, to download them", err, cacheErr)
	}
	c.noticeFallback(err)
	return cached, nil
}

// listParquet asks the parquet API for the shard URLs and maps each to a
// file on ParquetRevision. With failFast, a request that cannot connect is
// not retried.
func (c *Client) listParquet(ctx context.Context, what File, config, split string, failFast bool) ([]File, error) {
	api := c.Endpoint + "/api/datasets/" + what.Repo + "/parquet/" + url.PathEscape(config) + "/" + url.PathEscape(split)
	var urls []string
	err := c.retry(ctx, func() error {
		resp, err := c.do(ctx, http.MethodGet, api, what)
		if err != nil {
			if failFast {
				return transportPermanent(err)
			}
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		if err != nil {
			return fmt.Errorf("%s: reading the parquet file list: %w", what, err)
		}
		if err := json.Unmarshal(body, &urls); err != nil {
			return &permanentError{fmt.Errorf("%s: the parquet API answered something that is not a list of URLs: %w", what, err)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(urls) == 0 {
		return nil, &permanentError{&hubError{code: "EntryNotFound", err: fmt.Errorf("%s: the hub lists no parquet files; check the config and split names", what)}}
	}
	files := make([]File, 0, len(urls))
	for _, u := range urls {
		f, err := c.parquetShard(ctx, what, u)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// parquetShard maps an entry of the parquet API to a file on
// ParquetRevision. A resolve URL names it directly; an
// ".../api/datasets/REPO/parquet/CONFIG/SPLIT/N.parquet" URL redirects to
// one, whose path (CONFIG/SPLIT/…, CONFIG/partial-SPLIT/…, …) is read from
// the Location, never computed from N.
func (c *Client) parquetShard(ctx context.Context, what File, raw string) (File, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return File{}, fmt.Errorf("%s: the parquet API listed a bad URL %q: %w", what, raw, err)
	}
	if f, ok := resolveURLFile(u, what.Repo); ok {
		return f, nil
	}
	if !c.sameHost(u) {
		return File{}, fmt.Errorf("%s: the parquet API listed %q, not a URL of the hub %s", what, raw, c.Endpoint)
	}
	var resp *http.Response
	err = c.retry(ctx, func() (err error) {
		resp, err = c.do(ctx, http.MethodHead, u.String(), what)
		return err
	})
	if err != nil {
		return File{}, err
	}
	resp.Body.Close()
	loc, err := u.Parse(resp.Header.Get("Location"))
	if err != nil || !isRedirect(resp.StatusCode) {
		return File{}, fmt.Errorf("%s: the parquet API URL %s answered %d with Location %q, not a redirect to a file of the hub",
			what, raw, resp.StatusCode, resp.Header.Get("Location"))
	}
	f, ok := resolveURLFile(loc, what.Repo)
	if !ok {
		return File{}, fmt.Errorf("%s: the parquet API URL %s redirects to %s, not a file of %s", what, raw, loc, what.Repo)
	}
	return f, nil
}

// resolveURLFile reads ".../datasets/REPO/resolve/REV/PATH" as a file.
func resolveURLFile(u *url.URL, repo string) (File, bool) {
	_, rest, ok := strings.Cut(u.EscapedPath(), "/datasets/"+repo+"/resolve/")
	if !ok {
		return File{}, false
	}
	revEsc, pathEsc, ok := strings.Cut(rest, "/")
	rev, err1 := url.PathUnescape(revEsc)
	p, err2 := url.PathUnescape(pathEsc)
	f := File{Type: Dataset, Repo: repo, Revision: rev, Path: p}
	return f, ok && err1 == nil && err2 == nil && validFile(f) == nil
}

// parquetList is the kept answer of the parquet API.
type parquetList struct {
	Files []File `json:"files"`
}

func (c *Client) parquetListPath(what File) string {
	return filepath.Join(c.repoDir(what), "parquet-api", filepath.FromSlash(what.Path)+".json")
}

func (c *Client) keepParquetList(what File, files []File) error {
	b, err := json.Marshal(parquetList{Files: files})
	if err != nil {
		return err
	}
	p := c.parquetListPath(what)
	if old, err := os.ReadFile(p); err == nil && string(old) == string(b) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(p, b)
}

// cachedParquetFiles returns the kept shard list when every shard on it is
// cached (an error naming the missing ones otherwise), else the cached
// snapshot's shards; ErrNotCached when there is neither.
func (c *Client) cachedParquetFiles(what File) ([]File, error) {
	if b, err := os.ReadFile(c.parquetListPath(what)); err == nil {
		var list parquetList
		if err := json.Unmarshal(b, &list); err == nil && len(list.Files) > 0 {
			var missing []string
			for _, f := range list.Files {
				if _, err := c.Cached(f); err != nil {
					missing = append(missing, f.Path)
				}
			}
			if len(missing) > 0 {
				if len(missing) > 10 {
					missing = append(missing[:10], fmt.Sprintf("and %d more", len(missing)-10))
				}
				return nil, fmt.Errorf("%d of %d parquet shards of %s (%s) are not in the cache %s: %s (an interrupted download?)",
					len(missing), len(list.Files), what.Repo, what.Path, c.CacheDir, strings.Join(missing, ", "))
			}
			return list.Files, nil
		}
	}
	b, err := os.ReadFile(filepath.Join(c.repoDir(what), "refs", filepath.FromSlash(ParquetRevision)))
	var names []string
	if err == nil {
		dir := filepath.Join(c.repoDir(what), "snapshots", strings.TrimSpace(string(b)), filepath.FromSlash(what.Path))
		names, _ = filepath.Glob(filepath.Join(dir, "*.parquet"))
	}
	if len(names) == 0 {
		return nil, ErrNotCached
	}
	sort.Strings(names)
	files := make([]File, len(names))
	for i, n := range names {
		files[i] = File{Type: Dataset, Repo: what.Repo, Revision: ParquetRevision, Path: path.Join(what.Path, filepath.Base(n))}
	}
	return files, nil
}
