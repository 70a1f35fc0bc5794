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

// ResolveModelDir turns a model spec into a local model directory, the one
// place the CLI and the notebooks do so:
//   - an existing directory is returned as is;
//   - a hub repo id — "owner/name", a legacy name without owner such as
//     "bert-base-uncased" (the hub redirects it), either with an optional
//     "@revision" — is downloaded with client into the Hugging Face cache
//     (config.json; the first of WeightFiles the repo has — model.safetensors
//     preferred, else pytorch_model.bin, a sharded checkpoint with all its
//     shards; and tokenizer.json or, when the repo has none, vocab.txt), and
//     its snapshot folder returned.
//
// The client honours HF_HUB_OFFLINE (cache only) and HF_TOKEN (sent to the
// hub only, never printed) when built with hub.NewFromEnv. A file the hub
// cannot be asked for (no network) is taken from the cache when it is there
// (hub.Client.Download falls back as huggingface_hub does). Load then reads
// the directory, initialising a classifier head the checkpoint lacks and
// listing it in the Report.
func ResolveModelDir(ctx context.Context, client *hub.Client, spec string) (string, error) {
	if fi, err := os.Stat(spec); err == nil {
		if !fi.IsDir() {
			return "", fmt.Errorf("model %s is a file; want a model directory (config.json, model.safetensors, tokenizer.json)", spec)
		}
		return spec, nil
	}
	repo, revision, _ := strings.Cut(spec, "@")
	if err := hub.ValidRepoID(repo); err != nil {
		return "", fmt.Errorf("model %q: no such directory, and not a hub repo id (owner/name[@revision] or a name such as bert-base-uncased)", spec)
	}
	if owner, _, ok := strings.Cut(repo, "/"); ok {
		if fi, err := os.Stat(owner); err == nil && fi.IsDir() {
			return "", fmt.Errorf("model %q: no such directory (read as a path since the folder %s exists here; "+
				"train a model there first, or pass a different directory)", spec, owner)
		}
	}
	if revision == "" {
		revision = "main"
	}
	get := func(path string) (string, error) {
		return client.Download(ctx, hub.File{Type: hub.Model, Repo: repo, Revision: revision, Path: path})
	}
	config, err := get(ConfigFile)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(config)
	if err := downloadWeights(get, spec, client.Offline); err != nil {
		return "", err
	}
	if _, tokErr := get(TokenizerFile); tokErr != nil {
		if _, err := get(VocabFile); err != nil {
			return "", errors.Join(fmt.Errorf("model %s has neither %s nor %s", spec, TokenizerFile, VocabFile), tokErr, err)
		}
	}
	return dir, nil
}

// downloadWeights fetches the first of WeightFiles the repo has (in offline
// mode: the cache has), and for a sharded checkpoint every shard its index
// names. A file the hub does not have (404) moves on to the next kind; any
// other failure stops.
func downloadWeights(get func(string) (string, error), spec string, offline bool) error {
	var first error
	for _, name := range WeightFiles {
		p, err := get(name)
		if err != nil {
			if first == nil {
				first = err
			}
			if offline || errors.Is(err, hub.ErrNotFound) {
				continue
			}
			return err
		}
		if !strings.HasSuffix(name, ".index.json") {
			return nil
		}
		shards, _, err := readIndex(p)
		if err != nil {
			return err
		}
		for _, shard := range shards {
			if _, err := get(shard); err != nil {
				return fmt.Errorf("shard %s of %s: %w", shard, spec, err)
			}
		}
		return nil
	}
	return fmt.Errorf("model %s has no weights the loader reads (looked for %s): %w",
		spec, strings.Join(WeightFiles, ", "), first)
}
