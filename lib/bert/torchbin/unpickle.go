package torchbin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// The unpickler below understands the opcodes that torch.save (pickle
// protocols 2–5) uses for a state dict and builds only inert Go values:
// strings, numbers, tuples, lists, dicts, tensor references. A GLOBAL is
// resolved against allowedGlobals and anything else stops the load with an
// error naming it, so a checkpoint can never make the loader run or build
// something else. Every length in the stream is checked against the bytes
// that are left before anything is allocated.

// global is a resolved, allowed pickle GLOBAL.
type global struct{ module, name string }

func (g global) String() string { return g.module + "." + g.name }

// storageDTypes are the storage classes a state dict refers to, with their
// safetensors dtype code and element size.
var storageDTypes = map[string]struct {
	code string
	size int
}{
	"FloatStorage": {"F32", 4}, "HalfStorage": {"F16", 2}, "BFloat16Storage": {"BF16", 2},
	"DoubleStorage": {"F64", 8}, "LongStorage": {"I64", 8}, "IntStorage": {"I32", 4},
	"ShortStorage": {"I16", 2}, "CharStorage": {"I8", 1}, "ByteStorage": {"U8", 1}, "BoolStorage": {"BOOL", 1},
}

// allowedGlobals are the only globals a checkpoint may name.
func allowed(module, name string) bool {
	switch module {
	case "collections":
		return name == "OrderedDict"
	case "torch._utils":
		return name == "_rebuild_tensor_v2" || name == "_rebuild_parameter"
	case "torch":
		_, ok := storageDTypes[name]
		return ok
	}
	return false
}

// allowedList names the allowed globals for error messages.
const allowedList = "collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.*Storage"

// RefusedGlobalError is returned for a pickle that names a global outside
// the state-dict allowlist (os.system, builtins.eval, a custom class, …).
type RefusedGlobalError struct{ Module, Name string }

func (e *RefusedGlobalError) Error() string {
	return fmt.Sprintf("refused pickle global %s.%s: a checkpoint may only name %s (the file is not a plain "+
		"state dict, or it is malicious; nothing was executed)", e.Module, e.Name, allowedList)
}

// mark is the MARK opcode's stack marker.
type mark struct{}

// tuple is a pickled tuple.
type tuple []any

// list is a pickled list (a pointer, so APPEND changes it in place).
type list struct{ items []any }

// dict is a pickled dict or OrderedDict, keeping insertion order.
type dict struct {
	keys   []any
	values []any
}

func (d *dict) set(k, v any) {
	for i, old := range d.keys {
		if old == k {
			d.values[i] = v
			return
		}
	}
	d.keys = append(d.keys, k)
	d.values = append(d.values, v)
}

// storageRef is a persistent storage reference: data/<key> in the archive.
type storageRef struct {
	key   string
	dtype string // safetensors code
	size  int    // element size in bytes
	numel int64
}

// tensorRef is a tensor view of a storage (torch._utils._rebuild_tensor_v2).
type tensorRef struct {
	storage *storageRef
	offset  int64
	shape   []int64
	stride  []int64
}

// unpickler decodes one pickle held in memory.
type unpickler struct {
	data  []byte
	pos   int
	stack []any
	marks []int
	memo  map[int]any
	// persistentLoad resolves a BINPERSID id.
	persistentLoad func(id any) (any, error)
}

var errShort = errors.New("truncated pickle")

func (u *unpickler) take(n int) ([]byte, error) {
	if n < 0 || n > len(u.data)-u.pos {
		return nil, errShort
	}
	b := u.data[u.pos : u.pos+n]
	u.pos += n
	return b, nil
}

func (u *unpickler) uint(n int) (uint64, error) {
	b, err := u.take(n)
	if err != nil {
		return 0, err
	}
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:]), nil
}

// length reads an n-byte length and checks that that many bytes are left.
func (u *unpickler) length(n int) (int, error) {
	v, err := u.uint(n)
	if err != nil {
		return 0, err
	}
	if v > uint64(len(u.data)-u.pos) {
		return 0, errShort
	}
	return int(v), nil
}

