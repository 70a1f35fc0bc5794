//go:build !amd64

package cpukernels

// simdKernels returns no kernels: only amd64 has assembly ones.
func simdKernels() []*microKernel { return nil }

// simdBinaryLoops returns nil: only amd64 has assembly loops.
func simdBinaryLoops() *[4][3]binaryLoop { return nil }

// simdUnaryLoops returns nil: only amd64 has assembly loops.
func simdUnaryLoops() *[numUnaryKinds]unaryLoop { return nil }

// simdSum returns nil: only amd64 has assembly loops.
func simdSum() func(x *float32, n int) float32 { return nil }
