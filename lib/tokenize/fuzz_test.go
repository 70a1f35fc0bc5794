package tokenize

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzEncode checks invariants on arbitrary input (run for long with
// `go test -fuzz FuzzEncode ./lib/tokenize`): no panics; ids in the
// vocabulary; [CLS] first and [SEP] last; at most MaxLength tokens, the
// truncated encoding being a prefix of the full one; word ids that never
// decrease; offsets inside the text, on code point boundaries (of valid
// UTF-8), starting in order; char
// offsets agreeing with byte offsets; safe mode never yielding a special id
// inside the text.
func FuzzEncode(f *testing.F) {
	for _, c := range loadGolden(f) {
		f.Add(c.Text)
	}
	f.Add("\xff\xfe[SEP\x00]é\u0301[MASK][MASK")
	full := defaultTokenizer(f)
	short := defaultTokenizer(f, WithMaxLength(8))
	safe := defaultTokenizer(f, WithSafeSpecials(), WithMaxLength(64))
	f.Fuzz(func(t *testing.T, text string) {
		e := full.Encode(text)
		checkEncoding(t, full, text, e, false)
		s := short.Encode(text)
		checkEncoding(t, short, text, s, false)
		if s.Truncated != (e.Len() > 8) || (!s.Truncated && !slices.Equal(s.IDs, e.IDs)) {
			t.Fatalf("max length 8: %d tokens (truncated %v) from %d", s.Len(), s.Truncated, e.Len())
		}
		if s.Truncated && (!slices.Equal(s.IDs[:7], e.IDs[:7]) || !slices.Equal(s.WordIDs[:7], e.WordIDs[:7])) {
			t.Fatalf("truncated ids %v are not a prefix of %v", s.IDs, e.IDs)
		}
		checkEncoding(t, safe, text, safe.Encode(text), true)
		full.Decode(e.IDs, true)
	})
}

func checkEncoding(t *testing.T, tok Tokenizer, text string, e Encoding, safe bool) {
	t.Helper()
	n := e.Len()
	sp := tok.Specials()
	if n < 2 || e.IDs[0] != sp.CLS || e.IDs[n-1] != sp.SEP || (tok.MaxLength() > 0 && n > tok.MaxLength()) {
		t.Fatalf("%q: %d tokens %v", text, n, e.IDs)
	}
	for _, l := range []int{len(e.Tokens), len(e.AttentionMask), len(e.TypeIDs), len(e.WordIDs), len(e.Offsets), len(e.CharOffsets)} {
		if l != n {
			t.Fatalf("%q: field lengths differ from %d ids", text, n)
		}
	}
	if e.WordIDs[0] != NoWord || e.WordIDs[n-1] != NoWord {
		t.Fatalf("%q: template tokens have word ids %v", text, e.WordIDs)
	}
	valid := utf8.ValidString(text) // invalid bytes decode (and are removed) one at a time
	lastWord, lastStart, lastCharStart := int32(-1), 0, 0
	for i := 1; i < n-1; i++ {
		id, w, o, co := e.IDs[i], e.WordIDs[i], e.Offsets[i], e.CharOffsets[i]
		if tokStr, ok := tok.IDToken(id); !ok || tokStr != e.Tokens[i] {
			t.Fatalf("%q: token %d id %d is %q, not in vocabulary as %q", text, i, id, tokStr, e.Tokens[i])
		}
		if safe && (id == sp.CLS || id == sp.SEP || id == sp.MASK || id == sp.PAD) {
			t.Fatalf("%q: safe mode produced special id %d inside the text", text, id)
		}
		if w < lastWord || w > lastWord+1 {
			t.Fatalf("%q: word ids %v jump or go back", text, e.WordIDs)
		}
		lastWord = w
		if o.Start < lastStart || o.End <= o.Start || o.End > len(text) ||
			valid && (!utf8.RuneStart(text[o.Start]) || (o.End < len(text) && !utf8.RuneStart(text[o.End]))) {
			t.Fatalf("%q: token %d offsets %v (previous start %d)", text, i, o, lastStart)
		}
		if co.Start != utf8.RuneCountInString(text[:o.Start]) || co.End != utf8.RuneCountInString(text[:o.End]) || co.Start < lastCharStart {
			t.Fatalf("%q: token %d char offsets %v disagree with byte offsets %v", text, i, co, o)
		}
		lastStart, lastCharStart = o.Start, co.Start
		if e.AttentionMask[i] != 1 || e.TypeIDs[i] != 0 {
			t.Fatalf("%q: mask/type %d/%d", text, e.AttentionMask[i], e.TypeIDs[i])
		}
	}
}
