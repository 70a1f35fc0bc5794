// Package evaluate measures a classifier's predictions: the confusion matrix
// and scikit-learn's classification report (per-class precision, recall,
// F1 and support, accuracy, macro and weighted averages), with the same
// numbers and the same text layout as sklearn.metrics.classification_report.
package evaluate

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ConfusionMatrix counts predictions: m[i][j] is the number of examples of
// true class i predicted as class j, as sklearn.metrics.confusion_matrix
// with labels 0..numClasses-1. Labels outside that range are an error.
func ConfusionMatrix(yTrue, yPred []int, numClasses int) ([][]int, error) {
	if len(yTrue) != len(yPred) {
		return nil, fmt.Errorf("confusion matrix: %d true labels but %d predictions", len(yTrue), len(yPred))
	}
	m := make([][]int, numClasses)
	for i := range m {
		m[i] = make([]int, numClasses)
	}
	for i := range yTrue {
		t, p := yTrue[i], yPred[i]
		if t < 0 || t >= numClasses || p < 0 || p >= numClasses {
			return nil, fmt.Errorf("confusion matrix: example %d has label %d, prediction %d: both must be in [0, %d)", i, t, p, numClasses)
		}
		m[t][p]++
	}
	return m, nil
}

// Scores are precision, recall, F1 and support of one class or one average.
type Scores struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1-score"`
	Support   int     `json:"support"`
}

// Report is sklearn's classification report for classes 0..len(Names)-1,
// with zero_division=0 (an undefined precision, recall or F1 is 0).
type Report struct {
	// Names are the class names (sklearn's target_names).
	Names []string
	// Classes holds the scores of each class, in class order.
	Classes []Scores
	// Accuracy is the share of correct predictions.
	Accuracy float64
	// MicroIsAccuracy is false when some class occurs neither in the labels
	// nor in the predictions; sklearn then prints a "micro avg" row (Micro)
	// instead of "accuracy".
	MicroIsAccuracy bool
	Micro           Scores
	Macro, Weighted Scores
	// Confusion is the confusion matrix the scores come from.
	Confusion [][]int
}

// NewReport computes the report of predictions yPred against labels yTrue
// for the classes named by names (class i is names[i]).
func NewReport(yTrue, yPred []int, names []string) (*Report, error) {
	if len(yTrue) == 0 {
		return nil, fmt.Errorf("classification report: no examples")
	}
	cm, err := ConfusionMatrix(yTrue, yPred, len(names))
	if err != nil {
		return nil, err
	}
	r := &Report{Names: names, Confusion: cm, MicroIsAccuracy: true}
	k := len(names)
	var tpSum, predSum, trueSum, total int
	for c := range k {
		tp, predicted, support := cm[c][c], 0, 0
		for o := range k {
			predicted += cm[o][c]
			support += cm[c][o]
		}
		if predicted == 0 && support == 0 {
			r.MicroIsAccuracy = false
		}
		s := Scores{Precision: divide(tp, predicted), Recall: divide(tp, support), Support: support}
		s.F1 = fScore(s.Precision, s.Recall)
		r.Classes = append(r.Classes, s)
		tpSum, predSum, trueSum, total = tpSum+tp, predSum+predicted, trueSum+support, total+support
	}
	r.Accuracy = divide(tpSum, total)
	r.Micro = Scores{Precision: divide(tpSum, predSum), Recall: divide(tpSum, trueSum), Support: total}
	r.Micro.F1 = fScore(r.Micro.Precision, r.Micro.Recall)
	r.Macro = sklearnMean(r.Classes, func(s Scores) float64 { return 1 }, total)
	r.Weighted = sklearnMean(r.Classes, func(s Scores) float64 { return float64(s.Support) }, total)
	return r, nil
}

// sklearnMean is np.average of the class scores with the given weights.
func sklearnMean(classes []Scores, weight func(Scores) float64, support int) Scores {
	var sumW float64
	for _, s := range classes {
		sumW += weight(s)
	}
	out := Scores{Support: support}
	if sumW == 0 {
		return out
	}
	// np.average computes sum(a*w)/sum(w), summing in order.
	var p, r, f float64
	for _, s := range classes {
		w := weight(s)
		p += s.Precision * w
		r += s.Recall * w
		f += s.F1 * w
	}
	out.Precision, out.Recall, out.F1 = p/sumW, r/sumW, f/sumW
	return out
}

func divide(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// fScore is sklearn 1.2's F1: 2·p·r/(p+r), 0 when p+r is 0.
func fScore(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Text formats the report exactly as sklearn's classification_report does
// with the given number of digits (sklearn's default is 2).
func (r *Report) Text(digits int) string {
	const lastHeading = "weighted avg"
	width := len(lastHeading)
	for _, n := range r.Names {
		width = max(width, len(n))
	}
	width = max(width, digits)
	var b strings.Builder
	fmt.Fprintf(&b, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support")
	row := func(name string, s Scores) {
		fmt.Fprintf(&b, "%*s  %9.*f %9.*f %9.*f %9d\n", width, name, digits, s.Precision, digits, s.Recall, digits, s.F1, s.Support)
	}
	for i, s := range r.Classes {
		row(r.Names[i], s)
	}
	b.WriteString("\n")
	if r.MicroIsAccuracy {
		fmt.Fprintf(&b, "%*s  %9s %9s %9.*f %9d\n", width, "accuracy", "", "", digits, r.Accuracy, r.Micro.Support)
	} else {
		row("micro avg", r.Micro)
	}
	row("macro avg", r.Macro)
	row(lastHeading, r.Weighted)
	return b.String()
}

// MarshalJSON writes the report as sklearn's output_dict=True does: one
// object per class name, "accuracy" (or "micro avg"), "macro avg",
// "weighted avg"; plus "confusion_matrix". Keys keep sklearn's order.
func (r *Report) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteString("{")
	write := func(key string, value any) error {
		if b.Len() > 1 {
			b.WriteString(",")
		}
		k, _ := json.Marshal(key)
		v, err := json.Marshal(value)
		if err != nil {
			return err
		}
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
		return nil
	}
	for i, s := range r.Classes {
		if err := write(r.Names[i], s); err != nil {
			return nil, err
		}
	}
	var err error
	if r.MicroIsAccuracy {
		err = write("accuracy", r.Accuracy)
	} else {
		err = write("micro avg", r.Micro)
	}
	for _, kv := range []struct {
		k string
		v any
	}{{"macro avg", r.Macro}, {"weighted avg", r.Weighted}, {"confusion_matrix", r.Confusion}} {
		if err == nil {
			err = write(kv.k, kv.v)
		}
	}
	if err != nil {
		return nil, err
	}
	b.WriteString("}")
	return []byte(b.String()), nil
}
