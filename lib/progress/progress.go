// Package progress shows the progress of long work (downloads, tokenization,
// training) the same way from every caller: an HTML bar in a GoNB notebook, a
// redrawn line on a terminal, and occasional plain lines in logs (CI).
package progress

import (
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"golang.org/x/term"
)

// Bar tracks one task of known (or unknown, total <= 0) size. Its methods are
// safe for concurrent use. Updates are throttled, so Add can be called per item.
type Bar struct {
	mu       sync.Mutex
	title    string
	unit     string
	total    int64
	done     int64
	status   string
	start    time.Time
	lastDraw time.Time
	finished bool
	r        renderer
	now      func() time.Time
}

// renderer draws a snapshot of a bar.
type renderer interface {
	draw(s Snapshot, final bool)
	minInterval() time.Duration
}

// Snapshot is the state of a bar at one moment.
type Snapshot struct {
	Title, Unit, Status string
	Done, Total         int64
	Elapsed             time.Duration
}

// Fraction is Done/Total in [0,1], or -1 when the total is unknown.
func (s Snapshot) Fraction() float64 {
	if s.Total <= 0 {
		return -1
	}
	return min(1, float64(s.Done)/float64(s.Total))
}

// Rate is units per second so far.
func (s Snapshot) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Done) / s.Elapsed.Seconds()
}

// ETA estimates the time left from the rate so far; -1 when unknown.
func (s Snapshot) ETA() time.Duration {
	rate := s.Rate()
	if s.Total <= 0 || rate <= 0 {
		return -1
	}
	return time.Duration(float64(s.Total-s.Done) / rate * float64(time.Second))
}

// Text is the one-line summary used by the terminal and log renderers, e.g.
// "train  45% 450/1000 steps  12.3 steps/s  ETA 0:44  loss 0.41".
func (s Snapshot) Text() string {
	var b strings.Builder
	b.WriteString(s.Title)
	if f := s.Fraction(); f >= 0 {
		fmt.Fprintf(&b, " %3.0f%% %s/%s", 100*f, count(s.Done), count(s.Total))
	} else {
		fmt.Fprintf(&b, " %s", count(s.Done))
	}
	if s.Unit != "" {
		b.WriteString(" " + s.Unit)
	}
	if rate := s.Rate(); rate > 0 {
		fmt.Fprintf(&b, "  %s %s/s", rateString(rate), unitOr(s.Unit, "it"))
	}
	if eta := s.ETA(); eta >= 0 {
		b.WriteString("  ETA " + clock(eta))
	} else {
		b.WriteString("  " + clock(s.Elapsed))
	}
	if s.Status != "" {
		b.WriteString("  " + s.Status)
	}
	return b.String()
}

// New starts a bar, choosing the renderer for where the program runs: a GoNB
// notebook, an interactive terminal on stderr, or plain log lines.
func New(title string, total int64, unit string) *Bar {
	var r renderer
	switch {
	case gonbui.IsNotebook:
		r = &htmlRenderer{id: "polarity-progress-" + gonbui.UniqueId()}
	case term.IsTerminal(int(os.Stderr.Fd())):
		r = &termRenderer{w: os.Stderr}
	default:
		r = &logRenderer{w: os.Stderr}
	}
	return newBar(title, total, unit, r, time.Now)
}

func newBar(title string, total int64, unit string, r renderer, now func() time.Time) *Bar {
	b := &Bar{title: title, total: total, unit: unit, r: r, now: now, start: now()}
	b.r.draw(b.snapshotLocked(), false)
	b.lastDraw = b.start
	return b
}

// Add advances the bar by n units.
func (b *Bar) Add(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	b.maybeDrawLocked()
}

// Set moves the bar to n units done.
func (b *Bar) Set(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = n
	b.maybeDrawLocked()
}

// SetTotal changes the total, e.g. once a download's size is known.
func (b *Bar) SetTotal(total int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total = total
	b.maybeDrawLocked()
}

// SetStatus sets a short free-text status shown after the numbers, such as
// the current loss.
func (b *Bar) SetStatus(status string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.status = status
	b.maybeDrawLocked()
}

// Done draws the final state. Further calls do nothing.
func (b *Bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	b.r.draw(b.snapshotLocked(), true)
}

func (b *Bar) maybeDrawLocked() {
	if b.finished {
		return
	}
	now := b.now()
	if now.Sub(b.lastDraw) < b.r.minInterval() {
		return
	}
	b.lastDraw = now
	b.r.draw(b.snapshotLocked(), false)
}

func (b *Bar) snapshotLocked() Snapshot {
	return Snapshot{Title: b.title, Unit: b.unit, Status: b.status, Done: b.done, Total: b.total, Elapsed: b.now().Sub(b.start)}
}

// termRenderer redraws one line in place.
type termRenderer struct{ w io.Writer }

func (t *termRenderer) minInterval() time.Duration { return 100 * time.Millisecond }

func (t *termRenderer) draw(s Snapshot, final bool) {
	const width = 24
	bar := ""
	if f := s.Fraction(); f >= 0 {
		filled := int(f * width)
		bar = "[" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "] "
	}
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(t.w, "\r\x1b[K%s%s%s", bar, s.Text(), end)
}

// logRenderer writes a plain line at most every few seconds, for logs.
type logRenderer struct{ w io.Writer }

func (l *logRenderer) minInterval() time.Duration { return 5 * time.Second }

func (l *logRenderer) draw(s Snapshot, final bool) {
	if s.Done == 0 && !final {
		return
	}
	fmt.Fprintln(l.w, s.Text())
}

// htmlRenderer updates one HTML block in the notebook output.
type htmlRenderer struct{ id string }

func (h *htmlRenderer) minInterval() time.Duration { return 250 * time.Millisecond }

func (h *htmlRenderer) draw(s Snapshot, final bool) {
	gonbui.UpdateHtml(h.id, HTML(s, final))
}

// HTML renders a snapshot as a self-contained progress bar block.
func HTML(s Snapshot, final bool) string {
	pct := 100.0
	if f := s.Fraction(); f >= 0 {
		pct = 100 * f
	} else if !final {
		pct = 0
	}
	color := "#4c78a8"
	if final {
		color = "#54a24b"
	}
	return fmt.Sprintf(`<div style="font-family:monospace;font-size:0.9em;margin:4px 0">`+
		`<div style="background:#eee;border-radius:3px;width:100%%;max-width:640px;height:12px">`+
		`<div style="background:%s;width:%.1f%%;height:12px;border-radius:3px"></div></div>`+
		`<div>%s</div></div>`, color, pct, html.EscapeString(s.Text()))
}

func unitOr(unit, fallback string) string {
	if unit == "" {
		return fallback
	}
	return unit
}

// count formats an integer with k/M suffixes above 10k.
func count(n int64) string {
	switch {
	case n >= 10_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

func rateString(r float64) string {
	switch {
	case r >= 10_000:
		return fmt.Sprintf("%.1fk", r/1e3)
	case r >= 100:
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.2f", r)
}

// clock formats a duration as h:mm:ss or m:ss.
func clock(d time.Duration) string {
	secs := int64(d.Round(time.Second) / time.Second)
	if secs >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	}
	return fmt.Sprintf("%d:%02d", secs/60, secs%60)
}
