package cpukernels

// This file is the one place that reaches into GoMLX's pure-Go backend
// (github.com/gomlx/gomlx/backends/simplego, v0.26.0), which exports no hook
// for replacing an op's executor. It relies on:
//
//   - the executor table simplego.nodeExecutors, an array indexed by
//     backends.OpType of func(*Backend, *Node, []*Buffer, []bool) (*Buffer, error),
//     reached with //go:linkname;
//   - the multi-output executor table simplego.multiOutputsNodeExecutors (for
//     RNGBitGenerator), reached the same way;
//   - the unexported Node fields opType (backends.OpType), shape (shapes.Shape:
//     the DotGeneral node's normalized [batch, lhs cross, rhs cross] output),
//     multiOutputsShapes ([]shapes.Shape) and data (any: *dotGeneralNodeData
//     for DotGeneral, the axes []int of reductions, broadcasts and transposes);
//   - dotGeneralNodeData's []int fields lhsContractingAxes, lhsBatchAxes,
//     rhsContractingAxes, rhsBatchAxes.
//
// install checks all of that on nodes it builds itself, before touching the
// tables; if anything differs it leaves GoMLX's executors in place and warns
// once. TestSimplegoInternals fails loudly when a GoMLX upgrade
// changes them.

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// simplegoExecutor is the type of simplego's (unexported) nodeExecutor.
type simplegoExecutor = func(*simplego.Backend, *simplego.Node, []*simplego.Buffer, []bool) (*simplego.Buffer, error)

//go:linkname simplegoExecutors github.com/gomlx/gomlx/backends/simplego.nodeExecutors
var simplegoExecutors [backends.OpTypeLast]simplegoExecutor

// simplegoMultiExecutor is the type of simplego's (unexported)
// nodeMultiOutputExecutor.
type simplegoMultiExecutor = func(*simplego.Backend, *simplego.Node, []*simplego.Buffer, []bool) ([]*simplego.Buffer, error)

//go:linkname simplegoMultiOutputExecutors github.com/gomlx/gomlx/backends/simplego.multiOutputsNodeExecutors
var simplegoMultiOutputExecutors [backends.OpTypeLast]simplegoMultiExecutor

// nodeLayout holds where the fields this package reads sit in memory; it is
// filled and verified by probeInternals.
type nodeLayout struct {
	nodeOpType, nodeShape, nodeData, nodeMultiOutputShapes uintptr
	// dotGeneralData is the dynamic type of a DotGeneral node's data.
	dotGeneralData reflect.Type
	// Offsets of the axis lists inside *dotGeneralData.
	lhsContracting, lhsBatch, rhsContracting, rhsBatch uintptr
}

// state is what install decided; written once, before any graph runs.
var state struct {
	kernel *microKernel
	layout nodeLayout
	// binaryLoops are the SIMD loops of the binary ops, by binaryKind and
	// variant; nil where this CPU or the chosen kernel has none.
	binaryLoops *[4][3]binaryLoop
	// unaryLoops are the SIMD loops of the unary ops, by unaryKind.
	unaryLoops *[numUnaryKinds]unaryLoop
	// sum is the SIMD sum of the first n - n mod 8 floats (nil: none).
	sum func(x *float32, n int) float32
	// originals are GoMLX's executors of the ops replaced, for the cases the
	// replacements do not handle.
	originals [backends.OpTypeLast]simplegoExecutor
	// rngOriginal is GoMLX's RNGBitGenerator executor (a multi-output op).
	rngOriginal simplegoMultiExecutor
	// why says why the kernels are not installed (empty when they are).
	why string
}

// replacements are the executors this package installs, by op type.
func replacements() map[backends.OpType]simplegoExecutor {
	r := map[backends.OpType]simplegoExecutor{
		backends.OpTypeDotGeneral: execDotGeneral,
		backends.OpTypeReduceSum:  execReduce(reduceSum),
		backends.OpTypeReduceMax:  execReduce(reduceMax),
		backends.OpTypeExp:        execUnary(unaryExp),
		backends.OpTypeErf:        execUnary(unaryErf),
		backends.OpTypeSqrt:       execUnary(unarySqrt),
		backends.OpTypeNeg:        execUnary(unaryNeg),
		backends.OpTypeAbs:        execUnary(unaryAbs),

		backends.OpTypeBroadcastInDim: execBroadcastInDim,
		backends.OpTypeWhere:          execWhere,
		backends.OpTypeTranspose:      execTranspose,
		backends.OpTypeGather:         execGather,
		backends.OpTypeScatterSum:     execScatterSum,
	}
	for opType, kind := range binaryOpTypes {
		r[opType] = execBinary(kind)
	}
	return r
}

