package perf

import (
	"math"
	"strings"
	"testing"
)

func TestGPUPeakTable(t *testing.T) {
	for _, tc := range []struct {
		name       string
		fp32, bf16 float64 // TFLOP/s
	}{
		{"NVIDIA H200", 67, 989.4},
		{"NVIDIA H200 NVL", 60, 835},
		{"NVIDIA H100 80GB HBM3", 67, 989.4},
		{"NVIDIA H100 PCIe", 51.2, 756},
		{"NVIDIA A100-SXM4-80GB", 19.5, 312},
		{"NVIDIA A100 80GB PCIe", 19.5, 312},
		{"NVIDIA L4", 30.3, 121},
		{"NVIDIA L40S", 91.6, 362.05},
		{"NVIDIA GeForce RTX 4090", 82.6, 165.2},
		{"Tesla T4", 8.1, 0},
	} {
		p, ok := GPUPeak(tc.name)
		if !ok {
			t.Errorf("GPUPeak(%q): not found", tc.name)
			continue
		}
		if p.FP32 != tc.fp32*1e12 || p.BF16 != tc.bf16*1e12 {
			t.Errorf("GPUPeak(%q) = fp32 %g, bf16 %g; want %g, %g TFLOP/s", tc.name, p.FP32/1e12, p.BF16/1e12, tc.fp32, tc.bf16)
		}
		if p.For("bfloat16") != p.BF16 || p.For("float32") != p.FP32 {
			t.Errorf("GPUPeak(%q).For picks the wrong dtype", tc.name)
		}
	}
	for _, name := range []string{"NVIDIA GeForce GTX 1080", "AMD Instinct MI300X", ""} {
		if p, ok := GPUPeak(name); ok {
			t.Errorf("GPUPeak(%q) = %+v, want unknown", name, p)
		}
	}
}

func TestMFU(t *testing.T) {
	p, _ := GPUPeak("NVIDIA H200")
	mfu, ok := MFU(494.7e12, p.For("bfloat16"))
	if !ok || math.Abs(mfu-0.5) > 1e-12 {
		t.Errorf("MFU(494.7 TFLOP/s on an H200 in bf16) = %v, %v; want 0.5", mfu, ok)
	}
	t4, _ := GPUPeak("Tesla T4")
	if _, ok := MFU(1e12, t4.For("bfloat16")); ok {
		t.Error("a T4 has no bf16 peak: MFU must be unknown")
	}
}

// cpuinfo is the first processor of a 2-vCPU VM's /proc/cpuinfo (abridged).
const cpuinfo = `processor	: 0
vendor_id	: AuthenticAMD
model name	: AMD EPYC
cpu MHz		: 2596.140
siblings	: 2
cpu cores	: 2
flags		: fpu sse sse2 avx fma avx2 avx512f avx512bw avx512_bf16

processor	: 1
model name	: something else
`

func TestCPUPeak(t *testing.T) {
	c := ParseCPU(cpuinfo, "", 2)
	if c.Model != "AMD EPYC" || c.Cores != 2 || c.Lanes != 16 || !c.FMA || c.MHz != 2596.14 {
		t.Fatalf("ParseCPU = %+v", c)
	}
	p, ok := c.Peak()
	// 2 cores × 16 lanes × 2 (FMA) × 2 units × 2.59614 GHz
	if want := 2 * 16 * 2 * 2 * 2.59614e9; !ok || math.Abs(p.FP32-want) > 1 || p.BF16 != p.FP32 {
		t.Errorf("Peak = %+v, want %g FLOP/s", p, want)
	}
	if !strings.Contains(p.Source, "16 float32 lanes") {
		t.Errorf("Peak source %q does not say how it was computed", p.Source)
	}

	// Hyper-threads share a core's vector units; cpufreq's maximum wins over the current clock.
	smt := strings.NewReplacer("siblings\t: 2", "siblings\t: 4", "avx512f ", "").Replace(cpuinfo)
	c = ParseCPU(smt, "3500000", 8)
	if c.Cores != 4 || c.Lanes != 8 || c.MHz != 3500 {
		t.Errorf("ParseCPU with SMT, AVX2 and cpufreq = %+v, want 4 cores, 8 lanes, 3500 MHz", c)
	}
	intel := "model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\nflags\t\t: sse2 avx avx2 fma\n"
	if c = ParseCPU(intel, "", 4); c.MHz != 2200 {
		t.Errorf("clock from the model name: %+v, want 2200 MHz", c)
	}
	if _, ok := ParseCPU("flags\t: sse2\n", "", 4).Peak(); ok {
		t.Error("a CPU without a known clock must have no peak")
	}
}

func TestParseNvidiaSMI(t *testing.T) {
	g, err := parseNvidiaSMI("NVIDIA H200, 1234, 143771\n")
	if err != nil || g.Name != "NVIDIA H200" || g.MemoryUsedBytes != 1234<<20 || g.MemoryTotalBytes != 143771<<20 {
		t.Errorf("parseNvidiaSMI = %+v, %v", g, err)
	}
	if _, err := parseNvidiaSMI("No devices were found"); err == nil {
		t.Error("want an error for output without memory figures")
	}
}
