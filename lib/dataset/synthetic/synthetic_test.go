package synthetic

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/polarityml/polarity/data"
	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/nprand"
)

func TestCommittedSampleRegeneratesByteForByte(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSample(dir); err != nil {
		t.Fatal(err)
	}
	for _, split := range data.SampleSplits {
		got, err := os.ReadFile(filepath.Join(dir, split+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := data.Sample(split)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("regenerated %s.parquet (%d bytes) differs from the committed one (%d bytes); "+
				"if the generator changed on purpose, run `polarity data gen-sample` and commit data/sample", split, len(got), len(want))
		}
	}
}

func TestReviewsLookLikeReviews(t *testing.T) {
	reviews := Generate(3000, 7)
	var pos, lowercaseOnly int
	minW, maxW, total := math.MaxInt, 0, 0
	features := map[string]*regexp.Regexp{
		"contrast":    regexp.MustCompile(`\b(but|However|Although)\b`),
		"negation":    regexp.MustCompile(`\b(not|never|isn't|aren't|wouldn't|can't|no)\b`),
		"intensifier": regexp.MustCompile(`\b(very|really|extremely|incredibly|super|absolutely)\b`),
		"typo":        regexp.MustCompile(`\b(definately|reccomend|recieved|qaulity|dissapointed|realy|dont|cant|isnt)\b`),
	}
	seen := map[string]int{}
	for _, r := range reviews {
		n := len(strings.Fields(r.Text))
		minW, maxW, total = min(minW, n), max(maxW, n), total+n
		pos += r.Label
		for name, re := range features {
			if re.MatchString(r.Text) {
				seen[name]++
			}
		}
		if r.Text == strings.ToLower(r.Text) {
			lowercaseOnly++
		}
	}
	if minW < MinWords || maxW > MaxWords {
		t.Errorf("word counts %d–%d outside [%d, %d]", minW, maxW, MinWords, MaxWords)
	}
	if mean := float64(total) / float64(len(reviews)); mean < 50 || mean > 120 {
		t.Errorf("mean length %.1f words; Amazon reviews average about 75–90", mean)
	}
	if maxW < 250 || minW > 15 {
		t.Errorf("lengths %d–%d do not span short and long reviews", minW, maxW)
	}
	if frac := float64(pos) / float64(len(reviews)); math.Abs(frac-0.5) > 0.04 {
		t.Errorf("%.3f positive; want about half", frac)
	}
	for name := range features {
		if frac := float64(seen[name]) / float64(len(reviews)); frac < 0.03 {
			t.Errorf("only %.1f%% of reviews show %s", 100*frac, name)
		}
	}
	if lowercaseOnly == 0 {
		t.Error("no review is written all in lowercase")
	}
}

func TestLabelNoiseRate(t *testing.T) {
	g := &generator{r: nprand.New(11)}
	const n = 20000
	flipped := 0
	for range n {
		if _, f := g.review(); f {
			flipped++
		}
	}
	// 3% of 20,000 = 600 ± 24 (one standard deviation).
	if rate := float64(flipped) / n; math.Abs(rate-LabelNoise) > 0.005 {
		t.Errorf("%.2f%% of labels flipped, want %.0f%%", 100*rate, 100*LabelNoise)
	}
}

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	a, b, c := Generate(50, 1), Generate(50, 1), Generate(50, 2)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("review %d differs between two runs with the same seed", i)
		}
	}
	same := 0
	for i := range a {
		if a[i] == c[i] {
			same++
		}
	}
	if same > 2 {
		t.Errorf("%d of 50 reviews equal across seeds 1 and 2", same)
	}
}

// TestSampleIsLearnableButNotTrivial trains multinomial naive Bayes on the
// embedded train split: bag-of-words must do well (so a small BERT can
// learn the task) but not perfectly (negation, contrast and 3% label noise
// keep it from being trivial).
func TestSampleIsLearnableButNotTrivial(t *testing.T) {
	train, err := dataset.Load(dataset.Source{Kind: dataset.Sample}, "train")
	if err != nil {
		t.Fatal(err)
	}
	test, err := dataset.Load(dataset.Source{Kind: dataset.Sample}, "test")
	if err != nil {
		t.Fatal(err)
	}
	words := regexp.MustCompile(`[a-z']+`)
	counts := [2]map[string]float64{{}, {}}
	totals, docs := [2]float64{}, [2]float64{}
	vocab := map[string]bool{}
	for _, r := range train {
		docs[r.Label]++
		for _, w := range words.FindAllString(strings.ToLower(r.Text), -1) {
			counts[r.Label][w]++
			totals[r.Label]++
			vocab[w] = true
		}
	}
	correct := 0
	for _, r := range test {
		var score [2]float64
		for c := range score {
			score[c] = math.Log(docs[c])
			for _, w := range words.FindAllString(strings.ToLower(r.Text), -1) {
				score[c] += math.Log((counts[c][w] + 1) / (totals[c] + float64(len(vocab))))
			}
		}
		pred := 0
		if score[1] > score[0] {
			pred = 1
		}
		if pred == r.Label {
			correct++
		}
	}
	acc := float64(correct) / float64(len(test))
	t.Logf("naive Bayes held-out accuracy on the synthetic sample: %.3f", acc)
	if acc < 0.85 || acc > 0.97 {
		t.Errorf("naive Bayes accuracy %.3f; the sample should be learnable (≥ 0.85) but not trivial (≤ 0.97, the label-noise ceiling)", acc)
	}
}
