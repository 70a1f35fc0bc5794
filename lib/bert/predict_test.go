package bert

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert/berttest"
)

func TestPredictorMatchesDirectForward(t *testing.T) {
	dir := berttest.ModelDir(t)
	p, err := LoadPredictor(dir, PredictorOptions{MaxLength: 16, BatchSize: 4, LengthMultiple: 8})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"the movie was great!",
		"bad",
		"the movie was awful awful awful awful awful awful awful awful awful awful awful awful awful",
		"good good",
		"Great MOVIE",
	}
	batch, err := p.PredictBatch(texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		one, err := p.Predict(text)
		if err != nil {
			t.Fatal(err)
		}
		// Unpadded reference: the encoding alone, through the plain forward pass.
		enc := p.tokenizer.Encode(text)
		want := logitsOf(t, p.model.Context, p.model.Config, [][]int32{enc.IDs}, [][]int32{enc.AttentionMask}, [][]int32{enc.TypeIDs})[0]
		got := batch[i]
		if got.Text != text || got.LabelID != one.LabelID || got.Label != p.model.Config.Labels()[got.LabelID] {
			t.Fatalf("text %d: batch %+v vs single %+v", i, got, one)
		}
		sum := 0.0
		for j := range want {
			if d := math.Abs(float64(got.Logits[j] - want[j])); d > 1e-5 {
				t.Fatalf("text %d: bucketed logits %v, unpadded %v", i, got.Logits, want)
			}
			if d := math.Abs(float64(one.Logits[j] - want[j])); d > 1e-5 {
				t.Fatalf("text %d: single logits %v, unpadded %v", i, one.Logits, want)
			}
			sum += math.Exp(float64(want[j]))
		}
		if wantP := math.Exp(float64(want[got.LabelID])) / sum; math.Abs(got.Probability-wantP) > 1e-6 || got.Probability < 0.5 {
			t.Fatalf("text %d: probability %v, want %v", i, got.Probability, wantP)
		}
	}
}

func TestPredictorRejectsMismatchedTokenizer(t *testing.T) {
	dir := berttest.ModelDir(t)
	vocab, _ := os.ReadFile(filepath.Join(dir, VocabFile))
	more := string(vocab) + "extra1\nextra2\n"
	if err := os.WriteFile(filepath.Join(dir, VocabFile), []byte(more), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadPredictor(dir, PredictorOptions{})
	if err == nil || !strings.Contains(err.Error(), "102 ids but the model's vocab_size is 100") {
		t.Fatalf("err %v, want a tokenizer/model mismatch error", err)
	}
}
