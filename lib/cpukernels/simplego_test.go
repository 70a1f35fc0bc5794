package cpukernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestSimplegoInternals fails when a GoMLX upgrade changes the internals this
// package reaches into (see simplego.go): then the kernels silently stop
// being used, and this is the test that says so.
func TestSimplegoInternals(t *testing.T) {
	if _, err := probeInternals(); err != nil {
		t.Fatalf("GoMLX's simplego internals changed: %v — update lib/cpukernels/simplego.go", err)
	}
	if state.kernel == nil {
		t.Fatalf("kernels not installed: %s", state.why)
	}
	got := reflect.ValueOf(simplegoExecutors[backends.OpTypeDotGeneral]).Pointer()
	if got != reflect.ValueOf(execDotGeneral).Pointer() {
		t.Fatalf("simplego's DotGeneral executor is not this package's")
	}
	for opType, exec := range replacements() {
		installed := reflect.ValueOf(simplegoExecutors[opType]).Pointer()
		original := state.originals[opType]
		if original == nil || reflect.ValueOf(original).Pointer() == installed {
			t.Errorf("%s: GoMLX's own executor was not kept for the fallback", opType)
		}
		if reflect.ValueOf(exec).Pointer() != installed {
			t.Errorf("%s: simplego's executor is not this package's", opType)
		}
	}
	rng := simplegoMultiOutputExecutors[backends.OpTypeRNGBitGenerator]
	if reflect.ValueOf(rng).Pointer() != reflect.ValueOf(execRNGBitGenerator).Pointer() || state.rngOriginal == nil {
		t.Errorf("RNGBitGenerator: this package's executor is not installed, or GoMLX's was not kept")
	}
}

// dotLayout is one DotGeneral configuration checked against GoMLX's executor.
type dotLayout struct {
	name             string
	lhsDims, rhsDims []int
	lc, lb, rc, rb   []int
}

// dotLayouts: batch axes in front and in the middle, several contracting axes
// paired out of order, transposed operands, sizes that are not multiples of
// any tile or block (and contractions longer than one k block), 1-sized axes.
var dotLayouts = []dotLayout{
	{"dense x·W", []int{3, 37, 70}, []int{70, 45}, []int{2}, nil, []int{0}, nil},
	{"dense x·Wᵀ", []int{2, 50, 200}, []int{33, 200}, []int{2}, nil, []int{1}, nil},
	{"weight gradient xᵀ·dy", []int{2, 61, 30}, []int{2, 61, 47}, []int{0, 1}, nil, []int{0, 1}, nil},
	{"attention scores bqhd,bkhd->bhqk", []int{2, 29, 3, 16}, []int{2, 31, 3, 16}, []int{3}, []int{0, 2}, []int{3}, []int{0, 2}},
	{"attention context bhqk,bkhd->bhqd", []int{2, 3, 29, 31}, []int{2, 31, 3, 16}, []int{3}, []int{0, 1}, []int{1}, []int{0, 2}},
	{"contracting {1,3}", []int{5, 7, 9, 11}, []int{7, 11, 13}, []int{1, 3}, nil, []int{0, 1}, nil},
	{"two contracting axes out of order", []int{13, 14, 15}, []int{15, 16, 14}, []int{1, 2}, nil, []int{2, 0}, nil},
	{"batch axes inside, paired out of order", []int{40, 2, 3, 5}, []int{5, 6, 2, 40}, []int{0}, []int{1, 3}, []int{3}, []int{2, 0}},
	{"long contraction", []int{9, 1000}, []int{1000, 35}, []int{1}, nil, []int{0}, nil},
	{"1-sized axes", []int{1, 1, 20}, []int{1, 20, 1}, []int{2}, []int{0}, []int{1}, []int{0}},
	{"outer product", []int{33}, []int{17}, nil, nil, nil, nil},
	{"vector·vector", []int{300}, []int{300}, []int{0}, nil, []int{0}, nil},
	{"batch only", []int{4, 6}, []int{4, 6}, nil, []int{0, 1}, nil, []int{0, 1}},
}

// withGoMLXExecutors runs f with GoMLX's own executors in simplego's table,
// then puts this package's back. Tests using it must not run in parallel.
func withGoMLXExecutors(f func()) {
	saved, savedMulti := simplegoExecutors, simplegoMultiOutputExecutors
	for opType := range replacements() {
		simplegoExecutors[opType] = state.originals[opType]
	}
	simplegoMultiOutputExecutors[backends.OpTypeRNGBitGenerator] = state.rngOriginal
	defer func() { simplegoExecutors, simplegoMultiOutputExecutors = saved, savedMulti }()
	f()
}

// withKernel runs f with kern as the active micro-kernel.
func withKernel(kern *microKernel, f func()) {
	saved := state.kernel
	state.kernel = kern
	defer func() { state.kernel = saved }()
	f()
}

func randomTensor(r *rand.Rand, dims []int) *tensors.Tensor {
	size := 1
	for _, d := range dims {
		size *= d
	}
	return tensors.FromFlatDataAndDimensions(randomFloats(r, size), dims...)
}

