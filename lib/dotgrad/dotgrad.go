// Package dotgrad replaces GoMLX's gradients of DotGeneral and Dot with
// gradients built from two DotGenerals (plus at most one transpose each).
//
// GoMLX v0.26.0 differentiates y = DotGeneral(a, b) by broadcasting the
// output gradient against the other operand and reducing the cross axes with
// a Mul + ReduceSum, which materialises a tensor of shape
// [batch × lhs cross × rhs cross × contracted]. For a BERT dense layer
// ([16·128, 128] × [128, 512]) that is 134M floats per gradient: on the pure-Go
// backend a tiny BERT training step took 7–21 s and 2.5 GiB. The gradients
// here are the textbook ones,
//
//	dA = DotGeneral(dY, B)   contracting the output's rhs-cross axes with B's cross axes,
//	dB = DotGeneral(A, dY)   contracting A's cross axes with the output's lhs-cross axes,
//
// with the batch axes kept as batch axes, followed by a transpose back to the
// operand's axis order when the DotGeneral result is not already in it. They
// need only DotGeneral and Transpose from the backend (no Slice, Pad or
// broadcast), so they run on every backend GoMLX has.
//
// Importing the package is enough: its init replaces the entries for
// graph.NodeTypeDotGeneral and graph.NodeTypeDot in graph.VJPRegistration,
// before any goroutine of the program can build a graph. Every graph op that
// multiplies tensors routes through those two node types (Einsum, EinsumAxes,
// MatMul, layers.Dense), so all of them get the fast gradients:
//
//	import _ "github.com/polarityml/polarity/lib/dotgrad"
//
// Packages that build trainable graphs (bert, train) import it; lib/compute
// does not, so inference-only code does not depend on it. Installed reports
// whether the registration is in place.
package dotgrad

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// The VJPs GoMLX shipped with, kept to fall back on (see dotGeneralAxes) and
// to compare against in tests and benchmarks.
var (
	originalDotGeneralVJP = graph.VJPRegistration[graph.NodeTypeDotGeneral]
	originalDotVJP        = graph.VJPRegistration[graph.NodeTypeDot]
)

func init() {
	graph.VJPRegistration[graph.NodeTypeDotGeneral] = dotGeneralVJP
	graph.VJPRegistration[graph.NodeTypeDot] = dotVJP
}

// Installed reports whether graph.VJPRegistration currently holds this
// package's gradients for both DotGeneral and Dot (it does from program start
// unless some other code overwrote them).
func Installed() bool {
	same := func(a, b graph.VJP) bool { return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() }
	return same(graph.VJPRegistration[graph.NodeTypeDotGeneral], dotGeneralVJP) &&
		same(graph.VJPRegistration[graph.NodeTypeDot], dotVJP)
}

// dotGeneralVJP is the graph.VJP for NodeTypeDotGeneral nodes.
func dotGeneralVJP(node *graph.Node, vjpOutputs []*graph.Node, outputShape shapes.Shape) []*graph.Node {
	axes, err := dotGeneralAxes(node)
	if err != nil {
		// Only reachable if a GoMLX upgrade changes its node internals: the
		// tests catch that; a running program still gets correct gradients.
		return originalDotGeneralVJP(node, vjpOutputs, outputShape)
	}
	inputs := node.Inputs()
	dLhs, dRhs := gradients(inputs[0], inputs[1], axes, vjpOutputs[0])
	return []*graph.Node{dLhs, dRhs}
}

// dotVJP is the graph.VJP for NodeTypeDot nodes (graph.Dot, and graph.MatMul
// of operands of rank ≤ 2): vector·vector, matrix·vector and matrix·matrix,
// all of which contract the last axis of lhs with the first axis of rhs.
func dotVJP(node *graph.Node, vjpOutputs []*graph.Node, _ shapes.Shape) []*graph.Node {
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	axes := dotAxes{lhsContracting: []int{lhs.Rank() - 1}, rhsContracting: []int{0}}
	dLhs, dRhs := gradients(lhs, rhs, axes, vjpOutputs[0])
	return []*graph.Node{dLhs, dRhs}
}

