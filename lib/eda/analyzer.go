package eda

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// ClassNames are the display names of the two labels (0 and 1), the seed's
// "sentiment" values.
var ClassNames = [2]string{"negative", "positive"}

// Options configure an Analyzer.
type Options struct {
	// NgramSizes are the n-gram sizes counted (default 1, 2, 3).
	NgramSizes []int
	// TopK is how many words and n-grams are reported (default 20).
	TopK int
	// CloudWords is how many word-cloud words are kept per class (default 200,
	// WordCloud's max_words).
	CloudWords int
	// Capacity bounds the distinct terms each counter keeps (see Counter);
	// 0 keeps everything (exact, memory grows with the vocabulary). Use about
	// 1<<18 for millions of reviews.
	Capacity int
	// Progress makes Analyze show a progress bar.
	Progress bool
}

func (o Options) withDefaults() Options {
	if len(o.NgramSizes) == 0 {
		o.NgramSizes = []int{1, 2, 3}
	}
	if o.TopK <= 0 {
		o.TopK = 20
	}
	if o.CloudWords <= 0 {
		o.CloudWords = 200
	}
	return o
}

// Analyzer accumulates every EDA number over a stream of labelled reviews in
// one pass. Its memory is bounded by the largest review length, the counters'
// capacity and one float64 per review (for the mean-word-length density).
// Not safe for concurrent use.
type Analyzer struct {
	opts     Options
	classes  [2]*classStats
	allWords *Counter // whitespace words over all reviews, in input order
}

type classStats struct {
	chars, words IntDist
	meanWordLen  Values
	emptyWords   int64 // reviews with no word (no mean word length)
	wordCounts   *Counter
	ngrams       *NgramCounter
	cloud        *CloudCounter
}

// NewAnalyzer returns an empty Analyzer.
func NewAnalyzer(opts Options) (*Analyzer, error) {
	opts = opts.withDefaults()
	a := &Analyzer{opts: opts, allWords: NewCounter(opts.Capacity)}
	for i := range a.classes {
		ng, err := NewNgramCounter(opts.Capacity, opts.NgramSizes...)
		if err != nil {
			return nil, err
		}
		a.classes[i] = &classStats{wordCounts: NewCounter(opts.Capacity), ngrams: ng, cloud: NewCloudCounter(opts.Capacity)}
	}
	return a, nil
}

// Add accumulates one review. label must be 0 (negative) or 1 (positive);
// text must be valid UTF-8. A rejected review changes nothing.
func (a *Analyzer) Add(label int, text string) error {
	if label != 0 && label != 1 {
		return fmt.Errorf("review label %d: want 0 (negative) or 1 (positive)", label)
	}
	if !utf8.ValidString(text) {
		return errInvalidUTF8(text)
	}
	c := a.classes[label]
	l := Measure(text)
	c.chars.Add(l.Chars)
	c.words.Add(l.Words)
	if l.HasWords {
		c.meanWordLen.Add(l.MeanWordLen)
	} else {
		c.emptyWords++
	}
	forEachField(text, func(w string) {
		c.wordCounts.Add(w)
		a.allWords.Add(w)
	})
	if err := c.ngrams.Add(text); err != nil {
		return err
	}
	c.cloud.Add(text)
	return nil
}

// Reviews returns the number of reviews added per label.
func (a *Analyzer) Reviews() [2]int64 {
	return [2]int64{a.classes[0].chars.N(), a.classes[1].chars.N()}
}

// ErrEmptyCorpus is returned by Report when no review was added.
var ErrEmptyCorpus = errors.New("the corpus has no reviews: check the input file or --data source")

// Report computes the final numbers. It fails on an empty corpus and when a
// class has no reviews, naming it: plots of a missing class would be empty
// pictures presented as data.
func (a *Analyzer) Report() (*Report, error) {
	counts := a.Reviews()
	if counts[0]+counts[1] == 0 {
		return nil, ErrEmptyCorpus
	}
	for i, n := range counts {
		if n == 0 {
			return nil, fmt.Errorf("no %s reviews (label %d) among the %d reviews: the per-sentiment comparison needs both classes; check the labels of the input", ClassNames[i], i, counts[1-i])
		}
	}
	r := &Report{Reviews: counts[0] + counts[1], Ngrams: map[int][]TermCount{}}
	for i, c := range a.classes {
		cr, err := a.classReport(i, c)
		if err != nil {
			return nil, fmt.Errorf("%s reviews: %w", ClassNames[i], err)
		}
		r.Classes = append(r.Classes, cr)
	}
	r.TopWords = a.allWords.MostCommon(a.opts.TopK)
	for _, n := range a.opts.NgramSizes {
		r.Ngrams[n] = MergeTop(a.opts.TopK, a.classes[0].ngrams.Counter(n), a.classes[1].ngrams.Counter(n))
	}
	r.Exact = a.allWords.Exact()
	for _, c := range a.classes {
		r.Exact = r.Exact && c.wordCounts.Exact() && c.cloud.Exact()
		for _, n := range a.opts.NgramSizes {
			r.Exact = r.Exact && c.ngrams.Counter(n).Exact()
		}
	}
	lists := [][]TermCount{r.TopWords}
	for _, n := range a.opts.NgramSizes {
		lists = append(lists, r.Ngrams[n])
	}
	for _, c := range r.Classes {
		lists = append(lists, c.TopWords)
		for _, n := range a.opts.NgramSizes {
			lists = append(lists, c.Ngrams[n])
		}
	}
	for _, l := range lists {
		for _, tc := range l {
			r.MaxOverCount = max(r.MaxOverCount, tc.MaxOver)
		}
	}
	return r, nil
}

