package predict

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/polarityml/polarity/lib/atomicfile"
	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/eda/plots"
	"github.com/polarityml/polarity/lib/evaluate"
)

// Evaluation is a model's predictions on labelled reviews with
// scikit-learn's classification report. It is saved as JSON so that later
// notebook cells (each a fresh process in GoNB) plot it without predicting
// again.
type Evaluation struct {
	// Names are the dataset's class names (negative, positive); Positive is
	// the positive class (1).
	Names    []string `json:"names"`
	Positive int      `json:"positive"`
	// LabelMapping says how the model's classes were mapped onto them
	// (bert.LabelMap.String).
	LabelMapping string `json:"label_mapping"`
	// Texts, Labels (true classes), Predicted (predicted classes) and
	// Probabilities ([P(negative), P(positive)]: the model's softmax summed by
	// polarity) have one entry per review.
	Texts         []string    `json:"texts"`
	Labels        []int       `json:"labels"`
	Predicted     []int       `json:"predicted"`
	Probabilities [][]float64 `json:"probabilities"`
	// Seconds is the wall time of classifying the reviews.
	Seconds float64 `json:"seconds"`
	// Report is recomputed from Labels and Predicted, never stored.
	Report *evaluate.Report `json:"-"`
}

// Evaluate classifies reviews (with a progress bar) and scores the
// predictions against their labels (0 negative, 1 positive, as the seed's
// model and mteb/amazon_polarity), the model's classes mapped onto those two
// by Labels (so a head whose classes are POSITIVE/NEGATIVE, or five star
// ratings, is scored correctly).
func (c *Classifier) Evaluate(reviews []dataset.Review) (*Evaluation, error) {
	for i, r := range reviews {
		if r.Label != bert.Negative && r.Label != bert.Positive {
			return nil, fmt.Errorf("review %d has label %d; want 0 (negative) or 1 (positive)", i, r.Label)
		}
	}
	start := time.Now()
	preds, err := c.PredictReviews(reviews)
	if err != nil {
		return nil, err
	}
	ev := &Evaluation{Names: bert.PolarityNames, Positive: bert.Positive, LabelMapping: c.labels.String(),
		Seconds: time.Since(start).Seconds()}
	for i, p := range preds {
		probs := c.labels.Probabilities(p.Logits)
		ev.Texts = append(ev.Texts, reviews[i].Text)
		ev.Labels = append(ev.Labels, reviews[i].Label)
		ev.Predicted = append(ev.Predicted, c.labels.Decide(p.Logits))
		ev.Probabilities = append(ev.Probabilities, probs[:])
	}
	return ev, ev.score()
}

func (e *Evaluation) score() error {
	r, err := evaluate.NewReport(e.Labels, e.Predicted, e.Names)
	e.Report = r
	return err
}

// Save writes the evaluation as JSON to path, all or nothing (via
// lib/atomicfile), creating its directory.
func (e *Evaluation) Save(path string) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, data)
}

// LoadEvaluation reads an evaluation Save wrote and recomputes its report.
func LoadEvaluation(path string) (*Evaluation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the evaluation: %w (run the evaluation cell first)", err)
	}
	var e Evaluation
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n := len(e.Labels)
	if len(e.Texts) != n || len(e.Predicted) != n || len(e.Probabilities) != n || e.Positive < 0 || e.Positive >= len(e.Names) {
		return nil, fmt.Errorf("%s is inconsistent (%d texts, %d labels, %d predictions, %d probabilities): evaluate again",
			path, len(e.Texts), n, len(e.Predicted), len(e.Probabilities))
	}
	return &e, e.score()
}

// Score is the evaluation's row in a comparison table (evaluate.ScoreRows);
// trainTime is how long the model trained (0: unknown).
func (e *Evaluation) Score(model string, trainTime time.Duration) evaluate.Score {
	return evaluate.NewScore(model, e.Report, trainTime, time.Duration(e.Seconds*float64(time.Second)))
}

// ProbabilityHistograms draws the predicted probability of the positive
// class per true class (see evaluate.ProbabilityHistograms).
func (e *Evaluation) ProbabilityHistograms() (*plots.Figure, error) {
	pos := make([]float64, len(e.Probabilities))
	for i, p := range e.Probabilities {
		pos[i] = p[e.Positive]
	}
	return evaluate.ProbabilityHistograms(e.Labels, pos, e.Names, e.Positive)
}

// ConfidentlyWrongRows is a table (header first) of the n misclassified
// reviews the model was surest about: rank, true and predicted class, the
// probability of the predicted class, and the review (cut at 200 characters).
func (e *Evaluation) ConfidentlyWrongRows(n int) ([][]string, error) {
	conf := make([]float64, len(e.Predicted))
	for i, p := range e.Predicted {
		conf[i] = e.Probabilities[i][p]
	}
	mistakes, err := evaluate.ConfidentlyWrong(e.Labels, e.Predicted, conf, n)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"#", "true", "predicted", "probability", "review"}}
	for i, m := range mistakes {
		rows = append(rows, []string{fmt.Sprint(i + 1), e.Names[m.True], e.Names[m.Predicted],
			fmt.Sprintf("%.3f", m.Confidence), cut(e.Texts[m.Index], 200)})
	}
	return rows, nil
}

func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// DisplayReport shows accuracy, how the model's classes were mapped, and the
// classification report (sklearn's layout, 4 digits) in the notebook; a
// no-op outside GoNB.
func (e *Evaluation) DisplayReport() {
	gonbui.DisplayHtml(fmt.Sprintf("<p><b>accuracy %.4f</b> on %d reviews (%d misclassified); model classes mapped %s</p><pre>%s</pre>",
		e.Report.Accuracy, len(e.Labels), len(e.Labels)-correct(e), html.EscapeString(e.LabelMapping), html.EscapeString(e.Report.Text(4))))
}

func correct(e *Evaluation) int {
	n := 0
	for i := range e.Labels {
		if e.Labels[i] == e.Predicted[i] {
			n++
		}
	}
	return n
}
