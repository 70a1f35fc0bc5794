// Package compute chooses the GoMLX backend for the whole project, in one
// place: it honours $GOMLX_BACKEND, uses XLA only when a PJRT plugin is
// actually installed, falls back to the pure-Go backend with settings
// that do not deadlock on small machines, and never downloads anything.
package compute

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the pure-Go backend, always available
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/janpfeifer/gonb/gonbui"

	// SIMD kernels for the pure-Go backend (installed by its init).
	"github.com/polarityml/polarity/lib/cpukernels"
)

// EnvVar is GoMLX's own backend variable; when set, it wins.
const EnvVar = backends.ConfigEnvVar

// minGoParallelism is the smallest worker count given to the pure-Go backend.
const minGoParallelism = 8

// goOptions are the pure-Go backend options always set. GoMLX v0.26.0's
// pure-Go backend runs independent ops in parallel as tasks of a worker pool
// of 2×parallelism goroutines, and its DotGeneral and Erf executors split
// their own work onto the same pool, blocking for a free worker
// (workersPool.WaitToStart) without marking themselves asleep: when every
// worker holds an op waiting for a free worker, the program deadlocks. On 2
// cores, a tiny-BERT training step with "go:parallelism=2" hangs at ~0 CPU.
// lib/cpukernels replaces both executors for float32 with ones that split
// work over plain goroutines, so float32 graphs no longer deadlock in
// parallel mode (the same step runs), but bfloat16 graphs and
// $POLARITY_CPU_KERNELS=off still reach GoMLX's executors, and parallel op
// dispatch is slower where it works: the tiny step took 2.2× the wall time and
// 60 MiB more memory than sequential dispatch, because each op already uses
// every core. So ops run one at a time, each split over the cores.
const goOptions = "ops_sequential"

// Choice is a backend configuration and the reason it was picked.
type Choice struct {
	// Config is a GoMLX backend configuration, e.g. "go:parallelism=8,ops_sequential" or "xla:cuda".
	Config string
	// Reason says in words why Config was chosen.
	Reason string
}

// String formats the choice for logs.
func (c Choice) String() string { return c.Config + " (" + c.Reason + ")" }

// GPU reports whether the configuration runs on a GPU: an XLA backend
// ("xla", "stablehlo", "hlo", "shlo") whose PJRT plugin is CUDA or ROCm, by
// name ("xla:cuda") or by path ("xla:/opt/pjrt/pjrt_c_api_cuda_plugin.so").
func (c Choice) GPU() bool {
	name, plugin, _ := strings.Cut(strings.ToLower(c.Config), ":")
	switch name {
	case "xla", "stablehlo", "hlo", "shlo":
		return strings.Contains(plugin, "cuda") || strings.Contains(plugin, "rocm")
	}
	return false
}

// Choose decides the backend configuration without creating it.
func Choose() Choice {
	if config, ok := os.LookupEnv(EnvVar); ok && config != "" {
		if config == "go" {
			// A bare "go" means the pure-Go backend with GoMLX's defaults,
			// which deadlock on small machines: give it the safe settings.
			return Choice{Config: safeGoConfig(), Reason: "$" + EnvVar + "=go, with settings that cannot deadlock"}
		}
		return Choice{Config: config, Reason: "from $" + EnvVar}
	}
	if plugins := pjrtPlugins(); len(plugins) > 0 {
		plugin := plugins[0]
		for _, p := range plugins {
			if p == "cuda" {
				plugin = p
			}
		}
		return Choice{Config: "xla:" + plugin, Reason: fmt.Sprintf("PJRT plugins found: %v", plugins)}
	}
	return Choice{Config: safeGoConfig(), Reason: "no PJRT plugin installed; pure-Go backend"}
}

// CPUKernels says which of lib/cpukernels' kernels the chosen backend runs:
// e.g. "avx512 (8×32 tile, 2 cores)" on the pure-Go backend, "not used" on XLA.
func CPUKernels() string {
	if name, _, _ := strings.Cut(Choose().Config, ":"); name != "go" {
		return "not used (the XLA backend compiles its own)"
	}
	return cpukernels.Describe()
}

// safeGoConfig is the pure-Go backend configuration used unless the user
// spells out other options.
func safeGoConfig() string {
	return fmt.Sprintf("go:parallelism=%d,%s", goParallelism(), goOptions)
}

func goParallelism() int {
	return max(minGoParallelism, runtime.NumCPU())
}

var (
	backendOnce sync.Once
	backend     backends.Backend
	backendErr  error
)

// Backend returns the process-wide GoMLX backend, creating it on first use and
// printing the choice once (see announcement).
func Backend() (backends.Backend, error) {
	backendOnce.Do(func() {
		choice := Choose()
		backend, backendErr = newQuietly(choice.Config)
		if backendErr != nil {
			backendErr = fmt.Errorf("creating GoMLX backend %s: %w (set $%s=go to use the pure-Go backend)",
				choice, backendErr, EnvVar)
			return
		}
		fmt.Fprintf(announcement(), "polarity: GoMLX backend %s\n", choice)
	})
	return backend, backendErr
}

// announcement is where the backend choice is printed: stderr, keeping stdout
// machine-readable (e.g. `polarity predict --json`), except in a GoNB
// notebook, where stderr shows as a red error box and stdout as plain text.
func announcement() *os.File {
	if gonbui.IsNotebook {
		return os.Stdout
	}
	return os.Stderr
}

// newQuietly creates a backend with stdout pointed at stderr: the pure-Go
// backend prints "SimpleGo backend: parallelism set to N" with fmt.Printf,
// which would corrupt machine-readable output. In a notebook that line is
// dropped instead (the announcement names the parallelism already).
func newQuietly(config string) (backends.Backend, error) {
	stdout := os.Stdout
	defer func() { os.Stdout = stdout }()
	os.Stdout = os.Stderr
	if gonbui.IsNotebook {
		if devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
			defer devNull.Close()
			os.Stdout = devNull
		}
	}
	return backends.NewWithConfig(config)
}

// SelfTest creates the backend and runs a tiny computation (the sum of
// squares of 1, 2, 3) to prove it works; it returns the backend description.
func SelfTest() (string, error) {
	b, err := Backend()
	if err != nil {
		return "", err
	}
	sum, err := graph.ExecOnce(b, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.Mul(x, x))
	}, []float32{1, 2, 3})
	if err != nil {
		return "", fmt.Errorf("running a test computation on %s: %w", b.Name(), err)
	}
	if got := sum.Value().(float32); got != 14 {
		return "", fmt.Errorf("backend %s computed 1²+2²+3² = %v, want 14", b.Name(), got)
	}
	return b.Name() + ": " + b.Description(), nil
}
