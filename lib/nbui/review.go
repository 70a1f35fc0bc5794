package nbui

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/dom"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// Predictor classifies one text for ReviewWidget. It may leave
// Prediction.Text empty: the widget fills in the text it passed.
type Predictor func(text string) (Prediction, error)

// ReviewOptions configures ReviewWidget; the zero value is ready to use.
type ReviewOptions struct {
	// Example is the review predicted and shown instead of the widget when no
	// browser is attached (headless runs). Default: DefaultExample.
	Example string
	// MaxChars caps the characters passed to the predictor; a longer paste is
	// truncated with a notice. Default: DefaultMaxChars.
	MaxChars int
}

// Defaults of ReviewOptions.
const (
	DefaultExample  = "I bought this kettle a month ago and love it: it boils fast, is quiet and the lid never leaks."
	DefaultMaxChars = 20_000
)

// Bounds on waiting for the page: creating the button, and the page sending
// the text area's content after a click.
const (
	buttonWait = 10 * time.Second
	replyWait  = 10 * time.Second
)

// ReviewWidget shows a text area, a "Predict" button and an output area, and
// answers every click with predict's verdict on the text, rendered by
// RenderPrediction. Empty text gets a friendly hint, text over MaxChars is
// truncated with a notice, and a failing (or panicking) predictor is reported
// in the output area. It serves clicks until the cell is interrupted.
//
// When no browser is attached (see Interactive) it shows the prediction for
// opts.Example instead and returns, so headless runs never block.
func ReviewWidget(predict Predictor, opts ReviewOptions) {
	if opts.Example == "" {
		opts.Example = DefaultExample
	}
	if opts.MaxChars <= 0 {
		opts.MaxChars = DefaultMaxChars
	}
	if !Interactive() {
		gonbui.DisplayHtml(headlessHTML(respond(predict, opts.Example, utf8.RuneCountInString(opts.Example), opts.MaxChars, 0)))
		return
	}
	w := newReviewWidget(predict, opts)
	if err := w.start(); err != nil {
		gonbui.DisplayHtml(messageHTML(err.Error()))
		return
	}
	w.serve()
}

// reviewWidget is one live widget: its element ids and comms addresses.
type reviewWidget struct {
	predict                                Predictor
	opts                                   ReviewOptions
	rootID, textID, buttonSlotID, outputID string
	buttonID, buttonAddress, textAddress   string
	clicks                                 *comms.AddressChan[int]
	texts                                  *comms.AddressChan[string]
	requests                               int
}

func newReviewWidget(predict Predictor, opts ReviewOptions) *reviewWidget {
	id := "pol-review-" + gonbui.UniqueId()
	return &reviewWidget{
		predict: predict, opts: opts,
		rootID: id, textID: id + "-text", buttonSlotID: id + "-button", outputID: id + "-output",
		buttonID: id + "-predict", buttonAddress: "/polarity/review/" + id + "/clicks",
		textAddress: "/polarity/review/" + id + "/text",
	}
}

// start draws the widget and subscribes to its clicks and text replies.
//
// The subscriptions are never closed: in GoNB v0.11.5 a value that arrives for
// an address nobody listens to any more leaves comms' mutex locked, which
// freezes all later front-end traffic. Each lives as long as the cell.
func (w *reviewWidget) start() error {
	gonbui.DisplayHtml(w.layoutHTML())
	// Listen before the button exists: no click is missed, and the address
	// keeps a subscriber when Done closes its own listener (a click landing
	// on an address without one would trigger the mutex leak above). The
	// button sends 0 when it is created, which serve skips.
	w.clicks = comms.Listen[int](w.buttonAddress)
	w.texts = comms.Listen[string](w.textAddress)
	button := widgets.Button("Predict").WithHtmlId(w.buttonID).WithAddress(w.buttonAddress).AppendTo(w.buttonSlotID)
	created := make(chan struct{})
	go func() {
		button.Done()
		close(created)
	}()
	select {
	case <-created:
	case <-time.After(buttonWait):
		return fmt.Errorf("the notebook page did not create the Predict button within %v; re-run the cell (or reload the page, then re-run it)", buttonWait)
	}
	dom.TransientJavascript(w.readyScript())
	return nil
}

// serve answers clicks until the cell ends.
func (w *reviewWidget) serve() {
	for click := range w.clicks.C {
		if click > 0 {
			w.answer()
		}
	}
}

