package bert

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"

	// Training graphs need the fast DotGeneral gradients (two DotGenerals
	// instead of GoMLX's materialised broadcast product).
	_ "github.com/polarityml/polarity/lib/dotgrad"
)

// ParamComputeDType is the context parameter naming the dtype the model
// computes in: "float32" (the default) or "bfloat16" (see ParseComputeDType for
// the accepted spellings). With "bfloat16" the model runs mixed precision the
// way torch.autocast does on GPUs: the variables stay float32 (master weights:
// gradients and optimizer moments stay float32 too) and are cast to bfloat16
// where they are used; matrix products, GELU and the residual sums run in
// bfloat16, while the embedding sums, every LayerNorm, the attention softmax
// with its mask bias, and the returned logits stay float32. bfloat16 has
// float32's exponent range, so no loss scaling is needed. It pays on GPUs
// (tensor cores, half the activation memory); GoMLX's pure-Go backend has no
// fast bfloat16 kernels and is slower with it. Set it with
// ctx.SetParam(ParamComputeDType, "bfloat16") before building the graph.
const ParamComputeDType = "bert_compute_dtype"

// ParseComputeDType maps a compute dtype name to its dtype: "float32" (also
// "fp32", "f32") or "bfloat16" (also "bf16").
func ParseComputeDType(name string) (dtypes.DType, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "float32", "fp32", "f32":
		return dtypes.Float32, nil
	case "bfloat16", "bf16":
		return dtypes.BFloat16, nil
	}
	return dtypes.InvalidDType, fmt.Errorf("compute dtype %q is not supported: use float32 or bfloat16 (bf16)", name)
}

// ClassifierLogits is BertForSequenceClassification's forward pass (or
// DistilBertForSequenceClassification's, for a DistilBERT cfg): it returns
// float32 logits [batch, num_labels] for token ids, attention mask (1 = real
// token, 0 = padding) and token type ids, each [batch, seqLen] of any integer
// dtype (typeIDs may be nil: all zeros; DistilBERT ignores them). Variables
// live in ctx under their Hugging Face names (scope
// "bert/encoder/layer/0/attention/self/query", variable "weight"); missing
// ones are created with transformers' initialisation. Dropout is applied only
// when ctx.IsTraining(graph).
func ClassifierLogits(ctx *context.Context, cfg *Config, ids, mask, typeIDs *Node) *Node {
	checkIDs(cfg, ids, mask)
	return ClassifierLogitsFromWordEmbeddings(ctx, cfg, WordEmbeddings(ctx, cfg, ids), mask, typeIDs)
}

// WordEmbeddings looks up the word-embedding rows of ids [batch, seqLen]:
// [batch, seqLen, hidden] float32. It is the first half of ClassifierLogits,
// split out so that attribution methods can differentiate the logits with
// respect to this node (see ClassifierLogitsFromWordEmbeddings).
func WordEmbeddings(ctx *context.Context, cfg *Config, ids *Node) *Node {
	b := newBuilder(ctx, cfg, ids.Graph())
	return Gather(b.weight(cfg.family().prefix+"embeddings.word_embeddings.weight"), InsertAxes(ids, -1))
}

// ClassifierLogitsFromWordEmbeddings is ClassifierLogits from the output of
// WordEmbeddings (words [batch, seqLen, hidden]) instead of token ids:
// ClassifierLogits(ids) = ClassifierLogitsFromWordEmbeddings(WordEmbeddings(ids)).
func ClassifierLogitsFromWordEmbeddings(ctx *context.Context, cfg *Config, words, mask, typeIDs *Node) *Node {
	pooled := pooledFromWordEmbeddings(ctx, cfg, words, mask, typeIDs)
	b := newBuilder(ctx, cfg, words.Graph())
	return ConvertDType(b.linear("classifier", b.dropout(pooled, cfg.classifierDropout())), dtypes.Float32)
}

// checkIDs panics (GoMLX's graph-building convention) on ids and mask that
// are not both [batch, seqLen].
func checkIDs(cfg *Config, ids, mask *Node) {
	if ids.Rank() != 2 || mask.Rank() != 2 || !ids.Shape().Equal(shapes.Make(ids.DType(), mask.Shape().Dimensions...)) {
		panic(fmt.Errorf("bert: ids %s and mask %s must both be [batch, seqLen]", ids.Shape(), mask.Shape()))
	}
}

