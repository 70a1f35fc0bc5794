package nbui

import (
	"html"
	"math"
	"regexp"
	"strings"
	"testing"
)

var (
	tagPattern   = regexp.MustCompile(`<[^>]*>`)
	classPattern = regexp.MustCompile(`class="([^"]*)"`)
)

// shownText returns the visible text of the highlighted-text box of a
// rendered prediction (tags stripped, entities decoded).
func shownText(t *testing.T, rendered string) string {
	t.Helper()
	start := strings.Index(rendered, `class="pol-text"`)
	if start < 0 {
		t.Fatalf("no pol-text box in:\n%s", rendered)
	}
	box := rendered[start:]
	box = box[strings.Index(box, ">")+1:]
	// User text is escaped, so the first "</div>" closes the box.
	box = box[:strings.Index(box, "</div>")]
	return html.UnescapeString(tagPattern.ReplaceAllString(box, ""))
}

// wordTokens gives every word of text a score from scores (0 when absent).
func wordTokens(text string, scores map[string]float64) []TokenAttribution {
	var tokens []TokenAttribution
	for _, span := range regexp.MustCompile(`\w+`).FindAllStringIndex(text, -1) {
		tokens = append(tokens, TokenAttribution{Start: span[0], End: span[1], Score: scores[text[span[0]:span[1]]]})
	}
	return tokens
}

