package nbui

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func lengthPredictor(seen *[]string) Predictor {
	return func(text string) (Prediction, error) {
		*seen = append(*seen, text)
		return Prediction{Label: "positive", Probability: 0.8, Positive: true,
			Tokens: []TokenAttribution{{Start: 0, End: min(len(text), 1), Score: 1}}}, nil
	}
}

func TestRespondToEmptyTextWithAHint(t *testing.T) {
	var seen []string
	for _, text := range []string{"", "   \n\t "} {
		got := respond(lengthPredictor(&seen), text, utf8.RuneCountInString(text), 100, 1)
		if !strings.Contains(got, `class="pol-hint"`) || !strings.Contains(got, "Nothing to predict yet") {
			t.Errorf("%q: want a friendly hint, got:\n%s", text, got)
		}
	}
	if len(seen) != 0 {
		t.Errorf("the predictor was called for empty text: %q", seen)
	}
}

func TestRespondTruncatesWithANotice(t *testing.T) {
	var seen []string
	text := strings.Repeat("é", 30) // 2 bytes each: truncation must count characters
	got := respond(lengthPredictor(&seen), text, 30, 10, 4)
	if len(seen) != 1 || seen[0] != strings.Repeat("é", 10) {
		t.Fatalf("predictor got %q, want the first 10 characters", seen)
	}
	if !strings.Contains(got, "Your text has 30 characters; only the first 10 were used.") {
		t.Errorf("no truncation notice:\n%s", got)
	}
	// The page sends only a prefix of a huge paste but reports its full length.
	got = respond(lengthPredictor(&seen), strings.Repeat("a", 40), 1<<20, 20_000, 5)
	if !strings.Contains(got, "Your text has 1,048,576 characters; only the first 20,000 were used.") {
		t.Errorf("no notice naming the pasted length:\n%s", got)
	}
	if got := respond(lengthPredictor(&seen), "short", 5, 10, 6); strings.Contains(got, "pol-notice") {
		t.Errorf("notice for a text under the limit:\n%s", got)
	}
}

func TestRespondRendersThePredictionWithItsNumber(t *testing.T) {
	var seen []string
	got := respond(lengthPredictor(&seen), "Good", 4, 10, 7)
	for _, want := range []string{`data-label="positive"`, `data-request="7"`, "answer #7 · predicted in ", `pol-tok pol-pos`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	// Prediction.Text left empty is filled in, so the token spans apply to the text.
	if s := shownText(t, got); s != "Good" {
		t.Errorf("shown text %q, want %q", s, "Good")
	}
}

func TestRespondReportsPredictorFailures(t *testing.T) {
	failing := func(string) (Prediction, error) { return Prediction{}, errors.New("model <not> loaded") }
	panicking := func(string) (Prediction, error) { panic("index out of range") }
	for name, c := range map[string]struct {
		predict Predictor
		want    string
	}{
		"error": {failing, "The predictor failed: model &lt;not&gt; loaded"},
		"panic": {panicking, "The predictor failed: panic: index out of range"},
		"nil":   {nil, "The predictor failed: no predictor given to nbui.ReviewWidget"},
	} {
		if got := respond(c.predict, "text", 4, 10, 1); !strings.Contains(got, c.want) || !strings.Contains(got, "pol-error") {
			t.Errorf("%s: want %q in:\n%s", name, c.want, got)
		}
	}
}

func TestParseTextReply(t *testing.T) {
	for raw, want := range map[string]textReply{
		"3 11 hello world": {3, 11, "hello world"},
		"1 2   ":           {1, 2, "  "},
		"12 0 ":            {12, 0, ""},
		"2 5 a\nb c":       {2, 5, "a\nb c"},
	} {
		got, err := parseTextReply(raw)
		if err != nil || got != want {
			t.Errorf("parseTextReply(%q) = %+v, %v; want %+v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"", "3", "3 x text", "x 3 text", "3 4"} {
		if _, err := parseTextReply(raw); err == nil {
			t.Errorf("parseTextReply(%q): want an error", raw)
		}
	}
}

func TestReadTextScriptBoundsWhatThePageSends(t *testing.T) {
	js := readTextScript(`t"1`, "/a/b", 9, 20_000)
	for _, want := range []string{`getElementById("t\"1")`, `comm.send("/a/b", 9 + " " + chars + " " + value.slice(0, 40000))`} {
		if !strings.Contains(js, want) {
			t.Errorf("missing %q in:\n%s", want, js)
		}
	}
}

func TestJSStringIsSafeInsideScript(t *testing.T) {
	got := jsString("</script><b>\u2028\r\n'")
	if strings.ContainsAny(got, "<>\r\n\u2028") {
		t.Errorf("jsString left characters that break a <script> block: %s", got)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "< 0.1 ms", 99 * time.Microsecond: "< 0.1 ms", 420 * time.Microsecond: "0.4 ms", 35 * time.Millisecond: "35 ms", 2314 * time.Millisecond: "2.31 s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestTruncateRunesAndGroupThousands(t *testing.T) {
	if got := truncateRunes("añb€c", 3); got != "añb" {
		t.Errorf("truncateRunes = %q", got)
	}
	if got := truncateRunes("ab", 5); got != "ab" {
		t.Errorf("truncateRunes = %q", got)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1048576: "1,048,576", -20000: "-20,000"} {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// Outside GoNB the widget must not wait for anything: it predicts the example
// once and returns.
func TestReviewWidgetReturnsAtOnceOutsideNotebook(t *testing.T) {
	var seen []string
	start := time.Now()
	ReviewWidget(lengthPredictor(&seen), ReviewOptions{})
	if time.Since(start) > 2*time.Second {
		t.Errorf("ReviewWidget took %v outside a notebook", time.Since(start))
	}
	if len(seen) != 1 || seen[0] != DefaultExample {
		t.Errorf("predictor calls %q, want one with DefaultExample", seen)
	}
}
