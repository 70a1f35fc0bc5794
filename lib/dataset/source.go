// Package dataset loads Amazon Polarity reviews: the embedded synthetic
// sample (the offline default), the Hugging Face hub copy, or a user's file.
package dataset

import (
	"fmt"
	"os"
	"strings"
)

// SourceEnv names the environment variable that picks the review source for
// the notebooks and the CLI: "sample" (default), "hub", or a file path.
const SourceEnv = "POLARITY_DATA"

// SourceKind says where reviews come from.
type SourceKind string

const (
	// Sample is the embedded synthetic sample under data/sample: it runs
	// offline, and it is NOT real Amazon data.
	Sample SourceKind = "sample"
	// Hub is mteb/amazon_polarity downloaded from the Hugging Face hub.
	Hub SourceKind = "hub"
	// File is a user's own file (parquet, JSONL, CSV or fastText).
	File SourceKind = "file"
)

// Source is a resolved review source.
type Source struct {
	Kind SourceKind
	// Path is the file for Kind == File.
	Path string
}

// ParseSource turns "sample", "hub" or a path into a Source. The empty string
// means the sample.
func ParseSource(spec string) (Source, error) {
	switch strings.TrimSpace(spec) {
	case "", string(Sample):
		return Source{Kind: Sample}, nil
	case string(Hub):
		return Source{Kind: Hub}, nil
	}
	if _, err := os.Stat(spec); err != nil {
		return Source{}, fmt.Errorf("review source %q is neither \"sample\", \"hub\" nor a readable file: %w", spec, err)
	}
	return Source{Kind: File, Path: spec}, nil
}

// SourceFromEnv resolves $POLARITY_DATA (see SourceEnv).
func SourceFromEnv() (Source, error) {
	src, err := ParseSource(os.Getenv(SourceEnv))
	if err != nil {
		return Source{}, fmt.Errorf("$%s: %w", SourceEnv, err)
	}
	return src, nil
}

// String describes the source for people, saying plainly when it is synthetic.
func (s Source) String() string {
	switch s.Kind {
	case Hub:
		return "Amazon Polarity from the Hugging Face hub (mteb/amazon_polarity)"
	case File:
		return "reviews from file " + s.Path
	default:
		return "embedded SYNTHETIC sample (generated reviews, not real Amazon data; set " + SourceEnv + "=hub for the real dataset)"
	}
}