func (u *unpickler) line() (string, error) {
	i := strings.IndexByte(string(u.data[u.pos:min(len(u.data), u.pos+256)]), '\n')
	if i < 0 {
		return "", errors.New("pickle GLOBAL without a newline")
	}
	s := string(u.data[u.pos : u.pos+i])
	u.pos += i + 1
	return s, nil
}

func (u *unpickler) push(v any) { u.stack = append(u.stack, v) }

// floor is the stack height at the last MARK: ops other than those taking
// the marked items may not reach below it.
func (u *unpickler) floor() int {
	if len(u.marks) == 0 {
		return 0
	}
	return u.marks[len(u.marks)-1]
}

func (u *unpickler) pop() (any, error) {
	if len(u.stack) <= u.floor() {
		return nil, errors.New("pickle stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) <= u.floor() {
		return nil, errors.New("pickle stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark pops everything above the last MARK.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, errors.New("pickle MARK missing")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	if m > len(u.stack) {
		return nil, errors.New("pickle MARK above the stack")
	}
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	return items, nil
}

// load runs the pickle to its STOP and returns the value.
func (u *unpickler) load() (v any, err error) {
	defer func() { // a bug here must not take the process down on a bad file
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("malformed pickle at byte %d: %v", u.pos, r)
		}
	}()
	for {
		if u.pos >= len(u.data) {
			return nil, errShort
		}
		op := u.data[u.pos]
		u.pos++
		done, err := u.step(op)
		if err != nil {
			var refused *RefusedGlobalError
			if errors.As(err, &refused) {
				return nil, err
			}
			return nil, fmt.Errorf("pickle opcode %q at byte %d: %w", op, u.pos-1, err)
		}
		if done {
			return u.pop()
		}
	}
}

// step executes one opcode; done is true at STOP.
func (u *unpickler) step(op byte) (done bool, err error) {
	switch op {
	case 0x80: // PROTO
		_, err = u.take(1)
	case 0x95: // FRAME: the frame's bytes follow inline
		_, err = u.uint(8)
	case '.': // STOP
		return true, nil
	case '(': // MARK
		u.marks = append(u.marks, len(u.stack))
	case 'N':
		u.push(nil)
	case 0x88:
		u.push(true)
	case 0x89:
		u.push(false)
	case 'J': // BININT
		var v uint64
		v, err = u.uint(4)
		u.push(int64(int32(uint32(v))))
	case 'K': // BININT1
		var v uint64
		v, err = u.uint(1)
		u.push(int64(v))
	case 'M': // BININT2
		var v uint64
		v, err = u.uint(2)
		u.push(int64(v))
	case 0x8a: // LONG1
		var n int
		if n, err = u.length(1); err == nil {
			var b []byte
			b, _ = u.take(n)
			u.push(decodeLong(b))
		}
	case 'G': // BINFLOAT (big-endian)
		var b []byte
		if b, err = u.take(8); err == nil {
			u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
		}
	case 'X', 0x8c, 0x8d, 'T', 'U', 'B', 'C', 0x8e: // strings and bytes
		err = u.loadString(op)
	case ')':
		u.push(tuple{})
	case 0x85, 0x86, 0x87: // TUPLE1..3
		n := int(op - 0x84)
		if len(u.stack)-n < u.floor() {
			return false, errors.New("pickle stack underflow")
		}
		t := append(tuple(nil), u.stack[len(u.stack)-n:]...)
		u.stack = u.stack[:len(u.stack)-n]
		u.push(t)
	case 't': // TUPLE
		var items []any
		if items, err = u.popMark(); err == nil {
			u.push(tuple(items))
		}
	case ']':
		u.push(&list{})
	case 'l': // LIST
		var items []any
		if items, err = u.popMark(); err == nil {
			u.push(&list{items: items})
		}
	case 'a', 'e': // APPEND, APPENDS
		err = u.appendItems(op)
	case '}':
		u.push(&dict{})
	case 'd': // DICT
		var items []any
		if items, err = u.popMark(); err == nil {
			d := &dict{}
			err = setPairs(d, items)
			u.push(d)
		}
	case 's', 'u': // SETITEM, SETITEMS
		err = u.setItems(op)
	case 'q', 'r', 0x94, 'p': // BINPUT, LONG_BINPUT, MEMOIZE, PUT
		err = u.put(op)
	case 'h', 'j', 'g': // BINGET, LONG_BINGET, GET
		err = u.get(op)
	case '0': // POP
		if len(u.marks) > 0 && len(u.stack) == u.marks[len(u.marks)-1] {
			_, err = u.popMark()
		} else {
			_, err = u.pop()
		}
	case '1': // POP_MARK
		_, err = u.popMark()
	case '2': // DUP
		var v any
		if v, err = u.top(); err == nil {
			u.push(v)
		}
	case 'c': // GLOBAL
		var module, name string
		if module, err = u.line(); err == nil {
			if name, err = u.line(); err == nil {
				err = u.pushGlobal(module, name)
			}
		}
	case 0x93: // STACK_GLOBAL
		var name, module any
		if name, err = u.pop(); err == nil {
			if module, err = u.pop(); err == nil {
				m, ok1 := module.(string)
				n, ok2 := name.(string)
				if !ok1 || !ok2 {
					return false, errors.New("STACK_GLOBAL needs two strings")
				}
				err = u.pushGlobal(m, n)
			}
		}
	case 'Q': // BINPERSID
		var id, v any
		if id, err = u.pop(); err == nil {
			if v, err = u.persistentLoad(id); err == nil {
				u.push(v)
			}
		}
	case 'R': // REDUCE
		err = u.reduce()
	case 'b': // BUILD: only a state dict's own attributes (its _metadata) are accepted, and dropped
		var obj any
		if _, err = u.pop(); err == nil {
			if obj, err = u.top(); err == nil {
				if _, ok := obj.(*dict); !ok {
					err = fmt.Errorf("BUILD on a %T: only an OrderedDict's attributes may be set", obj)
				}
			}
		}
	default:
		return false, fmt.Errorf("unsupported pickle opcode 0x%02x: not one torch.save writes for a state dict", op)
	}
	return false, err
}

func (u *unpickler) loadString(op byte) error {
	sizes := map[byte]int{'X': 4, 0x8c: 1, 0x8d: 8, 'T': 4, 'U': 1, 'B': 4, 'C': 1, 0x8e: 8}
	n, err := u.length(sizes[op])
	if err != nil {
		return err
	}
	b, err := u.take(n)
	if err != nil {
		return err
	}
	if op == 'B' || op == 'C' || op == 0x8e {
		u.push(append([]byte(nil), b...))
	} else {
		u.push(string(b))
	}
	return nil
}

func (u *unpickler) appendItems(op byte) error {
	var items []any
	var err error
	if op == 'a' {
		var v any
		if v, err = u.pop(); err != nil {
			return err
		}
		items = []any{v}
	} else if items, err = u.popMark(); err != nil {
		return err
	}
	target, err := u.top()
	if err != nil {
		return err
	}
	l, ok := target.(*list)
	if !ok {
		return fmt.Errorf("APPEND to a %T", target)
	}
	l.items = append(l.items, items...)
	return nil
}

func (u *unpickler) setItems(op byte) error {
	var items []any
	var err error
	if op == 's' {
		var k, v any
		if v, err = u.pop(); err != nil {
			return err
		}
		if k, err = u.pop(); err != nil {
			return err
		}
		items = []any{k, v}
	} else if items, err = u.popMark(); err != nil {
		return err
	}
	target, err := u.top()
	if err != nil {
		return err
	}
	d, ok := target.(*dict)
	if !ok {
		return fmt.Errorf("SETITEM on a %T", target)
	}
	return setPairs(d, items)
}

func setPairs(d *dict, items []any) error {
	if len(items)%2 != 0 {
		return errors.New("odd number of dict items")
	}
	for i := 0; i < len(items); i += 2 {
		switch items[i].(type) {
		case string, int64, float64, bool, nil:
		default:
			return fmt.Errorf("dict key of type %T", items[i])
		}
		d.set(items[i], items[i+1])
	}
	return nil
}

func (u *unpickler) put(op byte) error {
	var idx uint64
	var err error
	switch op {
	case 'q':
		idx, err = u.uint(1)
	case 'r':
		idx, err = u.uint(4)
	case 0x94:
		idx = uint64(len(u.memo))
	case 'p':
		var s string
		if s, err = u.line(); err == nil {
			idx, err = strconv.ParseUint(s, 10, 31)
		}
	}
	if err != nil {
		return err
	}
	v, err := u.top()
	if err != nil {
		return err
	}
	u.memo[int(idx)] = v
	return nil
}

func (u *unpickler) get(op byte) error {
	var idx uint64
	var err error
	switch op {
	case 'h':
		idx, err = u.uint(1)
	case 'j':
		idx, err = u.uint(4)
	case 'g':
		var s string
		if s, err = u.line(); err == nil {
			idx, err = strconv.ParseUint(s, 10, 31)
		}
	}
	if err != nil {
		return err
	}
	v, ok := u.memo[int(idx)]
	if !ok {
		return fmt.Errorf("memo entry %d missing", idx)
	}
	u.push(v)
	return nil
}

func (u *unpickler) pushGlobal(module, name string) error {
	if !allowed(module, name) {
		return &RefusedGlobalError{Module: module, Name: name}
	}
	u.push(global{module, name})
	return nil
}

// reduce applies an allowed callable to its argument tuple.
func (u *unpickler) reduce() error {
	rawArgs, err := u.pop()
	if err != nil {
		return err
	}
	rawFn, err := u.pop()
	if err != nil {
		return err
	}
	args, ok := rawArgs.(tuple)
	fn, ok2 := rawFn.(global)
	if !ok || !ok2 {
		return fmt.Errorf("REDUCE of %T with %T", rawFn, rawArgs)
	}
	switch fn.String() {
	case "collections.OrderedDict":
		if len(args) != 0 {
			return errors.New("OrderedDict with arguments")
		}
		u.push(&dict{})
	case "torch._utils._rebuild_parameter":
		if len(args) < 1 {
			return errors.New("_rebuild_parameter without data")
		}
		if _, ok := args[0].(*tensorRef); !ok {
			return fmt.Errorf("_rebuild_parameter of a %T", args[0])
		}
		u.push(args[0])
	case "torch._utils._rebuild_tensor_v2":
		t, err := rebuildTensor(args)
		if err != nil {
			return err
		}
		u.push(t)
	default:
		return fmt.Errorf("%s cannot be called", fn)
	}
	return nil
}

// rebuildTensor is _rebuild_tensor_v2(storage, storage_offset, size, stride,
// requires_grad, backward_hooks[, metadata]).
func rebuildTensor(args tuple) (*tensorRef, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments", len(args))
	}
	s, ok := args[0].(*storageRef)
	if !ok {
		return nil, fmt.Errorf("_rebuild_tensor_v2 of a %T, not a storage", args[0])
	}
	offset, ok := args[1].(int64)
	shape, err1 := ints(args[2])
	stride, err2 := ints(args[3])
	if !ok || err1 != nil || err2 != nil || len(shape) != len(stride) || offset < 0 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: bad offset, size or stride %v %v %v", args[1], args[2], args[3])
	}
	return &tensorRef{storage: s, offset: offset, shape: shape, stride: stride}, nil
}

func ints(v any) ([]int64, error) {
	t, ok := v.(tuple)
	if !ok {
		return nil, fmt.Errorf("%T is not a tuple", v)
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok || n < 0 {
			return nil, fmt.Errorf("%v is not a non-negative int", x)
		}
		out[i] = n
	}
	return out, nil
}

// decodeLong decodes a little-endian two's-complement integer: an int64
// when it fits, else a *big.Int.
func decodeLong(b []byte) any {
	if len(b) == 0 {
		return int64(0)
	}
	if len(b) <= 8 {
		var buf [8]byte
		copy(buf[:], b)
		if b[len(b)-1]&0x80 != 0 {
			for i := len(b); i < 8; i++ {
				buf[i] = 0xff
			}
		}
		return int64(binary.LittleEndian.Uint64(buf[:]))
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	n := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}
