package cpukernels

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Element-wise float32 executors: the binary arithmetic ops with implicit
// broadcasting (bias adds, LayerNorm's scale and shift, softmax's x - max and
// e / Σe), BroadcastInDim, Exp and Erf in float32, Sqrt, Neg and Abs, and
// reductions over a block of axes. GoMLX's
// walk every element through a per-element index iterator (broadcasting),
// or through float64 math; these run plain loops over contiguous runs, split
// over Workers() goroutines when the tensor is large.

// minParallelElements is the tensor size below which an element-wise op
// runs on one goroutine.
const minParallelElements = 1 << 15

// parallelFor calls body on consecutive ranges covering [0, n), on up to
// Workers() goroutines when work (elements touched) is large enough. Ranges
// are handed out as workers ask for them, so that a core slowed by other
// programs takes fewer.
func parallelFor(n, work int, body func(lo, hi int)) {
	workers := min(Workers(), n)
	if work < minParallelElements || workers <= 1 {
		body(0, n)
		return
	}
	grain := max(1, n/(8*workers))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(int64(grain))) - grain
				if lo >= n {
					return
				}
				body(lo, min(lo+grain, n))
			}
		})
	}
	wg.Wait()
}

// float32Operand returns the flat data and shape of a float32 buffer.
func float32Operand(backend *simplego.Backend, buf *simplego.Buffer) ([]float32, shapes.Shape, bool) {
	shape, err := backend.BufferShape(buf)
	if err != nil || shape.DType != dtypes.Float32 {
		return nil, shape, false
	}
	flat, err := backend.BufferData(buf)
	if err != nil {
		return nil, shape, false
	}
	x, ok := flat.([]float32)
	return x, shape, ok && len(x) == shape.Size()
}

// outputBuffer returns the buffer to write a result of the given shape into:
// an input the executor owns (its last use) of that shape, taken over as
// GoMLX's own executors do (its slot in inputs set to nil), or a new buffer.
func outputBuffer(backend *simplego.Backend, inputs []*simplego.Buffer, owned []bool, shape shapes.Shape) (*simplego.Buffer, []float32) {
	for i := len(inputs) - 1; i >= 0; i-- {
		if !owned[i] || inputs[i] == nil {
			continue
		}
		if s, err := backend.BufferShape(inputs[i]); err == nil && s.Equal(shape) {
			buf := inputs[i]
			inputs[i] = nil
			flat, _ := backend.BufferData(buf)
			return buf, flat.([]float32)
		}
	}
	buf := backend.NewBuffer(shape)
	flat, _ := backend.BufferData(buf)
	return buf, flat.([]float32)
}

// binaryKind is an arithmetic binary op.
type binaryKind int

const (
	binaryAdd binaryKind = iota
	binarySub
	binaryMul
	binaryDiv
)

// binaryOpTypes are the GoMLX ops execBinary replaces.
var binaryOpTypes = map[backends.OpType]binaryKind{
	backends.OpTypeAdd: binaryAdd,
	backends.OpTypeSub: binarySub,
	backends.OpTypeMul: binaryMul,
	backends.OpTypeDiv: binaryDiv,
}

// execBinary returns the executor of a float32 binary op.
func execBinary(kind binaryKind) simplegoExecutor {
	return func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
		outShape := state.layout.shape(node)
		if outShape.DType != dtypes.Float32 || len(inputs) != 2 {
			return fallback(backend, node, inputs, owned)
		}
		x, xShape, ok1 := float32Operand(backend, inputs[0])
		y, yShape, ok2 := float32Operand(backend, inputs[1])
		plan, ok3 := newBroadcastPlan(outShape.Dimensions, xShape, yShape)
		if !ok1 || !ok2 || !ok3 {
			return fallback(backend, node, inputs, owned)
		}
		output, out := outputBuffer(backend, inputs, owned, outShape)
		plan.run(kind, out, x, y)
		return output, nil
	}
}

