package eda

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"
)

// Golden files come from scripts/golden/eda.py (numpy, scipy, scikit-learn
// and wordcloud from Debian); see its header to regenerate them.

func readGolden(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("golden file: %v (regenerate with /usr/bin/python3 scripts/golden/eda.py)", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("golden file %s: %v", name, err)
	}
}

type doc struct {
	Label int    `json:"label"`
	Text  string `json:"text"`
}

func goldenCorpus(t *testing.T) []doc {
	var docs []doc
	readGolden(t, "corpus.json", &docs)
	if len(docs) < 100 {
		t.Fatalf("golden corpus has only %d documents", len(docs))
	}
	return docs
}

func TestTokensMatchSklearnAnalyzer(t *testing.T) {
	docs := goldenCorpus(t)
	var g struct{ Tokens [][]string }
	readGolden(t, "ngrams.json", &g)
	for i, d := range docs {
		got := Tokens(d.Text)
		if len(got) == 0 && len(g.Tokens[i]) == 0 {
			continue
		}
		if !slices.Equal(got, g.Tokens[i]) {
			t.Errorf("doc %d %q:\n got  %q\n want %q", i, d.Text, got, g.Tokens[i])
		}
	}
}

func TestNgramCountsMatchCountVectorizer(t *testing.T) {
	docs := goldenCorpus(t)
	var g struct{ Ngrams map[string]map[string]int64 }
	readGolden(t, "ngrams.json", &g)
	nc, err := NewNgramCounter(0, 1, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := nc.Add(d.Text); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []int{1, 2, 3} {
		want := g.Ngrams[strconv.Itoa(n)]
		all := nc.Top(n, 0)
		if len(all) != len(want) {
			t.Errorf("n=%d: %d distinct n-grams, sklearn has %d", n, len(all), len(want))
		}
		for _, tc := range all {
			if want[tc.Term] != tc.Count {
				t.Errorf("n=%d %q: count %d, sklearn %d", n, tc.Term, tc.Count, want[tc.Term])
			}
		}
		// Top-20 order: count desc, then n-gram asc.
		top := nc.Top(n, 20)
		for i := 1; i < len(top); i++ {
			a, b := top[i-1], top[i]
			if a.Count < b.Count || (a.Count == b.Count && a.Term >= b.Term) {
				t.Errorf("n=%d: top order broken at %d: %v then %v", n, i, a, b)
			}
		}
	}
}

type cpRanges [][2]rune

func (rs cpRanges) has(r rune) bool {
	_, found := slices.BinarySearchFunc(rs, r, func(x [2]rune, r rune) int {
		switch {
		case x[1] < r:
			return -1
		case x[0] > r:
			return 1
		}
		return 0
	})
	return found
}

type unicodeGolden struct {
	Word       cpRanges
	Unassigned cpRanges
	Lower      map[string]string
	Space      []rune
	Digit      []rune
}

// TestPythonUnicodeClasses checks \w, str.lower, str.isspace and str.isdigit
// over every code point Python's Unicode database assigns.
func TestPythonUnicodeClasses(t *testing.T) {
	var g unicodeGolden
	readGolden(t, "unicode.json", &g)
	space, digit := map[rune]bool{}, map[rune]bool{}
	for _, r := range g.Space {
		space[r] = true
	}
	for _, r := range g.Digit {
		digit[r] = true
	}
	bad := map[string]int{}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF || g.Unassigned.has(r) {
			continue
		}
		if isWordRune(r) != g.Word.has(r) {
			bad["\\w"]++
			if bad["\\w"] <= 5 {
				t.Errorf("U+%04X %q: isWordRune=%v, Python \\w=%v", r, r, isWordRune(r), g.Word.has(r))
			}
		}
		want, ok := g.Lower[strconv.Itoa(int(r))]
		if !ok {
			want = string(r)
		}
		if got := pyLower(string(r)); got != want {
			bad["lower"]++
			if bad["lower"] <= 5 {
				t.Errorf("U+%04X %q: lower %q, Python %q", r, r, got, want)
			}
		}
		if isPySpace(r) != space[r] {
			t.Errorf("U+%04X: isPySpace=%v, Python isspace=%v", r, isPySpace(r), !isPySpace(r))
		}
		if isPyDigits(string(r)) != digit[r] {
			t.Errorf("U+%04X %q: isPyDigits=%v, Python isdigit=%v", r, r, isPyDigits(string(r)), !isPyDigits(string(r)))
		}
	}
	if len(bad) > 0 {
		t.Errorf("mismatches: %v", bad)
	}
}

