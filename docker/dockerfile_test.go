package docker

import (
	"fmt"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"golang.org/x/mod/modfile"
)

const (
	dockerfilePath = "Dockerfile"
	repoRoot       = ".."
	// imageStage is the stage users run; the variant stages feed it.
	imageStage = "image"
	// pjrtDir is where go-xla v0.1.4 looks for the CUDA plugin and its NVIDIA libraries
	// (/usr/local/lib/go-xla/nvidia is on its default search path).
	pjrtDir = "/usr/local/lib/go-xla/nvidia"
)

// variants are the values of the VARIANT build argument, each with the base image its
// ancestry must reach.
var variants = map[string]string{"cuda": "CUDA_IMAGE", "cpu": "CPU_IMAGE"}

// dockerfile is docker/Dockerfile parsed by BuildKit, with the defaults of the ARGs declared
// before the first FROM (where every version is pinned).
type dockerfile struct {
	stages   []instructions.Stage
	metaArgs map[string]string
}

func loadDockerfile(t *testing.T) dockerfile {
	t.Helper()
	f, err := os.Open(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("%s does not parse: %v", dockerfilePath, err)
	}
	for _, w := range res.Warnings {
		t.Errorf("%s: parser warning: %s", dockerfilePath, w.Short)
	}
	var lintWarnings []string
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		lintWarnings = append(lintWarnings, fmt.Sprintf("line %d: %s: %s", line, rule, msg))
	}})
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatalf("%s: %v", dockerfilePath, err)
	}
	for _, w := range lintWarnings {
		t.Errorf("%s: BuildKit check: %s", dockerfilePath, w)
	}
	d := dockerfile{stages: stages, metaArgs: map[string]string{}}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value == nil {
				t.Errorf("%s: global ARG %s has no default: pin it", dockerfilePath, kv.Key)
				continue
			}
			d.metaArgs[kv.Key] = *kv.Value
		}
	}
	return d
}

// arg returns the default of a global ARG, failing the test when it is missing.
func (d dockerfile) arg(t *testing.T, name string) string {
	t.Helper()
	v, ok := d.metaArgs[name]
	if !ok || v == "" {
		t.Fatalf("%s: no global ARG %s with a default", dockerfilePath, name)
	}
	return v
}

// args returns the global ARG defaults with the given overrides (like --build-arg).
func (d dockerfile) args(overrides map[string]string) map[string]string {
	m := make(map[string]string, len(d.metaArgs))
	for k, v := range d.metaArgs {
		m[k] = v
	}
	for k, v := range overrides {
		m[k] = v
	}
	return m
}

func (d dockerfile) stage(t *testing.T, name string) instructions.Stage {
	t.Helper()
	for _, s := range d.stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("%s: no stage %q", dockerfilePath, name)
	return instructions.Stage{}
}

// expand substitutes ${VAR} the way BuildKit does.
func expand(t *testing.T, word string, vars map[string]string) string {
	t.Helper()
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	out, _, err := shell.NewLex('\\').ProcessWord(word, shell.EnvsFromSlice(env))
	if err != nil {
		t.Fatalf("expanding %q: %v", word, err)
	}
	return out
}

// ancestry returns the stages from the given one down to its external base image, which is
// returned separately, with FROM arguments expanded for the given build args.
func (d dockerfile) ancestry(t *testing.T, name string, args map[string]string) (chain []instructions.Stage, base string) {
	t.Helper()
	for range len(d.stages) + 1 {
		s := d.stage(t, name)
		chain = append(chain, s)
		from := expand(t, s.BaseName, args)
		if !slices.ContainsFunc(d.stages, func(o instructions.Stage) bool { return o.Name == from }) {
			return chain, from
		}
		name = from
	}
	t.Fatalf("%s: stage %q has a FROM cycle", dockerfilePath, name)
	return nil, ""
}

// state is what a stage leaves behind: its environment, user and working directory.
type state struct {
	env        map[string]string
	user       string
	workdir    string
	entrypoint []string
	exposed    []string
}