// broadcastPlan is a broadcast binary op reduced to its simplest loop nest:
// rows × an inner run of n elements, in which x and y advance by ix, iy ∈
// {0, 1} (0: broadcast along the run); row r starts at x[xRow(r)], y[yRow(r)].
type broadcastPlan struct {
	n, ix, iy int
	// outer axes (outermost first): dimension and each operand's stride.
	dims, xStrides, yStrides []int
	rows                     int
}

// newBroadcastPlan plans out = x ∘ y for an output of dims. Each operand is
// either of size 1 or of the output's rank with every dimension equal to the
// output's or 1 (GoMLX's implicit broadcasting); anything else is refused.
func newBroadcastPlan(dims []int, xShape, yShape shapes.Shape) (broadcastPlan, bool) {
	xs, ok1 := broadcastStrides(dims, xShape)
	ys, ok2 := broadcastStrides(dims, yShape)
	if !ok1 || !ok2 {
		return broadcastPlan{}, false
	}
	// Collapse, innermost first: drop unit axes, merge an axis into the one
	// inside it when both operands are contiguous (or broadcast) across them.
	var d, sx, sy []int // innermost first
	for a := len(dims) - 1; a >= 0; a-- {
		if dims[a] == 1 {
			continue
		}
		if k := len(d) - 1; k >= 0 && xs[a] == sx[k]*d[k] && ys[a] == sy[k]*d[k] {
			d[k] *= dims[a]
			continue
		}
		d, sx, sy = append(d, dims[a]), append(sx, xs[a]), append(sy, ys[a])
	}
	p := broadcastPlan{n: 1, rows: 1}
	if len(d) > 0 {
		p.n, p.ix, p.iy = d[0], sx[0], sy[0]
		if p.ix > 1 || p.iy > 1 {
			return broadcastPlan{}, false // cannot happen for row-major operands
		}
	}
	for k := len(d) - 1; k >= 1; k-- {
		p.dims = append(p.dims, d[k])
		p.xStrides = append(p.xStrides, sx[k])
		p.yStrides = append(p.yStrides, sy[k])
		p.rows *= d[k]
	}
	return p, true
}

// broadcastStrides returns an operand's element stride along each output
// axis (0 where it is broadcast).
func broadcastStrides(dims []int, shape shapes.Shape) ([]int, bool) {
	strides := make([]int, len(dims))
	if shape.Size() == 1 {
		return strides, true
	}
	if shape.Rank() != len(dims) {
		return nil, false
	}
	s := 1
	for a := len(dims) - 1; a >= 0; a-- {
		switch shape.Dimensions[a] {
		case dims[a]:
			strides[a] = s
		case 1:
			strides[a] = 0
		default:
			return nil, false
		}
		s *= shape.Dimensions[a]
	}
	return strides, true
}

// rowStarts returns where row r starts in x and y.
func (p *broadcastPlan) rowStarts(r int) (xo, yo int) {
	for k := len(p.dims) - 1; k >= 0; k-- {
		i := r % p.dims[k]
		r /= p.dims[k]
		xo += i * p.xStrides[k]
		yo += i * p.yStrides[k]
	}
	return xo, yo
}

func (p *broadcastPlan) run(kind binaryKind, out, x, y []float32) {
	n := p.n
	if p.rows == 1 {
		// One long run: split it into chunks.
		const chunk = 1 << 14
		parallelFor(ceilDiv(n, chunk), n, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				a, b := c*chunk, min((c+1)*chunk, n)
				binaryRun(kind, out[a:b], x[a*p.ix:], y[a*p.iy:], p.ix, p.iy)
			}
		})
		return
	}
	parallelFor(p.rows, p.rows*n, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xo, yo := p.rowStarts(r)
			binaryRun(kind, out[r*n:(r+1)*n], x[xo:], y[yo:], p.ix, p.iy)
		}
	})
}

// Variants of a binary loop: both operands advance (VV), y is broadcast
// (VS), x is broadcast (SV).
const (
	variantVV = iota
	variantVS
	variantSV
)

// binaryLoop is a SIMD loop computing n elements of out from x and y as one
// variant of one op (see internal/asmgen).
type binaryLoop func(out, x, y *float32, n int)