var installOnce sync.Once

// install replaces simplego's executors according to setting (EnvVar's
// value). It runs from init, before any goroutine can execute a graph.
func install(setting string) {
	installOnce.Do(func() {
		kern, warning := chooseKernel(setting)
		if warning != "" {
			warn(warning)
		}
		if kern == nil {
			state.why = "off ($" + EnvVar + "=off): GoMLX's own executors"
			return
		}
		layout, err := probeInternals()
		if err != nil {
			state.why = "GoMLX's own executors: " + err.Error()
			warn("not installed, GoMLX's pure-Go internals are not the expected ones (" + err.Error() +
				"); using GoMLX's own, slower executors")
			return
		}
		ops := replacements()
		if simplegoMultiOutputExecutors[backends.OpTypeRNGBitGenerator] == nil {
			state.why = "GoMLX's own executors: simplego registers no RNGBitGenerator executor"
			warn("not installed: " + state.why)
			return
		}
		for opType := range ops {
			if simplegoExecutors[opType] == nil {
				state.why = fmt.Sprintf("GoMLX's own executors: simplego registers no %s executor", opType)
				warn("not installed: " + state.why)
				return
			}
		}
		state.kernel, state.layout = kern, layout
		if kern.name != "generic" {
			state.binaryLoops = simdBinaryLoops()
			state.unaryLoops = simdUnaryLoops()
			state.sum = simdSum()
		}
		for opType, exec := range ops {
			state.originals[opType] = simplegoExecutors[opType]
			simplegoExecutors[opType] = exec
		}
		state.rngOriginal = simplegoMultiOutputExecutors[backends.OpTypeRNGBitGenerator]
		simplegoMultiOutputExecutors[backends.OpTypeRNGBitGenerator] = execRNGBitGenerator
	})
}

