package cpukernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// runOp builds and runs one backend op on fresh float32 inputs of the given
// dimensions (filled from r) with simplego's current executors, donating the
// inputs when donate is set (so executors may write the result in place).
func runOp(t *testing.T, build func(b backends.Builder, params []backends.Op) (backends.Op, error),
	inputs [][]float32, dims [][]int, donate bool) []float32 {
	t.Helper()
	backend, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	b := backend.Builder("elementwise_test")
	var params []backends.Op
	var buffers []backends.Buffer
	for i, d := range dims {
		shape := shapes.Make(dtypes.Float32, d...)
		p, err := b.Parameter(fmt.Sprintf("x%d", i), shape, nil)
		if err != nil {
			t.Fatal(err)
		}
		params = append(params, p)
		buf, err := backend.BufferFromFlatData(0, append([]float32(nil), inputs[i]...), shape)
		if err != nil {
			t.Fatal(err)
		}
		buffers = append(buffers, buf)
	}
	out, err := build(b, params)
	if err != nil {
		t.Fatal(err)
	}
	exec, err := b.Compile([]backends.Op{out}, nil)
	if err != nil {
		t.Fatal(err)
	}
	donations := make([]bool, len(buffers))
	for i := range donations {
		donations[i] = donate
	}
	results, err := exec.Execute(buffers, donations, 0)
	if err != nil {
		t.Fatal(err)
	}
	shape, _ := backend.BufferShape(results[0])
	flat := make([]float32, shape.Size())
	if err := backend.BufferToFlatData(results[0], flat); err != nil {
		t.Fatal(err)
	}
	return flat
}

// compareWithGoMLX runs an op with this package's executors and with GoMLX's
// and fails if they differ by more than tol (relative to 1 + |GoMLX's|).
func compareWithGoMLX(t *testing.T, name string, build func(b backends.Builder, params []backends.Op) (backends.Op, error), dims [][]int, tol float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(11, 12))
	var inputs [][]float32
	for _, d := range dims {
		size := 1
		for _, n := range d {
			size *= n
		}
		x := randomFloats(r, size)
		for i := range x {
			if x[i] == 0 {
				x[i] = 1 // no division by zero
			}
		}
		inputs = append(inputs, x)
	}
	var want []float32
	withGoMLXExecutors(func() { want = runOp(t, build, inputs, dims, false) })
	for _, donate := range []bool{false, true} {
		got := runOp(t, build, inputs, dims, donate)
		if len(got) != len(want) {
			t.Fatalf("%s: %d outputs, GoMLX gives %d", name, len(got), len(want))
		}
		for i := range want {
			if d := math.Abs(float64(got[i]) - float64(want[i])); d > tol*(1+math.Abs(float64(want[i]))) || math.IsNaN(float64(got[i])) != math.IsNaN(float64(want[i])) {
				t.Fatalf("%s (donated inputs: %v): out[%d] = %g, GoMLX gives %g", name, donate, i, got[i], want[i])
			}
		}
	}
}

