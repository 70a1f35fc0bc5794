package hub

import (
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
)

// The environment is read as huggingface_hub's constants.py and _auth.py
// read it (an empty variable counts as unset here).

// hfHome is constants.HF_HOME: $HF_HOME, else $XDG_CACHE_HOME/huggingface,
// else ~/.cache/huggingface; "~" and $VAR expanded.
func hfHome() string {
	if d := os.Getenv("HF_HOME"); d != "" {
		return expandPath(d)
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return expandPath(filepath.Join(d, "huggingface"))
	}
	return filepath.Join(expandUser("~"), ".cache", "huggingface")
}

// DefaultCacheDir is huggingface_hub's cache directory (constants.HF_HUB_CACHE):
// $HF_HUB_CACHE, else the legacy $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub.
func DefaultCacheDir() string {
	for _, name := range []string{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"} {
		if d := os.Getenv(name); d != "" {
			return expandPath(d)
		}
	}
	return filepath.Join(hfHome(), "hub")
}

// offlineFromEnv is constants.HF_HUB_OFFLINE: $HF_HUB_OFFLINE when set, else
// transformers' $TRANSFORMERS_OFFLINE.
func offlineFromEnv() bool {
	v := os.Getenv("HF_HUB_OFFLINE")
	if v == "" {
		v = os.Getenv("TRANSFORMERS_OFFLINE")
	}
	return truthy(v)
}

// tokenFromEnv is _auth.get_token (outside Colab): $HF_TOKEN, else the
// legacy $HUGGING_FACE_HUB_TOKEN, else the file $HF_TOKEN_PATH (by default
// $HF_HOME/token, written by `huggingface-cli login`); CR and LF removed,
// spaces trimmed.
func tokenFromEnv() string {
	v := os.Getenv("HF_TOKEN")
	if v == "" {
		v = os.Getenv("HUGGING_FACE_HUB_TOKEN")
	}
	if v = cleanToken(v); v != "" {
		return v
	}
	p := os.Getenv("HF_TOKEN_PATH")
	if p == "" {
		p = filepath.Join(hfHome(), "token")
	}
	b, err := os.ReadFile(expandPath(p))
	if err != nil {
		return ""
	}
	return cleanToken(string(b))
}

func cleanToken(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r", "", "\n", "").Replace(s))
}

// expandPath is os.path.expandvars(os.path.expanduser(p)).
func expandPath(p string) string { return expandVars(expandUser(p)) }

// expandUser is Python's posixpath.expanduser: a leading "~" becomes $HOME
// (else the user's home), "~name" that user's home; anything else is kept.
func expandUser(p string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	i := strings.IndexByte(p, '/')
	if i < 0 {
		i = len(p)
	}
	name, rest := p[1:i], p[i:]
	var home string
	if name == "" {
		if home = os.Getenv("HOME"); home == "" {
			if u, err := user.Current(); err == nil {
				home = u.HomeDir
			}
		}
	} else if u, err := user.Lookup(name); err == nil {
		home = u.HomeDir
	}
	if home == "" {
		return p
	}
	if home = strings.TrimRight(home, "/") + rest; home == "" {
		return "/"
	}
	return home
}

// envReference is what Python's posixpath.expandvars replaces: $name or ${name}.
var envReference = regexp.MustCompile(`\$(\w+|\{[^}]*\})`)

// expandVars is Python's posixpath.expandvars: $name and ${name} of set
// variables are replaced; unknown ones stay as written.
func expandVars(p string) string {
	return envReference.ReplaceAllStringFunc(p, func(ref string) string {
		name := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(ref, "$"), "{"), "}")
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return ref
	})
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func truthy(v string) bool {
	switch strings.ToLower(v) { // constants._is_true
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
