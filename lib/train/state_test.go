package train

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func TestVariablesRoundTrip(t *testing.T) {
	ctx := context.New()
	ctx.In("dense").VariableWithValue("weights", [][]float32{{1.5, -2}, {3, 4.25}})
	ctx.InAbsPath("/optimizer").VariableWithValue("step", int64(17)).SetTrainable(false)
	ctx.InAbsPath("/").VariableWithValue("rng", []uint64{1, 2, 1 << 63}).SetTrainable(false)
	path := filepath.Join(t.TempDir(), "v.safetensors")
	if err := SaveVariables(ctx, path, false); err != nil {
		t.Fatal(err)
	}
	fresh := context.New()
	if err := LoadVariables(fresh, path); err != nil {
		t.Fatal(err)
	}
	w := fresh.GetVariableByScopeAndName("/dense", "weights")
	if w == nil || !w.Trainable {
		t.Fatalf("weights not restored as trainable: %v", w)
	}
	if got := tensors.MustCopyFlatData[float32](w.MustValue()); got[1] != -2 || got[3] != 4.25 {
		t.Errorf("weights = %v", got)
	}
	step := fresh.GetVariableByScopeAndName("/optimizer", "step")
	if step == nil || step.Trainable || tensors.ToScalar[int64](step.MustValue()) != 17 {
		t.Errorf("step = %v", step)
	}
	if got := tensors.MustCopyFlatData[uint64](fresh.GetVariableByScopeAndName("/", "rng").MustValue()); got[2] != 1<<63 {
		t.Errorf("rng = %v", got)
	}
	// A checkpoint of another model is refused with the tensor's name.
	other := context.New()
	other.In("dense").VariableWithValue("weights", [][]float32{{1, 2, 3}})
	if err := LoadVariables(other, path); err == nil {
		t.Error("loaded weights of the wrong shape")
	}
}

func TestReplaceDirIsAllOrNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	write := func(content string) func(string) error {
		return func(d string) error { return os.WriteFile(filepath.Join(d, "f"), []byte(content), 0o644) }
	}
	if err := replaceDir(dir, write("one")); err != nil {
		t.Fatal(err)
	}
	failing := func(d string) error {
		_ = write("half")(d)
		return errors.New("disk full")
	}
	if err := replaceDir(dir, failing); err == nil {
		t.Fatal("failure not reported")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "one" {
		t.Errorf("after a failed replace the directory holds %q, want the old %q", b, "one")
	}
	if err := replaceDir(dir, write("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "two" {
		t.Errorf("directory holds %q, want %q", b, "two")
	}
	for _, leftover := range []string{dir + newSuffix, dir + oldSuffix} {
		if _, err := os.Stat(leftover); err == nil {
			t.Errorf("%s left behind", leftover)
		}
	}
}
