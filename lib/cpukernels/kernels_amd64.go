package cpukernels

import "golang.org/x/sys/cpu"

// simdKernels returns the assembly micro-kernels of kernel_amd64.s.
func simdKernels() []*microKernel {
	return []*microKernel{
		{name: "avx512", mr: 8, nr: 32, run: kernelAVX512, transpose8: transpose8AVX,
			supported: cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ},
		{name: "avx2", mr: 6, nr: 16, run: kernelAVX2, transpose8: transpose8AVX,
			supported: cpu.X86.HasAVX2 && cpu.X86.HasFMA},
	}
}

// simdBinaryLoops returns the AVX2 loops of the binary ops, or nil without AVX2.
func simdBinaryLoops() *[4][3]binaryLoop {
	if !cpu.X86.HasAVX2 {
		return nil
	}
	return &[4][3]binaryLoop{
		binaryAdd: {binaryAddVVAVX2, binaryAddVSAVX2, binaryAddSVAVX2},
		binarySub: {binarySubVVAVX2, binarySubVSAVX2, binarySubSVAVX2},
		binaryMul: {binaryMulVVAVX2, binaryMulVSAVX2, binaryMulSVAVX2},
		binaryDiv: {binaryDivVVAVX2, binaryDivVSAVX2, binaryDivSVAVX2},
	}
}

// simdUnaryLoops returns the AVX2+FMA loops of the unary ops, or nil without them.
func simdUnaryLoops() *[numUnaryKinds]unaryLoop {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return nil
	}
	return &[numUnaryKinds]unaryLoop{unaryExp: expAVX2, unaryErf: erfAVX2, unarySqrt: sqrtAVX, unaryNeg: negAVX, unaryAbs: absAVX}
}

// simdSum returns the AVX sum loop, or nil without AVX2.
func simdSum() func(x *float32, n int) float32 {
	if !cpu.X86.HasAVX2 {
		return nil
	}
	return sumAVX
}
