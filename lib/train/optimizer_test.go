package train

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/compute"
)

func TestLinearScheduleValues(t *testing.T) {
	s := NewLinearSchedule(1e-3, 0.06, 1000) // warmup ceil(60) = 60 steps
	if s.WarmupSteps != 60 {
		t.Fatalf("warmup steps = %d, want 60", s.WarmupSteps)
	}
	for _, c := range []struct {
		step int
		want float64
	}{
		{0, 0}, {30, 5e-4}, {59, 1e-3 * 59 / 60}, {60, 1e-3}, {530, 5e-4}, {999, 1e-3 / 940}, {1000, 0}, {1200, 0},
	} {
		if got := s.At(c.step); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("At(%d) = %g, want %g", c.step, got, c.want)
		}
	}
	// The seed recipe: no warmup, linear decay from the first step.
	seed := NewLinearSchedule(1e-6, 0, 4375)
	if seed.At(0) != 1e-6 || math.Abs(seed.At(4374)-1e-6/4375) > 1e-20 {
		t.Errorf("seed schedule: At(0) = %g, At(4374) = %g", seed.At(0), seed.At(4374))
	}
}

func TestDecaysWeightSkipsBiasesAndLayerNorm(t *testing.T) {
	ctx := context.New()
	make := func(scope, name string, dims ...int) *context.Variable {
		return ctx.InAbsPath(scope).VariableWithShape(name, shapes.Make(dtypes.Float32, dims...))
	}
	for _, c := range []struct {
		v    *context.Variable
		want bool
	}{
		{make("/bert/encoder/layer_0/attention/self/query", "weight", 128, 128), true},
		{make("/bert/encoder/layer_0/attention/self/query", "bias", 128), false},
		{make("/bert/embeddings/word_embeddings", "weight", 30522, 128), true},
		{make("/bert/embeddings/LayerNorm", "weight", 128), false},
		{make("/bert/embeddings/LayerNorm", "bias", 128), false},
		{make("/dense", "weights", 16, 2), true},
		{make("/dense", "biases", 2), false},
		{make("/layer_normalization", "gain", 16), false},
		{make("/classifier/bias_like_matrix", "kernel", 2, 2), false}, // named bias → conservative
	} {
		if got := DecaysWeight(c.v); got != c.want {
			t.Errorf("DecaysWeight(%s) = %v, want %v", c.v.ScopeAndName(), got, c.want)
		}
	}
}

func TestWeightDecayTouchesOnlyMatrices(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", testBackend)
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	w := ctx.In("dense").VariableWithValue("weights", [][]float32{{1, 2}, {3, 4}})
	b := ctx.In("dense").VariableWithValue("biases", []float32{1, 2})
	ln := ctx.In("LayerNorm").VariableWithValue("gain", []float32{1, 1})
	opt := AdamW{Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, WeightDecay: 0.5}
	// A loss with zero gradient: only the decay can move the weights.
	_, err = context.ExecOnceN(backend, ctx, func(ctx *context.Context, g *Graph) []*Node {
		zero := MulScalar(Add(ReduceAllSum(w.ValueGraph(g)), Add(ReduceAllSum(b.ValueGraph(g)), ReduceAllSum(ln.ValueGraph(g)))), 0)
		return []*Node{opt.Update(ctx, zero, Scalar(g, dtypes.Float32, 0.1))}
	})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "weights", tensors.MustCopyFlatData[float32](w.MustValue()), []float64{0.95, 1.9, 2.85, 3.8}, 1e-6)
	assertClose(t, "biases", tensors.MustCopyFlatData[float32](b.MustValue()), []float64{1, 2}, 0)
	assertClose(t, "LayerNorm gain", tensors.MustCopyFlatData[float32](ln.MustValue()), []float64{1, 1}, 0)
}

