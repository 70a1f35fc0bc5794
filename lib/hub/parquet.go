package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ParquetRevision is the branch where the hub keeps its parquet conversion
// of every dataset.
const ParquetRevision = "refs/convert/parquet"

// ParquetFiles lists the parquet shards of one split of a dataset (e.g.
// "mteb/amazon_polarity", config "default", split "train") in order, as files
// on ParquetRevision. It asks GET /api/datasets/REPO/parquet/CONFIG/SPLIT;
// offline it lists the cached snapshot instead.
func (c *Client) ParquetFiles(ctx context.Context, repo, config, split string) ([]File, error) {
	if c.Offline {
		return c.cachedParquetFiles(repo, config, split)
	}
	api := c.Endpoint + "/api/datasets/" + repo + "/parquet/" + url.PathEscape(config) + "/" + url.PathEscape(split)
	what := File{Type: Dataset, Repo: repo, Revision: ParquetRevision, Path: config + "/" + split}
	var urls []string
	err := c.retry(ctx, func() error {
		resp, err := c.do(ctx, http.MethodGet, api, nil, what)
		if err != nil {
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
		return nil, fmt.Errorf("%s: the hub lists no parquet files; check the config and split names", what)
	}
	files := make([]File, 0, len(urls))
	for _, u := range urls {
		f, err := parquetFileFromURL(u, repo, config, split)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// parquetFileFromURL maps an entry of the parquet API to a file on
// ParquetRevision. The API has answered in two forms:
// ".../datasets/REPO/resolve/refs%2Fconvert%2Fparquet/CONFIG/SPLIT/0000.parquet"
// and ".../api/datasets/REPO/parquet/CONFIG/SPLIT/0.parquet" (shard 0 is
// CONFIG/SPLIT/0000.parquet on the branch).
func parquetFileFromURL(raw, repo, config, split string) (File, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return File{}, fmt.Errorf("parquet API returned a bad URL %q: %w", raw, err)
	}
	p := u.EscapedPath()
	if _, rest, ok := strings.Cut(p, "/datasets/"+repo+"/resolve/"); ok {
		revEsc, filePath, ok := strings.Cut(rest, "/")
		rev, err1 := url.PathUnescape(revEsc)
		fp, err2 := url.PathUnescape(filePath)
		if ok && err1 == nil && err2 == nil {
			return File{Type: Dataset, Repo: repo, Revision: rev, Path: fp}, nil
		}
	}
	prefix := "/api/datasets/" + repo + "/parquet/" + url.PathEscape(config) + "/" + url.PathEscape(split) + "/"
	if name, ok := strings.CutPrefix(p, prefix); ok {
		if n, err := strconv.Atoi(strings.TrimSuffix(name, ".parquet")); err == nil && n >= 0 {
			return File{Type: Dataset, Repo: repo, Revision: ParquetRevision, Path: fmt.Sprintf("%s/%s/%04d.parquet", config, split, n)}, nil
		}
	}
	return File{}, fmt.Errorf("parquet API returned an unexpected URL %q", raw)
}

func (c *Client) cachedParquetFiles(repo, config, split string) ([]File, error) {
	probe := File{Type: Dataset, Repo: repo, Revision: ParquetRevision, Path: config + "/" + split}
	b, err := os.ReadFile(filepath.Join(c.repoDir(probe), "refs", filepath.FromSlash(ParquetRevision)))
	var names []string
	if err == nil {
		dir := filepath.Join(c.repoDir(probe), "snapshots", strings.TrimSpace(string(b)), config, split)
		names, _ = filepath.Glob(filepath.Join(dir, "*.parquet"))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("HF_HUB_OFFLINE is set and no parquet files of %s (%s/%s) are in the cache %s; unset HF_HUB_OFFLINE to download them",
			repo, config, split, c.CacheDir)
	}
	sort.Strings(names)
	files := make([]File, len(names))
	for i, n := range names {
		files[i] = File{Type: Dataset, Repo: repo, Revision: ParquetRevision, Path: path.Join(config, split, filepath.Base(n))}
	}
	return files, nil
}
