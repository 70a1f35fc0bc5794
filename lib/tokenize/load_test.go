package tokenize

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/hub/hubtest"
)

func TestDefaultPathIsTheDauletModuleFile(t *testing.T) {
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(filepath.ToSlash(p), DefaultModule+"/test/data/bert-base-uncased.json") {
		t.Errorf("DefaultPath %s", p)
	}
	// go.mod must pin the module version DefaultPath looks for.
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if mod, ver, _ := strings.Cut(DefaultModule, "@"); !strings.Contains(string(gomod), mod+" "+ver) {
		t.Errorf("go.mod does not require %s", DefaultModule)
	}
	// Independent of the current directory, and of GOMODCACHE when GOPATH is set.
	t.Chdir(t.TempDir())
	if q, err := DefaultPath(); err != nil || q != p {
		t.Errorf("from another directory: %q, %v", q, err)
	}
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOPATH", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	if _, err := DefaultPath(); err == nil || !strings.Contains(err.Error(), "go mod download github.com/daulet/tokenizers") {
		t.Errorf("missing module: err %v", err)
	}
}

// TestDefaultPathWithoutTheGoCommand: found under ~/go/pkg/mod, the default
// tokenizer is located without starting `go env` (~0.1 s of every command).
func TestDefaultPathWithoutTheGoCommand(t *testing.T) {
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	cache, _, _ := strings.Cut(p, filepath.FromSlash(DefaultModule))
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "go", "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Clean(cache), filepath.Join(home, "go", "pkg", "mod")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("GOMODCACHE", "")
	t.Setenv("GOPATH", "")
	t.Setenv("PATH", t.TempDir()) // no go command to start
	q, err := DefaultPath()
	if err != nil || !strings.HasPrefix(q, home) {
		t.Fatalf("DefaultPath() = %q, %v; want it under %s", q, err, home)
	}
}

func TestLoadSources(t *testing.T) {
	def, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	ref := defaultTokenizer(t)
	if ref.VocabSize() != 30522 || ref.Specials() != (Specials{PAD: 0, UNK: 100, CLS: 101, SEP: 102, MASK: 103}) {
		t.Fatalf("vocab %d specials %+v", ref.VocabSize(), ref.Specials())
	}
	text := "Héllo, WORLD! unaffable [SEP] 日本"
	want := ref.Encode(text)

	// vocab.txt written from the tokenizer's own vocabulary, id = line.
	dir := t.TempDir()
	var lines []string
	for id := range ref.VocabSize() {
		tok, _ := ref.IDToken(int32(id))
		lines = append(lines, tok)
	}
	vocab := filepath.Join(dir, "vocab.txt")
	if err := os.WriteFile(vocab, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(def)
	jsonDir := t.TempDir()
	os.WriteFile(filepath.Join(jsonDir, "tokenizer.json"), data, 0o644)
	t.Setenv(PathEnv, vocab)
	for _, spec := range []string{vocab, dir, jsonDir, def, ""} {
		tok, err := Load(spec)
		if err != nil {
			t.Fatalf("Load(%q): %v", spec, err)
		}
		got := tok.Encode(text)
		if !slices.Equal(got.IDs, want.IDs) || !slices.Equal(got.WordIDs, want.WordIDs) {
			t.Errorf("Load(%q) ids %v words %v, want %v %v", spec, got.IDs, got.WordIDs, want.IDs, want.WordIDs)
		}
	}
}

// notFound is a hub that has nothing.
func notFound(repo, file string) (string, error) {
	return "", fmt.Errorf("404 %s/%s", repo, file)
}

func TestLoadErrorsNameTheProblem(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	for _, tc := range []struct {
		spec string
		opts []Option
		want string
	}{
		{"bert-base-uncased/does-not-exist", []Option{WithHub(notFound)}, "fetching it as a hub repo failed: tokenizer.json: 404"},
		{filepath.Join(dir, "missing.json"), nil, "want a tokenizer.json"},
		{t.TempDir(), nil, "holds neither tokenizer.json nor vocab.txt"},
		{write("bad.json", "{not json"), nil, "not a valid tokenizer.json"},
		{write("bpe.json", `{"model":{"type":"BPE","vocab":{"a":0}}}`), nil, `model type "BPE"`},
		{write("cased.json", `{"normalizer":{"type":"BertNormalizer","lowercase":false,"clean_text":true,"handle_chinese_chars":true},"pre_tokenizer":{"type":"BertPreTokenizer"},"model":{"vocab":{"a":0}}}`), nil, "uncased BERT"},
		{write("vocab.txt", "[PAD]\n[UNK]\nhello\n"), nil, "lacks the special token [CLS]"},
		{write("dup.txt", "[PAD]\n[PAD]\n"), nil, "repeats an earlier line"},
		{"", []Option{WithMaxLength(1)}, "at least 2"},
		{"", []Option{WithBackend("rust")}, `unknown tokenizer backend "rust"`},
	} {
		_, err := Load(tc.spec, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q): error %v, want it to mention %q", tc.spec, err, tc.want)
		}
	}
}

