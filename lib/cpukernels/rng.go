package cpukernels

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"reflect"
	"unsafe"

	"github.com/gomlx/gomlx/backends/simplego"
)

// execRNGBitGenerator produces exactly GoMLX's random bits (a math/rand/v2
// PCG seeded with the first two state words, its 64-bit outputs laid down
// little-endian) and next state, eight bytes at a time instead of one: GoMLX
// spends ~7 ns a byte, a tenth of a tiny-BERT training step on dropout masks.
func execRNGBitGenerator(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) ([]*simplego.Buffer, error) {
	outShapes := state.layout.multiOutputShapes(node)
	stateIn, err := backend.BufferData(inputs[0])
	words, ok := stateIn.([]uint64)
	if err != nil || !ok || len(words) < 2 || len(outShapes) != 2 || len(inputs) != 1 {
		return state.rngOriginal(backend, node, inputs, owned)
	}
	rng := rand.NewPCG(words[0], words[1])
	values := backend.NewBuffer(outShapes[1])
	flat, err := backend.BufferData(values)
	if err != nil {
		return nil, err
	}
	bytes := rawBytes(flat)
	i := 0
	for ; i+8 <= len(bytes); i += 8 {
		binary.LittleEndian.PutUint64(bytes[i:], rng.Uint64())
	}
	if i < len(bytes) {
		bits := rng.Uint64()
		for ; i < len(bytes); i++ {
			bytes[i] = byte(bits)
			bits >>= 8
		}
	}
	newState := inputs[0]
	if owned[0] {
		inputs[0] = nil // taken over, as GoMLX's executor does
	} else {
		newState = backend.NewBuffer(outShapes[0])
	}
	out, _ := backend.BufferData(newState)
	outWords := out.([]uint64)
	copy(outWords, words) // the words past the first two (unused) stay as they were
	// The next state as GoMLX stores it: the bytes of PCG.MarshalBinary
	// ("pcg:" + 16 bytes) read as two little-endian words.
	next, err := rng.MarshalBinary()
	if err != nil || len(next) != 20 || string(next[:4]) != "pcg:" {
		return nil, fmt.Errorf("cpukernels: math/rand/v2's PCG state format changed (%d bytes, %v)", len(next), err)
	}
	outWords[0] = binary.LittleEndian.Uint64(next[4:12])
	outWords[1] = binary.LittleEndian.Uint64(next[12:20])
	return []*simplego.Buffer{newState, values}, nil
}

// rawBytes views a flat slice of any fixed-size element type as bytes.
func rawBytes(flat any) []byte {
	v := reflect.ValueOf(flat)
	n := v.Len() * int(v.Type().Elem().Size())
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(v.UnsafePointer()), n)
}
