package tokenize

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Collator pads encodings into rectangular int32 batches, like Hugging Face's
// DataCollatorWithPadding, but only ever to one of a few lengths (length
// bucketing): every new [batch, length] shape costs a GoMLX/XLA recompile, so
// padding each batch to its longest encoding (up to 128 shapes) is replaced by
// padding to the next multiple of 16 or 32 (8 or 4 shapes).
type Collator struct {
	// PadID fills input ids past an encoding's end (bert-base-uncased: 0).
	PadID int32
	// Lengths are the allowed padded lengths, ascending; the last is the maximum.
	Lengths []int
}

// NewCollator pads to multiples of multiple up to maxLength (maxLength itself
// is always allowed). multiple 1 is plain dynamic padding to the longest
// encoding of each batch.
func NewCollator(padID int32, maxLength, multiple int) (*Collator, error) {
	if maxLength < 1 || multiple < 1 {
		return nil, fmt.Errorf("collator: max length %d and multiple %d must both be at least 1", maxLength, multiple)
	}
	var lengths []int
	for l := multiple; l < maxLength; l += multiple {
		lengths = append(lengths, l)
	}
	return &Collator{PadID: padID, Lengths: append(lengths, maxLength)}, nil
}

// MaxLength is the longest padded length.
func (c *Collator) MaxLength() int { return c.Lengths[len(c.Lengths)-1] }

// PaddedLength is the length a batch whose longest encoding has n tokens is
// padded to, or an error when n exceeds MaxLength.
func (c *Collator) PaddedLength(n int) (int, error) {
	i, _ := slices.BinarySearch(c.Lengths, n)
	if i == len(c.Lengths) {
		return 0, fmt.Errorf("encoding of %d tokens exceeds the collator's maximum length %d: load the tokenizer WithMaxLength(%d)", n, c.MaxLength(), c.MaxLength())
	}
	return c.Lengths[i], nil
}

// Batch is a padded batch: Size rows of Length tokens each, rows backed by
// one contiguous row-major array per field (see Flat).
type Batch struct {
	Size, Length int
	// InputIDs are token ids, PadID past each encoding's end.
	InputIDs [][]int32
	// AttentionMask is 1 on real tokens and 0 on padding.
	AttentionMask [][]int32
	// TypeIDs are token type ids, 0 on padding.
	TypeIDs                      [][]int32
	flatIDs, flatMask, flatTypes []int32
}

// Flat returns the three fields as row-major [Size*Length] slices, ready to
// become [Size, Length] tensors.
func (b Batch) Flat() (ids, mask, typeIDs []int32) { return b.flatIDs, b.flatMask, b.flatTypes }

// Collate pads encs to the bucket length of the longest one.
func (c *Collator) Collate(encs []Encoding) (Batch, error) {
	longest := 0
	for _, e := range encs {
		longest = max(longest, e.Len())
	}
	length, err := c.PaddedLength(longest)
	if err != nil {
		return Batch{}, err
	}
	n := len(encs)
	b := Batch{
		Size: n, Length: length,
		InputIDs: make([][]int32, n), AttentionMask: make([][]int32, n), TypeIDs: make([][]int32, n),
		flatIDs: make([]int32, n*length), flatMask: make([]int32, n*length), flatTypes: make([]int32, n*length),
	}
	for i, e := range encs {
		lo, hi := i*length, (i+1)*length
		ids, mask, types := b.flatIDs[lo:hi:hi], b.flatMask[lo:hi:hi], b.flatTypes[lo:hi:hi]
		copy(ids, e.IDs)
		for j := e.Len(); j < length; j++ {
			ids[j] = c.PadID
		}
		copy(mask, e.AttentionMask)
		copy(types, e.TypeIDs)
		b.InputIDs[i], b.AttentionMask[i], b.TypeIDs[i] = ids, mask, types
	}
	return b, nil
}

// Shape is the [batch size, length] of a padded batch.
type Shape struct{ Size, Length int }

// Shapes counts the batch shapes one pass over encodings of the given token
// lengths produces when cut into consecutive batches of batchSize (the last
// one may be smaller) — the number of distinct keys is the number of graph
// compilations an epoch costs.
func (c *Collator) Shapes(lengths []int, batchSize int) (map[Shape]int, error) {
	if batchSize < 1 {
		return nil, fmt.Errorf("batch size %d must be at least 1", batchSize)
	}
	shapes := map[Shape]int{}
	for lo := 0; lo < len(lengths); lo += batchSize {
		hi := min(lo+batchSize, len(lengths))
		l, err := c.PaddedLength(slices.Max(lengths[lo:hi]))
		if err != nil {
			return nil, err
		}
		shapes[Shape{hi - lo, l}]++
	}
	return shapes, nil
}

// GroupByLength returns an epoch order (a permutation of indices) in which
// consecutive batches of batchSize hold texts of similar length, as Hugging
// Face's LengthGroupedSampler (group_by_length) does: a seeded shuffle cut into
// megabatches of 50 batches, each sorted longest first. Batches then pad far
// less, and dynamic padding produces many more distinct shapes, which
// bucketing collapses.
func GroupByLength(lengths []int, batchSize int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	order := r.Perm(len(lengths))
	mega := 50 * max(batchSize, 1)
	for lo := 0; lo < len(order); lo += mega {
		chunk := order[lo:min(lo+mega, len(order))]
		slices.SortStableFunc(chunk, func(a, b int) int { return lengths[b] - lengths[a] })
	}
	return order
}
