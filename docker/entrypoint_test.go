package docker

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fakeJupyter stands in for `jupyter`: it records its arguments and the token it was given.
const fakeJupyter = `#!/bin/sh
printf '%s\n' "$@" > "$RECORD.args"
printf '%s' "$JUPYTER_TOKEN" > "$RECORD.token"
`

type entrypointRun struct {
	exitCode int
	stderr   string
	stdout   string
	args     []string // jupyter's arguments; nil when jupyter did not run
	token    string
}

// runEntrypoint runs docker/entrypoint.sh with a fake jupyter first on PATH. A token of nil
// leaves JUPYTER_TOKEN unset.
func runEntrypoint(t *testing.T, token *string, args ...string) entrypointRun {
	t.Helper()
	var env []string
	if token != nil {
		env = append(env, "JUPYTER_TOKEN="+*token)
	}
	return runEntrypointEnv(t, env, args...)
}

// runEntrypointEnv runs docker/entrypoint.sh with env (NAME=VALUE) added to a minimal environment.
func runEntrypointEnv(t *testing.T, env []string, args ...string) entrypointRun {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "jupyter"), []byte(fakeJupyter), 0o755); err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(dir, "record")
	cmd := exec.Command(bash, append([]string{"entrypoint.sh"}, args...)...)
	cmd.Env = append([]string{"PATH=" + dir + ":" + os.Getenv("PATH"), "HOME=" + dir, "RECORD=" + record}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	run := entrypointRun{}
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
		run.exitCode = exit.ExitCode()
	}
	run.stdout, run.stderr = stdout.String(), stderr.String()
	if a, err := os.ReadFile(record + ".args"); err == nil {
		run.args = strings.Split(strings.TrimSuffix(string(a), "\n"), "\n")
		tok, _ := os.ReadFile(record + ".token")
		run.token = string(tok)
	}
	return run
}

func ptr(s string) *string { return &s }

func TestEntrypointGeneratesATokenWhenUnset(t *testing.T) {
	for name, token := range map[string]*string{"unset": nil, "empty": ptr("")} {
		run := runEntrypoint(t, token)
		if run.exitCode != 0 || run.args == nil {
			t.Fatalf("%s: exit %d, jupyter args %v, stderr %s", name, run.exitCode, run.args, run.stderr)
		}
		if !regexp.MustCompile(`^[0-9a-f]{48}$`).MatchString(run.token) {
			t.Errorf("%s: jupyter got token %q, want 48 random hex digits", name, run.token)
		}
		if !strings.Contains(run.stderr, "token="+run.token) {
			t.Errorf("%s: the URL with the token is not printed: %s", name, run.stderr)
		}
		want := []string{"lab", "--no-browser", "--ip=0.0.0.0", "--port=8888"}
		if len(run.args) < len(want) || strings.Join(run.args[:len(want)], " ") != strings.Join(want, " ") {
			t.Errorf("%s: jupyter %q, want it to start with %q", name, run.args, want)
		}
	}
	if a, b := runEntrypoint(t, nil).token, runEntrypoint(t, nil).token; a == b {
		t.Errorf("two runs generated the same token %q", a)
	}
}

func TestEntrypointUsesTheGivenToken(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	run := runEntrypoint(t, ptr(token))
	if run.exitCode != 0 || run.token != token {
		t.Fatalf("exit %d, jupyter token %q, want %q; stderr %s", run.exitCode, run.token, token, run.stderr)
	}
}

func TestEntrypointRefusesAShortToken(t *testing.T) {
	run := runEntrypoint(t, ptr("secret"))
	if run.exitCode != 2 || run.args != nil {
		t.Fatalf("exit %d, jupyter args %v: want exit 2 without starting Jupyter", run.exitCode, run.args)
	}
	if !strings.Contains(run.stderr, "at least 16") {
		t.Errorf("the error should say how long a token must be: %s", run.stderr)
	}
}

func TestEntrypointRunsACommandInstead(t *testing.T) {
	run := runEntrypoint(t, nil, "echo", "polarity", "env")
	if run.exitCode != 0 || run.args != nil || run.stdout != "polarity env\n" {
		t.Fatalf("exit %d, stdout %q, jupyter args %v: want the command run and no Jupyter", run.exitCode, run.stdout, run.args)
	}
}

// go-xla v0.1.4 appends its author's CUDA path to XLA_FLAGS unless --xla_gpu_cuda_data_dir is
// there: a user who sets XLA_FLAGS for other flags must keep the image's data dir.
func TestEntrypointKeepsTheCUDADataDirInXLAFlags(t *testing.T) {
	const dir = "/usr/local/lib/go-xla/nvidia"
	for _, tc := range []struct{ env, want string }{
		{"POLARITY_CUDA_DATA_DIR=" + dir, "--xla_gpu_cuda_data_dir=" + dir},
		{"POLARITY_CUDA_DATA_DIR=" + dir + "|XLA_FLAGS=--xla_dump_to=/tmp/x", "--xla_dump_to=/tmp/x --xla_gpu_cuda_data_dir=" + dir},
		{"POLARITY_CUDA_DATA_DIR=" + dir + "|XLA_FLAGS=--xla_gpu_cuda_data_dir=/opt/cuda", "--xla_gpu_cuda_data_dir=/opt/cuda"},
		{"XLA_FLAGS=--xla_dump_to=/tmp/x", "--xla_dump_to=/tmp/x"}, // the CPU image: no data dir to add
	} {
		run := runEntrypointEnv(t, strings.Split(tc.env, "|"), "sh", "-c", `printf %s "$XLA_FLAGS"`)
		if run.exitCode != 0 || run.stdout != tc.want {
			t.Errorf("%s: exit %d, XLA_FLAGS %q, want %q", tc.env, run.exitCode, run.stdout, tc.want)
		}
	}
}
