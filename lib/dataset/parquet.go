package dataset

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/polarityml/polarity/lib/atomicfile"
)

// hubRow is one row in mteb/amazon_polarity's parquet schema.
type hubRow struct {
	Label     int64  `parquet:"label"`
	Text      string `parquet:"text"`
	LabelText string `parquet:"label_text"`
}

// parquetRowGroupRows is the row-group size written by WriteParquet: the
// hub's converter writes about the same, and readers stream one page at a
// time either way.
const parquetRowGroupRows = 1000

// WriteParquet writes reviews to w in the hub's schema (label int64, text,
// label_text), zstd-compressed. The bytes depend only on the reviews.
func WriteParquet(w io.Writer, reviews []Review) error {
	pw := parquet.NewGenericWriter[hubRow](w,
		parquet.Compression(&parquet.Zstd),
		parquet.MaxRowsPerRowGroup(parquetRowGroupRows),
		parquet.CreatedBy("polarity", "1", ""),
	)
	batch := make([]hubRow, 0, parquetRowGroupRows)
	flush := func() error {
		_, err := pw.Write(batch)
		batch = batch[:0]
		return err
	}
	for _, r := range reviews {
		batch = append(batch, hubRow{Label: int64(r.Label), Text: r.Text, LabelText: LabelText(r.Label)})
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return pw.Close()
}

// WriteParquetFile writes reviews to path atomically (a temporary file in
// the same directory, renamed into place).
func WriteParquetFile(path string, reviews []Review) error {
	return atomicfile.Write(path, func(w io.Writer) error { return WriteParquet(w, reviews) })
}

// parquetReader streams label and text from a parquet file, one page per
// column at a time, so memory stays bounded by the page size whatever the
// file size.
type parquetReader struct {
	name          string
	file          *parquet.File
	closer        io.Closer
	labelCol      int
	textCol       int
	rowGroups     []parquet.RowGroup
	nextGroup     int
	labels, texts *columnCursor
}

// OpenParquet opens a parquet file with an integer "label" column and a
// string "text" column (other columns are ignored).
func OpenParquet(path string) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return parquetFromFile(path, f, st.Size())
}

// parquetFromFile reads the open parquet file f (size bytes), which the
// reader then owns: it is closed on error or by Close.
func parquetFromFile(path string, f *os.File, size int64) (Reader, error) {
	r, err := newParquetReader(path, f, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewParquetReader reads parquet bytes from r (size bytes long); name labels
// errors.
func NewParquetReader(name string, r io.ReaderAt, size int64) (Reader, error) {
	return newParquetReader(name, r, size)
}

func newParquetReader(name string, r io.ReaderAt, size int64) (*parquetReader, error) {
	if size == 0 {
		return nil, fmt.Errorf("%s is empty (0 bytes); re-download or regenerate it", name)
	}
	pf, err := openParquetSafely(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s is not a readable parquet file (%v); re-download or regenerate it", name, err)
	}
	pr := &parquetReader{name: name, file: pf, labelCol: -1, textCol: -1, rowGroups: pf.RowGroups()}
	var names []string
	for i, col := range pf.Schema().Columns() {
		path := strings.Join(col, ".")
		names = append(names, path)
		leaf, _ := pf.Schema().Lookup(col...)
		kind := leaf.Node.Type().Kind()
		switch path {
		case "label":
			if kind != parquet.Int32 && kind != parquet.Int64 || leaf.Node.Repeated() {
				return nil, fmt.Errorf("%s: column \"label\" has type %s; it must be an integer (0 = negative, 1 = positive)", name, leaf.Node.Type())
			}
			pr.labelCol = i
		case "text":
			if kind != parquet.ByteArray || leaf.Node.Repeated() {
				return nil, fmt.Errorf("%s: column \"text\" has type %s; it must be a string", name, leaf.Node.Type())
			}
			pr.textCol = i
		}
	}
	if pr.labelCol < 0 || pr.textCol < 0 {
		return nil, fmt.Errorf("%s has columns %v; it needs an integer \"label\" column and a string \"text\" column "+
			"(the hub's schema: label, text, label_text) — rename the columns", name, names)
	}
	return pr, nil
}

// openParquetSafely turns parquet-go panics on corrupt metadata into errors.
func openParquetSafely(r io.ReaderAt, size int64) (f *parquet.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("corrupt file: %v", p)
		}
	}()
	return parquet.OpenFile(r, size, parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
}

// NumRows is the row count from the file's metadata.
func (p *parquetReader) NumRows() int64 { return p.file.NumRows() }

func (p *parquetReader) Next() (rev Review, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: corrupt data: %v; re-download or regenerate it", p.name, r)
		}
	}()
	for {
		if p.labels != nil {
			label, lerr := p.labels.next()
			text, terr := p.texts.next()
			if lerr == nil && terr == nil {
				rev.Label = InvalidLabel
				switch label.Kind() {
				case parquet.Int32:
					rev.Label = int(label.Int32())
				case parquet.Int64:
					rev.Label = int(label.Int64())
				}
				if !text.IsNull() {
					rev.Text = string(text.ByteArray())
				}
				return rev, nil
			}
			if !errors.Is(lerr, io.EOF) || !errors.Is(terr, io.EOF) {
				return rev, fmt.Errorf("%s: reading row group %d: %w; re-download or regenerate the file",
					p.name, p.nextGroup-1, errors.Join(ignoreEOF(lerr), ignoreEOF(terr), errColumnsMisaligned(lerr, terr)))
			}
			p.labels.close()
			p.texts.close()
			p.labels, p.texts = nil, nil
		}
		if p.nextGroup >= len(p.rowGroups) {
			return rev, io.EOF
		}
		chunks := p.rowGroups[p.nextGroup].ColumnChunks()
		p.nextGroup++
		p.labels = newColumnCursor(chunks[p.labelCol].Pages())
		p.texts = newColumnCursor(chunks[p.textCol].Pages())
	}
}

func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

func errColumnsMisaligned(lerr, terr error) error {
	if errors.Is(lerr, io.EOF) != errors.Is(terr, io.EOF) {
		return errors.New("the label and text columns have different row counts")
	}
	return nil
}

func (p *parquetReader) Close() error {
	if p.labels != nil {
		p.labels.close()
		p.texts.close()
	}
	if p.closer != nil {
		return p.closer.Close()
	}
	return nil
}

// columnCursor yields the values of one column chunk page by page.
type columnCursor struct {
	pages  parquet.Pages
	page   parquet.Page
	values parquet.ValueReader
	buf    []parquet.Value
	pos    int
}

func newColumnCursor(pages parquet.Pages) *columnCursor {
	return &columnCursor{pages: pages, buf: make([]parquet.Value, 0, 256)}
}

func (c *columnCursor) next() (parquet.Value, error) {
	for c.pos >= len(c.buf) {
		if c.values != nil {
			n, err := c.values.ReadValues(c.buf[:cap(c.buf)])
			c.buf, c.pos = c.buf[:n], 0
			if n > 0 {
				break
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return parquet.Value{}, err
			}
			c.values = nil
		}
		if c.page != nil {
			parquet.Release(c.page)
			c.page = nil
		}
		page, err := c.pages.ReadPage()
		if err != nil {
			return parquet.Value{}, err
		}
		c.page, c.values = page, page.Values()
	}
	v := c.buf[c.pos]
	c.pos++
	return v, nil
}

func (c *columnCursor) close() {
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
	}
	c.pages.Close()
}
