package torchbin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"os"

	"github.com/polarityml/polarity/lib/bert/safetensors"
)

// legacyMagic is the number the legacy format's first pickle holds.
var legacyMagic, _ = new(big.Int).SetString("1950a86a20f9469cfc6c", 16)

// readLegacy reads torch.save's format before torch 1.6: five pickles (the
// magic number, protocol version 1001, system info, the state dict, the list
// of storage keys in file order), then each storage as an 8-byte
// little-endian element count and its bytes.
func readLegacy(f *os.File) (*safetensors.File, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data := make([]byte, fi.Size()) // one allocation: the storages are slices of it
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, err
	}
	return parseLegacy(data)
}

// parseLegacy decodes a legacy-format checkpoint held in memory.
func parseLegacy(data []byte) (*safetensors.File, error) {
	pos := 0
	next := func(persistent func(any) (any, error)) (any, error) {
		u := &unpickler{data: data, pos: pos, memo: map[int]any{}, persistentLoad: persistent}
		v, err := u.load()
		pos = u.pos
		return v, err
	}
	noPersistent := func(id any) (any, error) { return nil, fmt.Errorf("unexpected persistent id %v", id) }
	magic, err := next(noPersistent)
	if n, ok := magic.(*big.Int); err != nil || !ok || n.Cmp(legacyMagic) != 0 {
		return nil, errors.New("not a torch.save checkpoint: a pickle, but without the legacy format's magic number " +
			"(re-save it with torch.save(model.state_dict()) or as safetensors)")
	}
	if version, err := next(noPersistent); err != nil || version != int64(1001) {
		return nil, fmt.Errorf("legacy torch checkpoint protocol %v, want 1001 (%v)", version, err)
	}
	info, err := next(noPersistent)
	if err != nil {
		return nil, err
	}
	if d, ok := info.(*dict); !ok || !littleEndian(d) {
		return nil, errors.New("the checkpoint was written on a big-endian machine: only little-endian checkpoints are read")
	}
	refs := map[string]*storageRef{}
	state, err := next(func(id any) (any, error) {
		s, err := persistentLoad(id)
		if err == nil {
			ref := s.(*storageRef)
			if old, ok := refs[ref.key]; ok {
				return old, nil
			}
			refs[ref.key] = ref
		}
		return s, err
	})
	if err != nil {
		return nil, err
	}
	rawKeys, err := next(noPersistent)
	if err != nil {
		return nil, err
	}
	keys, ok := rawKeys.(*list)
	if !ok {
		return nil, fmt.Errorf("storage key list is a %s", pyType(rawKeys))
	}
	storages := map[string][]byte{}
	for _, k := range keys.items {
		key, ok := k.(string)
		ref := refs[key]
		if !ok || ref == nil {
			return nil, fmt.Errorf("storage key %v is not one the state dict uses", k)
		}
		if len(data)-pos < 8 {
			return nil, fmt.Errorf("storage %s: the file ends before its data", key)
		}
		numel := binary.LittleEndian.Uint64(data[pos:])
		pos += 8
		size := numel * uint64(ref.size)
		if numel != uint64(ref.numel) || numel > maxElements || size > uint64(len(data)-pos) {
			return nil, fmt.Errorf("storage %s: %d elements in the file, %d in the state dict, %d bytes left",
				key, numel, ref.numel, len(data)-pos)
		}
		storages[key] = data[pos : pos+int(size)]
		pos += int(size)
	}
	return stateDict(state, func(name string, s *storageRef) ([]byte, error) {
		if b, ok := storages[s.key]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("tensor %q: storage %s is not in the file", name, s.key)
	})
}

// littleEndian reads sys_info's little_endian flag.
func littleEndian(d *dict) bool {
	for i, k := range d.keys {
		if k == "little_endian" {
			return d.values[i] == true
		}
	}
	return false
}
