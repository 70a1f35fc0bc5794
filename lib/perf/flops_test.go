package perf

import (
	"testing"

	"github.com/polarityml/polarity/lib/bert"
)

// TestBertBaseFLOPsByHand checks the count for bert-base, batch 32 × 128
// tokens, against a hand count:
//
//	per token and layer: 8·768² = 4,718,592 (Q, K, V, output)
//	                   + 4·768·3072 = 9,437,184 (feed-forward)
//	                   + 4·128·768 = 393,216 (QKᵀ, probabilities·V)
//	                   = 14,548,992; × 12 layers × 4,096 tokens = 715,112,054,784
//	per sequence: 2·768² + 2·768·2 = 1,182,720; × 32 = 37,847,040
//	forward = 715,149,901,824; training = 3× = 2,145,449,705,472
//
// and the training count against 6·N·tokens + 12·L·H·T·tokens with
// N = 12·(4·768² + 2·768·3072) = 84,934,656 (plus 3× the pooler and classifier).
func TestBertBaseFLOPsByHand(t *testing.T) {
	cfg := bert.BaseUncased()
	if got, want := ForwardFLOPs(cfg, 32, 128), 715_149_901_824.0; got != want {
		t.Errorf("ForwardFLOPs(base, 32, 128) = %.0f, want %.0f", got, want)
	}
	if got, want := TrainFLOPs(cfg, 32, 128), 2_145_449_705_472.0; got != want {
		t.Errorf("TrainFLOPs(base, 32, 128) = %.0f, want %.0f", got, want)
	}
	if got, want := matmulParams(cfg), 84_934_656; got != want {
		t.Errorf("matmulParams(base) = %d, want %d", got, want)
	}
	tokens := 32.0 * 128
	rule := 6*float64(matmulParams(cfg))*tokens + 12*12*768*128*tokens + 3*32*(2*768*768+2*768*2)
	if got := TrainFLOPs(cfg, 32, 128); got != rule {
		t.Errorf("TrainFLOPs = %.0f, 6·N·tokens + attention = %.0f", got, rule)
	}
}

func TestFLOPsScale(t *testing.T) {
	cfg := bert.Tiny()
	one := ForwardFLOPs(cfg, 1, 64)
	if got := ForwardFLOPs(cfg, 8, 64); got != 8*one {
		t.Errorf("8 sequences cost %.0f, want 8 × %.0f", got, one)
	}
	// Attention grows with the square of the length: doubling it more than doubles the cost.
	if got := ForwardFLOPs(cfg, 1, 128); got <= 2*one {
		t.Errorf("length 128 costs %.0f, want more than twice length 64's %.0f", got, one)
	}
}
