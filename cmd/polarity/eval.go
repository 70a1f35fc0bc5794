package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/train"
)

func evalCommand() *command {
	const summary = "Evaluate a trained model: accuracy, loss, confusion matrix, classification report."
	return &command{
		name:    "eval",
		summary: summary,
		run: func(args []string) error {
			fs := newFlags("polarity eval", "", summary)
			modelDir := fs.String("model", "build/model", "model: a Hugging Face checkpoint directory, a hub repo id owner/name[@revision] (downloaded into the HF cache), or tiny (untrained)")
			data := fs.String("data", "sample", "reviews: sample, hub, or a file/directory")
			split := fs.String("split", "test", "split to evaluate: test or train")
			batch := fs.Int("batch", 32, "reviews per batch")
			maxLen := fs.Int("max-len", 128, "maximum tokens per review")
			limit := fs.Int("limit", 0, "evaluate only the first N reviews of the split (0 = all)")
			asJSON := fs.Bool("json", false, "print one JSON object (sklearn's output_dict layout under \"report\")")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 || *batch < 1 || *limit < 0 {
				fs.Usage()
				return errUsage
			}
			src, err := dataset.ParseSource(*data)
			if err != nil {
				return err
			}
			reviews, err := dataset.Load(src, *split)
			if err != nil {
				return err
			}
			if *limit > 0 && *limit < len(reviews) {
				reviews = reviews[:*limit]
			}
			model, err := train.LoadModel(context.Background(), *modelDir, 42, *maxLen)
			if err != nil {
				return err
			}
			ev, err := train.EvaluateReviews(model, reviews, *batch, *maxLen, !*asJSON)
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(os.Stdout).Encode(map[string]any{
					"model": *modelDir, "data": src.String(), "split": *split, "examples": len(reviews),
					"loss": ev.Loss, "accuracy": ev.Accuracy, "report": ev.Report, "label_mapping": ev.LabelMap.String(),
				})
			}
			fmt.Printf("model %s on %s, split %s: %d reviews\nmodel classes mapped %s\n", *modelDir, src, *split, len(reviews), ev.LabelMap)
			fmt.Printf("accuracy %.4f  loss %.4f\n\nconfusion matrix (rows: true, columns: predicted)\n", ev.Accuracy, ev.Loss)
			names := ev.Report.Names
			width := 10
			fmt.Printf("%*s", width, "")
			for _, n := range names {
				fmt.Printf(" %10s", n)
			}
			fmt.Println()
			for i, row := range ev.Report.Confusion {
				fmt.Printf("%*s", width, names[i])
				for _, v := range row {
					fmt.Printf(" %10d", v)
				}
				fmt.Println()
			}
			fmt.Printf("\n%s", ev.Report.Text(4))
			return nil
		},
	}
}
