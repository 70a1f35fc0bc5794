package dataset

import (
	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// EDASampleSize is how many reviews the seed notebook explores as a
// DataFrame. gota is fine at this size (about 27 MB) but needs gigabytes for
// a whole 3.6M-row split: stream those with Scan instead.
const EDASampleSize = 10000

// Frame column names, as in the seed notebook's pandas DataFrame.
const (
	ReviewColumn    = "review"
	SentimentColumn = "sentiment"
)

// Frame puts the first min(n, len(reviews)) reviews in a gota DataFrame with
// the seed's columns: "review" (string) and "sentiment" (int, 0 = negative,
// 1 = positive). n <= 0 means EDASampleSize.
func Frame(reviews []Review, n int) dataframe.DataFrame {
	if n <= 0 {
		n = EDASampleSize
	}
	reviews = reviews[:min(n, len(reviews))]
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
