package tokenize

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
)

// goldenCase is one reference result from scripts/golden/tokenize.js.
type goldenCase struct {
	Text               string   `json:"text"`
	MaxLength          int      `json:"max_length"`
	Safe               bool     `json:"safe"`
	IDs                []int32  `json:"ids"`
	Tokens             []string `json:"tokens"`
	TypeIDs            []int32  `json:"type_ids"`
	AttentionMask      []int32  `json:"attention_mask"`
	WordIDs            []*int32 `json:"word_ids"`
	CharOffsets        [][2]int `json:"char_offsets"`
	Decoded            string   `json:"decoded"`
	DecodedSkipSpecial *string  `json:"decoded_skip_special"`
}

func loadGolden(t testing.TB) []goldenCase {
	t.Helper()
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Reference string       `json:"reference"`
		Cases     []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if g.Reference != "npm tokenizers@"+referenceVersion {
		t.Fatalf("golden.json comes from %s but unicode_table.go from %s: regenerate both (make golden-tokenize)", g.Reference, referenceVersion)
	}
	return g.Cases
}

// defaultTokenizer loads bert-base-uncased from the module cache, with options.
func defaultTokenizer(t testing.TB, opts ...Option) Tokenizer {
	t.Helper()
	tok, err := Load("", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestGoldenParityWithHuggingFace(t *testing.T) {
	cases := loadGolden(t)
	if len(cases) < 300 {
		t.Fatalf("golden.json has only %d cases", len(cases))
	}
	tokenizers := map[string]Tokenizer{}
	for _, c := range cases {
		key := fmt.Sprint(c.MaxLength, c.Safe)
		tok := tokenizers[key]
		if tok == nil {
			opts := []Option{WithMaxLength(c.MaxLength)}
			if c.Safe {
				opts = append(opts, WithSafeSpecials())
			}
			tok = defaultTokenizer(t, opts...)
			tokenizers[key] = tok
		}
		if err := compareGolden(tok, c); err != nil {
			t.Errorf("text %q (max_length %d, safe %v): %v", c.Text, c.MaxLength, c.Safe, err)
		}
	}
}

func compareGolden(tok Tokenizer, c goldenCase) error {
	e := tok.Encode(c.Text)
	if !slices.Equal(e.IDs, c.IDs) {
		return fmt.Errorf("ids\n got %v\nwant %v\ntokens got %q\n      want %q", e.IDs, c.IDs, e.Tokens, c.Tokens)
	}
	if !slices.Equal(e.Tokens, c.Tokens) {
		return fmt.Errorf("tokens got %q, want %q", e.Tokens, c.Tokens)
	}
	if !slices.Equal(e.TypeIDs, c.TypeIDs) || !slices.Equal(e.AttentionMask, c.AttentionMask) {
		return fmt.Errorf("type ids %v / mask %v, want %v / %v", e.TypeIDs, e.AttentionMask, c.TypeIDs, c.AttentionMask)
	}
	words := make([]int32, len(c.WordIDs))
	for i, w := range c.WordIDs {
		words[i] = NoWord
		if w != nil {
			words[i] = *w
		}
	}
	if !slices.Equal(e.WordIDs, words) {
		return fmt.Errorf("word ids got %v, want %v", e.WordIDs, words)
	}
	for i, o := range c.CharOffsets {
		if e.CharOffsets[i] != (Offset{o[0], o[1]}) {
			return fmt.Errorf("token %d %q: char offsets got %v, want %v", i, e.Tokens[i], e.CharOffsets[i], o)
		}
		if got := e.Offsets[i]; o != [2]int{} && len([]rune(c.Text[:got.Start])) != o[0] {
			return fmt.Errorf("token %d: byte offset %d is not char %d", i, got.Start, o[0])
		}
	}
	if wantTrunc := c.MaxLength > 0 && len(tok.Encode(c.Text).IDs) == c.MaxLength; e.Truncated && !wantTrunc {
		return fmt.Errorf("Truncated set on an encoding shorter than max length")
	}
	if got := tok.Decode(e.IDs, false); got != c.Decoded {
		return fmt.Errorf("decode got %q, want %q", got, c.Decoded)
	}
	if c.DecodedSkipSpecial != nil {
		if got := tok.Decode(e.IDs, true); got != *c.DecodedSkipSpecial {
			return fmt.Errorf("decode (skip special) got %q, want %q", got, *c.DecodedSkipSpecial)
		}
	}
	return nil
}
