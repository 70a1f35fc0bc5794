package eda

import (
	"strings"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/polarityml/polarity/lib/dataset"
)

func TestFrameAndColumnCheck(t *testing.T) {
	reviews := []dataset.Review{{Label: 1, Text: "Great CD"}, {Label: 0, Text: "Broke"}, {Label: 1, Text: "Fine"}}
	df := dataset.Frame(reviews, 0)
	if err := CheckFrame(df); err != nil {
		t.Fatal(err)
	}
	if df.Nrow() != 3 || df.Col(dataset.SentimentColumn).Type() != series.Int {
		t.Errorf("frame: %d rows, sentiment type %s", df.Nrow(), df.Col(dataset.SentimentColumn).Type())
	}
	table := ColumnTable(df)
	if len(table) != 3 || strings.Join(table[2], " ") != "sentiment int 3 2" {
		t.Errorf("column table %q", table)
	}
}

func TestCheckFrameNamesTheProblem(t *testing.T) {
	for _, tc := range []struct {
		df   dataframe.DataFrame
		want string
	}{
		{dataset.Frame(nil, 0), "no reviews"},
		{dataset.Frame([]dataset.Review{{Label: 1, Text: "ok"}}, 0), "no negative reviews"},
		{dataset.Frame([]dataset.Review{{Label: 0, Text: ""}, {Label: 1, Text: "x"}}, 0), "row 0: review is empty"},
		{dataset.Frame([]dataset.Review{{Label: 0, Text: "a"}, {Label: 3, Text: "x"}}, 0), `row 1: sentiment "3"`},
		{dataframe.New(series.New([]string{"a"}, series.String, "text")), "columns are"},
	} {
		if err := CheckFrame(tc.df); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckFrame: %v, want an error containing %q", err, tc.want)
		}
	}
}

func TestStatsTable(t *testing.T) {
	r, err := Analyze([]dataset.Review{{Label: 0, Text: "bad bad"}, {Label: 1, Text: "good one here"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := StatsTable(r)
	if len(rows) != 3 || rows[1][0] != "negative" || rows[2][1] != "1" || rows[2][5] != "3.0" {
		t.Errorf("stats table %q", rows)
	}
}
