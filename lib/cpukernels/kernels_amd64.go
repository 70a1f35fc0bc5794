package cpukernels

import "golang.org/x/sys/cpu"

// simdKernels returns the assembly micro-kernels of kernel_amd64.s.
func simdKernels() []*microKernel {
	return []*microKernel{
		{name: "avx512", mr: 12, nr: 32, run: kernelAVX512,
			supported: cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ},
		{name: "avx2", mr: 6, nr: 16, run: kernelAVX2,
			supported: cpu.X86.HasAVX2 && cpu.X86.HasFMA},
	}
}
