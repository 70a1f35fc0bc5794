package predict

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/train"
)

// sanityEnv enables TestAttributionSanity: "1" trains the offline preset
// (tiny BERT, 3,000 synthetic sample reviews, 2 epochs: minutes on 2 cores)
// before checking attributions (`make test-attribution`); a directory uses
// the model already trained there (e.g. build/model from `polarity train`).
const sanityEnv = "POLARITY_ATTRIBUTION_SANITY"

// sanitySentences pair sentiment words with stop-words in reviews shaped
// like the synthetic sample's ("Title: body", vocabulary from
// lib/dataset/synthetic). The shape matters: the tiny model learns to lean
// on the title, and on a text that does not start with one it treats the
// first word as the title, whatever it is.
var sanitySentences = []struct {
	text      string
	sentiment []string
}{
	{"Love it: the quality is excellent and it is a great value.", []string{"Love", "excellent", "great"}},
	{"Waste of money: the battery life is terrible and it is useless.", []string{"Waste", "terrible", "useless"}},
	{"Very happy: this is the best purchase i have made this year.", []string{"happy", "best"}},
	{"Very unhappy: the build quality is cheap and it is flimsy.", []string{"unhappy", "cheap", "flimsy"}},
	{"Highly recommended: the comfort is amazing and the scent is lovely.", []string{"recommended", "amazing", "lovely"}},
	{"Do not buy: the results are disappointing and i regret buying it.", []string{"disappointing", "regret"}},
	{"Great blender: the customer service was helpful and friendly.", []string{"Great", "helpful", "friendly"}},
	{"Disappointed: the pressure is weak and the light is dim.", []string{"Disappointed", "weak", "dim"}},
}

var stopWords = map[string]bool{"the": true, "is": true, "and": true, "i": true, "it": true, "a": true,
	"of": true, "this": true, "have": true, "am": true, "with": true, "are": true, "was": true}

// On a model trained on the synthetic sample, sentiment words must get a
// larger |attribution| than stop-words in every sentence.
func TestAttributionSanity(t *testing.T) {
	if os.Getenv(sanityEnv) == "" {
		t.Skipf("set %s=1 (make test-attribution) to train a tiny model on the synthetic sample (minutes) and check its attributions", sanityEnv)
	}
	cfg, err := train.NewConfig(train.PresetOffline)
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv(sanityEnv)
	if dir == "1" {
		dir = t.TempDir()
		cfg.Training.OutDir = dir
		res, err := train.Run(context.Background(), cfg, train.RunOptions{ShowProgress: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("trained: %+v", res.History[len(res.History)-1])
	}
	c, err := Load(dir, bert.PredictorOptions{MaxLength: cfg.Data.MaxLen})
	if err != nil {
		t.Fatal(err)
	}
	var sentimentMean, stopMean float64
	for _, s := range sanitySentences {
		p, err := c.Explain(s.text)
		if err != nil {
			t.Fatal(err)
		}
		var sent, stop []float64
		for _, tok := range p.Tokens {
			w := s.text[tok.Start:tok.End]
			switch {
			case stopWords[w]:
				stop = append(stop, math.Abs(tok.Score))
			case contains(s.sentiment, w):
				sent = append(sent, math.Abs(tok.Score))
			}
		}
		if len(sent) != len(s.sentiment) || len(stop) == 0 {
			t.Fatalf("%q: found sentiment %v and stop-words %v", s.text, sent, stop)
		}
		sm, st := mean(sent), mean(stop)
		sentimentMean += sm / float64(len(sanitySentences))
		stopMean += st / float64(len(sanitySentences))
		t.Logf("%-9s %.3f  mean |attr| sentiment %.4f  stop-words %.4f  ratio %.1f  %q", p.Label, p.Probability, sm, st, sm/st, s.text)
		if sm <= st {
			t.Errorf("%q: sentiment words' mean |attr| %.4f (%v) not above the stop-words' %.4f (%v)", s.text, sm, sent, st, stop)
		}
	}
	t.Logf("over %d sentences: mean |attr| sentiment %.4f, stop-words %.4f (ratio %.1f)", len(sanitySentences), sentimentMean, stopMean, sentimentMean/stopMean)
}

func contains(words []string, w string) bool {
	for _, x := range words {
		if strings.EqualFold(x, w) {
			return true
		}
	}
	return false
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
