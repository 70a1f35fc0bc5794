package eda

import (
	"unicode"
	"unicode/utf8"
)

// isPySpace reports whether Python's str.isspace() is true for r, which is
// what str.split() with no argument splits on: Unicode White_Space plus the
// ASCII information separators U+001C..U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// Fields splits text like Python's str.split() with no argument: on runs of
// whitespace, with no empty words.
func Fields(text string) []string {
	var out []string
	forEachField(text, func(w string) { out = append(out, w) })
	return out
}

// forEachField calls f for every whitespace-separated word of text.
func forEachField(text string, f func(string)) {
	start := -1
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if isPySpace(r) {
			if start >= 0 {
				f(text[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start >= 0 {
		f(text[start:])
	}
}

// Lengths are the per-review numbers behind the seed's histograms: characters
// (Python len, i.e. code points), whitespace-separated words, and the mean
// length in code points of those words.
type Lengths struct {
	Chars int
	Words int
	// MeanWordLen is the mean word length; it is NaN-free: HasWords is false
	// (and MeanWordLen 0) for a review with no words, which the seed's
	// np.mean of an empty list turned into NaN and seaborn then dropped.
	MeanWordLen float64
	HasWords    bool
}

// Measure computes the Lengths of one review.
func Measure(text string) Lengths {
	l := Lengths{Chars: utf8.RuneCountInString(text)}
	letters := 0
	forEachField(text, func(w string) {
		l.Words++
		letters += utf8.RuneCountInString(w)
	})
	if l.Words > 0 {
		l.HasWords = true
		l.MeanWordLen = float64(letters) / float64(l.Words)
	}
	return l
}
