package baseline

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/dataset"
)

// golden is what scripts/golden/baseline.py writes from scikit-learn.
type golden struct {
	Versions  map[string]string `json:"versions"`
	Train     [][2]any          `json:"train"`
	Test      [][2]any          `json:"test"`
	Terms     []string          `json:"terms"`
	IDF       []float64         `json:"idf"`
	TestTfidf []struct {
		Indices []int32   `json:"indices"`
		Values  []float64 `json:"values"`
	} `json:"test_tfidf"`
	LBFGS, Exact struct {
		Coef      []float64 `json:"coef"`
		Intercept float64   `json:"intercept"`
		Proba     []float64 `json:"proba"`
		Predict   []int     `json:"predict"`
	}
	Accuracy float64 `json:"accuracy"`
	F1Macro  float64 `json:"f1_macro"`
}

func loadGolden(t *testing.T) (*golden, []dataset.Review, []dataset.Review) {
	t.Helper()
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	reviews := func(rows [][2]any) []dataset.Review {
		out := make([]dataset.Review, len(rows))
		for i, r := range rows {
			out[i] = dataset.Review{Label: int(r[0].(float64)), Text: r[1].(string)}
		}
		return out
	}
	return &g, reviews(g.Train), reviews(g.Test)
}

func maxDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// TestMatchesScikitLearn compares vocabulary, idf, TF-IDF vectors,
// coefficients, probabilities and predictions with scikit-learn's
// TfidfVectorizer(ngram_range=(1, 2)) + LogisticRegression() on a fixed corpus.
func TestMatchesScikitLearn(t *testing.T) {
	g, train, test := loadGolden(t)
	t.Logf("golden from %v", g.Versions)
	m, err := Train(train, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := m.Vectorizer
	if !slices.Equal(v.Terms, g.Terms) {
		i := 0
		for i < min(len(v.Terms), len(g.Terms)) && v.Terms[i] == g.Terms[i] {
			i++
		}
		t.Fatalf("vocabulary: %d terms, sklearn %d; they first differ at term %d", len(v.Terms), len(g.Terms), i)
	}
	if d := maxDiff(v.IDF, g.IDF); d > 1e-12 {
		t.Errorf("idf differs from sklearn by up to %g", d)
	}
	for i, r := range test {
		ids, values := v.Transform(r.Text)
		want := g.TestTfidf[i]
		if !slices.Equal(ids, want.Indices) || maxDiff(values, want.Values) > 1e-12 {
			t.Fatalf("tf-idf of test text %d %q:\n got %v %v\nwant %v %v", i, r.Text, ids, values, want.Indices, want.Values)
		}
	}
	for _, ref := range []struct {
		name     string
		coef     []float64
		b        float64
		proba    []float64
		predict  []int
		tol      float64
		probaTol float64
	}{
		// The exact optimum (newton-cholesky, tol 1e-12): the same solution.
		{"exact", g.Exact.Coef, g.Exact.Intercept, g.Exact.Proba, g.Exact.Predict, 1e-6, 1e-7},
		// What a user of LogisticRegression() gets (lbfgs stopped at tol 1e-4).
		{"lbfgs", g.LBFGS.Coef, g.LBFGS.Intercept, g.LBFGS.Proba, g.LBFGS.Predict, 1e-4, 1e-4},
	} {
		t.Logf("%s: coefficients within %.2g of sklearn", ref.name, maxDiff(m.Coef, ref.coef))
		if d := maxDiff(m.Coef, ref.coef); d > ref.tol || math.Abs(m.Intercept-ref.b) > ref.tol {
			t.Errorf("%s: coefficients differ by up to %g, intercept %g vs %g (tolerance %g)", ref.name, d, m.Intercept, ref.b, ref.tol)
		}
		for i, r := range test {
			label, p := m.Predict(r.Text)
			if label != ref.predict[i] {
				t.Errorf("%s: test text %d %q: predicted %d, sklearn %d", ref.name, i, r.Text, label, ref.predict[i])
			}
			if label == dataset.Negative {
				p = 1 - p
			}
			if math.Abs(p-ref.proba[i]) > ref.probaTol || math.Abs(m.Probability(r.Text)-p) > 1e-15 {
				t.Errorf("%s: test text %d: P(positive) %.9f, sklearn %.9f", ref.name, i, p, ref.proba[i])
			}
		}
	}
	ev, err := m.Evaluate(test)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(ev.Report.Accuracy-g.Accuracy) > 1e-12 || math.Abs(ev.Report.Macro.F1-g.F1Macro) > 1e-12 {
		t.Errorf("accuracy %g, macro F1 %g; sklearn %g, %g", ev.Report.Accuracy, ev.Report.Macro.F1, g.Accuracy, g.F1Macro)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	_, train, test := loadGolden(t)
	m, err := Train(train[:120], Options{C: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sub", "baseline.json.gz")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Vectorizer.Terms, m.Vectorizer.Terms) || !slices.Equal(got.Vectorizer.IDF, m.Vectorizer.IDF) ||
		!slices.Equal(got.Coef, m.Coef) || got.Intercept != m.Intercept || got.C != 0.5 || got.TrainReviews != 120 {
		t.Fatal("loaded model differs from the saved one")
	}
	for _, r := range test {
		if got.Decision(r.Text) != m.Decision(r.Text) {
			t.Fatalf("decision of %q changed after save/load", r.Text)
		}
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	_, train, _ := loadGolden(t)
	m, err := Train(train[:60], Options{})
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.json.gz")
	if err := m.Save(good); err != nil {
		t.Fatal(err)
	}
	// A model whose coefficients were cut short: saved by hand through the same writer.
	short := *m
	short.Coef = m.Coef[:len(m.Coef)-1]
	cut := filepath.Join(dir, "cut.json.gz")
	if err := short.Save(cut); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.json.gz"), "train one with polarity baseline"},
		{write("plain.json", `{"format":"polarity-baseline-tfidf-logreg"}`), "not gzip-compressed"},
		{cut, "coefficients"},
	} {
		if _, err := Load(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%s): %v, want an error containing %q", filepath.Base(c.path), err, c.want)
		}
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	for _, c := range []struct {
		reviews []dataset.Review
		opts    Options
		want    string
	}{
		{nil, Options{}, "need both classes"},
		{[]dataset.Review{{Label: 1, Text: "good"}, {Label: 1, Text: "great"}}, Options{}, "need both classes"},
		{[]dataset.Review{{Label: 0, Text: "bad"}, {Label: 2, Text: "great"}}, Options{}, "label 2"},
		{[]dataset.Review{{Label: 0, Text: "a"}, {Label: 1, Text: "b !"}}, Options{}, "empty vocabulary"},
		{[]dataset.Review{{Label: 0, Text: "bad"}, {Label: 1, Text: "good"}}, Options{C: -1}, "C=-1"},
	} {
		if _, err := Train(c.reviews, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Train(%v, %+v): %v, want an error containing %q", c.reviews, c.opts, err, c.want)
		}
	}
}

// TestLearnsTheSample: on the embedded synthetic sample the baseline beats
// chance by far (naive Bayes reaches about 95% there).
func TestLearnsTheSample(t *testing.T) {
	reviews, err := dataset.Load(dataset.Source{Kind: dataset.Sample}, "train")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Train(reviews[:2000], Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := m.Evaluate(reviews[2000:3000])
	if err != nil {
		t.Fatal(err)
	}
	if a := ev.Report.Accuracy; a < 0.85 || a > 0.99 {
		t.Errorf("accuracy %.4f on 1,000 held-out sample reviews, want 0.85–0.99", a)
	}
	t.Logf("accuracy %.4f, macro F1 %.4f, %d terms, %d iterations, trained in %s",
		ev.Report.Accuracy, ev.Report.Macro.F1, len(m.Coef), m.Iterations, m.TrainTime)
}

// TestLBFGS minimises a badly scaled convex quadratic with a known minimum,
// and fails clearly when the iteration limit is too small.
func TestLBFGS(t *testing.T) {
	scales := []float64{1, 10, 100, 1000}
	target := []float64{3, -1, 0.5, 2}
	fg := func(x, grad []float64) float64 {
		var f float64
		for i := range x {
			d := x[i] - target[i]
			f += scales[i] * d * d / 2
			grad[i] = scales[i] * d
		}
		return f
	}
	x, iters, err := lbfgs(fg, make([]float64, 4), 1e-9, 100)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(x, target); d > 1e-9 {
		t.Errorf("minimum at %v after %d iterations, want %v", x, iters, target)
	}
	if _, _, err := lbfgs(fg, make([]float64, 4), 1e-9, 1); err == nil || !strings.Contains(err.Error(), "raise the iteration limit") {
		t.Errorf("one iteration: %v, want the iteration-limit error", err)
	}
}
