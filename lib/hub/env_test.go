package hub_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/hub/hubtest"
)

// hfVariables are every variable NewFromEnv reads; each case starts with all
// of them unset.
var hfVariables = []string{"HF_HOME", "XDG_CACHE_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_TOKEN",
	"HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT"}

// The same variables as huggingface_hub's constants.py and _auth.py, with
// the same precedence.
func TestNewFromEnvFollowsPythonsPrecedence(t *testing.T) {
	h := hubtest.New(t)
	h.AddRepo("acme/bert", map[string][]byte{"config.json": []byte("{}")})
	home, caches := t.TempDir(), t.TempDir()
	write := func(p, s string) string {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(filepath.Join(home, "hf", "token"), "hf_fromHFHomeFile\n")
	write(filepath.Join(home, ".cache", "huggingface", "token"), "hf_fromDefaultFile\n")
	tokenPath := write(filepath.Join(home, "elsewhere", "tok"), "  hf_fromTokenPath\r\n")
	for _, tc := range []struct {
		env          string // space-separated NAME=VALUE
		cache, token string // token "" means none sent
		offline      bool
	}{
		{"", home + "/.cache/huggingface/hub", "hf_fromDefaultFile", false},
		{"XDG_CACHE_HOME=" + home + "/xdg", home + "/xdg/huggingface/hub", "", false},
		{"HF_HOME=~/hf", home + "/hf/hub", "hf_fromHFHomeFile", false},
		{"BASE=" + home + " HF_HOME=$BASE/hf", home + "/hf/hub", "hf_fromHFHomeFile", false},
		{"BASE=" + home + " HF_HOME=${BASE}/hf", home + "/hf/hub", "hf_fromHFHomeFile", false},
		{"HF_HOME=$NOT_SET_ANYWHERE/hf", "$NOT_SET_ANYWHERE/hf/hub", "", false},
		{"HUGGINGFACE_HUB_CACHE=" + home + "/legacy", home + "/legacy", "hf_fromDefaultFile", false},
		{"HUGGINGFACE_HUB_CACHE=" + home + "/legacy HF_HUB_CACHE=~/new", home + "/new", "hf_fromDefaultFile", false},
		{"HF_TOKEN_PATH=" + tokenPath, home + "/.cache/huggingface/hub", "hf_fromTokenPath", false},
		{"HUGGING_FACE_HUB_TOKEN=hf_legacyVar HF_TOKEN_PATH=" + tokenPath, home + "/.cache/huggingface/hub", "hf_legacyVar", false},
		{"HF_TOKEN=hf_newVar HUGGING_FACE_HUB_TOKEN=hf_legacyVar", home + "/.cache/huggingface/hub", "hf_newVar", false},
		{"TRANSFORMERS_OFFLINE=1", home + "/.cache/huggingface/hub", "", true},
		{"HF_HUB_OFFLINE=0 TRANSFORMERS_OFFLINE=1", home + "/.cache/huggingface/hub", "hf_fromDefaultFile", false},
		{"HF_HUB_OFFLINE=yes", home + "/.cache/huggingface/hub", "", true},
	} {
		t.Run(tc.env, func(t *testing.T) {
			for _, v := range hfVariables {
				t.Setenv(v, "")
				os.Unsetenv(v)
			}
			t.Setenv("HOME", home)
			t.Setenv("HF_ENDPOINT", h.URL+"/")
			for _, kv := range strings.Fields(tc.env) {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			c := hub.NewFromEnv()
			c.Progress = nil
			if c.CacheDir != filepath.FromSlash(tc.cache) {
				t.Errorf("cache %s, want %s", c.CacheDir, tc.cache)
			}
			if c.Offline != tc.offline {
				t.Errorf("offline %v, want %v", c.Offline, tc.offline)
			}
			if c.Offline {
				return
			}
			var err error
			if c.CacheDir, err = os.MkdirTemp(caches, "cache"); err != nil { // no token in its name
				t.Fatal(err)
			}
			before := len(h.Requests())
			if _, err := c.Download(context.Background(), hub.File{Type: hub.Model, Repo: "acme/bert", Revision: "main", Path: "config.json"}); err != nil {
				t.Fatal(err)
			}
			got := h.Requests()[before].Authorization
			if want := "Bearer " + tc.token; tc.token == "" && got != "" || tc.token != "" && got != want {
				t.Errorf("Authorization %q, want the token %q", got, tc.token)
			}
			if strings.Contains(fmt.Sprintf("%+v %v %#v", c, c, c), "hf_") {
				t.Error("printing the client shows the token")
			}
		})
	}
}