// dotAxes are the axis roles of one DotGeneral: lhsContracting[i] is
// contracted with rhsContracting[i], and lhsBatch[i] is aligned with
// rhsBatch[i]. All axes are non-negative.
type dotAxes struct {
	lhsContracting, lhsBatch []int
	rhsContracting, rhsBatch []int
}

// dotGeneralAxes reads the contracting and batch axes of a DotGeneral node.
//
// GoMLX keeps them in an unexported struct (nodeInputsDotGeneral) and offers
// no accessor, so they are read by reflection, without modifying anything;
// the layout is checked against the node's shape before it is trusted.
func dotGeneralAxes(node *graph.Node) (axes dotAxes, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading the axes of %s by reflection: %v", node.Type(), r)
		}
	}()
	inputs := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !inputs.IsValid() || inputs.IsNil() {
		return axes, fmt.Errorf("graph.Node has no field \"inputs\" (GoMLX internals changed)")
	}
	params := inputs.Elem().Elem()
	field := func(name string) []int {
		value := params.FieldByName(name)
		if !value.IsValid() || value.Kind() != reflect.Slice {
			panic(fmt.Sprintf("DotGeneral inputs have no []int field %q", name))
		}
		ints := make([]int, value.Len())
		for i := range ints {
			ints[i] = int(value.Index(i).Int())
		}
		return ints
	}
	axes = dotAxes{
		lhsContracting: field("lhsContractingAxes"),
		lhsBatch:       field("lhsBatchAxes"),
		rhsContracting: field("rhsContractingAxes"),
		rhsBatch:       field("rhsBatchAxes"),
	}
	operands := node.Inputs()
	if want := dotGeneralShape(operands[0].Shape(), operands[1].Shape(), axes); !want.Equal(node.Shape()) {
		return axes, fmt.Errorf("axes %+v read from %s imply output shape %s, node has %s", axes, node, want, node.Shape())
	}
	return axes, nil
}

// dotGeneralShape is the output shape of DotGeneral(lhs, rhs) with the given
// axes: batch dimensions, then lhs cross dimensions, then rhs cross dimensions.
func dotGeneralShape(lhs, rhs shapes.Shape, axes dotAxes) shapes.Shape {
	var dims []int
	for _, axis := range axes.lhsBatch {
		dims = append(dims, lhs.Dimensions[axis])
	}
	for _, axis := range crossAxes(lhs.Rank(), axes.lhsContracting, axes.lhsBatch) {
		dims = append(dims, lhs.Dimensions[axis])
	}
	for _, axis := range crossAxes(rhs.Rank(), axes.rhsContracting, axes.rhsBatch) {
		dims = append(dims, rhs.Dimensions[axis])
	}
	return shapes.Make(lhs.DType, dims...)
}

// crossAxes lists, in increasing order, the axes of a rank-`rank` operand
// that are neither contracting nor batch: DotGeneral crosses them.
func crossAxes(rank int, contracting, batch []int) []int {
	var cross []int
	for axis := range rank {
		if !slices.Contains(contracting, axis) && !slices.Contains(batch, axis) {
			cross = append(cross, axis)
		}
	}
	return cross
}

// axisRange returns [start, start+1, …, start+n-1].
func axisRange(start, n int) []int {
	axes := make([]int, n)
	for i := range axes {
		axes[i] = start + i
	}
	return axes
}

