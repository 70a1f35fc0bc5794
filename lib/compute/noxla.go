//go:build !cgo || noxla

package compute

// pjrtPlugins reports none: this build has no XLA backend.
func pjrtPlugins() []string { return nil }
