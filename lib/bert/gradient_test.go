package bert

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/dotgrad"
)

// crossEntropy is the mean softmax cross-entropy of logits [batch, classes]
// against int32 labels [batch], as torch.nn.functional.cross_entropy.
func crossEntropy(logits, labels *graph.Node) *graph.Node {
	oneHot := graph.OneHot(labels, logits.Shape().Dimensions[1], dtypes.Float32)
	return graph.Neg(graph.ReduceAllMean(graph.ReduceSum(graph.Mul(oneHot, graph.LogSoftmax(logits, -1)), -1)))
}

// lossAndGradients evaluates the loss on the golden batch and the gradient of
// every model weight, keyed by Hugging Face name.
func lossAndGradients(t *testing.T, m *Model, g *golden) (float64, map[string][]float32) {
	t.Helper()
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	params := Parameters(m.Config)
	out, err := context.ExecOnceN(backend, m.Context, func(ctx *context.Context, ids, mask, types, labels *graph.Node) []*graph.Node {
		loss := crossEntropy(ClassifierLogits(ctx, m.Config, ids, mask, types), labels)
		b := newBuilder(ctx, m.Config, ids.Graph())
		nodes := make([]*graph.Node, len(params))
		for i, p := range params {
			nodes[i] = b.weight(p.Name)
		}
		return append([]*graph.Node{loss}, graph.Gradient(loss, nodes...)...)
	}, g.IDs, g.Mask, g.TypeIDs, g.Labels)
	if err != nil {
		t.Fatal(err)
	}
	grads := map[string][]float32{}
	for i, p := range params {
		grads[p.Name] = tensors.MustCopyFlatData[float32](out[i+1])
	}
	return float64(out[0].Value().(float32)), grads
}

func TestGradientsMatchTorchAutograd(t *testing.T) {
	if !dotgrad.Installed() {
		t.Fatal("lib/dotgrad's DotGeneral gradients are not installed")
	}
	for _, name := range []string{"hub-f32", "distil-f32"} {
		t.Run(name, func(t *testing.T) { checkGradients(t, name) })
	}
}

// checkGradients compares the loss gradient of every weight of checkpoint
// name with torch autograd's.
func checkGradients(t *testing.T, name string) {
	m, g := goldenCheckpoint(t, name)
	loss, grads := lossAndGradients(t, m, g)
	if d := math.Abs(loss - g.Loss); d > 1e-5 {
		t.Fatalf("loss %v, torch %v", loss, g.Loss)
	}
	worst, worstName := 0.0, ""
	for _, p := range Parameters(m.Config) {
		want := g.Gradients[p.Name]
		got := grads[p.Name]
		if len(want) != len(got) {
			t.Fatalf("%s: %d gradient values, torch has %d", p.Name, len(got), len(want))
		}
		for i := range want {
			// Relative to the gradient's scale, absolute near zero.
			if d := math.Abs(float64(got[i])-want[i]) / max(1, math.Abs(want[i])); d > worst {
				worst, worstName = d, p.Name
			}
		}
	}
	t.Logf("worst gradient difference vs torch autograd: %.2g (%s)", worst, worstName)
	if worst > 1e-4 {
		t.Fatalf("gradient of %s differs from torch autograd by %.3g, want ≤ 1e-4", worstName, worst)
	}
}

func TestGradientsMatchFiniteDifferences(t *testing.T) {
	m, g := goldenCheckpoint(t, "hub-f32")
	_, grads := lossAndGradients(t, m, g)
	backend, _ := compute.Backend()
	lossExec, err := context.NewExec(backend, m.Context, func(ctx *context.Context, ids, mask, types, labels *graph.Node) *graph.Node {
		return crossEntropy(ClassifierLogits(ctx, m.Config, ids, mask, types), labels)
	})
	if err != nil {
		t.Fatal(err)
	}
	lossAt := func() float64 {
		out, err := lossExec.Exec(g.IDs, g.Mask, g.TypeIDs, g.Labels)
		if err != nil {
			t.Fatal(err)
		}
		return float64(out[0].Value().(float32))
	}
	// One entry in each kind of weight, from the embeddings to the classifier.
	probes := []struct {
		name  string
		index int
	}{
		{"bert.embeddings.word_embeddings.weight", int(g.IDs[0][3])*32 + 5},
		{"bert.embeddings.position_embeddings.weight", 2*32 + 7},
		{"bert.embeddings.token_type_embeddings.weight", 32 + 1},
		{"bert.embeddings.LayerNorm.weight", 4},
		{"bert.encoder.layer.0.attention.self.query.weight", 3*32 + 9},
		{"bert.encoder.layer.0.attention.self.query.bias", 6}, // (key biases cancel in softmax: zero gradient)
		{"bert.encoder.layer.0.attention.self.value.weight", 17},
		{"bert.encoder.layer.1.attention.output.dense.weight", 100},
		{"bert.encoder.layer.1.intermediate.dense.weight", 500},
		{"bert.encoder.layer.1.output.dense.bias", 11},
		{"bert.encoder.layer.1.output.LayerNorm.bias", 20},
		{"bert.pooler.dense.weight", 33},
		{"classifier.weight", 40},
	}
	const h = 1e-2
	b := newBuilder(m.Context, m.Config, nil)
	for _, p := range probes {
		v := b.modelVariable(p.name)
		orig := v.MustValue()
		dims := orig.Shape().Dimensions
		values := tensors.MustCopyFlatData[float32](orig)
		at := func(delta float32) float64 {
			shifted := append([]float32(nil), values...)
			shifted[p.index] += delta
			v.MustSetValue(tensors.FromFlatDataAndDimensions(shifted, dims...))
			return lossAt()
		}
		fd := (at(h) - at(-h)) / (2 * h)
		v.MustSetValue(tensors.FromFlatDataAndDimensions(values, dims...))
		analytic := float64(grads[p.name][p.index])
		t.Logf("%s[%d]: gradient %.6g, finite difference %.6g", p.name, p.index, analytic, fd)
		if math.Abs(fd-analytic) > 3e-5+1e-2*math.Abs(analytic) {
			t.Errorf("%s[%d]: gradient %.6g, finite difference %.6g", p.name, p.index, analytic, fd)
		}
	}
}
