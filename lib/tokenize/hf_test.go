//go:build tokenizers_hf && cgo

package tokenize

import (
	"slices"
	"strings"
	"testing"
)

// TestBackendsAgree compares the pure-Go backend with Hugging Face's Rust
// library (daulet/tokenizers) on the golden texts, plain, truncated and in safe
// mode. Texts with NUL are skipped: daulet passes C strings, which end there.
func TestBackendsAgree(t *testing.T) {
	for _, opts := range [][]Option{nil, {WithMaxLength(16)}, {WithSafeSpecials()}} {
		goTok := defaultTokenizer(t, opts...)
		hfTok := defaultTokenizer(t, append(opts, WithBackend(BackendHF))...)
		if goTok.VocabSize() != hfTok.VocabSize() || goTok.Specials() != hfTok.Specials() {
			t.Fatalf("vocab %d/%d specials %+v/%+v", goTok.VocabSize(), hfTok.VocabSize(), goTok.Specials(), hfTok.Specials())
		}
		var texts []string
		for _, c := range loadGolden(t) {
			if !strings.Contains(c.Text, "\x00") {
				texts = append(texts, c.Text)
			}
		}
		hfAll := hfTok.EncodeBatch(texts)
		for i, text := range texts {
			g, h := goTok.Encode(text), hfAll[i]
			if !slices.Equal(g.IDs, h.IDs) || !slices.Equal(g.Tokens, h.Tokens) || !slices.Equal(g.WordIDs, h.WordIDs) ||
				!slices.Equal(g.Offsets, h.Offsets) || !slices.Equal(g.CharOffsets, h.CharOffsets) || g.Truncated != h.Truncated {
				t.Errorf("%q:\n go %v %q %v %v\n hf %v %q %v %v", text, g.IDs, g.Tokens, g.WordIDs, g.Offsets, h.IDs, h.Tokens, h.WordIDs, h.Offsets)
			}
			if gd, hd := goTok.Decode(g.IDs, true), hfTok.Decode(h.IDs, true); gd != hd {
				t.Errorf("%q: decode %q vs %q", text, gd, hd)
			}
		}
	}
}
