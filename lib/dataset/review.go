package dataset

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Review is one labelled review: Label 0 = negative, 1 = positive; Text is
// the review as the hub stores it (title and body in one string).
type Review struct {
	Label int
	Text  string
}

// Label values, as in mteb/amazon_polarity.
const (
	Negative = 0
	Positive = 1
)

// LabelText names a label the way the hub's label_text column does.
func LabelText(label int) string {
	switch label {
	case Negative:
		return "negative"
	case Positive:
		return "positive"
	}
	return fmt.Sprintf("invalid(%d)", label)
}

// Reader streams reviews from a file in file order. Readers pass labels on as
// they find them (an invalid one included) so that Summary can count problems
// instead of dropping rows; a row whose label cannot be read at all gets
// InvalidLabel.
type Reader interface {
	// Next returns the next review, or io.EOF after the last one.
	Next() (Review, error)
	// Close releases the file.
	Close() error
}

// InvalidLabel marks a row whose label is missing or not an integer.
const InvalidLabel = -1

// Summary counts what a pass over reviews found: rows per label, problems,
// and text lengths in characters (Unicode code points).
type Summary struct {
	Rows   int
	Labels [2]int
	// InvalidLabels counts rows whose label is not 0 or 1;
	// FirstInvalidRow/FirstInvalidLabel describe the first of them.
	InvalidLabels     int
	FirstInvalidRow   int
	FirstInvalidLabel int
	// EmptyTexts counts rows whose text is missing or empty.
	EmptyTexts int
	// TextChars is the total text length; MinChars/MaxChars the extremes.
	TextChars          int64
	MinChars, MaxChars int
}

// Add counts one review at row index row.
func (s *Summary) Add(row int, r Review) {
	s.Rows++
	switch r.Label {
	case Negative, Positive:
		s.Labels[r.Label]++
	default:
		if s.InvalidLabels == 0 {
			s.FirstInvalidRow, s.FirstInvalidLabel = row, r.Label
		}
		s.InvalidLabels++
	}
	if r.Text == "" {
		s.EmptyTexts++
	}
	n := utf8.RuneCountInString(r.Text)
	s.TextChars += int64(n)
	if s.Rows == 1 || n < s.MinChars {
		s.MinChars = n
	}
	s.MaxChars = max(s.MaxChars, n)
}

// MeanChars is the mean text length in characters.
func (s Summary) MeanChars() float64 {
	if s.Rows == 0 {
		return 0
	}
	return float64(s.TextChars) / float64(s.Rows)
}

// Check returns an error when any label was invalid, naming the count, the
// first offending row and the fix; name says which data it was.
func (s Summary) Check(name string) error {
	if s.Rows == 0 {
		return fmt.Errorf("%s has no reviews; check the file or the split", name)
	}
	if s.InvalidLabels > 0 {
		what := fmt.Sprintf("label %d", s.FirstInvalidLabel)
		if s.FirstInvalidLabel == InvalidLabel {
			what = "a missing or non-integer label"
		}
		return fmt.Errorf("%s: %d of %d rows have labels outside {0,1} (first: row %d, %s); "+
			"labels must be 0 = negative, 1 = positive (fastText __label__1/2 and Amazon CSV 1/2 are mapped automatically)",
			name, s.InvalidLabels, s.Rows, s.FirstInvalidRow, what)
	}
	return nil
}

// String is a one-line report, e.g. "20000 rows: 9987 negative, 10013
// positive; 0 empty texts; 0 invalid labels; 12–1843 chars (mean 512.3)".
func (s Summary) String() string {
	return fmt.Sprintf("%d rows: %d negative, %d positive; %d empty texts; %d invalid labels; %d–%d chars (mean %.1f)",
		s.Rows, s.Labels[Negative], s.Labels[Positive], s.EmptyTexts, s.InvalidLabels, s.MinChars, s.MaxChars, s.MeanChars())
}

// Scan reads r to the end, calling fn (when not nil) for each review with its
// row index, and returns the Summary. It stops at the first read error or
// error from fn.
func Scan(r Reader, fn func(row int, rev Review) error) (Summary, error) {
	var s Summary
	for row := 0; ; row++ {
		rev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return s, err
		}
		s.Add(row, rev)
		if fn != nil {
			if err := fn(row, rev); err != nil {
				return s, err
			}
		}
	}
}

// ReadAll reads every review of r into memory and checks the labels (see
// Summary.Check); name labels errors.
func ReadAll(r Reader, name string) ([]Review, Summary, error) {
	var out []Review
	s, err := Scan(r, func(_ int, rev Review) error {
		out = append(out, rev)
		return nil
	})
	if err != nil {
		return nil, s, err
	}
	if err := s.Check(name); err != nil {
		return nil, s, err
	}
	return out, s, nil
}

// NewSliceReader streams reviews already in memory.
func NewSliceReader(reviews []Review) Reader { return &sliceReader{rest: reviews} }

type sliceReader struct{ rest []Review }

func (s *sliceReader) Next() (Review, error) {
	if len(s.rest) == 0 {
		return Review{}, io.EOF
	}
	r := s.rest[0]
	s.rest = s.rest[1:]
	return r, nil
}

func (s *sliceReader) Close() error { return nil }
