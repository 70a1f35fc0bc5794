package perf

import (
	"cmp"
	stdctx "context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/progress"
	"github.com/polarityml/polarity/lib/train"
)

// Shapes are the model names Bench builds from random weights, without
// downloading anything: the BERT configurations of lib/bert.
var Shapes = map[string]func() *bert.Config{
	"tiny": bert.Tiny, "base": bert.BaseUncased, "large": bert.Large,
	// Google's compact BERTs (bert_uncased_L-4_H-256_A-4, -L-4_H-512_A-8, -L-8_H-512_A-8).
	"mini":   func() *bert.Config { return bert.Compact(4, 256) },
	"small":  func() *bert.Config { return bert.Compact(4, 512) },
	"medium": func() *bert.Config { return bert.Compact(8, 512) },
}

// Options configure a benchmark.
type Options struct {
	// Model is a shape name (tiny, mini, small, medium, base, large: random weights), a
	// checkpoint directory or a hub repo id (see bert.ResolveModelDir).
	Model string
	// Batch is the number of sequences per step; MaxLen their length in tokens.
	Batch, MaxLen int
	// Precision is the compute dtype: auto (bfloat16 on a GPU, float32
	// elsewhere), fp32/float32 or bf16/bfloat16. Weights stay float32.
	Precision string
	// Steps is the number of timed training steps and of timed inference
	// batches; 0 chooses: at least 3, at most 20, stopping after 20 s.
	Steps int
	// ShowProgress draws progress while compiling and timing.
	ShowProgress bool
}

// Phase is the timing of training steps or of inference batches.
type Phase struct {
	// Steps is the number of timed steps (after compilation and one warm-up step).
	Steps int `json:"steps"`
	// CompileSeconds is the first step's time: compilation plus one run.
	CompileSeconds float64 `json:"compile_seconds"`
	// MsPerStep is the median wall time of a timed step.
	MsPerStep float64 `json:"ms_per_step"`
	// CPUMsPerStep is the process's CPU time per timed step, all threads.
	CPUMsPerStep float64 `json:"cpu_ms_per_step"`
	// SamplesPerSecond is batch / median step time.
	SamplesPerSecond float64 `json:"samples_per_second"`
	// FLOPsPerStep is counted from the config (ForwardFLOPs or TrainFLOPs).
	FLOPsPerStep float64 `json:"flops_per_step"`
	// TFLOPS is the achieved rate, FLOPsPerStep over the median step time.
	TFLOPS float64 `json:"tflops"`
	// MFU is TFLOPS over the device's peak; nil when the peak is unknown.
	MFU *float64 `json:"mfu"`
}

// Report is the outcome of a benchmark.
type Report struct {
	// Backend is the GoMLX backend configuration, BackendDescription what it says of itself.
	Backend            string `json:"backend"`
	BackendDescription string `json:"backend_description"`
	// Device names the processor the backend computes on.
	Device string `json:"device"`
	GPU    bool   `json:"gpu"`
	// Peak is the device's peak throughput; nil when unknown.
	Peak *Peak `json:"peak,omitempty"`

	Model  string `json:"model"`
	Layers int    `json:"layers"`
	Hidden int    `json:"hidden"`
	Heads  int    `json:"heads"`
	Params int    `json:"params"`
	Batch  int    `json:"batch"`
	MaxLen int    `json:"max_len"`
	// ComputeDType is the dtype the model computed in: "float32" or "bfloat16".
	ComputeDType string `json:"compute_dtype"`

	// CompileSeconds is the time to the end of the first training step and
	// the first inference batch (compilation plus one run of each).
	CompileSeconds float64 `json:"compile_seconds"`
	Train          Phase   `json:"train"`
	Inference      Phase   `json:"inference"`

	// PeakRSSBytes is the process's largest resident set.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// GPUMemory is nvidia-smi's view of the GPU after the run; nil off GPUs.
	GPUMemory *GPU `json:"gpu_memory,omitempty"`
}

