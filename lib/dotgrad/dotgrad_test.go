package dotgrad

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/polarityml/polarity/lib/compute"
)

// layout is one DotGeneral configuration under test.
type layout struct {
	name             string
	lhsDims, rhsDims []int
	axes             dotAxes
}

// layouts covers the shapes DotGeneral takes in practice and the corner cases
// of the axis bookkeeping: contracting axes not last, several contracting axes
// paired out of order, batch axes not leading and paired out of order, no
// contraction, full contraction, batch-only.
var layouts = []layout{
	{"matmul", []int{3, 4}, []int{4, 5}, dotAxes{lhsContracting: []int{1}, rhsContracting: []int{0}}},
	{"matmul rhs transposed", []int{3, 4}, []int{5, 4}, dotAxes{lhsContracting: []int{1}, rhsContracting: []int{1}}},
	{"matmul lhs transposed", []int{4, 3}, []int{4, 5}, dotAxes{lhsContracting: []int{0}, rhsContracting: []int{0}}},
	{"dense on rank 3", []int{2, 3, 4}, []int{4, 5}, dotAxes{lhsContracting: []int{2}, rhsContracting: []int{0}}},
	{"batched matmul", []int{2, 3, 4}, []int{2, 4, 5},
		dotAxes{lhsContracting: []int{2}, lhsBatch: []int{0}, rhsContracting: []int{1}, rhsBatch: []int{0}}},
	{"two contracting axes out of order", []int{3, 4, 5}, []int{5, 6, 4},
		dotAxes{lhsContracting: []int{1, 2}, rhsContracting: []int{2, 0}}},
	{"attention scores bqhd,bkhd->bhqk", []int{2, 3, 2, 4}, []int{2, 5, 2, 4},
		dotAxes{lhsContracting: []int{3}, lhsBatch: []int{0, 2}, rhsContracting: []int{3}, rhsBatch: []int{0, 2}}},
	{"attention context bhqk,bkhd->bhqd", []int{2, 2, 3, 5}, []int{2, 5, 2, 4},
		dotAxes{lhsContracting: []int{3}, lhsBatch: []int{0, 1}, rhsContracting: []int{1}, rhsBatch: []int{0, 2}}},
	{"batch axes inside, paired out of order", []int{4, 2, 3, 5}, []int{5, 6, 2, 4},
		dotAxes{lhsContracting: []int{0}, lhsBatch: []int{1, 3}, rhsContracting: []int{3}, rhsBatch: []int{2, 0}}},
	{"outer product", []int{3}, []int{4}, dotAxes{}},
	{"full contraction", []int{3, 4}, []int{3, 4}, dotAxes{lhsContracting: []int{0, 1}, rhsContracting: []int{0, 1}}},
	{"batch only", []int{2, 3}, []int{2, 3}, dotAxes{lhsBatch: []int{0, 1}, rhsBatch: []int{0, 1}}},
	{"vector times matrix", []int{4}, []int{2, 4, 5}, dotAxes{lhsContracting: []int{0}, rhsContracting: []int{1}}},
}

func (l layout) dotGeneral(lhs, rhs *graph.Node) *graph.Node {
	return graph.DotGeneral(lhs, l.axes.lhsContracting, l.axes.lhsBatch, rhs, l.axes.rhsContracting, l.axes.rhsBatch)
}

func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	backend, err := compute.Backend()
	if err != nil {
		t.Fatalf("no GoMLX backend: %v", err)
	}
	return backend
}

