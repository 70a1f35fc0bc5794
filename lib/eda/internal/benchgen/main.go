// Command benchgen writes N synthetic reviews (package dataset/synthetic) as a
// fastText file for the EDA benchmarks, in chunks so that memory stays small.
//
// Usage: go run ./lib/eda/internal/benchgen -n 1000000 -o build/bench/reviews-1m.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/dataset/synthetic"
)

func main() {
	n := flag.Int("n", 1000000, "reviews to write")
	out := flag.String("o", "", "output fastText file (required)")
	flag.Parse()
	if *out == "" || *n <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}

func write(path string, n int) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	const chunk = 50000
	for done, seed := 0, uint64(1); done < n; done, seed = done+chunk, seed+1 {
		if err := dataset.Write(w, dataset.FastText, synthetic.Generate(min(chunk, n-done), seed)); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