func TestRenderPredictionHighlightsByAttribution(t *testing.T) {
	text := "Great blender but the lid is poor"
	p := Prediction{
		Text: text, Label: "positive", Probability: 0.873, Positive: true, Method: "occlusion",
		Tokens: wordTokens(text, map[string]float64{"Great": 2, "blender": 0.05, "poor": -1, "lid": 0.5}),
	}
	got := RenderPrediction(p)
	for _, want := range []string{
		`data-label="positive"`,
		`>87.3%<`,
		`width:87.3%;background:` + positiveColour,
		// The strongest token gets the full opacity, a half-strength one in between.
		`<span class="pol-tok pol-pos" title="+2" style="background:rgba(22,163,74,0.75);border-radius:3px">Great</span>`,
		`<span class="pol-tok pol-neg" title="-1" style="background:rgba(220,38,38,0.43);border-radius:3px">poor</span>`,
		`<span class="pol-tok pol-pos" title="+0.5" style="background:rgba(22,163,74,0.28);border-radius:3px">lid</span>`,
		"Attribution: occlusion.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	// 0.05/2 is under minHighlight: plain text.
	if strings.Contains(got, `>blender</span>`) {
		t.Errorf("a negligible attribution was highlighted:\n%s", got)
	}
	if s := shownText(t, got); s != text {
		t.Errorf("shown text %q, want %q", s, text)
	}
	if !regexp.MustCompile(`pushed towards positive:.*great.*lid.*pushed towards negative:.*poor`).MatchString(tagPattern.ReplaceAllString(got, "")) {
		t.Errorf("top words missing or misordered:\n%s", tagPattern.ReplaceAllString(got, ""))
	}
}

func TestRenderPredictionEscapesEverything(t *testing.T) {
	text := `<script>alert("x")</script> & <b>bold</b>`
	p := Prediction{Text: text, Label: `<img src=x onerror=alert(1)>`, Probability: 0.5, Method: `</div><script>`,
		Tokens: wordTokens(text, map[string]float64{"script": 1, "bold": -1})}
	got := RenderPrediction(p)
	for _, bad := range []string{"<script", "<img", "<b>"} {
		if strings.Contains(got, bad) {
			t.Errorf("unescaped %q in:\n%s", bad, got)
		}
	}
	if s := shownText(t, got); s != text {
		t.Errorf("shown text %q, want %q", s, text)
	}
}

// Bootstrap 3 is on the notebook page: its class names (.label made text
// invisible) must not appear; ours all start with "pol-".
func TestRenderPredictionUsesOnlyOwnClassNames(t *testing.T) {
	text := "fine"
	outputs := []string{
		RenderPrediction(Prediction{Text: text, Label: "negative", Probability: 0.6, Tokens: wordTokens(text, map[string]float64{"fine": -1}), SeenBytes: 2}),
		newReviewWidget(nil, ReviewOptions{}).layoutHTML(),
		respond(func(string) (Prediction, error) { return Prediction{}, nil }, "x", 99, 1, 3),
		headlessHTML(""), messageHTML("m"), statusHTML("s"),
	}
	for _, out := range outputs {
		for _, m := range classPattern.FindAllStringSubmatch(out, -1) {
			for _, class := range strings.Fields(m[1]) {
				if !strings.HasPrefix(class, "pol-") {
					t.Errorf("class %q is not ours (pol-*) in:\n%s", class, out)
				}
			}
		}
	}
}

func TestRenderPredictionProbabilityIsClamped(t *testing.T) {
	for _, c := range []struct {
		probability float64
		want        string
	}{{1.7, ">100.0%<"}, {-0.2, ">0.0%<"}, {math.NaN(), ">n/a<"}, {0.9996, ">100.0%<"}, {0.5, ">50.0%<"}} {
		if got := RenderPrediction(Prediction{Label: "positive", Probability: c.probability}); !strings.Contains(got, c.want) {
			t.Errorf("probability %v: want %q in:\n%s", c.probability, c.want, got)
		}
	}
}

func TestRenderPredictionGreysWhatTheModelDidNotRead(t *testing.T) {
	text := "good start, then more words"
	p := Prediction{Text: text, Label: "positive", Probability: 0.9, Positive: true, SeenBytes: 10,
		Tokens: wordTokens(text, map[string]float64{"good": 1, "more": 1})}
	got := RenderPrediction(p)
	if !strings.Contains(got, `title="beyond the model's sequence length: not read">, then more words</span>`) {
		t.Errorf("unread tail not greyed:\n%s", got)
	}
	if strings.Contains(got, `>more</span>`) {
		t.Errorf("a token past SeenBytes was highlighted:\n%s", got)
	}
	if !strings.Contains(got, "first 10 of 27 characters") {
		t.Errorf("no note on the unread part:\n%s", got)
	}
	if s := shownText(t, got); s != text {
		t.Errorf("shown text %q, want %q", s, text)
	}
}

func TestRenderPredictionSkipsMalformedTokens(t *testing.T) {
	text := "héllo wörld again"
	tokens := []TokenAttribution{
		{Start: 0, End: 6, Score: 1},             // héllo
		{Start: 2, End: 4, Score: 5},             // overlaps, and splits é
		{Start: 7, End: 9, Score: 1},             // splits ö
		{Start: 13, End: 100, Score: 1},          // past the end
		{Start: 13, End: 13, Score: 1},           // empty
		{Start: -1, End: 3, Score: 1},            // negative
		{Start: 13, End: 18, Score: math.Inf(1)}, // "again", infinite score → 0
		{Start: 7, End: 13, Score: math.NaN()},   // before the previous: out of order
	}
	got := RenderPrediction(Prediction{Text: text, Label: "positive", Tokens: tokens})
	if s := shownText(t, got); s != text {
		t.Errorf("shown text %q, want %q", s, text)
	}
	if n := strings.Count(got, `class="pol-tok`); n != 1 {
		t.Errorf("%d highlighted tokens, want only héllo:\n%s", n, got)
	}
}

func FuzzRenderPredictionKeepsText(f *testing.F) {
	f.Add("Great product, works well", 0, 5, 1.0, 7, 14, -2.0)
	f.Add("日本語のレビュー", 0, 3, 1.0, 3, 5, 1.0)
	f.Add("<&>\"'", 0, 1, 1.0, 1, 99, -1.0)
	f.Fuzz(func(t *testing.T, text string, s1, e1 int, v1 float64, s2, e2 int, v2 float64) {
		if !strings.Contains(text, "\x00") && strings.ToValidUTF8(text, "") == text {
			p := Prediction{Text: text, Label: "x", Probability: v1, Tokens: []TokenAttribution{{s1, e1, v1}, {s2, e2, v2}}, SeenBytes: e1}
			got := RenderPrediction(p)
			if s := shownText(t, got); s != text {
				t.Errorf("shown text %q, want %q", s, text)
			}
		}
	})
}
