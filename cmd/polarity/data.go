package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/dataset/synthetic"
	"github.com/polarityml/polarity/lib/hub"
)

func dataCommand() *command {
	return &command{
		name:    "data",
		summary: "Download Amazon Polarity, regenerate the synthetic sample, inspect and sample reviews.",
		subs: []*command{
			dataDownloadCommand(),
			dataGenSampleCommand(),
			dataHeadCommand(),
			dataStatsCommand(),
			dataSelectCommand(),
		},
	}
}

func dataDownloadCommand() *command {
	const summary = "Download mteb/amazon_polarity from the Hugging Face hub into the HF cache ($HF_HOME/hub) and print the local paths.\n" +
		"HF_TOKEN is optional (never printed); HF_HUB_OFFLINE=1 only checks the cache."
	return &command{
		name:    "download",
		summary: "Download mteb/amazon_polarity from the Hugging Face hub into the HF cache.",
		run: func(args []string) error {
			fs := newFlags("polarity data download", "", summary)
			split := fs.String("split", "all", "split to download: train, test or all")
			format := fs.String("format", "parquet", "parquet (refs/convert/parquet shards) or jsonl (train.jsonl/test.jsonl on main)")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				fs.Usage()
				return errUsage
			}
			splits, err := splitList(*split)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			c := hub.NewFromEnv()
			for _, s := range splits {
				var paths []string
				switch *format {
				case "parquet":
					paths, err = dataset.DownloadHub(ctx, c, s)
				case "jsonl":
					var p string
					p, err = c.Download(ctx, hub.File{Type: hub.Dataset, Repo: dataset.HubRepo, Revision: "main", Path: s + ".jsonl"})
					paths = []string{p}
				default:
					return fmt.Errorf("unknown --format %q; use parquet or jsonl", *format)
				}
				if err != nil {
					return err
				}
				for _, p := range paths {
					fmt.Println(p)
				}
			}
			return nil
		},
	}
}

func splitList(split string) ([]string, error) {
	switch split {
	case "all":
		return dataset.Splits, nil
	case "train", "test":
		return []string{split}, nil
	}
	return nil, fmt.Errorf("unknown --split %q; use train, test or all", split)
}

func dataGenSampleCommand() *command {
	const summary = "Regenerate the embedded SYNTHETIC sample (data/sample/{train,test}.parquet) byte for byte,\n" +
		"or, with --rows, write one parquet file of N synthetic reviews (for benchmarks)."
	return &command{
		name:    "gen-sample",
		summary: "Regenerate the embedded synthetic sample (data/sample), or write N synthetic reviews.",
		run: func(args []string) error {
			fs := newFlags("polarity data gen-sample", "", summary)
			out := fs.String("out", filepath.Join("data", "sample"), "directory for train.parquet and test.parquet")
			rows := fs.Int("rows", 0, "write this many reviews to --file instead of the sample")
			seed := fs.Uint64("seed", synthetic.TrainSeed, "generator seed for --rows")
			file := fs.String("file", "", "output parquet file for --rows")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 || (*rows > 0) != (*file != "") {
				fs.Usage()
				if fs.NArg() == 0 {
					fmt.Fprintln(os.Stderr, "\n--rows and --file go together")
				}
				return errUsage
			}
			start := time.Now()
			if *rows > 0 {
				if err := synthetic.WriteRows(*file, *rows, *seed); err != nil {
					return err
				}
				fmt.Printf("%s  %d synthetic reviews  %s\n", *file, *rows, fileSize(*file))
			} else {
				if err := synthetic.WriteSample(*out); err != nil {
					return err
				}
				for _, s := range dataset.Splits {
					p := filepath.Join(*out, s+".parquet")
					fmt.Printf("%s  %s  (SYNTHETIC reviews, not Amazon data)\n", p, fileSize(p))
				}
			}
			fmt.Fprintf(os.Stderr, "done in %.1fs\n", time.Since(start).Seconds())
			return nil
		},
	}
}

func fileSize(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.2f MB", float64(st.Size())/1e6)
}