// binaryRun computes out[i] = x[i·ix] ∘ y[i·iy] for i < len(out).
func binaryRun(kind binaryKind, out, x, y []float32, ix, iy int) {
	n := len(out)
	if n == 0 {
		return
	}
	if loops := state.binaryLoops; loops != nil && (ix == 1 || iy == 1) {
		variant := variantVV
		switch {
		case ix == 1 && iy == 0:
			variant = variantVS
		case ix == 0:
			variant = variantSV
		}
		_, _ = x[(n-1)*ix], y[(n-1)*iy] // bounds, checked before the assembly reads
		loops[kind][variant](&out[0], &x[0], &y[0], n)
		return
	}
	switch {
	case ix == 1 && iy == 1:
		binaryVV(kind, out, x[:n], y[:n])
	case ix == 1:
		binaryVS(kind, out, x[:n], y[0])
	case iy == 1:
		binarySV(kind, out, x[0], y[:n])
	default:
		var v [1]float32
		binaryVV(kind, v[:], x[:1], y[:1])
		fill(out, v[0])
	}
}

func binaryVV(kind binaryKind, out, x, y []float32) {
	out, y = out[:len(x)], y[:len(x)]
	switch kind {
	case binaryAdd:
		for i, v := range x {
			out[i] = v + y[i]
		}
	case binarySub:
		for i, v := range x {
			out[i] = v - y[i]
		}
	case binaryMul:
		for i, v := range x {
			out[i] = v * y[i]
		}
	case binaryDiv:
		for i, v := range x {
			out[i] = v / y[i]
		}
	}
}

func binaryVS(kind binaryKind, out, x []float32, c float32) {
	out = out[:len(x)]
	switch kind {
	case binaryAdd:
		for i, v := range x {
			out[i] = v + c
		}
	case binarySub:
		for i, v := range x {
			out[i] = v - c
		}
	case binaryMul:
		for i, v := range x {
			out[i] = v * c
		}
	case binaryDiv:
		for i, v := range x {
			out[i] = v / c
		}
	}
}

func binarySV(kind binaryKind, out []float32, c float32, y []float32) {
	out = out[:len(y)]
	switch kind {
	case binaryAdd:
		for i, v := range y {
			out[i] = c + v
		}
	case binarySub:
		for i, v := range y {
			out[i] = c - v
		}
	case binaryMul:
		for i, v := range y {
			out[i] = c * v
		}
	case binaryDiv:
		for i, v := range y {
			out[i] = c / v
		}
	}
}

// execBroadcastInDim is the executor of BroadcastInDim on float32: the
// operand's axes map, in order, to the output axes listed in the node's data;
// the other output axes repeat it.
func execBroadcastInDim(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	axes, ok := state.layout.data(node).([]int)
	x, xShape, ok2 := float32Operand(backend, inputs[0])
	outShape := state.layout.shape(node)
	if !ok || !ok2 || len(inputs) != 1 || outShape.DType != dtypes.Float32 {
		return fallback(backend, node, inputs, owned)
	}
	// The operand as a tensor of the output's rank (1 on the new axes): the
	// same flat data when the axes are increasing.
	expanded := shapes.Make(dtypes.Float32)
	if xShape.Size() != 1 {
		if len(axes) != xShape.Rank() {
			return fallback(backend, node, inputs, owned)
		}
		expanded.Dimensions = make([]int, outShape.Rank())
		for i := range expanded.Dimensions {
			expanded.Dimensions[i] = 1
		}
		for i, a := range axes {
			if a < 0 || a >= outShape.Rank() || (i > 0 && a <= axes[i-1]) {
				return fallback(backend, node, inputs, owned)
			}
			expanded.Dimensions[a] = xShape.Dimensions[i]
		}
	}
	plan, ok := newBroadcastPlan(outShape.Dimensions, expanded, expanded)
	if !ok {
		return fallback(backend, node, inputs, owned)
	}
	output := backend.NewBuffer(outShape)
	flat, _ := backend.BufferData(output)
	plan.runCopy(flat.([]float32), x)
	return output, nil
}