func TestBinaryOpsMatchGoMLX(t *testing.T) {
	ops := map[string]func(b backends.Builder, x, y backends.Op) (backends.Op, error){
		"Add": func(b backends.Builder, x, y backends.Op) (backends.Op, error) { return b.Add(x, y) },
		"Sub": func(b backends.Builder, x, y backends.Op) (backends.Op, error) { return b.Sub(x, y) },
		"Mul": func(b backends.Builder, x, y backends.Op) (backends.Op, error) { return b.Mul(x, y) },
		"Div": func(b backends.Builder, x, y backends.Op) (backends.Op, error) { return b.Div(x, y) },
	}
	shapePairs := [][2][]int{
		{{3, 4, 5}, {3, 4, 5}},             // same shape
		{{64, 128, 16}, {64, 128, 16}},     // same shape, split over workers
		{{16, 128, 64}, {1, 1, 64}},        // bias / LayerNorm scale
		{{1, 1, 64}, {16, 128, 64}},        // broadcast on the left
		{{16, 128, 64}, {16, 128, 1}},      // x - mean over the last axis
		{{4, 1, 7}, {4, 6, 1}},             // both broadcast
		{{2, 3, 4, 5}, {2, 1, 4, 1}},       // alternating
		{{1, 1}, {40, 50}},                 // size-1 operand
		{{40, 50}, {}},                     // scalar
		{{1, 1}, {1, 1}},                   // all unit
		{{70000}, {1}},                     // one long run, split into chunks
		{{8, 2, 128, 128}, {8, 1, 1, 128}}, // attention mask
	}
	simd := state.binaryLoops
	if simd == nil {
		t.Logf("no SIMD loops on this CPU: only the Go loops are tested")
	}
	defer func() { state.binaryLoops = simd }()
	for _, loops := range []*[4][3]binaryLoop{simd, nil} {
		state.binaryLoops = loops
		for name, op := range ops {
			for _, dims := range shapePairs {
				label := fmt.Sprintf("%s %v∘%v (SIMD loops: %v)", name, dims[0], dims[1], loops != nil)
				compareWithGoMLX(t, label, func(b backends.Builder, p []backends.Op) (backends.Op, error) {
					return op(b, p[0], p[1])
				}, [][]int{dims[0], dims[1]}, 0)
			}
		}
	}
}

func TestUnaryOpsMatchGoMLX(t *testing.T) {
	simd := state.unaryLoops
	defer func() { state.unaryLoops = simd }()
	for _, loops := range []*[numUnaryKinds]unaryLoop{simd, nil} {
		state.unaryLoops = loops
		testUnaryOps(t)
	}
}

func testUnaryOps(t *testing.T) {
	for _, dims := range [][]int{{7}, {13}, {3, 50, 700}} {
		compareWithGoMLX(t, fmt.Sprintf("Exp %v", dims), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			return b.Exp(p[0])
		}, [][]int{dims}, 3e-7)
		compareWithGoMLX(t, fmt.Sprintf("Erf %v", dims), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			return b.Erf(p[0])
		}, [][]int{dims}, 3e-7)
		compareWithGoMLX(t, fmt.Sprintf("Neg %v", dims), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			return b.Neg(p[0])
		}, [][]int{dims}, 0)
		compareWithGoMLX(t, fmt.Sprintf("Abs %v", dims), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			return b.Abs(p[0])
		}, [][]int{dims}, 0)
		compareWithGoMLX(t, fmt.Sprintf("Sqrt∘Abs %v", dims), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			a, err := b.Abs(p[0])
			if err != nil {
				return nil, err
			}
			return b.Sqrt(a)
		}, [][]int{dims}, 0)
		compareWithGoMLX(t, fmt.Sprintf("Sqrt %v (NaN for negatives)", dims), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			return b.Sqrt(p[0])
		}, [][]int{dims}, 0)
	}
}

func TestReductionsMatchGoMLX(t *testing.T) {
	simdSum, simdBinary := state.sum, state.binaryLoops
	defer func() { state.sum, state.binaryLoops = simdSum, simdBinary }()
	for _, simd := range []bool{true, false} {
		if !simd {
			state.sum, state.binaryLoops = nil, nil
		}
		testReductions(t)
	}
}

func testReductions(t *testing.T) {
	cases := []struct {
		dims, axes []int
	}{
		{[]int{16, 128, 64}, []int{2}},    // LayerNorm mean, softmax sum
		{[]int{16, 128, 64}, []int{0, 1}}, // bias gradient
		{[]int{4, 5, 6, 7}, []int{1, 2}},  // middle block
		{[]int{4, 5, 6}, []int{0, 2}},     // not contiguous: GoMLX's executor
		{[]int{300, 400}, []int{0, 1}},    // everything
		{[]int{3, 1, 5}, []int{1}},        // unit axis only
		{[]int{1, 70000}, []int{1}},
		{[]int{70000, 3}, []int{0}},
		{[]int{50, 13}, []int{1}}, // runs of 8 + 5
		{[]int{9, 1}, []int{0}},
	}
	for _, c := range cases {
		compareWithGoMLX(t, fmt.Sprintf("ReduceSum %v over %v", c.dims, c.axes), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			return b.ReduceSum(p[0], c.axes...)
		}, [][]int{c.dims}, 2e-5)
		compareWithGoMLX(t, fmt.Sprintf("ReduceMax %v over %v", c.dims, c.axes), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			return b.ReduceMax(p[0], c.axes...)
		}, [][]int{c.dims}, 0)
	}
}

