package train

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph code reads best with dot import
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Step is one compiled optimisation step — forward with dropout, backward,
// AdamW update of the context's variables — the step Trainer.Fit runs and
// `polarity bench` times. A graph is compiled for each new batch shape on
// first use.
type Step struct {
	exec *context.Exec
}

// StepResult is what one step reports: the batch's mean loss, its number of
// correct argmax predictions and the global gradient norm before clipping.
type StepResult struct {
	Loss, Correct, GradNorm float64
}

// NewStep prepares the training step of model on ctx's variables with the
// AdamW optimizer that cfg describes.
func NewStep(backend backends.Backend, ctx *context.Context, model Model, cfg TrainingConfig) (*Step, error) {
	optimizer := NewAdamW(cfg)
	exec, err := context.NewExec(backend, ctx.Checked(false), func(ctx *context.Context, in []*Node) []*Node {
		g := in[0].Graph()
		ctx.SetTraining(g, true)
		inputs, labels, lr := in[:len(in)-2], in[len(in)-2], in[len(in)-1]
		logits := model(ctx, inputs)
		loss, correct := lossAndCorrect(logits, labels)
		gradNorm := optimizer.Update(ctx, loss, lr)
		return []*Node{loss, correct, gradNorm}
	})
	if err != nil {
		return nil, err
	}
	return &Step{exec: exec}, nil
}

// Run takes one step on batch with learning rate lr. It returns once the
// step has finished on the device (its loss is read back to the host).
func (s *Step) Run(batch Batch, lr float64) (StepResult, error) {
	args := make([]any, 0, len(batch.Inputs)+2)
	for _, x := range batch.Inputs {
		args = append(args, x)
	}
	args = append(args, tensors.FromValue(batch.Labels), float32(lr))
	outs, err := s.exec.Exec(args...)
	if err != nil {
		return StepResult{}, err
	}
	if len(outs) != 3 {
		return StepResult{}, fmt.Errorf("training step returned %d outputs, want 3", len(outs))
	}
	return StepResult{
		Loss:     float64(tensors.ToScalar[float32](outs[0])),
		Correct:  float64(tensors.ToScalar[float32](outs[1])),
		GradNorm: float64(tensors.ToScalar[float32](outs[2])),
	}, nil
}

// Close releases the compiled graphs.
func (s *Step) Close() { s.exec.Finalize() }
