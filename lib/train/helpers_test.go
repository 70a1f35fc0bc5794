package train

import (
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// The tests train a small bag-of-embeddings classifier with the same
// ingredients BERT has (embeddings, dense layers with biases, LayerNorm,
// dropout), on synthetic token sequences whose label is carried by a few
// "sentiment" token ids, so they run in seconds on the pure-Go backend.

const (
	testVocab  = 40
	testMaxLen = 12
)

// bagModel: masked mean of token embeddings → LayerNorm → dense+tanh → dropout → dense.
func bagModel(ctx *context.Context, in []*Node) *Node {
	ids, mask := in[0], in[1]
	emb := layers.Embedding(ctx.In("embeddings"), ids, dtypes.Float32, testVocab, 16)
	m := ConvertDType(InsertAxes(mask, -1), dtypes.Float32)
	pooled := Div(ReduceSum(Mul(emb, m), 1), ReduceSum(m, 1))
	pooled = layers.LayerNormalization(ctx.In("LayerNorm"), pooled, -1).Done()
	h := Tanh(layers.DenseWithBias(ctx.In("dense"), pooled, 16))
	h = layers.DropoutStatic(ctx, h, 0.1)
	return layers.DenseWithBias(ctx.In("classifier"), h, 2)
}

// tokenData is a Dataset of synthetic reviews.
type tokenData struct {
	ids    [][]int32
	labels []int32
}

// newTokenData draws n sequences: ids 2–5 are "positive", 6–9 "negative",
// the rest neutral; the label is the polarity of the sentiment words.
func newTokenData(n int, seed uint64) *tokenData {
	r := rand.New(rand.NewPCG(seed, 7))
	d := &tokenData{}
	for range n {
		label := int32(r.IntN(2))
		length := 4 + r.IntN(testMaxLen-4)
		seq := make([]int32, length)
		for j := range seq {
			seq[j] = int32(10 + r.IntN(testVocab-10))
		}
		for k := 0; k < 1+r.IntN(2); k++ {
			seq[r.IntN(length)] = 2 + 4*(1-label) + int32(r.IntN(4))
		}
		d.ids = append(d.ids, seq)
		d.labels = append(d.labels, label)
	}
	return d
}

func (d *tokenData) Len() int { return len(d.ids) }

func (d *tokenData) Batch(indices []int) (Batch, error) {
	ids := make([]int32, len(indices)*testMaxLen)
	mask := make([]int32, len(indices)*testMaxLen)
	labels := make([]int32, len(indices))
	for i, idx := range indices {
		copy(ids[i*testMaxLen:], d.ids[idx])
		for j := range d.ids[idx] {
			mask[i*testMaxLen+j] = 1
		}
		labels[i] = d.labels[idx]
	}
	return Batch{
		Inputs: []*tensors.Tensor{
			tensors.FromFlatDataAndDimensions(ids, len(indices), testMaxLen),
			tensors.FromFlatDataAndDimensions(mask, len(indices), testMaxLen),
		},
		Labels: labels,
	}, nil
}

// testBackend is the pure-Go backend with the worker count lib/compute uses
// by default (its plain default, one worker per CPU, can hang on 2 cores).
const testBackend = "go:parallelism=8"
