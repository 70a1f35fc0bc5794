// Package predict classifies reviews with a fine-tuned BERT model and explains
// its decisions: the seed's predict(text) → (label, probability), batch
// prediction over review files with progress, and per-word attributions for
// the notebook's review widget (nbui.Prediction).
//
// Classification is lib/bert's Predictor (bucketed shapes, cached graphs);
// this package adds no second forward pass of its own for labels.
package predict

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/progress"
	"github.com/polarityml/polarity/lib/train"
)

// Classifier predicts and explains with one model. It is safe for
// concurrent use.
type Classifier struct {
	predictor *bert.Predictor
	labels    *bert.LabelMap // the model's classes as negative/positive

	explainMu  sync.Mutex
	explainers map[int]*explainer // attribution graphs by number of steps
}

// Load loads a model for prediction (see LoadPredictor) as a Classifier.
func Load(model string, opts bert.PredictorOptions) (*Classifier, error) {
	p, err := LoadPredictor(model, opts)
	if err != nil {
		return nil, err
	}
	return New(p)
}

// LoadPredictor resolves a model spec as train and eval do and loads it for
// prediction: a Hugging Face model directory (config.json,
// model.safetensors, tokenizer.json or vocab.txt) such as the one `polarity
// train` writes to build/model, a hub repo id ("owner/name[@revision]",
// downloaded into the Hugging Face cache), or "tiny": the untrained tiny
// BERT train starts from (seed 42), to try the pipeline without a model.
func LoadPredictor(model string, opts bert.PredictorOptions) (*bert.Predictor, error) {
	if model == train.TinyModel {
		m, err := train.LoadModel(context.Background(), model, 42, cmp.Or(opts.MaxLength, 128))
		if err != nil {
			return nil, err
		}
		return bert.NewPredictor(m.Model, m.Tokenizer, opts)
	}
	dir, err := bert.ResolveModelDir(context.Background(), hub.NewFromEnv(), model)
	if err != nil {
		return nil, err
	}
	return bert.LoadPredictor(dir, opts)
}

// New wraps a predictor. The model's classes are mapped onto negative and
// positive reviews by their names (bert.Config.LabelMap: NEGATIVE/POSITIVE,
// neg/pos, star ratings, …; unnamed LABEL_0/LABEL_1 by id); a model whose
// classes cannot be mapped unambiguously is an error that says how to fix
// its config.json.
func New(p *bert.Predictor) (*Classifier, error) {
	labels, err := p.Model().Config.LabelMap()
	if err != nil {
		return nil, err
	}
	return &Classifier{predictor: p, labels: labels}, nil
}

// Predictor is the underlying bert predictor.
func (c *Classifier) Predictor() *bert.Predictor { return c.predictor }

// Labels is how the model's classes map onto negative and positive reviews
// (its String says which mapping is used).
func (c *Classifier) Labels() *bert.LabelMap { return c.labels }

// Predict is the seed's predict(text): the argmax class of the model's
// logits and its softmax probability.
func (c *Classifier) Predict(text string) (label string, probability float64, err error) {
	p, err := c.predictor.Predict(text)
	if err != nil {
		return "", 0, err
	}
	return p.Label, p.Probability, nil
}

// chunk is how many texts are classified between progress updates.
const chunk = 256

// PredictTexts classifies texts in batches, advancing bar (may be nil) as
// it goes; result i belongs to texts[i].
func (c *Classifier) PredictTexts(texts []string, bar *progress.Bar) ([]bert.Prediction, error) {
	out := make([]bert.Prediction, 0, len(texts))
	for lo := 0; lo < len(texts); lo += chunk {
		preds, err := c.predictor.PredictBatch(texts[lo:min(lo+chunk, len(texts))])
		if err != nil {
			return nil, err
		}
		out = append(out, preds...)
		if bar != nil {
			bar.Add(int64(len(preds)))
		}
	}
	return out, nil
}

// PredictFile reads a review file in any format lib/dataset reads
// (Parquet, JSONL, CSV, fastText; see dataset.OpenFile) and classifies every
// review, showing a progress bar (HTML in a notebook, a line on a terminal).
// It returns the reviews with their true labels and the predictions.
func (c *Classifier) PredictFile(path string) ([]dataset.Review, []bert.Prediction, error) {
	r, err := dataset.OpenFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("predicting %s: %w", path, err)
	}
	defer r.Close()
	var reviews []dataset.Review
	for {
		rv, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("predicting %s: %w", path, err)
		}
		reviews = append(reviews, rv)
	}
	preds, err := c.PredictReviews(reviews)
	return reviews, preds, err
}

// PredictReviews classifies reviews with a progress bar; result i belongs
// to reviews[i].
func (c *Classifier) PredictReviews(reviews []dataset.Review) ([]bert.Prediction, error) {
	texts := make([]string, len(reviews))
	for i, r := range reviews {
		texts[i] = r.Text
	}
	bar := progress.New("predict", int64(len(texts)), "reviews")
	defer bar.Done()
	return c.PredictTexts(texts, bar)
}
