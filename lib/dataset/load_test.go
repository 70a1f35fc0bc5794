package dataset

import (
	"strings"
	"testing"
)

func TestLoadEmbeddedSample(t *testing.T) {
	for split, want := range map[string]int{"train": 20000, "test": 2000} {
		reviews, sum, err := LoadSummary(Source{Kind: Sample}, split)
		if err != nil {
			t.Fatal(err)
		}
		if len(reviews) != want || sum.Rows != want {
			t.Fatalf("%s: %d reviews (summary %d), want %d", split, len(reviews), sum.Rows, want)
		}
		if sum.InvalidLabels != 0 || sum.EmptyTexts != 0 {
			t.Errorf("%s: %s", split, sum)
		}
		// Balanced within a few standard deviations of a fair coin.
		if neg := float64(sum.Labels[Negative]) / float64(want); neg < 0.46 || neg > 0.54 {
			t.Errorf("%s: %.3f negative; the sample should be balanced", split, neg)
		}
		if sum.MinChars < 20 || sum.MaxChars > 3000 {
			t.Errorf("%s: lengths %d–%d chars out of the expected range", split, sum.MinChars, sum.MaxChars)
		}
	}
}

func TestLoadRejectsUnknownSplit(t *testing.T) {
	_, err := Load(Source{Kind: Sample}, "validation")
	if err == nil || !strings.Contains(err.Error(), `use "train" or "test"`) {
		t.Fatalf("error %v does not name the valid splits", err)
	}
}
