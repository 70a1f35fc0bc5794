// Package train fine-tunes a GoMLX classifier the way Hugging Face's
// Trainer does — AdamW with decoupled weight decay that skips biases and
// LayerNorm, a linear warmup/decay schedule, global-norm clipping, seeded
// per-epoch shuffling, dropout in training only — with validation, history,
// curves, atomic checkpoints, exact resume, early stopping and clean
// interruption. It is generic over the model function; lib/bert supplies BERT.
package train

import (
	stdctx "context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph code reads best with dot import
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	_ "github.com/polarityml/polarity/lib/dotgrad" // fast DotGeneral gradients for training
	"github.com/polarityml/polarity/lib/progress"
)

// Model builds the logits, shaped [batch, classes], from a batch's input
// nodes. It reads ctx.IsTraining(g) to switch dropout on only in training.
type Model func(ctx *context.Context, inputs []*Node) *Node

// Batch is one mini-batch: the model's input tensors (e.g. token ids,
// attention mask, token type ids, each [batch, length] int32) and labels.
type Batch struct {
	Inputs []*tensors.Tensor
	Labels []int32
}

// Dataset hands out batches of examples by index. Implementations pad each
// batch to a small set of lengths (bucketing) so few graphs get compiled.
type Dataset interface {
	Len() int
	Batch(indices []int) (Batch, error)
}

// ErrInterrupted is returned by Fit when its context was cancelled (Ctrl-C,
// SIGTERM): the training state was saved and Resume continues exactly.
var ErrInterrupted = errors.New("training interrupted; state saved, rerun with --resume to continue")

// Trainer runs one training job. Set the exported fields, then call Fit.
type Trainer struct {
	// Config holds the hyper-parameters and OutDir.
	Config TrainingConfig
	// Backend runs the graphs; get it from compute.Backend().
	Backend backends.Backend
	// Ctx holds the model's variables (created on first use, or loaded).
	Ctx *context.Context
	// Model computes the logits.
	Model Model
	// SaveModel writes the best model in its published format into an empty
	// directory, whose files are then moved into OutDir (for BERT: Hugging Face config.json + model.safetensors +
	// tokenizer.json). Nil writes the trainable variables as model.safetensors.
	SaveModel func(dir string) error
	// Resume continues from OutDir/state when it exists.
	Resume bool
	// OnEval, if set, is called after every validation with the history so
	// far (the notebook redraws its curves there).
	OnEval func(h History)
	// Log receives one line per validation and checkpoint; nil is silent.
	Log func(format string, args ...any)
	// ShowProgress draws a progress bar (HTML in GoNB, terminal in a CLI).
	ShowProgress bool

	start time.Time // when Fit started in this process
}

// Result summarises a finished (or early-stopped) run.
type Result struct {
	History History
	// Steps is the number of optimisation steps taken in total.
	Steps int
	// BestValLoss and BestValAccuracy describe the saved best model.
	BestValLoss, BestValAccuracy float64
	// StoppedEarly is true when patience ran out.
	StoppedEarly bool
	// Wall is the time spent training in this process, validation included.
	Wall time.Duration
	// SamplesPerSecond is the training throughput of this process.
	SamplesPerSecond float64
}

// Paths inside OutDir.
const (
	stateDir    = "state"        // training state: variables + trainer.json
	HistoryJSON = "history.json" // History as JSON
	HistoryCSV  = "history.csv"  // History as CSV
	CurvesPNG   = "curves.png"   // loss and accuracy curves
)

