package bert

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/atomicfile"
	"github.com/polarityml/polarity/lib/bert/safetensors"
	"github.com/polarityml/polarity/lib/bert/torchbin"
	"github.com/polarityml/polarity/lib/compute"
)

// File names of a Hugging Face model directory.
const (
	WeightsFile   = "model.safetensors"
	TokenizerFile = "tokenizer.json"
	VocabFile     = "vocab.txt"
	// WeightsIndexFile maps each tensor of a sharded safetensors checkpoint to its shard.
	WeightsIndexFile = "model.safetensors.index.json"
	// TorchWeightsFile is a torch.save checkpoint (read by lib/bert/torchbin, no code run).
	TorchWeightsFile = "pytorch_model.bin"
	// TorchWeightsIndexFile maps each tensor of a sharded torch checkpoint to its shard.
	TorchWeightsIndexFile = "pytorch_model.bin.index.json"
)

// WeightFiles are the checkpoint files Load looks for, in order of
// preference: safetensors first, as transformers does.
var WeightFiles = []string{WeightsFile, WeightsIndexFile, TorchWeightsFile, TorchWeightsIndexFile}

// FindWeights returns the path of the preferred checkpoint file in dir.
func FindWeights(dir string) (string, error) {
	for _, name := range WeightFiles {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s has no weights: looked for %s", dir, strings.Join(WeightFiles, ", "))
}

// readWeights reads a checkpoint file of any supported kind: safetensors,
// a torch.save zip, or a sharded checkpoint's index (whose shards, in the
// same directory, are read and merged).
func readWeights(path string) (*safetensors.File, error) {
	if !strings.HasSuffix(path, ".index.json") {
		if strings.HasSuffix(path, ".bin") {
			return torchbin.ReadFile(path)
		}
		return safetensors.ReadFile(path)
	}
	shards, weightMap, err := readIndex(path)
	if err != nil {
		return nil, err
	}
	out := &safetensors.File{Tensors: map[string]*safetensors.Tensor{}}
	for _, shard := range shards {
		f, err := readWeights(filepath.Join(filepath.Dir(path), shard))
		if err != nil {
			return nil, err
		}
		for name, t := range f.Tensors {
			out.Tensors[name] = t
		}
	}
	for name, shard := range weightMap {
		if out.Tensors[name] == nil {
			return nil, fmt.Errorf("%s: tensor %q is not in its shard %s", path, name, shard)
		}
	}
	return out, nil
}

// readIndex reads a sharded checkpoint's index: the shard file names (sorted,
// plain names in the index's directory) and the tensor → shard map.
func readIndex(path string) ([]string, map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(data, &index); err != nil || len(index.WeightMap) == 0 {
		return nil, nil, fmt.Errorf("%s is not a sharded checkpoint index (a JSON object with a weight_map): %v", path, err)
	}
	var shards []string
	seen := map[string]bool{}
	for _, shard := range index.WeightMap {
		if shard != filepath.Base(shard) || shard == "." || shard == ".." || strings.HasSuffix(shard, ".index.json") {
			return nil, nil, fmt.Errorf("%s names the shard %q: shards must be files beside the index", path, shard)
		}
		if !seen[shard] {
			seen[shard] = true
			shards = append(shards, shard)
		}
	}
	sort.Strings(shards)
	return shards, index.WeightMap, nil
}

// Model is a BERT or DistilBERT sequence classifier: its configuration and its weights,
// held as variables in a GoMLX context under their Hugging Face names.
type Model struct {
	Config  *Config
	Context *context.Context
	// Report says how the weights were loaded (nil for a new model).
	Report *LoadReport
}

// New creates a model with transformers' random initialisation (normal with
// std initializer_range for matrices and embeddings, zero biases, unit
// LayerNorm weights), seeded for reproducibility.
func New(cfg *Config, seed int64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, seed)
	if err := initializeMissing(ctx, cfg); err != nil {
		return nil, err
	}
	return &Model{Config: cfg, Context: ctx}, nil
}

// initializeMissing creates every model variable ctx lacks and initialises it.
func initializeMissing(ctx *context.Context, cfg *Config) error {
	b := newBuilder(ctx, cfg, nil)
	for _, p := range Parameters(cfg) {
		b.modelVariable(p.Name)
	}
	backend, err := compute.Backend()
	if err != nil {
		return err
	}
	return ctx.InitializeVariables(backend, nil)
}