// answer asks the page for the text area's content and shows the prediction.
func (w *reviewWidget) answer() {
	w.requests++
	request := w.requests
	w.setOutput(statusHTML("Predicting…"))
	dom.TransientJavascript(readTextScript(w.textID, w.textAddress, request, w.opts.MaxChars))
	deadline := time.After(replyWait)
	for {
		select {
		case raw := <-w.texts.C:
			reply, err := parseTextReply(raw)
			if err != nil || reply.request != request {
				continue // a late reply to an earlier click
			}
			w.setOutput(respond(w.predict, reply.text, reply.chars, w.opts.MaxChars, request))
			return
		case <-deadline:
			w.setOutput(messageHTML(fmt.Sprintf("The page did not send the text within %v. Click Predict again; if it keeps failing, re-run the cell.", replyWait)))
			return
		}
	}
}

func (w *reviewWidget) setOutput(html string) {
	dom.TransientJavascript(fmt.Sprintf(`(() => { const el = document.getElementById(%s); if (el) el.innerHTML = %s; })();`,
		jsString(w.outputID), jsString(html)))
}

// respond classifies text (at most maxChars characters; chars is the length
// of the whole text in the page) and renders the answer to click number
// request (0: not a click).
func respond(predict Predictor, text string, chars, maxChars, request int) string {
	if strings.TrimSpace(text) == "" {
		return hintHTML("Nothing to predict yet: type or paste a review above, then press <b>Predict</b> (or Ctrl+Enter).")
	}
	var notice string
	if cut := truncateRunes(text, maxChars); chars > maxChars || len(cut) < len(text) {
		text = cut
		notice = noticeHTML(fmt.Sprintf("Your text has %s characters; only the first %s were used.",
			groupThousands(max(chars, utf8.RuneCountInString(text))), groupThousands(maxChars)))
	}
	start := time.Now()
	p, err := safePredict(predict, text)
	elapsed := time.Since(start)
	if err != nil {
		return notice + messageHTML("The predictor failed: "+err.Error())
	}
	if p.Text == "" {
		p.Text = text
	}
	return notice + RenderPrediction(p) + footerHTML(request, elapsed)
}

// safePredict calls predict, turning a panic into an error so that one bad
// input cannot kill the widget.
func safePredict(predict Predictor, text string) (p Prediction, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	if predict == nil {
		return p, errors.New("no predictor given to nbui.ReviewWidget")
	}
	return predict(text)
}

// textReply is the page's answer to readTextScript: "REQUEST CHARS TEXT".
type textReply struct {
	request, chars int
	text           string
}

func parseTextReply(s string) (textReply, error) {
	request, rest, ok1 := strings.Cut(s, " ")
	chars, text, ok2 := strings.Cut(rest, " ")
	r, err1 := strconv.Atoi(request)
	c, err2 := strconv.Atoi(chars)
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return textReply{}, fmt.Errorf("malformed text reply %.40q", s)
	}
	return textReply{request: r, chars: c, text: text}, nil
}

// readTextScript makes the page send "REQUEST CHARS TEXT" to address: the
// number of characters (code points) in the text area and its first
// 2·maxChars UTF-16 units, which hold at least maxChars characters, so a huge
// paste is not shipped whole to the kernel.
func readTextScript(textID, address string, request, maxChars int) string {
	return fmt.Sprintf(`(() => {
  const comm = globalThis.gonb_comm;
  if (!comm) { console.error("polarity: no connection to GoNB; re-run the cell"); return; }
  const el = document.getElementById(%s);
  const value = el ? el.value : "";
  let chars = 0;
  for (const _ of value) chars++;
  comm.send(%s, %d + " " + chars + " " + value.slice(0, %d));
})();`, jsString(textID), jsString(address), request, 2*maxChars)
}

// readyScript marks the widget ready (tests wait for data-ready) and makes
// Ctrl+Enter (or ⌘+Enter) in the text area press Predict.
func (w *reviewWidget) readyScript() string {
	return fmt.Sprintf(`(() => {
  const root = document.getElementById(%s), text = document.getElementById(%s), button = document.getElementById(%s);
  if (!root || !text || !button) return;
  text.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); button.click(); } });
  root.dataset.ready = "1";
})();`, jsString(w.rootID), jsString(w.textID), jsString(w.buttonID))
}

