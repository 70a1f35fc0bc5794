package tokenize

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// WordPiece is the pure-Go BERT tokenizer: BertNormalizer (uncased),
// BertPreTokenizer, WordPiece with "##" continuations and the
// [CLS] … [SEP] template. It is safe for concurrent use.
type WordPiece struct {
	vocab        map[string]int32 // word-initial pieces
	continuation map[string]int32 // "##x" pieces, keyed by x
	tokens       []string         // id → token
	special      []bool           // id → is a special (added) token
	maxPiece     int              // longest word-initial piece, bytes
	maxCont      int              // longest continuation piece without "##", bytes
	maxWordChars int              // longer words become [UNK]
	specials     Specials
	addedTexts   []addedToken // special tokens matched in raw text, longest first
	addedFirst   byte         // the first byte all addedTexts share ('[' for BERT), or 0
	maxLength    int
	safeSpecials bool
	prefix       string // continuation prefix, "##"
	tables       *charTables
	scratch      sync.Pool
}

// addedToken is a special token recognised verbatim in the input.
type addedToken struct {
	text string
	id   int32
}

// scratch is per-goroutine working memory, reused across Encode calls.
type scratch struct {
	word      []byte // the current word, normalized UTF-8
	wordStart []int  // byte offset in the input where the character at word[i] starts
	wordEnd   []int  // … and ends
	wordChars int
	ids       []int32
	words     []int32
	offs      []Offset
	nWords    int32
	limit     int // stop collecting after this many tokens (-1: no limit)
	truncated bool
}

// Specials implements Tokenizer.
func (w *WordPiece) Specials() Specials { return w.specials }

// VocabSize implements Tokenizer.
func (w *WordPiece) VocabSize() int { return len(w.tokens) }

// MaxLength implements Tokenizer.
func (w *WordPiece) MaxLength() int { return w.maxLength }

// TokenID implements Tokenizer.
func (w *WordPiece) TokenID(token string) (int32, bool) {
	if rest, ok := strings.CutPrefix(token, w.prefix); ok && w.prefix != "" {
		id, ok := w.continuation[rest]
		return id, ok
	}
	id, ok := w.vocab[token]
	return id, ok
}

// IDToken implements Tokenizer.
func (w *WordPiece) IDToken(id int32) (string, bool) {
	if id < 0 || int(id) >= len(w.tokens) {
		return "", false
	}
	return w.tokens[id], true
}

// Encode implements Tokenizer.
func (w *WordPiece) Encode(text string) Encoding {
	s, _ := w.scratch.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	enc := w.encode(s, text)
	w.scratch.Put(s)
	return enc
}

