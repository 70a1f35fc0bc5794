// Package torchbin reads PyTorch checkpoints (pytorch_model.bin: the zip
// format torch.save writes since torch 1.6, and the older "legacy" stream of
// pickles that checkpoints uploaded before mid-2020 use, such as Google's
// small BERTs) without running any code: the
// state dict's pickle is decoded by a small restricted unpickler that
// accepts only the globals a state dict needs (collections.OrderedDict,
// torch._utils._rebuild_tensor_v2 and _rebuild_parameter, the torch.*Storage
// types) and refuses everything else — os.system, builtins.eval, custom
// classes — with a RefusedGlobalError naming the global. Tensors come out as
// safetensors tensors (dtype code, shape, contiguous little-endian bytes),
// so the rest of lib/bert reads both formats the same way.
//
// github.com/nlpodyssey/gopickle was considered: its unpickler resolves
// collections.OrderedDict, __builtin__.object and copy_reg._reconstructor
// itself, before any allowlist hook, and allocates whatever length the file
// claims (an 8-byte length can end the process with an out-of-memory fatal
// error that recover cannot catch), so it cannot be restricted to "only
// these globals, bounded by the file's size".
package torchbin

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/polarityml/polarity/lib/bert/safetensors"
)

// maxElements bounds a storage's and a tensor's element count (2^40, far
// above any model's), so that sizes and view arithmetic cannot overflow.
const maxElements = 1 << 40

// maxPickleSize bounds data.pkl (a state dict's pickle is a few hundred KB
// even for large models; the tensors live in separate records).
const maxPickleSize = 256 << 20

// ReadFile reads the state dict of a torch.save checkpoint (zip or legacy
// format): every tensor by name as a contiguous safetensors tensor. Tensors
// that are contiguous views share their storage's bytes (tied weights share
// them with each other): treat Data as read-only.
func ReadFile(filename string) (*safetensors.File, error) {
	f, err := os.Open(filename)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filename, err)
	}
	if magic[0] == 0x80 && magic[1] >= 2 { // a pickle: the legacy format
		out, err := readLegacy(f)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", filename, err)
		}
		return out, nil
	}
	if string(magic[:]) != "PK\x03\x04" {
		return nil, fmt.Errorf("%s is not a torch.save checkpoint (neither its zip format nor the legacy one): "+
			"re-save it with torch.save(model.state_dict()) or as safetensors", filename)
	}
	zr, err := zip.OpenReader(filename)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filename, err)
	}
	defer zr.Close()
	out, err := read(&zr.Reader)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filename, err)
	}
	return out, nil
}

// read decodes the archive: <root>/data.pkl and the <root>/data/<key> storages.
func read(zr *zip.Reader) (*safetensors.File, error) {
	records := map[string]*zip.File{}
	root := ""
	for _, f := range zr.File {
		records[f.Name] = f
		if dir, base := path.Split(f.Name); base == "data.pkl" && strings.Count(f.Name, "/") == 1 {
			root = dir
		}
	}
	if root == "" {
		return nil, errors.New("no data.pkl in the archive: not a torch.save checkpoint")
	}
	if _, ok := records[root+"constants.pkl"]; ok {
		return nil, errors.New("a TorchScript archive, not a state dict: save the model's state_dict() instead")
	}
	if rec, ok := records[root+"byteorder"]; ok {
		order, err := readRecord(rec, 16)
		if err != nil {
			return nil, err
		}
		if string(order) != "little" {
			return nil, fmt.Errorf("byte order %q: only little-endian checkpoints are read", order)
		}
	}
	pkl, err := readRecord(records[root+"data.pkl"], maxPickleSize)
	if err != nil {
		return nil, err
	}
	u := &unpickler{data: pkl, memo: map[int]any{}, persistentLoad: persistentLoad}
	v, err := u.load()
	if err != nil {
		return nil, err
	}
	return stateDict(v, func(name string, s *storageRef) ([]byte, error) {
		rec := records[root+"data/"+s.key]
		if rec == nil {
			return nil, fmt.Errorf("tensor %q: storage data/%s is missing from the archive", name, s.key)
		}
		want := uint64(s.numel) * uint64(s.size)
		if rec.UncompressedSize64 != want {
			return nil, fmt.Errorf("tensor %q: storage data/%s has %d bytes, want %d", name, s.key, rec.UncompressedSize64, want)
		}
		return readRecord(rec, int64(want))
	})
}

