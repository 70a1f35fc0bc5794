package nbui

import (
	"errors"
	"testing"
)

func TestMustHelpers(t *testing.T) {
	if v := Must(7, nil); v != 7 {
		t.Errorf("Must = %d", v)
	}
	if a, b := Must2("a", 2, nil); a != "a" || b != 2 {
		t.Errorf("Must2 = %q, %d", a, b)
	}
	if a, b, c := Must3(1, "b", 3.0, nil); a != 1 || b != "b" || c != 3.0 {
		t.Errorf("Must3 = %d, %q, %g", a, b, c)
	}
	boom := errors.New("boom")
	for name, f := range map[string]func(){
		"Check": func() { Check(boom) },
		"Must":  func() { Must(1, boom) },
		"Must2": func() { Must2(1, 2, boom) },
		"Must3": func() { Must3(1, 2, 3, boom) },
	} {
		func() {
			defer func() {
				if r := recover(); r != boom {
					t.Errorf("%s panicked with %v, want the error", name, r)
				}
			}()
			f()
		}()
	}
}
