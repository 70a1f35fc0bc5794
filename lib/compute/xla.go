//go:build cgo && !noxla

package compute

import "github.com/gomlx/gomlx/backends/xla"

func init() {
	// Never reach out to the network for plugins: offline machines would fail
	// with a download error instead of falling back to the pure-Go backend.
	xla.EnableAutoInstall(false)
}

// pjrtPlugins lists installed PJRT plugins (PJRT_PLUGIN_LIBRARY_PATH, the
// go-xla folders, and the system library path).
func pjrtPlugins() []string { return xla.GetAvailablePlugins() }
