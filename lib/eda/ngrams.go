package eda

import (
	"fmt"
	"slices"
	"unicode/utf8"
)

// NgramCounter counts word n-grams of one or more sizes over documents. For a
// size n, Top(n, k) equals the column sums of scikit-learn's
// CountVectorizer(ngram_range=(n, n)).fit_transform(docs): Tokens per
// document, n-grams joined by single spaces, never across documents.
//
// With a capacity > 0 each size keeps at most that many distinct n-grams (see
// Counter), which bounds memory on millions of reviews. Not safe for
// concurrent use.
type NgramCounter struct {
	sizes    []int
	counters []*Counter
	tok      tokenizer
	docs     int64
}

// NewNgramCounter counts n-grams of the given sizes (each >= 1), keeping at
// most capacity distinct n-grams per size (<= 0: unbounded, exact).
func NewNgramCounter(capacity int, sizes ...int) (*NgramCounter, error) {
	if len(sizes) == 0 {
		return nil, fmt.Errorf("n-gram counter: no n-gram size given (want e.g. 1, 2, 3)")
	}
	nc := &NgramCounter{}
	for _, n := range sizes {
		if n < 1 {
			return nil, fmt.Errorf("n-gram size %d: must be at least 1", n)
		}
		if slices.Contains(nc.sizes, n) {
			continue
		}
		nc.sizes = append(nc.sizes, n)
		nc.counters = append(nc.counters, NewCounter(capacity))
	}
	return nc, nil
}

// Add counts the n-grams of one document. Text that is not valid UTF-8 is
// rejected (Python could not have decoded it either) and nothing is counted.
func (nc *NgramCounter) Add(text string) error {
	if !utf8.ValidString(text) {
		return errInvalidUTF8(text)
	}
	nc.docs++
	t := &nc.tok
	t.tokenize(text)
	for i, n := range nc.sizes {
		c := nc.counters[i]
		for j := 0; j+n <= len(t.starts); j++ {
			c.addBytes(t.buf[t.starts[j]:t.ends[j+n-1]])
		}
	}
	return nil
}

// Docs is the number of documents added.
func (nc *NgramCounter) Docs() int64 { return nc.docs }

// Counter returns the counter of n-grams of size n, or nil if n is not counted.
func (nc *NgramCounter) Counter(n int) *Counter {
	if i := slices.Index(nc.sizes, n); i >= 0 {
		return nc.counters[i]
	}
	return nil
}

// Top returns the k most frequent n-grams of size n by count descending, then
// n-gram ascending; nil if n is not counted.
func (nc *NgramCounter) Top(n, k int) []TermCount {
	if c := nc.Counter(n); c != nil {
		return c.Top(k)
	}
	return nil
}

// errInvalidUTF8 names the first bad byte so the user can find it.
func errInvalidUTF8(text string) error {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size == 1 {
			start := max(0, i-20)
			return fmt.Errorf("review text is not valid UTF-8 (byte 0x%02x at offset %d, after %q): re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)", text[i], i, text[start:i])
		}
		i += size
	}
	return fmt.Errorf("review text is not valid UTF-8: re-encode the file as UTF-8")
}
