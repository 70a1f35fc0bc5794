package predict

import (
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/train"
)

// ModelEnv names the environment variable that overrides the model the
// notebook and `polarity predict` default to: a model directory or a hub id.
const ModelEnv = "POLARITY_MODEL"

// ErrNoModel means no trained model was found where one was expected.
var ErrNoModel = errors.New("no trained model")

// ModelSpec is $POLARITY_MODEL when set, else def (e.g. "../build/model",
// where notebook 04 and `polarity train` save the model).
func ModelSpec(def string) string {
	if s := strings.TrimSpace(os.Getenv(ModelEnv)); s != "" {
		return s
	}
	return def
}

// LoadModel loads ModelSpec(def). A missing local directory is ErrNoModel
// with the ways to get one; a hub id ("owner/name") is downloaded; "tiny" is
// the untrained tiny model (see LoadPredictor).
func LoadModel(def string) (*Classifier, error) {
	spec := ModelSpec(def)
	if _, err := os.Stat(filepath.Join(spec, bert.ConfigFile)); errors.Is(err, fs.ErrNotExist) && !looksLikeRepoID(spec) && spec != train.TinyModel {
		return nil, fmt.Errorf("%w in %s: run notebooks/04_finetune.ipynb or `polarity train` (a few minutes on 2 cores), "+
			"or set %s to a model directory or a Hugging Face hub id", ErrNoModel, spec, ModelEnv)
	}
	return Load(spec, bert.PredictorOptions{})
}

// looksLikeRepoID reports whether spec could be a hub id (owner/name, with
// an optional @revision) rather than a local path: it has that form and its
// owner is not a folder here (as "build" in "build/model").
func looksLikeRepoID(spec string) bool {
	name, _, _ := strings.Cut(spec, "@")
	owner, _, _ := strings.Cut(name, "/")
	if strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") || strings.Count(name, "/") != 1 {
		return false
	}
	_, err := os.Stat(owner)
	return err != nil
}

// NotebookModel is LoadModel for notebook cells: on failure it shows the
// error (with how to get a model) in the cell and returns nil, so that a
// notebook without a model still runs to the end.
func NotebookModel(def string) *Classifier {
	c, err := LoadModel(def)
	if err != nil {
		gonbui.DisplayHtml(`<p style="color:#b45309;font-weight:600">` + html.EscapeString(err.Error()) + `</p>`)
		return nil
	}
	return c
}
