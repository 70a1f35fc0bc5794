// Package cpukernels makes GoMLX's pure-Go backend multiply float32 tensors
// with a packed, SIMD GEMM instead of its scalar Go loops (15–30× faster on
// BERT's products, results equal to float32 rounding), and runs its hot
// float32 element-wise ops, reductions, embedding gathers/scatters and random
// bits as vector loops split over the cores (see elementwise.go, gather.go,
// rng.go): together, BERT on two cores trains and predicts as fast as PyTorch.
//
// Importing the package is enough (lib/compute does, so every program of the
// project gets it):
//
//	import _ "github.com/polarityml/polarity/lib/cpukernels"
//
// Its init replaces the pure-Go backend's executors. A DotGeneral product is
// computed as in BLIS: each operand is packed into register-sized panels read
// straight from its own layout through offset tables (batch axes anywhere,
// several contracting axes, transposed operands: no re-layout pass), then a
// register-blocked micro-kernel runs over every tile, split over the CPUs the
// Go runtime may use (see Workers). The micro-kernels are Go assembly
// generated with avo (internal/asmgen; `go generate` reproduces
// kernel_amd64.s): AVX-512 (8×32 tile) and AVX2+FMA (6×16), picked at run
// time from the CPU's features, and a pure-Go 4×4 kernel for other CPUs.
//
// GoMLX v0.26.0 exports no way to register an executor, so the package
// reaches its internals in one place (simplego.go), checks them at start-up
// and, if they are not what it expects, leaves GoMLX's executors in place
// with one warning. Anything it does not handle (dtypes other than float32,
// layouts it does not recognise) goes to GoMLX's own executor.
// $POLARITY_CPU_KERNELS=off|generic|avx2|avx512 forces a path (see EnvVar);
// Describe says which one is active.
package cpukernels

import (
	"fmt"
	"os"
)

func init() { install(os.Getenv(EnvVar)) }

// Describe says in one line which matrix-multiply kernel the pure-Go backend
// uses and why, e.g. "avx512 (8×32 tile, 2 cores)".
func Describe() string {
	if state.kernel == nil {
		return state.why
	}
	return describeKernel(state.kernel)
}

func describeKernel(k *microKernel) string {
	cores := "cores"
	if Workers() == 1 {
		cores = "core"
	}
	return fmt.Sprintf("%s (%d×%d tile, %d %s)", k.name, k.mr, k.nr, Workers(), cores)
}
