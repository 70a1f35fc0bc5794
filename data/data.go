// Package data embeds the offline default review sample: data/sample/
// {train,test}.parquet, SYNTHETIC reviews written by
// github.com/polarityml/polarity/lib/dataset/synthetic (`polarity data
// gen-sample` regenerates them byte for byte). They are not Amazon data.
package data

import (
	"embed"
	"fmt"
)

//go:embed sample/*.parquet
var sample embed.FS

// SampleSplits are the splits the embedded sample has.
var SampleSplits = []string{"train", "test"}

// Sample returns the parquet bytes of the embedded sample's split ("train"
// or "test").
func Sample(split string) ([]byte, error) {
	b, err := sample.ReadFile("sample/" + split + ".parquet")
	if err != nil {
		return nil, fmt.Errorf("the embedded sample has no split %q; use \"train\" or \"test\"", split)
	}
	return b, nil
}
