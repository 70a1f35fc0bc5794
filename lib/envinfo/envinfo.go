// Package envinfo reports what a run stands on: Go and library versions, the
// machine, the GoMLX backend, and where reviews come from. The environment
// notebook and `polarity env` both print it.
package envinfo

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"

	"golang.org/x/mod/modfile"

	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/hub"
)

// Modules are the dependencies whose versions the report lists.
var Modules = []string{
	"github.com/gomlx/gomlx",
	"github.com/janpfeifer/gonb",
	"github.com/daulet/tokenizers",
	"github.com/parquet-go/parquet-go",
	"github.com/go-gota/gota",
	"gonum.org/v1/plot",
}

// Item is one line of the report.
type Item struct {
	Name, Value string
}

// Report lists the environment. It never includes secrets: for HF_TOKEN it
// says only whether it is set.
func Report() []Item { return report(moduleVersions(), requiredVersions()) }

func report(linked, required map[string]string) []Item {
	items := []Item{
		{"Go", runtime.Version()},
		{"OS/arch", runtime.GOOS + "/" + runtime.GOARCH},
		{"CPUs", strconv.Itoa(runtime.NumCPU())},
	}
	for _, m := range Modules {
		items = append(items, Item{m, moduleVersion(linked[m], required[m])})
	}
	items = append(items, Item{"GoMLX backend", compute.Choose().String()})
	items = append(items, Item{"CPU kernels", compute.CPUKernels()})
	if src, err := dataset.SourceFromEnv(); err != nil {
		items = append(items, Item{"Reviews", "error: " + err.Error()})
	} else {
		items = append(items, Item{"Reviews", src.String()})
	}
	// lib/hub reads the token as huggingface_hub does (HF_TOKEN,
	// HUGGING_FACE_HUB_TOKEN, the token file); only whether one is set shows.
	token := "not set (public downloads only)"
	if hub.NewFromEnv().HasToken() {
		token = "set (value hidden)"
	}
	items = append(items, Item{"HF_TOKEN", token})
	return items
}

// moduleVersion describes a module's version from what this binary linked
// and what Polarity's go.mod requires (either may be empty): a notebook cell
// or a command links only the modules it uses, so go.mod is the answer for
// the rest.
func moduleVersion(linked, required string) string {
	switch {
	case linked != "" && (required == "" || required == linked):
		return linked
	case linked != "":
		return linked + " (go.mod requires " + required + ")"
	case required != "":
		return required + " (required by go.mod; not linked into this program)"
	}
	return "not linked into this program, and Polarity's go.mod was not found"
}

// moduleVersions are the versions of the modules linked into this binary.
func moduleVersions() map[string]string {
	versions := map[string]string{}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return versions
	}
	for _, dep := range info.Deps {
		if dep.Replace != nil && dep.Replace.Version != "" {
			versions[dep.Path] = dep.Replace.Version
		} else {
			versions[dep.Path] = dep.Version
		}
	}
	return versions
}

// Rows returns the report as table rows with a header, for nbui.DisplayTable.
func Rows(items []Item) [][]string {
	rows := [][]string{{"what", "value"}}
	for _, it := range items {
		rows = append(rows, []string{it.Name, it.Value})
	}
	return rows
}

// modulePath is Polarity's module path, whose go.mod requiredVersions reads.
const modulePath = "github.com/polarityml/polarity"

// requiredVersions are the versions Polarity's go.mod requires (after its
// replace directives), read from the source tree this package was built
// from, or else from the working directory or one above it; empty when
// neither holds Polarity's go.mod (e.g. a binary copied elsewhere).
func requiredVersions() map[string]string {
	var dirs []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		dirs = append(dirs, filepath.Join(filepath.Dir(file), "..", ".."))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, d)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range dirs {
		if v := readRequires(filepath.Join(d, "go.mod")); v != nil {
			return v
		}
	}
	return map[string]string{}
}

// readRequires parses a go.mod and returns its required versions, or nil
// when it cannot be read or is not Polarity's.
func readRequires(path string) map[string]string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	f, err := modfile.ParseLax(path, data, nil)
	if err != nil || f.Module == nil || f.Module.Mod.Path != modulePath {
		return nil
	}
	versions := map[string]string{}
	for _, r := range f.Require {
		versions[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range f.Replace {
		if r.New.Version != "" {
			versions[r.Old.Path] = r.New.Version
		}
	}
	return versions
}
