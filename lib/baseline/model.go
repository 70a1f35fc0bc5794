// Package baseline is the bag-of-words baseline every BERT result should be
// compared with: TF-IDF over word unigrams and bigrams and an L2-regularised
// logistic regression, the same model as scikit-learn's
//
//	make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression())
//
// (vocabulary, idf, coefficients and probabilities checked against
// scikit-learn; see scripts/golden/baseline.py). Training and prediction are
// plain Go, a few seconds on a laptop CPU.
package baseline

import (
	"fmt"
	"math"
	"time"

	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/evaluate"
)

// Options are the logistic regression's settings; zero values take
// scikit-learn's defaults where they exist.
type Options struct {
	// C is the inverse regularisation strength (sklearn's C; 0 means 1.0).
	C float64
	// Tol stops the solver when every gradient component of the objective is
	// below it (0 means 1e-6, tighter than sklearn's 1e-4 so that the
	// solution is the optimum to about six digits).
	Tol float64
	// MaxIter bounds the L-BFGS iterations (0 means 1000).
	MaxIter int
}

func (o Options) withDefaults() Options {
	if o.C == 0 {
		o.C = 1
	}
	if o.Tol == 0 {
		o.Tol = 1e-6
	}
	if o.MaxIter == 0 {
		o.MaxIter = 1000
	}
	return o
}

// ClassNames are the class names in id order (dataset.Negative, dataset.Positive).
var ClassNames = []string{"negative", "positive"}

// Model is a trained TF-IDF + logistic regression classifier.
type Model struct {
	Vectorizer *Vectorizer
	// Coef holds one weight per vocabulary term; Intercept is the bias. The
	// decision value of a text is Coef·tfidf(text) + Intercept; positive
	// means class 1 (positive).
	Coef      []float64
	Intercept float64
	// C is the regularisation the model was trained with.
	C float64
	// Iterations is how many L-BFGS iterations training took.
	Iterations int
	// TrainReviews is the number of reviews the model was trained on.
	TrainReviews int
	// TrainTime is the wall time of Train (vectorizing and optimising).
	TrainTime time.Duration
}

// Train fits the vectorizer and the logistic regression on reviews
// (labels dataset.Negative or dataset.Positive, both present).
func Train(reviews []dataset.Review, opts Options) (*Model, error) {
	start := time.Now()
	opts = opts.withDefaults()
	if opts.C <= 0 || math.IsNaN(opts.C) || math.IsInf(opts.C, 0) {
		return nil, fmt.Errorf("baseline: C=%g: need a positive, finite inverse regularisation strength, e.g. 1", opts.C)
	}
	if opts.Tol <= 0 || opts.MaxIter < 1 {
		return nil, fmt.Errorf("baseline: tolerance %g and iteration limit %d must be positive", opts.Tol, opts.MaxIter)
	}
	texts := make([]string, len(reviews))
	y := make([]float64, len(reviews))
	var seen [2]bool
	for i, r := range reviews {
		if r.Label != dataset.Negative && r.Label != dataset.Positive {
			return nil, fmt.Errorf("baseline: review %d has label %d: labels must be 0 (negative) or 1 (positive)", i, r.Label)
		}
		texts[i], y[i] = r.Text, float64(r.Label)
		seen[r.Label] = true
	}
	if !seen[0] || !seen[1] {
		return nil, fmt.Errorf("baseline: the %d training reviews need both classes (negative: %v, positive: %v)", len(reviews), seen[0], seen[1])
	}
	v, x, err := fitVectorizer(texts)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	fit, err := fitLogistic(x, y, opts.C, opts.Tol, opts.MaxIter)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	return &Model{Vectorizer: v, Coef: fit.coef, Intercept: fit.intercept, C: opts.C,
		Iterations: fit.iterations, TrainReviews: len(reviews), TrainTime: time.Since(start)}, nil
}

// Decision is the logistic regression's decision value for text
// (sklearn's decision_function): the log-odds of the positive class.
func (m *Model) Decision(text string) float64 {
	ids, values := m.Vectorizer.Transform(text)
	s := m.Intercept
	for i, id := range ids {
		s += values[i] * m.Coef[id]
	}
	return s
}

// Probability is the probability that text is positive (sklearn's
// predict_proba(...)[:, 1]).
func (m *Model) Probability(text string) float64 { return sigmoid(m.Decision(text)) }

// Predict is the class id of text (dataset.Positive when the decision value
// is above 0, as sklearn's predict) and the probability of that class.
func (m *Model) Predict(text string) (label int, probability float64) {
	d := m.Decision(text)
	if d > 0 {
		return dataset.Positive, sigmoid(d)
	}
	return dataset.Negative, 1 - sigmoid(d)
}

// Evaluation is the model's predictions on labelled reviews, scored.
type Evaluation struct {
	// Labels, Predicted and Probabilities (of the positive class) have one
	// entry per review.
	Labels        []int
	Predicted     []int
	Probabilities []float64
	Report        *evaluate.Report
	// Time is the wall time of vectorizing and classifying the reviews.
	Time time.Duration
}

// Evaluate classifies reviews and scores the predictions against their labels.
func (m *Model) Evaluate(reviews []dataset.Review) (*Evaluation, error) {
	start := time.Now()
	ev := &Evaluation{Labels: make([]int, len(reviews)), Predicted: make([]int, len(reviews)), Probabilities: make([]float64, len(reviews))}
	for i, r := range reviews {
		if r.Label != dataset.Negative && r.Label != dataset.Positive {
			return nil, fmt.Errorf("baseline: review %d has label %d: labels must be 0 (negative) or 1 (positive)", i, r.Label)
		}
		d := m.Decision(r.Text)
		ev.Labels[i], ev.Probabilities[i] = r.Label, sigmoid(d)
		if d > 0 {
			ev.Predicted[i] = dataset.Positive
		}
	}
	ev.Time = time.Since(start)
	r, err := evaluate.NewReport(ev.Labels, ev.Predicted, ClassNames)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	ev.Report = r
	return ev, nil
}

// Score is the evaluation's row in a comparison table (evaluate.ScoreRows).
func (e *Evaluation) Score(model string, trainTime time.Duration) evaluate.Score {
	return evaluate.NewScore(model, e.Report, trainTime, e.Time)
}
