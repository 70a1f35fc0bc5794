package main

import (
	"fmt"
	"os"

	"github.com/polarityml/polarity/lib/envinfo"
)

func envCommand() *command {
	const summary = "Show versions, the GoMLX backend and the review source."
	return &command{
		name:    "env",
		summary: summary,
		run: func(args []string) error {
			fs := newFlags("polarity env", "", summary)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				fs.Usage()
				return errUsage
			}
			items := envinfo.Report()
			width := 0
			for _, it := range items {
				width = max(width, len(it.Name))
			}
			for _, it := range items {
				fmt.Fprintf(os.Stdout, "%s  %s\n", padRight(it.Name, width), it.Value)
			}
			return nil
		},
	}
}
