// Package envinfo reports what a run stands on: Go and library versions, the
// machine, the GoMLX backend, and where reviews come from. The environment
// notebook and `polarity env` both print it.
package envinfo

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"

	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/dataset"
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
func Report() []Item { return report(moduleVersions()) }

func report(versions map[string]string) []Item {
	items := []Item{
		{"Go", runtime.Version()},
		{"OS/arch", runtime.GOOS + "/" + runtime.GOARCH},
		{"CPUs", strconv.Itoa(runtime.NumCPU())},
	}
	for _, m := range Modules {
		v, ok := versions[m]
		if !ok {
			v = "not in this binary's build info"
		}
		items = append(items, Item{m, v})
	}
	items = append(items, Item{"GoMLX backend", compute.Choose().String()})
	items = append(items, Item{"CPU kernels", compute.CPUKernels()})
	if src, err := dataset.SourceFromEnv(); err != nil {
		items = append(items, Item{"Reviews", "error: " + err.Error()})
	} else {
		items = append(items, Item{"Reviews", src.String()})
	}
	token := "not set (public downloads only)"
	if os.Getenv("HF_TOKEN") != "" {
		token = "set (value hidden)"
	}
	items = append(items, Item{"HF_TOKEN", token})
	return items
}

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
