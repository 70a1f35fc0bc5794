package nprand

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// golden is testdata/nprand_golden.json, written by numpy through
// scripts/golden/shuffle.py.
type golden struct {
	Numpy        string
	Permutations []struct {
		N          int
		Seed       uint64
		Head, Tail []int
		Checksum   uint64
	}
	Integers []struct {
		Seed, High uint64
		Values     []uint64
	}
	Floats []struct {
		Seed   uint64
		Values []float64
		Raw    []uint64
	}
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	raw, err := os.ReadFile("testdata/nprand_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Permutations) == 0 || len(g.Integers) == 0 || len(g.Floats) == 0 {
		t.Fatal("golden file is incomplete; rerun /usr/bin/python3 scripts/golden/shuffle.py")
	}
	return g
}

func TestRawAndFloatsEqualNumpy(t *testing.T) {
	for _, c := range loadGolden(t).Floats {
		raw, floats := New(c.Seed), New(c.Seed)
		for i := range c.Raw {
			if got := raw.Uint64(); got != c.Raw[i] {
				t.Fatalf("PCG64(%d).random_raw()[%d] = %d, want %d", c.Seed, i, got, c.Raw[i])
			}
			if got := floats.Float64(); got != c.Values[i] {
				t.Fatalf("default_rng(%d).random()[%d] = %v, want %v", c.Seed, i, got, c.Values[i])
			}
		}
	}
}

func TestIntegersEqualNumpy(t *testing.T) {
	for _, c := range loadGolden(t).Integers {
		rng := New(c.Seed)
		for i, want := range c.Values {
			if got := rng.Integers(c.High); got != want {
				t.Fatalf("default_rng(%d).integers(0, %d)[%d] = %d, want %d", c.Seed, c.High, i, got, want)
			}
		}
	}
}

func TestPermutationEqualsNumpy(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Permutations {
		if c.N > 100_000 {
			continue // the big ones run in lib/dataset's tests
		}
		p := New(c.Seed).Permutation(c.N)
		var sum uint64
		for i, v := range p {
			sum += uint64(i+1) * uint64(v)
		}
		k := min(20, len(p))
		if !slices.Equal(p[:k], c.Head) || !slices.Equal(p[len(p)-k:], c.Tail) || sum != c.Checksum {
			t.Errorf("Permutation(%d) seed %d: head %v checksum %d; numpy %s: head %v checksum %d", c.N, c.Seed, p[:k], sum, g.Numpy, c.Head, c.Checksum)
		}
	}
}

func TestPermutationIsAPermutation(t *testing.T) {
	p := New(7).Permutation(1000)
	seen := make([]bool, len(p))
	for _, v := range p {
		if v < 0 || v >= len(p) || seen[v] {
			t.Fatalf("value %d repeated or out of range", v)
		}
		seen[v] = true
	}
}