// probeInternals builds a DotGeneral node on a throwaway pure-Go backend and
// checks that every unexported field execDotGeneral reads is where, and of the
// type, it expects.
func probeInternals() (layout nodeLayout, err error) {
	nodeType := reflect.TypeFor[simplego.Node]()
	field := func(t reflect.Type, name string, want reflect.Type) (uintptr, error) {
		f, ok := t.FieldByName(name)
		if !ok {
			return 0, fmt.Errorf("%s has no field %q", t, name)
		}
		if f.Type != want {
			return 0, fmt.Errorf("%s.%s is a %s, expected %s", t, name, f.Type, want)
		}
		return f.Offset, nil
	}
	if layout.nodeOpType, err = field(nodeType, "opType", reflect.TypeFor[backends.OpType]()); err != nil {
		return layout, err
	}
	if layout.nodeShape, err = field(nodeType, "shape", reflect.TypeFor[shapes.Shape]()); err != nil {
		return layout, err
	}
	if layout.nodeData, err = field(nodeType, "data", reflect.TypeFor[any]()); err != nil {
		return layout, err
	}
	if layout.nodeMultiOutputShapes, err = field(nodeType, "multiOutputsShapes", reflect.TypeFor[[]shapes.Shape]()); err != nil {
		return layout, err
	}

	probed, err := probeNodes()
	if err != nil {
		return layout, err
	}
	node, reduce, broadcast, transpose, gather, scatter := probed.dotGeneral, probed.reduceSum, probed.broadcast,
		probed.transpose, probed.gather, probed.scatter
	if op := layout.opType(node); op != backends.OpTypeDotGeneral {
		return layout, fmt.Errorf("a DotGeneral node has op type %s", op)
	}
	if shape := layout.shape(node); !shape.Equal(shapes.Make(dtypes.Float32, 3, 2, 4)) {
		return layout, fmt.Errorf("the DotGeneral node of [2,3,5]·[5,3,4] (batch axis 1) has shape %s, expected (Float32)[3 2 4]", shape)
	}
	dataType := reflect.TypeOf(layout.data(node))
	if dataType == nil || dataType.Kind() != reflect.Pointer || dataType.Elem().Kind() != reflect.Struct ||
		dataType.Elem().Name() != "dotGeneralNodeData" {
		return layout, fmt.Errorf("a DotGeneral node's data is a %v, expected *dotGeneralNodeData", dataType)
	}
	layout.dotGeneralData = dataType
	intSlice := reflect.TypeFor[[]int]()
	offsets := []*uintptr{&layout.lhsContracting, &layout.lhsBatch, &layout.rhsContracting, &layout.rhsBatch}
	for i, name := range []string{"lhsContractingAxes", "lhsBatchAxes", "rhsContractingAxes", "rhsBatchAxes"} {
		if *offsets[i], err = field(dataType.Elem(), name, intSlice); err != nil {
			return layout, err
		}
	}
	axes := layout.axes(node)
	want := dotGeneralAxes{lhsContracting: []int{2}, lhsBatch: []int{1}, rhsContracting: []int{0}, rhsBatch: []int{1}}
	if !reflect.DeepEqual(axes, want) {
		return layout, fmt.Errorf("read the probe's DotGeneral axes as %+v, expected %+v", axes, want)
	}
	if op := layout.opType(reduce); op != backends.OpTypeReduceSum {
		return layout, fmt.Errorf("a ReduceSum node has op type %s", op)
	}
	if axes, ok := layout.data(reduce).([]int); !ok || !reflect.DeepEqual(axes, []int{0, 2}) {
		return layout, fmt.Errorf("a ReduceSum node's data is %#v, expected its axes []int{0, 2}", layout.data(reduce))
	}
	if op := layout.opType(broadcast); op != backends.OpTypeBroadcastInDim {
		return layout, fmt.Errorf("a BroadcastInDim node has op type %s", op)
	}
	if axes, ok := layout.data(broadcast).([]int); !ok || !reflect.DeepEqual(axes, []int{0, 2, 3}) {
		return layout, fmt.Errorf("a BroadcastInDim node's data is %#v, expected its axes []int{0, 2, 3}", layout.data(broadcast))
	}
	if spec, ok := readGatherSpec(layout.data(gather)); !ok || layout.opType(gather) != backends.OpTypeGather ||
		!reflect.DeepEqual(spec, gatherSpec{indexVectorAxis: 1, offsetOutputAxes: []int{1, 2}, collapsedSliceAxes: []int{0},
			startIndexMap: []int{0}, sliceSizes: []int{1, 3, 5}}) {
		return layout, fmt.Errorf("a Gather node's data reads as %+v (ok %v), not the parameters it was built with", spec, ok)
	}
	if spec, ok := readScatterSpec(layout.data(scatter)); !ok || layout.opType(scatter) != backends.OpTypeScatterSum ||
		!reflect.DeepEqual(spec, scatterSpec{indexVectorAxis: 1, updateWindowAxes: []int{1, 2}, insertedWindowAxes: []int{0},
			scatterAxesToOperandAxes: []int{0}}) {
		return layout, fmt.Errorf("a ScatterSum node's data reads as %+v (ok %v), not the parameters it was built with", spec, ok)
	}
	if op := layout.opType(transpose); op != backends.OpTypeTranspose {
		return layout, fmt.Errorf("a Transpose node has op type %s", op)
	}
	if perm, ok := layout.data(transpose).([]int); !ok || !reflect.DeepEqual(perm, []int{2, 0, 1}) {
		return layout, fmt.Errorf("a Transpose node's data is %#v, expected its permutation []int{2, 0, 1}", layout.data(transpose))
	}
	return layout, nil
}

// probedNodes are the nodes probeInternals inspects.
type probedNodes struct {
	dotGeneral, reduceSum, broadcast, transpose, gather, scatter *simplego.Node
}

