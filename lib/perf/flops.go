// Package perf measures how fast a BERT classifier trains and predicts on the
// chosen GoMLX backend — the benchmark `polarity bench` runs — and puts the
// numbers in context: FLOPs counted from the model's config, the device's
// peak throughput from a small table (GPUs) or from the CPU's cores, SIMD
// width and clock, model FLOPs utilisation (MFU), peak host memory and GPU
// memory.
package perf

import "github.com/polarityml/polarity/lib/bert"

// ForwardFLOPs is the number of floating-point operations (a multiply-add
// counts 2) of one forward pass of cfg's classifier over batch sequences of
// length tokens, counting the matrix products only:
//
//	per token and layer: Q, K, V and output projections 8·H², feed-forward 4·H·I,
//	attention scores Q·Kᵀ and probabilities·V 4·T·H;
//	per sequence: the pooler 2·H² and the classifier 2·H·labels.
//
// Embedding lookups, biases, LayerNorm, softmax and GELU are not counted (a
// few percent of the total), the usual convention of MFU figures.
func ForwardFLOPs(cfg *bert.Config, batch, length int) float64 {
	h, inter, layers := float64(cfg.HiddenSize), float64(cfg.IntermediateSize), float64(cfg.NumHiddenLayers)
	b, t := float64(batch), float64(length)
	perTokenLayer := 8*h*h + 4*h*inter + 4*t*h
	perSequence := 2*h*h + 2*h*float64(cfg.NumLabels())
	return b*t*layers*perTokenLayer + b*perSequence
}

// TrainFLOPs is the number of floating-point operations of one training step
// (forward, then backward at twice the forward's cost): 3× ForwardFLOPs, which
// is the familiar 6·N·tokens for the N matrix weights plus 12·L·H·T per token
// for attention. The optimizer's element-wise update is not counted.
func TrainFLOPs(cfg *bert.Config, batch, length int) float64 {
	return 3 * ForwardFLOPs(cfg, batch, length)
}

// matmulParams is the number of weights that take part in matrix products
// for every token (the N of 6·N·tokens): 4·H² + 2·H·I per layer.
func matmulParams(cfg *bert.Config) int {
	h, inter := cfg.HiddenSize, cfg.IntermediateSize
	return cfg.NumHiddenLayers * (4*h*h + 2*h*inter)
}