func TestDotGeneralMatchesGoMLX(t *testing.T) {
	backend, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	r := rand.New(rand.NewPCG(5, 6))
	for _, l := range dotLayouts {
		exec, err := graph.NewExec(backend, func(lhs, rhs *graph.Node) *graph.Node {
			return graph.DotGeneral(lhs, l.lc, l.lb, rhs, l.rc, l.rb)
		})
		if err != nil {
			t.Fatal(err)
		}
		lhs, rhs := randomTensor(r, l.lhsDims), randomTensor(r, l.rhsDims)
		run := func(lhs, rhs *tensors.Tensor) []float32 {
			out, err := exec.Exec(lhs, rhs)
			if err != nil {
				t.Fatalf("%s: %v", l.name, err)
			}
			return tensors.MustCopyFlatData[float32](out[0])
		}
		abs := func(x *tensors.Tensor) *tensors.Tensor {
			flat := tensors.MustCopyFlatData[float32](x)
			for i, v := range flat {
				flat[i] = float32(math.Abs(float64(v)))
			}
			return tensors.FromFlatDataAndDimensions(flat, x.Shape().Dimensions...)
		}
		var want, scale []float32
		withGoMLXExecutors(func() {
			want = run(lhs, rhs)
			scale = run(abs(lhs), abs(rhs)) // Σ|a·b|: what float32 rounding errors scale with
		})
		for _, kern := range supportedKernels(t) {
			t.Run(fmt.Sprintf("%s/%s", l.name, kern.name), func(t *testing.T) {
				var got []float32
				withKernel(kern, func() { got = run(lhs, rhs) })
				if len(got) != len(want) {
					t.Fatalf("%d outputs, GoMLX gives %d", len(got), len(want))
				}
				if e := maxRelErr(got, want, scale); e > 2e-6 {
					t.Fatalf("differs from GoMLX's executor by %g of Σ|a·b| (> 2e-6)", e)
				}
			})
		}
	}
}

// TestDotGeneralAliasedInputs multiplies a tensor by itself (x·xᵀ, one buffer
// for both operands).
func TestDotGeneralAliasedInputs(t *testing.T) {
	backend, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	exec, err := graph.NewExec(backend, func(x *graph.Node) *graph.Node {
		return graph.DotGeneral(x, []int{1}, nil, x, []int{1}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	x := randomTensor(rand.New(rand.NewPCG(7, 8)), []int{40, 70})
	flat := tensors.MustCopyFlatData[float32](x)
	out, err := exec.Exec(x)
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float32](out[0])
	for i := range 40 {
		for j := range 40 {
			var want float64
			for k := range 70 {
				want += float64(flat[i*70+k]) * float64(flat[j*70+k])
			}
			if d := math.Abs(float64(got[i*40+j]) - want); d > 1e-4 {
				t.Fatalf("x·xᵀ[%d,%d] = %g, want %g", i, j, got[i*40+j], want)
			}
		}
	}
}

// TestEmptyAxesRejectedLikeGoMLX: GoMLX refuses DotGeneral on empty axes when
// building the graph, so no empty product ever reaches the executor.
func TestEmptyAxesRejectedLikeGoMLX(t *testing.T) {
	backend, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	exec, err := graph.NewExec(backend, func(lhs, rhs *graph.Node) *graph.Node {
		return graph.DotGeneral(lhs, []int{1}, nil, rhs, []int{0}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = exec.Exec(tensors.FromFlatDataAndDimensions([]float32{}, 0, 3), tensors.FromFlatDataAndDimensions(make([]float32, 6), 3, 2))
	if err == nil {
		t.Fatalf("an empty lhs axis was accepted; if GoMLX now allows it, the executor must handle it (gemm does: see TestGemmEmptyContraction)")
	}
}

func TestChooseKernel(t *testing.T) {
	if k, w := chooseKernel("off"); k != nil || w != "" {
		t.Errorf("off: got %v, %q", k, w)
	}
	if k, w := chooseKernel("generic"); k == nil || k.name != "generic" || w != "" {
		t.Errorf("generic: got %v, %q", k, w)
	}
	if k, w := chooseKernel("sse9"); k == nil || w == "" {
		t.Errorf("an unknown kernel must fall back with a warning; got %v, %q", k, w)
	}
	best, _ := chooseKernel("")
	for _, k := range kernels {
		if k.supported {
			if best != k {
				t.Errorf("auto picked %s, the best supported is %s", best.name, k.name)
			}
			break
		}
	}
}

// TestEnvForcesKernel starts this test binary with each $POLARITY_CPU_KERNELS
// value and checks which kernel its init installed.
func TestEnvForcesKernel(t *testing.T) {
	if os.Getenv("CPUKERNELS_PRINT_KERNEL") == "1" {
		fmt.Printf("kernel=%q\n", activeKernel())
		return
	}
	cases := map[string]string{"off": "", "generic": "generic"}
	for _, k := range kernels {
		if k.supported {
			cases[k.name] = k.name
		}
	}
	for setting, want := range cases {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEnvForcesKernel$")
		cmd.Env = append(os.Environ(), "CPUKERNELS_PRINT_KERNEL=1", EnvVar+"="+setting)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s=%s: %v\n%s", EnvVar, setting, err, out)
		}
		if !strings.Contains(string(out), fmt.Sprintf("kernel=%q", want)) {
			t.Errorf("%s=%s: got %s, want kernel %q", EnvVar, setting, out, want)
		}
	}
}

// activeKernel returns the name of the active micro-kernel ("avx512",
// "avx2", "generic"), or "" when GoMLX's own executors run.
func activeKernel() string {
	if state.kernel == nil {
		return ""
	}
	return state.kernel.name
}
