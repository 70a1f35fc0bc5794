package bert

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/polarityml/polarity/lib/hub"
)

// ResolveModelDir turns a model spec into a local model directory: an
// existing directory is returned as is; a hub repo id ("owner/name",
// optionally "owner/name@revision") is downloaded with client into the
// Hugging Face cache (config.json, model.safetensors and tokenizer.json, or
// vocab.txt when the repo has no tokenizer.json) and its snapshot folder
// returned.
func ResolveModelDir(ctx context.Context, client *hub.Client, spec string) (string, error) {
	if fi, err := os.Stat(spec); err == nil {
		if !fi.IsDir() {
			return "", fmt.Errorf("model %s is a file; want a model directory (config.json, model.safetensors, tokenizer.json)", spec)
		}
		return spec, nil
	}
	repo, revision, _ := strings.Cut(spec, "@")
	if !isRepoID(repo) {
		return "", fmt.Errorf("model %q: no such directory, and not a hub repo id (owner/name)", spec)
	}
	if revision == "" {
		revision = "main"
	}
	file := func(path string) hub.File {
		return hub.File{Type: hub.Model, Repo: repo, Revision: revision, Path: path}
	}
	var dir string
	for _, name := range []string{ConfigFile, WeightsFile} {
		p, err := client.Download(ctx, file(name))
		if err != nil {
			if name == WeightsFile {
				return "", fmt.Errorf("%w (only safetensors checkpoints are read: a repo with just pytorch_model.bin "+
					"needs converting, e.g. with transformers' save_pretrained(safe_serialization=True))", err)
			}
			return "", err
		}
		dir = filepath.Dir(p)
	}
	_, tokErr := client.Download(ctx, file(TokenizerFile))
	if tokErr != nil {
		if _, err := client.Download(ctx, file(VocabFile)); err != nil {
			return "", errors.Join(fmt.Errorf("model %s has neither %s nor %s", spec, TokenizerFile, VocabFile), tokErr, err)
		}
	}
	return dir, nil
}

// isRepoID reports whether s has the form owner/name of a hub repository.
func isRepoID(s string) bool {
	owner, name, ok := strings.Cut(s, "/")
	return ok && owner != "" && name != "" && !strings.ContainsAny(name, `/\`) &&
		!strings.HasPrefix(s, ".") && !strings.HasPrefix(s, "/")
}
