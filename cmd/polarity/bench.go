package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/polarityml/polarity/lib/perf"
)

func benchCommand() *command {
	const summary = "Time training steps and inference on this machine's backend: ms/step, samples/s, TFLOP/s, MFU, memory."
	return &command{
		name:    "bench",
		summary: summary,
		run: func(args []string) error {
			fs := newFlags("polarity bench", "", summary+
				"\n\nTraining steps are the ones `polarity train` runs (forward with dropout, backward, AdamW\n"+
				"with clipping), on random token ids; inference batches run dropout off. FLOPs are counted\n"+
				"from the config (matrix products: 6·N·tokens + attention for training); MFU is the achieved\n"+
				"rate over the device's peak (a table of NVIDIA GPUs; on CPUs cores × SIMD lanes × FMA × clock).")
			model := fs.String("model", "tiny", "tiny, mini, small, medium (Google's compact BERTs), base or large (bert-base/-large shapes): random weights, no download; or a checkpoint directory, or a hub repo id")
			batch := fs.Int("batch", 16, "sequences per step")
			maxLen := fs.Int("max-len", 128, "tokens per sequence")
			precision := fs.String("precision", "auto", "compute dtype: auto (bf16 on a GPU, fp32 on CPU), fp32 or bf16")
			steps := fs.Int("steps", 0, "timed steps of each kind after compiling and one warm-up (0: 3 to 20, about 20 s)")
			asJSON := fs.Bool("json", false, "print one JSON object instead of the table")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				fs.Usage()
				return errUsage
			}
			// Ctrl-C simply ends the process: a benchmark has nothing to save.
			r, err := perf.Bench(context.Background(), perf.Options{Model: *model, Batch: *batch, MaxLen: *maxLen,
				Precision: *precision, Steps: *steps, ShowProgress: true})
			if err != nil {
				return err
			}
			if *asJSON {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			printBench(os.Stdout, r)
			return nil
		},
	}
}

// printBench writes a report as an aligned table.
func printBench(w io.Writer, r *perf.Report) {
	fmt.Fprintf(w, "backend   %s  (%s)\n", r.Backend, r.BackendDescription)
	fmt.Fprintf(w, "device    %s\n", r.Device)
	if r.Peak != nil {
		fmt.Fprintf(w, "peak      %.1f TFLOP/s %s  (%s)\n", r.Peak.For(r.ComputeDType)/1e12, r.ComputeDType, r.Peak.Source)
	} else {
		fmt.Fprintln(w, "peak      unknown for this device: MFU omitted")
	}
	fmt.Fprintf(w, "model     %s: %d layers, hidden %d, %d heads, %.1fM params; batch %d × %d tokens, %s compute\n",
		r.Model, r.Layers, r.Hidden, r.Heads, float64(r.Params)/1e6, r.Batch, r.MaxLen, r.ComputeDType)
	fmt.Fprintf(w, "compile   %.1f s (train %.1f s, inference %.1f s; first step included)\n",
		r.CompileSeconds, r.Train.CompileSeconds, r.Inference.CompileSeconds)
	fmt.Fprintf(w, "\n%-26s %6s %10s %10s %10s %9s %7s\n", "", "steps", "ms/step", "CPU ms", "samples/s", "TFLOP/s", "MFU")
	for _, row := range []struct {
		name string
		ph   perf.Phase
	}{{"train (fwd+bwd+AdamW)", r.Train}, {"inference (forward)", r.Inference}} {
		mfu := "-"
		if row.ph.MFU != nil {
			mfu = fmt.Sprintf("%.1f%%", 100**row.ph.MFU)
		}
		fmt.Fprintf(w, "%-26s %6d %10.1f %10.1f %10.1f %9.3f %7s\n", row.name, row.ph.Steps, row.ph.MsPerStep,
			row.ph.CPUMsPerStep, row.ph.SamplesPerSecond, row.ph.TFLOPS, mfu)
	}
	fmt.Fprintf(w, "\npeak RSS  %.0f MiB\n", float64(r.PeakRSSBytes)/(1<<20))
	if g := r.GPUMemory; g != nil {
		fmt.Fprintf(w, "GPU mem   %.1f of %.1f GiB in use (nvidia-smi; XLA reserves most of it up front)\n",
			float64(g.MemoryUsedBytes)/(1<<30), float64(g.MemoryTotalBytes)/(1<<30))
	}
	if strings.HasPrefix(r.Backend, "go") {
		fmt.Fprintln(w, "(CPU ms: process CPU time per step over all threads, steadier than wall time on a shared machine)")
	}
}
