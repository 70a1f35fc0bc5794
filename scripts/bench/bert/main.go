// Command bert is `make bench-bert`: it times lib/bert on the pure-Go GoMLX
// backend beside the same model in torch (scripts/bench/bert_torch.py, Debian
// python3-torch) on the same shapes, and prints a table with the ratios.
//
// Each measurement runs in its own process (this binary re-executed with
// -scenario, or the torch script) so that peak RSS belongs to one scenario.
// torch runs with 1 and 2 threads and the faster is compared. With -precision
// bfloat16 both compute in bfloat16 mixed precision (lib/bert's
// ParamComputeDType; torch.autocast on CPU).
//
//	go run ./scripts/bench/bert [-iters 5] [-skip-base] [-cpuprofile-dir DIR] [-precision bfloat16]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/perf"
	"github.com/polarityml/polarity/lib/tokenize"
)

// scenario is one measured workload.
type scenario struct {
	name, model   string
	batch, length int
	train         bool
	about         string
}

var scenarios = []scenario{
	{"tiny-train", "tiny", 16, 128, true, "tiny train step (fwd+bwd+AdamW) b16×128"},
	{"tiny-forward", "tiny", 16, 128, false, "tiny forward b16×128"},
	{"base-forward", "base", 8, 128, false, "bert-base forward b8×128"},
	{"base-latency", "base", 1, 0, false, "bert-base one review (Predictor, text→label)"},
}

// result is what a child process prints.
type result struct {
	Scenario  string  `json:"scenario"`
	Threads   int     `json:"threads,omitempty"`
	Ms        float64 `json:"ms"`
	CPUMs     float64 `json:"cpu_ms"` // user+system CPU time per iteration, all threads
	CompileMs float64 `json:"compile_ms,omitempty"`
	RSSMiB    float64 `json:"rss_mib"`
	Length    int     `json:"length,omitempty"`
}

func main() {
	name := flag.String("scenario", "", "run one scenario in this process and print its JSON result (internal)")
	iters := flag.Int("iters", 5, "timed iterations per scenario (median reported)")
	skipBase := flag.Bool("skip-base", false, "skip the bert-base scenarios (slow on the pure-Go backend)")
	profileDir := flag.String("cpuprofile-dir", "", "write a pprof CPU profile of each Go scenario's timed iterations here")
	python := flag.String("python", "/usr/bin/python3", "python with Debian's torch")
	precision := flag.String("precision", "float32", "compute dtype of both: float32 or bfloat16")
	flag.Parse()
	if _, err := bert.ParseComputeDType(*precision); err != nil {
		fmt.Fprintln(os.Stderr, "bench-bert: -precision:", err)
		os.Exit(2)
	}
	if *name != "" {
		if err := runScenario(*name, *iters, *profileDir, *precision); err != nil {
			fmt.Fprintln(os.Stderr, "bench-bert:", err)
			os.Exit(1)
		}
		return
	}
	if err := drive(*iters, *skipBase, *profileDir, *python, *precision); err != nil {
		fmt.Fprintln(os.Stderr, "bench-bert:", err)
		os.Exit(1)
	}
}

func drive(iters int, skipBase bool, profileDir, python, precision string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	torchScript := filepath.Join("scripts", "bench", "bert_torch.py")
	if _, err := os.Stat(torchScript); err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	loadAvg, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("bench-bert: Go backend %s; %s compute; %d iterations (median); load average %s\n",
		compute.Choose(), precision, iters, strings.Join(strings.Fields(string(loadAvg))[:3], " "))
	fmt.Println("wall = median wall time per iteration; cpu = CPU time per iteration over all threads (less sensitive to other load)")
	fmt.Printf("%-50s %9s %9s %14s %6s %9s %9s %6s %8s %9s %8s\n", "scenario", "Go wall", "Go cpu", "torch wall(thr)", "ratio",
		"torch cpu", "cpu ratio", "", "Go RSS", "torch RSS", "compile")
	for _, s := range scenarios {
		if skipBase && s.model == "base" {
			continue
		}
		args := []string{"-scenario", s.name, "-iters", fmt.Sprint(iters), "-precision", precision}
		if profileDir != "" {
			args = append(args, "-cpuprofile-dir", profileDir)
		}
		goRes, err := child(self, args...)
		if err != nil {
			return fmt.Errorf("%s (Go): %w", s.name, err)
		}
		var best result
		for _, threads := range []int{1, 2} {
			targs := []string{torchScript, "--scenario", s.name, "--threads", fmt.Sprint(threads), "--iters", fmt.Sprint(iters), "--precision", precision}
			if goRes.Length > 0 {
				targs = append(targs, "--length", fmt.Sprint(goRes.Length))
			}
			r, err := child(python, targs...)
			if err != nil {
				return fmt.Errorf("%s (torch, %d threads): %w", s.name, threads, err)
			}
			if best.Ms == 0 || r.Ms < best.Ms {
				best = r
			}
		}
		about := s.about
		if goRes.Length > 0 {
			about += fmt.Sprintf(" %d tok", goRes.Length)
		}
		fmt.Printf("%-50s %7.0fms %7.0fms %10.0fms (%d) %5.1f× %7.0fms %8.1f× %6s %4.0f MiB %5.0f MiB %6.1fs\n", about,
			goRes.Ms, goRes.CPUMs, best.Ms, best.Threads, goRes.Ms/best.Ms, best.CPUMs, goRes.CPUMs/best.CPUMs, "",
			goRes.RSSMiB, best.RSSMiB, goRes.CompileMs/1000)
	}
	return nil
}

