// Package bert is BERT for sequence classification in GoMLX with Hugging
// Face's exact semantics (BertForSequenceClassification): embeddings,
// multi-head self-attention scaled by 1/√d_head, erf GELU, LayerNorm with the
// configured epsilon, a tanh pooler on [CLS] and a linear classifier; and its
// distilled sibling DistilBertForSequenceClassification, built from the same
// layers (no token types, ReLU pre-classifier instead of the pooler). It
// reads and writes Hugging Face checkpoints (config.json + model.safetensors,
// or pytorch_model.bin read without running code).
package bert

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/polarityml/polarity/lib/atomicfile"
)

// Config is a Hugging Face BERT or DistilBERT config.json. Field names follow
// transformers' BertConfig so a config written here loads there and vice
// versa; a DistilBERT config (model_type "distilbert": dim, hidden_dim,
// n_layers, n_heads, dropout, attention_dropout, activation,
// seq_classif_dropout, sinusoidal_pos_embds) is read into the same fields
// and written back under DistilBERT's keys.
type Config struct {
	Architectures             []string `json:"architectures,omitempty"`
	ModelType                 string   `json:"model_type"`
	VocabSize                 int      `json:"vocab_size"`
	HiddenSize                int      `json:"hidden_size"`
	NumHiddenLayers           int      `json:"num_hidden_layers"`
	NumAttentionHeads         int      `json:"num_attention_heads"`
	IntermediateSize          int      `json:"intermediate_size"`
	HiddenAct                 string   `json:"hidden_act"`
	HiddenDropoutProb         float64  `json:"hidden_dropout_prob"`
	AttentionProbsDropoutProb float64  `json:"attention_probs_dropout_prob"`
	// ClassifierDropout is the dropout before the classifier; nil means
	// HiddenDropoutProb, as in transformers.
	ClassifierDropout     *float64 `json:"classifier_dropout"`
	MaxPositionEmbeddings int      `json:"max_position_embeddings"`
	TypeVocabSize         int      `json:"type_vocab_size"`
	InitializerRange      float64  `json:"initializer_range"`
	LayerNormEps          float64  `json:"layer_norm_eps"`
	PadTokenID            int      `json:"pad_token_id"`
	// PositionEmbeddingType must be "absolute" (the only kind implemented).
	PositionEmbeddingType string `json:"position_embedding_type,omitempty"`
	// ID2Label names each class; its length is the number of labels.
	ID2Label map[string]string `json:"id2label,omitempty"`
	// Label2ID is the inverse of ID2Label (written for transformers).
	Label2ID map[string]int `json:"label2id,omitempty"`
	// NumLabelsField is the explicit "num_labels", used only when id2label is absent.
	NumLabelsField int    `json:"num_labels,omitempty"`
	ProblemType    string `json:"problem_type,omitempty"`
	TorchDType     string `json:"torch_dtype,omitempty"`
	// SinusoidalPosEmbds (DistilBERT only) makes the position embeddings a
	// fixed sinusoid table that training does not update.
	SinusoidalPosEmbds bool `json:"-"`
}

// The model_type values of the supported families.
const (
	ModelTypeBERT       = "bert"
	ModelTypeDistilBERT = "distilbert"
)

// IsDistilBERT reports whether the configuration is a DistilBERT model.
func (c *Config) IsDistilBERT() bool { return c.ModelType == ModelTypeDistilBERT }

// Architecture is the transformers class the model implements:
// BertForSequenceClassification or DistilBertForSequenceClassification.
func (c *Config) Architecture() string { return c.family().architecture }

// Tiny is the small offline default: 2 layers, hidden 128, 2 heads,
// intermediate 512, the bert-base-uncased vocabulary, 2 labels.
func Tiny() *Config {
	c := BaseUncased()
	c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize = 2, 128, 2, 512
	return c
}

