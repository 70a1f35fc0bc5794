package tokenize

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultModule is the Go module whose source ships the offline default
// tokenizer, test/data/bert-base-uncased.json; go.mod pins the same version.
const DefaultModule = "github.com/daulet/tokenizers@v1.24.0"

// PathEnv names the environment variable that, when set, replaces the
// offline default tokenizer (a tokenizer.json, vocab.txt or model directory).
const PathEnv = "POLARITY_TOKENIZER"

// DefaultPath locates the offline default tokenizer, bert-base-uncased's
// tokenizer.json, in the Go module cache. It does not depend on the current
// directory, so it works from the CLI binary and from GoNB notebooks alike:
// the cache is $GOMODCACHE, else $GOPATH/pkg/mod, else ~/go/pkg/mod, else
// `go env GOMODCACHE` (asked last: starting the go command takes ~0.1 s).
func DefaultPath() (string, error) {
	rel := filepath.Join(filepath.FromSlash(DefaultModule), "test", "data", "bert-base-uncased.json")
	var tried []string
	for _, dir := range append(moduleCacheDirs(), goEnvModCache) {
		d := dir()
		if d == "" {
			continue
		}
		p := filepath.Join(d, rel)
		if slices.Contains(tried, p) {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	return "", fmt.Errorf("the offline default tokenizer (bert-base-uncased.json from the %s module) is not in the Go module cache (looked at %s): run `go mod download github.com/daulet/tokenizers` in the polarity checkout (`make setup` does), or pass a tokenizer.json/vocab.txt path",
		DefaultModule, strings.Join(tried, ", "))
}

// moduleCacheDirs lists where the Go module cache may be, cheapest first.
func moduleCacheDirs() []func() string {
	return []func() string{
		func() string { return os.Getenv("GOMODCACHE") },
		func() string {
			if gp := os.Getenv("GOPATH"); gp != "" {
				return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")
			}
			return ""
		},
		func() string {
			if home, err := os.UserHomeDir(); err == nil {
				return filepath.Join(home, "go", "pkg", "mod")
			}
			return ""
		},
	}
}

// goEnvModCache asks the go command where its module cache is ("" if it cannot).
func goEnvModCache() string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// resolve turns a Load spec into the path of a tokenizer.json or vocab.txt.
func resolve(spec string, hub HubFetcher) (string, error) {
	if spec == "" {
		spec = os.Getenv(PathEnv)
		if spec == "" {
			return DefaultPath()
		}
	}
	fi, err := os.Stat(spec)
	if err != nil {
		if looksLikeRepoID(spec) {
			return fetchFromHub(spec, hub)
		}
		return "", fmt.Errorf("tokenizer %q: %w (want a tokenizer.json, a vocab.txt or a model directory holding one)", spec, err)
	}
	if !fi.IsDir() {
		return spec, nil
	}
	for _, name := range []string{"tokenizer.json", "vocab.txt"} {
		p := filepath.Join(spec, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("model directory %q holds neither tokenizer.json nor vocab.txt", spec)
}

// fetchFromHub downloads a repo's tokenizer.json, else its vocab.txt.
func fetchFromHub(repo string, hub HubFetcher) (string, error) {
	p, errJSON := hub(repo, "tokenizer.json")
	if errJSON == nil {
		return p, nil
	}
	p, errVocab := hub(repo, "vocab.txt")
	if errVocab == nil {
		return p, nil
	}
	return "", fmt.Errorf("tokenizer %q is not a local file or directory, and fetching it as a hub repo failed: tokenizer.json: %w; vocab.txt: %w", repo, errJSON, errVocab)
}

// looksLikeRepoID reports whether s has the form owner/name of a hub repo.
func looksLikeRepoID(s string) bool {
	owner, name, ok := strings.Cut(s, "/")
	return ok && owner != "" && name != "" && !strings.ContainsAny(name, "/\\") &&
		!strings.HasPrefix(s, ".") && !strings.HasSuffix(s, ".json") && !strings.HasSuffix(s, ".txt")
}

// loadWordPiece reads a tokenizer.json or a vocab.txt into a WordPiece.
func loadWordPiece(path string, o options) (*WordPiece, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading tokenizer: %w", err)
	}
	var cfg wordPieceConfig
	if strings.HasSuffix(path, ".txt") || !bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		cfg, err = parseVocabTxt(data)
	} else {
		cfg, err = parseTokenizerJSON(data)
	}
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", path, err)
	}
	if o.maxLengthSet {
		cfg.maxLength = o.maxLength
	}
	w, err := newWordPiece(cfg)
	if err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", path, err)
	}
	w.safeSpecials = o.safeSpecials
	return w, nil
}

// wordPieceConfig is what both file formats describe.
type wordPieceConfig struct {
	vocab        map[string]int32
	added        []addedTokenJSON
	unk          string
	prefix       string
	maxWordChars int
	cls, sep     string
	maxLength    int
}

