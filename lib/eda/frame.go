package eda

import (
	"fmt"
	"strconv"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/polarityml/polarity/lib/dataset"
)

// Column names of the seed's EDA DataFrame.
const (
	ReviewColumn    = "review"
	SentimentColumn = "sentiment"
)

// SampleSize is the seed's EDA sample: the first 10,000 reviews of the
// (already shuffled) training selection.
const SampleSize = 10000

// Head returns the first n reviews (all when there are fewer).
func Head(reviews []dataset.Review, n int) []dataset.Review {
	return reviews[:min(n, len(reviews))]
}

// Frame builds the seed's DataFrame: a string column "review" and an int
// column "sentiment" (0 negative, 1 positive). Use it for the small EDA
// sample only: gota needs gigabytes for millions of rows (stream those
// through an Analyzer instead).
func Frame(reviews []dataset.Review) dataframe.DataFrame {
	texts := make([]string, len(reviews))
	labels := make([]int, len(reviews))
	for i, r := range reviews {
		texts[i], labels[i] = r.Text, r.Label
	}
	return dataframe.New(
		series.New(texts, series.String, ReviewColumn),
		series.New(labels, series.Int, SentimentColumn),
	)
}

// CheckFrame is the seed's column check: the DataFrame has exactly the
// columns review and sentiment, no missing or empty review, sentiments only
// 0 or 1, and both of them. The error names the first problem and its fix.
func CheckFrame(df dataframe.DataFrame) error {
	if df.Err != nil {
		return fmt.Errorf("DataFrame: %w", df.Err)
	}
	names := df.Names()
	if len(names) != 2 || names[0] != ReviewColumn || names[1] != SentimentColumn {
		return fmt.Errorf("DataFrame columns are %q; want [%q %q] (build it with eda.Frame)", names, ReviewColumn, SentimentColumn)
	}
	if df.Nrow() == 0 {
		return ErrEmptyCorpus
	}
	reviews := df.Col(ReviewColumn)
	for i, text := range reviews.Records() {
		if reviews.Elem(i).IsNA() || text == "" {
			return fmt.Errorf("row %d: review is empty or missing; drop or fill such rows before the EDA", i)
		}
	}
	var counts [2]int
	sentiments := df.Col(SentimentColumn)
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

// Analyze runs an Analyzer over reviews and returns its Report.
func Analyze(reviews []dataset.Review, opts Options) (*Report, error) {
	a, err := NewAnalyzer(opts)
	if err != nil {
		return nil, err
	}
	for i, r := range reviews {
		if err := a.Add(r.Label, r.Text); err != nil {
			return nil, fmt.Errorf("review %d: %w", i, err)
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