// randomTensor returns a tensor of the given dtype (float32 or float64) with
// values uniform in [-1, 1).
func randomTensor(rng *rand.Rand, dtype dtypes.DType, dims ...int) *tensors.Tensor {
	size := 1
	for _, d := range dims {
		size *= d
	}
	if dtype == dtypes.Float64 {
		data := make([]float64, size)
		for i := range data {
			data[i] = 2*rng.Float64() - 1
		}
		return tensors.FromFlatDataAndDimensions(data, dims...)
	}
	data := make([]float32, size)
	for i := range data {
		data[i] = float32(2*rng.Float64() - 1)
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// flat returns a float32 or float64 tensor's values as float64.
func flat(t *tensors.Tensor) []float64 {
	if t.DType() == dtypes.Float64 {
		return tensors.MustCopyFlatData[float64](t)
	}
	values := tensors.MustCopyFlatData[float32](t)
	out := make([]float64, len(values))
	for i, v := range values {
		out[i] = float64(v)
	}
	return out
}

// assertClose fails unless got and want have the same shape and every
// element is within tol·(1+|want|).
func assertClose(t *testing.T, what string, got, want *tensors.Tensor, tol float64) {
	t.Helper()
	if !got.Shape().Equal(want.Shape()) {
		t.Fatalf("%s: shape %s, want %s", what, got.Shape(), want.Shape())
	}
	g, w := flat(got), flat(want)
	for i := range w {
		if math.Abs(g[i]-w[i]) > tol*(1+math.Abs(w[i])) {
			t.Fatalf("%s: element %d = %.9g, want %.9g (tolerance %g)", what, i, g[i], w[i], tol)
		}
	}
}

// withOriginalVJPs runs fn with GoMLX's own DotGeneral and Dot gradients
// registered, restoring this package's afterwards.
func withOriginalVJPs(fn func()) {
	graph.VJPRegistration[graph.NodeTypeDotGeneral] = originalDotGeneralVJP
	graph.VJPRegistration[graph.NodeTypeDot] = originalDotVJP
	defer func() {
		graph.VJPRegistration[graph.NodeTypeDotGeneral] = dotGeneralVJP
		graph.VJPRegistration[graph.NodeTypeDot] = dotVJP
	}()
	fn()
}

func TestInstalled(t *testing.T) {
	if !Installed() {
		t.Fatal("Installed() = false right after package init")
	}
	withOriginalVJPs(func() {
		if Installed() {
			t.Error("Installed() = true while GoMLX's original VJPs are registered")
		}
	})
	if !Installed() {
		t.Fatal("Installed() = false after restoring")
	}
}

// TestAxesReadFromNode checks that the axes read back by reflection are the
// ones the DotGeneral was built with: if a GoMLX upgrade breaks this, the
// package would silently fall back to the slow gradient.
func TestAxesReadFromNode(t *testing.T) {
	backend := testBackend(t)
	for _, l := range layouts {
		g := graph.NewGraph(backend, "axes")
		lhs := graph.Parameter(g, "lhs", shapes.Make(dtypes.Float32, l.lhsDims...))
		rhs := graph.Parameter(g, "rhs", shapes.Make(dtypes.Float32, l.rhsDims...))
		got, err := dotGeneralAxes(l.dotGeneral(lhs, rhs))
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(l.axes) {
			t.Errorf("%s: read axes %+v, built with %+v", l.name, got, l.axes)
		}
		g.Finalize()
	}
}

// TestVJPMatchesOriginal evaluates both VJPs on the same node and the same
// random output gradient, and requires equal results to float32 precision.
// It also checks the new gradient uses only DotGeneral and Transpose.
func TestVJPMatchesOriginal(t *testing.T) {
	backend := testBackend(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			g := graph.NewGraph(backend, "vjp")
			defer g.Finalize()
			lhs := graph.Parameter(g, "lhs", shapes.Make(dtypes.Float32, l.lhsDims...))
			rhs := graph.Parameter(g, "rhs", shapes.Make(dtypes.Float32, l.rhsDims...))
			node := l.dotGeneral(lhs, rhs)
			v := graph.Parameter(g, "v", node.Shape())
			fast := dotGeneralVJP(node, []*graph.Node{v}, shapes.Shape{})
			original := originalDotGeneralVJP(node, []*graph.Node{v}, shapes.Shape{})
			assertOnlyOps(t, fast, map[graph.NodeType]bool{
				graph.NodeTypeDotGeneral: true, graph.NodeTypeTranspose: true, graph.NodeTypeParameter: true})
			g.Compile(fast[0], fast[1], original[0], original[1])
			out := g.Run(
				randomTensor(rng, dtypes.Float32, l.lhsDims...),
				randomTensor(rng, dtypes.Float32, l.rhsDims...),
				randomTensor(rng, dtypes.Float32, node.Shape().Dimensions...))
			assertClose(t, "d lhs", out[0], out[2], 1e-5)
			assertClose(t, "d rhs", out[1], out[3], 1e-5)
		})
	}
}