// LoadReport tells which checkpoint tensors were used, which were ignored and
// which model weights were newly initialised, like transformers' warnings.
type LoadReport struct {
	// Architecture is the transformers class loaded.
	Architecture string
	// Path is the checkpoint file read (safetensors, pytorch_model.bin, or a
	// sharded checkpoint's index).
	Path string
	// Loaded counts the model weights read from the checkpoint.
	Loaded int
	// Renamed maps a model weight to the differently spelled checkpoint name
	// it was read from (no "bert."/"distilbert." prefix, legacy
	// LayerNorm.gamma/beta).
	Renamed map[string]string
	// Ignored lists checkpoint tensors the classifier does not use
	// (pre-training heads, position_ids), sorted.
	Ignored []string
	// Initialized lists model weights absent from the checkpoint and newly
	// initialised (only the classifier head and the pooler may be absent).
	Initialized []string
}

// String summarises the report in transformers' words.
func (r *LoadReport) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "loaded %d weights from %s", r.Loaded, r.Path)
	if len(r.Renamed) > 0 {
		fmt.Fprintf(&sb, " (%d under hub spellings)", len(r.Renamed))
	}
	if len(r.Ignored) > 0 {
		fmt.Fprintf(&sb, "\nignored %d checkpoint tensors not used by %s: %s",
			len(r.Ignored), r.Architecture, abbreviate(r.Ignored, 6))
	}
	if len(r.Initialized) > 0 {
		fmt.Fprintf(&sb, "\nsome weights were not in the checkpoint and are newly initialized: %s"+
			"\nyou should probably TRAIN this model on a down-stream task before using it for predictions",
			strings.Join(r.Initialized, ", "))
	}
	return sb.String()
}

func abbreviate(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(", … (%d more)", len(names)-n)
}