// layoutHTML is the widget's frame; the button is added into buttonSlotID by
// GoNB. Styles are inline or scoped to the widget's id: the notebook page
// carries Bootstrap 3, whose class names (.label, .btn, ...) are avoided.
func (w *reviewWidget) layoutHTML() string {
	return fmt.Sprintf(`<div id="%[1]s" class="pol-review" style="font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:14px;color:#1f2937;max-width:780px;border:1px solid #d1d5db;border-radius:10px;padding:14px 16px;background:#f9fafb">
<style>
#%[1]s textarea:focus { outline:none; border-color:#2563eb; box-shadow:0 0 0 3px rgba(37,99,235,0.15); }
#%[1]s button { background:#2563eb; color:#fff; border:0; border-radius:6px; padding:6px 18px; font-size:14px; font-weight:600; cursor:pointer; }
#%[1]s button:hover { background:#1d4ed8; }
#%[1]s button:active { background:#1e40af; }
</style>
<div style="font-weight:600;font-size:15px;margin-bottom:6px">Try the model on your own review</div>
<textarea id="%[2]s" rows="5" spellcheck="false" placeholder="Type or paste a product review…" style="width:100%%;box-sizing:border-box;resize:vertical;font:inherit;line-height:1.45;padding:8px 10px;border:1px solid #d1d5db;border-radius:6px;background:#fff"></textarea>
<div style="display:flex;align-items:center;gap:12px;margin:8px 0 10px">
<span id="%[3]s"></span>
<span style="color:%[5]s;font-size:12px">Ctrl+Enter also predicts · live while this cell runs (interrupt the kernel to stop it)</span>
</div>
<div id="%[4]s" class="pol-output" aria-live="polite">%[6]s</div>
</div>`, w.rootID, w.textID, w.buttonSlotID, w.outputID, mutedColour,
		hintHTML("Type or paste a review, then press <b>Predict</b>."))
}

func headlessHTML(answer string) string {
	return fmt.Sprintf(`<div class="pol-review" style="max-width:780px;border:1px solid #d1d5db;border-radius:10px;padding:14px 16px;background:#f9fafb">
<div style="font-family:system-ui,sans-serif;font-size:13px;color:%s;margin-bottom:8px">No browser is attached (headless run), so the interactive widget is not shown. The prediction for an example review:</div>
%s</div>`, mutedColour, answer)
}

func hintHTML(innerHTML string) string {
	return fmt.Sprintf(`<div class="pol-hint" style="color:%s;font-size:13px">%s</div>`, mutedColour, innerHTML)
}

func statusHTML(text string) string {
	return fmt.Sprintf(`<div class="pol-status" style="color:%s;font-size:13px">%s</div>`, mutedColour, html.EscapeString(text))
}

func noticeHTML(text string) string {
	return fmt.Sprintf(`<div class="pol-notice" style="background:#fef3c7;color:#92400e;border-radius:6px;padding:4px 10px;margin-bottom:8px;font-size:13px">%s</div>`,
		html.EscapeString(text))
}

func messageHTML(text string) string {
	return fmt.Sprintf(`<div class="pol-error" style="background:#fee2e2;color:#991b1b;border-radius:6px;padding:6px 10px;font-size:13px;font-family:system-ui,sans-serif">%s</div>`,
		html.EscapeString(text))
}

// footerHTML numbers the answer (tests tell repeated clicks apart by
// data-request) and says how long the predictor took.
func footerHTML(request int, elapsed time.Duration) string {
	took := "predicted in " + formatDuration(elapsed)
	if request == 0 {
		return fmt.Sprintf(`<div class="pol-footer" style="color:%s;font-size:12px;margin-top:4px">%s</div>`, mutedColour, took)
	}
	return fmt.Sprintf(`<div class="pol-footer" data-request="%d" style="color:%s;font-size:12px;margin-top:4px">answer #%d · %s</div>`,
		request, mutedColour, request, took)
}

// formatDuration shows a prediction time: "< 0.1 ms", "0.4 ms", "35 ms", "2.31 s".
func formatDuration(d time.Duration) string {
	switch ms := float64(d) / float64(time.Millisecond); {
	case ms < 0.1:
		return "< 0.1 ms"
	case ms < 10:
		return fmt.Sprintf("%.1f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	default:
		return fmt.Sprintf("%.2f s", ms/1000)
	}
}

// truncateRunes returns the first n characters of s.
func truncateRunes(s string, n int) string {
	i := 0
	for at := range s {
		if i == n {
			return s[:at]
		}
		i++
	}
	return s
}

// groupThousands formats n with comma separators: 1048576 → "1,048,576".
func groupThousands(n int) string {
	if n < 0 {
		return "-" + groupThousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// jsString quotes s as a JavaScript string literal that is also safe inside
// an HTML <script> element (json.Marshal escapes <, > and &).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