// stateDict converts the unpickled state dict v into tensors, reading each
// storage once with storage.
func stateDict(v any, storage func(name string, s *storageRef) ([]byte, error)) (*safetensors.File, error) {
	d, ok := v.(*dict)
	if !ok {
		return nil, fmt.Errorf("the checkpoint holds a %s, not a state dict (an OrderedDict of tensors)", pyType(v))
	}
	file := &safetensors.File{Tensors: map[string]*safetensors.Tensor{}}
	storages := map[string][]byte{}
	for i, k := range d.keys {
		name, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("state dict key %v is not a string", k)
		}
		ref, ok := d.values[i].(*tensorRef)
		if !ok {
			return nil, fmt.Errorf("state dict entry %q is a %s, not a tensor", name, pyType(d.values[i]))
		}
		data, ok := storages[ref.storage.key]
		if !ok {
			var err error
			if data, err = storage(name, ref.storage); err != nil {
				return nil, err
			}
			storages[ref.storage.key] = data
		}
		t, err := materialize(name, ref, data)
		if err != nil {
			return nil, err
		}
		file.Tensors[name] = t
	}
	return file, nil
}

// persistentLoad resolves ('storage', StorageType, key, location, numel),
// and the legacy format's ('storage', StorageType, key, location, numel,
// view_metadata) with view_metadata None.
func persistentLoad(id any) (any, error) {
	t, ok := id.(tuple)
	if ok && len(t) == 6 && t[5] == nil {
		t = t[:5]
	}
	if !ok || len(t) != 5 || t[0] != "storage" {
		return nil, fmt.Errorf("persistent id %v is not a storage reference", id)
	}
	g, ok := t[1].(global)
	key, ok2 := t[2].(string)
	numel, ok3 := t[4].(int64)
	if !ok || !ok2 || !ok3 || g.module != "torch" || numel < 0 || numel > maxElements || key == "" || strings.ContainsAny(key, "/\\") {
		return nil, fmt.Errorf("persistent id %v is not a storage reference", id)
	}
	dt := storageDTypes[g.name]
	return &storageRef{key: key, dtype: dt.code, size: dt.size, numel: numel}, nil
}

// materialize copies the view (offset, shape, stride) of storage data into
// a contiguous tensor, checking every index against the storage.
func materialize(name string, ref *tensorRef, data []byte) (*safetensors.Tensor, error) {
	es := int64(ref.storage.size)
	numel, last := int64(1), ref.offset
	tooLarge := fmt.Errorf("tensor %q: view %v/%v at offset %d is larger than any checkpoint's", name, ref.shape, ref.stride, ref.offset)
	if len(ref.shape) > 64 || ref.offset > maxElements {
		return nil, tooLarge
	}
	for i, d := range ref.shape {
		if d == 0 {
			numel = 0
			break
		}
		// Bounds that keep every product below 2^63: numel and each
		// (d-1)·stride at most maxElements, at most 64 of them.
		if numel > maxElements/d || (d > 1 && ref.stride[i] > maxElements/(d-1)) {
			return nil, tooLarge
		}
		numel *= d
		last += (d - 1) * ref.stride[i]
	}
	shape := make([]int, len(ref.shape))
	for i, d := range ref.shape {
		shape[i] = int(d)
	}
	t := &safetensors.Tensor{Name: name, DType: ref.storage.dtype, Shape: shape}
	if numel == 0 {
		return t, nil
	}
	if last >= ref.storage.numel || (last+1)*es > int64(len(data)) {
		return nil, fmt.Errorf("tensor %q: view %v/%v at offset %d reaches past its storage of %d elements",
			name, ref.shape, ref.stride, ref.offset, ref.storage.numel)
	}
	if contiguous(ref.shape, ref.stride) {
		t.Data = data[ref.offset*es : (ref.offset+numel)*es : (ref.offset+numel)*es] // no copy: read-only
		return t, nil
	}
	t.Data = make([]byte, 0, numel*es)
	index := make([]int64, len(ref.shape))
	for range numel {
		at := ref.offset
		for i, k := range index {
			at += k * ref.stride[i]
		}
		t.Data = append(t.Data, data[at*es:(at+1)*es]...)
		for i := len(index) - 1; i >= 0; i-- {
			if index[i]++; index[i] < ref.shape[i] {
				break
			}
			index[i] = 0
		}
	}
	return t, nil
}

// contiguous reports whether stride is the row-major stride of shape.
func contiguous(shape, stride []int64) bool {
	want := int64(1)
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && stride[i] != want {
			return false
		}
		want *= shape[i]
	}
	return true
}

func readRecord(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d expected", f.Name, f.UncompressedSize64, limit)
	}
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than the %d bytes expected", f.Name, limit)
	}
	return data, nil
}

// pyType names a decoded value's Python type for error messages.
func pyType(v any) string {
	switch v.(type) {
	case *tensorRef:
		return "tensor"
	case *dict:
		return "dict"
	case *list:
		return "list"
	case tuple:
		return "tuple"
	case string:
		return "str"
	case nil:
		return "None"
	}
	return fmt.Sprintf("%T", v)
}
