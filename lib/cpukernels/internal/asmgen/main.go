// Command asmgen writes lib/cpukernels' Go-assembly micro-kernels with avo
// (github.com/mmcloughlin/avo). Run it through `go generate ./lib/cpukernels`.
//
// Each kernel computes one register-blocked tile of C += A·B (or C = A·B):
//
//	for r < MR, c < NR:  C[r·ldc + c] (+)= Σ_{p<k} a[p·MR + r] · b[p·NR + c]
//
// where a is a packed MR-row micro-panel of A (MR floats per step of k) and b a
// packed NR-column micro-panel of B (NR floats per step of k), as the packing
// in gemm.go lays them out. The accumulators stay in vector registers for the
// whole k loop; C is read (when accumulate ≠ 0) and written once.
package main

import (
	"fmt"

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
		// AVX-512: 12×32 tile = 24 zmm accumulators + 2 B vectors + 1 broadcast of 32 registers.
		{name: "kernelAVX512", mr: 12, vectors: 2, lanes: 16, newVec: ZMM, unroll: 2},
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
	Generate()
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
	TEXT(s.name, NOSPLIT, "func(k int, a, b, c *float32, ldc int, accumulate int)")
	Doc(fmt.Sprintf("%s computes a %d×%d tile of C (+)= A·B from packed micro-panels (see asmgen).", s.name, s.mr, nr))
	k := Load(Param("k"), GP64())
	a := Load(Param("a"), GP64())
	b := Load(Param("b"), GP64())

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
	bStep := 4 * nr   // bytes of B per k step
	step := func(i int) {
		for v := range bv {
			VMOVUPS(Mem{Base: b, Disp: i*bStep + v*4*s.lanes}, bv[v])
		}
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
	ADDQ(U32(s.unroll*bStep), b)
	SUBQ(U32(s.unroll), k)
	JMP(LabelRef(s.name + "_unrolled"))

	Comment("Remaining k steps, one at a time.")
	Label(s.name + "_tail")
	CMPQ(k, U32(0))
	JE(LabelRef(s.name + "_store"))
	step(0)
	ADDQ(U32(aStep), a)
	ADDQ(U32(bStep), b)
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
