package train

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// The training state is stored in the safetensors format (an 8-byte
// little-endian header length, a JSON header, then raw little-endian data),
// so it can be inspected with any safetensors reader.

var safetensorsDTypes = map[dtypes.DType]string{
	dtypes.Float32: "F32", dtypes.Float64: "F64", dtypes.Float16: "F16", dtypes.BFloat16: "BF16",
	dtypes.Int32: "I32", dtypes.Int64: "I64", dtypes.Uint32: "U32", dtypes.Uint64: "U64",
	dtypes.Int8: "I8", dtypes.Uint8: "U8", dtypes.Bool: "BOOL",
}

type safetensorsEntry struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets [2]int `json:"data_offsets"`
}

// writeSafetensors writes named tensors and string metadata to path
// atomically (temporary file, fsync, rename).
func writeSafetensors(path string, named map[string]*tensors.Tensor, metadata map[string]string) error {
	names := make([]string, 0, len(named))
	for name := range named {
		names = append(names, name)
	}
	slices.Sort(names)
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	offset := 0
	for _, name := range names {
		t := named[name]
		code, ok := safetensorsDTypes[t.DType()]
		if !ok {
			return fmt.Errorf("tensor %q: dtype %s has no safetensors code", name, t.DType())
		}
		size := int(t.Shape().Memory())
		header[name] = safetensorsEntry{DType: code, Shape: append([]int{}, t.Shape().Dimensions...), DataOffsets: [2]int{offset, offset + size}}
		offset += size
	}
	headerJSON, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(headerJSON)%8 != 0 { // the format recommends 8-byte alignment of the data
		headerJSON = append(headerJSON, ' ')
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		if err := binary.Write(w, binary.LittleEndian, uint64(len(headerJSON))); err != nil {
			return err
		}
		if _, err := w.Write(headerJSON); err != nil {
			return err
		}
		for _, name := range names {
			var werr error
			if err := named[name].ConstBytes(func(data []byte) { _, werr = w.Write(data) }); err != nil {
				return fmt.Errorf("tensor %q: %w", name, err)
			}
			if werr != nil {
				return werr
			}
		}
		return nil
	})
}

// readSafetensors reads every tensor and the metadata of a safetensors file.
func readSafetensors(path string) (map[string]*tensors.Tensor, map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(data) < 8 {
		return nil, nil, fmt.Errorf("%s: too short for a safetensors file", path)
	}
	n := binary.LittleEndian.Uint64(data[:8])
	if n > uint64(len(data)-8) {
		return nil, nil, fmt.Errorf("%s: header length %d exceeds the file: truncated or not safetensors", path, n)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+n], &raw); err != nil {
		return nil, nil, fmt.Errorf("%s: bad safetensors header: %w", path, err)
	}
	body := data[8+n:]
	codes := map[string]dtypes.DType{}
	for dt, code := range safetensorsDTypes {
		codes[code] = dt
	}
	out := map[string]*tensors.Tensor{}
	var metadata map[string]string
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &metadata); err != nil {
				return nil, nil, fmt.Errorf("%s: bad metadata: %w", path, err)
			}
			continue
		}
		var e safetensorsEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, fmt.Errorf("%s: tensor %q: %w", path, name, err)
		}
		dt, ok := codes[e.DType]
		if !ok {
			return nil, nil, fmt.Errorf("%s: tensor %q: unsupported dtype %q", path, name, e.DType)
		}
		shape := shapes.Make(dt, e.Shape...)
		lo, hi := e.DataOffsets[0], e.DataOffsets[1]
		if lo < 0 || hi > len(body) || hi-lo != int(shape.Memory()) {
			return nil, nil, fmt.Errorf("%s: tensor %q: data offsets %v do not fit shape %s", path, name, e.DataOffsets, shape)
		}
		t := tensors.FromShape(shape)
		if err := t.MutableBytes(func(b []byte) { copy(b, body[lo:hi]) }); err != nil {
			return nil, nil, err
		}
		out[name] = t
	}
	return out, metadata, nil
}

// writeFileAtomic writes path through a temporary file in the same
// directory, synced and renamed into place, so readers never see half a file.
func writeFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err = write(w); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
