// Package gpukit holds the GPU kit's scripts, which `make gpu-kit` copies into build/gpu-kit
// beside the XLA-enabled polarity CLI: gpu-check.sh finds the CUDA PJRT plugin installed on a
// GPU machine and runs gpu_check.py (the five checks and the JSON report), which uses
// torch_side.py for the PyTorch side. The tests in this package check gpu-check.sh's plugin
// discovery against fake installations; the checks themselves run with `gpu-check.sh --cpu`.
package gpukit
