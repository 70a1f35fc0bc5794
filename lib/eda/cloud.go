package eda

import (
	"bufio"
	_ "embed"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// stopwordsText is Python wordcloud's STOPWORDS set, one word a line,
// written by scripts/golden/eda.py from Debian's python3-wordcloud.
//
//go:embed stopwords.txt
var stopwordsText string

// Stopwords is the stop-word set of Python wordcloud (wordcloud.STOPWORDS),
// which the seed's WordCloud() used by default.
var Stopwords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(stopwordsText))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			m[pyLower(w)] = true
		}
	}
	return m
}()

// CollocationThreshold is WordCloud's default collocation_threshold.
const CollocationThreshold = 30

// CloudCounter computes word-cloud frequencies exactly as Python wordcloud's
// WordCloud().process_text does (v1.8, default settings) on the texts added,
// joined by spaces: words are matches of \w[\w']*, "'s" is cut, numbers are
// dropped, stop-words removed, case variants fused to the most frequent
// spelling, plurals merged into singulars, and bigrams whose Dunning
// likelihood-ratio score exceeds 30 become collocations ("customer service").
//
// Counts are kept per spelling; with a capacity > 0 the counters are bounded
// Space-Saving summaries (see Counter) and the result is approximate.
type CloudCounter struct {
	words   *Counter // every kept word, stop-words removed, as spelled
	bigrams *Counter // consecutive word pairs without stop-words, "w1 w2"
	prev    string   // last word of the previous text ("" if none)
	buf     []byte
}

// NewCloudCounter returns an empty CloudCounter (capacity as in NewCounter).
func NewCloudCounter(capacity int) *CloudCounter {
	return &CloudCounter{words: NewCounter(capacity), bigrams: NewCounter(capacity)}
}

// Exact reports whether no counter evicted a term.
func (cc *CloudCounter) Exact() bool { return cc.words.Exact() && cc.bigrams.Exact() }

// Add processes one text as if it followed the previous ones after a space.
func (cc *CloudCounter) Add(text string) {
	cloudWords(text, func(w string) {
		if strings.HasSuffix(pyLower(w), "'s") {
			w = w[:len(w)-2]
		}
		if isPyDigits(w) {
			return
		}
		stop := Stopwords[pyLower(w)]
		if cc.prev != "" && !stop {
			cc.buf = append(append(append(cc.buf[:0], cc.prev...), ' '), w...)
			cc.bigrams.addBytes(cc.buf)
		}
		if stop {
			cc.prev = ""
			return
		}
		cc.words.Add(w)
		cc.prev = w
	})
}

// cloudWords calls f for every match of \w[\w']* in text, the pattern
// WordCloud uses with its default min_word_length=0.
func cloudWords(text string, f func(string)) {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if r2 != '\'' && !isWordRune(r2) {
				break
			}
			j += s2
		}
		f(text[i:j])
		i = j
	}
}

// Frequencies returns the k most frequent cloud words (k <= 0: all) by count
// descending, ties in the order Python's dict would hold them, like
// WordCloud.generate_from_frequencies before it keeps max_words.
func (cc *CloudCounter) Frequencies(k int) []TermCount {
	uni, standard := processTokens(cc.words)
	bi, _ := processTokens(cc.bigrams)
	nWords := cc.words.Total()
	orig := make(map[string]int64, len(uni.index))
	for _, e := range uni.entries {
		orig[e.term] = e.count
	}
	for _, e := range bi.entries {
		w1, w2, _ := strings.Cut(e.term, " ")
		s1, ok1 := standard[pyLower(w1)]
		s2, ok2 := standard[pyLower(w2)]
		if !ok1 || !ok2 {
			continue
		}
		if collocationScore(e.count, orig[s1], orig[s2], nWords) > CollocationThreshold {
			uni.add(s1, -e.count)
			uni.add(s2, -e.count)
			uni.set(e.term, e.count)
		}
	}
	var out []TermCount
	for _, e := range uni.entries {
		if e.count > 0 {
			out = append(out, TermCount{Term: e.term, Count: e.count})
		}
	}
	slices.SortStableFunc(out, func(a, b TermCount) int {
		switch {
		case a.Count > b.Count:
			return -1
		case a.Count < b.Count:
			return 1
		}
		return 0
	})
	if k > 0 && len(out) > k {
		out = out[:k]
	}
	return out
}

// orderedCounts is a Python dict of counts: insertion-ordered.
type orderedCounts struct {
	index   map[string]int
	entries []orderedEntry
}

type orderedEntry struct {
	term  string
	count int64
}

func newOrderedCounts() *orderedCounts { return &orderedCounts{index: map[string]int{}} }

func (o *orderedCounts) add(term string, delta int64) {
	if i, ok := o.index[term]; ok {
		o.entries[i].count += delta
		return
	}
	o.index[term] = len(o.entries)
	o.entries = append(o.entries, orderedEntry{term: term, count: delta})
}

func (o *orderedCounts) set(term string, count int64) {
	if i, ok := o.index[term]; ok {
		o.entries[i].count = count
		return
	}
	o.add(term, count)
}

