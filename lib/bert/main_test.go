package bert

import (
	"os"
	"testing"

	"github.com/polarityml/polarity/lib/compute"
)

// TestMain pins the pure-Go backend (GoMLX's own defaults deadlocked
// intermittently on 2-core machines; lib/compute gives "go" safe settings).
func TestMain(m *testing.M) {
	os.Setenv(compute.EnvVar, "go") // compute maps a bare "go" to deadlock-free settings
	os.Exit(m.Run())
}
