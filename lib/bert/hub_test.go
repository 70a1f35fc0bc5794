package bert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/polarityml/polarity/lib/hub"
)

// fakeModelHub serves a model repository the way the Hugging Face hub does
// (HEAD with X-Repo-Commit and ETag = sha256, GET with the bytes, 404 for
// absent files) and records whether requests carried the token.
func fakeModelHub(t *testing.T, repo string, files map[string][]byte) (*httptest.Server, *[]string) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/"+repo+"/resolve/main/")
		seen = append(seen, fmt.Sprintf("%s %s auth=%v", r.Method, name, r.Header.Get("Authorization") != ""))
		data, found := files[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		sum := sha256.Sum256(data)
		w.Header().Set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567")
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		if r.Method == http.MethodGet {
			w.Write(data)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestResolveModelDirDownloadsFromHub(t *testing.T) {
	files := map[string][]byte{}
	for _, f := range []string{ConfigFile, WeightsFile} {
		data, err := os.ReadFile(filepath.Join("testdata", "hub-f32", f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = data
	}
	files[VocabFile] = []byte("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n")
	srv, seen := fakeModelHub(t, "acme/tiny-bert", files)
	client := &hub.Client{Endpoint: srv.URL, CacheDir: t.TempDir(), Retries: 1, Backoff: time.Millisecond,
		MaxBackoff: time.Millisecond, HTTP: srv.Client()}
	client.SetToken("hf_secret")
	dir, err := ResolveModelDir(context.Background(), client, "acme/tiny-bert")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ConfigFile, WeightsFile, VocabFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not in the snapshot %s: %v", f, dir, err)
		}
	}
	if _, err := Load(dir); err != nil {
		t.Fatalf("downloaded model does not load: %v", err)
	}
	if got := strings.Join(*seen, "\n"); !strings.Contains(got, "HEAD tokenizer.json auth=true") || !strings.Contains(got, "GET vocab.txt auth=true") {
		t.Errorf("requests:\n%s\nwant a tokenizer.json attempt, then vocab.txt, with the token", got)
	}
	// A local directory is used as is; an unknown path is not a repo id.
	if got, err := ResolveModelDir(context.Background(), client, dir); err != nil || got != dir {
		t.Fatalf("local dir: %q, %v", got, err)
	}
	if _, err := ResolveModelDir(context.Background(), client, "./no/such/dir"); err == nil || !strings.Contains(err.Error(), "no such directory") {
		t.Fatalf("missing local dir: err %v", err)
	}
}

func TestResolveModelDirExplainsMissingSafetensors(t *testing.T) {
	srv, _ := fakeModelHub(t, "acme/old-bert", map[string][]byte{ConfigFile: []byte(`{}`)})
	client := &hub.Client{Endpoint: srv.URL, CacheDir: t.TempDir(), Retries: 0, HTTP: srv.Client()}
	_, err := ResolveModelDir(context.Background(), client, "acme/old-bert")
	if err == nil || !strings.Contains(err.Error(), "pytorch_model.bin") {
		t.Fatalf("err %v, want advice about safetensors", err)
	}
}
