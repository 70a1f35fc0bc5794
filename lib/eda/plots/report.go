package plots

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/polarityml/polarity/lib/atomicfile"
	"github.com/polarityml/polarity/lib/eda"
)

// Figures returns every chart of the seed's EDA for a report, in the order
// the notebook shows them (word clouds are separate: see Clouds).
func Figures(r *eda.Report) ([]*Figure, error) {
	if err := checkClasses(r); err != nil {
		return nil, err
	}
	var figs []*Figure
	for _, q := range []Quantity{CharsPerReview, WordsPerReview, MeanWordLength} {
		f, err := LengthHistograms(r, q)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	f, err := TopWordsChart(r)
	if err != nil {
		return nil, err
	}
	figs = append(figs, f)
	for _, n := range sortedSizes(r.Ngrams) {
		for _, chart := range []func(*eda.Report, int) (*Figure, error){NgramChart, NgramChartByClass} {
			f, err := chart(r, n)
			if err != nil {
				return nil, err
			}
			figs = append(figs, f)
		}
	}
	return figs, nil
}

// TopWordsChart is the seed's most common words (whitespace split, like
// collections.Counter) over all reviews.
func TopWordsChart(r *eda.Report) (*Figure, error) {
	f, err := TopTerms("top_words", fmt.Sprintf("Most common words (whitespace split), all %s reviews", groupThousands(r.Reviews)), "occurrences", r.TopWords, Neutral)
	if err != nil {
		return nil, fmt.Errorf("most common words: %w", err)
	}
	return f, nil
}

// NgramChart is the top n-grams over all reviews (the seed's chart).
func NgramChart(r *eda.Report, n int) (*Figure, error) {
	name := ngramName(n)
	f, err := TopTerms("top_"+name, fmt.Sprintf("Top %d %s, all %s reviews", len(r.Ngrams[n]), name, groupThousands(r.Reviews)), "occurrences", r.Ngrams[n], Neutral)
	if err != nil {
		return nil, fmt.Errorf("top %s: %w", name, err)
	}
	return f, nil
}

// NgramChartByClass is the top n-grams of each sentiment side by side.
func NgramChartByClass(r *eda.Report, n int) (*Figure, error) {
	name := ngramName(n)
	return TopTermsByClass("top_"+name+"_by_sentiment", fmt.Sprintf("Top %s by sentiment", name), "occurrences", r,
		func(c eda.ClassReport) []eda.TermCount { return c.Ngrams[n] })
}

// Cloud is a rendered word cloud of one sentiment.
type Cloud struct {
	Name  string // file stem, e.g. "wordcloud_negative"
	Title string
	PNG   []byte
}

// Clouds renders one word cloud per sentiment in its class colour.
func Clouds(r *eda.Report, seed uint64) ([]Cloud, error) {
	if err := checkClasses(r); err != nil {
		return nil, err
	}
	var out []Cloud
	for _, c := range r.Classes {
		png, err := WordCloudPNG(c.CloudWords, CloudOptions{Color: ClassColors[c.Label], Seed: seed})
		if err != nil {
			return nil, fmt.Errorf("%s reviews: %w", c.Name, err)
		}
		out = append(out, Cloud{Name: "wordcloud_" + c.Name, Title: fmt.Sprintf("Word cloud of %s reviews (%d most frequent words)", c.Name, len(c.CloudWords)), PNG: png})
	}
	return out, nil
}

// WriteReport writes every figure as NAME.png and NAME.svg, the word clouds as
// PNG, and every number as report.json into dir (created if needed). Each file
// is written to a temporary name and renamed, so none is left half-written.
// It returns the paths written.
func WriteReport(dir string, r *eda.Report, seed uint64) ([]string, error) {
	figs, err := Figures(r)
	if err != nil {
		return nil, err
	}
	clouds, err := Clouds(r, seed)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	put := func(name string, data []byte) error {
		path := filepath.Join(dir, name)
		if err := atomicfile.WriteBytes(path, data); err != nil {
			return err
		}
		written = append(written, path)
		return nil
	}
	for _, f := range figs {
		png, err := f.PNG()
		if err != nil {
			return written, err
		}
		svg, err := f.SVG()
		if err != nil {
			return written, err
		}
		if err := put(f.Name+".png", png); err != nil {
			return written, err
		}
		if err := put(f.Name+".svg", svg); err != nil {
			return written, err
		}
	}
	for _, c := range clouds {
		if err := put(c.Name+".png", c.PNG); err != nil {
			return written, err
		}
	}
	js, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return written, err
	}
	return written, put("report.json", append(js, '\n'))
}

func sortedSizes(m map[int][]eda.TermCount) []int { return slices.Sorted(maps.Keys(m)) }

func ngramName(n int) string {
	switch n {
	case 1:
		return "unigrams"
	case 2:
		return "bigrams"
	case 3:
		return "trigrams"
	}
	return strconv.Itoa(n) + "-grams"
}
