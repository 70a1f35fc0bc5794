package nbui

// Notebook cells stop on the first error: these helpers turn a (value, error)
// call into its value, panicking with the error (GoNB shows it under the
// cell, and a headless run fails). They are for notebook cells only; library
// code returns its errors.

// Check panics with err unless it is nil.
func Check(err error) {
	if err != nil {
		panic(err)
	}
}

// Must returns v, or panics with err unless it is nil.
func Must[T any](v T, err error) T {
	Check(err)
	return v
}

// Must2 returns a and b, or panics with err unless it is nil.
func Must2[A, B any](a A, b B, err error) (A, B) {
	Check(err)
	return a, b
}

// Must3 returns a, b and c, or panics with err unless it is nil.
func Must3[A, B, C any](a A, b B, c C, err error) (A, B, C) {
	Check(err)
	return a, b, c
}
