package bert

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert/berttest"

	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/hub/hubtest"
)

// fakeModelHub serves files as repo (and its legacy aliases) on a fake hub.
func fakeModelHub(t *testing.T, repo string, files map[string][]byte, aliases ...string) *hubtest.Hub {
	h := hubtest.New(t)
	h.AddRepo(repo, files, aliases...)
	return h
}

// requestLog is the fake hub's requests, one per line.
func requestLog(h *hubtest.Hub) string {
	var lines []string
	for _, r := range h.Requests() {
		lines = append(lines, r.String())
	}
	return strings.Join(lines, "\n")
}

func TestResolveModelDirLegacyNameRedirectsAndLoadsWithFreshHead(t *testing.T) {
	srv := fakeModelHub(t, "google-bert/bert-base-uncased", berttest.BaseRepoFiles(t), "bert-base-uncased")
	cache := t.TempDir()
	client := srv.HubClient(cache)
	dir, err := ResolveModelDir(context.Background(), client, "bert-base-uncased")
	if err != nil {
		t.Fatal(err)
	}
	// huggingface_hub caches under the name asked for.
	if want := filepath.Join(cache, "models--bert-base-uncased", "snapshots"); !strings.HasPrefix(dir, want) {
		t.Errorf("snapshot %s, want it under %s", dir, want)
	}
	if got := requestLog(srv); !strings.Contains(got, "HEAD redirect bert-base-uncased") || !strings.Contains(got, "GET model.safetensors") {
		t.Errorf("requests:\n%s\nwant the legacy name redirected, then the weights fetched", got)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.Report.Initialized, ","); !strings.Contains(got, "classifier.weight") {
		t.Errorf("initialised %q, want the classifier head reported as fresh", got)
	}
	if m.Report.Renamed["bert.embeddings.LayerNorm.weight"] != "bert.embeddings.LayerNorm.gamma" {
		t.Errorf("renamed %v, want legacy gamma read as LayerNorm.weight", m.Report.Renamed)
	}
	// A revision pins the download; the same files resolve again from the
	// cache in offline mode without a request.
	if _, err := ResolveModelDir(context.Background(), client, "google-bert/bert-base-uncased@v1.0"); err != nil {
		t.Fatalf("owner/name@rev: %v", err)
	}
	n := len(srv.Requests())
	client.Offline = true
	if got, err := ResolveModelDir(context.Background(), client, "bert-base-uncased"); err != nil || got != dir {
		t.Fatalf("offline from the cache: %q, %v; want %q", got, err, dir)
	}
	if len(srv.Requests()) != n {
		t.Errorf("offline mode sent %d requests", len(srv.Requests())-n)
	}
	// With the hub gone, cached files are still used (as huggingface_hub does).
	client.Offline = false
	srv.Close()
	if got, err := ResolveModelDir(context.Background(), client, "bert-base-uncased"); err != nil || got != dir {
		t.Fatalf("hub unreachable, cached: %q, %v; want %q", got, err, dir)
	}
}

func TestResolveModelDirOfflineWithoutCacheNamesTheFix(t *testing.T) {
	srv := fakeModelHub(t, "google-bert/bert-base-uncased", berttest.BaseRepoFiles(t))
	client := srv.HubClient(t.TempDir())
	client.Offline = true
	_, err := ResolveModelDir(context.Background(), client, "bert-base-uncased")
	if err == nil || !strings.Contains(err.Error(), "HF_HUB_OFFLINE") || !strings.Contains(err.Error(), "config.json") {
		t.Fatalf("err %v, want HF_HUB_OFFLINE and the missing file named", err)
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("offline mode sent requests: %v", srv.Requests())
	}
}

func TestResolveModelDirNeverShowsTheToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Invalid credentials in Authorization header", http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	client := &hub.Client{Endpoint: srv.URL, CacheDir: t.TempDir(), HTTP: srv.Client()}
	client.SetToken("hf_SuperSecretToken")
	_, err := ResolveModelDir(context.Background(), client, "acme/private-bert")
	if err == nil {
		t.Fatal("want an error for a 401")
	}
	if strings.Contains(err.Error(), "SuperSecret") || strings.Contains(fmt.Sprintf("%+v %#v", client, client), "SuperSecret") {
		t.Fatalf("token leaked: %v", err)
	}
}