func TestEncodeBatchMatchesEncode(t *testing.T) {
	tok := defaultTokenizer(t, WithMaxLength(16))
	var texts []string
	for _, c := range loadGolden(t) {
		texts = append(texts, c.Text)
	}
	batch := tok.EncodeBatch(texts)
	for i, text := range texts {
		one := tok.Encode(text)
		if !slices.Equal(batch[i].IDs, one.IDs) || !slices.Equal(batch[i].CharOffsets, one.CharOffsets) || batch[i].Truncated != one.Truncated {
			t.Fatalf("EncodeBatch[%d] differs from Encode for %q", i, text)
		}
		if len(one.IDs) > 16 || one.IDs[len(one.IDs)-1] != tok.Specials().SEP {
			t.Fatalf("%q: %d tokens, last %d", text, len(one.IDs), one.IDs[len(one.IDs)-1])
		}
	}
}

func TestLoadHubRepoThroughFetcher(t *testing.T) {
	def, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ref := defaultTokenizer(t)
	var lines []string
	for id := range ref.VocabSize() {
		tok, _ := ref.IDToken(int32(id))
		lines = append(lines, tok)
	}
	os.WriteFile(filepath.Join(dir, "vocab.txt"), []byte(strings.Join(lines, "\n")), 0o644)
	var asked []string
	fetch := func(hasJSON bool) HubFetcher {
		return func(repo, file string) (string, error) {
			asked = append(asked, repo+":"+file)
			switch {
			case file == "tokenizer.json" && hasJSON:
				return def, nil
			case file == "vocab.txt":
				return filepath.Join(dir, "vocab.txt"), nil
			}
			return notFound(repo, file)
		}
	}
	for _, hasJSON := range []bool{true, false} {
		asked = nil
		tok, err := Load("google-bert/bert-base-uncased", WithHub(fetch(hasJSON)))
		if err != nil {
			t.Fatal(err)
		}
		if got := tok.Encode("Héllo [SEP]").IDs; !slices.Equal(got, []int32{101, 7592, 102, 102}) {
			t.Errorf("hub tokenizer (tokenizer.json %v) ids %v", hasJSON, got)
		}
		want := []string{"google-bert/bert-base-uncased:tokenizer.json"}
		if !hasJSON {
			want = append(want, "google-bert/bert-base-uncased:vocab.txt")
		}
		if !slices.Equal(asked, want) {
			t.Errorf("fetched %v, want %v", asked, want)
		}
	}
	_, err = Load("o/r", WithHub(func(repo, file string) (string, error) { return "", errors.New("401 unauthorized") }))
	if err == nil || !strings.Contains(err.Error(), "tokenizer.json: 401 unauthorized; vocab.txt: 401 unauthorized") {
		t.Errorf("hub failure: %v", err)
	}
}

// TestLoadFromFakeHub downloads tokenizer.json with the real lib/hub client
// from a local server that answers as the hub does, into a temporary cache.
func TestLoadFromFakeHub(t *testing.T) {
	def, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	content, _ := os.ReadFile(def)
	srv := hubtest.New(t)
	srv.AddRepo("google-bert/bert-base-uncased", map[string][]byte{"tokenizer.json": content})
	client := srv.HubClient(t.TempDir())
	tok, err := Load("google-bert/bert-base-uncased", WithHub(HubClient(client)))
	if err != nil {
		t.Fatalf("%v (requests %v)", err, srv.Requests())
	}
	if got := tok.Encode("Héllo").IDs; !slices.Equal(got, []int32{101, 7592, 102}) {
		t.Errorf("ids %v", got)
	}
	_, err = Load("google-bert/missing", WithHub(HubClient(client)))
	if err == nil || !strings.Contains(err.Error(), "not found (404)") {
		t.Errorf("missing repo: %v", err)
	}
	// With the hub unreachable, the cached tokenizer is used, as
	// hf_hub_download uses the cached snapshot.
	srv.Close()
	if tok, err = Load("google-bert/bert-base-uncased", WithHub(HubClient(client))); err != nil {
		t.Fatalf("hub down, tokenizer cached: %v", err)
	}
	if got := tok.Encode("Héllo").IDs; !slices.Equal(got, []int32{101, 7592, 102}) {
		t.Errorf("ids %v from the cached tokenizer", got)
	}
}
