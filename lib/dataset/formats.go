package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Format is a review file format.
type Format string

// The formats OpenFile reads.
const (
	Parquet  Format = "parquet"  // columns label (int), text (string): the hub's schema
	JSONL    Format = "jsonl"    // one {"label": 0|1, "text": "..."} object per line
	CSV      Format = "csv"      // Amazon's label,title,content (labels 1/2) or a header naming label,text
	FastText Format = "fasttext" // __label__1|2 title: content (1 = negative, 2 = positive)
)

// maxLineBytes bounds one JSONL or fastText line (one review).
const maxLineBytes = 16 << 20

// OpenFile opens a review file, choosing the format by extension (.parquet,
// .jsonl/.json/.ndjson, .csv, .txt/.ft) or, failing that, by its first bytes.
// Text formats may be gzip-compressed (.gz).
func OpenFile(path string) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory; give a review file", path)
	}
	if st.Size() == 0 {
		f.Close()
		return nil, fmt.Errorf("%s is empty (0 bytes); expected reviews in parquet, JSONL, CSV or fastText format", path)
	}
	format, err := detectFormat(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	if format == Parquet {
		return parquetFromFile(path, f, st.Size())
	}
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: not a valid gzip file: %w", path, err)
		}
		r = gz
	}
	return NewTextReader(path, format, r, f)
}

// detectFormat picks the format from the name, else from the content.
func detectFormat(path string, f *os.File) (Format, error) {
	name := strings.TrimSuffix(strings.ToLower(path), ".gz")
	switch {
	case strings.HasSuffix(name, ".parquet"):
		return Parquet, nil
	case strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".ndjson"):
		return JSONL, nil
	case strings.HasSuffix(name, ".csv"):
		return CSV, nil
	case strings.HasSuffix(name, ".txt"), strings.HasSuffix(name, ".ft"):
		return FastText, nil
	}
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return Parquet, nil
	case bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")):
		return JSONL, nil
	case bytes.HasPrefix(head, []byte("__label__")):
		return FastText, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format; name it .parquet, .jsonl, .csv or .txt (fastText)", path)
}

// textReader reads the line- or record-based formats.
type textReader struct {
	name   string
	format Format
	closer io.Closer
	lines  *bufio.Scanner
	csv    *csv.Reader
	// csvLabel, csvText, csvTitle are column indexes (-1: absent).
	csvLabel, csvTitle, csvText int
	csvAmazon                   bool
	// pending is a first CSV record that was data, not a header.
	pending []string
	line    int
}

// NewTextReader reads JSONL, CSV or fastText reviews from r; name labels
// errors and closer (may be nil) is closed by Close.
func NewTextReader(name string, format Format, r io.Reader, closer io.Closer) (Reader, error) {
	t := &textReader{name: name, format: format, closer: closer}
	switch format {
	case JSONL, FastText:
		t.lines = bufio.NewScanner(r)
		t.lines.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	case CSV:
		t.csv = csv.NewReader(r)
		t.csv.FieldsPerRecord = -1
		t.csv.ReuseRecord = true
		if err := t.csvHeader(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s: unknown text format %q (want jsonl, csv or fasttext)", name, format)
	}
	return t, nil
}

// csvHeader reads the first record: a header naming "label" and "text" (or
// "content"/"title"), or else the first review of Amazon's label,title,content.
func (t *textReader) csvHeader() error {
	rec, err := t.csv.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s has no CSV records", t.name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	t.csvLabel, t.csvTitle, t.csvText = -1, -1, -1
	for i, h := range rec {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "label", "polarity", "sentiment":
			t.csvLabel = i
		case "title":
			t.csvTitle = i
		case "text", "content", "review":
			t.csvText = i
		}
	}
	if t.csvLabel >= 0 && t.csvText >= 0 {
		t.line = 1
		return nil
	}
	if len(rec) == 3 {
		// No header: Amazon's original train.csv/test.csv.
		t.csvAmazon, t.csvLabel, t.csvTitle, t.csvText = true, 0, 1, 2
		t.pending = append([]string(nil), rec...)
		return nil
	}
	return fmt.Errorf("%s: CSV header %q lacks a \"label\" and a \"text\" column, and the file is not Amazon's 3-column label,title,content; "+
		"add a header line such as label,text", t.name, rec)
}

func (t *textReader) Next() (Review, error) {
	switch t.format {
	case CSV:
		return t.nextCSV()
	}
	for t.lines.Scan() {
		t.line++
		line := bytes.TrimSpace(t.lines.Bytes())
		if len(line) == 0 {
			continue
		}
		if t.format == JSONL {
			return t.parseJSON(line)
		}
		return t.parseFastText(string(line)), nil
	}
	if err := t.lines.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Review{}, fmt.Errorf("%s line %d: longer than %d MiB; is this really a %s file?", t.name, t.line+1, maxLineBytes>>20, t.format)
		}
		return Review{}, fmt.Errorf("%s: %w", t.name, err)
	}
	return Review{}, io.EOF
}

func (t *textReader) parseJSON(line []byte) (Review, error) {
	var obj struct {
		Label json.RawMessage `json:"label"`
		Text  *string         `json:"text"`
	}
	if err := json.Unmarshal(line, &obj); err != nil {
		return Review{}, fmt.Errorf("%s line %d: not a JSON object (%v); each line must be {\"label\": 0|1, \"text\": \"...\"}", t.name, t.line, err)
	}
	rev := Review{Label: InvalidLabel}
	if n, err := strconv.Atoi(string(obj.Label)); err == nil {
		rev.Label = n
	}
	if obj.Text != nil {
		rev.Text = *obj.Text
	}
	return rev, nil
}

// parseFastText reads "__label__N title: content" (N = 1 negative, 2 positive).
func (t *textReader) parseFastText(line string) Review {
	rev := Review{Label: InvalidLabel}
	tag, text, _ := strings.Cut(line, " ")
	if n, ok := strings.CutPrefix(tag, "__label__"); ok {
		if v, err := strconv.Atoi(n); err == nil {
			rev.Label = amazonLabel(v)
		}
	} else {
		text = line
	}
	rev.Text = strings.TrimSpace(text)
	return rev
}

func (t *textReader) nextCSV() (Review, error) {
	rec := t.pending
	t.pending = nil
	if rec == nil {
		var err error
		rec, err = t.csv.Read()
		if errors.Is(err, io.EOF) {
			return Review{}, io.EOF
		}
		if err != nil {
			return Review{}, fmt.Errorf("%s: %w; fix the CSV quoting", t.name, err)
		}
	}
	t.line++
	field := func(i int) string {
		if i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	rev := Review{Label: InvalidLabel}
	if n, err := strconv.Atoi(field(t.csvLabel)); err == nil {
		rev.Label = n
		if t.csvAmazon {
			rev.Label = amazonLabel(n)
		}
	}
	rev.Text = joinTitle(field(t.csvTitle), field(t.csvText))
	return rev, nil
}

// amazonLabel maps the original dataset's class numbers (1 = negative,
// 2 = positive) to 0/1.
func amazonLabel(n int) int {
	switch n {
	case 1:
		return Negative
	case 2:
		return Positive
	}
	return InvalidLabel
}

// joinTitle joins a review's title and body the way the fastText copies do:
// "title: body".
func joinTitle(title, body string) string {
	switch {
	case title == "":
		return body
	case body == "":
		return title
	}
	return title + ": " + body
}

func (t *textReader) Close() error {
	if t.closer != nil {
		return t.closer.Close()
	}
	return nil
}
