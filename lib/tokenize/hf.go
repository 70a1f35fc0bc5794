//go:build tokenizers_hf && cgo

package tokenize

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	hf "github.com/daulet/tokenizers"
)

// hfTokenizer is Hugging Face's Rust tokenizer through github.com/daulet/tokenizers.
// daulet returns ids, tokens and byte offsets; word ids are derived (a token
// starts a new word unless it is a "##" continuation), truncation is done here
// so Truncated is exact, and the C string interface ends the text at the first
// NUL byte.
type hfTokenizer struct {
	tok       *hf.Tokenizer
	specials  Specials
	special   map[int32]bool
	maxLength int
	prefix    string
	ids       map[string]int32 // vocabulary and added tokens, from tokenizer.json
	tokens    map[int32]string
}

// loadHF opens path (a tokenizer.json) with the Rust library.
func loadHF(path string, o options) (Tokenizer, error) {
	if strings.HasSuffix(path, ".txt") {
		return nil, fmt.Errorf("tokenizer %s: the %q backend reads tokenizer.json only", path, BackendHF)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading tokenizer: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("tokenizer %s: not a valid tokenizer.json: %w", path, err)
	}
	var tj tokenizerJSON
	if err := json.Unmarshal(data, &tj); err != nil {
		return nil, fmt.Errorf("tokenizer %s: %w", path, err)
	}
	t := &hfTokenizer{special: map[int32]bool{}, prefix: "##"}
	if tj.Model.ContinuingSubwordPrefix != nil {
		t.prefix = *tj.Model.ContinuingSubwordPrefix
	}
	if tj.Truncation != nil {
		t.maxLength = tj.Truncation.MaxLength
	}
	if o.maxLengthSet {
		t.maxLength = o.maxLength
	}
	raw["truncation"], raw["padding"] = json.RawMessage("null"), json.RawMessage("null")
	if o.safeSpecials {
		raw["added_tokens"] = json.RawMessage("[]")
	}
	data, err = json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	if t.tok, err = hf.FromBytes(data); err != nil {
		return nil, fmt.Errorf("tokenizer %s: Hugging Face tokenizers: %w", path, err)
	}
	runtime.AddCleanup(t, func(tok *hf.Tokenizer) { tok.Close() }, t.tok)
	cls, sep, err := templateSpecials(tj)
	if err != nil {
		return nil, err
	}
	lookup := func(tok string) int32 {
		for _, a := range tj.AddedTokens {
			if a.Content == tok {
				return a.ID
			}
		}
		return tj.Model.Vocab[tok]
	}
	t.specials = Specials{PAD: lookup("[PAD]"), UNK: lookup(tj.Model.UnkToken), CLS: lookup(cls), SEP: lookup(sep), MASK: lookup("[MASK]")}
	t.ids, t.tokens = map[string]int32{}, map[int32]string{}
	for tok, id := range tj.Model.Vocab {
		t.ids[tok], t.tokens[id] = id, tok
	}
	for _, a := range tj.AddedTokens {
		t.special[a.ID] = a.Special
		t.ids[a.Content], t.tokens[a.ID] = a.ID, a.Content
	}
	return t, nil
}

func (t *hfTokenizer) Specials() Specials { return t.specials }
func (t *hfTokenizer) VocabSize() int     { return int(t.tok.VocabSize()) }
func (t *hfTokenizer) MaxLength() int     { return t.maxLength }

func (t *hfTokenizer) TokenID(token string) (int32, bool) {
	id, ok := t.ids[token]
	return id, ok
}

func (t *hfTokenizer) IDToken(id int32) (string, bool) {
	tok, ok := t.tokens[id]
	return tok, ok
}

func (t *hfTokenizer) Encode(text string) Encoding {
	r := t.tok.EncodeWithOptions(text, true, hf.WithReturnTokens(), hf.WithReturnOffsets())
	n := len(r.IDs)
	truncated := false
	if t.maxLength > 0 && n > t.maxLength { // keep the first maxLength-1 tokens and the final [SEP]
		keep := t.maxLength - 1
		r.IDs = append(r.IDs[:keep], r.IDs[n-1])
		r.Tokens = append(r.Tokens[:keep], r.Tokens[n-1])
		r.Offsets = append(r.Offsets[:keep], r.Offsets[n-1])
		n, truncated = t.maxLength, true
	}
	e := Encoding{
		IDs: make([]int32, n), Tokens: r.Tokens, AttentionMask: make([]int32, n), TypeIDs: make([]int32, n),
		WordIDs: make([]int32, n), Offsets: make([]Offset, n), CharOffsets: make([]Offset, n), Truncated: truncated,
	}
	word := int32(-1)
	for i, id := range r.IDs {
		e.IDs[i] = int32(id)
		e.AttentionMask[i] = 1
		e.Offsets[i] = Offset{int(r.Offsets[i][0]), int(r.Offsets[i][1])}
		switch {
		case i == 0 || i == n-1:
			e.WordIDs[i] = NoWord
		case !strings.HasPrefix(r.Tokens[i], t.prefix) || t.prefix == "":
			word++
			fallthrough
		default:
			e.WordIDs[i] = word
		}
	}
	charOffsets(text, e.Offsets, e.CharOffsets)
	return e
}

func (t *hfTokenizer) EncodeBatch(texts []string) []Encoding {
	out := make([]Encoding, len(texts))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = t.Encode(texts[i])
			}
		}()
	}
	for i := range texts {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// Decode drops special tokens here rather than in Rust, so that safe mode
// (whose Rust tokenizer has no added tokens) still knows which ids are special.
func (t *hfTokenizer) Decode(ids []int32, skipSpecial bool) string {
	u := make([]uint32, 0, len(ids))
	for _, id := range ids {
		if !skipSpecial || !t.special[id] {
			u = append(u, uint32(id))
		}
	}
	return t.tok.Decode(u, false)
}
