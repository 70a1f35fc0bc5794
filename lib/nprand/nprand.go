// Package nprand reproduces numpy's default random generator
// (numpy.random.default_rng: SeedSequence → PCG64) bit for bit, so Go code can
// draw the same numbers, shuffles and permutations as a Python notebook.
// Verified against numpy 1.24 by scripts/golden/shuffle.py.
package nprand

import (
	"math"
	"math/bits"
)

// Generator is numpy's PCG64 bit generator (XSL-RR 128/64) seeded through
// SeedSequence, with numpy's 32-bit output buffering: New(seed) behaves like
// numpy.random.default_rng(seed). It is not safe for concurrent use.
type Generator struct {
	stateHi, stateLo uint64
	incHi, incLo     uint64
	hasUint32        bool
	uinteger         uint32
}

// PCG64 multiplier 0x2360ED051FC65DA44385DF649FCCF645.
const (
	pcgMultHi = 0x2360ED051FC65DA4
	pcgMultLo = 0x4385DF649FCCF645
)

// New returns the generator numpy.random.default_rng(seed) would build.
func New(seed uint64) *Generator {
	s := seedSequenceState(seed)
	r := &Generator{}
	// pcg_setseq_128_srandom_r(initstate = s[0]<<64|s[1], initseq = s[2]<<64|s[3]).
	r.incHi = s[2]<<1 | s[3]>>63
	r.incLo = s[3]<<1 | 1
	r.step()
	var carry uint64
	r.stateLo, carry = bits.Add64(r.stateLo, s[1], 0)
	r.stateHi, _ = bits.Add64(r.stateHi, s[0], carry)
	r.step()
	return r
}

// step advances the 128-bit LCG: state = state·mult + inc (mod 2^128).
func (r *Generator) step() {
	hi, lo := bits.Mul64(r.stateLo, pcgMultLo)
	hi += r.stateHi*pcgMultLo + r.stateLo*pcgMultHi
	var carry uint64
	r.stateLo, carry = bits.Add64(lo, r.incLo, 0)
	r.stateHi, _ = bits.Add64(hi, r.incHi, carry)
}

// Uint64 is the next raw 64-bit output (numpy: bit_generator.random_raw()).
func (r *Generator) Uint64() uint64 {
	r.step()
	return bits.RotateLeft64(r.stateHi^r.stateLo, -int(r.stateHi>>58))
}

// Uint32 is numpy's next_uint32: the low half of a fresh 64-bit output, then
// its high half on the next call.
func (r *Generator) Uint32() uint32 {
	if r.hasUint32 {
		r.hasUint32 = false
		return r.uinteger
	}
	v := r.Uint64()
	r.hasUint32 = true
	r.uinteger = uint32(v >> 32)
	return uint32(v)
}

// interval is numpy's random_interval(max): a uniform integer in [0, max] by
// masking to the next power of two minus one and rejecting values above max;
// Generator.shuffle and permutation draw their swap positions with it.
func (r *Generator) interval(max uint64) uint64 {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	mask |= mask >> 32
	if max <= math.MaxUint32 {
		for {
			if v := uint64(r.Uint32()) & mask; v <= max {
				return v
			}
		}
	}
	for {
		if v := r.Uint64() & mask; v <= max {
			return v
		}
	}
}

// bounded is numpy's random_bounded_uint64(off=0, rng, use_masked=false):
// a uniform integer in [0, rng] by Lemire's multiply-and-reject method.
func (r *Generator) bounded(rng uint64) uint64 {
	switch {
	case rng == 0:
		return 0
	case rng == math.MaxUint32:
		return uint64(r.Uint32())
	case rng < math.MaxUint32:
		excl := uint32(rng) + 1
		m := uint64(r.Uint32()) * uint64(excl)
		if leftover := uint32(m); leftover < excl {
			threshold := (math.MaxUint32 - uint32(rng)) % excl
			for leftover < threshold {
				m = uint64(r.Uint32()) * uint64(excl)
				leftover = uint32(m)
			}
		}
		return m >> 32
	case rng == math.MaxUint64:
		return r.Uint64()
	}
	excl := rng + 1
	hi, lo := bits.Mul64(r.Uint64(), excl)
	if lo < excl {
		threshold := (math.MaxUint64 - rng) % excl
		for lo < threshold {
			hi, lo = bits.Mul64(r.Uint64(), excl)
		}
	}
	return hi
}

// seedSequenceState is numpy.random.SeedSequence(seed).generate_state(4,
// uint64): the words PCG64 is seeded with.
func seedSequenceState(seed uint64) [4]uint64 {
	const (
		initA, multA = 0x43b0d7e5, 0x931e8875
		initB, multB = 0x8b51f9dd, 0x58f38ded
		mixL, mixR   = 0xca01f9dd, 0x4973f715
		xshift       = 16
		poolSize     = 4
	)
	// The seed as little-endian 32-bit words (numpy drops high zero words,
	// keeping at least one).
	entropy := []uint32{uint32(seed)}
	if seed>>32 != 0 {
		entropy = append(entropy, uint32(seed>>32))
	}
	hashConst := uint32(initA)
	hashmix := func(v uint32) uint32 {
		v ^= hashConst
		hashConst *= multA
		v *= hashConst
		v ^= v >> xshift
		return v
	}
	mix := func(x, y uint32) uint32 {
		r := mixL*x - mixR*y
		return r ^ r>>xshift
	}
	var pool [poolSize]uint32
	for i := range pool {
		var e uint32
		if i < len(entropy) {
			e = entropy[i]
		}
		pool[i] = hashmix(e)
	}
	for src := range pool {
		for dst := range pool {
			if src != dst {
				pool[dst] = mix(pool[dst], hashmix(pool[src]))
			}
		}
	}
	for src := poolSize; src < len(entropy); src++ {
		for dst := range pool {
			pool[dst] = mix(pool[dst], hashmix(entropy[src]))
		}
	}
	hashB := uint32(initB)
	var words [8]uint32
	for i := range words {
		v := pool[i%poolSize]
		v ^= hashB
		hashB *= multB
		v *= hashB
		v ^= v >> xshift
		words[i] = v
	}
	var out [4]uint64
	for i := range out {
		out[i] = uint64(words[2*i]) | uint64(words[2*i+1])<<32
	}
	return out
}

// Integers is Generator.integers(0, high) for one uint64 draw: uniform in
// [0, high). high must be positive.
func (r *Generator) Integers(high uint64) uint64 {
	if high == 0 {
		panic("nprand: Integers(0) has an empty range")
	}
	return r.bounded(high - 1)
}

// IntN is Integers for int bounds, for indexing slices; n must be positive.
func (r *Generator) IntN(n int) int {
	return int(r.Integers(uint64(n)))
}

// Float64 is Generator.random(): uniform in [0, 1) with 53 random bits.
func (r *Generator) Float64() float64 {
	return float64(r.Uint64()>>11) * (1.0 / (1 << 53))
}

// Permutation is Generator.permutation(n): 0..n-1 shuffled by numpy's
// Fisher–Yates, drawing each swap position with random_interval.
func (r *Generator) Permutation(n int) []int {
	perm := make([]int, max(n, 0))
	for i := range perm {
		perm[i] = i
	}
	for i := len(perm) - 1; i > 0; i-- {
		j := r.interval(uint64(i))
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}
