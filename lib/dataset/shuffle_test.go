package dataset

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// shuffleGolden is testdata/shuffle_golden.json, written by numpy through
// scripts/golden/shuffle.py.
type shuffleGolden struct {
	Numpy        string
	Permutations []struct {
		N          int
		Seed       uint64
		Head, Tail []int
		Checksum   uint64
	}
	Splits []struct {
		N             int
		TestSize      float64 `json:"test_size"`
		Seed          uint64
		NTrain        int    `json:"n_train"`
		NTest         int    `json:"n_test"`
		TrainHead     []int  `json:"train_head"`
		TestHead      []int  `json:"test_head"`
		TrainChecksum uint64 `json:"train_checksum"`
		TestChecksum  uint64 `json:"test_checksum"`
	}
}

func loadShuffleGolden(t *testing.T) shuffleGolden {
	t.Helper()
	raw, err := os.ReadFile("testdata/shuffle_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g shuffleGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Permutations) == 0 || len(g.Splits) == 0 {
		t.Fatal("golden file is incomplete; rerun /usr/bin/python3 scripts/golden/shuffle.py")
	}
	return g
}

// checksum mirrors the golden script: sum((i+1)·perm[i]) mod 2^64.
func checksum(perm []int) uint64 {
	var s uint64
	for i, p := range perm {
		s += uint64(i+1) * uint64(p)
	}
	return s
}

func headTail(p []int, k int) (head, tail []int) {
	return p[:min(k, len(p))], p[len(p)-min(k, len(p)):]
}

func TestShuffleIndicesEqualsNumpyPermutation(t *testing.T) {
	g := loadShuffleGolden(t)
	for _, c := range g.Permutations {
		if testing.Short() && c.N > 500000 {
			continue
		}
		got := ShuffleIndices(c.N, c.Seed)
		head, tail := headTail(got, 20)
		if !slices.Equal(head, c.Head) || !slices.Equal(tail, c.Tail) || checksum(got) != c.Checksum {
			t.Errorf("ShuffleIndices(%d, %d): head %v tail %v checksum %d; numpy %s gives head %v tail %v checksum %d",
				c.N, c.Seed, head, tail, checksum(got), g.Numpy, c.Head, c.Tail, c.Checksum)
		}
	}
}

func TestShuffleIndicesSeedForty2FullTrainSplit(t *testing.T) {
	// The seed notebook's train[shuffle(42)][:20000] on the 3.6M-row train split.
	want := []int{1571269, 357164, 1622455, 1072453, 2088174, 815575, 229661, 535013, 335337, 1884708,
		1845846, 3088283, 2869885, 3287899, 2787483, 944644, 789816, 67916, 2110254, 192087}
	g := loadShuffleGolden(t)
	for _, c := range g.Permutations {
		if c.N == 3_600_000 && c.Seed == 42 && !slices.Equal(c.Head, want) {
			t.Fatalf("golden file's n=3.6M seed=42 head %v differs from the values quoted here", c.Head)
		}
	}
	if got := ShuffleIndices(3_600_000, 42)[:20]; !slices.Equal(got, want) {
		t.Errorf("first 20 of shuffle(42) over 3.6M rows = %v, want %v", got, want)
	}
}

func TestTrainTestSplitEqualsHFDatasets(t *testing.T) {
	g := loadShuffleGolden(t)
	for _, c := range g.Splits {
		train, test, err := TrainTestSplit(c.N, c.TestSize, c.Seed)
		if err != nil {
			t.Fatal(err)
		}
		trainHead, _ := headTail(train, 20)
		testHead, _ := headTail(test, 20)
		if len(train) != c.NTrain || len(test) != c.NTest ||
			!slices.Equal(trainHead, c.TrainHead) || !slices.Equal(testHead, c.TestHead) ||
			checksum(train) != c.TrainChecksum || checksum(test) != c.TestChecksum {
			t.Errorf("TrainTestSplit(%d, %v, %d): %d/%d rows, heads %v / %v; want %d/%d rows, heads %v / %v",
				c.N, c.TestSize, c.Seed, len(train), len(test), trainHead, testHead, c.NTrain, c.NTest, c.TrainHead, c.TestHead)
		}
	}
}

func TestTrainTestSplitRejectsBadSizes(t *testing.T) {
	for _, c := range []struct {
		n    int
		size float64
	}{{10, 0}, {10, 1}, {10, -0.3}, {1, 0.3}, {0, 0.5}} {
		if _, _, err := TrainTestSplit(c.n, c.size, 42); err == nil {
			t.Errorf("TrainTestSplit(%d, %v) did not fail", c.n, c.size)
		}
	}
}
