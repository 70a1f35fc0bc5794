package bert

import (
	"os"
	"testing"

	"github.com/polarityml/polarity/lib/compute"
)

// TestMain pins the pure-Go backend with 8 workers: its default parallelism
// (one per CPU) deadlocked intermittently on 2-core machines.
func TestMain(m *testing.M) {
	os.Setenv(compute.EnvVar, "go:parallelism=8")
	os.Exit(m.Run())
}
