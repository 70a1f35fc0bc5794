// Command asmgen writes lib/cpukernels' Go-assembly micro-kernels with avo
// (github.com/mmcloughlin/avo). Run it through `go generate ./lib/cpukernels`.
//
// Each kernel computes one register-blocked tile of C += A·B (or C = A·B):
//
//	for r < MR, c < NR:  C[r·ldc + c] (+)= Σ_{p<k} a[p·MR + r] · b[p·ldb + c]
//
// where a is a packed MR-row micro-panel of A (MR floats per step of k) and b
// NR consecutive floats per step of k, ldb apart: a packed micro-panel of B
// (ldb = NR) as the packing in gemm.go lays it out, or B itself when its rows
// are contiguous. The accumulators stay in vector registers for the
// whole k loop; C is read (when accumulate ≠ 0) and written once.
package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// kernelSpec describes one micro-kernel: MR rows × (vectors·lanes) columns.
type kernelSpec struct {
	name    string
	mr      int               // rows of the tile (broadcast A values)
	vectors int               // vector registers per row of the tile
	lanes   int               // float32 lanes per vector register
	newVec  func() VecVirtual // allocates a vector register of the right width
	unroll  int               // k steps per loop iteration
}

func main() {
	ConstraintExpr("amd64")
	specs := []kernelSpec{
		// AVX-512: 8×32 tile = 16 zmm accumulators + 2 B vectors + 1 broadcast of 32 registers.
		// (12×32, and multiplying by A straight from memory ({1to16}), measured no faster
		// on the Zen 5 machines, and 8 rows pack with one 8×8 transpose.)
		{name: "kernelAVX512", mr: 8, vectors: 2, lanes: 16, newVec: ZMM, unroll: 4},
		// AVX2+FMA: 6×16 tile = 12 ymm accumulators + 2 B vectors + 1 broadcast of 16 registers.
		{name: "kernelAVX2", mr: 6, vectors: 2, lanes: 8, newVec: YMM, unroll: 2},
	}
	for _, s := range specs {
		generate(s)
	}
	for _, op := range binaryOps {
		for _, v := range []string{"VV", "VS", "SV"} {
			generateBinary(op, v)
		}
	}
	generateExp()
	generateErf()
	generateSignAndSqrt()
	generateSum()
	generateTranspose()
	Generate()
}

// generateSignAndSqrt writes sqrtAVX, negAVX and absAVX(out, x *float32, n
// int): out[i] = √x[i] (correctly rounded, as float32(math.Sqrt)), -x[i]
// and |x[i]| (sign bit flipped or cleared) for the first n - n mod 8 elements.
func generateSignAndSqrt() {
	c := newConstants("signConsts", []string{"sign", "magnitude"}, []uint32{0x80000000, 0x7fffffff})
	unaryLoop("sqrtAVX", func(x VecVirtual) VecVirtual {
		VSQRTPS(x, x)
		return x
	})
	unaryLoop("negAVX", func(x VecVirtual) VecVirtual {
		VXORPS(c.get("sign"), x, x)
		return x
	})
	unaryLoop("absAVX", func(x VecVirtual) VecVirtual {
		VANDPS(c.get("magnitude"), x, x)
		return x
	})
}

// generateSum writes sumAVX(x *float32, n int) float32: the sum of the first
// n - n mod 8 elements, in four 8-lane accumulators (32 partial sums, added
// pairwise at the end: closer to the exact sum than one running total).
func generateSum() {
	TEXT("sumAVX", NOSPLIT, "func(x *float32, n int) float32")
	x := Load(Param("x"), GP64())
	n := Load(Param("n"), GP64())
	acc := make([]VecVirtual, 4)
	for i := range acc {
		acc[i] = YMM()
		VXORPS(acc[i], acc[i], acc[i])
	}
	Label("sumAVX_block")
	CMPQ(n, U32(32))
	JL(LabelRef("sumAVX_tail"))
	for i := range acc {
		VADDPS(Mem{Base: x, Disp: 32 * i}, acc[i], acc[i])
	}
	ADDQ(U32(128), x)
	SUBQ(U32(32), n)
	JMP(LabelRef("sumAVX_block"))
	Label("sumAVX_tail")
	CMPQ(n, U32(8))
	JL(LabelRef("sumAVX_reduce"))
	VADDPS(Mem{Base: x}, acc[0], acc[0])
	ADDQ(U32(32), x)
	SUBQ(U32(8), n)
	JMP(LabelRef("sumAVX_tail"))
	Label("sumAVX_reduce")
	VADDPS(acc[1], acc[0], acc[0])
	VADDPS(acc[3], acc[2], acc[2])
	VADDPS(acc[2], acc[0], acc[0])
	hi := XMM()
	VEXTRACTF128(U8(1), acc[0], hi)
	lo := acc[0].AsX()
	VADDPS(hi, lo, lo)
	VHADDPS(lo, lo, lo)
	VHADDPS(lo, lo, lo)
	VZEROUPPER()
	Store(lo, ReturnIndex(0))
	RET()
}

