package tokenize

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestNewCollatorLengths(t *testing.T) {
	for _, tc := range []struct {
		max, multiple int
		want          []int
	}{
		{128, 32, []int{32, 64, 96, 128}},
		{128, 16, []int{16, 32, 48, 64, 80, 96, 112, 128}},
		{100, 32, []int{32, 64, 96, 100}},
		{4, 1, []int{1, 2, 3, 4}},
	} {
		c, err := NewCollator(0, tc.max, tc.multiple)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Lengths, tc.want) {
			t.Errorf("NewCollator(%d, %d) lengths %v, want %v", tc.max, tc.multiple, c.Lengths, tc.want)
		}
	}
	if _, err := NewCollator(0, 0, 16); err == nil {
		t.Error("max length 0 accepted")
	}
}

func TestCollatePadsToBucket(t *testing.T) {
	tok := defaultTokenizer(t, WithMaxLength(40))
	encs := tok.EncodeBatch([]string{"great product", "terrible, it broke after two days"})
	c, _ := NewCollator(tok.Specials().PAD, 40, 16)
	b, err := c.Collate(encs)
	if err != nil {
		t.Fatal(err)
	}
	if b.Size != 2 || b.Length != 16 || len(encs[1].IDs) <= 4 || len(encs[1].IDs) > 16 {
		t.Fatalf("shape %dx%d for lengths %d, %d; want 2x16", b.Size, b.Length, encs[0].Len(), encs[1].Len())
	}
	want := append(slices.Clone(encs[0].IDs), make([]int32, 16-encs[0].Len())...)
	if !slices.Equal(b.InputIDs[0], want) {
		t.Errorf("row 0 ids %v, want %v", b.InputIDs[0], want)
	}
	if got := b.AttentionMask[0]; got[3] != 1 || got[4] != 0 || got[15] != 0 || len(got) != 16 {
		t.Errorf("row 0 mask %v: want 1 on the 4 tokens, 0 after", got)
	}
	ids, mask, types := b.Flat()
	if len(ids) != 32 || ids[16] != tok.Specials().CLS || mask[16] != 1 || len(types) != 32 {
		t.Errorf("flat ids %v mask %v", ids, mask)
	}
	ids[0] = 7 // the flat slice backs the rows
	if b.InputIDs[0][0] != 7 {
		t.Error("Flat does not share memory with the rows")
	}

	long := tok.Encode(strings.Repeat("word ", 100))
	small, _ := NewCollator(0, 32, 16)
	if _, err := small.Collate([]Encoding{long}); err == nil || !strings.Contains(err.Error(), "WithMaxLength(32)") {
		t.Errorf("over-long encoding: err %v", err)
	}
}

func TestShapesCountsCompilations(t *testing.T) {
	lengths := []int{5, 20, 128, 7, 9, 3, 40}
	bucketed, _ := NewCollator(0, 128, 32)
	got, err := bucketed.Shapes(lengths, 2)
	if err != nil {
		t.Fatal(err)
	}
	// batches: [5 20]→32, [128 7]→128, [9 3]→32, [40]→64
	want := map[Shape]int{{2, 32}: 2, {2, 128}: 1, {1, 64}: 1}
	if !maps.Equal(got, want) {
		t.Errorf("shapes %v, want %v", got, want)
	}
	dynamic, _ := NewCollator(0, 128, 1)
	got, _ = dynamic.Shapes(lengths, 2)
	if len(got) != 4 || got[Shape{2, 20}] != 1 || got[Shape{2, 128}] != 1 || got[Shape{2, 9}] != 1 || got[Shape{1, 40}] != 1 {
		t.Errorf("dynamic shapes %v", got)
	}
}

func TestGroupByLength(t *testing.T) {
	lengths := make([]int, 230)
	for i := range lengths {
		lengths[i] = (i * 37) % 128
	}
	order := GroupByLength(lengths, 2, 7)
	if !slices.Equal(order, GroupByLength(lengths, 2, 7)) || slices.Equal(order, GroupByLength(lengths, 2, 8)) {
		t.Error("order is not determined by the seed")
	}
	if sorted := slices.Sorted(slices.Values(order)); !slices.Equal(sorted, seq(230)) {
		t.Fatal("not a permutation")
	}
	for lo := 0; lo < 230; lo += 100 { // megabatches of 50 batches of 2, longest first
		chunk := order[lo:min(lo+100, 230)]
		if !slices.IsSortedFunc(chunk, func(a, b int) int { return lengths[b] - lengths[a] }) {
			t.Errorf("megabatch at %d is not sorted longest first", lo)
		}
	}
	bucketed, _ := NewCollator(0, 128, 32)
	dynamic, _ := NewCollator(0, 128, 1)
	grouped := make([]int, len(order))
	for i, j := range order {
		grouped[i] = lengths[j]
	}
	b, _ := bucketed.Shapes(grouped, 2)
	d, _ := dynamic.Shapes(grouped, 2)
	if len(b) > 5 || len(d) < 50 {
		t.Errorf("grouped order: %d bucketed shapes, %d dynamic", len(b), len(d))
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