// Bench builds the model on the backend lib/compute chooses, then times
// training steps — train.Step, the step `polarity train` runs: forward with
// dropout, backward, AdamW with clipping — and inference batches through
// train.Evaluator, on random token ids of the requested shape.
func Bench(ctx stdctx.Context, opts Options) (*Report, error) {
	if opts.Batch < 1 || opts.MaxLen < 3 || opts.Steps < 0 {
		return nil, fmt.Errorf("batch=%d, max-len=%d, steps=%d: need batch ≥ 1, max-len ≥ 3 and steps ≥ 0", opts.Batch, opts.MaxLen, opts.Steps)
	}
	model, err := loadModel(ctx, opts.Model)
	if err != nil {
		return nil, err
	}
	cfg := model.Config
	if opts.MaxLen > cfg.MaxPositionEmbeddings {
		return nil, fmt.Errorf("max-len %d exceeds the model's max_position_embeddings %d", opts.MaxLen, cfg.MaxPositionEmbeddings)
	}
	training, err := train.NewConfig(train.PresetFinetune)
	if err != nil {
		return nil, err
	}
	training.Training.Precision = opts.Precision
	choice := compute.Choose()
	dtype, err := training.Training.ComputeDType(choice.GPU())
	if err != nil {
		return nil, err
	}
	backend, err := compute.Backend()
	if err != nil {
		return nil, err
	}
	model.Context.SetParam(bert.ParamComputeDType, dtype)

	r := &Report{
		Backend: choice.Config, BackendDescription: backend.Description(), GPU: choice.GPU(),
		Model: opts.Model, Layers: cfg.NumHiddenLayers, Hidden: cfg.HiddenSize, Heads: cfg.NumAttentionHeads,
		Params: bert.NumParams(cfg), Batch: opts.Batch, MaxLen: opts.MaxLen, ComputeDType: dtype,
	}
	r.Device, r.Peak = device(backend, r.GPU)

	batch := randomBatch(cfg, opts.Batch, opts.MaxLen)
	step, err := train.NewStep(backend, model.Context, train.BertModel(cfg), training.Training)
	if err != nil {
		return nil, err
	}
	defer step.Close()
	const lr = 2e-5
	r.Train, err = timePhase("train", opts, func() error { _, err := step.Run(batch, lr); return err })
	if err != nil {
		return nil, fmt.Errorf("training step: %w", err)
	}
	evaluator, err := train.NewEvaluator(backend, model.Context, train.BertModel(cfg))
	if err != nil {
		return nil, err
	}
	defer evaluator.Close()
	data := oneBatch{batch}
	r.Inference, err = timePhase("inference", opts, func() error { _, err := evaluator.Evaluate(data, opts.Batch, false); return err })
	if err != nil {
		return nil, fmt.Errorf("inference: %w", err)
	}

	r.CompileSeconds = r.Train.CompileSeconds + r.Inference.CompileSeconds
	r.Train.setRates(TrainFLOPs(cfg, opts.Batch, opts.MaxLen), opts.Batch, r.Peak, dtype)
	r.Inference.setRates(ForwardFLOPs(cfg, opts.Batch, opts.MaxLen), opts.Batch, r.Peak, dtype)
	r.PeakRSSBytes = PeakRSS()
	if r.GPU {
		if g, err := QueryGPU(); err == nil {
			r.GPUMemory = &g
		}
	}
	return r, nil
}

// loadModel builds a shape from random weights, or loads a checkpoint.
func loadModel(ctx stdctx.Context, spec string) (*bert.Model, error) {
	if shape, ok := Shapes[spec]; ok {
		return bert.New(shape(), 1)
	}
	dir, err := bert.ResolveModelDir(ctx, hub.NewFromEnv(), spec)
	if err != nil {
		return nil, fmt.Errorf("%w (or a random-weight shape: tiny, base, large)", err)
	}
	return bert.Load(dir)
}