// isHead reports whether a weight belongs to the parts a base checkpoint may
// lack and that are initialised instead: the classifier and the pooler (or
// DistilBERT's pre_classifier).
func (f *family) isHead(name string) bool {
	for _, p := range f.head {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// checkpointSpellings lists the names a weight may have in a checkpoint:
// canonical, without the "bert."/"distilbert." prefix, and with legacy
// LayerNorm.gamma/beta.
func (f *family) checkpointSpellings(name string) []string {
	names := []string{name}
	if rest, ok := strings.CutPrefix(name, f.prefix); ok {
		names = append(names, rest)
	}
	for _, n := range names {
		if legacy, ok := strings.CutSuffix(n, "LayerNorm.weight"); ok {
			names = append(names, legacy+"LayerNorm.gamma")
		}
		if legacy, ok := strings.CutSuffix(n, "LayerNorm.bias"); ok {
			names = append(names, legacy+"LayerNorm.beta")
		}
	}
	return names
}

// LoadWeights reads a Hugging Face checkpoint (model.safetensors,
// pytorch_model.bin, or the index of a sharded one) into ctx's model
// variables for cfg. Tensors may be F32, F16 or BF16, with or without the
// "bert."/"distilbert." prefix and with legacy LayerNorm.gamma/beta names;
// extra tensors are ignored and listed. A missing classifier head or pooler
// is left for initialisation and listed; any other missing weight, or a
// tensor whose shape disagrees with cfg, is an error naming it.
func LoadWeights(ctx *context.Context, cfg *Config, path string) (*LoadReport, error) {
	file, err := readWeights(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s weights: %w", cfg.Architecture(), err)
	}
	f := cfg.family()
	report := &LoadReport{Architecture: f.architecture, Path: path, Renamed: map[string]string{}}
	used := map[string]bool{}
	var missing, problems []string
	b := newBuilder(ctx, cfg, nil)
	for _, p := range Parameters(cfg) {
		var t *safetensors.Tensor
		for _, n := range f.checkpointSpellings(p.Name) {
			if t = file.Tensors[n]; t != nil {
				break
			}
		}
		if t == nil {
			missing = append(missing, p.Name)
			continue
		}
		used[t.Name] = true
		if !equalShapes(t.Shape, p.Shape) {
			problems = append(problems, fmt.Sprintf("tensor %q has shape %v, but config.json (hidden_size=%d, "+
				"intermediate_size=%d, vocab_size=%d, num_labels=%d) needs %v",
				t.Name, t.Shape, cfg.HiddenSize, cfg.IntermediateSize, cfg.VocabSize, cfg.NumLabels(), p.Shape))
			continue
		}
		values, err := t.Float32()
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if t.Name != p.Name {
			report.Renamed[p.Name] = t.Name
		}
		if err := b.modelVariable(p.Name).SetValue(tensors.FromFlatDataAndDimensions(values, p.Shape...)); err != nil {
			return nil, fmt.Errorf("setting %s: %w", p.Name, err)
		}
		report.Loaded++
	}
	var encoderMissing []string
	for _, m := range missing {
		if f.isHead(m) {
			report.Initialized = append(report.Initialized, m)
		} else {
			encoderMissing = append(encoderMissing, m)
		}
	}
	if len(encoderMissing) > 0 {
		problems = append(problems, fmt.Sprintf("%d encoder weights are missing (%s): is this a %s checkpoint "+
			"matching config.json?", len(encoderMissing), abbreviate(encoderMissing, 4), cfg.ModelType))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("loading %s: %w", path, errors.New(strings.Join(problems, "; ")))
	}
	for _, n := range file.Names() {
		if !used[n] {
			report.Ignored = append(report.Ignored, n)
		}
	}
	return report, nil
}

func equalShapes(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Load reads a Hugging Face model directory: config.json (BERT or
// DistilBERT) and the weights FindWeights picks (model.safetensors
// preferred over pytorch_model.bin; sharded checkpoints through their
// index). Missing classifier/pooler weights are initialised (with a fixed
// seed, so loads are reproducible) and listed in the Report.
func Load(dir string) (*Model, error) {
	cfg, err := ReadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	weights, err := FindWeights(dir)
	if err != nil {
		return nil, err
	}
	ctx := context.New()
	ctx.SetParam(context.ParamInitialSeed, int64(42))
	report, err := LoadWeights(ctx, cfg, weights)
	if err != nil {
		return nil, err
	}
	if err := initializeMissing(ctx, cfg); err != nil {
		return nil, err
	}
	return &Model{Config: cfg, Context: ctx, Report: report}, nil
}

// Save writes the model as a Hugging Face directory that transformers'
// from_pretrained loads: config.json and model.safetensors (float32,
// canonical names), plus tokenizer.json copied from tokenizerPath when it is
// not empty. Each file is written atomically.
func (m *Model) Save(dir, tokenizerPath string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var out []*safetensors.Tensor
	for _, p := range Parameters(m.Config) {
		scope, name := relativeScope(m.Context, p.Name)
		v := m.Context.InspectVariable(scope.Scope(), name)
		if v == nil || !v.HasValue() {
			return fmt.Errorf("saving: model weight %s has no value", p.Name)
		}
		value, err := v.Value()
		if err != nil {
			return fmt.Errorf("saving %s: %w", p.Name, err)
		}
		flat, err := tensors.CopyFlatData[float32](value)
		if err != nil {
			return fmt.Errorf("saving %s: %w", p.Name, err)
		}
		t, err := safetensors.FromFloat32(p.Name, p.Shape, flat)
		if err != nil {
			return err
		}
		out = append(out, t)
	}
	if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), out, map[string]string{"format": "pt"}); err != nil {
		return err
	}
	if tokenizerPath != "" {
		data, err := os.ReadFile(tokenizerPath)
		if err != nil {
			return fmt.Errorf("copying the tokenizer: %w", err)
		}
		if err := atomicfile.WriteBytes(filepath.Join(dir, TokenizerFile), data); err != nil {
			return err
		}
	}
	return m.Config.WriteConfig(dir)
}

// SummaryRow is one line of a model summary: a module and its parameter count.
type SummaryRow struct {
	Module string
	Params int
}

// Summary groups the parameters by module (embeddings, each encoder layer,
// pooler, classifier) and ends with the total, like Keras' model.summary().
func Summary(cfg *Config) []SummaryRow {
	var rows []SummaryRow
	index := map[string]int{}
	total := 0
	f := cfg.family()
	for _, p := range Parameters(cfg) {
		module := p.Name[:strings.LastIndexByte(p.Name, '.')]
		switch {
		case strings.HasPrefix(module, f.prefix+"embeddings"):
			module = f.prefix + "embeddings"
		case strings.HasPrefix(module, f.layer):
			i, _, _ := strings.Cut(strings.TrimPrefix(module, f.layer), ".")
			module = f.layer + i
		case strings.HasPrefix(module, f.prefix+"pooler"):
			module = f.prefix + "pooler"
		}
		if _, ok := index[module]; !ok {
			index[module] = len(rows)
			rows = append(rows, SummaryRow{Module: module})
		}
		rows[index[module]].Params += p.Size()
		total += p.Size()
	}
	return append(rows, SummaryRow{Module: "total", Params: total})
}

// FormatSummary renders Summary(cfg) as a text table with thousands separators.
func FormatSummary(cfg *Config) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %d layers, hidden %d, %d heads, intermediate %d, vocab %d, %d labels %v\n",
		cfg.Architecture(), cfg.NumHiddenLayers, cfg.HiddenSize, cfg.NumAttentionHeads, cfg.IntermediateSize, cfg.VocabSize, cfg.NumLabels(), cfg.Labels())
	for _, r := range Summary(cfg) {
		fmt.Fprintf(&sb, "%-24s %15s\n", r.Module, thousands(r.Params))
	}
	return sb.String()
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	var parts []string
	for len(s) > 3 {
		parts = append([]string{s[len(s)-3:]}, parts...)
		s = s[:len(s)-3]
	}
	return strings.Join(append([]string{s}, parts...), ",")
}
