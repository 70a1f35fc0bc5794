package eda

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCounterExactBelowCapacity(t *testing.T) {
	c := NewCounter(10)
	for _, w := range []string{"b", "a", "b", "c", "a", "b"} {
		c.Add(w)
	}
	if !c.Exact() || c.Total() != 6 || c.Distinct() != 3 {
		t.Fatalf("exact=%v total=%d distinct=%d", c.Exact(), c.Total(), c.Distinct())
	}
	got := fmt.Sprint(c.Top(0))
	if want := "[{b 3 0} {a 2 0} {c 1 0}]"; got != want {
		t.Errorf("Top = %s, want %s", got, want)
	}
}

// TestSpaceSavingGuarantees streams a Zipf-distributed vocabulary far larger
// than the capacity and checks the Space-Saving bounds against exact counts.
func TestSpaceSavingGuarantees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.2, 1, 50000)
	exact := map[string]int64{}
	c := NewCounter(500)
	const n = 200000
	for range n {
		w := fmt.Sprintf("w%d", zipf.Uint64())
		exact[w]++
		c.Add(w)
	}
	if c.Exact() || c.Distinct() != 500 {
		t.Fatalf("exact=%v distinct=%d, want an evicting counter of 500", c.Exact(), c.Distinct())
	}
	for _, tc := range c.Top(0) {
		if tc.Count-tc.MaxOver > exact[tc.Term] || exact[tc.Term] > tc.Count {
			t.Errorf("%s: true %d outside [%d, %d]", tc.Term, exact[tc.Term], tc.Count-tc.MaxOver, tc.Count)
		}
	}
	for w, k := range exact {
		if k > n/500 && c.Count(w) == 0 {
			t.Errorf("%s occurs %d > N/capacity times but was evicted", w, k)
		}
	}
	// The top 10 are heavy enough to be exact in rank.
	top := c.Top(10)
	for i, tc := range top {
		if want := fmt.Sprintf("w%d", i); tc.Term != want {
			t.Errorf("top[%d] = %s, want %s", i, tc.Term, want)
		}
	}
}

func TestTermCountJSON(t *testing.T) {
	b, err := json.Marshal([]TermCount{{Term: "great product", Count: 12}})
	if err != nil || string(b) != `[["great product",12]]` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var back []TermCount
	if err := json.Unmarshal(b, &back); err != nil || back[0].Term != "great product" || back[0].Count != 12 {
		t.Fatalf("unmarshal = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`[["x"]]`), &back); err == nil {
		t.Error("a one-element pair was accepted")
	}
}

func TestMergeTopSumsClasses(t *testing.T) {
	a, b := NewCounter(0), NewCounter(0)
	for _, w := range []string{"x", "y", "y"} {
		a.Add(w)
	}
	for _, w := range []string{"x", "x", "z"} {
		b.Add(w)
	}
	if got := fmt.Sprint(MergeTop(2, a, b)); got != "[{x 3 0} {y 2 0}]" {
		t.Errorf("MergeTop = %s", got)
	}
}

func TestNgramCounterRejectsBadInput(t *testing.T) {
	if _, err := NewNgramCounter(0); err == nil {
		t.Error("no sizes accepted")
	}
	if _, err := NewNgramCounter(0, 0); err == nil {
		t.Error("size 0 accepted")
	}
	nc, _ := NewNgramCounter(0, 2)
	if err := nc.Add("caf\xe9 au lait"); err == nil {
		t.Error("latin-1 text accepted")
	} else if want := "offset 3"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the offset", err)
	}
	if nc.Docs() != 0 || nc.Counter(2).Total() != 0 {
		t.Error("a rejected document was counted")
	}
}
