// Package safetensors reads and writes the safetensors format used by Hugging
// Face checkpoints (model.safetensors): an 8-byte little-endian header length,
// a JSON header mapping each tensor name to its dtype, shape and byte range,
// and the raw little-endian tensor data.
package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/polarityml/polarity/lib/atomicfile"
	"github.com/x448/float16"
)

// maxHeaderSize bounds the JSON header (the reference implementation uses 100 MB).
const maxHeaderSize = 100 << 20

// Tensor is one named tensor with its raw little-endian bytes.
type Tensor struct {
	Name  string
	DType string // safetensors code: "F32", "F16", "BF16", "F64", "I64", "I32", ...
	Shape []int
	Data  []byte
}

// dtypeSizes maps safetensors dtype codes to element sizes in bytes.
var dtypeSizes = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// NumElements is the product of the shape (1 for a scalar).
func (t *Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Float32 decodes a floating-point tensor (F32, F16, BF16 or F64) to float32.
func (t *Tensor) Float32() ([]float32, error) {
	n := t.NumElements()
	out := make([]float32, n)
	switch t.DType {
	case "F32":
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
	case "F16":
		for i := range out {
			out[i] = float16.Frombits(binary.LittleEndian.Uint16(t.Data[2*i:])).Float32()
		}
	case "BF16":
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(t.Data[2*i:])) << 16)
		}
	case "F64":
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:])))
		}
	default:
		return nil, fmt.Errorf("tensor %q has dtype %s, want a float type (F32, F16, BF16, F64)", t.Name, t.DType)
	}
	return out, nil
}

// FromFloat32 makes an F32 tensor from values in row-major order.
func FromFloat32(name string, shape []int, values []float32) (*Tensor, error) {
	t := &Tensor{Name: name, DType: "F32", Shape: append([]int(nil), shape...)}
	if n := t.NumElements(); n != len(values) {
		return nil, fmt.Errorf("tensor %q: shape %v holds %d values, got %d", name, shape, n, len(values))
	}
	t.Data = make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(t.Data[4*i:], math.Float32bits(v))
	}
	return t, nil
}

// File is a parsed safetensors file.
type File struct {
	// Tensors by name.
	Tensors map[string]*Tensor
	// Metadata is the optional "__metadata__" string map.
	Metadata map[string]string
}

// Names lists the tensor names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Tensors))
	for n := range f.Tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ReadFile reads and validates a safetensors file.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

type headerEntry struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets [2]int `json:"data_offsets"`
}

// Parse decodes a whole safetensors file held in memory. Tensors share the
// buffer. Every byte range is checked against its dtype and shape.
func Parse(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, errors.New("not a safetensors file: shorter than the 8-byte header length")
	}
	n := binary.LittleEndian.Uint64(data)
	if n > maxHeaderSize || n > uint64(len(data)-8) {
		return nil, fmt.Errorf("not a safetensors file: header length %d exceeds the file (%d bytes)", n, len(data))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+n], &raw); err != nil {
		return nil, fmt.Errorf("not a safetensors file: bad JSON header: %w", err)
	}
	body := data[8+n:]
	f := &File{Tensors: make(map[string]*Tensor, len(raw))}
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fmt.Errorf("bad __metadata__: %w", err)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("tensor %q: bad header entry: %w", name, err)
		}
		size, ok := dtypeSizes[e.DType]
		if !ok {
			return nil, fmt.Errorf("tensor %q: unknown dtype %q", name, e.DType)
		}
		t := &Tensor{Name: name, DType: e.DType, Shape: e.Shape}
		for _, d := range e.Shape {
			if d < 0 {
				return nil, fmt.Errorf("tensor %q: negative dimension in shape %v", name, e.Shape)
			}
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin || end > len(body) {
			return nil, fmt.Errorf("tensor %q: byte range [%d, %d) outside the %d data bytes", name, begin, end, len(body))
		}
		if want := t.NumElements() * size; end-begin != want {
			return nil, fmt.Errorf("tensor %q: %s %v needs %d bytes, the header gives %d", name, e.DType, e.Shape, want, end-begin)
		}
		t.Data = body[begin:end:end]
		f.Tensors[name] = t
	}
	return f, nil
}

// WriteFile writes tensors (in the given order) and metadata to path
// atomically: a temporary file beside it is renamed into place.
func WriteFile(path string, tensors []*Tensor, metadata map[string]string) error {
	header := make(map[string]any, len(tensors)+1)
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	offset := 0
	for _, t := range tensors {
		size, ok := dtypeSizes[t.DType]
		if !ok {
			return fmt.Errorf("tensor %q: unknown dtype %q", t.Name, t.DType)
		}
		if want := t.NumElements() * size; want != len(t.Data) {
			return fmt.Errorf("tensor %q: %s %v needs %d bytes, has %d", t.Name, t.DType, t.Shape, want, len(t.Data))
		}
		if _, dup := header[t.Name]; dup {
			return fmt.Errorf("tensor %q given twice", t.Name)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = headerEntry{DType: t.DType, Shape: shape, DataOffsets: [2]int{offset, offset + len(t.Data)}}
		offset += len(t.Data)
	}
	js, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(js)%8 != 0 { // align the data to 8 bytes, as the reference writer does
		js = append(js, ' ')
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(js)))
	return atomicfile.Write(path, func(w io.Writer) error {
		if _, err := w.Write(lenBuf[:]); err != nil {
			return err
		}
		if _, err := w.Write(js); err != nil {
			return err
		}
		for _, t := range tensors {
			if _, err := w.Write(t.Data); err != nil {
				return err
			}
		}
		return nil
	})
}
