package docker

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const composePath = "compose.yaml"

// composeFile is the part of the Compose specification docker/compose.yaml uses.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Build struct {
		Context    string            `yaml:"context"`
		Dockerfile string            `yaml:"dockerfile"`
		Args       map[string]string `yaml:"args"`
	} `yaml:"build"`
	Image       string   `yaml:"image"`
	Profiles    []string `yaml:"profiles"`
	Ports       []string `yaml:"ports"`
	Environment []string `yaml:"environment"`
	Volumes     []string `yaml:"volumes"`
	Deploy      struct {
		Resources struct {
			Reservations struct {
				Devices []struct {
					Driver       string   `yaml:"driver"`
					Count        any      `yaml:"count"`
					Capabilities []string `yaml:"capabilities"`
				} `yaml:"devices"`
			} `yaml:"reservations"`
		} `yaml:"resources"`
	} `yaml:"deploy"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("%s: %v", composePath, err)
	}
	if len(c.Services) == 0 {
		t.Fatalf("%s has no services", composePath)
	}
	return c
}

// composeDefault resolves Compose's ${VAR:-default} to its default.
var composeDefault = regexp.MustCompile(`^\$\{[A-Z_]+:-([^}]*)\}$`)

func TestSplitVolume(t *testing.T) {
	for in, want := range map[string][]string{
		"${POLARITY_HF_CACHE:-hf-cache}:/data": {"${POLARITY_HF_CACHE:-hf-cache}", "/data"},
		"../notebooks:/home/x/notebooks:ro":    {"../notebooks", "/home/x/notebooks", "ro"},
		"${A:-${B:-c}}:/t":                     {"${A:-${B:-c}}", "/t"},
	} {
		if got := splitVolume(in); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("splitVolume(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestComposeServices(t *testing.T) {
	c := loadCompose(t)
	d := loadDockerfile(t)
	seen := map[string]bool{}
	for name, s := range c.Services {
		variant := s.Build.Args["VARIANT"]
		if _, ok := variants[variant]; !ok {
			t.Errorf("service %s builds VARIANT %q, want one of cuda, cpu", name, variant)
			continue
		}
		seen[variant] = true
		if filepath.Clean(s.Build.Context) != repoRoot || s.Build.Dockerfile != "docker/"+dockerfilePath {
			t.Errorf("service %s builds %s in %s, want docker/%s in the repo root (..)", name, s.Build.Dockerfile, s.Build.Context, dockerfilePath)
		}
		if s.Image == "" || strings.HasSuffix(s.Image, ":latest") || !strings.Contains(s.Image, ":") {
			t.Errorf("service %s tags its image %q: name the variant, not latest", name, s.Image)
		}
		gpu := false
		for _, dev := range s.Deploy.Resources.Reservations.Devices {
			gpu = gpu || dev.Driver == "nvidia" && strings.Contains(strings.Join(dev.Capabilities, ","), "gpu")
		}
		if gpu != (variant == "cuda") {
			t.Errorf("service %s (VARIANT=%s): GPU reservation %v", name, variant, gpu)
		}
		if variant == "cuda" && len(s.Profiles) > 0 {
			t.Errorf("service %s is the GPU default and should have no profile, has %v", name, s.Profiles)
		}

		// Where the image keeps the HF cache and the notebooks.
		st := d.evaluate(t, imageStage, d.args(map[string]string{"VARIANT": variant}))
		hfHome := st.env["HF_HOME"]
		notebooks := path.Join(st.workdir, "notebooks")
		mounts := map[string]string{}
		for _, v := range s.Volumes {
			parts := splitVolume(v)
			if len(parts) < 2 {
				t.Errorf("service %s: volume %q has no target", name, v)
				continue
			}
			mounts[parts[1]] = parts[0]
		}
		if src, ok := mounts[hfHome]; !ok || hfHome == "" {
			t.Errorf("service %s mounts %v, want a volume at the image's HF_HOME %q", name, s.Volumes, hfHome)
		} else if m := composeDefault.FindStringSubmatch(src); m == nil {
			t.Errorf("service %s: HF cache source %q should be ${VAR:-named-volume}, so an existing cache can replace it", name, src)
		} else if _, ok := c.Volumes[m[1]]; !ok {
			t.Errorf("service %s: HF cache defaults to volume %q, which compose.yaml does not declare", name, m[1])
		}
		if src, ok := mounts[notebooks]; !ok {
			t.Errorf("service %s mounts %v, want the repo's notebooks at %s", name, s.Volumes, notebooks)
		} else if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
			t.Errorf("service %s mounts %s at %s, which is not a folder here", name, src, notebooks)
		}

		for _, e := range s.Environment {
			if key, value, set := strings.Cut(e, "="); set && (key == "JUPYTER_TOKEN" || key == "HF_TOKEN") && !strings.HasPrefix(value, "${") {
				t.Errorf("service %s hard-codes %s: pass it through from the host instead", name, key)
			}
		}
	}
	for v := range variants {
		if !seen[v] {
			t.Errorf("%s has no service for VARIANT=%s", composePath, v)
		}
	}
}

// TestComposePublishesOnLoopbackOnly: Jupyter runs code; its port must not face the network.
func TestComposePublishesOnLoopbackOnly(t *testing.T) {
	c := loadCompose(t)
	st := loadDockerfile(t)
	exposed := st.evaluate(t, imageStage, st.args(map[string]string{"VARIANT": "cuda"})).exposed
	for name, s := range c.Services {
		if len(s.Ports) == 0 {
			t.Errorf("service %s publishes no port", name)
		}
		for _, p := range s.Ports {
			parts := strings.Split(p, ":")
			if len(parts) != 3 || parts[0] != "127.0.0.1" {
				t.Errorf("service %s publishes %q, want 127.0.0.1:HOST_PORT:CONTAINER_PORT", name, p)
				continue
			}
			if container := strings.TrimSuffix(parts[2], "/tcp"); !strings.Contains(strings.Join(exposed, " "), container) {
				t.Errorf("service %s publishes container port %s, the image exposes %v", name, container, exposed)
			}
		}
	}
}

// splitVolume splits a Compose short volume syntax SOURCE:TARGET[:MODE] at the colons that
// are not inside a ${…} interpolation.
func splitVolume(v string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '$' && i+1 < len(v) && v[i+1] == '{':
			depth++
			i++
		case v[i] == '}' && depth > 0:
			depth--
		case v[i] == ':' && depth == 0:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}
