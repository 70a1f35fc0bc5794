package gpukit

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles creates each file (with its mode) under root.
func writeFiles(t *testing.T, root string, files map[string]os.FileMode) {
	t.Helper()
	for name, mode := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// find runs `gpu-check.sh --find` with env and returns its settings as a map.
func find(t *testing.T, env ...string) map[string]string {
	t.Helper()
	cmd := exec.Command("bash", "gpu-check.sh", "--find")
	cmd.Env = append(os.Environ(), "XLA_FLAGS=", "LD_LIBRARY_PATH=", "PJRT_PLUGIN_LIBRARY_PATH=", "TMPDIR="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gpu-check.sh --find: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.Contains(k, " ") {
			got[k] = v
		}
	}
	return got
}

// jaxSite is a site-packages folder shaped like jax-cuda13-pjrt and
// jax-cuda13-plugin[with-cuda] install it, with stand-in files.
func jaxSite(t *testing.T, ptxasMode os.FileMode) string {
	site := t.TempDir()
	writeFiles(t, site, map[string]os.FileMode{
		"jax_plugins/xla_cuda13/xla_cuda_plugin.so":  0o644,
		"nvidia/cu13/lib/libcudart.so.13":            0o644,
		"nvidia/cu13/bin/ptxas":                      ptxasMode,
		"nvidia/cu13/nvvm/libdevice/libdevice.10.bc": 0o644,
		"nvidia/cudnn/lib/libcudnn.so.9":             0o644,
	})
	return site
}

func needPython(t *testing.T) string {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3: gpu-check.sh finds JAX's plugin through python")
	}
	return python
}

func TestFindsJAXWheelPlugin(t *testing.T) {
	python := needPython(t)
	site := jaxSite(t, 0o755)
	got := find(t, "PYTHONPATH="+site, "PYTHON="+python)
	plugin := filepath.Join(site, "jax_plugins", "xla_cuda13", "xla_cuda_plugin.so")
	if got["GOMLX_BACKEND"] != "xla:"+plugin || got["PJRT_PLUGIN_LIBRARY_PATH"] != filepath.Dir(plugin) {
		t.Errorf("GOMLX_BACKEND=%q PJRT_PLUGIN_LIBRARY_PATH=%q, want the wheel's plugin by absolute path", got["GOMLX_BACKEND"], got["PJRT_PLUGIN_LIBRARY_PATH"])
	}
	if want := "--xla_gpu_cuda_data_dir=" + filepath.Join(site, "nvidia", "cu13"); !strings.HasPrefix(got["XLA_FLAGS"], want) {
		t.Errorf("XLA_FLAGS=%q, want %s (ptxas and libdevice are both there)", got["XLA_FLAGS"], want)
	}
	for _, lib := range []string{"nvidia/cu13/lib", "nvidia/cudnn/lib"} {
		if !strings.Contains(got["LD_LIBRARY_PATH"], filepath.Join(site, lib)) {
			t.Errorf("LD_LIBRARY_PATH=%q lacks %s", got["LD_LIBRARY_PATH"], lib)
		}
	}
}

func TestPtxasWithoutExecBitGetsItsOwnDataDir(t *testing.T) {
	python := needPython(t)
	site := jaxSite(t, 0o644) // wheels may lose the exec bit
	got := find(t, "PYTHONPATH="+site, "PYTHON="+python)
	dir := strings.TrimPrefix(strings.Fields(got["XLA_FLAGS"])[0], "--xla_gpu_cuda_data_dir=")
	if dir == filepath.Join(site, "nvidia", "cu13") {
		t.Fatalf("data dir %s: its ptxas is not executable", dir)
	}
	if fi, err := os.Stat(filepath.Join(dir, "bin", "ptxas")); err != nil || fi.Mode()&0o111 == 0 {
		t.Errorf("%s/bin/ptxas: %v, want an executable copy", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nvvm", "libdevice", "libdevice.10.bc")); err != nil {
		t.Errorf("data dir lacks nvvm/libdevice: %v", err)
	}
}

func TestFindsGoXLALayoutFromPluginPath(t *testing.T) {
	dir := t.TempDir() // docker/pjrt-cuda-layout.sh's layout: the plugin with the nvidia tree beside it
	writeFiles(t, dir, map[string]os.FileMode{
		"pjrt_c_api_cuda_plugin.so":           0o644,
		"cu13/lib/libcudart.so.13":            0o644,
		"cu13/bin/ptxas":                      0o755,
		"cu13/nvvm/libdevice/libdevice.10.bc": 0o644,
	})
	got := find(t, "PJRT_PLUGIN_LIBRARY_PATH="+dir) // the last value of a variable wins
	for key, want := range map[string]string{
		"GOMLX_BACKEND":   "xla:" + filepath.Join(dir, "pjrt_c_api_cuda_plugin.so"),
		"XLA_FLAGS":       "--xla_gpu_cuda_data_dir=" + filepath.Join(dir, "cu13"),
		"LD_LIBRARY_PATH": filepath.Join(dir, "cu13", "lib"),
	} {
		if !strings.HasPrefix(got[key], want) {
			t.Errorf("%s=%q, want it to start with %q", key, got[key], want)
		}
	}
}

func TestUnknownArgumentIsUsageError(t *testing.T) {
	out, err := exec.Command("bash", "gpu-check.sh", "--gpu").CombinedOutput()
	var exit *exec.ExitError
	if !strings.Contains(string(out), "usage: gpu-check.sh") || !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("exit %v, output %q; want status 2 and the usage", err, out)
	}
}