// probeNodes builds, on a throwaway backend, lhs [2,3,5] · rhs [5,3,4]
// contracting lhs axis 2 with rhs axis 0 and batching on axis 1 of both (the
// DotGeneral node is the input of the Reshape that DotGeneral returns),
// ReduceSum(lhs, 0, 2), BroadcastInDim(lhs → [2,7,3,5] on axes 0,2,3),
// Transpose(lhs, 2, 0, 1), an embedding-style Gather of lhs' rows and the
// ScatterSum of its gradient.
func probeNodes() (p probedNodes, err error) {
	backend, err := simplego.New("")
	if err != nil {
		return p, fmt.Errorf("creating a probe backend: %w", err)
	}
	defer backend.Finalize()
	builder := backend.Builder("cpukernels_probe")
	// node keeps the first error; later calls then return nil.
	node := func(op backends.Op, opErr error) *simplego.Node {
		if err != nil {
			return nil
		}
		if opErr != nil {
			err = opErr
			return nil
		}
		n, ok := op.(*simplego.Node)
		if !ok {
			err = fmt.Errorf("the builder returned a %T, expected *simplego.Node", op)
		}
		return n
	}
	lhs := node(builder.Parameter("lhs", shapes.Make(dtypes.Float32, 2, 3, 5), nil))
	rhs := node(builder.Parameter("rhs", shapes.Make(dtypes.Float32, 5, 3, 4), nil))
	ids := node(builder.Parameter("ids", shapes.Make(dtypes.Int32, 4, 1), nil))
	if err != nil {
		return p, err
	}
	reshape := node(builder.DotGeneral(lhs, []int{2}, []int{1}, rhs, []int{0}, []int{1}))
	if err != nil {
		return p, err
	}
	inputs, ok := reflect.TypeFor[simplego.Node]().FieldByName("inputs")
	if !ok || inputs.Type != reflect.TypeFor[[]*simplego.Node]() {
		return p, fmt.Errorf("simplego.Node has no inputs []*Node field")
	}
	nodes := *(*[]*simplego.Node)(unsafe.Add(unsafe.Pointer(reshape), inputs.Offset))
	if len(nodes) != 1 {
		return p, fmt.Errorf("the Reshape after DotGeneral has %d inputs, expected 1", len(nodes))
	}
	p.dotGeneral = nodes[0]
	p.reduceSum = node(builder.ReduceSum(lhs, 0, 2))
	p.broadcast = node(builder.BroadcastInDim(lhs, shapes.Make(dtypes.Float32, 2, 7, 3, 5), []int{0, 2, 3}))
	p.transpose = node(builder.Transpose(lhs, 2, 0, 1))
	p.gather = node(builder.Gather(lhs, ids, 1, []int{1, 2}, []int{0}, []int{0}, []int{1, 3, 5}, false))
	if err != nil {
		return p, err
	}
	p.scatter = node(builder.ScatterSum(lhs, ids, p.gather, 1, []int{1, 2}, []int{0}, []int{0}, false, false))
	return p, err
}

// opType, shape and data read a node's unexported fields.
func (layout *nodeLayout) opType(node *simplego.Node) backends.OpType {
	return *(*backends.OpType)(unsafe.Add(unsafe.Pointer(node), layout.nodeOpType))
}

func (layout *nodeLayout) shape(node *simplego.Node) shapes.Shape {
	return *(*shapes.Shape)(unsafe.Add(unsafe.Pointer(node), layout.nodeShape))
}

func (layout *nodeLayout) data(node *simplego.Node) any {
	return *(*any)(unsafe.Add(unsafe.Pointer(node), layout.nodeData))
}

// multiOutputShapes reads a multi-output node's output shapes.
func (layout *nodeLayout) multiOutputShapes(node *simplego.Node) []shapes.Shape {
	return *(*[]shapes.Shape)(unsafe.Add(unsafe.Pointer(node), layout.nodeMultiOutputShapes))
}

// fallback runs GoMLX's own executor for the node.
func fallback(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	return state.originals[state.layout.opType(node)](backend, node, inputs, owned)
}

// dotGeneralAxes are a DotGeneral node's axis lists.
type dotGeneralAxes struct {
	lhsContracting, lhsBatch, rhsContracting, rhsBatch []int
}

// axes reads the axis lists of a node whose data is of layout.dotGeneralData's type.
func (layout *nodeLayout) axes(node *simplego.Node) dotGeneralAxes {
	data := reflect.ValueOf(layout.data(node)).UnsafePointer()
	read := func(off uintptr) []int { return *(*[]int)(unsafe.Add(data, off)) }
	return dotGeneralAxes{
		lhsContracting: read(layout.lhsContracting), lhsBatch: read(layout.lhsBatch),
		rhsContracting: read(layout.rhsContracting), rhsBatch: read(layout.rhsBatch),
	}
}

// execDotGeneral is the DotGeneral executor installed into simplego: float32
// products go through the packed GEMM, everything else to GoMLX's own.
func execDotGeneral(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	layout := &state.layout
	outShape := layout.shape(node)
	if reflect.TypeOf(layout.data(node)) != layout.dotGeneralData || outShape.DType != dtypes.Float32 || len(inputs) != 2 {
		return fallback(backend, node, inputs, owned)
	}
	lhsShape, err1 := backend.BufferShape(inputs[0])
	rhsShape, err2 := backend.BufferShape(inputs[1])
	lhsFlat, err3 := backend.BufferData(inputs[0])
	rhsFlat, err4 := backend.BufferData(inputs[1])
	lhs, ok1 := lhsFlat.([]float32)
	rhs, ok2 := rhsFlat.([]float32)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || !ok1 || !ok2 {
		return fallback(backend, node, inputs, owned)
	}
	a, b, ok := dotGeneralOperands(layout.axes(node), lhsShape, lhs, rhsShape, rhs)
	if !ok || outShape.Rank() != 3 || outShape.Dimensions[0] != len(a.batch) ||
		outShape.Dimensions[1] != len(a.rows) || outShape.Dimensions[2] != len(b.cols) {
		return fallback(backend, node, inputs, owned)
	}
	output := backend.NewBuffer(outShape)
	outFlat, err := backend.BufferData(output)
	if err != nil {
		return nil, err
	}
	gemm(state.kernel, a, b, outFlat.([]float32), Workers())
	return output, nil
}

