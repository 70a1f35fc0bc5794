package tokenize

import (
	"sync"
	"unicode/utf8"
)

// normRule is how BertNormalizer rewrites one code point (see unicode_table.go).
type normRule uint8

const (
	normKeep     normRule = iota // unchanged
	normRemove                   // dropped (controls, format characters, unassigned, U+FFFD, lone marks)
	normSpace                    // becomes ' ' (whitespace)
	normIsolate                  // padded with spaces: a CJK ideograph becomes a word of its own
	normShift                    // one code point, at code point + delta (lower-casing, accent stripping)
	normHangul                   // a Hangul syllable, decomposed into its jamo (NFD)
	normExplicit                 // several code points, listed in explicitNorms
)

// normRange applies one rule to the code points Lo..Hi.
type normRange struct {
	Lo, Hi rune
	Rule   normRule
	Delta  int32
}

// charClass is how BertPreTokenizer treats a (normalized) code point.
type charClass uint8

const (
	classOther charClass = iota // part of a word
	classSpace                  // separates words and is dropped
	classPunct                  // a word of its own
)

// classRange gives the class of the code points Lo..Hi.
type classRange struct {
	Lo, Hi rune
	Class  charClass
}

// charInfo packs what the tokenizer needs to know about one input code point:
// either the single code point it normalizes to (with that code point's class),
// nothing (removed), or an index into charTables.multi.
type charInfo uint32

const (
	infoValueMask  = 1<<21 - 1
	infoClassShift = 21
	infoKindShift  = 23

	kindSingle = 0
	kindRemove = 1
	kindMulti  = 2
)

func (c charInfo) kind() uint32     { return uint32(c) >> infoKindShift }
func (c charInfo) value() rune      { return rune(c & infoValueMask) }
func (c charInfo) class() charClass { return charClass(uint32(c)>>infoClassShift) & 3 }
func single(r rune, cl charClass) charInfo {
	return charInfo(uint32(r) | uint32(cl)<<infoClassShift | kindSingle<<infoKindShift)
}

// normChar is one code point of a multi-code-point normalization, with its class.
type normChar struct {
	r     rune
	class charClass
}

// charTables is a two-stage lookup table over all code points, built once from
// the generated ranges: stage1 maps a 256-code-point block to its (deduplicated)
// row in stage2.
type charTables struct {
	ascii  [128]charInfo
	stage1 [(utf8.MaxRune + 1) >> 8]uint16
	stage2 [][256]charInfo
	multi  [][]normChar
}

var (
	tablesOnce sync.Once
	tables     *charTables
)

// unicodeTables returns the lookup tables, building them on first use (a few ms).
func unicodeTables() *charTables {
	tablesOnce.Do(func() { tables = buildTables() })
	return tables
}

func buildTables() *charTables {
	classes := make([]charClass, utf8.MaxRune+1)
	for _, r := range classRanges {
		for c := r.Lo; c <= r.Hi; c++ {
			classes[c] = r.Class
		}
	}
	t := &charTables{}
	rows := map[[256]charInfo]uint16{}
	var row [256]charInfo
	ri := 0 // index into normRanges
	for c := rune(0); c <= utf8.MaxRune; c++ {
		for ri < len(normRanges) && normRanges[ri].Hi < c {
			ri++
		}
		info := charInfo(kindRemove << infoKindShift) // surrogates (never decoded) and gaps
		if ri < len(normRanges) && normRanges[ri].Lo <= c {
			info = t.infoFor(c, normRanges[ri], classes)
		}
		row[c&255] = info
		if c&255 == 255 {
			idx, ok := rows[row]
			if !ok {
				idx = uint16(len(t.stage2))
				rows[row] = idx
				t.stage2 = append(t.stage2, row)
			}
			t.stage1[c>>8] = idx
		}
	}
	for c := range t.ascii {
		t.ascii[c] = t.lookup(rune(c))
	}
	return t
}

func (t *charTables) infoFor(c rune, r normRange, classes []charClass) charInfo {
	switch r.Rule {
	case normKeep:
		return single(c, classes[c])
	case normRemove:
		return charInfo(kindRemove << infoKindShift)
	case normSpace:
		return single(' ', classSpace)
	case normIsolate:
		// " c " splits into the word "c" exactly as punctuation does.
		return single(c, classPunct)
	case normShift:
		out := c + r.Delta
		return single(out, classes[out])
	case normHangul:
		return t.addMulti(hangulNFD(c), classes)
	default:
		return t.addMulti(explicitNorms[c], classes)
	}
}

func (t *charTables) addMulti(s string, classes []charClass) charInfo {
	var chars []normChar
	for _, r := range s {
		chars = append(chars, normChar{r, classes[r]})
	}
	t.multi = append(t.multi, chars)
	return charInfo(uint32(len(t.multi)-1) | kindMulti<<infoKindShift)
}

// lookup returns the charInfo of code point c.
func (t *charTables) lookup(c rune) charInfo {
	return t.stage2[t.stage1[c>>8]][c&255]
}

// hangulNFD decomposes a precomposed Hangul syllable into its jamo (Unicode §3.12).
func hangulNFD(c rune) string {
	const sBase, lBase, vBase, tBase, nCount, tCount = 0xAC00, 0x1100, 0x1161, 0x11A7, 588, 28
	s := c - sBase
	l, v, tt := lBase+s/nCount, vBase+(s%nCount)/tCount, tBase+s%tCount
	if tt == tBase {
		return string([]rune{l, v})
	}
	return string([]rune{l, v, tt})
}
