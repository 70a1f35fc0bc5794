package perf

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Peak is a device's peak dense throughput, in FLOP/s; 0 where unknown (or,
// for bfloat16, not supported by the device's matrix units).
type Peak struct {
	// Device names the device the figures are for.
	Device string `json:"device"`
	// FP32 and BF16 are the peak float32 and bfloat16 (float32 accumulation)
	// dense matrix throughputs.
	FP32 float64 `json:"fp32_flops"`
	BF16 float64 `json:"bf16_flops"`
	// Source says where the figures come from.
	Source string `json:"source"`
}

// For returns the peak for a compute dtype, "float32" or "bfloat16"; 0 when unknown.
func (p Peak) For(dtype string) float64 {
	if dtype == "bfloat16" {
		return p.BF16
	}
	return p.FP32
}

// gpuPeak is one row of the GPU table: a name fragment as nvidia-smi prints
// it and the vendor's dense peaks in TFLOP/s (no sparsity). More specific
// fragments come first.
type gpuPeak struct {
	match      string
	fp32, bf16 float64
}

// gpuPeaks are NVIDIA's datasheet figures (SXM parts unless named).
var gpuPeaks = []gpuPeak{
	{"H200 NVL", 60, 835},
	{"H200", 67, 989.4},
	{"H100 PCIe", 51.2, 756},
	{"H100 NVL", 60, 835},
	{"H100", 67, 989.4},
	{"GH200", 67, 989.4},
	{"A100", 19.5, 312},
	{"L40S", 91.6, 362.05},
	{"L40", 90.5, 181},
	{"L4", 30.3, 121},
	{"A10G", 31.2, 70},
	{"A10", 31.2, 125},
	{"RTX 4090", 82.6, 165.2},
	{"RTX 3090", 35.6, 71},
	{"V100", 15.7, 0},
	{"T4", 8.1, 0},
}

// GPUPeak looks a GPU up by the name nvidia-smi prints (e.g. "NVIDIA H200",
// "NVIDIA A100-SXM4-80GB", "Tesla T4"); ok is false for unknown devices.
func GPUPeak(name string) (p Peak, ok bool) {
	upper := strings.ToUpper(name)
	for _, g := range gpuPeaks {
		if containsWord(upper, strings.ToUpper(g.match)) {
			return Peak{Device: name, FP32: g.fp32 * 1e12, BF16: g.bf16 * 1e12,
				Source: "NVIDIA datasheet, dense, " + g.match}, true
		}
	}
	return Peak{}, false
}

// containsWord reports whether s contains frag not glued to a longer
// alphanumeric word on either side ("L4" is in "NVIDIA L4", not in "L40S").
func containsWord(s, frag string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], frag)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(frag)
		if (start == 0 || !isAlnum(s[start-1])) && (end == len(s) || !isAlnum(s[end])) {
			return true
		}
		i = start + 1
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// CPU describes the processor as /proc/cpuinfo does.
type CPU struct {
	Model string
	// Cores is the number of physical cores among the logical CPUs the
	// process may use (hyper-threads share their core's vector units).
	Cores int
	// Lanes is the number of float32 lanes of the widest vector unit (16
	// with AVX-512, 8 with AVX/AVX2, 4 otherwise).
	Lanes int
	// FMA is true when the CPU has fused multiply-add.
	FMA bool
	// MHz is the highest clock known (cpufreq's maximum, else the model
	// name's "@ 2.40GHz", else cpuinfo's current "cpu MHz"); 0 if unknown.
	MHz float64
}

// fmaUnits is the number of vector FMA pipelines per core assumed for the
// peak: two on every x86 core since Haswell and Zen 2.
const fmaUnits = 2

// Peak is the CPU's theoretical float32 peak: cores × lanes × 2 (FMA) ×
// FMA units × clock. bfloat16 gets the same figure (GoMLX's pure-Go backend
// computes it through float32). ok is false when the clock or the core count
// is unknown.
func (c CPU) Peak() (p Peak, ok bool) {
	if c.Cores == 0 || c.MHz == 0 || c.Lanes == 0 {
		return Peak{}, false
	}
	perCycle := float64(c.Lanes * fmaUnits)
	fma := ""
	if c.FMA {
		perCycle *= 2
		fma = " × 2 (FMA)"
	}
	flops := float64(c.Cores) * perCycle * c.MHz * 1e6
	return Peak{Device: c.Model, FP32: flops, BF16: flops,
		Source: fmt.Sprintf("%d cores × %d float32 lanes%s × %d units × %.2f GHz", c.Cores, c.Lanes, fma, fmaUnits, c.MHz/1000)}, true
}

// ReadCPU describes this machine's CPU for logical CPUs available to the
// process (runtime.NumCPU()).
func ReadCPU(logicalCPUs int) CPU {
	info, _ := os.ReadFile("/proc/cpuinfo")
	maxKHz, _ := os.ReadFile("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
	return ParseCPU(string(info), strings.TrimSpace(string(maxKHz)), logicalCPUs)
}

// ParseCPU reads the first processor of a /proc/cpuinfo text; maxKHz is
// cpufreq's cpuinfo_max_freq ("" when absent).
func ParseCPU(cpuinfo, maxKHz string, logicalCPUs int) CPU {
	fields := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(cpuinfo))
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" && len(fields) > 0 {
			break // end of the first processor
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	c := CPU{Model: fields["model name"], Cores: logicalCPUs}
	siblings, _ := strconv.Atoi(fields["siblings"])
	cores, _ := strconv.Atoi(fields["cpu cores"])
	if siblings > cores && cores > 0 {
		c.Cores = max(1, logicalCPUs*cores/siblings)
	}
	flags := " " + fields["flags"] + " "
	switch {
	case strings.Contains(flags, " avx512f "):
		c.Lanes = 16
	case strings.Contains(flags, " avx "), strings.Contains(flags, " avx2 "):
		c.Lanes = 8
	case strings.Contains(flags, " sse2 "):
		c.Lanes = 4
	}
	c.FMA = strings.Contains(flags, " fma ")
	if khz, err := strconv.ParseFloat(maxKHz, 64); err == nil && khz > 0 {
		c.MHz = khz / 1000
	} else if _, ghz, ok := strings.Cut(c.Model, "@"); ok {
		if v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(ghz), "GHz"), 64); err == nil {
			c.MHz = v * 1000
		}
	}
	if c.MHz == 0 {
		c.MHz, _ = strconv.ParseFloat(fields["cpu MHz"], 64)
	}
	return c
}

// MFU is model FLOPs utilisation: achieved FLOP/s over the peak; ok is false
// when the peak is unknown.
func MFU(flopsPerSecond, peak float64) (mfu float64, ok bool) {
	if peak <= 0 {
		return 0, false
	}
	return flopsPerSecond / peak, true
}