// runCopy writes the plan's x operand broadcast to the output.
func (p *broadcastPlan) runCopy(out, x []float32) {
	n := p.n
	parallelFor(p.rows, p.rows*n, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xo, _ := p.rowStarts(r)
			row := out[r*n : (r+1)*n]
			if p.ix == 1 {
				copy(row, x[xo:xo+n])
			} else {
				fill(row, x[xo])
			}
		}
	})
}

// execWhere is the executor of Where(condition, onTrue, onFalse) on float32
// (dropout's masks, the attention mask's select): a branch-free select,
// since dropout's random conditions defeat branch prediction.
func execWhere(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	outShape := state.layout.shape(node)
	if outShape.DType != dtypes.Float32 || len(inputs) != 3 {
		return fallback(backend, node, inputs, owned)
	}
	condShape, err := backend.BufferShape(inputs[0])
	condFlat, err2 := backend.BufferData(inputs[0])
	cond, ok := condFlat.([]bool)
	t, tShape, ok1 := float32Operand(backend, inputs[1])
	f, fShape, ok2 := float32Operand(backend, inputs[2])
	full := func(s shapes.Shape) bool { return s.Equal(outShape) }
	if err != nil || err2 != nil || !ok || !ok1 || !ok2 || !slices.Equal(condShape.Dimensions, outShape.Dimensions) ||
		!(full(tShape) || tShape.IsScalar()) || !(full(fShape) || fShape.IsScalar()) {
		return fallback(backend, node, inputs, owned)
	}
	t0, f0 := t[0], f[0] // read before out, which may be t or f, is written
	output, out := outputBuffer(backend, inputs[1:], owned[1:], outShape)
	const chunk = 1 << 13
	parallelFor(ceilDiv(len(out), chunk), len(out), func(lo, hi int) {
		for i := lo * chunk; i < min(hi*chunk, len(out)); i++ {
			tv, fv := t0, f0
			if len(t) > 1 {
				tv = t[i]
			}
			if len(f) > 1 {
				fv = f[i]
			}
			mask := -uint32(*(*uint8)(unsafe.Pointer(&cond[i])) & 1) // all ones when true
			out[i] = math.Float32frombits(math.Float32bits(tv)&mask | math.Float32bits(fv)&^mask)
		}
	})
	return output, nil
}

// execTranspose is the executor of Transpose on float32: output axis a is
// input axis perm[a] (the node's data); rows of the output's last axis are
// gathered from the input with that axis' stride.
func execTranspose(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	perm, ok := state.layout.data(node).([]int)
	x, xShape, ok2 := float32Operand(backend, inputs[0])
	outShape := state.layout.shape(node)
	if !ok || !ok2 || len(inputs) != 1 || len(perm) != xShape.Rank() || outShape.Rank() != len(perm) || outShape.DType != dtypes.Float32 {
		return fallback(backend, node, inputs, owned)
	}
	inStrides := rowMajorStrides(xShape.Dimensions)
	strides := make([]int, len(perm)) // input stride of each output axis
	for a, p := range perm {
		if p < 0 || p >= len(perm) || outShape.Dimensions[a] != xShape.Dimensions[p] {
			return fallback(backend, node, inputs, owned)
		}
		strides[a] = inStrides[p]
	}
	output := backend.NewBuffer(outShape)
	flat, _ := backend.BufferData(output)
	out := flat.([]float32)
	if len(perm) == 0 {
		copy(out, x)
		return output, nil
	}
	last := len(perm) - 1
	n, s := outShape.Dimensions[last], strides[last]
	rows := len(out) / max(n, 1)
	parallelFor(rows, len(out), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			start, rest := 0, r
			for a := last - 1; a >= 0; a-- {
				start += rest % outShape.Dimensions[a] * strides[a]
				rest /= outShape.Dimensions[a]
			}
			row := out[r*n : (r+1)*n]
			if s == 1 {
				copy(row, x[start:start+n])
				continue
			}
			src := x[start : start+(n-1)*s+1]
			for i := range row {
				row[i] = src[i*s]
			}
		}
	})
	return output, nil
}

// fill sets every element of row to v; long rows double the filled prefix
// with copy (memmove's vector loop) instead of storing one element at a time.
func fill(row []float32, v float32) {
	short := min(len(row), 256)
	for i := range row[:short] {
		row[i] = v
	}
	for done := short; done < len(row); done *= 2 {
		copy(row[done:], row[:done])
	}
}

