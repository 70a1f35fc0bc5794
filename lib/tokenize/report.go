package tokenize

import (
	"fmt"
	"strconv"
)

// Table lays an encoding out for display (nbui.DisplayTable): one row per
// token with its id, word id ("-" for [CLS]/[SEP]) and character span.
func (e Encoding) Table() [][]string {
	rows := [][]string{{"#", "token", "id", "word", "chars"}}
	for i, tok := range e.Tokens {
		word := "-"
		if e.WordIDs[i] != NoWord {
			word = strconv.Itoa(int(e.WordIDs[i]))
		}
		o := e.CharOffsets[i]
		rows = append(rows, []string{strconv.Itoa(i), tok, strconv.Itoa(int(e.IDs[i])), word, fmt.Sprintf("%d–%d", o.Start, o.End)})
	}
	return rows
}

// Lengths returns the token count of each encoding.
func Lengths(encs []Encoding) []int {
	out := make([]int, len(encs))
	for i, e := range encs {
		out[i] = e.Len()
	}
	return out
}

// LengthStats summarises the token lengths of encoded texts.
type LengthStats struct {
	Count, Max, Truncated int
	Mean                  float64
}

// Stats summarises encs.
func Stats(encs []Encoding) LengthStats {
	s := LengthStats{Count: len(encs)}
	total := 0
	for _, e := range encs {
		total += e.Len()
		s.Max = max(s.Max, e.Len())
		if e.Truncated {
			s.Truncated++
		}
	}
	if s.Count > 0 {
		s.Mean = float64(total) / float64(s.Count)
	}
	return s
}

// Rows lays the statistics out for display.
func (s LengthStats) Rows() [][]string {
	pct := 0.0
	if s.Count > 0 {
		pct = 100 * float64(s.Truncated) / float64(s.Count)
	}
	return [][]string{
		{"texts", "mean tokens", "max tokens", "truncated"},
		{strconv.Itoa(s.Count), fmt.Sprintf("%.1f", s.Mean), strconv.Itoa(s.Max), fmt.Sprintf("%d (%.1f%%)", s.Truncated, pct)},
	}
}

// PaddingPlan is what one padding rule costs over an epoch.
type PaddingPlan struct {
	// Multiple is the bucket step (1: pad to each batch's longest).
	Multiple int
	// Shapes is the number of distinct [batch, length] shapes: graph compilations.
	Shapes int
	// Padding is the fraction of batch cells that are padding.
	Padding float64
}

// ComparePadding measures, for each bucket multiple, the shapes and padding
// of one pass over texts of the given token lengths cut into consecutive
// batches of batchSize.
func ComparePadding(lengths []int, maxLength, batchSize int, multiples ...int) ([]PaddingPlan, error) {
	var plans []PaddingPlan
	for _, m := range multiples {
		c, err := NewCollator(0, maxLength, m)
		if err != nil {
			return nil, err
		}
		shapes, err := c.Shapes(lengths, batchSize)
		if err != nil {
			return nil, err
		}
		cells, tokens := 0, 0
		for shape, n := range shapes {
			cells += shape.Size * shape.Length * n
		}
		for _, l := range lengths {
			tokens += l
		}
		p := PaddingPlan{Multiple: m, Shapes: len(shapes)}
		if cells > 0 {
			p.Padding = float64(cells-tokens) / float64(cells)
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// PaddingRows lays padding plans out for display.
func PaddingRows(plans []PaddingPlan) [][]string {
	rows := [][]string{{"pad to", "distinct shapes (compilations)", "padding"}}
	for _, p := range plans {
		rule := "longest in batch"
		if p.Multiple > 1 {
			rule = fmt.Sprintf("multiple of %d", p.Multiple)
		}
		rows = append(rows, []string{rule, strconv.Itoa(p.Shapes), fmt.Sprintf("%.1f%%", 100*p.Padding)})
	}
	return rows
}
