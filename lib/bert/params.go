package bert

import "fmt"

// Param is one weight tensor of the model under its Hugging Face name
// (e.g. "bert.encoder.layer.0.attention.self.query.weight") with its shape.
// Linear weights keep torch's [out, in] layout so checkpoints map 1:1.
type Param struct {
	Name  string
	Shape []int
}

// Size is the number of scalars in the tensor.
func (p Param) Size() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// Parameters lists every weight of BertForSequenceClassification for cfg, in
// transformers' order.
func Parameters(cfg *Config) []Param {
	h, inter := cfg.HiddenSize, cfg.IntermediateSize
	var ps []Param
	add := func(name string, shape ...int) { ps = append(ps, Param{Name: name, Shape: shape}) }
	linear := func(prefix string, out, in int) {
		add(prefix+".weight", out, in)
		add(prefix+".bias", out)
	}
	layerNorm := func(prefix string) {
		add(prefix+".weight", h)
		add(prefix+".bias", h)
	}
	add("bert.embeddings.word_embeddings.weight", cfg.VocabSize, h)
	add("bert.embeddings.position_embeddings.weight", cfg.MaxPositionEmbeddings, h)
	add("bert.embeddings.token_type_embeddings.weight", cfg.TypeVocabSize, h)
	layerNorm("bert.embeddings.LayerNorm")
	for i := range cfg.NumHiddenLayers {
		p := fmt.Sprintf("bert.encoder.layer.%d.", i)
		linear(p+"attention.self.query", h, h)
		linear(p+"attention.self.key", h, h)
		linear(p+"attention.self.value", h, h)
		linear(p+"attention.output.dense", h, h)
		layerNorm(p + "attention.output.LayerNorm")
		linear(p+"intermediate.dense", inter, h)
		linear(p+"output.dense", h, inter)
		layerNorm(p + "output.LayerNorm")
	}
	linear("bert.pooler.dense", h, h)
	linear("classifier", cfg.NumLabels(), h)
	return ps
}

// NumParams is the total number of scalars in the model
// (bert-base-uncased with 2 labels: 109,483,778).
func NumParams(cfg *Config) int {
	n := 0
	for _, p := range Parameters(cfg) {
		n += p.Size()
	}
	return n
}
