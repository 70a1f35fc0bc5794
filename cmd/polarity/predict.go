package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/progress"
)

// predictChunk is how many texts are classified between progress updates.
const predictChunk = 256

func predictCommand() *command {
	const summary = "Classify texts with a fine-tuned BERT model (a directory with config.json, model.safetensors, tokenizer.json or vocab.txt, or a hub repo id)."
	return &command{
		name:    "predict",
		summary: summary,
		run: func(args []string) error {
			fs := newFlags("polarity predict", "--model DIR [--json] [TEXT... | --input FILE]", summary)
			model := fs.String("model", "", "model directory, or a Hugging Face hub repo id owner/name[@revision] (downloaded into the HF cache)")
			asJSON := fs.Bool("json", false, `one JSON object per line: {"text","label","label_id","probability","logits"}`)
			input := fs.String("input", "", `file with one text per line ("-" = standard input)`)
			batchSize := fs.Int("batch-size", 32, "texts per forward pass")
			maxLength := fs.Int("max-length", 0, "truncate texts to this many tokens, [CLS]/[SEP] included (0: 128 or the model's max_position_embeddings if smaller)")
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
			dir, err := bert.ResolveModelDir(context.Background(), hub.NewFromEnv(), *model)
			if err != nil {
				return err
			}
			p, err := bert.LoadPredictor(dir, bert.PredictorOptions{MaxLength: *maxLength, BatchSize: *batchSize})
			if err != nil {
				return err
			}
			if r := p.Model().Report; r != nil && len(r.Initialized) > 0 {
				fmt.Fprintln(os.Stderr, "polarity predict: warning:", r)
			}
			out := bufio.NewWriter(os.Stdout)
			defer out.Flush()
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
