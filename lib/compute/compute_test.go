package compute

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/janpfeifer/gonb/gonbui"
)

func TestChooseHonoursEnv(t *testing.T) {
	t.Setenv(EnvVar, "go:ops_sequential")
	if got := Choose(); got.Config != "go:ops_sequential" || !strings.Contains(got.Reason, EnvVar) {
		t.Fatalf("Choose() = %+v, want the $%s value", got, EnvVar)
	}
}

func TestBareGoGetsSafeSettings(t *testing.T) {
	t.Setenv(EnvVar, "go")
	if got := Choose(); got.Config != safeGoConfig() || !strings.Contains(got.Config, "ops_sequential") {
		t.Fatalf("Choose() = %+v, want %s", got, safeGoConfig())
	}
}

func TestChooseFallsBackToGoWithoutPlugins(t *testing.T) {
	t.Setenv(EnvVar, "")
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir())
	if len(pjrtPlugins()) > 0 {
		t.Skip("a PJRT plugin is installed on this machine")
	}
	got := Choose()
	if !strings.HasPrefix(got.Config, "go:parallelism=") || !strings.HasSuffix(got.Config, ","+goOptions) {
		t.Fatalf("Choose() = %+v, want the pure-Go backend with %s", got, goOptions)
	}
	if p := goParallelism(); p < minGoParallelism {
		t.Fatalf("parallelism %d below the safe minimum %d", p, minGoParallelism)
	}
}

func TestChoiceGPU(t *testing.T) {
	for config, want := range map[string]bool{
		"xla:cuda": true, "XLA:CUDA": true, "stablehlo:cuda": true, "xla:rocm": true,
		"xla:/opt/pjrt/pjrt_c_api_cuda_plugin.so": true,
		"xla:cpu": false, "go": false, "go:parallelism=8,ops_sequential": false, "": false,
	} {
		if got := (Choice{Config: config}).GPU(); got != want {
			t.Errorf("Choice{Config: %q}.GPU() = %v, want %v", config, got, want)
		}
	}
}

func TestSelfTestRunsOnGoBackend(t *testing.T) {
	t.Setenv(EnvVar, "go")
	desc, err := SelfTest()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(desc, "SimpleGo") {
		t.Fatalf("backend description %q, want the pure-Go backend", desc)
	}
}

func TestNewQuietlyKeepsStdoutClean(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	b, err := newQuietly("go:parallelism=8")
	os.Stdout = stdout
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	b.Finalize()
	printed, _ := io.ReadAll(r)
	if len(printed) > 0 {
		t.Fatalf("creating the backend printed to stdout: %q", printed)
	}
}

// captured runs f with os.Stdout and os.Stderr on pipes and returns what was
// written to each.
func captured(t *testing.T, f func()) (stdout, stderr string) {
	t.Helper()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	savedOut, savedErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outW, errW
	f()
	os.Stdout, os.Stderr = savedOut, savedErr
	outW.Close()
	errW.Close()
	o, _ := io.ReadAll(outR)
	e, _ := io.ReadAll(errR)
	return string(o), string(e)
}

func TestNotebookGetsNoRedStderrBox(t *testing.T) {
	defer func(v bool) { gonbui.IsNotebook = v }(gonbui.IsNotebook)
	gonbui.IsNotebook = false
	if announcement() != os.Stderr {
		t.Error("outside a notebook the backend choice must go to stderr (stdout stays machine-readable)")
	}
	gonbui.IsNotebook = true
	if announcement() != os.Stdout {
		t.Error("in a notebook the backend choice must go to stdout (stderr renders as a red error box)")
	}
	stdout, stderr := captured(t, func() {
		b, err := newQuietly("go:parallelism=8")
		if err != nil {
			t.Error(err)
			return
		}
		b.Finalize()
	})
	if stdout != "" || stderr != "" {
		t.Errorf("in a notebook, creating the backend printed stdout %q, stderr %q; want nothing", stdout, stderr)
	}
}

func TestCPUKernelsNamesTheKernelOnTheGoBackend(t *testing.T) {
	t.Setenv(EnvVar, "go")
	got := CPUKernels()
	if !strings.Contains(got, "tile") && !strings.Contains(got, "GoMLX's own") {
		t.Fatalf("CPUKernels() = %q, want the active kernel or why GoMLX's own runs", got)
	}
	t.Setenv(EnvVar, "xla:cuda")
	if got := CPUKernels(); !strings.HasPrefix(got, "not used") {
		t.Fatalf("CPUKernels() on XLA = %q, want \"not used …\"", got)
	}
}