// openReviews opens FILE, or "sample" (the embedded sample's split).
func openReviews(arg, split string) (dataset.Reader, string, error) {
	if arg == "sample" {
		reviews, err := dataset.Load(dataset.Source{Kind: dataset.Sample}, split)
		if err != nil {
			return nil, "", err
		}
		return dataset.NewSliceReader(reviews), "embedded SYNTHETIC sample, " + split, nil
	}
	r, err := dataset.OpenFile(arg)
	return r, arg, err
}

func dataHeadCommand() *command {
	const summary = "Print the first N reviews of FILE (parquet, JSONL, CSV, fastText; or \"sample\") as label, label_text, text."
	return &command{
		name:    "head",
		summary: "Print the first reviews of a file.",
		run: func(args []string) error {
			fs := newFlags("polarity data head", "FILE|sample", summary)
			n := fs.Int("n", 5, "number of reviews")
			split := fs.String("split", "train", "split of the sample")
			width := fs.Int("width", 0, "cut texts to this many characters (0: whole text)")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 || *n < 0 {
				fs.Usage()
				return errUsage
			}
			r, name, err := openReviews(fs.Arg(0), *split)
			if err != nil {
				return err
			}
			defer r.Close()
			fmt.Fprintf(os.Stderr, "# %s\n", name)
			flat := strings.NewReplacer("\r", `\r`, "\n", `\n`, "\t", " ")
			for i := 0; i < *n; i++ {
				rev, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return err
				}
				text := flat.Replace(rev.Text)
				if *width > 0 && len([]rune(text)) > *width {
					text = string([]rune(text)[:*width]) + "…"
				}
				fmt.Printf("%d\t%s\t%s\n", rev.Label, dataset.LabelText(rev.Label), text)
			}
			return nil
		},
	}
}

func dataStatsCommand() *command {
	const summary = "Stream FILE (or \"sample\") once and print row and label counts, empty texts, invalid labels,\n" +
		"text lengths, and the reading speed. Memory stays bounded whatever the file size."
	return &command{
		name:    "stats",
		summary: "Count rows, labels, problems and text lengths of a file, streaming.",
		run: func(args []string) error {
			fs := newFlags("polarity data stats", "FILE|sample", summary)
			split := fs.String("split", "train", "split of the sample")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				fs.Usage()
				return errUsage
			}
			r, name, err := openReviews(fs.Arg(0), *split)
			if err != nil {
				return err
			}
			defer r.Close()
			start := time.Now()
			s, err := dataset.Scan(r, nil)
			if err != nil {
				return err
			}
			secs := time.Since(start).Seconds()
			fmt.Printf("%s\n%s\nread in %.2fs: %.0f rows/s\n", name, s, secs, float64(s.Rows)/secs)
			return s.Check(name)
		},
	}
}

func dataSelectCommand() *command {
	const summary = "Print the K row indices of HF datasets' shuffle(seed=S).select(range(K)) over N rows, one per line\n" +
		"(numpy.random.default_rng(S).permutation(N)[:K], exactly)."
	return &command{
		name:    "select",
		summary: "Print the row indices shuffle(seed).select(range(K)) picks.",
		run: func(args []string) error {
			fs := newFlags("polarity data select", "", summary)
			rows := fs.Int("rows", 0, "N, the number of rows in the split (e.g. 3600000)")
			seed := fs.Uint64("seed", dataset.SeedShuffle, "shuffle seed")
			take := fs.Int("take", 0, "K, how many indices to print")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 || *rows <= 0 || *take <= 0 {
				fs.Usage()
				fmt.Fprintln(os.Stderr, "\n--rows and --take must be positive")
				return errUsage
			}
			if *take > *rows {
				return fmt.Errorf("--take %d is more than --rows %d", *take, *rows)
			}
			var b strings.Builder
			for _, i := range dataset.ShuffleIndices(*rows, *seed)[:*take] {
				b.WriteString(strconv.Itoa(i))
				b.WriteByte('\n')
			}
			_, err := os.Stdout.WriteString(b.String())
			return err
		},
	}
}