// Fit trains on train, validating on val after every epoch (and every
// Config.EvalEvery steps). It saves the best model by validation loss, the
// training state at every validation, and stops early after Config.Patience
// validations without improvement. When runCtx is cancelled it saves the
// state after the current step and returns ErrInterrupted.
func (t *Trainer) Fit(runCtx stdctx.Context, train, val Dataset) (Result, error) {
	cfg := t.Config
	n := train.Len()
	if n == 0 || val.Len() == 0 {
		return Result{}, fmt.Errorf("need training and validation examples (got %d and %d)", n, val.Len())
	}
	stepsPerEpoch := (n + cfg.BatchSize - 1) / cfg.BatchSize
	totalSteps := cfg.Epochs * stepsPerEpoch
	schedule := NewLinearSchedule(cfg.LR, cfg.WarmupRatio, totalSteps)

	st := &runState{Config: cfg, TrainExamples: n, BestValLoss: math.Inf(1)}
	resumed := false
	if t.Resume {
		loaded, err := loadState(filepath.Join(cfg.OutDir, stateDir), t.Ctx)
		switch {
		case err == nil:
			if err := loaded.compatible(cfg, n); err != nil {
				return Result{}, err
			}
			st, resumed = loaded, true
			t.logf("resuming at step %d of %d", st.Step, totalSteps)
		case errors.Is(err, os.ErrNotExist):
			t.logf("no training state in %s: starting from scratch", cfg.OutDir)
		default:
			return Result{}, err
		}
	}
	if !resumed {
		if err := t.Ctx.SetRNGStateFromSeed(cfg.Seed); err != nil {
			return Result{}, err
		}
	}

	step, err := NewStep(t.Backend, t.Ctx, t.Model, cfg)
	if err != nil {
		return Result{}, err
	}
	defer step.Close()
	evaluator, err := NewEvaluator(t.Backend, t.Ctx, t.Model)
	if err != nil {
		return Result{}, err
	}
	defer evaluator.Close()

	var bar *progress.Bar
	if t.ShowProgress {
		bar = progress.New("train", int64(cfg.Epochs*n), "samples")
		bar.Set(int64(samplesBefore(st.Step, stepsPerEpoch, cfg.BatchSize, n)))
		defer bar.Done()
	}

	start := time.Now()
	t.start = start
	samplesHere := 0
	var trainTime time.Duration
	var order []int
	orderEpoch := -1
	for st.Step < totalSteps && !st.StoppedEarly {
		if runCtx.Err() != nil {
			if err := t.saveState(st); err != nil {
				return Result{}, fmt.Errorf("interrupted, and saving the state failed: %w", err)
			}
			t.logf("interrupted at step %d: state saved in %s", st.Step, filepath.Join(cfg.OutDir, stateDir))
			return t.result(st, start, trainTime, samplesHere), ErrInterrupted
		}
		epoch, pos := st.Step/stepsPerEpoch, st.Step%stepsPerEpoch
		if epoch != orderEpoch {
			order, orderEpoch = EpochOrder(n, cfg.Seed, epoch), epoch
		}
		indices := order[pos*cfg.BatchSize : min((pos+1)*cfg.BatchSize, n)]
		batch, err := train.Batch(indices)
		if err != nil {
			return Result{}, fmt.Errorf("training batch at step %d: %w", st.Step, err)
		}
		stepStart := time.Now()
		out, err := step.Run(batch, schedule.At(st.Step))
		if err != nil {
			return Result{}, fmt.Errorf("training step %d: %w", st.Step, err)
		}
		trainTime += time.Since(stepStart)
		loss := out.Loss
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return Result{}, fmt.Errorf("training loss is %v at step %d: lower --lr or set --clip 1.0", loss, st.Step)
		}
		st.RunLoss += loss * float64(len(indices))
		st.RunCorrect += out.Correct
		st.RunCount += len(indices)
		st.Step++
		samplesHere += len(indices)
		if bar != nil {
			bar.Add(int64(len(indices)))
			bar.SetStatus(fmt.Sprintf("epoch %d/%d  loss %.4f  acc %.3f  lr %.2g",
				epoch+1, cfg.Epochs, st.RunLoss/float64(st.RunCount), st.RunCorrect/float64(st.RunCount), schedule.At(st.Step-1)))
		}

		endOfEpoch := pos == stepsPerEpoch-1
		if endOfEpoch || (cfg.EvalEvery > 0 && st.Step%cfg.EvalEvery == 0) {
			if err := t.validate(st, evaluator, val, float64(st.Step)/float64(stepsPerEpoch), schedule.At(st.Step-1), start, trainTime, samplesHere); err != nil {
				return Result{}, err
			}
		}
	}
	return t.result(st, start, trainTime, samplesHere), nil
}