// BaseUncased is bert-base-uncased's configuration with a 2-label head
// (negative, positive): 12 layers, hidden 768, 12 heads, intermediate 3072.
func BaseUncased() *Config {
	return &Config{
		Architectures:             []string{"BertForSequenceClassification"},
		ModelType:                 "bert",
		VocabSize:                 30522,
		HiddenSize:                768,
		NumHiddenLayers:           12,
		NumAttentionHeads:         12,
		IntermediateSize:          3072,
		HiddenAct:                 "gelu",
		HiddenDropoutProb:         0.1,
		AttentionProbsDropoutProb: 0.1,
		MaxPositionEmbeddings:     512,
		TypeVocabSize:             2,
		InitializerRange:          0.02,
		LayerNormEps:              1e-12,
		PositionEmbeddingType:     "absolute",
		ID2Label:                  map[string]string{"0": "negative", "1": "positive"},
		Label2ID:                  map[string]int{"negative": 0, "positive": 1},
	}
}

// Large is bert-large-uncased's configuration with a 2-label head.
// Compact is one of Google's compact uncased BERTs (Turc et al. 2019,
// google/bert_uncased_L-{layers}_H-{hidden}_A-{hidden/64}): bert-base's
// vocabulary, heads of 64, intermediate 4×hidden, a 2-label head. The
// laptop preset fine-tunes Compact(4, 512), "BERT-Small".
func Compact(layers, hidden int) *Config {
	c := BaseUncased()
	c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize = layers, hidden, hidden/64, 4*hidden
	return c
}

func Large() *Config {
	c := BaseUncased()
	c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize = 24, 1024, 16, 4096
	return c
}

// NumLabels is the number of classes: len(id2label), else num_labels, else 2
// (transformers' default).
func (c *Config) NumLabels() int {
	if len(c.ID2Label) > 0 {
		return len(c.ID2Label)
	}
	if c.NumLabelsField > 0 {
		return c.NumLabelsField
	}
	return 2
}

// Labels returns the class names in id order ("LABEL_i" where id2label has none).
func (c *Config) Labels() []string {
	labels := make([]string, c.NumLabels())
	for i := range labels {
		if name, ok := c.ID2Label[strconv.Itoa(i)]; ok {
			labels[i] = name
		} else {
			labels[i] = "LABEL_" + strconv.Itoa(i)
		}
	}
	return labels
}

// SetLabels sets id2label, label2id and num_labels from names in id order.
func (c *Config) SetLabels(names ...string) {
	c.ID2Label = make(map[string]string, len(names))
	c.Label2ID = make(map[string]int, len(names))
	for i, n := range names {
		c.ID2Label[strconv.Itoa(i)] = n
		c.Label2ID[n] = i
	}
	c.NumLabelsField = len(names)
}

// HeadDim is the size of one attention head: hidden_size / num_attention_heads.
func (c *Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }

// classifierDropout is the dropout rate applied to the pooled output.
func (c *Config) classifierDropout() float64 {
	if c.ClassifierDropout != nil {
		return *c.ClassifierDropout
	}
	return c.HiddenDropoutProb
}

// supportedActivations lists the hidden_act values implemented by activation.
var supportedActivations = map[string]bool{
	"gelu": true, "gelu_new": true, "gelu_pytorch_tanh": true, "gelu_fast": true,
	"relu": true, "silu": true, "swish": true, "tanh": true,
}