// generateTranspose writes transpose8AVX(dst *float32, ldd int, src *float32,
// lds int, blocks int): for b < blocks, the 8×8 block of src starting at
// column 8b (rows lds floats apart) is written transposed at dst row 8b (rows
// ldd floats apart): dst[(8b+j)·ldd + i] = src[i·lds + 8b + j], i, j < 8.
// Packing uses it to turn rows of a matrix into interleaved micro-panels.
func generateTranspose() {
	TEXT("transpose8AVX", NOSPLIT, "func(dst *float32, ldd int, src *float32, lds int, blocks int)")
	dst := Load(Param("dst"), GP64())
	ldd := Load(Param("ldd"), GP64())
	SHLQ(U8(2), ldd)
	src := Load(Param("src"), GP64())
	lds := Load(Param("lds"), GP64())
	SHLQ(U8(2), lds)
	blocks := Load(Param("blocks"), GP64())
	Label("transpose8AVX_block")
	CMPQ(blocks, U32(0))
	JE(LabelRef("transpose8AVX_done"))
	Comment("Load 8 rows of 8.")
	rows := make([]VecVirtual, 8)
	p := GP64()
	MOVQ(src, p)
	for i := range rows {
		rows[i] = YMM()
		VMOVUPS(Mem{Base: p}, rows[i])
		if i < 7 {
			ADDQ(lds, p)
		}
	}
	Comment("Interleave pairs, then quads, then 128-bit halves.")
	t := make([]VecVirtual, 8)
	for i := 0; i < 8; i += 2 {
		t[i], t[i+1] = YMM(), YMM()
		VUNPCKLPS(rows[i+1], rows[i], t[i])
		VUNPCKHPS(rows[i+1], rows[i], t[i+1])
	}
	// u[m] (m < 4) holds column m of rows 0–3 in its low half and column m+4
	// in its high half; u[m+4] the same for rows 4–7.
	u := make([]VecVirtual, 8)
	for _, g := range [][2]int{{0, 0}, {2, 1}, {4, 4}, {6, 5}} { // u[g0], u[g0+1] from t[a], t[a+2]
		a := g[1]
		u[g[0]], u[g[0]+1] = YMM(), YMM()
		VSHUFPS(U8(0x44), t[a+2], t[a], u[g[0]])
		VSHUFPS(U8(0xEE), t[a+2], t[a], u[g[0]+1])
	}
	q := GP64()
	MOVQ(dst, q)
	for j := 0; j < 8; j++ {
		o := YMM()
		lo, imm := j%4, U8(0x20)
		if j >= 4 {
			imm = U8(0x31)
		}
		VPERM2F128(imm, u[lo+4], u[lo], o)
		VMOVUPS(o, Mem{Base: q})
		if j < 7 {
			ADDQ(ldd, q)
		}
	}
	ADDQ(U32(32), src)
	LEAQ(Mem{Base: q, Index: ldd, Scale: 1}, dst)
	DECQ(blocks)
	JMP(LabelRef("transpose8AVX_block"))
	Label("transpose8AVX_done")
	VZEROUPPER()
	RET()
}

// constants lays out float32 constants in read-only data, each repeated over
// 8 lanes so that it can be a 256-bit memory operand.
type constants struct {
	mem   Mem
	index map[string]int
}

func newConstants(name string, names []string, values []uint32) constants {
	c := constants{mem: GLOBL(name, RODATA|NOPTR), index: map[string]int{}}
	for i, v := range values {
		c.index[names[i]] = i
		for lane := 0; lane < 8; lane++ {
			DATA(32*i+4*lane, U32(v))
		}
	}
	return c
}

func (c constants) get(name string) Mem {
	i, ok := c.index[name]
	if !ok {
		panic("no constant " + name)
	}
	return c.mem.Offset(32 * i)
}

