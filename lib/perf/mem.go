package perf

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// PeakRSS is the largest resident set size of this process so far, in bytes.
func PeakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024 // Linux reports KiB
}

// CPUTime is the user+system CPU time this process has used so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// GPU is one NVIDIA GPU as nvidia-smi reports it.
type GPU struct {
	Name string `json:"name"`
	// MemoryUsedBytes is the device memory in use by all processes (XLA
	// reserves most of the memory up front, so this is its reservation, not
	// the model's need).
	MemoryUsedBytes  int64 `json:"memory_used_bytes"`
	MemoryTotalBytes int64 `json:"memory_total_bytes"`
}

// QueryGPU asks nvidia-smi about the first GPU.
func QueryGPU() (GPU, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "nvidia-smi", "--query-gpu=name,memory.used,memory.total",
		"--format=csv,noheader,nounits", "--id=0").Output()
	if err != nil {
		return GPU{}, fmt.Errorf("nvidia-smi: %w", err)
	}
	return parseNvidiaSMI(string(out))
}

// parseNvidiaSMI reads one "name, used MiB, total MiB" line.
func parseNvidiaSMI(line string) (GPU, error) {
	parts := strings.Split(strings.TrimSpace(strings.SplitN(line, "\n", 2)[0]), ",")
	if len(parts) != 3 {
		return GPU{}, fmt.Errorf("nvidia-smi printed %q, want name, memory.used, memory.total", line)
	}
	used, err1 := strconv.ParseInt(strings.TrimSpace(parts[1]), 10, 64)
	total, err2 := strconv.ParseInt(strings.TrimSpace(parts[2]), 10, 64)
	if err1 != nil || err2 != nil {
		return GPU{}, fmt.Errorf("nvidia-smi printed %q: memory figures are not integers (MiB)", line)
	}
	return GPU{Name: strings.TrimSpace(parts[0]), MemoryUsedBytes: used << 20, MemoryTotalBytes: total << 20}, nil
}