// EncodeBatch implements Tokenizer: texts are split among GOMAXPROCS workers.
func (w *WordPiece) EncodeBatch(texts []string) []Encoding {
	out := make([]Encoding, len(texts))
	workers := min(runtime.GOMAXPROCS(0), len(texts))
	if workers <= 1 {
		for i, t := range texts {
			out[i] = w.Encode(t)
		}
		return out
	}
	const chunk = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &scratch{}
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(texts) {
					return
				}
				for i := lo; i < min(lo+chunk, len(texts)); i++ {
					out[i] = w.encode(s, texts[i])
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// encode tokenizes text with the working memory s.
func (w *WordPiece) encode(s *scratch, text string) Encoding {
	s.ids, s.words, s.offs = s.ids[:0], s.words[:0], s.offs[:0]
	s.nWords, s.truncated = 0, false
	s.limit = -1
	if w.maxLength > 0 {
		s.limit = w.maxLength - 2
	}
	s.resetWord()
	pos := 0
	if !w.safeSpecials && len(w.addedTexts) > 0 {
		for pos < len(text) && !s.full() {
			at, tok := w.nextAdded(text, pos)
			if at < 0 {
				break
			}
			w.normalizeAndSplit(s, text, pos, at)
			s.flush(w)
			if !s.full() {
				s.push(tok.id, s.nWords, Offset{at, at + len(tok.text)})
				s.nWords++
			}
			pos = at + len(tok.text)
		}
	}
	if !s.full() {
		w.normalizeAndSplit(s, text, pos, len(text))
		s.flush(w)
	}
	return w.finish(s, text)
}

// nextAdded finds the leftmost special token in text[from:], longest on ties
// (Hugging Face matches non-normalized added tokens on the raw text).
func (w *WordPiece) nextAdded(text string, from int) (int, addedToken) {
	for i := from; i < len(text); i++ {
		if w.addedFirst != 0 {
			j := strings.IndexByte(text[i:], w.addedFirst)
			if j < 0 {
				return -1, addedToken{}
			}
			i += j
		}
		for _, a := range w.addedTexts { // longest first
			if strings.HasPrefix(text[i:], a.text) {
				return i, a
			}
		}
	}
	return -1, addedToken{}
}

// normalizeAndSplit runs the normalizer and the pre-tokenizer over
// text[from:to], passing each finished word to WordPiece.
func (w *WordPiece) normalizeAndSplit(s *scratch, text string, from, to int) {
	t := w.tables
	for i := from; i < to; {
		var info charInfo
		size := 1
		if c := text[i]; c < utf8.RuneSelf {
			info = t.ascii[c]
			if info.kind() == kindSingle && info.class() == classOther { // fast path: an ASCII word byte
				s.word = append(s.word, byte(info.value()))
				s.wordStart = append(s.wordStart, i)
				s.wordEnd = append(s.wordEnd, i+1)
				s.wordChars++
				i++
				continue
			}
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:to])
			info = t.lookup(r) // invalid UTF-8 decodes to U+FFFD, which clean_text removes
		}
		switch info.kind() {
		case kindSingle:
			s.emit(w, info.value(), info.class(), i, i+size)
		case kindMulti:
			for _, nc := range t.multi[info.value()] {
				s.emit(w, nc.r, nc.class, i, i+size)
			}
		}
		if s.full() {
			return
		}
		i += size
	}
}

// emit adds one normalized code point, from input bytes [start, end), to the
// current word, or ends the word on whitespace and punctuation.
func (s *scratch) emit(w *WordPiece, r rune, class charClass, start, end int) {
	switch class {
	case classSpace:
		s.flush(w)
		return
	case classPunct:
		s.flush(w)
	}
	n := len(s.word)
	s.word = utf8.AppendRune(s.word, r)
	for range len(s.word) - n {
		s.wordStart = append(s.wordStart, start)
		s.wordEnd = append(s.wordEnd, end)
	}
	s.wordChars++
	if class == classPunct {
		s.flush(w)
	}
}

func (s *scratch) resetWord() {
	s.word, s.wordStart, s.wordEnd, s.wordChars = s.word[:0], s.wordStart[:0], s.wordEnd[:0], 0
}

// full reports whether the token limit was passed (the rest is truncated).
func (s *scratch) full() bool { return s.truncated }

func (s *scratch) push(id, word int32, off Offset) {
	if s.limit >= 0 && len(s.ids) >= s.limit {
		s.truncated = true
		return
	}
	s.ids = append(s.ids, id)
	s.words = append(s.words, word)
	s.offs = append(s.offs, off)
}

// flush runs WordPiece over the current word: greedy longest-match-first
// against the vocabulary, "##" pieces after the first, [UNK] for the whole
// word when a piece is missing or the word is longer than maxWordChars.
func (s *scratch) flush(w *WordPiece) {
	word := s.word
	if len(word) == 0 || s.truncated {
		s.resetWord()
		return
	}
	defer func() { s.nWords++; s.resetWord() }()
	whole := Offset{s.wordStart[0], s.wordEnd[len(word)-1]}
	if s.wordChars > w.maxWordChars {
		s.push(w.specials.UNK, s.nWords, whole)
		return
	}
	mark := len(s.ids)
	for start := 0; start < len(word); {
		dict, longest := w.vocab, w.maxPiece
		if start > 0 {
			dict, longest = w.continuation, w.maxCont
		}
		end := min(len(word), start+longest)
		for end < len(word) && !utf8.RuneStart(word[end]) {
			end--
		}
		id := int32(-1)
		for end > start {
			if v, ok := dict[string(word[start:end])]; ok {
				id = v
				break
			}
			end--
			for end > start && !utf8.RuneStart(word[end]) {
				end--
			}
		}
		if id < 0 { // no piece fits: the whole word is unknown
			s.ids, s.words, s.offs = s.ids[:mark], s.words[:mark], s.offs[:mark]
			s.truncated = false
			s.push(w.specials.UNK, s.nWords, whole)
			return
		}
		s.push(id, s.nWords, Offset{s.wordStart[start], s.wordEnd[end-1]})
		start = end
	}
}