// processTokens is wordcloud.tokenization.process_tokens with
// normalize_plurals=True over the spellings counted in c (in first-seen
// order): it fuses case variants under their most frequent spelling and
// merges "xs" into "x" when both occur. It returns the fused counts and the
// map from lowercase form (and merged plural) to the chosen spelling.
func processTokens(c *Counter) (*orderedCounts, map[string]string) {
	// d: lowercase -> spelling counts, both insertion-ordered.
	d := map[string]*orderedCounts{}
	var keys []string
	for _, s := range c.slots {
		low := pyLower(s.term)
		cases, ok := d[low]
		if !ok {
			cases = newOrderedCounts()
			d[low] = cases
			keys = append(keys, low)
		}
		cases.add(s.term, s.count)
	}
	merged := map[string]string{}
	var mergedOrder []string
	for _, key := range keys {
		if !strings.HasSuffix(key, "s") || strings.HasSuffix(key, "ss") {
			continue
		}
		singular := key[:len(key)-1]
		ds, ok := d[singular]
		if !ok {
			continue
		}
		for _, e := range d[key].entries {
			ds.add(dropLastRune(e.term), e.count)
		}
		merged[key] = singular
		mergedOrder = append(mergedOrder, key)
		delete(d, key)
	}
	fused := newOrderedCounts()
	standard := map[string]string{}
	for _, key := range keys {
		cases, ok := d[key]
		if !ok {
			continue
		}
		best, total := "", int64(-1)
		var sum int64
		for _, e := range cases.entries {
			if e.count > total {
				best, total = e.term, e.count
			}
			sum += e.count
		}
		fused.set(best, sum)
		standard[key] = best
	}
	for _, plural := range mergedOrder {
		standard[plural] = standard[pyLower(merged[plural])]
	}
	return fused, standard
}

func dropLastRune(s string) string {
	_, n := utf8.DecodeLastRuneInString(s)
	return s[:len(s)-n]
}

// collocationScore is wordcloud's Dunning log-likelihood ratio of a bigram.
func collocationScore(c12, c1, c2, n int64) float64 {
	if n <= c1 || n <= c2 {
		return 0
	}
	N, C12, C1, C2 := float64(n), float64(c12), float64(c1), float64(c2)
	p := C2 / N
	p1 := C12 / C1
	p2 := (C2 - C12) / (N - C1)
	s := logL(C12, C1, p) + logL(C2-C12, N-C1, p) - logL(C12, C1, p1) - logL(C2-C12, N-C1, p2)
	return -2 * s
}

func logL(k, n, x float64) float64 {
	return math.Log(max(x, 1e-10))*k + math.Log(max(1-x, 1e-10))*(n-k)
}

// isPyDigits is Python's str.isdigit: non-empty and every character a digit
// (decimal digits, plus the superscript, subscript, circled and other digits
// that Unicode gives Numeric_Type=Digit).
func isPyDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) && !unicode.Is(otherDigits, r) {
			return false
		}
	}
	return true
}

// otherDigits are the characters with Numeric_Type=Digit outside category Nd
// (Unicode 14, from Python; TestPythonUnicodeClasses checks the table).
var otherDigits = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x00B2, Hi: 0x00B3, Stride: 1},
		{Lo: 0x00B9, Hi: 0x00B9, Stride: 1},
		{Lo: 0x1369, Hi: 0x1371, Stride: 1},
		{Lo: 0x19DA, Hi: 0x19DA, Stride: 1},
		{Lo: 0x2070, Hi: 0x2070, Stride: 1},
		{Lo: 0x2074, Hi: 0x2079, Stride: 1},
		{Lo: 0x2080, Hi: 0x2089, Stride: 1},
		{Lo: 0x2460, Hi: 0x2468, Stride: 1},
		{Lo: 0x2474, Hi: 0x247C, Stride: 1},
		{Lo: 0x2488, Hi: 0x2490, Stride: 1},
		{Lo: 0x24EA, Hi: 0x24EA, Stride: 1},
		{Lo: 0x24F5, Hi: 0x24FD, Stride: 1},
		{Lo: 0x24FF, Hi: 0x24FF, Stride: 1},
		{Lo: 0x2776, Hi: 0x277E, Stride: 1},
		{Lo: 0x2780, Hi: 0x2788, Stride: 1},
		{Lo: 0x278A, Hi: 0x2792, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0x10A40, Hi: 0x10A43, Stride: 1},
		{Lo: 0x10E60, Hi: 0x10E68, Stride: 1},
		{Lo: 0x11052, Hi: 0x1105A, Stride: 1},
		{Lo: 0x1F100, Hi: 0x1F10A, Stride: 1},
	},
}

// pyLower is Python's str.lower: Unicode lowercase with the two context or
// length changing rules of SpecialCasing that apply without a locale (İ
// becomes "i̇", and Σ becomes final ς at the end of a word).
func pyLower(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for i, r := range s {
		switch r {
		case 'İ':
			b.WriteString("i\u0307")
		case 'Σ':
			b.WriteRune(lowerSigma(s, i, utf8.RuneLen(r)))
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
