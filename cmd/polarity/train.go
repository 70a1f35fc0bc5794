package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/polarityml/polarity/lib/train"
)

func trainCommand() *command {
	const summary = "Fine-tune BERT on reviews (offline default: the tiny model on the embedded sample)."
	return &command{
		name:    "train",
		summary: summary,
		run: func(args []string) error {
			preset, cfg, err := presetConfig(args)
			if err != nil {
				return err
			}
			fs := newFlags("polarity train", "", summary+
				"\n\nPresets set every flag; flags given explicitly override them:\n"+
				"  offline   tiny BERT from random init, 3,000 sample reviews, 64 tokens, lr 1e-3, 2 epochs (default)\n"+
				"  laptop    "+train.LaptopModel+" (BERT-Small, downloaded), 7,000 reviews, lr 1e-4, 2 epochs: ~15 min on 2 CPU cores\n"+
				"  finetune  bert-base-uncased, lr 2e-5, 6% warmup, 3 epochs, clip 1.0\n"+
				"  seed      the seed notebook's recipe: lr 1e-6, 5 epochs, no warmup, no clipping\n"+
				"\nCtrl-C or SIGTERM saves the training state; --resume continues exactly.")
			fs.String("preset", preset, "starting recipe: "+strings.Join(train.Presets, ", "))
			resume := fs.Bool("resume", false, "continue from the training state in --out")
			cfg.RegisterFlags(fs)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				fs.Usage()
				return errUsage
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			logf := func(format string, a ...any) { fmt.Fprintf(os.Stderr, "polarity train: "+format+"\n", a...) }
			logf("%s", cfg.String())
			start := time.Now()
			res, err := train.Run(ctx, cfg, train.RunOptions{Resume: *resume, ShowProgress: true, Log: logf})
			if err != nil {
				return err
			}
			out := cfg.Training.OutDir
			fmt.Printf("trained %d steps on %d reviews in %s (tokenizing %s), %.1f samples/s\n",
				res.Steps, res.TrainSize, time.Since(start).Round(time.Second), res.TokenizeTime.Round(time.Millisecond), res.SamplesPerSecond)
			if len(res.History) > 0 {
				last := res.History[len(res.History)-1]
				fmt.Printf("final validation: loss %.4f, accuracy %.4f on %d reviews\n", last.ValLoss, last.ValAccuracy, res.ValSize)
			}
			fmt.Printf("best validation: loss %.4f, accuracy %.4f", res.BestValLoss, res.BestValAccuracy)
			if res.StoppedEarly {
				fmt.Print(" (stopped early)")
			}
			fmt.Printf("\nmodel: %s  history: %s  curves: %s\n", out,
				filepath.Join(out, train.HistoryCSV), filepath.Join(out, train.CurvesPNG))
			return nil
		},
	}
}

// presetConfig is the configuration of the preset args name (--preset),
// the defaults of the other flags.
func presetConfig(args []string) (string, train.Config, error) {
	preset, err := presetArg(args)
	if err != nil {
		return "", train.Config{}, err
	}
	cfg, err := train.NewConfig(preset)
	return preset, cfg, err
}

// presetArg finds --preset in args before the other flags are registered,
// since the preset supplies their defaults.
func presetArg(args []string) (string, error) {
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "preset" {
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return "", fmt.Errorf("--preset needs a value: one of %s", strings.Join(train.Presets, ", "))
			}
			value = args[i+1]
		}
		return value, nil
	}
	return train.PresetOffline, nil
}
