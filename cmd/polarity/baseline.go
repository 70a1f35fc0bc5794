package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/polarityml/polarity/lib/baseline"
	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/train"
)

// baselineScores is one evaluation of the baseline in --json output.
type baselineScores struct {
	Split    string  `json:"split"`
	Data     string  `json:"data"`
	Reviews  int     `json:"reviews"`
	Accuracy float64 `json:"accuracy"`
	F1Macro  float64 `json:"f1_macro"`
	Seconds  float64 `json:"seconds"`
	Report   any     `json:"report"`
}

func baselineCommand() *command {
	const summary = "Train and evaluate the TF-IDF (uni+bigrams) + logistic regression baseline on the same split as train."
	return &command{
		name:    "baseline",
		summary: summary,
		run: func(args []string) error {
			preset, cfg, err := presetConfig(args)
			if err != nil {
				return err
			}
			fs := newFlags("polarity baseline", "", summary+
				"\n\nThe model is scikit-learn's TfidfVectorizer(ngram_range=(1, 2)) + LogisticRegression(C) (same vocabulary,\n"+
				"weights and predictions). It is trained on the training part of --data's train split, cut exactly as\n"+
				"polarity train cuts it (--preset and the data flags), and evaluated on the validation part and on the\n"+
				"test reviews (--test-data).")
			fs.String("preset", preset, "take the data selection of this polarity train preset: "+strings.Join(train.Presets, ", "))
			cfg.RegisterFlags(fs, train.DataKeys...)
			c := fs.Float64("C", 1, "inverse L2 regularisation strength (sklearn's C)")
			maxIter := fs.Int("max-iter", 1000, "L-BFGS iteration limit")
			testData := fs.String("test-data", "", "also evaluate on these reviews: sample, hub or a directory (its test split), or a file (all of it) (default: --data's test split, if it has one)")
			out := fs.String("out", "build/baseline.json.gz", "where the trained model is saved")
			exportSplit := fs.String("export-split", "", "also write the reviews as DIR/{train,validation,test}.jsonl (e.g. for scripts/golden/baseline.py)")
			asJSON := fs.Bool("json", false, "print one JSON object")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				fs.Usage()
				return errUsage
			}
			if !(*c > 0) || *maxIter < 1 {
				return fmt.Errorf("C=%g, max-iter=%d: both must be positive, e.g. C=1", *c, *maxIter)
			}
			if d := cfg.Data; d.ValFraction <= 0 || d.ValFraction >= 1 || d.Samples < 0 {
				return fmt.Errorf("val-fraction=%g, samples=%d: need a share in (0, 1) and a count >= 0 (0 = all)", d.ValFraction, d.Samples)
			}
			trainReviews, valReviews, src, err := train.Splits(cfg.Data)
			if err != nil {
				return err
			}
			testSrc := src
			if *testData != "" {
				if testSrc, err = dataset.ParseSource(*testData); err != nil {
					return err
				}
			}
			testReviews, err := loadTestReviews(testSrc, *testData != "")
			if err != nil {
				return err
			}
			if *exportSplit != "" {
				for name, rs := range map[string][]dataset.Review{"train": trainReviews, "validation": valReviews, "test": testReviews} {
					if rs == nil {
						continue
					}
					if err := dataset.WriteFile(filepath.Join(*exportSplit, name+".jsonl"), dataset.JSONL, rs); err != nil {
						return err
					}
				}
			}
			if !*asJSON {
				fmt.Fprintf(os.Stderr, "polarity baseline: training on %d reviews of %s\n", len(trainReviews), src)
			}
			m, err := baseline.Train(trainReviews, baseline.Options{C: *c, MaxIter: *maxIter})
			if err != nil {
				return err
			}
			if err := m.Save(*out); err != nil {
				return err
			}
			evals := []struct {
				split   string
				src     dataset.Source
				reviews []dataset.Review
			}{{"validation", src, valReviews}}
			if testReviews != nil {
				evals = append(evals, evals[0])
				evals[1].split, evals[1].src, evals[1].reviews = "test", testSrc, testReviews
			}
			var scores []baselineScores
			for _, e := range evals {
				ev, err := m.Evaluate(e.reviews)
				if err != nil {
					return err
				}
				scores = append(scores, baselineScores{Split: e.split, Data: e.src.String(), Reviews: len(e.reviews),
					Accuracy: ev.Report.Accuracy, F1Macro: ev.Report.Macro.F1, Seconds: ev.Time.Seconds(), Report: ev.Report})
			}
			if *asJSON {
				return json.NewEncoder(os.Stdout).Encode(map[string]any{
					"model": *out, "data": src.String(), "train_reviews": m.TrainReviews, "features": len(m.Coef),
					"C": m.C, "iterations": m.Iterations, "train_seconds": m.TrainTime.Seconds(), "evaluations": scores,
				})
			}
			fmt.Printf("TF-IDF (uni+bigrams, %d features) + logistic regression (C=%g, %d L-BFGS iterations)\n",
				len(m.Coef), m.C, m.Iterations)
			fmt.Printf("trained on %d reviews in %.2fs; saved to %s\n\n", m.TrainReviews, m.TrainTime.Seconds(), *out)
			fmt.Printf("validation: the held-out part of the selection from %s\n", src)
			if testReviews != nil {
				fmt.Printf("test: %s\n", testSrc)
			}
			fmt.Println()
			fmt.Printf("%-11s %8s %9s %9s %8s\n", "split", "reviews", "accuracy", "F1 macro", "time")
			for _, s := range scores {
				fmt.Printf("%-11s %8d %9.4f %9.4f %7.2fs\n", s.Split, s.Reviews, s.Accuracy, s.F1Macro, s.Seconds)
			}
			return nil
		},
	}
}

// loadTestReviews reads the reviews the baseline is tested on: the test split
// of src, or all of a single file named by --test-data. Without --test-data
// a single-file source has no test split: nil, and only validation is scored.
func loadTestReviews(src dataset.Source, explicit bool) ([]dataset.Review, error) {
	if src.Kind == dataset.File {
		if st, err := os.Stat(src.Path); err == nil && !st.IsDir() {
			if !explicit {
				return nil, nil
			}
			return dataset.Load(src, "train") // a single file is read whole
		}
	}
	return dataset.Load(src, "test")
}
