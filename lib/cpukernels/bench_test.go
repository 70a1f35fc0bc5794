package cpukernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"

	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// cpuSeconds is the CPU time (user + system, all threads) this process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// reportGFLOPs reports GFLOP/s of wall time and per CPU-second (the figure
// that other load on the machine disturbs least).
func reportGFLOPs(bm *testing.B, flopsPerOp, cpu float64) {
	total := flopsPerOp * float64(bm.N)
	bm.ReportMetric(total/bm.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu > 0 {
		bm.ReportMetric(total/cpu/1e9, "GFLOP/cpu-s")
	}
}

// gemmShape is a product benchmarked in BenchmarkGemm: batch × (m×k)·(k×n),
// with B transposed (k contiguous) when bT.
type gemmShape struct {
	name           string
	batch, m, n, k int
	bT             bool
}

// benchShapes are 512³, the products of a BERT-base training step at
// batch 16 × 128 tokens (hidden 768, 12 heads of 64, FFN 3072), of scoring
// one 128-token review, and two of the tiny model's (hidden 128, FFN 512).
var benchShapes = []gemmShape{
	{"512³", 1, 512, 512, 512, false},
	{"x·Wᵀ qkv b16", 1, 2048, 768, 768, true},
	{"x·Wᵀ ffn-in b16", 1, 2048, 3072, 768, true},
	{"x·Wᵀ ffn-out b16", 1, 2048, 768, 3072, true},
	{"dW ffn b16", 1, 768, 3072, 2048, false},
	{"QKᵀ b16", 16 * 12, 128, 128, 64, true},
	{"P·V b16", 16 * 12, 128, 64, 128, false},
	{"x·Wᵀ ffn-in 1 review", 1, 128, 3072, 768, true},
	{"tiny x·Wᵀ b16", 1, 2048, 128, 128, true},
	{"tiny dW b16", 1, 128, 512, 2048, false},
}

func benchOperands(s gemmShape) (matrices, matrices, []float32) {
	r := rand.New(rand.NewPCG(3, 4))
	a := newMatrices(randomFloats(r, s.batch*s.m*s.k), strided(s.batch, s.m*s.k), strided(s.m, s.k), strided(s.k, 1))
	var b matrices
	if s.bT {
		b = newMatrices(randomFloats(r, s.batch*s.n*s.k), strided(s.batch, s.n*s.k), strided(s.k, 1), strided(s.n, s.k))
	} else {
		b = newMatrices(randomFloats(r, s.batch*s.k*s.n), strided(s.batch, s.k*s.n), strided(s.k, s.n), strided(s.n, 1))
	}
	return a, b, make([]float32, s.batch*s.m*s.n)
}

// BenchmarkGemm reports GFLOP/s of every kernel on benchShapes, on 1 and 2
// goroutines, without GoMLX around it (BenchmarkDotGeneral has GoMLX's own
// executor beside the active kernel).
func BenchmarkGemm(bm *testing.B) {
	for _, s := range benchShapes {
		a, b, out := benchOperands(s)
		flops := 2 * float64(s.batch*s.m*s.n*s.k)
		for _, kern := range supportedKernels(bm) {
			for _, workers := range []int{1, 2} {
				bm.Run(fmt.Sprintf("%s/%s/cores=%d", s.name, kern.name, workers), func(bm *testing.B) {
					cpu0 := cpuSeconds()
					for bm.Loop() {
						gemm(kern, a, b, out, workers)
					}
					reportGFLOPs(bm, flops, cpuSeconds()-cpu0)
				})
			}
		}
	}
}

// BenchmarkDotGeneral runs benchShapes as GoMLX graphs on the pure-Go
// backend, through GoMLX's own DotGeneral executor and through this
// package's (the active kernel), on 1 and 2 cores (GOMAXPROCS), so that the
// GFLOP/s of the two sit side by side.
func BenchmarkDotGeneral(bm *testing.B) {
	for _, s := range benchShapes {
		if s.name == "dW ffn b16" {
			continue // GoMLX's own takes minutes per run
		}
		flops := 2 * float64(s.batch*s.m*s.n*s.k)
		rhsDims, rc := []int{s.batch, s.k, s.n}, 1
		if s.bT {
			rhsDims, rc = []int{s.batch, s.n, s.k}, 2
		}
		for _, executor := range []string{"gomlx", activeKernel()} {
			for _, cores := range []int{1, 2} {
				bm.Run(fmt.Sprintf("%s/%s/cores=%d", s.name, executor, cores), func(bm *testing.B) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cores))
					backend, err := simplego.New(fmt.Sprintf("parallelism=%d,ops_sequential", cores))
					if err != nil {
						bm.Fatal(err)
					}
					defer backend.Finalize()
					r := rand.New(rand.NewPCG(3, 4)) // tensors live on one backend: new ones for each
					lhs, rhs := randomTensor(r, []int{s.batch, s.m, s.k}), randomTensor(r, rhsDims)
					exec, err := graph.NewExec(backend, func(a, b *graph.Node) *graph.Node {
						return graph.DotGeneral(a, []int{2}, []int{0}, b, []int{rc}, []int{0})
					})
					if err != nil {
						bm.Fatal(err)
					}
					measure := func() {
						run := func() {
							if _, err := exec.Exec(lhs, rhs); err != nil {
								bm.Fatal(err)
							}
						}
						run() // compile
						cpu0 := cpuSeconds()
						for bm.Loop() {
							run()
						}
						reportGFLOPs(bm, flops, cpuSeconds()-cpu0)
					}
					if executor == "gomlx" {
						withGoMLXExecutors(measure)
					} else {
						measure()
					}
				})
			}
		}
	}
}
