package cpukernels

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"unsafe"
)

//go:generate go run ./internal/asmgen -out kernel_amd64.s -stubs kernel_amd64.go -pkg cpukernels

// EnvVar forces a kernel: "off" keeps GoMLX's own executors, "generic",
// "avx2" or "avx512" picks that micro-kernel (a forced SIMD kernel the CPU
// lacks falls back to the best one it has, with a warning).
const EnvVar = "POLARITY_CPU_KERNELS"

// microKernel is a register-blocked GEMM micro-kernel: run computes the
// mr×nr tile C (+)= A·B from a packed micro-panel of A (see packA) and nr
// floats of B per step of k, ldb apart (a packed micro-panel, ldb = nr, see
// packB; or B itself), adding to C when accumulate ≠ 0 and overwriting it
// otherwise; ldc is C's row stride in elements.
type microKernel struct {
	name   string
	mr, nr int
	run    func(k int, a, b, c *float32, ldb, ldc int, accumulate int)
	// transpose8, when set, transposes 8×8 blocks for packing (see
	// internal/asmgen's transpose8AVX).
	transpose8 func(dst *float32, ldd int, src *float32, lds int, blocks int)
	// supported reports whether this CPU can run the kernel.
	supported bool
	scratch   sync.Pool
}

// kernels lists every micro-kernel of this build, best first; the generic
// pure-Go one is last and always supported.
var kernels = append(simdKernels(), &microKernel{name: "generic", mr: 4, nr: 4, run: kernelGeneric, supported: true})

// kernelNamed returns the kernel with the given name, or nil.
func kernelNamed(name string) *microKernel {
	for _, k := range kernels {
		if k.name == name {
			return k
		}
	}
	return nil
}

// chooseKernel picks the kernel for setting (the value of EnvVar): "" or
// "auto" means the best supported one; "off" returns nil. warning is set when
// the setting could not be honoured as written.
func chooseKernel(setting string) (kern *microKernel, warning string) {
	setting = strings.ToLower(strings.TrimSpace(setting))
	best := func() *microKernel {
		for _, k := range kernels {
			if k.supported {
				return k
			}
		}
		return nil // unreachable: generic is always supported
	}
	switch setting {
	case "", "auto":
		return best(), ""
	case "off":
		return nil, ""
	}
	k := kernelNamed(setting)
	switch {
	case k == nil:
		var names []string
		for _, k := range kernels {
			names = append(names, k.name)
		}
		return best(), fmt.Sprintf("$%s=%q is not a kernel of this build (off, auto, %s); using %s",
			EnvVar, setting, strings.Join(names, ", "), best().name)
	case !k.supported:
		return best(), fmt.Sprintf("$%s=%s: this CPU lacks the instructions; using %s", EnvVar, setting, best().name)
	}
	return k, ""
}

// warn prints a one-line warning on stderr.
func warn(msg string) { fmt.Fprintln(os.Stderr, "polarity: cpukernels: "+msg) }

// kernelGeneric is the portable micro-kernel (4×4 tile, plain Go).
func kernelGeneric(k int, a, b, c *float32, ldb, ldc int, accumulate int) {
	const mr, nr = 4, 4
	ap := unsafe.Slice(a, k*mr)
	bp := unsafe.Slice(b, (k-1)*ldb+nr)
	var acc [mr][nr]float32
	for p := range k {
		av := ap[p*mr : p*mr+mr : p*mr+mr]
		bv := bp[p*ldb : p*ldb+nr : p*ldb+nr]
		for r := range mr {
			ar := av[r]
			acc[r][0] += ar * bv[0]
			acc[r][1] += ar * bv[1]
			acc[r][2] += ar * bv[2]
			acc[r][3] += ar * bv[3]
		}
	}
	cp := unsafe.Slice(c, (mr-1)*ldc+nr)
	for r := range mr {
		row := cp[r*ldc : r*ldc+nr : r*ldc+nr]
		for j := range nr {
			if accumulate != 0 {
				row[j] += acc[r][j]
			} else {
				row[j] = acc[r][j]
			}
		}
	}
}