// TestUnaryLoops checks the SIMD Exp and Erf loops (and the Go code they
// hand the last n mod 8 elements to) against math.Exp and math.Erf, with the
// special values.
func TestUnaryLoops(t *testing.T) {
	if state.unaryLoops == nil {
		t.Skip("no SIMD loops on this CPU")
	}
	var xs []float32
	for x := float32(-90); x < 90; x += 0.00917 {
		xs = append(xs, x)
	}
	inf := float32(math.Inf(1))
	xs = append(xs, 0, -0.0, inf, -inf, float32(math.NaN()), 88.72, 88.73, -87.33, -87.34, 4, -4, 1e-30, 3)
	for _, kind := range []unaryKind{unaryExp, unaryErf} {
		out := make([]float32, len(xs))
		unaryRun(kind, out, xs)
		var worst float64
		for i, x := range xs {
			got := float64(out[i])
			var want float64
			var err float64
			if kind == unaryExp {
				want = float64(float32(math.Exp(float64(x)))) // +Inf past MaxFloat32
				if want == 0 || x < -87.33654 {               // below the float32 normal range: exp32 gives 0
					want = 0
				}
				err = math.Abs(got-want) / math.Max(want, 1e-38)
			} else {
				want = math.Erf(float64(x))
				err = math.Abs(got - want)
			}
			if math.IsNaN(want) != math.IsNaN(got) || (math.IsInf(want, 0) && got != want) {
				t.Fatalf("kind %d: f(%g) = %g, want %g", kind, x, got, want)
			}
			if !math.IsInf(want, 0) && !math.IsNaN(want) {
				worst = max(worst, err)
			}
		}
		if limit := map[unaryKind]float64{unaryExp: 2.5e-7, unaryErf: 4e-7}[kind]; worst > limit {
			t.Errorf("kind %d: error %g > %g", kind, worst, limit)
		}
	}
}

