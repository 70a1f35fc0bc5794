package bert

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func TestParseComputeDType(t *testing.T) {
	for name, want := range map[string]dtypes.DType{
		"float32": dtypes.Float32, "fp32": dtypes.Float32, "F32": dtypes.Float32,
		"bfloat16": dtypes.BFloat16, "bf16": dtypes.BFloat16, " BF16 ": dtypes.BFloat16,
	} {
		if got, err := ParseComputeDType(name); err != nil || got != want {
			t.Errorf("ParseComputeDType(%q) = %s, %v; want %s", name, got, err, want)
		}
	}
	for _, bad := range []string{"float16", "fp16", "int8", ""} {
		if _, err := ParseComputeDType(bad); err == nil || !strings.Contains(err.Error(), "use float32 or bfloat16") {
			t.Errorf("ParseComputeDType(%q) error = %v, want one naming float32 and bfloat16", bad, err)
		}
	}
}

// TestBFloat16LogitsMatchReference runs the three torch-checked checkpoints
// with ParamComputeDType=bfloat16. GoMLX's pure-Go backend rounds to bfloat16
// toward zero, so its logits must match the reference that rounds the same
// way, op by op, closely (a policy difference — one op kept in another dtype
// — moves them by several times the tolerance); the reference that rounds to
// nearest, as XLA does on GPUs, shows the accuracy to expect there.
func TestBFloat16LogitsMatchReference(t *testing.T) {
	for _, name := range goldenNames {
		t.Run(name, func(t *testing.T) {
			m, g := goldenCheckpoint(t, name)
			f32 := logitsOf(t, m.Context, m.Config, g.IDs, g.Mask, g.TypeIDs)
			m.Context.SetParam(ParamComputeDType, "bfloat16")
			got := logitsOf(t, m.Context, m.Config, g.IDs, g.Mask, g.TypeIDs) // [][]float32: logits stay float32
			d := maxAbsDiff(t, got, g.LogitsBF16Truncate)
			t.Logf("max |Δlogit|: vs the truncating bfloat16 reference %.2g; vs float32 %.2g "+
				"(the round-to-nearest reference is %.2g from float32)",
				d, maxAbsDiff(t, got, g.Logits), maxAbsDiff(t, convert[float32](g.LogitsBF16Nearest), g.Logits))
			if d > 0.01 {
				t.Errorf("bfloat16 logits differ from the reference by %.3g, want ≤ 0.01\ngot  %v\nwant %v", d, got, g.LogitsBF16Truncate)
			}
			if maxAbsDiff(t, f32, convert[float64](got)) == 0 {
				t.Error("bfloat16 logits are bit-identical to float32 ones: the compute dtype was not applied")
			}
		})
	}
}

// TestBFloat16GradientsStayFloat32AndClose checks mixed-precision training
// inputs: the loss and the gradient of every weight stay close to torch's
// float32 autograd, and the variables (master weights) stay float32.
func TestBFloat16GradientsStayFloat32AndClose(t *testing.T) {
	m, g := goldenCheckpoint(t, "hub-f32")
	m.Context.SetParam(ParamComputeDType, "bfloat16")
	loss, grads := lossAndGradients(t, m, g) // the gradients come back as float32
	if rel := math.Abs(loss-g.Loss) / g.Loss; rel > 0.02 {
		t.Errorf("bfloat16 loss %v vs torch float32 %v: relative difference %.3g, want ≤ 2%%", loss, g.Loss, rel)
	}
	worst, worstName := 1.0, ""
	for _, p := range Parameters(m.Config) {
		if strings.HasSuffix(p.Name, "attention.self.key.bias") {
			continue // softmax ignores a per-query constant: its true gradient is 0 (torch: ~1e-8 of noise)
		}
		if c := cosine(grads[p.Name], g.Gradients[p.Name]); c < worst {
			worst, worstName = c, p.Name
		}
	}
	t.Logf("lowest gradient cosine similarity vs torch float32 autograd: %.5f (%s)", worst, worstName)
	if worst < 0.99 {
		t.Errorf("bfloat16 gradient of %s has cosine similarity %.4f with torch's float32 one, want ≥ 0.99", worstName, worst)
	}
	m.Context.EnumerateVariables(func(v *context.Variable) {
		if v.DType() != dtypes.Float32 {
			t.Errorf("variable %s is %s after a bfloat16 run; master weights must stay float32", v.ScopeAndName(), v.DType())
		}
	})
}

// cosine is the cosine similarity of two vectors.
func cosine(a []float32, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * b[i]
		aa += float64(a[i]) * float64(a[i])
		bb += b[i] * b[i]
	}
	return ab / math.Sqrt(aa*bb)
}

// convert returns a copy of the matrix m in another float type.
func convert[To, From float32 | float64](m [][]From) [][]To {
	out := make([][]To, len(m))
	for i, row := range m {
		out[i] = make([]To, len(row))
		for j, v := range row {
			out[i][j] = To(v)
		}
	}
	return out
}