// child runs a command whose last stdout line is a JSON result.
func child(cmd string, args ...string) (result, error) {
	c := exec.Command(cmd, args...)
	c.Stderr = os.Stderr
	out, err := c.Output()
	if err != nil {
		return result{}, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var r result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return result{}, fmt.Errorf("bad result %q: %w", lines[len(lines)-1], err)
	}
	return r, nil
}

func runScenario(name string, iters int, profileDir, precision string) error {
	var s *scenario
	for i := range scenarios {
		if scenarios[i].name == name {
			s = &scenarios[i]
		}
	}
	if s == nil {
		return fmt.Errorf("unknown scenario %q", name)
	}
	cfg := bert.Tiny()
	if s.model == "base" {
		cfg = bert.BaseUncased()
	}
	model, err := bert.New(cfg, 1)
	if err != nil {
		return err
	}
	model.Context.SetParam(bert.ParamComputeDType, precision)
	step, length, err := prepare(s, model)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := step(); err != nil { // warm-up: compiles the graph
		return err
	}
	compile := time.Since(start)
	if profileDir != "" {
		f, err := os.Create(filepath.Join(profileDir, name+".pprof"))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cpu0 := perf.CPUTime()
	times := make([]float64, iters)
	for i := range times {
		t0 := time.Now()
		if err := step(); err != nil {
			return err
		}
		times[i] = float64(time.Since(t0).Microseconds()) / 1000
	}
	cpuMs := float64((perf.CPUTime() - cpu0).Microseconds()) / 1000 / float64(iters)
	sort.Float64s(times)
	out, _ := json.Marshal(result{Scenario: name, Ms: times[len(times)/2], CPUMs: cpuMs, CompileMs: float64(compile.Milliseconds()),
		RSSMiB: float64(perf.PeakRSS()) / (1 << 20), Length: length})
	fmt.Println(string(out))
	return nil
}

// prepare returns the function one iteration runs (and, for the latency
// scenario, the review's token length).
func prepare(s *scenario, model *bert.Model) (func() error, int, error) {
	backend, err := compute.Backend()
	if err != nil {
		return nil, 0, err
	}
	if s.name == "base-latency" {
		tok, err := tokenize.Load("", tokenize.WithMaxLength(128))
		if err != nil {
			return nil, 0, err
		}
		p, err := bert.NewPredictor(model, tok, bert.PredictorOptions{})
		if err != nil {
			return nil, 0, err
		}
		text := firstReview()
		return func() error { _, err := p.Predict(text); return err }, tok.Encode(text).Len(), nil
	}
	ids, mask, types, labels := syntheticBatch(s.batch, s.length)
	cfg := model.Config
	var e *context.Exec
	if s.train {
		opt := optimizers.Adam().LearningRate(2e-5).WeightDecay(0.01).Done()
		e, err = context.NewExec(backend, model.Context, func(ctx *context.Context, ids, mask, types, labels *graph.Node) *graph.Node {
			g := ids.Graph()
			ctx.SetTraining(g, true)
			logits := bert.ClassifierLogits(ctx, cfg, ids, mask, types)
			oneHot := graph.OneHot(labels, cfg.NumLabels(), dtypes.Float32)
			loss := graph.Neg(graph.ReduceAllMean(graph.ReduceSum(graph.Mul(oneHot, graph.LogSoftmax(logits, -1)), -1)))
			opt.UpdateGraph(ctx, g, loss)
			return loss
		})
	} else {
		e, err = context.NewExec(backend, model.Context, func(ctx *context.Context, ids, mask, types, labels *graph.Node) *graph.Node {
			return bert.ClassifierLogits(ctx, cfg, ids, mask, types)
		})
	}
	if err != nil {
		return nil, 0, err
	}
	return func() error { _, err := e.Exec(ids, mask, types, labels); return err }, 0, nil
}

// syntheticBatch is random ids with the second half of the batch padded over
// its last quarter, as the torch script does.
func syntheticBatch(batch, length int) (ids, mask, types *tensors.Tensor, labels *tensors.Tensor) {
	idv := make([]int32, batch*length)
	maskv := make([]int32, batch*length)
	labelv := make([]int32, batch)
	state := uint32(12345)
	for i := range batch {
		labelv[i] = int32(i % 2)
		for j := range length {
			state = state*1664525 + 1013904223
			idv[i*length+j] = 1000 + int32(state>>8)%29000
			if i < batch/2 || j < length*3/4 {
				maskv[i*length+j] = 1
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(idv, batch, length), tensors.FromFlatDataAndDimensions(maskv, batch, length),
		tensors.FromFlatDataAndDimensions(make([]int32, batch*length), batch, length), tensors.FromFlatDataAndDimensions(labelv, batch)
}

// firstReview is the first real review of ../shared/data when present, else
// a fixed review-like text.
func firstReview() string {
	for _, path := range []string{"../shared/data/amazon_polarity_test_head.ft.txt", "/work/shared/data/amazon_polarity_test_head.ft.txt"} {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		ok := sc.Scan()
		f.Close()
		if ok {
			_, text, _ := strings.Cut(sc.Text(), " ")
			return text
		}
	}
	return "Great CD: My lovely Pat has one of the great voices of her generation. I have listened to this CD for years and I still love it."
}
