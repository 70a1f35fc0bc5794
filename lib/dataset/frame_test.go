package dataset

import (
	"slices"
	"testing"
)

func TestFrameHasTheSeedsColumns(t *testing.T) {
	reviews := numbered(25, 0)
	df := Frame(reviews, 20)
	if df.Err != nil {
		t.Fatal(df.Err)
	}
	if got := df.Names(); !slices.Equal(got, []string{ReviewColumn, SentimentColumn}) {
		t.Fatalf("columns %v", got)
	}
	if df.Nrow() != 20 {
		t.Fatalf("%d rows, want 20", df.Nrow())
	}
	labels, err := df.Col(SentimentColumn).Int()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if df.Col(ReviewColumn).Elem(i).String() != reviews[i].Text || labels[i] != reviews[i].Label {
			t.Fatalf("row %d differs from review %d", i, i)
		}
	}
	if Frame(reviews, 0).Nrow() != 25 {
		t.Error("n = 0 should take up to EDASampleSize rows")
	}
}
