// Package nbui holds the GoNB display helpers shared by the notebooks: the
// headless guard that keeps widget cells from blocking under nbconvert,
// tables, the rendering of a prediction with its word attributions, and the
// interactive review widget.
//
// Everything here is safe to call outside a notebook: the gonbui display calls
// are no-ops there, and Interactive reports false.
package nbui

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/dom"
)

// HeadlessEnv names the environment variable that marks a run with no browser
// attached (set by `make test` and `make run`). Any value other than "", "0",
// "false" or "no" makes Interactive return false at once.
const HeadlessEnv = "POLARITY_HEADLESS"

// Probe settings: GoNB's front-end re-installs its WebSocket only after more
// than a second of silence, so a single wait must exceed one second; the
// connection sometimes fails to open at first, so the probe is retried.
const (
	probeWait     = 2 * time.Second
	probeAttempts = 5
)

var (
	interactiveOnce sync.Once
	interactive     bool
)

// Interactive reports whether a live notebook page is connected to this cell,
// so that widgets can wait for clicks. It is false outside GoNB, when
// HeadlessEnv is set, and when the front-end does not answer a bounded probe
// (at most probeAttempts × probeWait). The answer is computed once per cell
// execution.
func Interactive() bool {
	interactiveOnce.Do(func() {
		interactive = gonbui.IsNotebook && !headlessByEnv() && probeFrontEnd()
	})
	return interactive
}

func headlessByEnv() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(HeadlessEnv))) {
	case "", "0", "false", "no":
		return false
	}
	return true
}

// probeFrontEnd asks the browser to echo a value back through gonb_comm and
// waits a bounded time for it, retrying when the connection is slow to open.
//
// Every attempt calls comms.Start: that is what makes the kernel check its
// connection (a heartbeat after a second of silence) and re-install the
// page's socket when the previous one never got its comm_open_ack, the race
// that hung widgets in 3 of 14 browser runs. All attempts answer on one
// address whose listener is never closed: in GoNB v0.11.5 a late reply to an
// address nobody listens to any more leaves comms' mutex locked and freezes
// all later front-end traffic.
func probeFrontEnd() bool {
	address := "/polarity/probe/" + gonbui.UniqueId()
	replies := comms.Listen[string](address)
	for attempt := 1; attempt <= probeAttempts; attempt++ {
		comms.Start()
		dom.TransientJavascript(probeScript(address))
		select {
		case <-replies.C:
			return true
		case <-time.After(probeWait):
		}
	}
	return false
}

// probeScript waits (up to probeWait) for gonb_comm to appear in the page and
// sends "pong" to address.
func probeScript(address string) string {
	return fmt.Sprintf(`(function() {
  const address = %s;
  let tries = 0;
  const timer = setInterval(function() {
    const comm = globalThis.gonb_comm;
    if (comm) { clearInterval(timer); comm.send(address, "pong"); }
    else if (++tries > %d) { clearInterval(timer); }
  }, 50);
})();`, jsString(address), int(probeWait/(50*time.Millisecond)))
}