func TestResolveModelDirDownloadsFromHub(t *testing.T) {
	srv := fakeModelHub(t, "acme/tiny-bert", berttest.BaseRepoFiles(t))
	client := srv.HubClient(t.TempDir())
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
	if got := requestLog(srv); !strings.Contains(got, "HEAD tokenizer.json auth=true") || !strings.Contains(got, "GET vocab.txt auth=true") {
		t.Errorf("requests:\n%s\nwant a tokenizer.json attempt, then vocab.txt, with the token", got)
	}
	// A local directory is used as is; an unknown path is not a repo id.
	if got, err := ResolveModelDir(context.Background(), client, dir); err != nil || got != dir {
		t.Fatalf("local dir: %q, %v", got, err)
	}
	for _, spec := range []string{"./no/such/dir", "testdata/no-such-model", "a/b/c"} {
		if _, err := ResolveModelDir(context.Background(), client, spec); err == nil || !strings.Contains(err.Error(), "no such directory") {
			t.Errorf("missing local dir %s: err %v", spec, err)
		}
	}
}

func TestResolveModelDirNamesTheWeightFilesLookedFor(t *testing.T) {
	srv := fakeModelHub(t, "acme/no-weights", map[string][]byte{ConfigFile: []byte(`{}`)})
	client := srv.HubClient(t.TempDir())
	client.Retries = 0
	_, err := ResolveModelDir(context.Background(), client, "acme/no-weights")
	if err == nil || !strings.Contains(err.Error(), "no weights") || !strings.Contains(err.Error(), "pytorch_model.bin.index.json") {
		t.Fatalf("err %v, want every weight file looked for named", err)
	}
}

// An older fine-tuned DistilBERT classifier with only pytorch_model.bin (the
// SST-2 model's label names) downloads, loads without running code, and
// gives the torch reference's logits.
func TestResolveModelDirDownloadsTorchBinOnlyDistilBERT(t *testing.T) {
	srv := fakeModelHub(t, "acme/distilbert-sst2", berttest.DistilBinRepoFiles(t))
	client := srv.HubClient(t.TempDir())
	dir, err := ResolveModelDir(context.Background(), client, "acme/distilbert-sst2")
	if err != nil {
		t.Fatal(err)
	}
	log := requestLog(srv)
	for _, want := range []string{"HEAD model.safetensors", "HEAD model.safetensors.index.json", "GET pytorch_model.bin", "GET vocab.txt"} {
		if !strings.Contains(log, want) {
			t.Errorf("requests:\n%s\nwant %q", log, want)
		}
	}
	if strings.Contains(log, "pytorch_model.bin.index.json") {
		t.Errorf("requests:\n%s\nasked for the sharded index after finding pytorch_model.bin", log)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Config.IsDistilBERT() || filepath.Base(m.Report.Path) != TorchWeightsFile || len(m.Report.Initialized) > 0 {
		t.Fatalf("loaded %s from %s (initialised %v), want the complete DistilBERT from pytorch_model.bin",
			m.Config.Architecture(), m.Report.Path, m.Report.Initialized)
	}
	g := readGolden(t, filepath.Join("testdata", "distil-f32"))
	if d := maxAbsDiff(t, logitsOf(t, m.Context, m.Config, g.IDs, g.Mask, g.TypeIDs), g.Logits); d > 1e-5 {
		t.Fatalf("max |Δlogit| = %.3g vs torch", d)
	}
}

func TestResolveModelDirDownloadsEveryShard(t *testing.T) {
	files := map[string][]byte{"vocab.txt": []byte(strings.Join(berttest.Vocab, "\n"))}
	src := filepath.Join("testdata", "hub-f32-sharded")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if files[e.Name()], err = os.ReadFile(filepath.Join(src, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	srv := fakeModelHub(t, "acme/sharded-bert", files)
	dir, err := ResolveModelDir(context.Background(), srv.HubClient(t.TempDir()), "acme/sharded-bert")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(m.Report.Path) != TorchWeightsIndexFile || m.Report.Loaded != len(Parameters(m.Config)) {
		t.Fatalf("report %s, want every weight from the sharded checkpoint", m.Report)
	}
	// A shard that escapes the repo is refused before any download.
	files[TorchWeightsIndexFile] = []byte(`{"weight_map":{"classifier.weight":"../../etc/passwd"}}`)
	srv2 := fakeModelHub(t, "acme/evil-shards", files)
	_, err = ResolveModelDir(context.Background(), srv2.HubClient(t.TempDir()), "acme/evil-shards")
	if err == nil || !strings.Contains(err.Error(), "shards must be files beside the index") {
		t.Fatalf("err %v, want the escaping shard refused", err)
	}
	for _, r := range srv2.Requests() {
		if strings.Contains(r.File, "passwd") {
			t.Fatalf("requested %s", r.File)
		}
	}
}
