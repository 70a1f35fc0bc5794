package docker

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSitePackages writes a site-packages folder shaped like jax-cuda13-pjrt and
// jax-cuda13-plugin[with-cuda] install it, with small stand-in files, leaving out skip.
func fakeSitePackages(t *testing.T, skip string) string {
	t.Helper()
	site := t.TempDir()
	files := map[string]os.FileMode{
		"jax_plugins/xla_cuda13/xla_cuda_plugin.so":  0o644,
		"nvidia/__init__.py":                         0o644,
		"nvidia/cu13/lib/libcudart.so.13":            0o644,
		"nvidia/cu13/lib/libcublas.so.13":            0o644,
		"nvidia/cu13/lib/libcublasLt.so.13":          0o644,
		"nvidia/cu13/bin/ptxas":                      0o644, // wheels may lose the exec bit
		"nvidia/cu13/nvvm/libdevice/libdevice.10.bc": 0o644,
		"nvidia/cudnn/lib/libcudnn.so.9":             0o644,
		"nvidia/nccl/lib/libnccl.so.2":               0o644,
		"nvidia/nvshmem/lib/libnvshmem_host.so.3":    0o644,
	}
	for name, mode := range files {
		if name == skip {
			continue
		}
		p := filepath.Join(site, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), mode); err != nil {
			t.Fatal(err)
		}
	}
	return site
}

func runLayout(t *testing.T, site, dest string) (string, error) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	out, err := exec.Command(sh, "pjrt-cuda-layout.sh", site, dest).CombinedOutput()
	return string(out), err
}

func TestPJRTLayoutMatchesGoXLA(t *testing.T) {
	site := fakeSitePackages(t, "")
	dest := filepath.Join(t.TempDir(), "usr/local/lib/go-xla/nvidia")
	if out, err := runLayout(t, site, dest); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// go-xla v0.1.4 searches pjrt_c_api_<name>_plugin.so in /usr/local/lib/go-xla/nvidia.
	plugin, err := os.ReadFile(filepath.Join(dest, "pjrt_c_api_cuda_plugin.so"))
	if err != nil || string(plugin) != "jax_plugins/xla_cuda13/xla_cuda_plugin.so" {
		t.Errorf("plugin copy: %q, %v", plugin, err)
	}
	// The wheels' nvidia/ tree lands beside the plugin, where its RUNPATH looks.
	for _, f := range []string{"cu13/lib/libcublas.so.13", "cudnn/lib/libcudnn.so.9", "nccl/lib/libnccl.so.2"} {
		if _, err := os.Stat(filepath.Join(dest, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	// DEST is XLA's CUDA data dir: bin/ptxas (executable) and nvvm/libdevice.
	if fi, err := os.Stat(filepath.Join(dest, "bin/ptxas")); err != nil || fi.Mode()&0o111 == 0 {
		t.Errorf("bin/ptxas: %v, %v; want an executable", fi, err)
	}
	if b, err := os.ReadFile(filepath.Join(dest, "nvvm/libdevice/libdevice.10.bc")); err != nil || !strings.HasSuffix(string(b), "libdevice.10.bc") {
		t.Errorf("nvvm/libdevice/libdevice.10.bc: %q, %v", b, err)
	}
}

func TestPJRTLayoutNamesWhatIsMissing(t *testing.T) {
	for skip, want := range map[string]string{
		"jax_plugins/xla_cuda13/xla_cuda_plugin.so":  "jax-cuda13-pjrt",
		"nvidia/cudnn/lib/libcudnn.so.9":             "libcudnn.so.9",
		"nvidia/cu13/bin/ptxas":                      "ptxas",
		"nvidia/cu13/nvvm/libdevice/libdevice.10.bc": "libdevice.10.bc",
	} {
		out, err := runLayout(t, fakeSitePackages(t, skip), filepath.Join(t.TempDir(), "nvidia"))
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("without %s: err %v, output %q; want a failure naming %s", skip, err, out, want)
		}
	}
}