// Validate reports the first inconsistency in the configuration.
func (c *Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.VocabSize > 0, "vocab_size must be positive, got %d", c.VocabSize)
	check(c.HiddenSize > 0, "hidden_size must be positive, got %d", c.HiddenSize)
	check(c.NumHiddenLayers > 0, "num_hidden_layers must be positive, got %d", c.NumHiddenLayers)
	check(c.NumAttentionHeads > 0 && c.HiddenSize%max(c.NumAttentionHeads, 1) == 0,
		"hidden_size %d must be a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	check(c.IntermediateSize > 0, "intermediate_size must be positive, got %d", c.IntermediateSize)
	check(c.MaxPositionEmbeddings > 0, "max_position_embeddings must be positive, got %d", c.MaxPositionEmbeddings)
	check(c.IsDistilBERT() || c.TypeVocabSize > 0, "type_vocab_size must be positive, got %d", c.TypeVocabSize)
	check(c.LayerNormEps > 0, "layer_norm_eps must be positive, got %g", c.LayerNormEps)
	check(c.ModelType == "" || c.ModelType == ModelTypeBERT || c.IsDistilBERT(), "model_type %q is not supported (use %q or %q)",
		c.ModelType, ModelTypeBERT, ModelTypeDistilBERT)
	check(supportedActivations[c.HiddenAct], "hidden_act %q is not supported (use one of %v)", c.HiddenAct, sortedKeys(supportedActivations))
	check(!c.SinusoidalPosEmbds || c.HiddenSize%2 == 0, "sinusoidal_pos_embds needs an even dim, got %d", c.HiddenSize)
	check(c.PositionEmbeddingType == "" || c.PositionEmbeddingType == "absolute",
		"position_embedding_type %q is not supported (only \"absolute\")", c.PositionEmbeddingType)
	for i := range c.NumLabels() {
		if len(c.ID2Label) > 0 {
			_, ok := c.ID2Label[strconv.Itoa(i)]
			check(ok, "id2label has %d entries but no id %d", len(c.ID2Label), i)
		}
	}
	return errors.Join(errs...)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ConfigFile is the file name of the configuration in a model directory.
const ConfigFile = "config.json"

// ReadConfig reads and validates a Hugging Face config.json. Missing fields
// take transformers' defaults (BertConfig's or DistilBertConfig's).
func ReadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the model config: %w", err)
	}
	return ParseConfig(data, path)
}

// ParseConfig parses config.json bytes (source names them in errors). The
// family is config.json's model_type ("bert" or "distilbert"), or, when it
// is absent, its architectures (BertFor… or DistilBertFor…).
func ParseConfig(data []byte, source string) (*Config, error) {
	var probe struct {
		ModelType     string   `json:"model_type"`
		Architectures []string `json:"architectures"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("parsing model config %s: %w", source, err)
	}
	modelType := probe.ModelType
	if modelType == "" {
		modelType = ModelTypeBERT
		for _, a := range probe.Architectures {
			if strings.HasPrefix(a, "DistilBert") {
				modelType = ModelTypeDistilBERT
			}
		}
	}
	var c *Config
	switch modelType {
	case ModelTypeBERT:
		c = BaseUncased()
		c.ID2Label, c.Label2ID, c.Architectures = nil, nil, nil
		if err := json.Unmarshal(data, c); err != nil {
			return nil, fmt.Errorf("parsing BERT config %s: %w", source, err)
		}
		if c.HiddenAct == "" {
			c.HiddenAct = "gelu"
		}
	case ModelTypeDistilBERT:
		d := defaultDistilBERTConfig()
		if err := json.Unmarshal(data, d); err != nil {
			return nil, fmt.Errorf("parsing DistilBERT config %s: %w", source, err)
		}
		c = d.config()
	default:
		return nil, fmt.Errorf("%s: model_type %q is not supported: Polarity reads BERT (\"bert\") and DistilBERT "+
			"(\"distilbert\") checkpoints with a WordPiece tokenizer", source, probe.ModelType)
	}
	c.ModelType = modelType
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("invalid %s config %s: %w", c.Architecture(), source, err)
	}
	return c, nil
}

// WriteConfig writes the configuration as config.json into dir, atomically.
// The model is always a sequence classifier, so architectures names that
// class even when the checkpoint came from a pre-training one
// (BertForMaskedLM in bert-base-uncased's config).
func (c *Config) WriteConfig(dir string) error {
	out := *c
	if out.ModelType == "" {
		out.ModelType = ModelTypeBERT
	}
	out.Architectures = []string{out.Architecture()}
	if len(out.ID2Label) == 0 {
		out.SetLabels(c.Labels()...)
	}
	out.NumLabelsField = 0 // transformers derives num_labels from id2label
	if out.TorchDType == "" {
		out.TorchDType = "float32"
	}
	var v any = &out
	if out.IsDistilBERT() {
		v = distilBERTConfigOf(&out)
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(dir, ConfigFile), append(data, '\n'))
}