// evaluate replays the ARG, ENV, USER, WORKDIR, ENTRYPOINT and EXPOSE instructions of a stage's
// ancestry, oldest first, the way BuildKit expands them.
func (d dockerfile) evaluate(t *testing.T, name string, args map[string]string) state {
	t.Helper()
	chain, _ := d.ancestry(t, name, args)
	st := state{env: map[string]string{"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, user: "root", workdir: "/"}
	for i := len(chain) - 1; i >= 0; i-- {
		vars := map[string]string{}
		for k, v := range st.env {
			vars[k] = v
		}
		for _, c := range chain[i].Commands {
			switch c := c.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					if v, ok := args[kv.Key]; ok {
						vars[kv.Key] = v
					} else if kv.Value != nil {
						vars[kv.Key] = expand(t, *kv.Value, vars)
					}
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					v := expand(t, kv.Value, vars)
					st.env[kv.Key], vars[kv.Key] = v, v
				}
			case *instructions.UserCommand:
				st.user = expand(t, c.User, vars)
			case *instructions.WorkdirCommand:
				st.workdir = expand(t, c.Path, vars)
			case *instructions.EntrypointCommand:
				st.entrypoint = c.CmdLine
			case *instructions.ExposeCommand:
				st.exposed = append(st.exposed, c.Ports...)
			}
		}
	}
	return st
}

// runScripts returns the shell text of every RUN in the Dockerfile.
func (d dockerfile) runScripts() []string {
	var out []string
	for _, s := range d.stages {
		for _, c := range s.Commands {
			if r, ok := c.(*instructions.RunCommand); ok {
				out = append(out, strings.Join(r.CmdLine, " "))
			}
		}
	}
	return out
}

func TestDockerfileParsesCleanly(t *testing.T) {
	d := loadDockerfile(t)
	if len(d.stages) == 0 {
		t.Fatalf("%s has no stages", dockerfilePath)
	}
	d.stage(t, imageStage)
}

// pinnedImage matches name:tag[@sha256:…] where the tag carries a version number.
var pinnedImage = regexp.MustCompile(`^[a-z0-9./_-]+:[A-Za-z0-9._-]*[0-9][A-Za-z0-9._-]*(@sha256:[0-9a-f]{64})?$`)

func TestBaseImagesArePinned(t *testing.T) {
	d := loadDockerfile(t)
	for variant := range variants {
		args := d.args(map[string]string{"VARIANT": variant})
		for _, s := range d.stages {
			from := expand(t, s.BaseName, args)
			if slices.ContainsFunc(d.stages, func(o instructions.Stage) bool { return o.Name == from }) {
				continue
			}
			if !pinnedImage.MatchString(from) || strings.Contains(from, ":latest") {
				t.Errorf("VARIANT=%s: stage %q is FROM %q: use an exact version tag, never latest", variant, s.Name, from)
			}
		}
	}
	if cuda := d.arg(t, "CUDA_IMAGE"); !regexp.MustCompile(`^nvidia/cuda:1[23]\.\d+\.\d+-(cudnn-)?runtime-ubuntu2[24]\.04$`).MatchString(cuda) {
		t.Errorf("CUDA_IMAGE = %q, want an NVIDIA CUDA 12/13 runtime image on Ubuntu 22.04/24.04 with a full version", cuda)
	}
}

func TestVariantsReachTheirBaseImage(t *testing.T) {
	d := loadDockerfile(t)
	for variant, baseArg := range variants {
		_, base := d.ancestry(t, imageStage, d.args(map[string]string{"VARIANT": variant}))
		if want := d.arg(t, baseArg); base != want {
			t.Errorf("VARIANT=%s builds on %q, want %s = %q", variant, base, baseArg, want)
		}
	}
}

