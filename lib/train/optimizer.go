package train

import (
	"errors"
	"math"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph code reads best with dot import
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// LinearSchedule is the learning rate of Hugging Face's
// get_linear_schedule_with_warmup (and of TF create_optimizer with
// PolynomialDecay power 1): it rises linearly from 0 to Peak over
// WarmupSteps, then falls linearly to 0 at TotalSteps.
type LinearSchedule struct {
	Peak        float64
	WarmupSteps int
	TotalSteps  int
}

// NewLinearSchedule sizes the warmup as ceil(warmupRatio·totalSteps), like
// transformers' TrainingArguments.get_warmup_steps.
func NewLinearSchedule(peak, warmupRatio float64, totalSteps int) LinearSchedule {
	return LinearSchedule{Peak: peak, WarmupSteps: int(math.Ceil(warmupRatio * float64(totalSteps))), TotalSteps: totalSteps}
}

// At is the learning rate used by the optimisation step with 0-based index step.
func (s LinearSchedule) At(step int) float64 {
	if step < s.WarmupSteps {
		return s.Peak * float64(step) / float64(max(1, s.WarmupSteps))
	}
	return s.Peak * max(0, float64(s.TotalSteps-step)/float64(max(1, s.TotalSteps-s.WarmupSteps)))
}

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter), exactly as
// torch.optim.AdamW computes it, with global-norm gradient clipping first
// (torch.nn.utils.clip_grad_norm_) and weight decay applied only to the
// variables Decays selects.
type AdamW struct {
	Beta1, Beta2, Epsilon float64
	WeightDecay           float64
	// MaxGradNorm clips the global L2 norm of all gradients; 0 disables it.
	MaxGradNorm float64
	// Decays says which variables get weight decay; nil means DecaysWeight.
	Decays func(v *context.Variable) bool
}

// NewAdamW returns the optimizer a TrainingConfig describes.
func NewAdamW(t TrainingConfig) AdamW {
	return AdamW{Beta1: t.Beta1, Beta2: t.Beta2, Epsilon: t.Epsilon, WeightDecay: t.WeightDecay, MaxGradNorm: t.MaxGradNorm}
}

// DecaysWeight is the default decay mask, the one BERT fine-tuning uses
// (transformers' no_decay = ["bias", "LayerNorm.weight"]): matrices are
// decayed; biases, LayerNorm gains/offsets and any other vector or scalar are not.
func DecaysWeight(v *context.Variable) bool {
	if v.Shape().Rank() < 2 {
		return false
	}
	path := strings.ToLower(v.Scope() + "/" + v.Name())
	for _, skip := range []string{"bias", "layernorm", "layer_norm", "layer_normalization"} {
		if strings.Contains(path, skip) {
			return false
		}
	}
	return true
}

// optimizerScope holds the optimizer's own (non-trainable) variables.
const optimizerScope = "/optimizer"

// stepVariableName is the number of optimisation steps taken so far.
const stepVariableName = "step"

// trainableVariables lists, in the context's deterministic order, the
// trainable floating-point variables used by g.
func trainableVariables(ctx *context.Context, g *Graph) []*context.Variable {
	var vars []*context.Variable
	for v := range ctx.IterVariables() {
		if v.Trainable && v.DType().IsFloat() && v.InUseByGraph(g) && !strings.HasPrefix(v.Scope(), optimizerScope) {
			vars = append(vars, v)
		}
	}
	return vars
}

// stepVariable returns the optimizer's step counter (int64, starts at 0).
func stepVariable(ctx *context.Context) *context.Variable {
	return ctx.InAbsPath(optimizerScope).Checked(false).
		VariableWithValue(stepVariableName, int64(0)).SetTrainable(false)
}

// Update adds to loss's graph one AdamW step over every trainable variable
// the graph uses, at learning rate lr (a scalar node), and returns the
// global gradient norm measured before clipping.
func (o AdamW) Update(ctx *context.Context, loss, lr *Node) (gradNorm *Node) {
	g := loss.Graph()
	vars := trainableVariables(ctx, g)
	if len(vars) == 0 {
		panic(errors.New("train: the loss uses no trainable variables"))
	}
	values := make([]*Node, len(vars))
	for i, v := range vars {
		values[i] = v.ValueGraph(g)
	}
	grads := Gradient(loss, values...)
	gradNorm = GlobalNorm(grads)
	if o.MaxGradNorm > 0 {
		grads = ClipByGlobalNorm(grads, gradNorm, o.MaxGradNorm)
	}

	stepVar := stepVariable(ctx)
	step := AddScalar(stepVar.ValueGraph(g), 1)
	stepVar.SetValueGraph(step)

	decays := o.Decays
	if decays == nil {
		decays = DecaysWeight
	}
	moments := ctx.InAbsPath(optimizerScope).Checked(false)
	for i, v := range vars {
		dtype := v.DType()
		t := ConvertDType(step, dtype)
		lrT := ConvertDType(lr, dtype)
		beta1, beta2 := Scalar(g, dtype, o.Beta1), Scalar(g, dtype, o.Beta2)
		mVar := moments.In("m").VariableWithValue(momentName(v), tensors.FromShape(v.Shape())).SetTrainable(false)
		vVar := moments.In("v").VariableWithValue(momentName(v), tensors.FromShape(v.Shape())).SetTrainable(false)

		grad := grads[i]
		m := Add(MulScalar(mVar.ValueGraph(g), o.Beta1), MulScalar(grad, 1-o.Beta1))
		s := Add(MulScalar(vVar.ValueGraph(g), o.Beta2), MulScalar(Square(grad), 1-o.Beta2))
		mVar.SetValueGraph(m)
		vVar.SetValueGraph(s)

		biasCorrection1 := OneMinus(Pow(beta1, t))
		biasCorrection2 := OneMinus(Pow(beta2, t))
		stepSize := Div(lrT, biasCorrection1)
		denom := AddScalar(Div(Sqrt(s), Sqrt(biasCorrection2)), o.Epsilon)

		param := values[i]
		if o.WeightDecay > 0 && decays(v) {
			param = Mul(param, OneMinus(MulScalar(lrT, o.WeightDecay)))
		}
		param = Sub(param, Mul(stepSize, Div(m, denom)))
		v.SetValueGraph(param)
	}
	return gradNorm
}

// momentName flattens a variable's scope and name into one moment variable name.
func momentName(v *context.Variable) string {
	return strings.ReplaceAll(strings.TrimPrefix(v.ScopeAndName(), "/"), "/", "|")
}

// GlobalNorm is the L2 norm of all values together, accumulated in float32
// (or the values' dtype if wider).
func GlobalNorm(values []*Node) *Node {
	g := values[0].Graph()
	total := ScalarZero(g, dtypes.Float32)
	for _, x := range values {
		total = Add(total, ConvertDType(ReduceAllSum(Square(x)), dtypes.Float32))
	}
	return Sqrt(total)
}

// ClipByGlobalNorm scales values by min(1, maxNorm/(norm+1e-6)), as
// torch.nn.utils.clip_grad_norm_ does, where norm is their GlobalNorm.
func ClipByGlobalNorm(values []*Node, norm *Node, maxNorm float64) []*Node {
	coef := Min(ScalarOne(norm.Graph(), norm.DType()),
		Div(Scalar(norm.Graph(), norm.DType(), maxNorm), AddScalar(norm, 1e-6)))
	clipped := make([]*Node, len(values))
	for i, x := range values {
		clipped[i] = Mul(x, ConvertDType(coef, x.DType()))
	}
	return clipped
}
