package dataset

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzTextReaders feeds arbitrary bytes to every text format: errors are
// fine, panics and endless loops are not.
func FuzzTextReaders(f *testing.F) {
	f.Add([]byte("__label__2 Great CD: fine\n__label__1 bad\n"))
	f.Add([]byte(`{"label":1,"text":"a"}` + "\n" + `{"label":"x"}` + "\n"))
	f.Add([]byte("label,text\n1,\"unterminated\n"))
	f.Add([]byte("\"2\",\"t\",\"c\"\n1,2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []Format{JSONL, CSV, FastText} {
			r, err := NewTextReader("fuzz", format, bytes.NewReader(data), nil)
			if err != nil {
				continue
			}
			for range len(data) + 2 {
				if _, err := r.Next(); err != nil {
					if !errors.Is(err, io.EOF) && err.Error() == "" {
						t.Fatal("empty error message")
					}
					break
				}
			}
		}
	})
}

// FuzzParquetReader feeds damaged parquet bytes to the parquet reader.
func FuzzParquetReader(f *testing.F) {
	var good bytes.Buffer
	if err := WriteParquet(&good, numbered(50, 0)); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes(), 100, byte(0xff))
	f.Add(good.Bytes(), 4, byte(0x01))
	f.Fuzz(func(t *testing.T, data []byte, at int, xor byte) {
		data = bytes.Clone(data)
		if len(data) > 0 {
			data[(at%len(data)+len(data))%len(data)] ^= xor
		}
		r, err := NewParquetReader("fuzz.parquet", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		defer r.Close()
		for range 1000 {
			if _, err := r.Next(); err != nil {
				return
			}
		}
	})
}
