package torchbin

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// views.bin, views-legacy.bin and views.json come from
// scripts/golden/distilbert_reference.py (torch.save of tensor views in the
// zip and the legacy format, and their values as torch sees them).
func TestReadFileMaterializesViews(t *testing.T) {
	for _, file := range []string{"views.bin", "views-legacy.bin"} {
		t.Run(file, func(t *testing.T) { checkViews(t, file) })
	}
}

func checkViews(t *testing.T, file string) {
	f, err := ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "views.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]struct {
		Shape  []int     `json:"shape"`
		Values []float64 `json:"values"`
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != len(want) {
		t.Fatalf("read %d tensors, want %d", len(f.Tensors), len(want))
	}
	for name, w := range want {
		tensor := f.Tensors[name]
		if tensor == nil {
			t.Fatalf("tensor %q missing", name)
		}
		if !slices.Equal(tensor.Shape, w.Shape) {
			t.Errorf("%s: shape %v, want %v", name, tensor.Shape, w.Shape)
		}
		var got []float64
		if tensor.DType == "I64" {
			for i := 0; i < len(tensor.Data); i += 8 {
				v := int64(0)
				for b := 7; b >= 0; b-- {
					v = v<<8 | int64(tensor.Data[i+b])
				}
				got = append(got, float64(v))
			}
		} else {
			vals, err := tensor.Float32()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, v := range vals {
				got = append(got, float64(v))
			}
		}
		if len(got) != len(w.Values) {
			t.Fatalf("%s: %d values, want %d", name, len(got), len(w.Values))
		}
		for i := range got {
			if got[i] != w.Values[i] {
				t.Fatalf("%s: values %v, want %v", name, got, w.Values)
			}
		}
	}
	if f.Tensors["half"].DType != "F16" || f.Tensors["long"].DType != "I64" || f.Tensors["transposed"].DType != "F32" {
		t.Errorf("dtypes %s %s %s", f.Tensors["half"].DType, f.Tensors["long"].DType, f.Tensors["transposed"].DType)
	}
}

// The malicious checkpoints' pickles call os.system / builtins.exec through
// __reduce__ to create marker; loading must refuse them by name and create nothing.
const marker = "/tmp/polarity-torchbin-pwned"

func TestMaliciousPickleIsRefusedAndRunsNothing(t *testing.T) {
	cases := map[string]string{"evil-system.bin": "posix.system", "evil-exec.bin": "builtins.exec"}
	for file, global := range cases {
		t.Run(file, func(t *testing.T) {
			os.Remove(marker)
			_, err := ReadFile(filepath.Join("testdata", file))
			var refused *RefusedGlobalError
			if !errors.As(err, &refused) || refused.Module+"."+refused.Name != global {
				t.Fatalf("err %v, want the global %s refused", err, global)
			}
			if !strings.Contains(err.Error(), global) || !strings.Contains(err.Error(), "nothing was executed") {
				t.Errorf("error %q does not name %s", err, global)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatalf("%s exists: the pickle ran", marker)
			}
		})
	}
}

// zipWith builds a torch-style archive with data.pkl = pkl (and the storages).
func zipWith(t *testing.T, pkl []byte, records map[string][]byte) string {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	add := func(name string, data []byte) {
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data)
	}
	add("archive/data.pkl", pkl)
	for name, data := range records {
		add("archive/"+name, data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "pytorch_model.bin")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadCheckpointsAreClearErrors(t *testing.T) {
	// A protocol-2 state dict {"w": FloatStorage tensor of 2 elements}, by hand.
	tensorPickle := func(numel byte, size byte) []byte {
		return []byte("\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x01\x00\x00\x00wq\x02ctorch._utils\n_rebuild_tensor_v2\nq\x03(" +
			"(X\x07\x00\x00\x00storageq\x04ctorch\nFloatStorage\nq\x05X\x01\x00\x00\x000q\x06X\x03\x00\x00\x00cpuq\x07K" + string([]byte{numel}) + "tq\x08" +
			"QK\x00K" + string([]byte{size}) + "\x85q\tK\x01\x85q\n\x89ccollections\nOrderedDict\nq\x0b)Rq\x0ctq\rRq\x0es.")
	}
	good := zipWith(t, tensorPickle(2, 2), map[string][]byte{"data/0": {0, 0, 128, 63, 0, 0, 0, 64}})
	f, err := ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Tensors["w"].Float32(); len(v) != 2 || v[0] != 1 || v[1] != 2 {
		t.Fatalf("w = %v, want [1 2]", v)
	}
	cases := []struct {
		name, want string
		path       string
	}{
		{"view past storage", "reaches past its storage", zipWith(t, tensorPickle(2, 3), map[string][]byte{"data/0": make([]byte, 8)})},
		{"short storage", "has 4 bytes, want 8", zipWith(t, tensorPickle(2, 2), map[string][]byte{"data/0": make([]byte, 4)})},
		{"missing storage", "storage data/0 is missing", zipWith(t, tensorPickle(2, 2), nil)},
		{"truncated pickle", "truncated pickle", zipWith(t, tensorPickle(2, 2)[:40], nil)},
		{"huge length", "truncated pickle", zipWith(t, []byte("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f."), nil)},
		{"not a dict", "holds a list", zipWith(t, []byte("\x80\x02]."), nil)},
		{"unknown opcode", "unsupported pickle opcode", zipWith(t, []byte("\x80\x02\xff."), nil)},
		{"class instance", "refused pickle global __main__.Model", zipWith(t, []byte("\x80\x02c__main__\nModel\n)\x81."), nil)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadFile(c.path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
	dir := t.TempDir()
	for data, want := range map[string]string{
		"\x80\x02K\x01.":         "without the legacy format's magic number",
		"\x80\x02\x8a\x0alegacy": "without the legacy format's magic number",
		"GIF89a":                 "not a torch.save checkpoint",
		legacyHeader + "}q\x00.": "big-endian",
		legacyHeader + littleInfo + "}." + "]q\x00X\x01\x00\x00\x000a.": "not one the state dict uses",
	} {
		p := filepath.Join(dir, "x.bin")
		os.WriteFile(p, []byte(data), 0o644)
		if _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", data, err, want)
		}
	}
}

// legacyHeader is the legacy format's magic number and protocol pickles;
// littleInfo a sys_info pickle saying little-endian.
const (
	legacyHeader = "\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe9\x03."
	littleInfo   = "\x80\x02}q\x00X\x0d\x00\x00\x00little_endianq\x01\x88s."
)

func TestLegacyFormatChecksStorageSizes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "views-legacy.bin"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "cut.bin")
	for _, cut := range []int{len(data) - 1, len(data) - 100} {
		os.WriteFile(p, data[:cut], 0o644)
		if _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), "storage") {
			t.Errorf("cut at %d of %d: err %v, want the short storage named", cut, len(data), err)
		}
	}
}

func FuzzUnpickle(f *testing.F) {
	for _, name := range []string{"views.bin", "evil-system.bin"} {
		zr, err := zip.OpenReader(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		for _, rec := range zr.File {
			if strings.HasSuffix(rec.Name, "data.pkl") {
				data, _ := readRecord(rec, maxPickleSize)
				f.Add(data)
			}
		}
		zr.Close()
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		u := &unpickler{data: data, memo: map[int]any{}, persistentLoad: persistentLoad}
		u.load() // must not panic
	})
}

func FuzzParseLegacy(f *testing.F) {
	for _, name := range []string{"views-legacy.bin", filepath.Join("..", "..", "testdata", "hub-f32-legacy", "pytorch_model.bin")} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parseLegacy(data) // must not panic
	})
}