// validate evaluates, records history, keeps the best model, applies early
// stopping and checkpoints the state.
func (t *Trainer) validate(st *runState, ev *Evaluator, val Dataset, epoch, lr float64, start time.Time, trainTime time.Duration, samples int) error {
	cfg := t.Config
	res, err := ev.Evaluate(val, cfg.BatchSize, false)
	if err != nil {
		return fmt.Errorf("validation at step %d: %w", st.Step, err)
	}
	rec := Record{
		Step: st.Step, Epoch: epoch, LR: lr,
		TrainLoss: st.RunLoss / float64(max(1, st.RunCount)), TrainAccuracy: st.RunCorrect / float64(max(1, st.RunCount)),
		ValLoss: res.Loss, ValAccuracy: res.Accuracy,
		ElapsedSeconds: st.ElapsedBefore + time.Since(start).Seconds(),
	}
	if trainTime > 0 {
		rec.SamplesPerSecond = float64(samples) / trainTime.Seconds()
	}
	st.RunLoss, st.RunCorrect, st.RunCount = 0, 0, 0
	st.History = append(st.History, rec)
	if res.Loss < st.BestValLoss {
		st.BestValLoss, st.BestValAccuracy, st.BestStep, st.BadEvals = res.Loss, res.Accuracy, st.Step, 0
		if err := t.saveBest(); err != nil {
			return fmt.Errorf("saving the best model: %w", err)
		}
	} else {
		st.BadEvals++
		if cfg.Patience > 0 && st.BadEvals >= cfg.Patience {
			st.StoppedEarly = true
			t.logf("early stopping: validation loss has not improved on %.4f (step %d) for %d validations",
				st.BestValLoss, st.BestStep, st.BadEvals)
		}
	}
	t.logf("step %d (epoch %.2f): train loss %.4f acc %.4f | val loss %.4f acc %.4f | %.1f samples/s",
		rec.Step, rec.Epoch, rec.TrainLoss, rec.TrainAccuracy, rec.ValLoss, rec.ValAccuracy, rec.SamplesPerSecond)
	if err := st.History.WriteFiles(cfg.OutDir); err != nil {
		return err
	}
	if err := t.saveState(st); err != nil {
		return fmt.Errorf("saving the training state: %w", err)
	}
	if t.OnEval != nil {
		t.OnEval(st.History)
	}
	return nil
}

func (t *Trainer) result(st *runState, start time.Time, trainTime time.Duration, samples int) Result {
	r := Result{History: st.History, Steps: st.Step, BestValLoss: st.BestValLoss, BestValAccuracy: st.BestValAccuracy,
		StoppedEarly: st.StoppedEarly, Wall: time.Since(start)}
	if trainTime > 0 {
		r.SamplesPerSecond = float64(samples) / trainTime.Seconds()
	}
	return r
}

func (t *Trainer) logf(format string, args ...any) {
	if t.Log != nil {
		t.Log(format, args...)
	}
}

// saveBest writes the current model into OutDir: SaveModel fills a fresh
// directory, whose files are then renamed over the old ones one by one (each
// replacement is atomic; config and tokenizer do not change during a run).
func (t *Trainer) saveBest() error {
	save := t.SaveModel
	if save == nil {
		save = func(dir string) error { return SaveVariables(t.Ctx, filepath.Join(dir, "model.safetensors"), true) }
	}
	tmp := filepath.Join(t.Config.OutDir, ".best"+newSuffix)
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := save(tmp); err != nil {
		return err
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(t.Config.OutDir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// samplesBefore is the number of samples consumed by the first step steps.
func samplesBefore(step, stepsPerEpoch, batch, n int) int {
	epochs, pos := step/stepsPerEpoch, step%stepsPerEpoch
	return epochs*n + min(pos*batch, n)
}

// EpochOrder is the seeded order in which epoch visits n examples: the same
// for the same (seed, epoch), whatever happened before, which makes resuming exact.
func EpochOrder(n int, seed int64, epoch int) []int {
	return rand.New(rand.NewPCG(uint64(seed), uint64(epoch))).Perm(n)
}

// lossAndCorrect is the mean softmax cross-entropy of the logits against
// integer labels and the number of correct argmax predictions.
func lossAndCorrect(logits, labels *Node) (loss, correct *Node) {
	numClasses := logits.Shape().Dimensions[1]
	logProbs := LogSoftmax(logits, -1)
	oneHot := OneHot(labels, numClasses, logProbs.DType())
	loss = Neg(ReduceAllMean(ReduceSum(Mul(oneHot, logProbs), -1)))
	predictions := ArgMax(logits, -1, dtypes.Int32)
	correct = ReduceAllSum(ConvertDType(Equal(predictions, ConvertDType(labels, dtypes.Int32)), dtypes.Float32))
	return ConvertDType(loss, dtypes.Float32), correct
}
