package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/nbui"
	"github.com/polarityml/polarity/lib/predict"
	"github.com/polarityml/polarity/lib/progress"
)

// predictChunk is how many texts are classified between progress updates.
const predictChunk = 256

func predictCommand() *command {
	const summary = "Classify texts with a fine-tuned BERT model (a directory with config.json, model.safetensors, tokenizer.json or vocab.txt, a hub repo id, or tiny)."
	return &command{
		name:    "predict",
		summary: summary,
		run: func(args []string) error {
			fs := newFlags("polarity predict", "--model DIR [--json] [TEXT... | --input FILE]", summary)
			model := fs.String("model", "", "model: a Hugging Face checkpoint directory, a hub repo id owner/name[@revision] (downloaded into the HF cache), or tiny (untrained)")
			asJSON := fs.Bool("json", false, `one JSON object per line: {"text","label","label_id","probability","logits"}`)
			input := fs.String("input", "", `file with one text per line ("-" = standard input)`)
			explain := fs.Bool("explain", false, "also show which words drove each decision (integrated gradients on the word embeddings, strongest first; with --json an \"attributions\" list)")
			batch := fs.Int("batch", 32, "texts per forward pass")
			maxLen := fs.Int("max-len", 0, "truncate texts to this many tokens, [CLS]/[SEP] included (0: 128 or the model's max_position_embeddings if smaller)")
			addAlias(fs, "batch-size", "batch")
			addAlias(fs, "max-length", "max-len")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			texts := fs.Args()
			if *model == "" || (len(texts) == 0) == (*input == "") {
				fmt.Fprintln(fs.Output(), "polarity predict: give --model and either texts or --input FILE")
				fs.Usage()
				return errUsage
			}
			if *input != "" {
				var err error
				if texts, err = readLines(*input); err != nil {
					return err
				}
			}
			p, err := predict.LoadPredictor(*model, bert.PredictorOptions{MaxLength: *maxLen, BatchSize: *batch})
			if err != nil {
				return err
			}
			if r := p.Model().Report; r != nil && len(r.Initialized) > 0 {
				fmt.Fprintln(os.Stderr, "polarity predict: warning:", r)
			}
			out := bufio.NewWriter(os.Stdout)
			defer out.Flush()
			if *explain {
				return explainTexts(out, p, texts, *asJSON)
			}
			var bar *progress.Bar
			if len(texts) > predictChunk {
				bar = progress.New("predict", int64(len(texts)), "texts")
				defer bar.Done()
			}
			for lo := 0; lo < len(texts); lo += predictChunk {
				preds, err := p.PredictBatch(texts[lo:min(lo+predictChunk, len(texts))])
				if err != nil {
					return err
				}
				for _, pr := range preds {
					if err := writePrediction(out, pr, *asJSON); err != nil {
						return err
					}
				}
				if bar != nil {
					bar.Add(int64(len(preds)))
				}
			}
			return out.Flush()
		},
	}
}

// explainedWords is how many of the strongest words --explain prints per text.
const explainedWords = 8

// wordAttribution is one word of --explain's JSON output.
type wordAttribution struct {
	Word  string  `json:"word"`
	Start int     `json:"start"`
	End   int     `json:"end"`
	Score float64 `json:"score"`
}

// explainTexts prints each text's prediction and its word attributions.
func explainTexts(out *bufio.Writer, p *bert.Predictor, texts []string, asJSON bool) error {
	clf, err := predict.New(p)
	if err != nil {
		return err
	}
	for _, text := range texts {
		pred, err := p.Predict(text)
		if err != nil {
			return err
		}
		ex, err := clf.Explain(text)
		if err != nil {
			return err
		}
		words := make([]wordAttribution, len(ex.Tokens))
		for i, t := range ex.Tokens {
			words[i] = wordAttribution{Word: text[t.Start:t.End], Start: t.Start, End: t.End, Score: t.Score}
		}
		if asJSON {
			line, err := json.Marshal(struct {
				bert.Prediction
				Attributions []wordAttribution `json:"attributions"`
			}{pred, words})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s\n", line)
			continue
		}
		if err := writePrediction(out, pred, false); err != nil {
			return err
		}
		fmt.Fprintf(out, "           %s\n", strongestWords(ex.Tokens, text))
	}
	return out.Flush()
}

// strongestWords formats the explainedWords words with the largest |score|
// as "great(+0.41) waste(-0.32) …".
func strongestWords(tokens []nbui.TokenAttribution, text string) string {
	sorted := slices.Clone(tokens)
	slices.SortStableFunc(sorted, func(a, b nbui.TokenAttribution) int { return cmp.Compare(math.Abs(b.Score), math.Abs(a.Score)) })
	parts := make([]string, 0, explainedWords)
	for _, t := range sorted[:min(explainedWords, len(sorted))] {
		parts = append(parts, fmt.Sprintf("%s(%+.3f)", text[t.Start:t.End], t.Score))
	}
	return strings.Join(parts, " ")
}

func writePrediction(w io.Writer, p bert.Prediction, asJSON bool) error {
	if asJSON {
		line, err := json.Marshal(p)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", line)
		return err
	}
	text := strings.Join(strings.Fields(p.Text), " ")
	if r := []rune(text); len(r) > 70 {
		text = string(r[:69]) + "…"
	}
	_, err := fmt.Fprintf(w, "%-10s %.4f  %s\n", p.Label, p.Probability, text)
	return err
}

// readLines reads one text per non-blank line from path ("-" = stdin).
func readLines(path string) ([]string, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading texts: %w", err)
		}
		defer f.Close()
		r = f
	}
	var texts []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			texts = append(texts, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading texts from %s: %w", path, err)
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("%s holds no texts (one per line)", path)
	}
	return texts, nil
}