// assertOnlyOps walks the graph below outputs and fails on any node type not
// in allowed.
func assertOnlyOps(t *testing.T, outputs []*graph.Node, allowed map[graph.NodeType]bool) {
	t.Helper()
	seen := map[*graph.Node]bool{}
	var walk func(n *graph.Node)
	walk = func(n *graph.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if !allowed[n.Type()] {
			t.Errorf("gradient graph uses %s: %s", n.Type(), n)
		}
		for _, input := range n.Inputs() {
			walk(input)
		}
	}
	for _, n := range outputs {
		walk(n)
	}
}

// TestDotVJPMatchesOriginal covers graph.Dot (and so graph.MatMul of rank ≤ 2
// operands), which has its own node type.
func TestDotVJPMatchesOriginal(t *testing.T) {
	backend := testBackend(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, dims := range [][2][]int{{{5}, {5}}, {{3, 5}, {5}}, {{3, 5}, {5, 4}}} {
		t.Run(fmt.Sprint(dims), func(t *testing.T) {
			g := graph.NewGraph(backend, "dot")
			defer g.Finalize()
			lhs := graph.Parameter(g, "lhs", shapes.Make(dtypes.Float32, dims[0]...))
			rhs := graph.Parameter(g, "rhs", shapes.Make(dtypes.Float32, dims[1]...))
			node := graph.Dot(lhs, rhs)
			v := graph.Parameter(g, "v", node.Shape())
			fast := dotVJP(node, []*graph.Node{v}, shapes.Shape{})
			original := originalDotVJP(node, []*graph.Node{v}, shapes.Shape{})
			g.Compile(fast[0], fast[1], original[0], original[1])
			out := g.Run(
				randomTensor(rng, dtypes.Float32, dims[0]...),
				randomTensor(rng, dtypes.Float32, dims[1]...),
				randomTensor(rng, dtypes.Float32, node.Shape().Dimensions...))
			assertClose(t, "d lhs", out[0], out[2], 1e-5)
			assertClose(t, "d rhs", out[1], out[3], 1e-5)
		})
	}
}

// einsumCases are the contractions of a BERT layer written as Einsum, which
// lowers them to DotGeneral plus transposes.
var einsumCases = []struct {
	equation         string
	lhsDims, rhsDims []int
}{
	{"bsi,io->bso", []int{2, 3, 4}, []int{4, 5}},              // dense layer
	{"bqhd,bkhd->bhqk", []int{2, 3, 2, 4}, []int{2, 5, 2, 4}}, // attention scores
	{"bhqk,bkhd->bqhd", []int{2, 2, 3, 5}, []int{2, 5, 2, 4}}, // attention context
	{"bqhd,hdo->bqo", []int{2, 3, 2, 4}, []int{2, 4, 6}},      // output projection from heads
}

// gradientsOfEinsum returns d loss/d lhs and d loss/d rhs for
// loss = Σ w ⊙ tanh(Einsum(equation, lhs, rhs)), with graph.Gradient and
// whatever VJPs are registered when it is called.
func gradientsOfEinsum(backend backends.Backend, equation string, lhs, rhs, w *tensors.Tensor) []*tensors.Tensor {
	g := graph.NewGraph(backend, "einsum")
	defer g.Finalize()
	a := graph.Parameter(g, "lhs", lhs.Shape())
	b := graph.Parameter(g, "rhs", rhs.Shape())
	weights := graph.Parameter(g, "w", w.Shape())
	loss := graph.ReduceAllSum(graph.Mul(weights, graph.Tanh(graph.Einsum(equation, a, b))))
	grads := graph.Gradient(loss, a, b)
	g.Compile(grads...)
	return g.Run(lhs, rhs, w)
}

// TestGradientOfEinsumMatchesOriginal runs graph.Gradient end to end through
// Einsum with the new and the original VJPs registered.
func TestGradientOfEinsumMatchesOriginal(t *testing.T) {
	backend := testBackend(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range einsumCases {
		t.Run(c.equation, func(t *testing.T) {
			lhs := randomTensor(rng, dtypes.Float32, c.lhsDims...)
			rhs := randomTensor(rng, dtypes.Float32, c.rhsDims...)
			g := graph.NewGraph(backend, "shape")
			outShape := graph.Einsum(c.equation,
				graph.Parameter(g, "lhs", lhs.Shape()), graph.Parameter(g, "rhs", rhs.Shape())).Shape()
			g.Finalize()
			w := randomTensor(rng, dtypes.Float32, outShape.Dimensions...)

			fast := gradientsOfEinsum(backend, c.equation, lhs, rhs, w)
			var original []*tensors.Tensor
			withOriginalVJPs(func() { original = gradientsOfEinsum(backend, c.equation, lhs, rhs, w) })
			assertClose(t, "d lhs", fast[0], original[0], 1e-5)
			assertClose(t, "d rhs", fast[1], original[1], 1e-5)
		})
	}
}

// TestGradientAgainstFiniteDifferences compares, in float64, the gradient of
// loss = Σ w ⊙ tanh(DotGeneral(lhs, rhs)) from graph.Gradient (with the new
// VJP) with central finite differences of the loss, element by element.
func TestGradientAgainstFiniteDifferences(t *testing.T) {
	backend := testBackend(t)
	rng := rand.New(rand.NewPCG(7, 8))
	const eps = 1e-6
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			lhs := randomTensor(rng, dtypes.Float64, l.lhsDims...)
			rhs := randomTensor(rng, dtypes.Float64, l.rhsDims...)
			shapeGraph := graph.NewGraph(backend, "shape")
			outShape := l.dotGeneral(graph.Parameter(shapeGraph, "lhs", lhs.Shape()),
				graph.Parameter(shapeGraph, "rhs", rhs.Shape())).Shape()
			shapeGraph.Finalize()
			w := randomTensor(rng, dtypes.Float64, outShape.Dimensions...)

			lossFn := func(a, b, weights *graph.Node) *graph.Node {
				return graph.ReduceAllSum(graph.Mul(weights, graph.Tanh(l.dotGeneral(a, b))))
			}
			lossExec, err := graph.NewExec(backend, lossFn)
			if err != nil {
				t.Fatal(err)
			}
			defer lossExec.Finalize()
			gradExec, err := graph.NewExec(backend, func(a, b, weights *graph.Node) []*graph.Node {
				return graph.Gradient(lossFn(a, b, weights), a, b)
			})
			if err != nil {
				t.Fatal(err)
			}
			defer gradExec.Finalize()
			grads, err := gradExec.Exec(lhs, rhs, w)
			if err != nil {
				t.Fatal(err)
			}
			loss := func(a, b []float64) float64 {
				out, err := lossExec.Exec(tensors.FromFlatDataAndDimensions(a, l.lhsDims...),
					tensors.FromFlatDataAndDimensions(b, l.rhsDims...), w)
				if err != nil {
					t.Fatal(err)
				}
				return out[0].Value().(float64)
			}
			a, b := flat(lhs), flat(rhs)
			for operand, values := range [][]float64{a, b} {
				analytic := flat(grads[operand])
				for i := range values {
					saved := values[i]
					values[i] = saved + eps
					plus := loss(a, b)
					values[i] = saved - eps
					minus := loss(a, b)
					values[i] = saved
					numeric := (plus - minus) / (2 * eps)
					if math.Abs(numeric-analytic[i]) > 1e-7*(1+math.Abs(numeric)) {
						t.Fatalf("operand %d element %d: gradient %.12g, finite difference %.12g", operand, i, analytic[i], numeric)
					}
				}
			}
		})
	}
}