// pooledFromWordEmbeddings is the base model's forward pass after the
// word-embedding lookup: the encoder, then the pooled first-token state
// [batch, hidden] (BERT's tanh pooler, DistilBERT's ReLU pre_classifier), in
// the compute dtype.
func pooledFromWordEmbeddings(ctx *context.Context, cfg *Config, words, mask, typeIDs *Node) *Node {
	if words.Rank() != 3 || mask.Rank() != 2 || words.Shape().Dimensions[0] != mask.Shape().Dimensions[0] ||
		words.Shape().Dimensions[1] != mask.Shape().Dimensions[1] || words.Shape().Dimensions[2] != cfg.HiddenSize {
		panic(fmt.Errorf("bert: word embeddings %s must be [batch, seqLen, hidden=%d] with mask %s [batch, seqLen]",
			words.Shape(), cfg.HiddenSize, mask.Shape()))
	}
	if seqLen := words.Shape().Dimensions[1]; seqLen > cfg.MaxPositionEmbeddings {
		panic(fmt.Errorf("bert: sequence length %d exceeds max_position_embeddings %d; truncate the input", seqLen, cfg.MaxPositionEmbeddings))
	}
	b := newBuilder(ctx, cfg, words.Graph())
	x := b.embeddings(words, typeIDs)
	attentionBias := maskBias(mask)
	for i := range cfg.NumHiddenLayers {
		x = b.block(i, x, attentionBias)
	}
	return b.pooler(x)
}

// builder builds the model graph: it holds the context, the config, the
// graph, the compute dtype and the parameter shapes by Hugging Face name.
type builder struct {
	ctx     *context.Context
	cfg     *Config
	f       *family
	g       *Graph
	compute dtypes.DType
	shapes  map[string][]int
}

func newBuilder(ctx *context.Context, cfg *Config, g *Graph) *builder {
	compute, err := ParseComputeDType(context.GetParamOr(ctx, ParamComputeDType, "float32"))
	if err != nil {
		panic(fmt.Errorf("bert: context parameter %s: %w", ParamComputeDType, err))
	}
	b := &builder{ctx: ctx, cfg: cfg, f: cfg.family(), g: g, compute: compute, shapes: make(map[string][]int)}
	for _, p := range Parameters(cfg) {
		b.shapes[p.Name] = p.Shape
	}
	return b
}

// embeddings adds position and (BERT only) token-type embeddings to the word
// embeddings [batch, seqLen, hidden] (in float32), then LayerNorm and dropout.
func (b *builder) embeddings(words, typeIDs *Node) *Node {
	g := b.g
	batch, seqLen := words.Shape().Dimensions[0], words.Shape().Dimensions[1]
	p := b.f.prefix + "embeddings."
	positions := Iota(g, shapes.Make(dtypes.Int32, seqLen, 1), 0)
	pos := Gather(b.weight(p+"position_embeddings.weight"), positions) // [seqLen, hidden]
	x := words
	if b.f.tokenTypes {
		if typeIDs == nil {
			typeIDs = Zeros(g, shapes.Make(dtypes.Int32, batch, seqLen))
		}
		x = Add(x, Gather(b.weight(p+"token_type_embeddings.weight"), InsertAxes(typeIDs, -1)))
	}
	x = Add(x, InsertAxes(pos, 0))
	x = b.layerNorm(p+"LayerNorm", x)
	return b.dropout(x, b.cfg.HiddenDropoutProb)
}

// maskBias turns the [batch, seqLen] attention mask into the additive bias
// [batch, 1, 1, seqLen] transformers uses: 0 for tokens, the lowest float32
// for padding.
func maskBias(mask *Node) *Node {
	m := ConvertDType(mask, dtypes.Float32)
	bias := MulScalar(OneMinus(m), -math.MaxFloat32)
	return InsertAxes(bias, 1, 1)
}

// block is transformer block i (BertLayer, DistilBERT's TransformerBlock):
// self-attention + residual LayerNorm, then the feed-forward block + residual
// LayerNorm.
func (b *builder) block(i int, x, attentionBias *Node) *Node {
	p, n := b.f.blockPrefix(i), b.f.block
	attended := b.selfAttention(p, x, attentionBias)
	x = b.layerNorm(p+n.attentionNorm, Add(attended, x))
	h := activation(b.cfg.HiddenAct, b.linear(p+n.ffnIn, x))
	h = b.dropout(b.linear(p+n.ffnOut, h), b.cfg.HiddenDropoutProb)
	return b.layerNorm(p+n.outputNorm, Add(h, x))
}

