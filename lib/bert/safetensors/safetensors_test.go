package safetensors

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	a, err := FromFloat32("a.weight", []int{2, 3}, []float32{1, -2, 3.5, 0, 1e-8, -7})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := FromFloat32("b", []int{}, []float32{42})
	if err := WriteFile(path, []*Tensor{a, b}, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" || strings.Join(f.Names(), ",") != "a.weight,b" {
		t.Fatalf("metadata %v names %v", f.Metadata, f.Names())
	}
	got, err := f.Tensors["a.weight"].Float32()
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, -2, 3.5, 0, 1e-8, -7}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("a.weight = %v, want %v", got, want)
		}
	}
	raw, _ := os.ReadFile(path)
	if hl := binary.LittleEndian.Uint64(raw); hl%8 != 0 {
		t.Fatalf("header length %d not 8-byte aligned", hl)
	}
}

func TestHalfPrecisionDecoding(t *testing.T) {
	// 1.5 = 0x3E00 in f16, 0x3FC0 in bf16; -2 = 0xC000 in f16, 0xC000 in bf16.
	f16 := &Tensor{Name: "h", DType: "F16", Shape: []int{2}, Data: []byte{0x00, 0x3E, 0x00, 0xC0}}
	bf16 := &Tensor{Name: "b", DType: "BF16", Shape: []int{2}, Data: []byte{0xC0, 0x3F, 0x00, 0xC0}}
	for _, tt := range []*Tensor{f16, bf16} {
		got, err := tt.Float32()
		if err != nil || got[0] != 1.5 || got[1] != -2 {
			t.Fatalf("%s decoded to %v, %v; want [1.5 -2]", tt.DType, got, err)
		}
	}
	if _, err := (&Tensor{Name: "ids", DType: "I64", Shape: []int{1}, Data: make([]byte, 8)}).Float32(); err == nil ||
		!strings.Contains(err.Error(), `"ids"`) {
		t.Fatalf("decoding I64 as float: err %v, want an error naming the tensor", err)
	}
}

func TestParseRejectsCorruptFiles(t *testing.T) {
	header := func(js string, body int) []byte {
		out := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
		return append(append(out, js...), make([]byte, body)...)
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"short":        {[]byte{1, 2}, "shorter than"},
		"huge header":  {binary.LittleEndian.AppendUint64(nil, 1<<40), "exceeds the file"},
		"bad json":     {header("{nope", 0), "bad JSON"},
		"out of range": {header(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4), "outside"},
		"size":         {header(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8), "needs 12 bytes"},
		"dtype":        {header(`{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}`, 1), "unknown dtype"},
	} {
		_, err := Parse(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want it to contain %q", name, err, tc.want)
		}
	}
}