func (a *Analyzer) classReport(label int, c *classStats) (ClassReport, error) {
	cr := ClassReport{Label: label, Name: ClassNames[label], Reviews: c.chars.N(), NoWords: c.emptyWords, Ngrams: map[int][]TermCount{}}
	var err error
	if cr.Chars, err = c.chars.Summary(); err != nil {
		return cr, err
	}
	if cr.CharsHist, err = c.chars.Histogram(); err != nil {
		return cr, err
	}
	cr.Words, _ = c.words.Summary()
	cr.WordsHist, _ = c.words.Histogram()
	if c.meanWordLen.N() == 0 {
		return cr, fmt.Errorf("none of the %d reviews has a word, so there is no word length to plot", cr.Reviews)
	}
	cr.MeanWordLen, _ = c.meanWordLen.Summary()
	cr.MeanWordLenHist, _ = c.meanWordLen.Histogram()
	if kde, err := NewKDE(c.meanWordLen.Slice()); err == nil {
		cr.MeanWordLenKDE = new(Curve)
		cr.MeanWordLenKDE.Bandwidth = kde.Bandwidth
		cr.MeanWordLenKDE.X, cr.MeanWordLenKDE.Y = kde.Curve(cr.MeanWordLen.Min, cr.MeanWordLen.Max, 200)
	}
	cr.TopWords = c.wordCounts.MostCommon(a.opts.TopK)
	for _, n := range a.opts.NgramSizes {
		cr.Ngrams[n] = c.ngrams.Top(n, a.opts.TopK)
	}
	cr.CloudWords = c.cloud.Frequencies(a.opts.CloudWords)
	return cr, nil
}

// Report holds every number of the EDA, per class and overall.
type Report struct {
	// Source describes where the reviews came from (set by the caller).
	Source  string `json:"source,omitempty"`
	Reviews int64  `json:"reviews"`
	// Exact is false when a bounded counter evicted terms; counts are then
	// upper bounds (see Counter).
	Exact bool `json:"exact"`
	// MaxOverCount bounds how much any reported top word or n-gram count
	// may exceed its true count (0 while the counters are exact; word-cloud
	// counts are approximate whenever Exact is false).
	MaxOverCount int64         `json:"max_over_count"`
	Classes      []ClassReport `json:"classes"`
	// TopWords are the most common whitespace-separated words over all
	// reviews (the seed's Counter(...).most_common).
	TopWords []TermCount `json:"top_words"`
	// Ngrams maps n to the top n-grams over all reviews.
	Ngrams map[int][]TermCount `json:"ngrams"`
}

// ClassReport holds the numbers of one sentiment.
type ClassReport struct {
	Label   int    `json:"label"`
	Name    string `json:"name"`
	Reviews int64  `json:"reviews"`
	// NoWords counts reviews without any word: they have no mean word length.
	NoWords         int64               `json:"reviews_without_words"`
	Chars           Stats               `json:"chars"`
	Words           Stats               `json:"words"`
	MeanWordLen     Stats               `json:"mean_word_length"`
	CharsHist       Histogram           `json:"chars_histogram"`
	WordsHist       Histogram           `json:"words_histogram"`
	MeanWordLenHist Histogram           `json:"mean_word_length_histogram"`
	MeanWordLenKDE  *Curve              `json:"mean_word_length_kde,omitempty"`
	TopWords        []TermCount         `json:"top_words"`
	Ngrams          map[int][]TermCount `json:"ngrams"`
	CloudWords      []TermCount         `json:"cloud_words"`
}

// Curve is a sampled function, here a density estimate.
type Curve struct {
	Bandwidth float64   `json:"bandwidth"`
	X         []float64 `json:"x"`
	Y         []float64 `json:"y"`
}

// Save writes the report as JSON to path atomically (temporary file, then
// rename), e.g. to reuse it across notebook cells.
func (r *Report) Save(path string) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("saving EDA report: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("saving EDA report to %s: %w", path, werr)
	}
	return nil
}

// LoadReport reads a report written by Save.
func LoadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("EDA report: %w (run the analysis first)", err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("EDA report %s: %w", path, err)
	}
	return &r, nil
}
