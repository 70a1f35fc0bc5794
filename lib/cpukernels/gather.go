package cpukernels

import (
	"reflect"

	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// gatherSpec is a Gather node's parameters (simplego's unexported
// gatherNode; see backends.Builder.Gather).
type gatherSpec struct {
	indexVectorAxis                                                 int
	offsetOutputAxes, collapsedSliceAxes, startIndexMap, sliceSizes []int
}

// readGatherSpec reads a Gather node's data; ok is false if it is not the
// struct simplego v0.26.0 stores there.
func readGatherSpec(data any) (spec gatherSpec, ok bool) {
	spec.indexVectorAxis, ok = readNodeData(data, "gatherNode", "indexVectorAxis", map[string]*[]int{
		"offsetOutputAxes": &spec.offsetOutputAxes, "collapsedSlicesAxes": &spec.collapsedSliceAxes,
		"startIndexMap": &spec.startIndexMap, "sliceSizes": &spec.sliceSizes})
	return spec, ok
}

// readNodeData reads, by field name, the int field intField and the []int
// fields of lists from the struct named typeName that data points to; ok is
// false if data is not such a struct.
func readNodeData(data any, typeName, intField string, lists map[string]*[]int) (n int, ok bool) {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct || v.Elem().Type().Name() != typeName {
		return 0, false
	}
	v = v.Elem()
	f := v.FieldByName(intField)
	if !f.IsValid() || f.Kind() != reflect.Int {
		return 0, false
	}
	for name, list := range lists {
		l := v.FieldByName(name)
		if !l.IsValid() || l.Kind() != reflect.Slice || l.Type().Elem().Kind() != reflect.Int {
			return 0, false
		}
		*list = make([]int, l.Len())
		for j := range l.Len() {
			(*list)[j] = int(l.Index(j).Int())
		}
	}
	return int(f.Int()), true
}

// execGather is the executor of Gather for the form embeddings and
// first-token pooling take: each index vector (the last axis of the indices)
// picks whole trailing blocks of a float32 operand — its leading axes,
// collapsed, in order — which are copied, rows split over the cores. Indices
// are clamped into range as GoMLX's executor does. Other forms go to GoMLX's.
func execGather(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	spec, ok := readGatherSpec(state.layout.data(node))
	x, xShape, ok2 := float32Operand(backend, inputs[0])
	idxShape, err := backend.BufferShape(inputs[1])
	idxFlat, err2 := backend.BufferData(inputs[1])
	if !ok || !ok2 || err != nil || err2 != nil || len(inputs) != 2 {
		return fallback(backend, node, inputs, owned)
	}
	k, block, ok := leadingBlocks(spec.indexVectorAxis, spec.offsetOutputAxes, spec.collapsedSliceAxes, spec.startIndexMap,
		xShape.Dimensions, idxShape.Dimensions)
	outShape := state.layout.shape(node)
	index, ok2 := indexReader(idxFlat)
	if !ok || !ok2 || !wholeBlocks(spec.sliceSizes, xShape.Dimensions, k) || outShape.DType != dtypes.Float32 {
		return fallback(backend, node, inputs, owned)
	}
	strides := rowMajorStrides(xShape.Dimensions)
	output := backend.NewBuffer(outShape)
	flat, _ := backend.BufferData(output)
	out := flat.([]float32)
	rows := len(out) / max(block, 1)
	if rows*k != idxShape.Size() {
		return fallback(backend, node, inputs, owned)
	}
	parallelFor(rows, len(out), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			start := 0
			for a := range k {
				i := min(max(index(r*k+a), 0), xShape.Dimensions[a]-1)
				start += i * strides[a]
			}
			copy(out[r*block:(r+1)*block], x[start:start+block])
		}
	})
	return output, nil
}

// leadingBlocks recognises the gather (or scatter) whose index vectors — the
// last axis of the indices, length k — address the operand's first k axes
// (indexMap), all collapsed, the remaining axes forming whole blocks of block
// elements at the trailing axes (windowAxes) of the gathered output (or the
// updates).
func leadingBlocks(indexVectorAxis int, windowAxes, collapsedAxes, indexMap, operand, indices []int) (k, block int, ok bool) {
	if len(indices) == 0 || indexVectorAxis != len(indices)-1 {
		return 0, 0, false
	}
	k = indices[len(indices)-1]
	if k < 1 || k > len(operand) || len(windowAxes) != len(operand)-k || len(indexMap) != k || len(collapsedAxes) != k {
		return 0, 0, false
	}
	for a := range k {
		if indexMap[a] != a || collapsedAxes[a] != a {
			return 0, 0, false
		}
	}
	batchRank := len(indices) - 1
	for i, axis := range windowAxes {
		if axis != batchRank+i {
			return 0, 0, false
		}
	}
	block = 1
	for _, d := range operand[k:] {
		block *= d
	}
	return k, block, true
}

