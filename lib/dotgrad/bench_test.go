//go:build linux

package dotgrad

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// The benchmark trains a BERT-shaped encoder written with plain graph ops, at
// the size of the project's tiny preset (L2 H128 A2 I512, vocab 30522) on a
// batch of 16 sequences of 128 tokens: word + position embeddings,
// LayerNorm, per layer Q/K/V projections, scaled dot-product attention with a
// padding mask (Einsum "bqhd,bkhd->bhqk" and "bhqk,bkhd->bqhd"), output
// projection, residual + LayerNorm, erf-GELU feed-forward, residual +
// LayerNorm; tanh pooler on [CLS], linear classifier, softmax cross-entropy;
// gradients of every weight and one SGD update. Its matmuls have exactly
// the shapes of lib/bert's; it is not lib/bert (which lives elsewhere and
// imports this package).
const (
	benchBatch, benchSeq   = 16, 128
	benchHidden, benchHead = 128, 2
	benchInter, benchDepth = 512, 2
	benchVocab, benchLabel = 30522, 2
)

// benchParam is one weight of the benchmark encoder.
type benchParam struct {
	name string
	dims []int
}

func benchParams() []benchParam {
	h, i := benchHidden, benchInter
	params := []benchParam{
		{"word", []int{benchVocab, h}}, {"position", []int{benchSeq, h}},
		{"embLNScale", []int{h}}, {"embLNBias", []int{h}},
	}
	for range benchDepth {
		params = append(params,
			benchParam{"q", []int{h, h}}, benchParam{"qBias", []int{h}},
			benchParam{"k", []int{h, h}}, benchParam{"kBias", []int{h}},
			benchParam{"v", []int{h, h}}, benchParam{"vBias", []int{h}},
			benchParam{"o", []int{h, h}}, benchParam{"oBias", []int{h}},
			benchParam{"attnLNScale", []int{h}}, benchParam{"attnLNBias", []int{h}},
			benchParam{"up", []int{h, i}}, benchParam{"upBias", []int{i}},
			benchParam{"down", []int{i, h}}, benchParam{"downBias", []int{h}},
			benchParam{"ffnLNScale", []int{h}}, benchParam{"ffnLNBias", []int{h}},
		)
	}
	return append(params,
		benchParam{"pooler", []int{h, h}}, benchParam{"poolerBias", []int{h}},
		benchParam{"classifier", []int{h, benchLabel}}, benchParam{"classifierBias", []int{benchLabel}})
}

// dense is x·w + bias over x's last axis.
func dense(x, w, bias *graph.Node) *graph.Node {
	y := graph.DotGeneral(x, []int{x.Rank() - 1}, nil, w, []int{0}, nil)
	return graph.Add(y, graph.ExpandLeftToRank(bias, y.Rank()))
}

// layerNorm normalises the last axis (eps 1e-12, as BERT).
func layerNorm(x, scale, bias *graph.Node) *graph.Node {
	mean := graph.ReduceAndKeep(x, graph.ReduceMean, -1)
	centred := graph.Sub(x, mean)
	variance := graph.ReduceAndKeep(graph.Square(centred), graph.ReduceMean, -1)
	normalised := graph.Div(centred, graph.Sqrt(graph.AddScalar(variance, 1e-12))) // Rsqrt has no gradient in GoMLX v0.26.0
	return graph.Add(graph.Mul(normalised, graph.ExpandLeftToRank(scale, x.Rank())), graph.ExpandLeftToRank(bias, x.Rank()))
}

// gelu is the exact (erf) GELU.
func gelu(x *graph.Node) *graph.Node {
	return graph.Mul(graph.MulScalar(x, 0.5), graph.OnePlus(graph.Erf(graph.MulScalar(x, 1/math.Sqrt2))))
}