// selfAttention is block p's multi-head self-attention with its output
// projection (before the residual): softmax(QKᵀ/√d + maskBias)·V per head.
// Heads stay a separate axis throughout: projections produce [batch, seq,
// heads, headDim] directly and the output projection contracts (heads,
// headDim), so no transposes are needed.
func (b *builder) selfAttention(p string, x, attentionBias *Node) *Node {
	heads, headDim := b.cfg.NumAttentionHeads, b.cfg.HeadDim()
	n := b.f.block
	project := func(name string) *Node { // → [batch, seq, heads, headDim]
		w := Reshape(b.computeWeight(p+name+".weight"), heads, headDim, b.cfg.HiddenSize)
		bias := Reshape(b.computeWeight(p+name+".bias"), heads, headDim)
		return addTrailing(DotGeneral(x, []int{2}, nil, w, []int{2}, nil), bias)
	}
	q := MulScalar(project(n.query), 1/math.Sqrt(float64(headDim)))
	k, v := project(n.key), project(n.value)
	scores := DotGeneral(q, []int{3}, []int{0, 2}, k, []int{3}, []int{0, 2})       // [batch, heads, seqQ, seqK]
	probs := Softmax(Add(ConvertDType(scores, dtypes.Float32), attentionBias), -1) // float32: the bias is -MaxFloat32
	probs = ConvertDType(b.dropout(probs, b.cfg.AttentionProbsDropoutProb), b.compute)
	attended := DotGeneral(probs, []int{3}, []int{0, 1}, v, []int{1}, []int{0, 2}) // [batch, heads, seqQ, headDim]
	wo := Reshape(b.computeWeight(p+n.attentionOut+".weight"), b.cfg.HiddenSize, heads, headDim)
	out := DotGeneral(attended, []int{1, 3}, nil, wo, []int{1, 2}, nil) // [batch, seqQ, hidden]
	out = addTrailing(out, b.computeWeight(p+n.attentionOut+".bias"))
	if !b.f.attentionOutputDropout {
		return out
	}
	return b.dropout(out, b.cfg.HiddenDropoutProb)
}

// pooler is BertPooler, tanh(dense(hidden state of the first token)), or
// DistilBERT's relu(pre_classifier(…)). The first token is taken with Gather
// (Slice's gradient needs Pad, which the pure-Go backend lacks).
func (b *builder) pooler(x *Node) *Node {
	g := x.Graph()
	batch := x.Shape().Dimensions[0]
	rows := Iota(g, shapes.Make(dtypes.Int32, batch, 2), 0)
	firstToken := Mul(rows, Const(g, [][]int32{{1, 0}})) // (b, 0) for each b
	cls := Gather(x, firstToken)                         // [batch, hidden]
	return activation(b.f.poolerAct, b.linear(b.f.pooler, cls))
}

// linear applies the torch-layout Linear "prefix.weight" [out, in] and
// "prefix.bias" [out] to the last axis of x, in the compute dtype.
func (b *builder) linear(prefix string, x *Node) *Node {
	w := b.computeWeight(prefix + ".weight")
	y := DotGeneral(x, []int{x.Rank() - 1}, nil, w, []int{1}, nil)
	return addTrailing(y, b.computeWeight(prefix+".bias"))
}

// layerNorm normalises the last axis: (x-μ)/√(σ²+eps)·weight + bias, with the
// biased variance, as torch.nn.LayerNorm. It computes in float32 whatever the
// compute dtype and returns the compute dtype.
func (b *builder) layerNorm(prefix string, x *Node) *Node {
	x = ConvertDType(x, dtypes.Float32)
	axis := x.Rank() - 1
	centered := Sub(x, ReduceAndKeep(x, ReduceMean, axis))
	variance := ReduceAndKeep(Square(centered), ReduceMean, axis)
	normalized := Div(centered, Sqrt(AddScalar(variance, b.cfg.LayerNormEps))) // Rsqrt has no gradient in GoMLX
	scaled := Mul(normalized, ExpandLeftToRank(b.weight(prefix+".weight"), x.Rank()))
	return ConvertDType(addTrailing(scaled, b.weight(prefix+".bias")), b.compute)
}

