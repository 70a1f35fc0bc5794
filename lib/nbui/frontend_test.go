package nbui

import (
	"strings"
	"testing"
)

func TestHeadlessByEnv(t *testing.T) {
	for value, want := range map[string]bool{"": false, "0": false, "false": false, "No": false, "1": true, "true": true, "yes": true} {
		t.Setenv(HeadlessEnv, value)
		if got := headlessByEnv(); got != want {
			t.Errorf("%s=%q: headless=%v, want %v", HeadlessEnv, value, got, want)
		}
	}
}

func TestInteractiveIsFalseOutsideNotebook(t *testing.T) {
	t.Setenv(HeadlessEnv, "")
	if Interactive() {
		t.Fatal("Interactive() = true outside GoNB; widgets would block forever")
	}
}

func TestProbeScriptQuotesAddressAndBoundsWait(t *testing.T) {
	js := probeScript(`/polarity/probe/a"b`)
	if !strings.Contains(js, `"/polarity/probe/a\"b"`) {
		t.Errorf("address not quoted as a JS string literal:\n%s", js)
	}
	if !strings.Contains(js, "tries > 40") {
		t.Errorf("probe script must give up after probeWait (40 polls of 50 ms):\n%s", js)
	}
}
