package dataset

import (
	"io"

	"github.com/parquet-go/parquet-go"
)

// writeGenericParquet writes rows of any schema, for bad-input tests.
func writeGenericParquet[T any](w io.Writer, rows []T) error {
	pw := parquet.NewGenericWriter[T](w)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}