// TestCUDAVariantFindsThePlugin checks the environment go-xla v0.1.4 needs: the plugin where
// its search looks, and --xla_gpu_cuda_data_dir in XLA_FLAGS, without which go-xla v0.1.4
// sets the data dir to a folder in its author's home.
func TestCUDAVariantFindsThePlugin(t *testing.T) {
	d := loadDockerfile(t)
	env := d.evaluate(t, imageStage, d.args(map[string]string{"VARIANT": "cuda"})).env
	if got := env["GOMLX_BACKEND"]; got != "xla:cuda" {
		t.Errorf("CUDA image: GOMLX_BACKEND = %q, want xla:cuda", got)
	}
	if got := env["PJRT_PLUGIN_LIBRARY_PATH"]; got != pjrtDir {
		t.Errorf("CUDA image: PJRT_PLUGIN_LIBRARY_PATH = %q, want %q", got, pjrtDir)
	}
	if want := "--xla_gpu_cuda_data_dir=" + pjrtDir; !slices.Contains(strings.Fields(env["XLA_FLAGS"]), want) {
		t.Errorf("CUDA image: XLA_FLAGS = %q, want %s", env["XLA_FLAGS"], want)
	}
	// The entrypoint adds it back when a user's XLA_FLAGS lacks it (entrypoint_test.go).
	if got := env["POLARITY_CUDA_DATA_DIR"]; got != pjrtDir {
		t.Errorf("CUDA image: POLARITY_CUDA_DATA_DIR = %q, want %q", got, pjrtDir)
	}
	if ld := env["LD_LIBRARY_PATH"]; !strings.HasPrefix(ld, pjrtDir+"/") || strings.Contains(ld, "::") || strings.HasSuffix(ld, ":") {
		t.Errorf("CUDA image: LD_LIBRARY_PATH = %q, want the plugin's NVIDIA libraries first and no empty entry", ld)
	}
	scripts := strings.Join(d.runScripts(), "\n")
	// docker/pjrt-cuda-layout.sh (tested in pjrt_layout_test.go) puts the plugin and the
	// data dir's bin/ptxas and nvvm/libdevice there.
	if want := `sh /tmp/pjrt-cuda-layout.sh "$site" ` + pjrtDir; !strings.Contains(scripts, want) {
		t.Errorf("the pjrt-cuda stage should run %s", want)
	}

	cpu := d.evaluate(t, imageStage, d.args(map[string]string{"VARIANT": "cpu"})).env
	if strings.HasPrefix(cpu["GOMLX_BACKEND"], "xla") || cpu["PJRT_PLUGIN_LIBRARY_PATH"] != "" {
		t.Errorf("CPU image asks for XLA: GOMLX_BACKEND=%q PJRT_PLUGIN_LIBRARY_PATH=%q", cpu["GOMLX_BACKEND"], cpu["PJRT_PLUGIN_LIBRARY_PATH"])
	}
}

func readModFile(t *testing.T, path string) *modfile.File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, path))
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f
}

func requiredVersion(f *modfile.File, module string) (string, bool) {
	for _, r := range f.Require {
		if r.Mod.Path == module {
			return r.Mod.Version, true
		}
	}
	return "", false
}

func TestVersionsAgreeWithGoModules(t *testing.T) {
	d := loadDockerfile(t)
	goMod := readModFile(t, "go.mod")
	toolsMod := readModFile(t, "tools/go.mod")

	for _, pin := range []struct {
		arg, module string
		mod         *modfile.File
		modPath     string
		optional    bool
	}{
		{"GOMLX_VERSION", "github.com/gomlx/gomlx", goMod, "go.mod", false},
		{"GO_XLA_VERSION", "github.com/gomlx/go-xla", goMod, "go.mod", false},
		{"TOKENIZERS_VERSION", "github.com/daulet/tokenizers", goMod, "go.mod", true},
		{"GONB_VERSION", "github.com/janpfeifer/gonb", toolsMod, "tools/go.mod", false},
	} {
		want := d.arg(t, pin.arg)
		got, ok := requiredVersion(pin.mod, pin.module)
		switch {
		case !ok && pin.optional:
			t.Logf("%s does not require %s yet; the image pins %s", pin.modPath, pin.module, want)
		case !ok:
			t.Errorf("%s does not require %s", pin.modPath, pin.module)
		case got != want:
			t.Errorf("%s = %s in %s, but %s requires %s: update both", pin.arg, want, dockerfilePath, pin.modPath, got)
		}
	}

	goVersion := "go" + d.arg(t, "GO_VERSION")
	if !version.IsValid(goVersion) {
		t.Fatalf("GO_VERSION %q is not a Go release", goVersion)
	}
	for path, f := range map[string]*modfile.File{"go.mod": goMod, "tools/go.mod": toolsMod} {
		want := "go" + f.Go.Version
		if version.Compare(goVersion, want) < 0 || version.Lang(goVersion) != version.Lang(want) {
			t.Errorf("GO_VERSION %s does not match %s's go %s", goVersion, path, f.Go.Version)
		}
	}

	setup, err := os.ReadFile(filepath.Join(repoRoot, "scripts/setup.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for arg, pkg := range map[string]string{"GOIMPORTS_VERSION": "golang.org/x/tools/cmd/goimports", "GOPLS_VERSION": "golang.org/x/tools/gopls"} {
		m := regexp.MustCompile(regexp.QuoteMeta(pkg) + `@(v[0-9][^\s"]*)`).FindSubmatch(setup)
		if m == nil {
			t.Errorf("scripts/setup.sh does not install %s@version", pkg)
		} else if want := d.arg(t, arg); string(m[1]) != want {
			t.Errorf("%s = %s in %s, scripts/setup.sh installs %s", arg, want, dockerfilePath, m[1])
		}
	}

	for _, arg := range []string{"GO_TOOLCHAIN_SHA256", "JAX_CUDA_PJRT_SHA256"} {
		if v := d.arg(t, arg); !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(v) {
			t.Errorf("%s = %q, want a sha256 in hex", arg, v)
		}
	}
}

// TestEveryInstallIsPinned rejects floating versions in the build scripts: `latest`, and pip
// or go install arguments without an exact version.
func TestEveryInstallIsPinned(t *testing.T) {
	d := loadDockerfile(t)
	data, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?i)[@:]latest\b|--upgrade|\bpip install -U\b`).Find(data); m != nil {
		t.Errorf("%s uses a floating version: %q", dockerfilePath, m)
	}
	goInstall := regexp.MustCompile(`go install "?([^\s"]+)"?`)
	pipArgs := regexp.MustCompile(`pip (?:install|download) ([^&|;]*)`)
	for _, script := range d.runScripts() {
		for _, m := range goInstall.FindAllStringSubmatch(script, -1) {
			if m[1] != "tool" && !regexp.MustCompile(`@(v[0-9]|\$\{[A-Z_]+_VERSION\})`).MatchString(m[1]) {
				t.Errorf("unpinned go install %s", m[1])
			}
		}
		for _, m := range pipArgs.FindAllStringSubmatch(script, -1) {
			for _, a := range strings.Fields(m[1]) {
				a = strings.Trim(a, `"'`)
				if strings.HasPrefix(a, "-") || strings.HasPrefix(a, "/") || strings.HasSuffix(a, ".whl") {
					continue
				}
				if !strings.Contains(a, "==") {
					t.Errorf("unpinned pip requirement %q", a)
				}
			}
		}
	}
}

