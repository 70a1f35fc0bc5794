package evaluate

import (
	"slices"
	"testing"
	"time"
)

func TestScoreRows(t *testing.T) {
	r, err := NewReport([]int{0, 0, 1, 1}, []int{0, 1, 1, 1}, []string{"negative", "positive"})
	if err != nil {
		t.Fatal(err)
	}
	rows := ScoreRows(NewScore("bert", r, 0, 1500*time.Millisecond), NewScore("baseline", r, 340123*time.Microsecond, 12*time.Millisecond))
	want := [][]string{
		{"model", "reviews", "accuracy", "F1 (macro)", "training time", "evaluation time"},
		// precision 1 and 2/3, recall 1/2 and 1: F1 2/3 and 4/5, macro 0.7333.
		{"bert", "4", "0.7500", "0.7333", "—", "1.5s"},
		{"baseline", "4", "0.7500", "0.7333", "340ms", "12ms"},
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d = %q, want %q", i, rows[i], want[i])
		}
	}
}
