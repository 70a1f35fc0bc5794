package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/atomicfile"
)

// runState is everything besides the variables that a resumed run needs.
type runState struct {
	Config        TrainingConfig `json:"config"`
	TrainExamples int            `json:"train_examples"`
	Step          int            `json:"step"`
	// RunLoss, RunCorrect and RunCount accumulate the training loss and
	// accuracy since the last validation.
	RunLoss         float64 `json:"run_loss"`
	RunCorrect      float64 `json:"run_correct"`
	RunCount        int     `json:"run_count"`
	BestValLoss     float64 `json:"best_val_loss"`
	BestValAccuracy float64 `json:"best_val_accuracy"`
	BestStep        int     `json:"best_step"`
	BadEvals        int     `json:"bad_evals"`
	StoppedEarly    bool    `json:"stopped_early"`
	ElapsedBefore   float64 `json:"elapsed_seconds"`
	History         History `json:"history"`
}

// MarshalJSON writes +Inf (no validation yet) as null.
func (s *runState) MarshalJSON() ([]byte, error) {
	type plain runState
	c := *s
	if c.BestValLoss > 1e300 {
		c.BestValLoss = -1
	}
	return json.Marshal((*plain)(&c))
}

// compatible checks that a saved state can continue under cfg.
func (s *runState) compatible(cfg TrainingConfig, trainExamples int) error {
	var diffs []string
	check := func(name string, saved, now any) {
		if saved != now {
			diffs = append(diffs, fmt.Sprintf("%s was %v, now %v", name, saved, now))
		}
	}
	check("epochs", s.Config.Epochs, cfg.Epochs)
	check("batch", s.Config.BatchSize, cfg.BatchSize)
	check("lr", s.Config.LR, cfg.LR)
	check("warmup", s.Config.WarmupRatio, cfg.WarmupRatio)
	check("seed", s.Config.Seed, cfg.Seed)
	check("training examples", s.TrainExamples, trainExamples)
	if len(diffs) > 0 {
		return fmt.Errorf("cannot resume from %s: %s; rerun with the original settings, or without --resume to start over",
			cfg.OutDir, strings.Join(diffs, "; "))
	}
	return nil
}

const (
	stateVariablesFile = "variables.safetensors"
	stateJSONFile      = "trainer.json"
	// trainableMeta lists, in the safetensors metadata, the trainable variables.
	trainableMeta = "trainable"
)

// saveState checkpoints the variables (model, optimizer moments, step, RNG)
// and the run state into OutDir/state, atomically.
func (t *Trainer) saveState(st *runState) error {
	c := *st
	c.ElapsedBefore += time.Since(t.start).Seconds()
	return replaceDir(filepath.Join(t.Config.OutDir, stateDir), func(dir string) error {
		if err := SaveVariables(t.Ctx, filepath.Join(dir, stateVariablesFile), false); err != nil {
			return err
		}
		return atomicfile.Write(filepath.Join(dir, stateJSONFile), func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(&c)
		})
	})
}

// loadState restores the variables saved by saveState into ctx, creating
// those that do not exist yet, and returns the run state. A missing state
// is reported as os.ErrNotExist.
func loadState(dir string, ctx *context.Context) (*runState, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if _, errOld := os.Stat(dir + oldSuffix); errOld == nil {
			dir += oldSuffix // interrupted between the two renames of replaceDir
		} else {
			return nil, err
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, stateJSONFile))
	if err != nil {
		return nil, fmt.Errorf("reading training state: %w", err)
	}
	st := &runState{}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("%s: %w (delete %s to start over)", filepath.Join(dir, stateJSONFile), err, dir)
	}
	if st.BestValLoss < 0 {
		st.BestValLoss = math.Inf(1)
	}
	if err := LoadVariables(ctx, filepath.Join(dir, stateVariablesFile)); err != nil {
		return nil, err
	}
	return st, nil
}

// SaveVariables writes the context's variables to a safetensors file,
// keyed by scope and name; trainableOnly leaves out optimizer state and RNG.
func SaveVariables(ctx *context.Context, path string, trainableOnly bool) error {
	named := map[string]*tensors.Tensor{}
	var trainable []string
	for v := range ctx.IterVariables() {
		if trainableOnly && !v.Trainable {
			continue
		}
		value, err := v.Value()
		if err != nil {
			return fmt.Errorf("variable %s: %w", v.ScopeAndName(), err)
		}
		named[v.ScopeAndName()] = value
		if v.Trainable {
			trainable = append(trainable, v.ScopeAndName())
		}
	}
	list, _ := json.Marshal(trainable)
	return writeSafetensors(path, named, map[string]string{trainableMeta: string(list)})
}

// LoadVariables sets the context's variables from a file written by
// SaveVariables, creating missing ones with their saved trainable flag.
func LoadVariables(ctx *context.Context, path string) error {
	named, meta, err := readSafetensors(path)
	if err != nil {
		return fmt.Errorf("loading variables: %w", err)
	}
	trainable := map[string]bool{}
	var list []string
	if err := json.Unmarshal([]byte(meta[trainableMeta]), &list); err != nil {
		return fmt.Errorf("%s: metadata %q: %w", path, trainableMeta, err)
	}
	for _, name := range list {
		trainable[name] = true
	}
	for name, value := range named {
		scope, base := context.SplitScope(name)
		if v := ctx.GetVariableByScopeAndName(scope, base); v != nil {
			if !v.Shape().Equal(value.Shape()) {
				return fmt.Errorf("%s: variable %s has shape %s, the model has %s: the checkpoint is for another model",
					path, name, value.Shape(), v.Shape())
			}
			if err := v.SetValue(value); err != nil {
				return err
			}
			v.SetTrainable(trainable[name])
			continue
		}
		ctx.InAbsPath(scope).Checked(false).VariableWithValue(base, value).SetTrainable(trainable[name])
	}
	return nil
}

const (
	newSuffix = ".new"
	oldSuffix = ".old"
)

// replaceDir fills a fresh directory with fill and swaps it in place of dir
// with renames, so dir always holds a complete set of files (after a crash
// between the renames, dir+".old" does, and loadState looks there).
func replaceDir(dir string, fill func(dir string) error) error {
	tmp, old := dir+newSuffix, dir+oldSuffix
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	if err := fill(tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return os.RemoveAll(old)
}
