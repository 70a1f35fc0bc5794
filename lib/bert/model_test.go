package bert

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/compute"
)

// smallConfig is a fast config for unit tests: 2 layers, hidden 32, 4 heads.
func smallConfig() *Config {
	c := Tiny()
	c.VocabSize, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize, c.MaxPositionEmbeddings = 100, 32, 4, 64, 16
	return c
}

// logitsOf runs ClassifierLogits (inference mode) on ctx for the given batch.
func logitsOf(t *testing.T, ctx *context.Context, cfg *Config, ids, mask, types [][]int32) [][]float32 {
	t.Helper()
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	out, err := context.ExecOnce(backend, ctx, func(ctx *context.Context, ids, mask, types *graph.Node) *graph.Node {
		return ClassifierLogits(ctx, cfg, ids, mask, types)
	}, ids, mask, types)
	if err != nil {
		t.Fatal(err)
	}
	return out.Value().([][]float32)
}

func TestNumParamsBertBase(t *testing.T) {
	if got := NumParams(BaseUncased()); got != 109_483_778 {
		t.Fatalf("bert-base-uncased + 2 labels has %d params, want 109,483,778", got)
	}
}

func TestClassifierLogitsShapeAndPaddingInvariance(t *testing.T) {
	cfg := smallConfig()
	ctx := context.New()
	ids := [][]int32{{1, 5, 7, 2, 0, 0}, {1, 9, 2, 0, 0, 0}}
	mask := [][]int32{{1, 1, 1, 1, 0, 0}, {1, 1, 1, 0, 0, 0}}
	types := [][]int32{{0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}}
	padded := logitsOf(t, ctx, cfg, ids, mask, types)
	if len(padded) != 2 || len(padded[0]) != cfg.NumLabels() {
		t.Fatalf("logits shape [%d][%d], want [2][%d]", len(padded), len(padded[0]), cfg.NumLabels())
	}
	// Padding must not change the result: rerun the first example unpadded.
	short := logitsOf(t, ctx, cfg, [][]int32{{1, 5, 7, 2}}, [][]int32{{1, 1, 1, 1}}, [][]int32{{0, 0, 0, 0}})
	for j := range short[0] {
		if d := math.Abs(float64(short[0][j] - padded[0][j])); d > 1e-5 {
			t.Fatalf("padding changed logit %d by %g: %v vs %v", j, d, short[0], padded[0])
		}
	}
}

func TestGradientsBuildOnGoBackend(t *testing.T) {
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	cfg := smallConfig()
	ctx := context.New()
	ids := [][]int32{{1, 5, 7, 2}, {1, 9, 2, 0}}
	mask := [][]int32{{1, 1, 1, 1}, {1, 1, 1, 0}}
	out, err := context.ExecOnceN(backend, ctx, func(ctx *context.Context, ids, mask *graph.Node) []*graph.Node {
		ctx.SetTraining(ids.Graph(), true)
		loss := graph.ReduceAllSum(graph.Square(ClassifierLogits(ctx, cfg, ids, mask, nil)))
		grads := ctx.BuildTrainableVariablesGradientsGraph(loss)
		return []*graph.Node{loss, graph.ReduceAllSum(graph.Abs(grads[0]))}
	}, ids, mask)
	if err != nil {
		t.Fatal(err)
	}
	if g := out[1].Value().(float32); !(g > 0) || math.IsInf(float64(g), 0) {
		t.Fatalf("sum |gradient| of the first variable = %v, want finite and positive", g)
	}
}

func TestDropoutOnlyWhileTraining(t *testing.T) {
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	cfg := smallConfig()
	m, err := New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	ids, mask, types := [][]int32{{1, 5, 7, 2}}, [][]int32{{1, 1, 1, 1}}, [][]int32{{0, 0, 0, 0}}
	run := func(training bool) []float32 {
		out, err := context.ExecOnce(backend, m.Context, func(ctx *context.Context, ids, mask, types *graph.Node) *graph.Node {
			ctx.SetTraining(ids.Graph(), training)
			return ClassifierLogits(ctx, cfg, ids, mask, types)
		}, ids, mask, types)
		if err != nil {
			t.Fatal(err)
		}
		return out.Value().([][]float32)[0]
	}
	eval := logitsOf(t, m.Context, cfg, ids, mask, types)[0]
	if e := run(false); e[0] != eval[0] || e[1] != eval[1] {
		t.Fatalf("inference logits differ between runs: %v vs %v", e, eval)
	}
	differs := false
	for range 3 {
		if tr := run(true); tr[0] != eval[0] || tr[1] != eval[1] {
			differs = true
		}
	}
	if !differs {
		t.Fatal("training-mode logits always equal inference logits: dropout is not applied")
	}
}
