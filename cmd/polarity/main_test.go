package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binary is the polarity CLI built once for the tests that run it as a user would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "polarity-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "polarity")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runCLI runs the built binary and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func TestEnvShowsPinnedVersionsAndHidesToken(t *testing.T) {
	out, stderr, code := runCLI(t, []string{"HF_TOKEN=hf_topsecret", "GOMLX_BACKEND=go", "POLARITY_DATA=sample"}, "env")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"github.com/gomlx/gomlx", "v0.26.0", "GoMLX backend", "SYNTHETIC", "set (value hidden)"} {
		if !strings.Contains(out, want) {
			t.Errorf("polarity env output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+stderr, "hf_topsecret") {
		t.Fatal("polarity env printed HF_TOKEN")
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	_, stderr, code := runCLI(t, nil, "frobnicate")
	if code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) || !strings.Contains(stderr, "env") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestHelpListsCommands(t *testing.T) {
	_, stderr, code := runCLI(t, nil, "help")
	if code != 0 || !strings.Contains(stderr, "Commands:") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	_, stderr, code = runCLI(t, nil, "env", "--help")
	if code != 0 || !strings.Contains(stderr, "Usage: polarity env") {
		t.Fatalf("env --help: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestBadFlagIsUsageError(t *testing.T) {
	_, stderr, code := runCLI(t, nil, "env", "--bogus")
	if code != 2 || !strings.Contains(stderr, "flag provided but not defined") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
}