func TestFieldsAndMostCommonMatchPython(t *testing.T) {
	docs := goldenCorpus(t)
	var g struct {
		MostCommon [][2]any `json:"most_common"`
		Fields     [][]string
	}
	readGolden(t, "words.json", &g)
	c := NewCounter(0)
	for i, d := range docs {
		got := Fields(d.Text)
		if !(len(got) == 0 && len(g.Fields[i]) == 0) && !slices.Equal(got, g.Fields[i]) {
			t.Errorf("Fields(%q) = %q, Python split %q", d.Text, got, g.Fields[i])
		}
		forEachField(d.Text, c.Add)
	}
	got := c.MostCommon(0)
	if len(got) != len(g.MostCommon) {
		t.Fatalf("%d distinct words, Python %d", len(got), len(g.MostCommon))
	}
	for i, w := range g.MostCommon {
		if got[i].Term != w[0].(string) || got[i].Count != int64(w[1].(float64)) {
			t.Fatalf("most_common[%d] = %v, Python %v", i, got[i], w)
		}
	}
}

type histGolden struct {
	Values                      []float64
	Edges                       []float64
	Counts                      []int64
	Mean, Median, P95, Min, Max float64
}

func TestHistogramAndStatsMatchNumpy(t *testing.T) {
	var g struct{ Sets map[string]histGolden }
	readGolden(t, "hist.json", &g)
	for name, h := range g.Sets {
		var v Values
		var d IntDist
		ints := true
		for _, x := range h.Values {
			v.Add(x)
			if x != math.Trunc(x) || x < 0 {
				ints = false
			}
			d.Add(int(x))
		}
		check := func(kind string, hist Histogram, st Stats) {
			if !slices.Equal(hist.Counts, h.Counts) {
				t.Errorf("%s/%s: counts %v, numpy %v", name, kind, hist.Counts, h.Counts)
			}
			if len(hist.Edges) != len(h.Edges) {
				t.Fatalf("%s/%s: %d edges, numpy %d", name, kind, len(hist.Edges), len(h.Edges))
			}
			for i := range h.Edges {
				if !close(hist.Edges[i], h.Edges[i], 1e-12) {
					t.Errorf("%s/%s: edge %d = %v, numpy %v", name, kind, i, hist.Edges[i], h.Edges[i])
				}
			}
			if hist.Total() != int64(len(h.Values)) {
				t.Errorf("%s/%s: bin counts sum to %d, want N=%d", name, kind, hist.Total(), len(h.Values))
			}
			for _, q := range [][3]any{{"mean", st.Mean, h.Mean}, {"median", st.Median, h.Median}, {"p95", st.P95, h.P95}, {"min", st.Min, h.Min}, {"max", st.Max, h.Max}} {
				if !close(q[1].(float64), q[2].(float64), 1e-12) {
					t.Errorf("%s/%s: %s = %v, numpy %v", name, kind, q[0], q[1], q[2])
				}
			}
			if st.Count != int64(len(h.Values)) {
				t.Errorf("%s/%s: count %d, want %d", name, kind, st.Count, len(h.Values))
			}
		}
		hist, err := v.Histogram()
		if err != nil {
			t.Fatal(err)
		}
		st, _ := v.Summary()
		check("Values", hist, st)
		if ints {
			hist, err := d.Histogram()
			if err != nil {
				t.Fatal(err)
			}
			st, _ := d.Summary()
			check("IntDist", hist, st)
		}
	}
}

func close(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestKDEMatchesScipy(t *testing.T) {
	var g struct {
		KDEs map[string]struct {
			Values, Grid, Density []float64
			Bandwidth             float64
		}
	}
	readGolden(t, "kde.json", &g)
	if len(g.KDEs) == 0 {
		t.Fatal("no KDE golden values")
	}
	for name, k := range g.KDEs {
		kde, err := NewKDE(k.Values)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if math.Abs(kde.Bandwidth-k.Bandwidth) > 1e-9*k.Bandwidth {
			t.Errorf("%s: bandwidth %.15g, scipy %.15g", name, kde.Bandwidth, k.Bandwidth)
		}
		for i, x := range k.Grid {
			got := kde.Density(x)
			if math.Abs(got-k.Density[i]) > 1e-9*math.Max(k.Density[i], 1e-12) && math.Abs(got-k.Density[i]) > 1e-15 {
				t.Errorf("%s: density(%g) = %.15g, scipy %.15g", name, x, got, k.Density[i])
			}
		}
	}
}

func TestCloudFrequenciesMatchWordCloud(t *testing.T) {
	docs := goldenCorpus(t)
	var g struct{ Clouds map[string][][2]any }
	readGolden(t, "cloud.json", &g)
	for label := range 2 {
		cc := NewCloudCounter(0)
		for _, d := range docs {
			if d.Label == label {
				cc.Add(d.Text)
			}
		}
		want := g.Clouds[strconv.Itoa(label)]
		got := cc.Frequencies(0)
		if len(got) != len(want) {
			t.Errorf("label %d: %d cloud words, wordcloud %d\n got  %v\n want %v", label, len(got), len(want), got, want)
			continue
		}
		for i, w := range want {
			if got[i].Term != w[0].(string) || got[i].Count != int64(w[1].(float64)) {
				t.Errorf("label %d: word %d = %v, wordcloud %v", label, i, got[i], w)
			}
		}
		if n := len(cc.Frequencies(5)); n != 5 {
			t.Errorf("Frequencies(5) returned %d words", n)
		}
	}
}