type addedTokenJSON struct {
	ID         int32  `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

type tokenizerJSON struct {
	Truncation *struct {
		MaxLength int    `json:"max_length"`
		Direction string `json:"direction"`
		Stride    int    `json:"stride"`
	} `json:"truncation"`
	AddedTokens []addedTokenJSON `json:"added_tokens"`
	Normalizer  *struct {
		Type               string `json:"type"`
		CleanText          bool   `json:"clean_text"`
		HandleChineseChars bool   `json:"handle_chinese_chars"`
		StripAccents       *bool  `json:"strip_accents"`
		Lowercase          bool   `json:"lowercase"`
	} `json:"normalizer"`
	PreTokenizer *struct {
		Type string `json:"type"`
	} `json:"pre_tokenizer"`
	PostProcessor *struct {
		Type   string            `json:"type"`
		Single []json.RawMessage `json:"single"`
		CLS    []any             `json:"cls"`
		SEP    []any             `json:"sep"`
	} `json:"post_processor"`
	Model struct {
		Type                    string           `json:"type"`
		UnkToken                string           `json:"unk_token"`
		ContinuingSubwordPrefix *string          `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    int              `json:"max_input_chars_per_word"`
		Vocab                   map[string]int32 `json:"vocab"`
	} `json:"model"`
}

// unsupported names what this backend cannot reproduce, and the way out.
func unsupported(what string) error {
	return fmt.Errorf("%s: the pure-Go backend implements uncased BERT WordPiece tokenizers only (BertNormalizer with lowercase, BertPreTokenizer, [CLS] … [SEP]); use the %q backend (build with -tags tokenizers_hf) for this tokenizer", what, BackendHF)
}

func parseTokenizerJSON(data []byte) (wordPieceConfig, error) {
	var tj tokenizerJSON
	if err := json.Unmarshal(data, &tj); err != nil {
		return wordPieceConfig{}, fmt.Errorf("not a valid tokenizer.json: %w", err)
	}
	m := tj.Model
	if m.Type != "" && m.Type != "WordPiece" {
		return wordPieceConfig{}, unsupported(fmt.Sprintf("model type %q", m.Type))
	}
	if len(m.Vocab) == 0 {
		return wordPieceConfig{}, errors.New("model.vocab is missing or empty: not a WordPiece tokenizer.json")
	}
	n := tj.Normalizer
	if n == nil || n.Type != "BertNormalizer" || !n.Lowercase || !n.CleanText || !n.HandleChineseChars || (n.StripAccents != nil && !*n.StripAccents) {
		return wordPieceConfig{}, unsupported("normalizer")
	}
	if tj.PreTokenizer == nil || tj.PreTokenizer.Type != "BertPreTokenizer" {
		return wordPieceConfig{}, unsupported("pre_tokenizer")
	}
	cfg := wordPieceConfig{
		vocab:        m.Vocab,
		added:        tj.AddedTokens,
		unk:          m.UnkToken,
		prefix:       "##",
		maxWordChars: m.MaxInputCharsPerWord,
	}
	if m.ContinuingSubwordPrefix != nil {
		cfg.prefix = *m.ContinuingSubwordPrefix
	}
	if cfg.maxWordChars == 0 {
		cfg.maxWordChars = 100
	}
	if tj.Truncation != nil {
		if tj.Truncation.Direction != "" && tj.Truncation.Direction != "Right" || tj.Truncation.Stride != 0 {
			return wordPieceConfig{}, unsupported("truncation other than right-side without stride")
		}
		cfg.maxLength = tj.Truncation.MaxLength
	}
	for _, a := range cfg.added {
		if a.Normalized || a.SingleWord || a.LStrip || a.RStrip {
			return wordPieceConfig{}, unsupported(fmt.Sprintf("added token %q with normalized/single_word/lstrip/rstrip", a.Content))
		}
	}
	cls, sep, err := templateSpecials(tj)
	if err != nil {
		return wordPieceConfig{}, err
	}
	cfg.cls, cfg.sep = cls, sep
	return cfg, nil
}

// templateSpecials reads the [CLS] and [SEP] tokens of the post-processor,
// which must be "CLS $A SEP" (TemplateProcessing or BertProcessing).
func templateSpecials(tj tokenizerJSON) (cls, sep string, err error) {
	p := tj.PostProcessor
	if p == nil {
		return "", "", unsupported("missing post_processor")
	}
	switch p.Type {
	case "BertProcessing":
		if len(p.CLS) == 2 && len(p.SEP) == 2 {
			c, ok1 := p.CLS[0].(string)
			s, ok2 := p.SEP[0].(string)
			if ok1 && ok2 {
				return c, s, nil
			}
		}
	case "TemplateProcessing":
		type piece struct {
			SpecialToken *struct{ ID string } `json:"SpecialToken"`
			Sequence     *struct{ ID string } `json:"Sequence"`
		}
		var ps []piece
		for _, raw := range p.Single {
			var pc piece
			if json.Unmarshal(raw, &pc) != nil {
				return "", "", unsupported("post_processor template")
			}
			ps = append(ps, pc)
		}
		if len(ps) == 3 && ps[0].SpecialToken != nil && ps[1].Sequence != nil && ps[2].SpecialToken != nil {
			return ps[0].SpecialToken.ID, ps[2].SpecialToken.ID, nil
		}
	}
	return "", "", unsupported(fmt.Sprintf("post_processor %q (want [CLS] $A [SEP])", p.Type))
}

