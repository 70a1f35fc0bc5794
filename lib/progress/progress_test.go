package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock advances only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestSnapshotNumbers(t *testing.T) {
	s := Snapshot{Title: "train", Unit: "steps", Status: "loss 0.41", Done: 250, Total: 1000, Elapsed: 10 * time.Second}
	if s.Fraction() != 0.25 || s.Rate() != 25 || s.ETA() != 30*time.Second {
		t.Fatalf("fraction %v rate %v eta %v", s.Fraction(), s.Rate(), s.ETA())
	}
	want := "train  25% 250/1000 steps  25.00 steps/s  ETA 0:30  loss 0.41"
	if got := s.Text(); got != want {
		t.Fatalf("Text() = %q, want %q", got, want)
	}
	unknown := Snapshot{Title: "download", Unit: "B", Done: 20_000, Elapsed: 3723 * time.Second}
	if unknown.Fraction() != -1 || unknown.ETA() != -1 || !strings.Contains(unknown.Text(), "20.0k B") || !strings.Contains(unknown.Text(), "1:02:03") {
		t.Fatalf("unknown total: %q", unknown.Text())
	}
}

func TestTerminalBarThrottlesAndFinishes(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	b := newBar("tok", 100, "reviews", &termRenderer{w: &out}, clock.now)
	for i := 0; i < 100; i++ {
		b.Add(1) // no time passes: throttled, nothing redrawn
	}
	if n := strings.Count(out.String(), "\r"); n != 1 {
		t.Fatalf("%d draws without time passing, want only the initial one", n)
	}
	clock.advance(time.Second)
	b.SetStatus("ok")
	b.Done()
	b.Done()
	got := out.String()
	if !strings.HasSuffix(got, "[========================] tok 100% 100/100 reviews  100 reviews/s  ETA 0:00  ok\n") {
		t.Fatalf("final line wrong:\n%q", got)
	}
	if strings.Count(got, "\n") != 1 {
		t.Fatalf("Done twice drew twice:\n%q", got)
	}
}

func TestLogRendererSkipsEmptyStartAndPrintsFinal(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0)}
	b := newBar("download", 0, "B", &logRenderer{w: &out}, clock.now)
	clock.advance(6 * time.Second)
	b.Add(600)
	b.Done()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "download 600 B  100 B/s") {
		t.Fatalf("log lines: %q", lines)
	}
}

func TestHTMLEscapesAndFills(t *testing.T) {
	s := Snapshot{Title: "<b>x</b>", Done: 1, Total: 4, Elapsed: time.Second}
	h := HTML(s, false)
	if !strings.Contains(h, "width:25.0%") || strings.Contains(h, "<b>x</b>") || !strings.Contains(h, "&lt;b&gt;") {
		t.Fatalf("HTML:\n%s", h)
	}
	if !strings.Contains(HTML(s, true), "#54a24b") {
		t.Fatal("final bar not marked done")
	}
}
