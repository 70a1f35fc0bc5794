package eda

import (
	"fmt"
	"strconv"

	"github.com/go-gota/gota/dataframe"
	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/progress"
)

// CheckFrame is the seed's column check of the EDA DataFrame (see
// dataset.Frame): the DataFrame has exactly the
// columns review and sentiment, no missing or empty review, sentiments only
// 0 or 1, and both of them. The error names the first problem and its fix.
func CheckFrame(df dataframe.DataFrame) error {
	if df.Err != nil {
		return fmt.Errorf("DataFrame: %w", df.Err)
	}
	names := df.Names()
	if len(names) != 2 || names[0] != dataset.ReviewColumn || names[1] != dataset.SentimentColumn {
		return fmt.Errorf("DataFrame columns are %q; want [%q %q] (build it with dataset.Frame)", names, dataset.ReviewColumn, dataset.SentimentColumn)
	}
	if df.Nrow() == 0 {
		return ErrEmptyCorpus
	}
	reviews := df.Col(dataset.ReviewColumn)
	for i, text := range reviews.Records() {
		if reviews.Elem(i).IsNA() || text == "" {
			return fmt.Errorf("row %d: review is empty or missing; drop or fill such rows before the EDA", i)
		}
	}
	var counts [2]int
	sentiments := df.Col(dataset.SentimentColumn)
	for i, s := range sentiments.Records() {
		v, err := strconv.Atoi(s)
		if err != nil || (v != 0 && v != 1) || sentiments.Elem(i).IsNA() {
			return fmt.Errorf("row %d: sentiment %q is not 0 (negative) or 1 (positive)", i, s)
		}
		counts[v]++
	}
	for label, n := range counts {
		if n == 0 {
			return fmt.Errorf("no %s reviews (sentiment %d) among %d rows: the EDA compares both sentiments", ClassNames[label], label, df.Nrow())
		}
	}
	return nil
}

// ColumnTable describes each DataFrame column like pandas' df.info(): name,
// type, non-null count and distinct values; the first row is the header.
func ColumnTable(df dataframe.DataFrame) [][]string {
	rows := [][]string{{"column", "type", "non-null", "distinct"}}
	for _, name := range df.Names() {
		col := df.Col(name)
		nonNull, seen := 0, map[string]bool{}
		for i, v := range col.Records() {
			if !col.Elem(i).IsNA() {
				nonNull++
			}
			seen[v] = true
		}
		rows = append(rows, []string{name, string(col.Type()), strconv.Itoa(nonNull), strconv.Itoa(len(seen))})
	}
	return rows
}

// Analyze runs an Analyzer over reviews and returns its Report. With
// opts.Progress it shows a progress bar (HTML in a notebook, a terminal bar
// or log lines elsewhere).
func Analyze(reviews []dataset.Review, opts Options) (*Report, error) {
	a, err := NewAnalyzer(opts)
	if err != nil {
		return nil, err
	}
	var bar *progress.Bar
	if opts.Progress {
		bar = progress.New("EDA", int64(len(reviews)), "reviews")
		defer bar.Done()
	}
	for i, r := range reviews {
		if err := a.Add(r.Label, r.Text); err != nil {
			return nil, fmt.Errorf("review %d: %w", i, err)
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	return a.Report()
}

// StatsTable is the per-class length table (count, mean, median and p95 of
// characters and words per review, mean word length); the first row is the
// header.
func StatsTable(r *Report) [][]string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
	rows := [][]string{{"sentiment", "reviews", "chars mean", "chars median", "chars p95", "words mean", "words median", "words p95", "mean word length"}}
	for _, c := range r.Classes {
		rows = append(rows, []string{c.Name, strconv.FormatInt(c.Reviews, 10),
			f(c.Chars.Mean), f(c.Chars.Median), f(c.Chars.P95),
			f(c.Words.Mean), f(c.Words.Median), f(c.Words.P95),
			strconv.FormatFloat(c.MeanWordLen.Mean, 'f', 2, 64)})
	}
	return rows
}