// parseVocabTxt reads a BERT vocab.txt (one token per line, id = line number)
// with uncased bert-base defaults.
func parseVocabTxt(data []byte) (wordPieceConfig, error) {
	vocab := map[string]int32{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		tok := strings.TrimRight(sc.Text(), "\r")
		if _, dup := vocab[tok]; !dup {
			vocab[tok] = int32(len(vocab))
		} else {
			return wordPieceConfig{}, fmt.Errorf("vocab.txt line %d: token %q repeats an earlier line", len(vocab)+1, tok)
		}
	}
	if err := sc.Err(); err != nil {
		return wordPieceConfig{}, fmt.Errorf("reading vocab.txt: %w", err)
	}
	cfg := wordPieceConfig{vocab: vocab, unk: "[UNK]", prefix: "##", maxWordChars: 100, cls: "[CLS]", sep: "[SEP]"}
	for _, s := range []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"} {
		id, ok := vocab[s]
		if !ok {
			return wordPieceConfig{}, fmt.Errorf("vocab.txt lacks the special token %s: not a BERT vocabulary", s)
		}
		cfg.added = append(cfg.added, addedTokenJSON{ID: id, Content: s, Special: true})
	}
	return cfg, nil
}

// newWordPiece builds the tokenizer from a validated configuration.
func newWordPiece(cfg wordPieceConfig) (*WordPiece, error) {
	if cfg.maxLength < 0 || cfg.maxLength == 1 {
		return nil, fmt.Errorf("truncation max_length %d is invalid", cfg.maxLength)
	}
	size := 0
	for tok, id := range cfg.vocab {
		if id < 0 {
			return nil, fmt.Errorf("vocabulary token %q has negative id %d", tok, id)
		}
		size = max(size, int(id)+1)
	}
	for _, a := range cfg.added {
		size = max(size, int(a.ID)+1)
	}
	w := &WordPiece{
		vocab:        make(map[string]int32, len(cfg.vocab)),
		continuation: map[string]int32{},
		tokens:       make([]string, size),
		special:      make([]bool, size),
		maxWordChars: cfg.maxWordChars,
		maxLength:    cfg.maxLength,
		prefix:       cfg.prefix,
		tables:       unicodeTables(),
	}
	for tok, id := range cfg.vocab {
		w.tokens[id] = tok
		if rest, ok := strings.CutPrefix(tok, cfg.prefix); ok && cfg.prefix != "" {
			w.continuation[rest] = id
			w.maxCont = max(w.maxCont, len(rest))
		} else {
			w.vocab[tok] = id
			w.maxPiece = max(w.maxPiece, len(tok))
		}
	}
	for _, a := range cfg.added {
		if a.Content == "" {
			return nil, fmt.Errorf("added token %d has empty content", a.ID)
		}
		w.tokens[a.ID] = a.Content
		w.special[a.ID] = a.Special
		w.addedTexts = append(w.addedTexts, addedToken{a.Content, a.ID})
	}
	slices.SortStableFunc(w.addedTexts, func(a, b addedToken) int { return len(b.text) - len(a.text) })
	if len(w.addedTexts) > 0 {
		w.addedFirst = w.addedTexts[0].text[0]
		for _, a := range w.addedTexts {
			if a.text[0] != w.addedFirst {
				w.addedFirst = 0
			}
		}
	}
	for i, t := range w.tokens {
		if t == "" {
			return nil, fmt.Errorf("id %d has no token: ids must run from 0 to %d without gaps", i, size-1)
		}
	}
	need := func(name, tok string) (int32, error) {
		id, ok := w.TokenID(tok)
		if !ok {
			for _, a := range w.addedTexts {
				if a.text == tok {
					return a.id, nil
				}
			}
			return 0, fmt.Errorf("the %s token %q is not in the vocabulary", name, tok)
		}
		return id, nil
	}
	var err error
	sp := &w.specials
	for _, x := range []struct {
		name, tok string
		dst       *int32
	}{{"unknown", cfg.unk, &sp.UNK}, {"CLS", cfg.cls, &sp.CLS}, {"SEP", cfg.sep, &sp.SEP}, {"PAD", "[PAD]", &sp.PAD}, {"MASK", "[MASK]", &sp.MASK}} {
		if *x.dst, err = need(x.name, x.tok); err != nil {
			return nil, err
		}
	}
	return w, nil
}
