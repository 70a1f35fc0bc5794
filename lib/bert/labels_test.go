package bert

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestLabelMapByName(t *testing.T) {
	cases := []struct {
		labels   []string
		polarity []int
		byName   bool
		identity bool
	}{
		{[]string{"negative", "positive"}, []int{Negative, Positive}, true, true},
		{[]string{"NEGATIVE", "POSITIVE"}, []int{Negative, Positive}, true, true}, // distilbert-…-sst-2-english
		{[]string{"POSITIVE", "NEGATIVE"}, []int{Positive, Negative}, true, false},
		{[]string{"LABEL_0", "LABEL_1"}, []int{Negative, Positive}, false, true},
		{[]string{"0", "1"}, []int{Negative, Positive}, false, true},
		{[]string{"pos", "neg"}, []int{Positive, Negative}, true, false},
		{[]string{"neg", "neutral", "pos"}, []int{Negative, Neutral, Positive}, true, false},
		{[]string{"Very Negative", "Negative", "Neutral", "Positive", "Very Positive"},
			[]int{Negative, Negative, Neutral, Positive, Positive}, true, false},
		{[]string{"1 star", "2 stars", "3 stars", "4 stars", "5 stars"}, // nlptown/bert-base-multilingual-uncased-sentiment
			[]int{Negative, Negative, Neutral, Positive, Positive}, true, false},
	}
	for _, c := range cases {
		cfg := Tiny()
		cfg.SetLabels(c.labels...)
		m, err := cfg.LabelMap()
		if err != nil {
			t.Errorf("%q: %v", c.labels, err)
			continue
		}
		if !slices.Equal(m.Polarity, c.polarity) || m.ByName != c.byName || m.Identity() != c.identity {
			t.Errorf("%q: polarity %v by name %v identity %v, want %v %v %v", c.labels, m.Polarity, m.ByName, m.Identity(),
				c.polarity, c.byName, c.identity)
		}
		if s := m.String(); !strings.Contains(s, c.labels[0]+" → ") || m.ByName != strings.HasPrefix(s, "by name") {
			t.Errorf("%q: String %q", c.labels, s)
		}
	}
	// No id2label at all: transformers' default names, by id.
	cfg := Tiny()
	cfg.ID2Label, cfg.Label2ID = nil, nil
	if m, err := cfg.LabelMap(); err != nil || m.ByName || !m.Identity() || !strings.Contains(m.String(), "LABEL_1 → positive") {
		t.Errorf("no id2label: %v, %v", m, err)
	}
}

func TestLabelMapRefusesAmbiguousClasses(t *testing.T) {
	cases := []struct {
		labels []string
		want   string
	}{
		{[]string{"positive", "positive"}, "ambiguous"},
		{[]string{"negative", "neutral"}, "ambiguous"},
		{[]string{"negative", "neutral", "bad"}, "ambiguous"}, // no positive class
		{[]string{"toxic", "non-toxic"}, `"toxic"`},
		{[]string{"negative", "LABEL_1"}, "mix named and unnamed"},
		{[]string{"LABEL_0", "LABEL_1", "LABEL_2"}, "have no names"},
		{[]string{"LABEL_1", "LABEL_0"}, `"LABEL_1"`}, // names that disagree with their ids
	}
	for _, c := range cases {
		cfg := Tiny()
		cfg.SetLabels(c.labels...)
		_, err := cfg.LabelMap()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "id2label") {
			t.Errorf("%q: err %v, want %q and the fix", c.labels, err, c.want)
		}
	}
}

func TestLabelMapProbabilities(t *testing.T) {
	cfg := Tiny()
	cfg.SetLabels("POSITIVE", "NEGATIVE")
	m, _ := cfg.LabelMap()
	p := m.Probabilities([]float32{2, 0})
	if want := 1 / (1 + math.Exp(-2)); math.Abs(p[Positive]-want) > 1e-12 || m.Decide([]float32{2, 0}) != Positive {
		t.Fatalf("swapped head: %v, want P(positive) %v", p, want)
	}
	cfg.SetLabels("1 star", "2 stars", "3 stars", "4 stars", "5 stars")
	m, _ = cfg.LabelMap()
	// 3 stars dominates and drops out: 1+2 stars against 4+5 stars, without underflow.
	logits := []float32{-2000, -2001, 0, -2003, -2000}
	p = m.Probabilities(logits)
	e := math.Exp(-1.0)
	e3 := math.Exp(-3.0)
	if want := (e3 + 1) / (1 + e + e3 + 1); math.Abs(p[Positive]-want) > 1e-12 || math.IsNaN(p[Negative]) {
		t.Fatalf("stars: %v, want P(positive) %v", p, want)
	}
	if m.Decide(logits) != Negative {
		t.Fatal("stars: want negative (1+2 stars outweigh 4+5)")
	}
	cfg.SetLabels("negative", "positive")
	m, _ = cfg.LabelMap()
	if m.Decide([]float32{0, 0}) != Negative {
		t.Fatal("a tie must be negative (argmax's first class)")
	}
}