// finish wraps the collected tokens in [CLS] … [SEP] and copies them into a
// fresh Encoding (three allocations plus the char offsets of non-ASCII text).
func (w *WordPiece) finish(s *scratch, text string) Encoding {
	n := len(s.ids) + 2
	ints := make([]int32, 4*n)
	enc := Encoding{
		IDs:           ints[0:n:n],
		AttentionMask: ints[n : 2*n : 2*n],
		TypeIDs:       ints[2*n : 3*n : 3*n],
		WordIDs:       ints[3*n : 4*n : 4*n],
		Tokens:        make([]string, n),
		Truncated:     s.truncated,
	}
	offs := make([]Offset, 2*n)
	enc.Offsets = offs[0:n:n]
	enc.IDs[0], enc.IDs[n-1] = w.specials.CLS, w.specials.SEP
	copy(enc.IDs[1:], s.ids)
	enc.WordIDs[0], enc.WordIDs[n-1] = NoWord, NoWord
	copy(enc.WordIDs[1:], s.words)
	copy(enc.Offsets[1:], s.offs)
	for i, id := range enc.IDs {
		enc.AttentionMask[i] = 1
		enc.Tokens[i] = w.tokens[id]
	}
	if isASCII(text) {
		enc.CharOffsets = enc.Offsets
	} else {
		enc.CharOffsets = offs[n : 2*n : 2*n]
		charOffsets(text, enc.Offsets, enc.CharOffsets)
	}
	return enc
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// charOffsets converts byte offsets into code point offsets, counting as
// utf8.DecodeRuneInString does (each invalid byte is one code point). Offsets
// come in increasing order except the (0, 0) of specials, so one forward scan
// suffices.
func charOffsets(text string, bytes, chars []Offset) {
	valid := utf8.ValidString(text)
	pos, count := 0, 0 // byte position and the number of code points before it
	at := func(b int) int {
		if b < pos {
			pos, count = 0, 0
		}
		if valid { // count the bytes that start a code point
			for ; pos < b; pos++ {
				if text[pos]&0xC0 != 0x80 {
					count++
				}
			}
			return count
		}
		for pos < b {
			_, size := utf8.DecodeRuneInString(text[pos:])
			pos += size
			count++
		}
		return count
	}
	for i, o := range bytes {
		if o == (Offset{}) {
			chars[i] = o
			continue
		}
		chars[i] = Offset{at(o.Start), at(o.End)}
	}
}

// Decode implements Tokenizer with Hugging Face's WordPiece decoder
// (prefix "##", cleanup on).
func (w *WordPiece) Decode(ids []int32, skipSpecial bool) string {
	var b strings.Builder
	first := true
	for _, id := range ids {
		tok, ok := w.IDToken(id)
		if !ok || (skipSpecial && w.special[id]) {
			continue
		}
		if !first {
			if rest, ok := strings.CutPrefix(tok, w.prefix); ok {
				tok = rest
			} else {
				tok = " " + tok
			}
		}
		first = false
		b.WriteString(cleanupToken(tok))
	}
	return b.String()
}

// cleanupReplacer is the WordPiece decoder's cleanup, applied per token as
// Hugging Face does.
var cleanupReplacer = []struct{ old, new string }{
	{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
	{" n't", "n't"}, {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"},
	{" 've", "'ve"}, {" 're", "'re"},
}

func cleanupToken(tok string) string {
	for _, r := range cleanupReplacer {
		tok = strings.ReplaceAll(tok, r.old, r.new)
	}
	return tok
}