// unaryKind is a float32 function applied element-wise.
type unaryKind int

const (
	unaryExp unaryKind = iota
	unaryErf
	unarySqrt
	unaryNeg
	unaryAbs
	numUnaryKinds
)

// execUnary returns the executor of a float32 unary op.
func execUnary(kind unaryKind) simplegoExecutor {
	return func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
		x, shape, ok := float32Operand(backend, inputs[0])
		if !ok || len(inputs) != 1 {
			return fallback(backend, node, inputs, owned)
		}
		output, out := outputBuffer(backend, inputs, owned, shape)
		const chunk = 1 << 13
		parallelFor(ceilDiv(len(x), chunk), 4*len(x), func(lo, hi int) {
			a, b := lo*chunk, min(hi*chunk, len(x))
			unaryRun(kind, out[a:b], x[a:b])
		})
		return output, nil
	}
}

// unaryLoop is a SIMD loop computing the first n - n mod 8 elements of out
// from x (see internal/asmgen).
type unaryLoop func(out, x *float32, n int)

// unaryRun computes out[i] = f(x[i]).
func unaryRun(kind unaryKind, out, x []float32) {
	out = out[:len(x)]
	if loops := state.unaryLoops; loops != nil && len(x) >= 8 {
		loops[kind](&out[0], &x[0], len(x))
		done := len(x) &^ 7
		out, x = out[done:], x[done:]
	}
	switch kind {
	case unaryExp:
		for i, v := range x {
			out[i] = exp32(v)
		}
	case unaryErf:
		for i, v := range x {
			out[i] = erf32(v)
		}
	case unarySqrt:
		for i, v := range x {
			out[i] = float32(math.Sqrt(float64(v)))
		}
	case unaryNeg:
		for i, v := range x {
			out[i] = -v
		}
	case unaryAbs:
		for i, v := range x {
			out[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
		}
	}
}

// exp32 is e^x in float32 (Cephes' expf: range reduction by ln 2, degree-5
// polynomial; within 2 ulp of the rounded exact value), 0 below -87.34 (where
// e^x is a float32 denormal), +Inf above ln(MaxFloat32).
func exp32(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -87.33654:
		return 0
	}
	n := float32(math.Floor(float64(x*1.442695040888963) + 0.5))
	r := x - n*0.693359375 - n*-2.12194440e-4
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	y := p*r*r + r + 1
	e := int32(n)
	if e > 127 { // 2^128 overflows the exponent field: scale in two steps
		y *= 2
		e--
	}
	return y * math.Float32frombits(uint32(e+127)<<23)
}

// erf32 is erf(x) in float32: the rational approximation Eigen and XLA use
// for float32 (odd degree-13 over even degree-8 polynomial on [-4, 4], ±1
// outside; absolute error below 4e-7).
func erf32(x float32) float32 {
	if x != x {
		return x
	}
	x = min(max(x, -4), 4)
	x2 := x * x
	p := x2*-2.72614225801306e-10 + 2.77068142495902e-08
	p = x2*p + -2.10102402082508e-06
	p = x2*p + -5.69250639462346e-05
	p = x2*p + -7.34990630326855e-04
	p = x2*p + -2.95459980854025e-03
	p = x2*p + -1.60960333262415e-02
	q := x2*-1.45660718464996e-05 + -2.13374055278905e-04
	q = x2*q + -1.68282697438203e-03
	q = x2*q + -7.37332916720468e-03
	q = x2*q + -1.42647390514189e-02
	return x * p / q
}

// reduceKind is a float32 reduction.
type reduceKind int

const (
	reduceSum reduceKind = iota
	reduceMax
)

