package cpukernels

import "unsafe"

// unsafeSlice views n floats starting at p as a slice.
func unsafeSlice(p *float32, n int) []float32 { return unsafe.Slice(p, n) }