func TestClipByGlobalNorm(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", testBackend)
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		maxNorm float64
		scale   float64
	}{{1, 1 / (13 + 1e-6)}, {26, 1}} {
		exec, err := NewExec(backend, func(a, b *Node) []*Node {
			norm := GlobalNorm([]*Node{a, b})
			clipped := ClipByGlobalNorm([]*Node{a, b}, norm, c.maxNorm)
			return []*Node{norm, clipped[0], clipped[1]}
		})
		if err != nil {
			t.Fatal(err)
		}
		outs, err := exec.Exec([]float32{3, 4}, [][]float32{{12}})
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "norm", []float32{tensors.ToScalar[float32](outs[0])}, []float64{13}, 1e-6)
		assertClose(t, "clipped a", tensors.MustCopyFlatData[float32](outs[1]), []float64{3 * c.scale, 4 * c.scale}, 1e-6)
		assertClose(t, "clipped b", tensors.MustCopyFlatData[float32](outs[2]), []float64{12 * c.scale}, 1e-6)
	}
}

// TestAdamWMatchesTorch replays scripts/golden/train_adamw.py: four steps of
// torch.optim.AdamW with param-group decay, the linear warmup/decay schedule
// and clip_grad_norm_, on a loss whose gradient changes every step.
func TestAdamWMatchesTorch(t *testing.T) {
	var golden struct {
		PeakLR      float64 `json:"peak_lr"`
		WarmupSteps int     `json:"warmup_steps"`
		TotalSteps  int     `json:"total_steps"`
		WeightDecay float64 `json:"weight_decay"`
		MaxGradNorm float64 `json:"max_grad_norm"`
		LRs         []float64
		GradNorms   []float64 `json:"grad_norms"`
		Params      map[string]struct {
			Shape                  []int
			Init, Coef, Lin, Final []float64
		}
	}
	data, err := os.ReadFile("testdata/adamw.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMLX_BACKEND", testBackend)
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	scopes := map[string][2]string{"weight": {"/", "weight"}, "bias": {"/", "bias"}, "LayerNorm.weight": {"/LayerNorm", "weight"}}
	vars := map[string]*context.Variable{}
	for name, p := range golden.Params {
		vars[name] = ctx.InAbsPath(scopes[name][0]).VariableWithValue(scopes[name][1], toTensor(p.Init, p.Shape))
	}
	opt := AdamW{Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, WeightDecay: golden.WeightDecay, MaxGradNorm: golden.MaxGradNorm}
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, lr *Node) *Node {
		g := lr.Graph()
		loss := ScalarZero(g, dtypes.Float32)
		for name, p := range golden.Params {
			x := vars[name].ValueGraph(g)
			c := Const(g, toTensor(p.Coef, p.Shape))
			l := Const(g, toTensor(p.Lin, p.Shape))
			loss = Add(loss, ReduceAllSum(Add(MulScalar(Mul(c, Square(x)), 0.5), Mul(l, x))))
		}
		return opt.Update(ctx, loss, lr)
	})
	if err != nil {
		t.Fatal(err)
	}
	schedule := LinearSchedule{Peak: golden.PeakLR, WarmupSteps: golden.WarmupSteps, TotalSteps: golden.TotalSteps}
	for step := range golden.TotalSteps {
		lr := schedule.At(step)
		if math.Abs(lr-golden.LRs[step]) > 1e-15 {
			t.Errorf("lr at step %d = %g, torch %g", step, lr, golden.LRs[step])
		}
		norm, err := exec.Exec(float32(lr))
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "grad norm", []float32{tensors.ToScalar[float32](norm[0])}, golden.GradNorms[step:step+1], 1e-5)
	}
	for name, p := range golden.Params {
		assertClose(t, name, tensors.MustCopyFlatData[float32](vars[name].MustValue()), p.Final, 2e-6)
	}
}

func toTensor(values []float64, shape []int) *tensors.Tensor {
	f := make([]float32, len(values))
	for i, v := range values {
		f[i] = float32(v)
	}
	return tensors.FromFlatDataAndDimensions(f, shape...)
}

func assertClose(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); d > tol*max(1, math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.8g, want %.8g (diff %.2g)", what, i, got[i], want[i], d)
		}
	}
}
