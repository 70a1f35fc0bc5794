package bert

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/tokenize"
)

// Prediction is the classifier's answer for one text.
type Prediction struct {
	Text string `json:"text"`
	// Label is the name of the most probable class (config.json's id2label).
	Label string `json:"label"`
	// LabelID is its index.
	LabelID int `json:"label_id"`
	// Probability is the softmax probability of that class.
	Probability float64 `json:"probability"`
	// Logits are the raw scores, one per class.
	Logits []float32 `json:"logits"`
}

// PredictorOptions configures a Predictor; zero values take the defaults.
type PredictorOptions struct {
	// MaxLength truncates texts to this many tokens, [CLS]/[SEP] included
	// (default 128, at most max_position_embeddings).
	MaxLength int
	// BatchSize is the largest number of texts per forward pass (default 32).
	BatchSize int
	// LengthMultiple: batches are padded to a multiple of it (default 32), so
	// at most MaxLength/LengthMultiple sequence lengths are ever compiled.
	LengthMultiple int
}

// Predictor classifies texts. Inputs are padded to a few bucketed shapes
// (batch sizes 1, 2, 4, … BatchSize; lengths in multiples of LengthMultiple)
// and the compiled graph of each shape is cached, so after warm-up a
// prediction only runs the graph. It is safe for concurrent use.
type Predictor struct {
	model     *Model
	tokenizer tokenize.Tokenizer
	collator  *tokenize.Collator
	batchSize int
	mu        sync.Mutex // serialises exec and the context it reads
	exec      *context.Exec
}

// NewPredictor makes a predictor for model with tokenizer (whose truncation
// is overridden by opts.MaxLength).
func NewPredictor(model *Model, tokenizer tokenize.Tokenizer, opts PredictorOptions) (*Predictor, error) {
	if opts.MaxLength == 0 {
		opts.MaxLength = min(128, model.Config.MaxPositionEmbeddings)
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = 32
	}
	if opts.LengthMultiple == 0 {
		opts.LengthMultiple = 32
	}
	if opts.MaxLength < 2 || opts.MaxLength > model.Config.MaxPositionEmbeddings {
		return nil, fmt.Errorf("predictor max length %d must be in [2, max_position_embeddings=%d]",
			opts.MaxLength, model.Config.MaxPositionEmbeddings)
	}
	if opts.BatchSize < 1 {
		return nil, fmt.Errorf("predictor batch size %d must be at least 1", opts.BatchSize)
	}
	if v := tokenizer.VocabSize(); v > model.Config.VocabSize {
		return nil, fmt.Errorf("the tokenizer has %d ids but the model's vocab_size is %d: they do not belong together", v, model.Config.VocabSize)
	}
	collator, err := tokenize.NewCollator(tokenizer.Specials().PAD, opts.MaxLength, opts.LengthMultiple)
	if err != nil {
		return nil, err
	}
	backend, err := compute.Backend()
	if err != nil {
		return nil, err
	}
	cfg := model.Config
	exec, err := context.NewExec(backend, model.Context.Reuse(), func(ctx *context.Context, ids, mask, types *graph.Node) *graph.Node {
		return ClassifierLogits(ctx, cfg, ids, mask, types)
	})
	if err != nil {
		return nil, err
	}
	sizes := 0
	for s := 1; s < opts.BatchSize; s *= 2 {
		sizes++
	}
	exec.SetMaxCache((sizes + 1) * len(collator.Lengths))
	return &Predictor{model: model, tokenizer: tokenizer, collator: collator, batchSize: opts.BatchSize, exec: exec}, nil
}

// LoadPredictor loads a Hugging Face model directory (config.json,
// model.safetensors, tokenizer.json or vocab.txt) for prediction.
func LoadPredictor(dir string, opts PredictorOptions) (*Predictor, error) {
	model, err := Load(dir)
	if err != nil {
		return nil, err
	}
	tok, err := tokenize.Load(filepath.Clean(dir), tokenize.WithMaxLength(predictorMaxLength(model, opts)))
	if err != nil {
		return nil, err
	}
	return NewPredictor(model, tok, opts)
}

func predictorMaxLength(model *Model, opts PredictorOptions) int {
	if opts.MaxLength > 0 {
		return opts.MaxLength
	}
	return min(128, model.Config.MaxPositionEmbeddings)
}

// Model is the predictor's model.
func (p *Predictor) Model() *Model { return p.model }

// Tokenizer is the predictor's tokenizer (truncating to its maximum length).
func (p *Predictor) Tokenizer() tokenize.Tokenizer { return p.tokenizer }

// Collator is the predictor's padding: its bucketed lengths are the only
// sequence lengths it compiles.
func (p *Predictor) Collator() *tokenize.Collator { return p.collator }

// Predict classifies one text.
func (p *Predictor) Predict(text string) (Prediction, error) {
	out, err := p.PredictBatch([]string{text})
	if err != nil {
		return Prediction{}, err
	}
	return out[0], nil
}

// PredictBatch classifies texts; result i belongs to texts[i]. Texts are
// grouped by token length so that each forward pass pads little.
func (p *Predictor) PredictBatch(texts []string) ([]Prediction, error) {
	encs := p.tokenizer.EncodeBatch(texts)
	maxLen := p.collator.MaxLength()
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
		if n := encs[i].Len(); n > maxLen {
			return nil, fmt.Errorf("text %d has %d tokens, more than the predictor's maximum %d: load the tokenizer WithMaxLength(%d)", i, n, maxLen, maxLen)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return encs[order[a]].Len() < encs[order[b]].Len() })
	out := make([]Prediction, len(texts))
	for lo := 0; lo < len(order); lo += p.batchSize {
		idx := order[lo:min(lo+p.batchSize, len(order))]
		batch := make([]tokenize.Encoding, bucketSize(len(idx)))
		for j := range batch {
			batch[j] = encs[idx[min(j, len(idx)-1)]] // repeat the last text to fill the bucket
		}
		logits, err := p.logits(batch)
		if err != nil {
			return nil, err
		}
		for j, i := range idx {
			out[i] = p.prediction(texts[i], logits[j])
		}
	}
	return out, nil
}

// bucketSize rounds n up to a power of two.
func bucketSize(n int) int {
	s := 1
	for s < n {
		s *= 2
	}
	return s
}

func (p *Predictor) logits(encs []tokenize.Encoding) ([][]float32, error) {
	b, err := p.collator.Collate(encs)
	if err != nil {
		return nil, err
	}
	ids, mask, types := b.Flat()
	p.mu.Lock()
	defer p.mu.Unlock()
	out, err := p.exec.Exec(
		tensors.FromFlatDataAndDimensions(ids, b.Size, b.Length),
		tensors.FromFlatDataAndDimensions(mask, b.Size, b.Length),
		tensors.FromFlatDataAndDimensions(types, b.Size, b.Length))
	if err != nil {
		return nil, fmt.Errorf("running the model on a [%d, %d] batch: %w", b.Size, b.Length, err)
	}
	if len(out) != 1 {
		return nil, errors.New("internal error: the model graph returned no logits")
	}
	return out[0].Value().([][]float32), nil
}

func (p *Predictor) prediction(text string, logits []float32) Prediction {
	best := 0
	for j, v := range logits {
		if v > logits[best] {
			best = j
		}
	}
	sum := 0.0
	for _, v := range logits {
		sum += math.Exp(float64(v - logits[best]))
	}
	return Prediction{
		Text:        text,
		Label:       p.model.Config.Labels()[best],
		LabelID:     best,
		Probability: 1 / sum,
		Logits:      append([]float32(nil), logits...),
	}
}
