package predict

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/bert/berttest"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/tokenize"
)

// TestMain pins the pure-Go backend with lib/compute's safe settings.
func TestMain(m *testing.M) {
	os.Setenv(compute.EnvVar, "go")
	os.Exit(m.Run())
}

func loadTiny(t *testing.T) *Classifier {
	t.Helper()
	return loadDir(t, berttest.ModelDir(t))
}

func loadDir(t *testing.T, dir string) *Classifier {
	t.Helper()
	c, err := Load(dir, bert.PredictorOptions{MaxLength: 16, BatchSize: 4, LengthMultiple: 8})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// forEachFamily runs test on the BERT fixture and on its DistilBERT twin
// (same vocabulary; labels NEGATIVE/POSITIVE as the SST-2 model's): the
// predictor, attributions and evaluation work unchanged for both.
func forEachFamily(t *testing.T, test func(t *testing.T, c *Classifier)) {
	for _, f := range []struct {
		name string
		dir  func(testing.TB) string
	}{{"bert", berttest.ModelDir}, {"distilbert", berttest.DistilModelDir}} {
		t.Run(f.name, func(t *testing.T) { test(t, loadDir(t, f.dir(t))) })
	}
}

func TestPredictIsSoftmaxArgmax(t *testing.T) {
	c := loadTiny(t)
	for _, text := range []string{"the movie was great!", "bad bad awful", "good"} {
		label, prob, err := c.Predict(text)
		if err != nil {
			t.Fatal(err)
		}
		full, err := c.Predictor().Predict(text)
		if err != nil {
			t.Fatal(err)
		}
		l := full.Logits
		best := 0
		if l[1] > l[0] {
			best = 1
		}
		want := math.Exp(float64(l[best])) / (math.Exp(float64(l[0])) + math.Exp(float64(l[1])))
		if label != []string{"negative", "positive"}[best] || math.Abs(prob-want) > 1e-6 {
			t.Errorf("%q: (%s, %v), want (%s, %v) from logits %v", text, label, prob, []string{"negative", "positive"}[best], want, l)
		}
	}
}

// marginWithScaledToken is the positive margin (logit_pos − logit_neg) with
// the word embedding e of token `token` moved to b + scale·(e − b), b being
// its integrated-gradients baseline ([PAD]'s embedding for text tokens).
func marginWithScaledToken(t *testing.T, c *Classifier, text string, token int, scale float32) float64 {
	t.Helper()
	enc := c.predictor.Tokenizer().Encode(text)
	b, err := c.predictor.Collator().Collate(encsOf(enc))
	if err != nil {
		t.Fatal(err)
	}
	ids, mask, types := b.Flat()
	baseline := BaselineIDs(enc, ids, 0)
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	m := c.predictor.Model()
	out, err := context.ExecOnce(backend, m.Context.Reuse(), func(ctx *context.Context, ids, baseline, mask, types *graph.Node) *graph.Node {
		words := bert.WordEmbeddings(ctx, m.Config, ids)
		base := bert.WordEmbeddings(ctx, m.Config, baseline)
		g := ids.Graph()
		pos := graph.Iota(g, shapes.Make(dtypes.Int32, 1, b.Length, 1), 1)
		sel := graph.ConvertDType(graph.Equal(pos, graph.Const(g, int32(token))), dtypes.Float32)

		factor := graph.AddScalar(graph.MulScalar(sel, float64(scale-1)), 1)
		moved := graph.Add(base, graph.Mul(graph.Sub(words, base), factor))
		logits := bert.ClassifierLogitsFromWordEmbeddings(ctx, m.Config, moved, mask, types)
		return graph.Sub(graph.Slice(logits, graph.AxisRange(), graph.AxisElem(1)), graph.Slice(logits, graph.AxisRange(), graph.AxisElem(0)))
	}, tensors.FromFlatDataAndDimensions(ids, 1, b.Length),
		tensors.FromFlatDataAndDimensions(baseline, 1, b.Length),
		tensors.FromFlatDataAndDimensions(mask, 1, b.Length),
		tensors.FromFlatDataAndDimensions(types, 1, b.Length))
	if err != nil {
		t.Fatal(err)
	}
	return float64(tensors.MustCopyFlatData[float32](out)[0])
}

// One step of integrated gradients is gradient × (input − baseline): for
// token i, d/ds margin(b_i + s·(e_i − b_i)) at s = 1, checked against a
// central finite difference for every token.
func TestTokenScoresAreGradientTimesInput(t *testing.T) {
	forEachFamily(t, testTokenScoresAreGradientTimesInput)
}

func testTokenScoresAreGradientTimesInput(t *testing.T, c *Classifier) {
	const text = "the movies was great! good"
	enc, scores, err := c.TokenScores(text, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(scores) != enc.Len() {
		t.Fatalf("%d scores for %d tokens", len(scores), enc.Len())
	}
	const h = 0.05
	largest := 0.0
	numeric := make([]float64, len(scores))
	for i := range scores {
		numeric[i] = (marginWithScaledToken(t, c, text, i, 1+h) - marginWithScaledToken(t, c, text, i, 1-h)) / (2 * h)
		largest = max(largest, math.Abs(numeric[i]))
	}
	if largest == 0 {
		t.Fatal("finite differences are all zero: the test model has no signal")
	}
	for i := range scores {
		if d := math.Abs(scores[i] - numeric[i]); d > 0.02*largest {
			t.Errorf("token %d %q: score %.6g, finite difference %.6g (largest %.3g)", i, enc.Tokens[i], scores[i], numeric[i], largest)
		}
	}
	t.Logf("scores %v", scores)
}

// marginOfIDs is the positive margin for padded ids with mask and types.
func marginOfIDs(t *testing.T, c *Classifier, ids, mask, types []int32) float64 {
	t.Helper()
	backend, err := compute.Backend()
	if err != nil {
		t.Fatal(err)
	}
	m := c.predictor.Model()
	n := len(ids)
	out, err := context.ExecOnce(backend, m.Context.Reuse(), func(ctx *context.Context, ids, mask, types *graph.Node) *graph.Node {
		logits := bert.ClassifierLogits(ctx, m.Config, ids, mask, types)
		return graph.Sub(graph.Slice(logits, graph.AxisRange(), graph.AxisElem(1)), graph.Slice(logits, graph.AxisRange(), graph.AxisElem(0)))
	}, tensors.FromFlatDataAndDimensions(ids, 1, n), tensors.FromFlatDataAndDimensions(mask, 1, n), tensors.FromFlatDataAndDimensions(types, 1, n))
	if err != nil {
		t.Fatal(err)
	}
	return float64(tensors.MustCopyFlatData[float32](out)[0])
}

// Integrated gradients are complete: the scores add up to margin(e) −
// margin(baseline), up to the Riemann sum's error, which shrinks with the
// steps; [CLS] and [SEP] (equal to the baseline) score 0.
func TestIntegratedGradientsAreComplete(t *testing.T) {
	forEachFamily(t, testIntegratedGradientsAreComplete)
}

func testIntegratedGradientsAreComplete(t *testing.T, c *Classifier) {
	const text = "the movies was great! good bad awful"
	enc := c.predictor.Tokenizer().Encode(text)
	b, err := c.predictor.Collator().Collate(encsOf(enc))
	if err != nil {
		t.Fatal(err)
	}
	ids, mask, types := b.Flat()
	baseline := BaselineIDs(enc, ids, 0)
	if baseline[0] != 2 || baseline[enc.Len()-1] != 3 || baseline[1] != 0 || baseline[enc.Len()-2] != 0 {
		t.Fatalf("baseline %v for ids %v", baseline, ids)
	}
	want := marginOfIDs(t, c, ids, mask, types) - marginOfIDs(t, c, baseline, mask, types)
	errAt := map[int]float64{}
	for _, steps := range []int{4, 64} {
		_, scores, err := c.TokenScores(text, steps)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, s := range scores {
			sum += s
		}
		if scores[0] != 0 || scores[len(scores)-1] != 0 {
			t.Errorf("[CLS] %v, [SEP] %v: want 0", scores[0], scores[len(scores)-1])
		}
		errAt[steps] = math.Abs(sum - want)
		t.Logf("%d steps: Σ scores %.6g, margin(e) − margin(baseline) %.6g", steps, sum, want)
	}
	if errAt[64] > 0.03*math.Abs(want) || errAt[64] > errAt[4] {
		t.Errorf("completeness error %.3g at 64 steps, %.3g at 4 (difference %.3g)", errAt[64], errAt[4], want)
	}
	if _, _, err := c.TokenScores(text, 0); err == nil {
		t.Error("0 steps accepted")
	}
}

func TestExplainMergesWordPiecesIntoByteSpans(t *testing.T) {
	forEachFamily(t, testExplainMergesWordPiecesIntoByteSpans)
}

func testExplainMergesWordPiecesIntoByteSpans(t *testing.T, c *Classifier) {
	const text = "The  movies was GREAT!"
	p, err := c.Explain(text)
	if err != nil {
		t.Fatal(err)
	}
	enc, scores, err := c.TokenScores(text, DefaultSteps)
	if err != nil {
		t.Fatal(err)
	}
	// [CLS] the movie ##s was great ! [SEP]
	if got := strings.Join(enc.Tokens, " "); got != "[CLS] the movie ##s was great ! [SEP]" {
		t.Fatalf("tokens %q", got)
	}
	var words []string
	for _, tok := range p.Tokens {
		words = append(words, text[tok.Start:tok.End])
	}
	if got := strings.Join(words, "|"); got != "The|movies|was|GREAT|!" {
		t.Fatalf("word spans %q", got)
	}
	want := []float64{scores[1], scores[2] + scores[3], scores[4], scores[5], scores[6]}
	for i, w := range want {
		if math.Abs(p.Tokens[i].Score-w) > 1e-12 {
			t.Errorf("word %q: score %v, want %v", words[i], p.Tokens[i].Score, w)
		}
	}
	label, prob, err := c.Predict(text)
	if err != nil {
		t.Fatal(err)
	}
	if p.Label != label || p.Probability != prob || p.Positive != strings.EqualFold(label, "positive") || p.Method != Method || p.SeenBytes != 0 {
		t.Errorf("prediction %+v, want label %s probability %v", p, label, prob)
	}
}

func TestExplainMarksTruncation(t *testing.T) {
	c := loadTiny(t)
	text := strings.Repeat("good ", 20) + "tail"
	p, err := c.Explain(text)
	if err != nil {
		t.Fatal(err)
	}
	// 16 tokens: [CLS], 14 words, [SEP] → the model saw "good " ×13 + "good".
	if want := len(strings.Repeat("good ", 14)) - 1; p.SeenBytes != want || len(p.Tokens) != 14 {
		t.Errorf("SeenBytes %d with %d words, want %d with 14", p.SeenBytes, len(p.Tokens), want)
	}
}

func TestPredictFile(t *testing.T) {
	c := loadTiny(t)
	path := filepath.Join(t.TempDir(), "reviews.jsonl")
	var lines []string
	texts := []string{"the movie was great!", "bad", "awful awful movie", "good good"}
	for i, text := range texts {
		line, _ := json.Marshal(map[string]any{"label": i % 2, "text": text})
		lines = append(lines, string(line))
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reviews, preds, err := c.PredictFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(reviews) != 4 || len(preds) != 4 {
		t.Fatalf("%d reviews, %d predictions", len(reviews), len(preds))
	}
	for i, text := range texts {
		label, prob, err := c.Predict(text)
		if err != nil {
			t.Fatal(err)
		}
		if reviews[i].Label != i%2 || reviews[i].Text != text || preds[i].Label != label || math.Abs(preds[i].Probability-prob) > 1e-6 {
			t.Errorf("review %d: %+v → %s %v, want %s %v", i, reviews[i], preds[i].Label, preds[i].Probability, label, prob)
		}
	}
	if _, _, err := c.PredictFile(filepath.Join(t.TempDir(), "missing.jsonl")); err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing file: %v", err)
	}
}

func encsOf(e tokenize.Encoding) []tokenize.Encoding { return []tokenize.Encoding{e} }

func TestEvaluateSaveLoad(t *testing.T) { forEachFamily(t, testEvaluateSaveLoad) }

func testEvaluateSaveLoad(t *testing.T, c *Classifier) {
	reviews := []dataset.Review{{Label: 1, Text: "the movie was great!"}, {Label: 0, Text: "bad"}, {Label: 0, Text: "awful awful movie"}, {Label: 1, Text: "good good"}}
	ev, err := c.Evaluate(reviews)
	if err != nil {
		t.Fatal(err)
	}
	correct := 0
	for i, r := range reviews {
		label, prob, err := c.Predict(r.Text)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(ev.Names[ev.Predicted[i]], label) || math.Abs(ev.Probabilities[i][ev.Predicted[i]]-prob) > 1e-6 ||
			math.Abs(ev.Probabilities[i][0]+ev.Probabilities[i][1]-1) > 1e-9 {
			t.Errorf("review %d: predicted %d %v, Predict says %s %v", i, ev.Predicted[i], ev.Probabilities[i], label, prob)
		}
		if ev.Predicted[i] == r.Label {
			correct++
		}
	}
	if want := float64(correct) / 4; ev.Report.Accuracy != want {
		t.Errorf("accuracy %v, want %v", ev.Report.Accuracy, want)
	}
	path := filepath.Join(t.TempDir(), "eval", "test.json")
	if err := ev.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := LoadEvaluation(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Report.Text(4) != ev.Report.Text(4) || back.Texts[2] != reviews[2].Text {
		t.Errorf("reloaded evaluation differs:\n%s\n%s", back.Report.Text(4), ev.Report.Text(4))
	}
	rows, err := back.ConfidentlyWrongRows(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+4-correct {
		t.Errorf("%d table rows for %d mistakes", len(rows), 4-correct)
	}
	if _, err := c.Evaluate([]dataset.Review{{Label: 2, Text: "x"}}); err == nil || !strings.Contains(err.Error(), "label 2") {
		t.Errorf("label 2 accepted: %v", err)
	}
}

func TestLoadModelWithoutModelSaysHowToGetOne(t *testing.T) {
	t.Setenv(ModelEnv, "")
	_, err := LoadModel(filepath.Join(t.TempDir(), "model"))
	if !errors.Is(err, ErrNoModel) || !strings.Contains(err.Error(), "polarity train") || !strings.Contains(err.Error(), ModelEnv) {
		t.Errorf("error %v", err)
	}
	t.Setenv(ModelEnv, berttest.ModelDir(t))
	if _, err := LoadModel("nowhere"); err != nil {
		t.Errorf("%s ignored: %v", ModelEnv, err)
	}
	// "tiny" is the untrained tiny model, as for train and eval.
	t.Setenv(ModelEnv, "tiny")
	c, err := LoadModel("nowhere")
	if err != nil {
		t.Fatalf("%s=tiny: %v", ModelEnv, err)
	}
	if layers := c.Predictor().Model().Config.NumHiddenLayers; layers != 2 {
		t.Errorf("%s=tiny loaded a model with %d layers, want the tiny model's 2", ModelEnv, layers)
	}
}

// A head whose id2label lists POSITIVE first is scored by name, not by id:
// the evaluation's predictions are the classes' polarities, and the mapping
// is reported.
func TestEvaluateMapsLabelsByName(t *testing.T) {
	dir := berttest.DistilModelDir(t)
	plain := loadDir(t, dir)
	cfgPath := filepath.Join(dir, bert.ConfigFile)
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	swapped := strings.NewReplacer(`"0": "NEGATIVE"`, `"0": "POSITIVE"`, `"1": "POSITIVE"`, `"1": "NEGATIVE"`,
		`"NEGATIVE": 0`, `"NEGATIVE": 1`, `"POSITIVE": 1`, `"POSITIVE": 0`).Replace(string(data))
	if swapped == string(data) {
		t.Fatalf("fixture config has no NEGATIVE/POSITIVE id2label: %s", data)
	}
	if err := os.WriteFile(cfgPath, []byte(swapped), 0o644); err != nil {
		t.Fatal(err)
	}
	c := loadDir(t, dir)
	reviews := []dataset.Review{{Label: 1, Text: "the movie was great!"}, {Label: 0, Text: "bad"}, {Label: 0, Text: "awful awful movie"}, {Label: 1, Text: "good good"}}
	ev, err := c.Evaluate(reviews)
	if err != nil {
		t.Fatal(err)
	}
	want, err := plain.Evaluate(reviews)
	if err != nil {
		t.Fatal(err)
	}
	if ev.LabelMapping != "by name: POSITIVE → positive, NEGATIVE → negative" ||
		want.LabelMapping != "by name: NEGATIVE → negative, POSITIVE → positive" {
		t.Errorf("mappings %q, %q", ev.LabelMapping, want.LabelMapping)
	}
	for i, r := range reviews {
		// Same logits, names swapped: class 0 now means positive.
		p, err := c.Predictor().Predict(r.Text)
		if err != nil {
			t.Fatal(err)
		}
		if byName := map[string]int{"NEGATIVE": 0, "POSITIVE": 1}[p.Label]; ev.Predicted[i] != byName || ev.Predicted[i] != 1-want.Predicted[i] {
			t.Errorf("review %d: predicted %d, the model says %s (unswapped model: %d)", i, ev.Predicted[i], p.Label, want.Predicted[i])
		}
	}
	// An ambiguous head is refused when loading, naming the fix.
	ambiguous := strings.ReplaceAll(string(data), "NEGATIVE", "POSITIVE")
	if err := os.WriteFile(cfgPath, []byte(ambiguous), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, bert.PredictorOptions{}); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("ambiguous labels: %v", err)
	}
}
