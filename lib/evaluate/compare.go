package evaluate

import (
	"fmt"
	"time"
)

// Score is one model's headline numbers on a set of reviews, one row of a
// comparison between models evaluated on the same reviews.
type Score struct {
	Model   string
	Reviews int
	// Accuracy and MacroF1 come from the model's Report.
	Accuracy, MacroF1 float64
	// TrainTime and EvalTime are wall times; 0 means unknown (e.g. a model
	// downloaded already trained).
	TrainTime, EvalTime time.Duration
}

// NewScore takes accuracy, macro F1 and the review count from r.
func NewScore(model string, r *Report, trainTime, evalTime time.Duration) Score {
	return Score{Model: model, Reviews: r.Micro.Support, Accuracy: r.Accuracy, MacroF1: r.Macro.F1,
		TrainTime: trainTime, EvalTime: evalTime}
}

// ScoreRows is a table (header first) with one row per score.
func ScoreRows(scores ...Score) [][]string {
	rows := [][]string{{"model", "reviews", "accuracy", "F1 (macro)", "training time", "evaluation time"}}
	for _, s := range scores {
		rows = append(rows, []string{s.Model, fmt.Sprint(s.Reviews), fmt.Sprintf("%.4f", s.Accuracy),
			fmt.Sprintf("%.4f", s.MacroF1), duration(s.TrainTime), duration(s.EvalTime)})
	}
	return rows
}

// duration formats d for a table: "—" when unknown, milliseconds below a
// second, else seconds to 0.1 s.
func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
