package train

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/polarityml/polarity/lib/bert/safetensors"
)

// The training state is stored in the safetensors format, so it can be
// inspected with any safetensors reader; these helpers convert between GoMLX
// tensors and the shared safetensors reader/writer.

var safetensorsDTypes = map[dtypes.DType]string{
	dtypes.Float32: "F32", dtypes.Float64: "F64", dtypes.Float16: "F16", dtypes.BFloat16: "BF16",
	dtypes.Int32: "I32", dtypes.Int64: "I64", dtypes.Uint32: "U32", dtypes.Uint64: "U64",
	dtypes.Int8: "I8", dtypes.Uint8: "U8", dtypes.Bool: "BOOL",
}

// writeSafetensors writes named tensors (sorted by name) and string metadata
// to path atomically.
func writeSafetensors(path string, named map[string]*tensors.Tensor, metadata map[string]string) error {
	names := make([]string, 0, len(named))
	for name := range named {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]*safetensors.Tensor, 0, len(names))
	for _, name := range names {
		t := named[name]
		code, ok := safetensorsDTypes[t.DType()]
		if !ok {
			return fmt.Errorf("tensor %q: dtype %s has no safetensors code", name, t.DType())
		}
		st := &safetensors.Tensor{Name: name, DType: code, Shape: slices.Clone(t.Shape().Dimensions)}
		if err := t.ConstBytes(func(data []byte) { st.Data = slices.Clone(data) }); err != nil {
			return fmt.Errorf("tensor %q: %w", name, err)
		}
		out = append(out, st)
	}
	return safetensors.WriteFile(path, out, metadata)
}

// readSafetensors reads every tensor and the metadata of a safetensors file.
func readSafetensors(path string) (map[string]*tensors.Tensor, map[string]string, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	codes := map[string]dtypes.DType{}
	for dt, code := range safetensorsDTypes {
		codes[code] = dt
	}
	out := make(map[string]*tensors.Tensor, len(f.Tensors))
	for name, st := range f.Tensors {
		dt, ok := codes[st.DType]
		if !ok {
			return nil, nil, fmt.Errorf("%s: tensor %q: unsupported dtype %q", path, name, st.DType)
		}
		t := tensors.FromShape(shapes.Make(dt, st.Shape...))
		if err := t.MutableBytes(func(b []byte) { copy(b, st.Data) }); err != nil {
			return nil, nil, err
		}
		out[name] = t
	}
	return out, f.Metadata, nil
}
