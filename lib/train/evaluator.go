package train

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph code reads best with dot import
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/progress"
)

// Evaluator runs a model in inference mode (dropout off) over a dataset.
type Evaluator struct {
	exec *context.Exec
}

// NewEvaluator compiles model's logits graph lazily, once per batch shape.
func NewEvaluator(backend backends.Backend, ctx *context.Context, model Model) (*Evaluator, error) {
	exec, err := context.NewExec(backend, ctx.Checked(false), func(ctx *context.Context, in []*Node) *Node {
		ctx.SetTraining(in[0].Graph(), false)
		return model(ctx, in)
	})
	if err != nil {
		return nil, err
	}
	return &Evaluator{exec: exec}, nil
}

// Close releases the compiled graphs.
func (e *Evaluator) Close() { e.exec.Finalize() }

// EvalResult holds a model's outputs on a dataset, in dataset order.
type EvalResult struct {
	// Loss is the mean softmax cross-entropy; Accuracy the share of correct argmax.
	Loss, Accuracy float64
	Logits         [][]float32
	Labels         []int
	Predictions    []int
}

// Evaluate runs the model over every example of data in order, in batches.
func (e *Evaluator) Evaluate(data Dataset, batchSize int, showProgress bool) (EvalResult, error) {
	n := data.Len()
	res := EvalResult{Logits: make([][]float32, 0, n), Labels: make([]int, 0, n), Predictions: make([]int, 0, n)}
	var bar *progress.Bar
	if showProgress {
		bar = progress.New("evaluate", int64(n), "reviews")
		defer bar.Done()
	}
	var lossSum float64
	var correct int
	indices := make([]int, 0, batchSize)
	for lo := 0; lo < n; lo += batchSize {
		indices = indices[:0]
		for i := lo; i < min(lo+batchSize, n); i++ {
			indices = append(indices, i)
		}
		batch, err := data.Batch(indices)
		if err != nil {
			return EvalResult{}, fmt.Errorf("batch at example %d: %w", lo, err)
		}
		args := make([]any, len(batch.Inputs))
		for i, x := range batch.Inputs {
			args[i] = x
		}
		outs, err := e.exec.Exec(args...)
		if err != nil {
			return EvalResult{}, err
		}
		logits := tensors.MustCopyFlatData[float32](outs[0])
		classes := outs[0].Shape().Dimensions[1]
		for i, label := range batch.Labels {
			row := logits[i*classes : (i+1)*classes]
			pred, logProb := argmaxAndLogSoftmax(row, int(label))
			lossSum -= logProb
			if pred == int(label) {
				correct++
			}
			res.Logits = append(res.Logits, row)
			res.Labels = append(res.Labels, int(label))
			res.Predictions = append(res.Predictions, pred)
		}
		if bar != nil {
			bar.Add(int64(len(indices)))
		}
	}
	res.Loss = lossSum / float64(n)
	res.Accuracy = float64(correct) / float64(n)
	return res, nil
}

// argmaxAndLogSoftmax returns the arg-max of logits and log softmax(logits)[label], in float64.
func argmaxAndLogSoftmax(logits []float32, label int) (int, float64) {
	best := 0
	maxLogit := math.Inf(-1)
	for i, l := range logits {
		if float64(l) > maxLogit {
			best, maxLogit = i, float64(l)
		}
	}
	var sum float64
	for _, l := range logits {
		sum += math.Exp(float64(l) - maxLogit)
	}
	return best, float64(logits[label]) - maxLogit - math.Log(sum)
}
