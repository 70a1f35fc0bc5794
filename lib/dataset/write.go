package dataset

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/polarityml/polarity/lib/atomicfile"
)

// WriteFile writes reviews to path in format, atomically. JSONL carries the
// hub's fields (label, text, label_text); CSV has the header label,text;
// fastText writes "__label__1" (negative) or "__label__2" (positive) and the
// text with line breaks turned into spaces, as the format needs.
func WriteFile(path string, format Format, reviews []Review) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Write(w, format, reviews) })
}

// Write writes reviews to w in format (see WriteFile).
func Write(w io.Writer, format Format, reviews []Review) error {
	if format == Parquet {
		return WriteParquet(w, reviews)
	}
	bw := bufio.NewWriter(w)
	switch format {
	case JSONL:
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		for _, r := range reviews {
			if err := enc.Encode(map[string]any{"label": r.Label, "text": r.Text, "label_text": LabelText(r.Label)}); err != nil {
				return err
			}
		}
	case CSV:
		cw := csv.NewWriter(bw)
		if err := cw.Write([]string{"label", "text"}); err != nil {
			return err
		}
		for _, r := range reviews {
			if err := cw.Write([]string{strconv.Itoa(r.Label), r.Text}); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	case FastText:
		flat := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")
		for _, r := range reviews {
			if r.Label != Negative && r.Label != Positive {
				return fmt.Errorf("fastText cannot hold label %d; labels must be 0 or 1", r.Label)
			}
			if _, err := fmt.Fprintf(bw, "__label__%d %s\n", r.Label+1, flat.Replace(r.Text)); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unknown format %q; use parquet, jsonl, csv or fasttext", format)
	}
	return bw.Flush()
}