// addTrailing adds bias to the trailing axes of x (numpy-style broadcasting
// over the leading axes).
func addTrailing(x, bias *Node) *Node {
	return Add(x, ExpandLeftToRank(bias, x.Rank()))
}

// activation is transformers' ACT2FN for the supported hidden_act values.
func activation(name string, x *Node) *Node {
	switch name {
	case "gelu": // exact: x·Φ(x) with the erf
		return Mul(MulScalar(x, 0.5), OnePlus(Erf(MulScalar(x, 1/math.Sqrt2))))
	case "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
		inner := MulScalar(Add(x, MulScalar(Mul(x, Square(x)), 0.044715)), math.Sqrt(2/math.Pi))
		return Mul(MulScalar(x, 0.5), OnePlus(Tanh(inner)))
	case "relu":
		return Max(x, ZerosLike(x))
	case "silu", "swish":
		return Mul(x, Sigmoid(x))
	case "tanh":
		return Tanh(x)
	}
	panic(fmt.Errorf("bert: hidden_act %q is not supported", name))
}

// dropout zeroes a fraction rate of x while training (scaling the rest by
// 1/(1-rate)); outside training it is the identity.
func (b *builder) dropout(x *Node, rate float64) *Node {
	return layers.DropoutStatic(b.ctx, x, rate)
}

// weight returns the graph node (float32) of the model variable with Hugging
// Face name hfName, creating it with transformers' initialisation when the
// context has no such variable yet (normal(0, initializer_range) for matrices
// and embeddings, ones for LayerNorm weights, zeros for biases; DistilBERT's
// sinusoidal position table when sinusoidal_pos_embds is set).
func (b *builder) weight(hfName string) *Node {
	return b.modelVariable(hfName).ValueGraph(b.g)
}

// computeWeight is weight cast to the compute dtype; the cast's gradient
// brings the variable's gradient back to float32.
func (b *builder) computeWeight(hfName string) *Node {
	return ConvertDType(b.weight(hfName), b.compute)
}

// modelVariable finds or creates the variable named hfName under ctx's scope.
func (b *builder) modelVariable(hfName string) *context.Variable {
	shape, ok := b.shapes[hfName]
	if !ok {
		panic(fmt.Errorf("bert: internal error: no parameter %q for this config", hfName))
	}
	scope, name := relativeScope(b.ctx, hfName)
	var init context.VariableInitializer
	sinusoidal := b.cfg.SinusoidalPosEmbds && strings.HasSuffix(hfName, "embeddings.position_embeddings.weight")
	switch {
	case sinusoidal:
		init = sinusoidalInitializer
	case strings.HasSuffix(hfName, ".bias"):
		init = initializers.Zero
	case strings.Contains(hfName, "LayerNorm") || strings.Contains(hfName, "layer_norm"):
		init = initializers.One
	default:
		init = initializers.RandomNormalFn(b.ctx, b.cfg.InitializerRange)
	}
	v := scope.Checked(false).WithInitializer(init).VariableWithShape(name, shapes.Make(dtypes.Float32, shape...))
	if sinusoidal {
		v.SetTrainable(false) // frozen, as transformers' requires_grad=False
	}
	return v
}

// sinusoidalInitializer fills a [positions, dim] table as transformers'
// create_sinusoidal_embeddings: sin(pos/10000^(2⌊j/2⌋/dim)) in even columns,
// cos in odd ones.
func sinusoidalInitializer(g *Graph, shape shapes.Shape) *Node {
	n, dim := shape.Dimensions[0], shape.Dimensions[1]
	table := make([]float32, n*dim)
	for pos := range n {
		for j := range dim {
			angle := float64(pos) / math.Pow(10000, float64(2*(j/2))/float64(dim))
			if j%2 == 0 {
				table[pos*dim+j] = float32(math.Sin(angle))
			} else {
				table[pos*dim+j] = float32(math.Cos(angle))
			}
		}
	}
	return Const(g, tensors.FromFlatDataAndDimensions(table, n, dim))
}

// relativeScope is ctx moved into the scope of hfName, and the variable name.
func relativeScope(ctx *context.Context, hfName string) (*context.Context, string) {
	parts := strings.Split(hfName, ".")
	for _, s := range parts[:len(parts)-1] {
		ctx = ctx.In(s)
	}
	return ctx, parts[len(parts)-1]
}
