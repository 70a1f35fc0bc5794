package nbui

import (
	"cmp"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Prediction is one classified text as the review widget shows it: the label,
// its probability, and which parts of the text drove the decision.
type Prediction struct {
	// Text is the text that was classified; Tokens index into it.
	Text string
	// Label is the predicted class name, e.g. "positive".
	Label string
	// Probability is the model's probability for Label, in [0, 1].
	Probability float64
	// Positive reports whether Label is the positive class (it picks the colour
	// of the label and of the probability bar).
	Positive bool
	// Tokens are the model's tokens in text order, each with its attribution.
	Tokens []TokenAttribution
	// SeenBytes is how many leading bytes of Text the model read; the rest
	// (cut by the model's sequence length) is shown greyed out. 0 means all.
	SeenBytes int
	// Method names how the attributions were computed, e.g. "integrated
	// gradients on the word embeddings"; it is shown under the highlighted text.
	Method string
}

// TokenAttribution is one token's span of Prediction.Text and how much it
// pushed the prediction: Score > 0 towards the positive class, < 0 towards the
// negative one, in any unit (colours are scaled by the largest |Score|).
type TokenAttribution struct {
	Start, End int // byte offsets into Prediction.Text, End exclusive
	Score      float64
}

// Colours of the two classes: text/bar colour and the RGB of the highlights.
const (
	positiveColour = "#15803d"
	negativeColour = "#b91c1c"
	positiveRGB    = "22,163,74"
	negativeRGB    = "220,38,38"
	mutedColour    = "#6b7280"
)

// Highlight settings: a token whose |Score| is below minHighlight of the
// largest |Score| is left plain; the strongest gets maxAlpha opacity.
const (
	minHighlight = 0.05
	minAlpha     = 0.12
	maxAlpha     = 0.75
	topWords     = 3
)

// RenderPrediction renders p as self-contained HTML (inline styles only, so
// notebook CSS such as Bootstrap's cannot restyle it): a coloured label, the
// probability as a bar, the most influential words, and the text with each
// token highlighted green (pushed positive) or red (pushed negative) with an
// intensity proportional to its attribution; hovering a token shows its
// score. All text is escaped. Malformed token spans (out of range, overlapping
// or splitting a UTF-8 sequence) and non-finite scores are skipped, never
// trusted.
func RenderPrediction(p Prediction) string {
	seen := seenBytes(p)
	tokens := validTokens(p.Text[:seen], p.Tokens)
	strongest := 0.0
	for _, t := range tokens {
		strongest = max(strongest, math.Abs(t.Score))
	}
	var b strings.Builder
	b.WriteString(`<div class="pol-prediction" style="font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:14px;line-height:1.5;color:#1f2937">`)
	writeVerdict(&b, p)
	writeTopWords(&b, p.Text, tokens, strongest)
	writeHighlightedText(&b, p.Text, seen, tokens, strongest)
	writeLegend(&b, p.Method)
	b.WriteString(`</div>`)
	return b.String()
}

func classColour(positive bool) string {
	if positive {
		return positiveColour
	}
	return negativeColour
}

func writeVerdict(b *strings.Builder, p Prediction) {
	colour := classColour(p.Positive)
	label := strings.TrimSpace(p.Label)
	if label == "" {
		label = "?"
	}
	probability, width := "n/a", 0.0
	if !math.IsNaN(p.Probability) {
		pr := min(max(p.Probability, 0), 1)
		probability, width = fmt.Sprintf("%.1f%%", 100*pr), 100*pr
	}
	fmt.Fprintf(b, `<div style="display:flex;align-items:center;gap:12px;flex-wrap:wrap;margin-bottom:8px">`+
		`<span class="pol-verdict" data-label="%s" style="background:%s;color:#fff;font-weight:600;letter-spacing:0.04em;text-transform:uppercase;padding:3px 12px;border-radius:999px;font-size:13px">%s</span>`+
		`<span style="display:inline-block;width:220px;height:10px;background:#e5e7eb;border-radius:5px;overflow:hidden" title="probability of %s">`+
		`<span class="pol-probability-bar" style="display:block;height:100%%;width:%.1f%%;background:%s"></span></span>`+
		`<span class="pol-probability" style="font-variant-numeric:tabular-nums;font-weight:600;color:%s">%s</span>`+
		`<span style="color:%s">probability of %s</span></div>`,
		html.EscapeString(label), colour, html.EscapeString(label),
		html.EscapeString(label), width, colour,
		colour, probability, mutedColour, html.EscapeString(label))
}

// seenBytes is the length of the prefix of p.Text the model read.
func seenBytes(p Prediction) int {
	if p.SeenBytes > 0 && p.SeenBytes < len(p.Text) && utf8.RuneStart(p.Text[p.SeenBytes]) {
		return p.SeenBytes
	}
	return len(p.Text)
}

// highlighted reports whether an attribution is strong enough to be shown.
func highlighted(score, strongest float64) bool {
	return strongest > 0 && math.Abs(score)/strongest >= minHighlight
}

// writeTopWords lists the highlighted tokens that pushed hardest each way.
func writeTopWords(b *strings.Builder, text string, tokens []TokenAttribution, strongest float64) {
	byStrength := slices.Clone(tokens)
	slices.SortStableFunc(byStrength, func(x, y TokenAttribution) int { return cmp.Compare(math.Abs(y.Score), math.Abs(x.Score)) })
	var pos, neg []string
	seen := map[string]bool{}
	for _, t := range byStrength {
		word := strings.ToLower(text[t.Start:t.End])
		if seen[word] || !highlighted(t.Score, strongest) {
			continue
		}
		seen[word] = true
		if t.Score > 0 && len(pos) < topWords {
			pos = append(pos, word)
		} else if t.Score < 0 && len(neg) < topWords {
			neg = append(neg, word)
		}
	}
	if len(pos)+len(neg) == 0 {
		return
	}
	b.WriteString(`<div style="margin-bottom:6px;font-size:13px">`)
	writeWordList(b, "pushed towards positive", pos, positiveRGB, positiveColour)
	if len(pos) > 0 && len(neg) > 0 {
		fmt.Fprintf(b, `<span style="color:%s;margin:0 8px">·</span>`, mutedColour)
	}
	writeWordList(b, "pushed towards negative", neg, negativeRGB, negativeColour)
	b.WriteString(`</div>`)
}

func writeWordList(b *strings.Builder, caption string, words []string, rgb, colour string) {
	if len(words) == 0 {
		return
	}
	fmt.Fprintf(b, `<span style="color:%s">%s:</span> `, mutedColour, caption)
	for i, w := range words {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(b, `<span style="background:rgba(%s,0.18);color:%s;border-radius:4px;padding:0 5px;font-weight:600">%s</span>`,
			rgb, colour, html.EscapeString(w))
	}
}

// writeHighlightedText writes text with its tokens highlighted; the part past
// seen is greyed out.
func writeHighlightedText(b *strings.Builder, text string, seen int, tokens []TokenAttribution, strongest float64) {
	b.WriteString(`<div class="pol-text" style="white-space:pre-wrap;overflow-wrap:anywhere;max-height:18em;overflow-y:auto;border:1px solid #e5e7eb;border-radius:6px;padding:8px 10px;background:#fff">`)
	at := 0
	for _, t := range tokens {
		b.WriteString(html.EscapeString(text[at:t.Start]))
		writeToken(b, text[t.Start:t.End], t.Score, strongest)
		at = t.End
	}
	b.WriteString(html.EscapeString(text[at:seen]))
	if seen < len(text) {
		fmt.Fprintf(b, `<span class="pol-unread" style="color:#9ca3af" title="beyond the model's sequence length: not read">%s</span>`,
			html.EscapeString(text[seen:]))
	}
	b.WriteString(`</div>`)
	if seen < len(text) {
		fmt.Fprintf(b, `<div style="color:%s;font-size:12px;margin-top:2px">The model reads only the first %s of %s characters (its sequence length); the grey rest was not scored.</div>`,
			mutedColour, groupThousands(utf8.RuneCountInString(text[:seen])), groupThousands(utf8.RuneCountInString(text)))
	}
}

// writeToken writes one token: plain text when its attribution is negligible
// (this keeps a 20,000-character answer small), else a highlighted span whose
// title shows the score.
func writeToken(b *strings.Builder, token string, score, strongest float64) {
	if !highlighted(score, strongest) {
		b.WriteString(html.EscapeString(token))
		return
	}
	strength := math.Abs(score) / strongest
	polarity, rgb := "pol-pos", positiveRGB
	if score < 0 {
		polarity, rgb = "pol-neg", negativeRGB
	}
	alpha := minAlpha + (maxAlpha-minAlpha)*strength
	fmt.Fprintf(b, `<span class="pol-tok %s" title="%+.3g" style="background:rgba(%s,%.2f);border-radius:3px">%s</span>`,
		polarity, score, rgb, alpha, html.EscapeString(token))
}

func writeLegend(b *strings.Builder, method string) {
	fmt.Fprintf(b, `<div style="color:%s;font-size:12px;margin-top:4px">`+
		`<span style="background:rgba(%s,0.45);border-radius:3px;padding:0 4px">green</span> pushed towards positive, `+
		`<span style="background:rgba(%s,0.45);border-radius:3px;padding:0 4px">red</span> towards negative; darker = stronger. Hover a word for its score.`,
		mutedColour, positiveRGB, negativeRGB)
	if m := strings.TrimSpace(method); m != "" {
		fmt.Fprintf(b, ` Attribution: %s.`, html.EscapeString(m))
	}
	b.WriteString(`</div>`)
}

// validTokens keeps the tokens whose spans lie in text, are non-empty, in
// order, non-overlapping and on UTF-8 boundaries; a non-finite score counts
// as 0.
func validTokens(text string, tokens []TokenAttribution) []TokenAttribution {
	var valid []TokenAttribution
	end := 0
	for _, t := range tokens {
		if t.Start < end || t.End <= t.Start || t.End > len(text) ||
			!utf8.RuneStart(text[t.Start]) || (t.End < len(text) && !utf8.RuneStart(text[t.End])) {
			continue
		}
		if math.IsNaN(t.Score) || math.IsInf(t.Score, 0) {
			t.Score = 0
		}
		valid = append(valid, t)
		end = t.End
	}
	return valid
}
