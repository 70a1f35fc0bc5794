// Package eda is the exploratory data analysis of review corpora: the numbers
// behind the seed notebook's plots (length distributions, word and n-gram
// counts, word-cloud frequencies, kernel density estimates) computed with the
// same rules as the Python libraries the seed used (scikit-learn's
// CountVectorizer, collections.Counter over str.split, numpy's histogram,
// scipy's gaussian_kde, wordcloud's WordCloud), plus streaming counters that
// summarise millions of reviews in bounded memory.
//
// Plots of these numbers live in package eda/plots.
package eda

import (
	"unicode"
	"unicode/utf8"
)

// Tokens splits text into words exactly as scikit-learn's CountVectorizer does
// by default: the text is lowercased like Python's str.lower, then every match
// of the token pattern (?u)\b\w\w+\b is a token. With Python's Unicode-aware
// \w that is every maximal run of two or more letters, digits or underscores
// (combining marks are not word characters).
func Tokens(text string) []string {
	var t tokenizer
	t.tokenize(text)
	out := make([]string, len(t.starts))
	for i := range t.starts {
		out[i] = string(t.buf[t.starts[i]:t.ends[i]])
	}
	return out
}

// tokenizer holds reusable buffers: buf receives the lowercased tokens of one
// document joined by single spaces, so that the n-gram of tokens i..j is the
// contiguous slice buf[starts[i]:ends[j]].
type tokenizer struct {
	buf    []byte
	starts []int
	ends   []int
	// run state
	runStart int
	runLen   int // code points in the current run
}

func (t *tokenizer) reset() {
	t.buf = t.buf[:0]
	t.starts = t.starts[:0]
	t.ends = t.ends[:0]
	t.runStart = -1
	t.runLen = 0
}

// wordRune appends a lowercased word character to the current run.
func (t *tokenizer) wordRune(r rune) {
	if t.runLen == 0 {
		if len(t.starts) > 0 {
			t.buf = append(t.buf, ' ')
		}
		t.runStart = len(t.buf)
	}
	t.buf = utf8.AppendRune(t.buf, r)
	t.runLen++
}

// breakRun ends the current run: it becomes a token when at least two code
// points long, and is discarded otherwise.
func (t *tokenizer) breakRun() {
	switch {
	case t.runLen >= 2:
		t.starts = append(t.starts, t.runStart)
		t.ends = append(t.ends, len(t.buf))
	case t.runLen == 1:
		cut := t.runStart
		if len(t.starts) > 0 {
			cut-- // the separator written before the run
		}
		t.buf = t.buf[:cut]
	}
	t.runLen = 0
}

// tokenize fills t with the tokens of text.
func (t *tokenizer) tokenize(text string) {
	t.reset()
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '_':
				t.wordRune(rune(c))
			case 'A' <= c && c <= 'Z':
				t.wordRune(rune(c + 'a' - 'A'))
			default:
				t.breakRun()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch r {
		case 'İ': // Python: "İ".lower() == "i\u0307"; U+0307 is a combining mark, not \w.
			t.wordRune('i')
			t.breakRun()
		case 'Σ':
			t.wordRune(lowerSigma(text, i, size))
		default:
			if lr := unicode.ToLower(r); isWordRune(lr) {
				t.wordRune(lr)
			} else {
				t.breakRun()
			}
		}
		i += size
	}
	t.breakRun()
}

// isWordRune reports whether Python's re module matches r with \w in a str
// pattern: str.isalnum() (letters Lu Ll Lt Lm Lo, and numbers Nd Nl No) or '_'.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// lowerSigma lowercases the capital sigma at text[i:i+size] the way CPython
// does: final sigma (ς) when preceded by a cased letter and not followed by
// one, ignoring case-ignorable characters in between; σ otherwise.
func lowerSigma(text string, i, size int) rune {
	before := text[:i]
	cased := false
	for len(before) > 0 {
		r, n := utf8.DecodeLastRuneInString(before)
		before = before[:len(before)-n]
		if !isCaseIgnorable(r) {
			cased = isCased(r)
			break
		}
	}
	if !cased {
		return 'σ'
	}
	after := text[i+size:]
	for len(after) > 0 {
		r, n := utf8.DecodeRuneInString(after)
		after = after[n:]
		if !isCaseIgnorable(r) {
			if isCased(r) {
				return 'σ'
			}
			break
		}
	}
	return 'ς'
}

// isCased is Unicode's Cased property: Lu, Ll, Lt, Other_Lowercase, Other_Uppercase.
func isCased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// isCaseIgnorable is Unicode's Case_Ignorable property: Mn, Me, Cf, Lm, Sk and
// the Word_Break classes MidLetter, MidNumLet and Single_Quote.
func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '\u00B7', '\u0387', '\u055F', '\u05F4', '\u2018', '\u2019', '\u2024',
		'\u2027', '\uFE13', '\uFE52', '\uFE55', '\uFF07', '\uFF0E', '\uFF1A':
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
