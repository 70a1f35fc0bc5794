package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/eda"
	"github.com/polarityml/polarity/lib/eda/plots"
	"github.com/polarityml/polarity/lib/progress"
)

func edaCommand() *command {
	return &command{
		name:    "eda",
		summary: "Exploratory analysis: top n-grams, or every plot and number of the seed's EDA.",
		subs:    []*command{edaNgramsCommand(), edaReportCommand()},
	}
}

// reviewFlags are the flags that choose the reviews to analyse.
type reviewFlags struct {
	input, data, split string
	sample             int
}

func addReviewFlags(fs *flag.FlagSet) *reviewFlags {
	rf := &reviewFlags{}
	fs.StringVar(&rf.input, "input", "", "review `FILE` (parquet, JSONL, CSV or fastText, optionally .gz), streamed")
	fs.StringVar(&rf.data, "data", "", "review source: sample, hub or a path (default $"+dataset.SourceEnv+", else sample)")
	fs.StringVar(&rf.split, "split", "train", "split of --data: train or test")
	fs.IntVar(&rf.sample, "sample", -1, fmt.Sprintf("analyse the first N reviews; 0 = all (default %d with --data, all with --input)", dataset.EDASampleSize))
	return rf
}

// errEnough stops a scan once the sample is complete.
var errEnough = errors.New("sample complete")

// each calls fn for every chosen review with a progress bar on stderr and
// returns a description of the reviews.
func (rf *reviewFlags) each(fn func(row int, r dataset.Review) error) (string, error) {
	if rf.input != "" && rf.data != "" {
		return "", fmt.Errorf("use either --input FILE or --data SOURCE, not both")
	}
	limit := rf.sample
	bar := progress.New("eda", 0, "reviews")
	defer bar.Done()
	analysed := 0
	step := func(row int, r dataset.Review) error {
		if limit > 0 && row >= limit {
			return errEnough
		}
		analysed++
		bar.Add(1)
		if err := fn(row, r); err != nil {
			return fmt.Errorf("row %d: %w", row, err)
		}
		return nil
	}
	if rf.input != "" {
		r, err := dataset.OpenFile(rf.input)
		if err != nil {
			return "", err
		}
		defer r.Close()
		if _, err := dataset.Scan(r, step); err != nil && !errors.Is(err, errEnough) {
			return "", fmt.Errorf("%s: %w", rf.input, err)
		}
		return fmt.Sprintf("%d reviews from %s", analysed, rf.input), nil
	}
	src, err := dataset.SourceFromEnv()
	if rf.data != "" {
		src, err = dataset.ParseSource(rf.data)
	}
	if err != nil {
		return "", err
	}
	if limit < 0 {
		limit = dataset.EDASampleSize
	}
	reviews, err := dataset.Load(src, rf.split)
	if err != nil {
		return "", err
	}
	if limit > 0 {
		reviews = reviews[:min(limit, len(reviews))]
	}
	bar.SetTotal(int64(len(reviews)))
	for i, r := range reviews {
		if err := step(i, r); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d %s reviews of %s", analysed, rf.split, src), nil
}

func edaNgramsCommand() *command {
	const summary = `Print the top n-grams as JSON [["w1 w2", count], ...], sorted by count then n-gram;
counts equal scikit-learn's CountVectorizer(ngram_range=(n, n)) summed over reviews.`
	return &command{
		name:    "ngrams",
		summary: "Print the top n-grams (scikit-learn CountVectorizer counts) as JSON.",
		run: func(args []string) error {
			fs := newFlags("polarity eda ngrams", "", summary)
			n := fs.Int("n", 1, "n-gram size")
			top := fs.Int("top", 20, "how many n-grams to print (0 = all)")
			capacity := fs.Int("capacity", 1<<20, "most distinct n-grams kept in memory (0 = unbounded); beyond it counts are Space-Saving estimates")
			rf := addReviewFlags(fs)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 || *n < 1 || *top < 0 {
				fs.Usage()
				return errUsage
			}
			counter, err := eda.NewNgramCounter(*capacity, *n)
			if err != nil {
				return err
			}
			desc, err := rf.each(func(_ int, r dataset.Review) error { return counter.Add(r.Text) })
			if err != nil {
				return err
			}
			if counter.Docs() == 0 {
				return eda.ErrEmptyCorpus
			}
			c := counter.Counter(*n)
			if !c.Exact() {
				fmt.Fprintf(os.Stderr, "note: more than %d distinct %d-grams; counts are upper bounds (Space-Saving); raise --capacity for exact counts\n", *capacity, *n)
			}
			fmt.Fprintf(os.Stderr, "%s: %d distinct %d-grams\n", desc, c.Distinct(), *n)
			out, err := json.Marshal(c.Top(*top))
			if err != nil {
				return err
			}
			_, err = fmt.Println(string(out))
			return err
		},
	}
}

func edaReportCommand() *command {
	const summary = `Write every EDA plot (PNG and SVG), the word clouds (PNG) and report.json
with every number (per-sentiment length statistics and histograms, the
mean-word-length KDE, top words and n-grams, word-cloud frequencies) into DIR.`
	return &command{
		name:    "report",
		summary: "Write every EDA plot and a JSON of every number into a directory.",
		run: func(args []string) error {
			fs := newFlags("polarity eda report", "", summary)
			out := fs.String("out", "", "output `DIR` (required)")
			seed := fs.Uint64("seed", 42, "word-cloud seed")
			top := fs.Int("top", 20, "how many words and n-grams to report")
			capacity := fs.Int("capacity", 1<<18, "most distinct terms each counter keeps (0 = unbounded); bounds memory on millions of reviews")
			rf := addReviewFlags(fs)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 || *out == "" {
				fs.Usage()
				return errUsage
			}
			a, err := eda.NewAnalyzer(eda.Options{TopK: *top, Capacity: *capacity})
			if err != nil {
				return err
			}
			desc, err := rf.each(func(_ int, r dataset.Review) error { return a.Add(r.Label, r.Text) })
			if err != nil {
				return err
			}
			r, err := a.Report()
			if err != nil {
				return err
			}
			r.Source = desc
			paths, err := plots.WriteReport(*out, r, *seed)
			if err != nil {
				return err
			}
			for _, p := range paths {
				fmt.Println(p)
			}
			fmt.Fprintf(os.Stderr, "%s: %d files written to %s\n", desc, len(paths), *out)
			return nil
		},
	}
}