// TestExp32 checks exp32 against math.Exp over the whole float32 range that
// does not under- or overflow, and its special values.
func TestExp32(t *testing.T) {
	var worst float64
	for x := float32(-87.3); x < 88.7; x += 0.00731 {
		want := math.Exp(float64(x))
		worst = max(worst, math.Abs(float64(exp32(x))-want)/want)
	}
	if worst > 2.5e-7 {
		t.Errorf("exp32: relative error %g > 2.5e-7", worst)
	}
	for _, c := range []struct{ x, want float32 }{
		{0, 1}, {float32(math.Inf(1)), float32(math.Inf(1))}, {float32(math.Inf(-1)), 0}, {-100, 0}, {89, float32(math.Inf(1))},
	} {
		if got := exp32(c.x); got != c.want {
			t.Errorf("exp32(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if got := exp32(float32(math.NaN())); !math.IsNaN(float64(got)) {
		t.Errorf("exp32(NaN) = %g", got)
	}
	x := float32(88.72) // e^x needs the 2^128 scaling step
	if got, want := exp32(x), math.Exp(float64(x)); math.IsInf(float64(got), 0) || math.Abs(float64(got)-want)/want > 2.5e-7 {
		t.Errorf("exp32(%g) = %g, want %g", x, got, want)
	}
}

func TestErf32(t *testing.T) {
	var worst float64
	for x := float32(-6); x < 6; x += 0.000913 {
		worst = max(worst, math.Abs(float64(erf32(x))-math.Erf(float64(x))))
	}
	if worst > 4e-7 {
		t.Errorf("erf32: absolute error %g > 4e-7", worst)
	}
	for _, c := range []struct{ x, want float32 }{{0, 0}, {float32(math.Inf(1)), 1}, {float32(math.Inf(-1)), -1}} {
		if got := erf32(c.x); got != c.want {
			t.Errorf("erf32(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if got := erf32(float32(math.NaN())); !math.IsNaN(float64(got)) {
		t.Errorf("erf32(NaN) = %g", got)
	}
}

func TestBroadcastInDimMatchesGoMLX(t *testing.T) {
	cases := []struct {
		from, to, axes []int
	}{
		{[]int{64}, []int{16, 128, 64}, []int{2}},             // bias row
		{[]int{16, 128}, []int{16, 128, 64}, []int{0, 1}},     // per-token value
		{[]int{16, 128}, []int{16, 2, 128, 128}, []int{0, 3}}, // attention mask
		{[]int{3, 5}, []int{3, 4, 5}, []int{0, 2}},            // middle axis
		{[]int{1}, []int{70, 1000}, []int{1}},                 // size 1 to a large tensor
		{[]int{}, []int{4, 5}, []int{}},                       // scalar
		{[]int{2, 1, 3}, []int{2, 6, 3}, []int{0, 1, 2}},      // unit axis grows
	}
	for _, c := range cases {
		compareWithGoMLX(t, fmt.Sprintf("BroadcastInDim %v→%v on %v", c.from, c.to, c.axes), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			return b.BroadcastInDim(p[0], shapes.Make(dtypes.Float32, c.to...), c.axes)
		}, [][]int{c.from}, 0)
	}
}

func TestWhereMatchesGoMLX(t *testing.T) {
	for _, c := range []struct {
		name             string
		onTrue, onFalse  []int
		dims             []int
		scalarT, scalarF bool
	}{
		{name: "full", dims: []int{16, 2, 128, 64}},
		{name: "scalar false (dropout)", dims: []int{7, 9}, scalarF: true},
		{name: "scalar true", dims: []int{70000}, scalarT: true},
	} {
		shapeOf := func(scalar bool) []int {
			if scalar {
				return []int{}
			}
			return c.dims
		}
		compareWithGoMLX(t, "Where "+c.name, func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			zero, err := b.Constant([]float32{0}, 1)
			if err != nil {
				return nil, err
			}
			zero, err = b.BroadcastInDim(zero, shapes.Make(dtypes.Float32, c.dims...), []int{0})
			if err != nil {
				return nil, err
			}
			cond, err := b.GreaterThan(p[0], zero) // a random mask
			if err != nil {
				return nil, err
			}
			return b.Where(cond, p[1], p[2])
		}, [][]int{c.dims, shapeOf(c.scalarT), shapeOf(c.scalarF)}, 0)
	}
}

func TestTransposeMatchesGoMLX(t *testing.T) {
	for _, c := range []struct {
		dims, perm []int
	}{
		{[]int{16, 128, 2, 64}, []int{0, 2, 1, 3}}, // heads to the front
		{[]int{300, 200}, []int{1, 0}},
		{[]int{3, 4, 5, 6}, []int{3, 1, 0, 2}},
		{[]int{7, 1, 5}, []int{2, 1, 0}},
		{[]int{9}, []int{0}},
	} {
		compareWithGoMLX(t, fmt.Sprintf("Transpose %v by %v", c.dims, c.perm), func(b backends.Builder, p []backends.Op) (backends.Op, error) {
			return b.Transpose(p[0], c.perm...)
		}, [][]int{c.dims}, 0)
	}
}

// TestRNGBitGeneratorMatchesGoMLX: the random bits and the next state are
// GoMLX's, bit for bit (training runs stay reproducible and resumable).
func TestRNGBitGeneratorMatchesGoMLX(t *testing.T) {
	for _, c := range []struct {
		dtype dtypes.DType
		dims  []int
	}{
		{dtypes.Uint32, []int{16, 2, 128, 128}}, // dropout on attention probabilities
		{dtypes.Uint8, []int{13}},               // not a multiple of 8 bytes
		{dtypes.Uint64, []int{3, 5}},
		{dtypes.Float32, []int{7}},
	} {
		run := func(donate bool) (bits []byte, next []uint64) {
			backend, err := simplego.New("ops_sequential")
			if err != nil {
				t.Fatal(err)
			}
			defer backend.Finalize()
			b := backend.Builder("rng_test")
			stateParam, err := b.Parameter("state", backends.RNGStateShape, nil)
			if err != nil {
				t.Fatal(err)
			}
			newState, values, err := b.RNGBitGenerator(stateParam, shapes.Make(c.dtype, c.dims...))
			if err != nil {
				t.Fatal(err)
			}
			exec, err := b.Compile([]backends.Op{newState, values}, nil)
			if err != nil {
				t.Fatal(err)
			}
			stateBuf, err := backend.BufferFromFlatData(0, []uint64{0x1234567890abcdef, 0xfedcba0987654321}, backends.RNGStateShape)
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Execute([]backends.Buffer{stateBuf}, []bool{donate}, 0)
			if err != nil {
				t.Fatal(err)
			}
			next = make([]uint64, 2)
			if err := backend.BufferToFlatData(out[0], next); err != nil {
				t.Fatal(err)
			}
			flat, err := backend.BufferData(out[1])
			if err != nil {
				t.Fatal(err)
			}
			return append([]byte(nil), rawBytes(flat)...), next
		}
		var wantBits []byte
		var wantNext []uint64
		withGoMLXExecutors(func() { wantBits, wantNext = run(false) })
		for _, donate := range []bool{false, true} {
			bits, next := run(donate)
			if !slices.Equal(bits, wantBits) || !slices.Equal(next, wantNext) {
				t.Errorf("%s%v (donated state: %v): bits or next state differ from GoMLX's (next %x, want %x)", c.dtype, c.dims, donate, next, wantNext)
			}
		}
	}
}

func TestGatherMatchesGoMLX(t *testing.T) {
	type gatherCase struct {
		name                                                            string
		operand, indices                                                []int
		indexVectorAxis                                                 int
		offsetOutputAxes, collapsedSliceAxes, startIndexMap, sliceSizes []int
		ids                                                             []int32
	}
	for _, c := range []gatherCase{
		{"embedding rows", []int{50, 16}, []int{2, 3, 1}, 2, []int{2}, []int{0}, []int{0}, []int{1, 16},
			[]int32{3, 0, 49, 7, 7, 12}},
		{"out of range, clamped", []int{50, 16}, []int{4, 1}, 1, []int{1}, []int{0}, []int{0}, []int{1, 16},
			[]int32{-5, 50, 1000, 2}},
		{"first token of each sequence", []int{3, 4, 8}, []int{3, 2}, 1, []int{1}, []int{0, 1}, []int{0, 1}, []int{1, 1, 8},
			[]int32{0, 0, 1, 0, 2, 0}},
		{"not leading axes: GoMLX's", []int{5, 6}, []int{4, 1}, 1, []int{1}, []int{1}, []int{1}, []int{5, 1},
			[]int32{0, 5, 2, 3}},
	} {
		run := func() []float32 {
			backend, err := simplego.New("ops_sequential")
			if err != nil {
				t.Fatal(err)
			}
			defer backend.Finalize()
			b := backend.Builder("gather_test")
			x, err := b.Parameter("x", shapes.Make(dtypes.Float32, c.operand...), nil)
			if err != nil {
				t.Fatal(err)
			}
			ids, err := b.Parameter("ids", shapes.Make(dtypes.Int32, c.indices...), nil)
			if err != nil {
				t.Fatal(err)
			}
			g, err := b.Gather(x, ids, c.indexVectorAxis, c.offsetOutputAxes, c.collapsedSliceAxes, c.startIndexMap, c.sliceSizes, false)
			if err != nil {
				t.Fatal(err)
			}
			exec, err := b.Compile([]backends.Op{g}, nil)
			if err != nil {
				t.Fatal(err)
			}
			size := 1
			for _, d := range c.operand {
				size *= d
			}
			xBuf, _ := backend.BufferFromFlatData(0, randomFloats(rand.New(rand.NewPCG(9, 9)), size), shapes.Make(dtypes.Float32, c.operand...))
			idsBuf, _ := backend.BufferFromFlatData(0, c.ids, shapes.Make(dtypes.Int32, c.indices...))
			out, err := exec.Execute([]backends.Buffer{xBuf, idsBuf}, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			flat, _ := backend.BufferData(out[0])
			return slices.Clone(flat.([]float32))
		}
		var want []float32
		withGoMLXExecutors(func() { want = run() })
		if got := run(); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, GoMLX gives %v", c.name, got, want)
		}
	}
}

func TestScatterSumMatchesGoMLX(t *testing.T) {
	type scatterCase struct {
		name                                                           string
		operand, indices, updates                                      []int
		indexVectorAxis                                                int
		updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes []int
		ids                                                            []int32
	}
	for _, c := range []scatterCase{
		{"embedding gradient, repeated ids", []int{50, 16}, []int{2, 3, 1}, []int{2, 3, 16}, 2, []int{2}, []int{0}, []int{0},
			[]int32{3, 0, 49, 7, 7, 3}},
		{"first-token gradient", []int{3, 4, 8}, []int{3, 2}, []int{3, 8}, 1, []int{1}, []int{0, 1}, []int{0, 1},
			[]int32{0, 0, 1, 0, 2, 0}},
		{"not leading axes: GoMLX's", []int{5, 6}, []int{4, 1}, []int{4, 5}, 1, []int{1}, []int{1}, []int{1},
			[]int32{0, 5, 2, 3}},
	} {
		for _, donate := range []bool{false, true} {
			run := func() []float32 {
				backend, err := simplego.New("ops_sequential")
				if err != nil {
					t.Fatal(err)
				}
				defer backend.Finalize()
				b := backend.Builder("scatter_test")
				x, _ := b.Parameter("x", shapes.Make(dtypes.Float32, c.operand...), nil)
				ids, _ := b.Parameter("ids", shapes.Make(dtypes.Int32, c.indices...), nil)
				upd, _ := b.Parameter("upd", shapes.Make(dtypes.Float32, c.updates...), nil)
				s, err := b.ScatterSum(x, ids, upd, c.indexVectorAxis, c.updateWindowAxes, c.insertedWindowAxes, c.scatterAxesToOperandAxes, false, false)
				if err != nil {
					t.Fatal(err)
				}
				exec, err := b.Compile([]backends.Op{s}, nil)
				if err != nil {
					t.Fatal(err)
				}
				size := func(d []int) int {
					n := 1
					for _, v := range d {
						n *= v
					}
					return n
				}
				r := rand.New(rand.NewPCG(10, 10))
				xBuf, _ := backend.BufferFromFlatData(0, randomFloats(r, size(c.operand)), shapes.Make(dtypes.Float32, c.operand...))
				idsBuf, _ := backend.BufferFromFlatData(0, c.ids, shapes.Make(dtypes.Int32, c.indices...))
				updBuf, _ := backend.BufferFromFlatData(0, randomFloats(r, size(c.updates)), shapes.Make(dtypes.Float32, c.updates...))
				out, err := exec.Execute([]backends.Buffer{xBuf, idsBuf, updBuf}, []bool{donate, false, false}, 0)
				if err != nil {
					t.Fatal(err)
				}
				flat, _ := backend.BufferData(out[0])
				return slices.Clone(flat.([]float32))
			}
			var want []float32
			withGoMLXExecutors(func() { want = run() })
			if got := run(); !slices.Equal(got, want) {
				t.Errorf("%s (donated operand: %v): got %v, GoMLX gives %v", c.name, donate, got, want)
			}
		}
	}
}
