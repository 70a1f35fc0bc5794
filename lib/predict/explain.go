package predict

import (
	"errors"
	"fmt"
	"sync"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/nbui"
	"github.com/polarityml/polarity/lib/tokenize"
)

// Method is how Explain attributes a decision to the words of the text.
const Method = "gradient × input on the word embeddings (positive-class margin)"

// Explain classifies text and attributes the decision to its words, ready
// for nbui.RenderPrediction and nbui.ReviewWidget.
//
// Attribution is gradient × input on the word embeddings: for token i with
// word embedding e_i, score_i = ∇_{e_i} m · e_i, where m is the margin of the
// positive class (its logit minus the mean of the other logits; for two
// classes logit_pos − logit_neg). It is the first-order estimate of how m
// changes when the token's embedding is scaled away, so a score > 0 pushed
// the review towards positive and < 0 towards negative. WordPiece pieces of
// one word are summed into that word's byte span of text; [CLS]/[SEP] carry
// none. Gradient × input was chosen over occlusion because it costs one
// forward and one backward pass whatever the length, where occlusion needs
// a forward pass per word (a 128-token review on the pure-Go backend:
// ~100× the work), and it sees every token in context rather than the
// sentence with a hole in it.
func (c *Classifier) Explain(text string) (nbui.Prediction, error) {
	pred, err := c.predictor.Predict(text)
	if err != nil {
		return nbui.Prediction{}, err
	}
	enc := c.predictor.Tokenizer().Encode(text)
	scores, err := c.tokenScores(enc)
	if err != nil {
		return nbui.Prediction{}, err
	}
	out := nbui.Prediction{
		Text:        text,
		Label:       pred.Label,
		Probability: pred.Probability,
		Positive:    pred.LabelID == c.positive,
		Tokens:      WordAttributions(enc, scores),
		Method:      Method,
	}
	if enc.Truncated {
		out.SeenBytes = seenBytes(enc)
	}
	return out, nil
}

// TokenScores returns the gradient × input score of every token of text's
// encoding (see Explain), [CLS] and [SEP] included, with the encoding.
func (c *Classifier) TokenScores(text string) (tokenize.Encoding, []float64, error) {
	enc := c.predictor.Tokenizer().Encode(text)
	scores, err := c.tokenScores(enc)
	return enc, scores, err
}

func (c *Classifier) tokenScores(enc tokenize.Encoding) ([]float64, error) {
	c.explainOnce.Do(func() { c.explainer, c.explainErr = newExplainer(c.predictor, c.positive) })
	if c.explainErr != nil {
		return nil, c.explainErr
	}
	return c.explainer.scores(enc)
}

// explainer runs the attribution graph: the classifier from the word
// embeddings, and the gradient of the positive margin with respect to them.
type explainer struct {
	collator *tokenize.Collator
	mu       sync.Mutex
	exec     *context.Exec
}

func newExplainer(p *bert.Predictor, positive int) (*explainer, error) {
	backend, err := compute.Backend()
	if err != nil {
		return nil, err
	}
	model := p.Model()
	cfg := model.Config
	exec, err := context.NewExec(backend, model.Context.Reuse(), func(ctx *context.Context, ids, mask, types *graph.Node) *graph.Node {
		words := bert.WordEmbeddings(ctx, cfg, ids)
		logits := bert.ClassifierLogitsFromWordEmbeddings(ctx, cfg, words, mask, types)
		margin := positiveMargin(logits, positive)
		grad := graph.Gradient(graph.ReduceAllSum(margin), words)[0]
		return graph.ReduceSum(graph.Mul(grad, words), -1) // [batch, seqLen]
	})
	if err != nil {
		return nil, err
	}
	exec.SetMaxCache(len(p.Collator().Lengths))
	return &explainer{collator: p.Collator(), exec: exec}, nil
}

// positiveMargin is logits[:, positive] minus the mean of the other logits,
// [batch].
func positiveMargin(logits *graph.Node, positive int) *graph.Node {
	n := logits.Shape().Dimensions[1]
	weights := make([]float32, n)
	for j := range weights {
		weights[j] = -1 / float32(n-1)
	}
	weights[positive] = 1
	w := graph.Const(logits.Graph(), weights)
	return graph.ReduceSum(graph.Mul(logits, graph.ExpandLeftToRank(w, 2)), -1)
}

func (e *explainer) scores(enc tokenize.Encoding) ([]float64, error) {
	b, err := e.collator.Collate([]tokenize.Encoding{enc})
	if err != nil {
		return nil, err
	}
	ids, mask, types := b.Flat()
	e.mu.Lock()
	defer e.mu.Unlock()
	out, err := e.exec.Exec(
		tensors.FromFlatDataAndDimensions(ids, 1, b.Length),
		tensors.FromFlatDataAndDimensions(mask, 1, b.Length),
		tensors.FromFlatDataAndDimensions(types, 1, b.Length))
	if err != nil {
		return nil, fmt.Errorf("attributing a %d-token text: %w", enc.Len(), err)
	}
	if len(out) != 1 {
		return nil, errors.New("internal error: the attribution graph returned no scores")
	}
	flat := tensors.MustCopyFlatData[float32](out[0])
	scores := make([]float64, enc.Len())
	for i := range scores {
		scores[i] = float64(flat[i])
	}
	return scores, nil
}

// WordAttributions merges per-token scores into per-word spans of the text:
// tokens with the same word id (the WordPiece pieces of one word) become one
// span from the first piece's start to the last piece's end, scored by the
// sum of their scores. Tokens of no word ([CLS], [SEP]) are dropped. Spans
// come out in text order.
func WordAttributions(enc tokenize.Encoding, scores []float64) []nbui.TokenAttribution {
	var out []nbui.TokenAttribution
	last := tokenize.NoWord
	for i := range min(len(scores), enc.Len()) {
		w := enc.WordIDs[i]
		if w == tokenize.NoWord {
			last = tokenize.NoWord
			continue
		}
		off := enc.Offsets[i]
		if w == last && len(out) > 0 {
			t := &out[len(out)-1]
			t.Start, t.End = min(t.Start, off.Start), max(t.End, off.End)
			t.Score += scores[i]
			continue
		}
		out = append(out, nbui.TokenAttribution{Start: off.Start, End: off.End, Score: scores[i]})
		last = w
	}
	return out
}

// seenBytes is where the model stopped reading a truncated text: the end of
// its last real token.
func seenBytes(enc tokenize.Encoding) int {
	end := 0
	for i, off := range enc.Offsets {
		if enc.WordIDs[i] != tokenize.NoWord {
			end = max(end, off.End)
		}
	}
	return end
}
