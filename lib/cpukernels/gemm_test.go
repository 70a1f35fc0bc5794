package cpukernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveGemm is the reference: a float64 triple loop through the same offset
// tables. scale[i] is Σ|a·b| of out[i], the size float32 rounding errors scale with.
func naiveGemm(a, b matrices) (out, scale []float32) {
	batch, m, n, k := len(a.batch), len(a.rows), len(b.cols), len(a.cols)
	out = make([]float32, batch*m*n)
	scale = make([]float32, batch*m*n)
	for bi := range batch {
		for i := range m {
			for j := range n {
				var sum, abs float64
				for p := range k {
					x := float64(a.data[a.batch[bi]+a.rows[i]+a.cols[p]]) * float64(b.data[b.batch[bi]+b.rows[p]+b.cols[j]])
					sum += x
					abs += math.Abs(x)
				}
				out[(bi*m+i)*n+j] = float32(sum)
				scale[(bi*m+i)*n+j] = float32(abs)
			}
		}
	}
	return out, scale
}

func randomFloats(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func strided(n, stride int) []int {
	x := make([]int, n)
	for i := range x {
		x[i] = i * stride
	}
	return x
}

// supportedKernels lists every kernel this CPU runs; the test fails if an
// amd64 machine with AVX-512 (the project's dev and CI machines) lacks one.
func supportedKernels(t testing.TB) []*microKernel {
	var ks []*microKernel
	for _, k := range kernels {
		if k.supported {
			ks = append(ks, k)
		} else {
			t.Logf("kernel %s not supported on this CPU: not tested", k.name)
		}
	}
	return ks
}

// maxRelErr is the largest |got-want| / scale, scale being Σ|a·b| of the
// element (float32 summation of k products errs by up to ~k·2⁻²⁴ of it).
func maxRelErr(got, want, scale []float32) float64 {
	var worst float64
	for i := range want {
		err := math.Abs(float64(got[i]) - float64(want[i]))
		if err == 0 {
			continue
		}
		worst = max(worst, err/float64(scale[i]))
	}
	return worst
}

func TestGemmLayoutsAndEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type layout struct {
		name string
		// build returns lhs, rhs for batch, m, n, k.
		build func(batch, m, n, k int) (matrices, matrices)
	}
	layouts := []layout{
		{"row-major A·B", func(batch, m, n, k int) (matrices, matrices) {
			a := newMatrices(randomFloats(r, batch*m*k), strided(batch, m*k), strided(m, k), strided(k, 1))
			b := newMatrices(randomFloats(r, batch*k*n), strided(batch, k*n), strided(k, n), strided(n, 1))
			return a, b
		}},
		{"A·Bᵀ (dense layer x·Wᵀ)", func(batch, m, n, k int) (matrices, matrices) {
			a := newMatrices(randomFloats(r, batch*m*k), strided(batch, m*k), strided(m, k), strided(k, 1))
			b := newMatrices(randomFloats(r, batch*n*k), strided(batch, n*k), strided(k, 1), strided(n, k))
			return a, b
		}},
		{"Aᵀ·B (weight gradient)", func(batch, m, n, k int) (matrices, matrices) {
			a := newMatrices(randomFloats(r, batch*k*m), strided(batch, k*m), strided(m, 1), strided(k, m))
			b := newMatrices(randomFloats(r, batch*k*n), strided(batch, k*n), strided(k, n), strided(n, 1))
			return a, b
		}},
		{"batch in the middle, scattered tables", func(batch, m, n, k int) (matrices, matrices) {
			// a: [m, batch, k] with k reversed; b: [k, batch, n].
			rows := strided(m, batch*k)
			cols := make([]int, k)
			for p := range k {
				cols[p] = (k - 1 - p)
			}
			a := newMatrices(randomFloats(r, batch*m*k), strided(batch, k), rows, cols)
			b := newMatrices(randomFloats(r, batch*k*n), strided(batch, n), strided(k, batch*n), strided(n, 1))
			return a, b
		}},
	}
	sizes := [][4]int{ // batch, m, n, k
		{1, 1, 1, 1}, {1, 1, 7, 3}, {3, 5, 1, 9}, {2, 13, 33, 17}, {1, 12, 32, 192},
		{1, 25, 65, 193}, {2, 100, 70, 400}, {1, 197, 515, 31}, {4, 128, 128, 64}, {1, 300, 40, 1},
	}
	for _, kern := range supportedKernels(t) {
		for _, lay := range layouts {
			for _, sz := range sizes {
				name := fmt.Sprintf("%s/%s/b%d_m%d_n%d_k%d", kern.name, lay.name, sz[0], sz[1], sz[2], sz[3])
				t.Run(name, func(t *testing.T) {
					a, b := lay.build(sz[0], sz[1], sz[2], sz[3])
					want, scale := naiveGemm(a, b)
					for _, workers := range []int{1, 2, 3} {
						got := make([]float32, len(want))
						for i := range got {
							got[i] = float32(math.NaN()) // the output buffer's old contents must not leak in
						}
						gemm(kern, a, b, got, workers)
						if e := maxRelErr(got, want, scale); e > 1e-6 {
							t.Fatalf("workers=%d: error %g of Σ|a·b| > 1e-6", workers, e)
						}
					}
				})
			}
		}
	}
}

func TestGemmEmptyContraction(t *testing.T) {
	for _, kern := range supportedKernels(t) {
		a := newMatrices(nil, []int{0}, strided(3, 0), nil)
		b := newMatrices(nil, []int{0}, nil, strided(2, 1))
		got := []float32{1, 2, 3, 4, 5, 6}
		gemm(kern, a, b, got, 2)
		for i, v := range got {
			if v != 0 {
				t.Fatalf("%s: out[%d] = %g, want 0 (a sum over an empty axis)", kern.name, i, v)
			}
		}
	}
}