func TestImageRunsAsNonRootWithTheEntrypoint(t *testing.T) {
	d := loadDockerfile(t)
	for variant := range variants {
		args := d.args(map[string]string{"VARIANT": variant})
		st := d.evaluate(t, imageStage, args)
		if st.user == "" || st.user == "root" || st.user == "0" || strings.HasPrefix(st.user, "0:") {
			t.Errorf("VARIANT=%s runs as %q, want a non-root user", variant, st.user)
		}
		if uid := d.arg(t, "USER_UID"); uid == "0" {
			t.Errorf("USER_UID defaults to 0")
		}
		if !slices.Contains(st.exposed, "8888") && !slices.Contains(st.exposed, "8888/tcp") {
			t.Errorf("VARIANT=%s exposes %v, want 8888", variant, st.exposed)
		}
		if len(st.entrypoint) != 1 || st.entrypoint[0] != "polarity-notebook" {
			t.Errorf("VARIANT=%s entrypoint %q, want [polarity-notebook]", variant, st.entrypoint)
		}
	}
	// The entrypoint is docker/entrypoint.sh, installed executable.
	found := false
	for _, c := range d.stage(t, imageStage).Commands {
		if cp, ok := c.(*instructions.CopyCommand); ok && cp.DestPath == "/usr/local/bin/polarity-notebook" {
			found = slices.Equal(cp.SourcePaths, []string{"docker/entrypoint.sh"}) && cp.Chmod == "0755"
		}
	}
	if !found {
		t.Errorf("the image stage should COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/polarity-notebook")
	}
}

func TestCopySourcesExist(t *testing.T) {
	d := loadDockerfile(t)
	for _, s := range d.stages {
		for _, c := range s.Commands {
			cp, ok := c.(*instructions.CopyCommand)
			if !ok || cp.From != "" {
				continue
			}
			for _, src := range cp.SourcePaths {
				if _, err := os.Stat(filepath.Join(repoRoot, src)); err != nil {
					t.Errorf("stage %q copies %s from the build context (the repo root): %v", s.Name, src, err)
				}
			}
		}
	}
	ignore, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatalf("the repo root needs a .dockerignore: %v", err)
	}
	for _, want := range []string{".git", "build"} {
		if !slices.Contains(strings.Fields(string(ignore)), want) {
			t.Errorf(".dockerignore should exclude %s", want)
		}
	}
}

// TestRunScriptsAreValidShell parses every RUN with the POSIX shell the images use (dash on
// Debian and Ubuntu) without running it, and the entrypoint with bash.
func TestRunScriptsAreValidShell(t *testing.T) {
	d := loadDockerfile(t)
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, script := range d.runScripts() {
		if out, err := exec.Command(sh, "-n", "-c", script).CombinedOutput(); err != nil {
			t.Errorf("RUN does not parse as sh: %v\n%s\n%s", err, out, script)
		}
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		if out, err := exec.Command(bash, "-n", "entrypoint.sh").CombinedOutput(); err != nil {
			t.Errorf("entrypoint.sh does not parse: %v\n%s", err, out)
		}
	}
}
