package dataset

import (
	"fmt"
	"html"
	"strconv"
)

// BannerHTML is a notebook banner saying where the reviews come from; for
// the sample it warns in plain words that the reviews are synthetic.
func (s Source) BannerHTML() string {
	color, note := "#2e7d32", "Real reviews."
	if s.Kind == Sample || s.Kind == "" {
		color = "#b26a00"
		note = "SYNTHETIC reviews made up by lib/dataset/synthetic, NOT Amazon data: numbers and plots " +
			"describe the generator. Set POLARITY_DATA=hub (network) or POLARITY_DATA=/path/to/reviews for real data."
	}
	return fmt.Sprintf(`<div style="border-left:6px solid %s;padding:6px 12px;margin:6px 0;background:#fafafa">`+
		`<b>Review source:</b> %s<br>%s</div>`, color, html.EscapeString(s.String()), html.EscapeString(note))
}

// SummaryRows tabulates summaries (one per name) for nbui.DisplayTable: the
// first row is the header.
func SummaryRows(names []string, sums []Summary) [][]string {
	rows := [][]string{{"split", "rows", "negative (0)", "positive (1)", "empty texts", "invalid labels", "chars min", "chars mean", "chars max"}}
	for i, s := range sums {
		rows = append(rows, []string{names[i], strconv.Itoa(s.Rows), strconv.Itoa(s.Labels[Negative]), strconv.Itoa(s.Labels[Positive]),
			strconv.Itoa(s.EmptyTexts), strconv.Itoa(s.InvalidLabels), strconv.Itoa(s.MinChars), fmt.Sprintf("%.1f", s.MeanChars()), strconv.Itoa(s.MaxChars)})
	}
	return rows
}

// HeadRows tabulates the first n reviews (texts cut to width characters,
// 0 = whole) for nbui.DisplayTable: the first row is the header.
func HeadRows(reviews []Review, n, width int) [][]string {
	rows := [][]string{{"#", "label", "label_text", "text"}}
	for i, r := range reviews[:min(n, len(reviews))] {
		text := []rune(r.Text)
		cut := string(text)
		if width > 0 && len(text) > width {
			cut = string(text[:width]) + "…"
		}
		rows = append(rows, []string{strconv.Itoa(i), strconv.Itoa(r.Label), LabelText(r.Label), cut})
	}
	return rows
}