// execReduce returns the executor of a float32 reduction over axes that,
// after merging adjacent axes, leave the operand as [outer, reduced, inner]
// (reducing trailing axes, leading axes, or one block in the middle).
func execReduce(kind reduceKind) simplegoExecutor {
	return func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
		axes, ok := state.layout.data(node).([]int)
		x, shape, ok2 := float32Operand(backend, inputs[0])
		if !ok || !ok2 || len(inputs) != 1 || len(axes) == 0 {
			return fallback(backend, node, inputs, owned)
		}
		outer, reduced, inner, ok := reductionBlocks(shape.Dimensions, axes)
		outShape := state.layout.shape(node)
		if !ok || outShape.Size() != outer*inner || outShape.DType != dtypes.Float32 {
			return fallback(backend, node, inputs, owned)
		}
		output := backend.NewBuffer(outShape)
		flat, _ := backend.BufferData(output)
		reduceBlocks(kind, flat.([]float32), x, outer, reduced, inner)
		return output, nil
	}
}

// reductionBlocks views dims as [outer, reduced, inner] where the reduced
// axes are exactly the middle block (ignoring unit axes); ok is false when
// the reduced axes are not contiguous.
func reductionBlocks(dims, axes []int) (outer, reduced, inner int, ok bool) {
	isReduced := make([]bool, len(dims))
	for _, a := range axes {
		if a < 0 || a >= len(dims) {
			return 0, 0, 0, false
		}
		isReduced[a] = true
	}
	outer, reduced, inner = 1, 1, 1
	stage := 0 // 0: before the reduced block, 1: in it, 2: after it
	for a, d := range dims {
		if d == 1 {
			continue
		}
		switch {
		case isReduced[a] && stage == 2:
			return 0, 0, 0, false
		case isReduced[a]:
			stage = 1
			reduced *= d
		case stage == 0:
			outer *= d
		default:
			stage = 2
			inner *= d
		}
	}
	return outer, reduced, inner, true
}

// reduceBlocks reduces x viewed as [outer, reduced, inner] over its middle
// axis into out [outer, inner].
func reduceBlocks(kind reduceKind, out, x []float32, outer, reduced, inner int) {
	init := float32(0)
	if kind == reduceMax {
		init = dtypes.Float32.LowestValue().(float32)
	}
	if inner == 1 {
		// Reducing contiguous runs: one output per run.
		parallelFor(outer, outer*reduced, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				out[o] = reduceRun(kind, init, x[o*reduced:(o+1)*reduced])
			}
		})
		return
	}
	// Reducing across rows: accumulate whole rows of inner elements,
	// splitting the inner axis when there is a single outer block.
	const chunk = 1 << 10
	chunks := ceilDiv(inner, chunk)
	parallelFor(outer*chunks, outer*reduced*inner, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			o, c := t/chunks, t%chunks
			a, b := c*chunk, min((c+1)*chunk, inner)
			acc := out[o*inner+a : o*inner+b]
			for i := range acc {
				acc[i] = init
			}
			for r := range reduced {
				row := x[(o*reduced+r)*inner+a : (o*reduced+r)*inner+b]
				if kind == reduceSum {
					binaryRun(binaryAdd, acc, acc, row, 1, 1)
				} else {
					for i, v := range row {
						acc[i] = max(acc[i], v)
					}
				}
			}
		}
	})
}

// reduceRun reduces one contiguous run, with partial accumulators (faster,
// and a sum rounds less than a single running one): the SIMD sum's 32 when
// there is one, else four.
func reduceRun(kind reduceKind, init float32, x []float32) float32 {
	a0, a1, a2, a3 := init, init, init, init
	i := 0
	if kind == reduceSum && state.sum != nil && len(x) >= 8 {
		a0 = state.sum(&x[0], len(x))
		i = len(x) &^ 7
	}
	if kind == reduceSum {
		for ; i+4 <= len(x); i += 4 {
			a0 += x[i]
			a1 += x[i+1]
			a2 += x[i+2]
			a3 += x[i+3]
		}
		for ; i < len(x); i++ {
			a0 += x[i]
		}
		return (a0 + a1) + (a2 + a3)
	}
	for ; i+4 <= len(x); i += 4 {
		a0 = max(a0, x[i])
		a1 = max(a1, x[i+1])
		a2 = max(a2, x[i+2])
		a3 = max(a3, x[i+3])
	}
	for ; i < len(x); i++ {
		a0 = max(a0, x[i])
	}
	return max(max(a0, a1), max(a2, a3))
}
