package tokenize

import (
	"slices"
	"testing"
)

func TestReports(t *testing.T) {
	tok := defaultTokenizer(t, WithMaxLength(6))
	encs := tok.EncodeBatch([]string{"Naïve café", "one two three four five six"})
	table := encs[0].Table()
	if !slices.Equal(table[0], []string{"#", "token", "id", "word", "chars"}) ||
		!slices.Equal(table[1], []string{"0", "[CLS]", "101", "-", "0–0"}) ||
		!slices.Equal(table[3], []string{"2", "cafe", "7668", "1", "6–10"}) {
		t.Errorf("table %q", table)
	}
	s := Stats(encs)
	if s != (LengthStats{Count: 2, Max: 6, Truncated: 1, Mean: 5}) {
		t.Errorf("stats %+v", s)
	}
	if rows := s.Rows(); rows[1][3] != "1 (50.0%)" {
		t.Errorf("rows %q", rows)
	}
	// lengths 4,6 | 10: batch 2 → [6]: pad 2 of 12 cells … with multiple 8: 8 and 16.
	plans, err := ComparePadding([]int{4, 6, 10}, 16, 2, 1, 8)
	if err != nil {
		t.Fatal(err)
	}
	want := []PaddingPlan{{1, 2, float64(2) / 22}, {8, 2, float64(12) / 32}}
	if !slices.Equal(plans, want) {
		t.Errorf("plans %+v, want %+v", plans, want)
	}
	if rows := PaddingRows(plans); rows[2][0] != "multiple of 8" || rows[1][2] != "9.1%" {
		t.Errorf("padding rows %q", rows)
	}
}