// gradients returns the gradients of DotGeneral(lhs, rhs) (with the given
// axes) with respect to lhs and rhs, given v, the gradient with respect to its
// output.
func gradients(lhs, rhs *graph.Node, axes dotAxes, v *graph.Node) (dLhs, dRhs *graph.Node) {
	lhsCross := crossAxes(lhs.Rank(), axes.lhsContracting, axes.lhsBatch)
	rhsCross := crossAxes(rhs.Rank(), axes.rhsContracting, axes.rhsBatch)
	numBatch := len(axes.lhsBatch)
	// v's axes: batch, then lhs cross, then rhs cross.
	vBatch := axisRange(0, numBatch)
	vLhsCross := axisRange(numBatch, len(lhsCross))
	vRhsCross := axisRange(numBatch+len(lhsCross), len(rhsCross))

	dLhs = operandGradient(
		operandAxes{rank: lhs.Rank(), batch: axes.lhsBatch, contracting: axes.lhsContracting, cross: lhsCross},
		v, vBatch, vRhsCross,
		rhs, operandAxes{rank: rhs.Rank(), batch: axes.rhsBatch, contracting: axes.rhsContracting, cross: rhsCross})
	dRhs = operandGradient(
		operandAxes{rank: rhs.Rank(), batch: axes.rhsBatch, contracting: axes.rhsContracting, cross: rhsCross},
		v, vBatch, vLhsCross,
		lhs, operandAxes{rank: lhs.Rank(), batch: axes.lhsBatch, contracting: axes.lhsContracting, cross: lhsCross})
	return dLhs, dRhs
}

// operandAxes are the axis roles of one DotGeneral operand.
type operandAxes struct {
	rank                      int
	batch, contracting, cross []int
}

// operandGradient computes the gradient for one DotGeneral operand ("this"):
// v contracted with the other operand over the other operand's cross axes
// (which appear in v as vOtherCross), batch axes aligned. The result holds
// this operand's batch axes, its cross axes (from v) and, from the other
// operand, the partners of its contracting axes; it is transposed into this
// operand's axis order. Of the two operand orders of the DotGeneral, the one
// whose result needs no transpose is preferred.
func operandGradient(this operandAxes, v *graph.Node, vBatch, vOtherCross []int, other *graph.Node, otherAxes operandAxes) *graph.Node {
	numBatch, numCross := len(this.batch), len(this.cross)
	// The other operand's axes left after the contraction, in increasing order:
	// exactly its contracting axes, each the partner of one of this operand's.
	otherLeft := slices.Sorted(slices.Values(otherAxes.contracting))

	// positions[axis of this operand] = axis of the DotGeneral result holding
	// it, for a result laid out as [batch, first operand's left axes, second
	// operand's left axes].
	positions := func(vFirst bool) []int {
		vLeftStart, otherLeftStart := numBatch, numBatch+numCross
		if !vFirst {
			vLeftStart, otherLeftStart = numBatch+len(otherLeft), numBatch
		}
		perm := make([]int, this.rank)
		for i, axis := range this.batch {
			perm[axis] = i
		}
		for i, axis := range this.cross { // v holds this operand's cross axes in increasing order.
			perm[axis] = vLeftStart + i
		}
		for i, axis := range this.contracting {
			partner := otherAxes.contracting[i]
			perm[axis] = otherLeftStart + slices.Index(otherLeft, partner)
		}
		return perm
	}

	vFirst := true
	perm := positions(true)
	if !isIdentity(perm) {
		if alt := positions(false); isIdentity(alt) {
			vFirst, perm = false, alt
		}
	}
	var product *graph.Node
	if vFirst {
		product = graph.DotGeneral(v, vOtherCross, vBatch, other, otherAxes.cross, otherAxes.batch)
	} else {
		product = graph.DotGeneral(other, otherAxes.cross, otherAxes.batch, v, vOtherCross, vBatch)
	}
	if isIdentity(perm) {
		return product
	}
	return graph.TransposeAllAxes(product, perm...)
}

// isIdentity reports whether perm[i] == i for all i.
func isIdentity(perm []int) bool {
	for i, p := range perm {
		if i != p {
			return false
		}
	}
	return true
}