// device names the backend's device and looks up its peak.
func device(backend backends.Backend, gpu bool) (string, *Peak) {
	if gpu {
		g, err := QueryGPU()
		if err != nil {
			return backend.DeviceDescription(0), nil
		}
		if p, ok := GPUPeak(g.Name); ok {
			return g.Name, &p
		}
		return g.Name, nil
	}
	cpu := ReadCPU(runtime.NumCPU())
	name := fmt.Sprintf("%s (%d logical CPUs)", cmp.Or(strings.TrimSpace(cpu.Model), "CPU"), runtime.NumCPU())
	if p, ok := cpu.Peak(); ok {
		return name, &p
	}
	return name, nil
}

// setRates fills the throughput figures from the median step time.
func (p *Phase) setRates(flops float64, batch int, peak *Peak, dtype string) {
	p.FLOPsPerStep = flops
	if p.MsPerStep <= 0 {
		return
	}
	seconds := p.MsPerStep / 1000
	p.SamplesPerSecond = float64(batch) / seconds
	p.TFLOPS = flops / seconds / 1e12
	if peak != nil {
		if mfu, ok := MFU(flops/seconds, peak.For(dtype)); ok {
			p.MFU = &mfu
		}
	}
}

// Automatic step counts: at least minSteps, at most maxSteps, stopping once
// the timed steps took autoBudget.
const (
	minSteps   = 3
	maxSteps   = 20
	autoBudget = 20 * time.Second
)

// timePhase runs run once to compile (with a ticking progress line), once
// to warm up, then times opts.Steps runs (or the automatic count).
func timePhase(name string, opts Options, run func() error) (Phase, error) {
	var ph Phase
	stop := compileProgress("compile "+name, opts.ShowProgress)
	start := time.Now()
	err := run()
	ph.CompileSeconds = time.Since(start).Seconds()
	stop()
	if err != nil {
		return ph, err
	}
	if err := run(); err != nil { // warm-up
		return ph, err
	}
	total := opts.Steps
	if total == 0 {
		total = maxSteps
	}
	var bar *progress.Bar
	if opts.ShowProgress {
		bar = progress.New(name, int64(total), "steps")
	}
	var times []float64
	cpu0, wall0 := CPUTime(), time.Now()
	for len(times) < total {
		t0 := time.Now()
		if err := run(); err != nil {
			return ph, err
		}
		times = append(times, float64(time.Since(t0).Microseconds())/1000)
		if bar != nil {
			bar.Add(1)
		}
		if opts.Steps == 0 && len(times) >= minSteps && time.Since(wall0) >= autoBudget {
			break
		}
	}
	if bar != nil {
		bar.Done()
	}
	ph.Steps = len(times)
	ph.CPUMsPerStep = float64((CPUTime() - cpu0).Microseconds()) / 1000 / float64(len(times))
	slices.Sort(times)
	ph.MsPerStep = times[len(times)/2]
	return ph, nil
}

// compileProgress shows an indeterminate progress line, redrawn every
// second, until the returned stop is called.
func compileProgress(title string, show bool) (stop func()) {
	if !show {
		return func() {}
	}
	bar := progress.New(title, 0, "")
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				bar.SetStatus("compiling and running the first step")
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		bar.Done()
	}
}

// randomBatch is batch sequences of length random token ids (seeded), no
// padding, alternating labels.
func randomBatch(cfg *bert.Config, batch, length int) train.Batch {
	rng := rand.New(rand.NewPCG(1, 2))
	lo := min(1000, cfg.VocabSize/2)
	ids := make([]int32, batch*length)
	mask := make([]int32, batch*length)
	for i := range ids {
		ids[i] = int32(lo + rng.IntN(cfg.VocabSize-lo))
		mask[i] = 1
	}
	labels := make([]int32, batch)
	for i := range labels {
		labels[i] = int32(i % cfg.NumLabels())
	}
	return train.Batch{Inputs: []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(ids, batch, length),
		tensors.FromFlatDataAndDimensions(mask, batch, length),
		tensors.FromFlatDataAndDimensions(make([]int32, batch*length), batch, length),
	}, Labels: labels}
}

// oneBatch is a train.Dataset that serves the same batch.
type oneBatch struct{ b train.Batch }

func (d oneBatch) Len() int { return len(d.b.Labels) }

func (d oneBatch) Batch([]int) (train.Batch, error) { return d.b, nil }
