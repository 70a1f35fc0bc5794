package cpukernels

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedAssemblyIsUpToDate runs the avo generator (as `go generate`
// does) into a temporary directory and checks that the committed
// kernel_amd64.s and kernel_amd64.go are exactly its output (below the first
// line, which names the output paths).
func TestGeneratedAssemblyIsUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the generator")
	}
	dir := t.TempDir()
	asm, stubs := filepath.Join(dir, "kernel_amd64.s"), filepath.Join(dir, "kernel_amd64.go")
	cmd := exec.Command("go", "run", "./internal/asmgen", "-out", asm, "-stubs", stubs, "-pkg", "cpukernels")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("running the generator: %v\n%s", err, out)
	}
	for generated, committed := range map[string]string{asm: "kernel_amd64.s", stubs: "kernel_amd64.go"} {
		got, err := os.ReadFile(generated)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(committed)
		if err != nil {
			t.Fatal(err)
		}
		body := func(b []byte) []byte { _, rest, _ := bytes.Cut(b, []byte("\n")); return rest }
		if !bytes.Equal(body(got), body(want)) {
			t.Errorf("%s is not what internal/asmgen generates: run go generate ./lib/cpukernels", committed)
		}
	}
}