// dotGeneralOperands describes both operands of a DotGeneral as batches of
// matrices: lhs as [batch, lhs cross, contracted], rhs as [batch, contracted,
// rhs cross], batch and contracted axes flattened in the order of the axis
// lists and cross axes in axis order, the order of GoMLX's normalized output.
// ok is false for anything it does not recognise (the caller falls back).
func dotGeneralOperands(axes dotGeneralAxes, lhsShape shapes.Shape, lhs []float32, rhsShape shapes.Shape, rhs []float32) (a, b matrices, ok bool) {
	if len(axes.lhsContracting) != len(axes.rhsContracting) || len(axes.lhsBatch) != len(axes.rhsBatch) ||
		len(lhs) != lhsShape.Size() || len(rhs) != rhsShape.Size() {
		return a, b, false
	}
	lhsStrides, rhsStrides := rowMajorStrides(lhsShape.Dimensions), rowMajorStrides(rhsShape.Dimensions)
	lhsCross, ok1 := crossAxes(lhsShape.Rank(), axes.lhsContracting, axes.lhsBatch)
	rhsCross, ok2 := crossAxes(rhsShape.Rank(), axes.rhsContracting, axes.rhsBatch)
	if !ok1 || !ok2 {
		return a, b, false
	}
	for i := range axes.lhsBatch {
		if lhsShape.Dimensions[axes.lhsBatch[i]] != rhsShape.Dimensions[axes.rhsBatch[i]] {
			return a, b, false
		}
	}
	for i := range axes.lhsContracting {
		if lhsShape.Dimensions[axes.lhsContracting[i]] != rhsShape.Dimensions[axes.rhsContracting[i]] {
			return a, b, false
		}
	}
	a = newMatrices(lhs,
		offsetTable(lhsShape.Dimensions, lhsStrides, axes.lhsBatch),
		offsetTable(lhsShape.Dimensions, lhsStrides, lhsCross),
		offsetTable(lhsShape.Dimensions, lhsStrides, axes.lhsContracting))
	b = newMatrices(rhs,
		offsetTable(rhsShape.Dimensions, rhsStrides, axes.rhsBatch),
		offsetTable(rhsShape.Dimensions, rhsStrides, axes.rhsContracting),
		offsetTable(rhsShape.Dimensions, rhsStrides, rhsCross))
	return a, b, true
}

// crossAxes returns the axes of a rank-r operand that are neither contracted
// nor batch, in increasing order; ok is false if an axis is out of range or
// listed twice.
func crossAxes(rank int, contracting, batch []int) (cross []int, ok bool) {
	used := make([]bool, rank)
	for _, list := range [][]int{contracting, batch} {
		for _, axis := range list {
			if axis < 0 || axis >= rank || used[axis] {
				return nil, false
			}
			used[axis] = true
		}
	}
	for axis, u := range used {
		if !u {
			cross = append(cross, axis)
		}
	}
	return cross, true
}

// rowMajorStrides returns the element strides of a row-major tensor.
func rowMajorStrides(dims []int) []int {
	strides := make([]int, len(dims))
	s := 1
	for i := len(dims) - 1; i >= 0; i-- {
		strides[i] = s
		s *= dims[i]
	}
	return strides
}

// offsetTable lists the flat offset of every index of the given axes, taken
// together in row-major order (the last axis listed varies fastest). No axes
// give the single offset 0.
func offsetTable(dims, strides, axes []int) []int {
	n := 1
	for _, axis := range axes {
		n *= dims[axis]
	}
	table := make([]int, n)
	index := make([]int, len(axes))
	off := 0
	for i := range table {
		table[i] = off
		for j := len(axes) - 1; j >= 0; j-- {
			axis := axes[j]
			index[j]++
			off += strides[axis]
			if index[j] < dims[axis] {
				break
			}
			off -= index[j] * strides[axis]
			index[j] = 0
		}
	}
	return table
}
