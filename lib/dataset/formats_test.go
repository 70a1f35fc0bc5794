package dataset

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// awkwardReviews exercise quoting, Unicode, newlines and an empty text.
var awkwardReviews = []Review{
	{Positive, "Great CD: My lovely Pat has one of the GREAT voices of her generation."},
	{Negative, `Broke after a week: "junk", said my son, and he was right, sadly.`},
	{Positive, "Café crème: naïve, 日本語 and emoji 👍 all survive"},
	{Negative, "multi\nline review\r\nwith breaks"},
	{Positive, ""},
	{Negative, "   leading and trailing spaces are kept by parquet/JSON   "},
}

func TestFormatRoundTrips(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		format Format
		name   string
		// fastText flattens line breaks and trims; CSV and fastText trim.
		normalise func(string) string
	}{
		{Parquet, "r.parquet", nil},
		{JSONL, "r.jsonl", nil},
		// encoding/csv turns \r\n inside quotes into \n.
		{CSV, "r.csv", func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }},
		{FastText, "r.txt", func(s string) string {
			return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\n", " ").Replace(s))
		}},
	} {
		path := filepath.Join(dir, c.name)
		if err := WriteFile(path, c.format, awkwardReviews); err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		r, err := OpenFile(path)
		if err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		got, sum, err := ReadAll(r, path)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		if len(got) != len(awkwardReviews) {
			t.Fatalf("%s: %d reviews back, wrote %d", c.format, len(got), len(awkwardReviews))
		}
		for i, want := range awkwardReviews {
			if c.normalise != nil {
				want.Text = c.normalise(want.Text)
			}
			if got[i] != want {
				t.Errorf("%s row %d: got %+v, want %+v", c.format, i, got[i], want)
			}
		}
		if sum.EmptyTexts != 1 || sum.Labels != [2]int{3, 3} {
			t.Errorf("%s: summary %s; want 1 empty text and 3/3 labels", c.format, sum)
		}
	}
}

func TestAmazonCSVAndFastTextMapLabels(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "train.csv")
	os.WriteFile(csvPath, []byte("\"2\",\"Great CD\",\"My lovely Pat\"\n\"1\",\"Bad\",\"\"\"Quoted\"\" body\"\n"), 0o644)
	ftPath := filepath.Join(dir, "test.ft.txt.gz")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("__label__2 Great CD: My lovely Pat\n\n__label__1 Bad: \"Quoted\" body\n"))
	zw.Close()
	os.WriteFile(ftPath, gz.Bytes(), 0o644)
	want := []Review{{Positive, "Great CD: My lovely Pat"}, {Negative, `Bad: "Quoted" body`}}
	for _, path := range []string{csvPath, ftPath} {
		r, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := ReadAll(r, path)
		r.Close()
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %+v, %v; want %+v", filepath.Base(path), got, err, want)
		}
	}
	// A directory with train.* and test.* is a File source with both splits.
	for split, n := range map[string]int{"train": 2, "test": 2} {
		got, err := Load(Source{Kind: File, Path: dir}, split)
		if err != nil || len(got) != n {
			t.Errorf("Load(dir, %s) = %d reviews, %v", split, len(got), err)
		}
	}
	if _, err := Load(Source{Kind: File, Path: csvPath}, "test"); err == nil || !strings.Contains(err.Error(), "single file") {
		t.Errorf("test split of a single file: %v", err)
	}
}

func TestBadInputGivesClearErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var good bytes.Buffer
	if err := WriteParquet(&good, awkwardReviews); err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(good.Bytes())
	for i := 4; i < len(corrupt)-8; i += 7 {
		corrupt[i] ^= 0x5a // damage pages and metadata, keep the magic
	}
	truncated := good.Bytes()[:good.Len()/2]
	type wrongRow struct {
		Stars   int64  `parquet:"stars"`
		Content string `parquet:"content"`
	}
	var wrong bytes.Buffer
	if err := writeGenericParquet(&wrong, []wrongRow{{5, "x"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		path string
		want []string
	}{
		{"empty parquet", write("empty.parquet", nil), []string{"empty (0 bytes)"}},
		{"empty jsonl", write("empty.jsonl", nil), []string{"empty (0 bytes)"}},
		{"corrupt parquet", write("corrupt.parquet", corrupt), []string{"corrupt.parquet", "re-download or regenerate"}},
		{"truncated parquet", write("truncated.parquet", truncated), []string{"not a readable parquet file"}},
		{"not parquet", write("text.parquet", []byte("label,text\n1,hello\n")), []string{"not a readable parquet file"}},
		{"wrong columns", write("wrong.parquet", wrong.Bytes()), []string{`columns [stars content]`, `"label"`, `"text"`}},
		{"labels outside {0,1}", write("bad.jsonl", []byte(`{"label":1,"text":"a"}`+"\n"+`{"label":5,"text":"b"}`+"\n"+`{"label":2,"text":"c"}`+"\n")),
			[]string{"2 of 3 rows have labels outside {0,1}", "row 1, label 5", "0 = negative, 1 = positive"}},
		{"missing label", write("nolabel.jsonl", []byte(`{"text":"a"}`+"\n")), []string{"missing or non-integer label"}},
		{"bad fastText label", write("bad.txt", []byte("__label__3 hmm\n")), []string{"labels outside {0,1}"}},
		{"not JSON", write("bad2.jsonl", []byte("{\"label\":1,\"text\":\"a\"}\nlabel,text\n")), []string{"line 2", "not a JSON object"}},
		{"CSV without label", write("bad.csv", []byte("id,body\n1,hello\n")), []string{`lacks a "label" and a "text" column`}},
		{"unknown format", write("reviews.dat", []byte("hello world\n")), []string{"cannot tell the format"}},
		{"only blank lines", write("blank.jsonl", []byte("\n\n")), []string{"has no reviews"}},
	} {
		_, err := Load(Source{Kind: File, Path: c.path}, "train")
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}