// wholeBlocks reports whether a gather's slice sizes are 1 on the first k
// (indexed) axes and whole on the others.
func wholeBlocks(sliceSizes, operand []int, k int) bool {
	if len(sliceSizes) != len(operand) {
		return false
	}
	for a, size := range sliceSizes {
		if (a < k && size != 1) || (a >= k && size != operand[a]) {
			return false
		}
	}
	return true
}

// indexReader reads element i of int32 or int64 indices.
func indexReader(flat any) (func(i int) int, bool) {
	switch idx := flat.(type) {
	case []int32:
		return func(i int) int { return int(idx[i]) }, true
	case []int64:
		return func(i int) int { return int(idx[i]) }, true
	}
	return nil, false
}

// scatterSpec is a Scatter node's parameters (simplego's unexported
// scatterNode; see backends.Builder.ScatterSum).
type scatterSpec struct {
	indexVectorAxis                                                int
	updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes []int
}

// readScatterSpec reads a Scatter node's data; ok is false if it is not the
// struct simplego v0.26.0 stores there.
func readScatterSpec(data any) (spec scatterSpec, ok bool) {
	spec.indexVectorAxis, ok = readNodeData(data, "scatterNode", "indexVectorAxis", map[string]*[]int{
		"updateWindowAxes": &spec.updateWindowAxes, "insertedWindowAxes": &spec.insertedWindowAxes,
		"scatterAxesToOperandAxes": &spec.scatterAxesToOperandAxes})
	return spec, ok
}

// execScatterSum is the executor of ScatterSum for the gradient of
// execGather's form (the embedding gradient): each index vector adds one
// update block to the operand's leading-axis block it names. Updates are
// added one block at a time, in order, as GoMLX does. Other forms, and
// indices out of range, go to GoMLX's executor.
func execScatterSum(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	spec, ok := readScatterSpec(state.layout.data(node))
	_, xShape, ok2 := float32Operand(backend, inputs[0])
	idxShape, err := backend.BufferShape(inputs[1])
	idxFlat, err2 := backend.BufferData(inputs[1])
	updates, updShape, ok3 := float32Operand(backend, inputs[2])
	if !ok || !ok2 || !ok3 || err != nil || err2 != nil || len(inputs) != 3 {
		return fallback(backend, node, inputs, owned)
	}
	k, block, ok := leadingBlocks(spec.indexVectorAxis, spec.updateWindowAxes, spec.insertedWindowAxes,
		spec.scatterAxesToOperandAxes, xShape.Dimensions, idxShape.Dimensions)
	index, ok2 := indexReader(idxFlat)
	rows := idxShape.Size() / max(k, 1)
	if !ok || !ok2 || rows*block != updShape.Size() {
		return fallback(backend, node, inputs, owned)
	}
	starts := make([]int, rows)
	strides := rowMajorStrides(xShape.Dimensions)
	for r := range rows {
		for a := range k {
			i := index(r*k + a)
			if i < 0 || i >= xShape.Dimensions[a] {
				return fallback(backend, node, inputs, owned)
			}
			starts[r] += i * strides[a]
		}
	}
	var output *simplego.Buffer
	var out []float32
	if owned[0] {
		output = inputs[0]
		inputs[0] = nil // taken over, as GoMLX's executor does
		flat, _ := backend.BufferData(output)
		out = flat.([]float32)
	} else {
		output = backend.NewBuffer(xShape)
		flat, _ := backend.BufferData(output)
		x, _ := backend.BufferData(inputs[0])
		out = flat.([]float32)
		copy(out, x.([]float32))
	}
	for r, start := range starts {
		dst := out[start : start+block]
		binaryRun(binaryAdd, dst, dst, updates[r*block:(r+1)*block], 1, 1)
	}
	return output, nil
}
