package bert

import "strconv"

// family holds what differs between BERT and DistilBERT: the Hugging Face
// names of the weights and the few structural choices. Everything else (the
// layers, the checkpoint reader, the predictor) is shared.
type family struct {
	architecture string // the transformers class
	prefix       string // of the base model's weights: "bert." or "distilbert."
	layer        string // of block i's weights, before the index
	block        blockNames
	// tokenTypes: the embeddings add token-type embeddings (BERT only).
	tokenTypes bool
	// attentionOutputDropout: dropout after the attention's output
	// projection (BERT's BertSelfOutput; DistilBERT has none there).
	attentionOutputDropout bool
	// pooler is the Linear applied to the first token before the classifier
	// (BERT's pooler, followed by tanh; DistilBERT's pre_classifier, by ReLU).
	pooler    string
	poolerAct string
	// head lists the name prefixes a base (not fine-tuned) checkpoint may
	// lack; they are initialised instead.
	head []string
}

// blockNames are the names of one transformer block's sub-modules, relative
// to the block.
type blockNames struct {
	query, key, value, attentionOut, attentionNorm, ffnIn, ffnOut, outputNorm string
}

var (
	bertFamily = &family{
		architecture: "BertForSequenceClassification",
		prefix:       "bert.",
		layer:        "bert.encoder.layer.",
		block: blockNames{
			query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
			attentionOut: "attention.output.dense", attentionNorm: "attention.output.LayerNorm",
			ffnIn: "intermediate.dense", ffnOut: "output.dense", outputNorm: "output.LayerNorm",
		},
		tokenTypes:             true,
		attentionOutputDropout: true,
		pooler:                 "bert.pooler.dense",
		poolerAct:              "tanh",
		head:                   []string{"classifier.", "bert.pooler."},
	}
	distilBERTFamily = &family{
		architecture: "DistilBertForSequenceClassification",
		prefix:       "distilbert.",
		layer:        "distilbert.transformer.layer.",
		block: blockNames{
			query: "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin",
			attentionOut: "attention.out_lin", attentionNorm: "sa_layer_norm",
			ffnIn: "ffn.lin1", ffnOut: "ffn.lin2", outputNorm: "output_layer_norm",
		},
		pooler:    "pre_classifier",
		poolerAct: "relu",
		head:      []string{"classifier.", "pre_classifier."},
	}
)

func (c *Config) family() *family {
	if c.IsDistilBERT() {
		return distilBERTFamily
	}
	return bertFamily
}

// blockPrefix is the name prefix of block i's weights.
func (f *family) blockPrefix(i int) string { return f.layer + strconv.Itoa(i) + "." }

// distilBERTConfig is DistilBERT's config.json (transformers' DistilBertConfig).
type distilBERTConfig struct {
	Architectures         []string          `json:"architectures,omitempty"`
	ModelType             string            `json:"model_type"`
	VocabSize             int               `json:"vocab_size"`
	MaxPositionEmbeddings int               `json:"max_position_embeddings"`
	SinusoidalPosEmbds    bool              `json:"sinusoidal_pos_embds"`
	NLayers               int               `json:"n_layers"`
	NHeads                int               `json:"n_heads"`
	Dim                   int               `json:"dim"`
	HiddenDim             int               `json:"hidden_dim"`
	Dropout               float64           `json:"dropout"`
	AttentionDropout      float64           `json:"attention_dropout"`
	Activation            string            `json:"activation"`
	InitializerRange      float64           `json:"initializer_range"`
	SeqClassifDropout     float64           `json:"seq_classif_dropout"`
	PadTokenID            int               `json:"pad_token_id"`
	ID2Label              map[string]string `json:"id2label,omitempty"`
	Label2ID              map[string]int    `json:"label2id,omitempty"`
	NumLabels             int               `json:"num_labels,omitempty"`
	ProblemType           string            `json:"problem_type,omitempty"`
	TorchDType            string            `json:"torch_dtype,omitempty"`
}

// defaultDistilBERTConfig is DistilBertConfig's defaults (distilbert-base-uncased).
func defaultDistilBERTConfig() *distilBERTConfig {
	return &distilBERTConfig{
		ModelType: ModelTypeDistilBERT, VocabSize: 30522, MaxPositionEmbeddings: 512, NLayers: 6, NHeads: 12,
		Dim: 768, HiddenDim: 3072, Dropout: 0.1, AttentionDropout: 0.1, Activation: "gelu",
		InitializerRange: 0.02, SeqClassifDropout: 0.2,
	}
}

// distilBERTLayerNormEps is the epsilon transformers hard-codes in every
// DistilBERT LayerNorm.
const distilBERTLayerNormEps = 1e-12

// config maps DistilBERT's keys onto Config's fields.
func (d *distilBERTConfig) config() *Config {
	dropout := d.SeqClassifDropout
	return &Config{
		Architectures: d.Architectures, ModelType: ModelTypeDistilBERT, VocabSize: d.VocabSize,
		HiddenSize: d.Dim, NumHiddenLayers: d.NLayers, NumAttentionHeads: d.NHeads, IntermediateSize: d.HiddenDim,
		HiddenAct: d.Activation, HiddenDropoutProb: d.Dropout, AttentionProbsDropoutProb: d.AttentionDropout,
		ClassifierDropout: &dropout, MaxPositionEmbeddings: d.MaxPositionEmbeddings,
		InitializerRange: d.InitializerRange, LayerNormEps: distilBERTLayerNormEps, PadTokenID: d.PadTokenID,
		ID2Label: d.ID2Label, Label2ID: d.Label2ID, NumLabelsField: d.NumLabels, ProblemType: d.ProblemType,
		TorchDType: d.TorchDType, SinusoidalPosEmbds: d.SinusoidalPosEmbds,
	}
}

// distilBERTConfigOf is c under DistilBERT's keys.
func distilBERTConfigOf(c *Config) *distilBERTConfig {
	return &distilBERTConfig{
		Architectures: c.Architectures, ModelType: ModelTypeDistilBERT, VocabSize: c.VocabSize,
		MaxPositionEmbeddings: c.MaxPositionEmbeddings, SinusoidalPosEmbds: c.SinusoidalPosEmbds,
		NLayers: c.NumHiddenLayers, NHeads: c.NumAttentionHeads, Dim: c.HiddenSize, HiddenDim: c.IntermediateSize,
		Dropout: c.HiddenDropoutProb, AttentionDropout: c.AttentionProbsDropoutProb, Activation: c.HiddenAct,
		InitializerRange: c.InitializerRange, SeqClassifDropout: c.classifierDropout(), PadTokenID: c.PadTokenID,
		ID2Label: c.ID2Label, Label2ID: c.Label2ID, NumLabels: c.NumLabelsField, ProblemType: c.ProblemType,
		TorchDType: c.TorchDType,
	}
}

// DistilBaseUncased is distilbert-base-uncased's configuration with a
// 2-label head (negative, positive): 6 blocks, dim 768, 12 heads, hidden_dim
// 3072, GELU, learned position embeddings.
func DistilBaseUncased() *Config {
	c := defaultDistilBERTConfig().config()
	c.Architectures = []string{distilBERTFamily.architecture}
	c.SetLabels("negative", "positive")
	c.NumLabelsField = 0
	return c
}
