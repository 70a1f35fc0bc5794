package tokenize

import (
	"os"
	"strings"
	"testing"
)

// benchTexts are the shared real reviews when present, else the golden texts.
func benchTexts(b *testing.B) []string {
	if data, err := os.ReadFile("../../../shared/data/amazon_polarity_test_head.ft.txt"); err == nil {
		var texts []string
		for line := range strings.Lines(string(data)) {
			if _, t, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
				texts = append(texts, t)
			}
		}
		return texts
	}
	var texts []string
	for _, c := range loadGolden(b) {
		texts = append(texts, c.Text)
	}
	return texts
}

// BenchmarkEncode is one core encoding reviews truncated at 128 tokens
// (`make bench-tokenize` compares with Hugging Face in the same run).
func BenchmarkEncode(b *testing.B) {
	tok := defaultTokenizer(b, WithMaxLength(128))
	texts := benchTexts(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tok.Encode(texts[i%len(texts)])
	}
}