func f32bits(x float32) uint32 { return math.Float32bits(x) }

// unaryLoop writes the loop of an element-wise function over n floats, 8 at a
// time (the caller handles n mod 8): body maps x (a ymm register) to the
// result register.
func unaryLoop(name string, body func(x VecVirtual) VecVirtual) {
	TEXT(name, NOSPLIT, "func(out, x *float32, n int)")
	out := Load(Param("out"), GP64())
	in := Load(Param("x"), GP64())
	n := Load(Param("n"), GP64())
	Label(name + "_loop")
	CMPQ(n, U32(8))
	JL(LabelRef(name + "_done"))
	x := YMM()
	VMOVUPS(Mem{Base: in}, x)
	VMOVUPS(body(x), Mem{Base: out})
	ADDQ(U32(32), in)
	ADDQ(U32(32), out)
	SUBQ(U32(8), n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// generateExp writes expAVX2(out, x *float32, n int): out[i] = e^x[i] for the
// first n - n mod 8 elements, computed as exp32 in lib/cpukernels computes it
// (Cephes' expf), with FMA.
func generateExp() {
	names := []string{"lo", "hi", "log2e", "half", "c1", "c2", "p0", "p1", "p2", "p3", "p4", "p5", "one", "bias", "inf"}
	values := []uint32{f32bits(-87.33654), f32bits(88.72283), f32bits(1.442695040888963), f32bits(0.5),
		f32bits(0.693359375), f32bits(-2.12194440e-4),
		f32bits(1.9875691500e-4), f32bits(1.3981999507e-3), f32bits(8.3334519073e-3), f32bits(4.1665795894e-2),
		f32bits(1.6666665459e-1), f32bits(5.0000001201e-1), f32bits(1), 127, 0x7f800000}
	c := newConstants("expConsts", names, values)
	unaryLoop("expAVX2", func(x VecVirtual) VecVirtual {
		Comment("Clamp, then n = floor(x·log2(e) + ½) and r = x - n·ln 2 (in two parts).")
		xc := YMM()
		VMAXPS(c.get("lo"), x, xc)
		VMINPS(c.get("hi"), xc, xc)
		n := YMM()
		VMOVUPS(c.get("half"), n)
		VFMADD231PS(c.get("log2e"), xc, n)
		VROUNDPS(U8(1), n, n) // round toward -inf
		r := YMM()
		VMOVAPS(xc, r)
		VFNMADD231PS(c.get("c1"), n, r)
		VFNMADD231PS(c.get("c2"), n, r)
		Comment("y = p(r)·r² + r + 1")
		p := YMM()
		VMOVUPS(c.get("p0"), p)
		for _, k := range []string{"p1", "p2", "p3", "p4", "p5"} {
			VFMADD213PS(c.get(k), r, p)
		}
		r2 := YMM()
		VMULPS(r, r, r2)
		VFMADD213PS(r, r2, p)
		VADDPS(c.get("one"), p, p)
		Comment("y · 2^n, as 2^(n>>1) · 2^(n - n>>1) so that n = 128 does not overflow the exponent.")
		ni := YMM()
		VCVTPS2DQ(n, ni)
		n1 := YMM()
		VPSRAD(U8(1), ni, n1)
		VPSUBD(n1, ni, ni)
		VPADDD(c.get("bias"), n1, n1)
		VPADDD(c.get("bias"), ni, ni)
		VPSLLD(U8(23), n1, n1)
		VPSLLD(U8(23), ni, ni)
		VMULPS(n1, p, p)
		VMULPS(ni, p, p)
		Comment("x > hi: +Inf; x < lo: 0; NaN: NaN.")
		mask := YMM()
		VCMPPS(U8(0x1e), c.get("hi"), x, mask) // x > hi (ordered)
		VBLENDVPS(mask, c.get("inf"), p, p)
		VCMPPS(U8(0x11), c.get("lo"), x, mask) // x < lo (ordered)
		zero := YMM()
		VXORPS(zero, zero, zero)
		VBLENDVPS(mask, zero, p, p)
		VCMPPS(U8(0x03), x, x, mask) // unordered: NaN
		VBLENDVPS(mask, x, p, p)
		return p
	})
}

// generateErf writes erfAVX2(out, x *float32, n int): out[i] = erf(x[i]) for
// the first n - n mod 8 elements, computed as erf32 in lib/cpukernels
// computes it (Eigen's rational approximation), with FMA.
func generateErf() {
	names := []string{"lo", "hi", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "b0", "b1", "b2", "b3", "b4"}
	values := []uint32{f32bits(-4), f32bits(4),
		f32bits(-2.72614225801306e-10), f32bits(2.77068142495902e-08), f32bits(-2.10102402082508e-06),
		f32bits(-5.69250639462346e-05), f32bits(-7.34990630326855e-04), f32bits(-2.95459980854025e-03),
		f32bits(-1.60960333262415e-02),
		f32bits(-1.45660718464996e-05), f32bits(-2.13374055278905e-04), f32bits(-1.68282697438203e-03),
		f32bits(-7.37332916720468e-03), f32bits(-1.42647390514189e-02)}
	c := newConstants("erfConsts", names, values)
	unaryLoop("erfAVX2", func(x VecVirtual) VecVirtual {
		xc := YMM()
		VMAXPS(c.get("lo"), x, xc)
		VMINPS(c.get("hi"), xc, xc)
		x2 := YMM()
		VMULPS(xc, xc, x2)
		p := YMM()
		VMOVUPS(c.get("a0"), p)
		for _, k := range []string{"a1", "a2", "a3", "a4", "a5", "a6"} {
			VFMADD213PS(c.get(k), x2, p)
		}
		q := YMM()
		VMOVUPS(c.get("b0"), q)
		for _, k := range []string{"b1", "b2", "b3", "b4"} {
			VFMADD213PS(c.get(k), x2, q)
		}
		VMULPS(xc, p, p)
		VDIVPS(q, p, p)
		Comment("NaN stays NaN.")
		mask := YMM()
		VCMPPS(U8(0x03), x, x, mask)
		VBLENDVPS(mask, x, p, p)
		return p
	})
}

// binaryOp is an element-wise float32 op with its packed and scalar AVX instructions.
type binaryOp struct {
	name           string
	packed, scalar func(ops ...Op)
}

var binaryOps = []binaryOp{
	{"Add", VADDPS, VADDSS},
	{"Sub", VSUBPS, VSUBSS},
	{"Mul", VMULPS, VMULSS},
	{"Div", VDIVPS, VDIVSS},
}

// generateBinary writes binary<Op><Variant>AVX2(out, x, y *float32, n int):
// out[i] = x[i] ∘ y[i] (VV), x[i] ∘ y[0] (VS) or x[0] ∘ y[i] (SV), i < n,
// 32 floats per iteration in four ymm registers, then one at a time.
func generateBinary(op binaryOp, variant string) {
	name := "binary" + op.name + variant + "AVX2"
	TEXT(name, NOSPLIT, "func(out, x, y *float32, n int)")
	Doc(fmt.Sprintf("%s computes out[i] = %s for i < n.", name, map[string]string{
		"VV": "x[i] " + op.name + " y[i]", "VS": "x[i] " + op.name + " y[0]", "SV": "x[0] " + op.name + " y[i]"}[variant]))
	out := Load(Param("out"), GP64())
	x := Load(Param("x"), GP64())
	y := Load(Param("y"), GP64())
	n := Load(Param("n"), GP64())
	// The scalar side, broadcast once.
	var c VecVirtual
	switch variant {
	case "VS":
		c = YMM()
		VBROADCASTSS(Mem{Base: y}, c)
	case "SV":
		c = YMM()
		VBROADCASTSS(Mem{Base: x}, c)
	}
	const unroll = 4
	label := func(s string) string { return name + "_" + s }
	Label(label("block"))
	CMPQ(n, U32(8*unroll))
	JL(LabelRef(label("tail")))
	regs := make([]VecVirtual, unroll)
	for i := range regs {
		regs[i] = YMM()
		switch variant {
		case "VV":
			VMOVUPS(Mem{Base: x, Disp: 32 * i}, regs[i])
			op.packed(Mem{Base: y, Disp: 32 * i}, regs[i], regs[i])
		case "VS":
			VMOVUPS(Mem{Base: x, Disp: 32 * i}, regs[i])
			op.packed(c, regs[i], regs[i])
		case "SV":
			VMOVUPS(Mem{Base: y, Disp: 32 * i}, regs[i])
			op.packed(regs[i], c, regs[i])
		}
		VMOVUPS(regs[i], Mem{Base: out, Disp: 32 * i})
	}
	ADDQ(U32(32*unroll), out)
	if variant != "SV" {
		ADDQ(U32(32*unroll), x)
	}
	if variant != "VS" {
		ADDQ(U32(32*unroll), y)
	}
	SUBQ(U32(8*unroll), n)
	JMP(LabelRef(label("block")))

	Label(label("tail"))
	CMPQ(n, U32(0))
	JE(LabelRef(label("done")))
	t := XMM()
	switch variant {
	case "VV":
		VMOVSS(Mem{Base: x}, t)
		u := XMM()
		VMOVSS(Mem{Base: y}, u)
		op.scalar(u, t, t)
	case "VS":
		VMOVSS(Mem{Base: x}, t)
		op.scalar(c.AsX(), t, t)
	case "SV":
		VMOVSS(Mem{Base: y}, t)
		op.scalar(t, c.AsX(), t)
	}
	VMOVSS(t, Mem{Base: out})
	ADDQ(U32(4), out)
	if variant != "SV" {
		ADDQ(U32(4), x)
	}
	if variant != "VS" {
		ADDQ(U32(4), y)
	}
	DECQ(n)
	JMP(LabelRef(label("tail")))

	Label(label("done"))
	VZEROUPPER()
	RET()
}

func generate(s kernelSpec) {
	nr := s.vectors * s.lanes
	TEXT(s.name, NOSPLIT, "func(k int, a, b, c *float32, ldb, ldc int, accumulate int)")
	Doc(fmt.Sprintf("%s computes a %d×%d tile of C (+)= A·B from packed micro-panels (see asmgen).", s.name, s.mr, nr))
	k := Load(Param("k"), GP64())
	a := Load(Param("a"), GP64())
	b := Load(Param("b"), GP64())
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb) // bytes per step of B

	acc := make([][]VecVirtual, s.mr)
	for r := range acc {
		acc[r] = make([]VecVirtual, s.vectors)
		for v := range acc[r] {
			acc[r][v] = s.newVec()
			VXORPS(acc[r][v], acc[r][v], acc[r][v])
		}
	}
	bv := make([]VecVirtual, s.vectors)
	for v := range bv {
		bv[v] = s.newVec()
	}
	bcast := s.newVec()

	aStep := 4 * s.mr // bytes of A per k step
	step := func(i int) {
		for v := range bv {
			VMOVUPS(Mem{Base: b, Disp: v * 4 * s.lanes}, bv[v])
		}
		ADDQ(ldb, b)
		for r := 0; r < s.mr; r++ {
			VBROADCASTSS(Mem{Base: a, Disp: i*aStep + 4*r}, bcast)
			for v := range bv {
				VFMADD231PS(bv[v], bcast, acc[r][v])
			}
		}
	}

	Comment("Main loop: unrolled k steps.")
	Label(s.name + "_unrolled")
	CMPQ(k, U32(s.unroll))
	JL(LabelRef(s.name + "_tail"))
	for i := 0; i < s.unroll; i++ {
		step(i)
	}
	ADDQ(U32(s.unroll*aStep), a)
	SUBQ(U32(s.unroll), k)
	JMP(LabelRef(s.name + "_unrolled"))

	Comment("Remaining k steps, one at a time.")
	Label(s.name + "_tail")
	CMPQ(k, U32(0))
	JE(LabelRef(s.name + "_store"))
	step(0)
	ADDQ(U32(aStep), a)
	DECQ(k)
	JMP(LabelRef(s.name + "_tail"))

	Label(s.name + "_store")
	c := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc) // bytes per row of C
	accumulate := Load(Param("accumulate"), GP64())
	CMPQ(accumulate, U32(0))
	JE(LabelRef(s.name + "_overwrite"))
	Comment("C += tile")
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.vectors; v++ {
			VADDPS(Mem{Base: c, Disp: v * 4 * s.lanes}, acc[r][v], acc[r][v])
			VMOVUPS(acc[r][v], Mem{Base: c, Disp: v * 4 * s.lanes})
		}
		if r < s.mr-1 {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()

	Label(s.name + "_overwrite")
	Comment("C = tile")
	for r := 0; r < s.mr; r++ {
		for v := 0; v < s.vectors; v++ {
			VMOVUPS(acc[r][v], Mem{Base: c, Disp: v * 4 * s.lanes})
		}
		if r < s.mr-1 {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()
}