// trainStep is the benchmark's graph: inputs are token ids [batch, seq]
// int32, attention mask [batch, seq] (1 = token, 0 = padding), one-hot
// labels [batch, labels], a [CLS] selector [seq] and the weights; outputs are
// the loss and the SGD-updated weights.
func trainStep(inputs []*graph.Node) []*graph.Node {
	ids, mask, labels, clsSelector, weights := inputs[0], inputs[1], inputs[2], inputs[3], inputs[4:]
	next := func() *graph.Node { w := weights[0]; weights = weights[1:]; return w }
	word, position, embScale, embBias := next(), next(), next(), next()

	x := graph.Gather(word, graph.ExpandAxes(ids, -1)) // [b, s, h]
	x = graph.Add(x, graph.ExpandAxes(position, 0))
	x = layerNorm(x, embScale, embBias)
	// Additive mask [b, 1, 1, k]: 0 for tokens, -10000 for padding.
	maskBias := graph.ExpandAxes(graph.MulScalar(graph.OneMinus(mask), -10000), 1, 2)
	headDim := benchHidden / benchHead
	heads := func(t *graph.Node) *graph.Node { return graph.Reshape(t, benchBatch, benchSeq, benchHead, headDim) }
	for range benchDepth {
		q, qb, k, kb, v, vb, o, ob := next(), next(), next(), next(), next(), next(), next(), next()
		attnScale, attnBias, up, upBias, down, downBias, ffnScale, ffnBias := next(), next(), next(), next(), next(), next(), next(), next()
		queries, keys, values := heads(dense(x, q, qb)), heads(dense(x, k, kb)), heads(dense(x, v, vb))
		scores := graph.MulScalar(graph.Einsum("bqhd,bkhd->bhqk", queries, keys), 1/math.Sqrt(float64(headDim)))
		probs := graph.Softmax(graph.Add(scores, maskBias), -1)
		context := graph.Reshape(graph.Einsum("bhqk,bkhd->bqhd", probs, values), benchBatch, benchSeq, benchHidden)
		x = layerNorm(graph.Add(x, dense(context, o, ob)), attnScale, attnBias)
		x = layerNorm(graph.Add(x, dense(gelu(dense(x, up, upBias)), down, downBias)), ffnScale, ffnBias)
	}
	pooler, poolerBias, classifier, classifierBias := next(), next(), next(), next()
	cls := graph.Einsum("bsh,s->bh", x, clsSelector)
	logits := dense(graph.Tanh(dense(cls, pooler, poolerBias)), classifier, classifierBias)
	loss := graph.Neg(graph.ReduceAllMean(graph.ReduceSum(graph.Mul(labels, graph.LogSoftmax(logits, -1)), -1)))

	all := inputs[4:]
	grads := graph.Gradient(loss, all...)
	outputs := []*graph.Node{loss}
	for i, w := range all {
		outputs = append(outputs, graph.Sub(w, graph.MulScalar(grads[i], 1e-3)))
	}
	return outputs
}

// trainStepInputs returns random inputs for trainStep: token ids, a mask
// with sequence lengths between 32 and 128, labels, the [CLS] selector and
// weights drawn from ±0.05 (LayerNorm scales 1).
func trainStepInputs() []any {
	rng := rand.New(rand.NewPCG(11, 12))
	ids := make([]int32, benchBatch*benchSeq)
	mask := make([]float32, benchBatch*benchSeq)
	labels := make([]float32, benchBatch*benchLabel)
	for b := range benchBatch {
		length := 32 + rng.IntN(benchSeq-32+1)
		for s := range length {
			ids[b*benchSeq+s] = int32(rng.IntN(benchVocab))
			mask[b*benchSeq+s] = 1
		}
		labels[b*benchLabel+rng.IntN(benchLabel)] = 1
	}
	cls := make([]float32, benchSeq)
	cls[0] = 1
	inputs := []any{
		tensors.FromFlatDataAndDimensions(ids, benchBatch, benchSeq),
		tensors.FromFlatDataAndDimensions(mask, benchBatch, benchSeq),
		tensors.FromFlatDataAndDimensions(labels, benchBatch, benchLabel),
		tensors.FromFlatDataAndDimensions(cls, benchSeq),
	}
	for _, p := range benchParams() {
		size := 1
		for _, d := range p.dims {
			size *= d
		}
		data := make([]float32, size)
		for i := range data {
			if len(p.dims) == 1 && (p.name == "embLNScale" || p.name == "attnLNScale" || p.name == "ffnLNScale") {
				data[i] = 1
			} else {
				data[i] = float32(0.1*rng.Float64() - 0.05)
			}
		}
		inputs = append(inputs, tensors.FromFlatDataAndDimensions(data, p.dims...))
	}
	return inputs
}

// BenchmarkTrainStep times one training step (forward, backward, SGD update)
// of the tiny BERT-shaped encoder, after one untimed step that compiles the
// graph. Sub-benchmarks: "dotgrad" with this package's VJPs, "gomlx" with
// GoMLX's own. Peak RSS is process-wide and only grows, so run each
// sub-benchmark in its own process (make bench-dotgrad does).
func BenchmarkTrainStep(b *testing.B) {
	backend := testBackend(b)
	run := func(b *testing.B) {
		exec, err := graph.NewExec(backend, trainStep)
		if err != nil {
			b.Fatal(err)
		}
		defer exec.Finalize()
		inputs := trainStepInputs()
		step := func() {
			outputs, err := exec.Exec(inputs...)
			if err != nil {
				b.Fatal(err)
			}
			if loss := outputs[0].Value().(float32); math.IsNaN(float64(loss)) || loss <= 0 {
				b.Fatalf("loss = %v", loss)
			}
			for _, t := range outputs {
				if err := t.FinalizeAll(); err != nil {
					b.Fatal(err)
				}
			}
		}
		step() // compile
		cpuBefore := cpuSeconds(b)
		for b.Loop() {
			step()
		}
		b.StopTimer()
		// On a shared machine wall time depends on the neighbours; CPU time much less so.
		b.ReportMetric((cpuSeconds(b)-cpuBefore)/float64(b.N), "cpu-s/op")
		var usage syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(usage.Maxrss)/1024, "peak-RSS-MiB")
	}
	b.Run("dotgrad", run)
	b.Run("gomlx", func(b *testing.B) { withOriginalVJPs(func() { run(b) }) })
}

// cpuSeconds is the user + system CPU time used by the process so far.
func cpuSeconds(b *testing.B) float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		b.Fatal(err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}
