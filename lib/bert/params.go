package bert

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

// Parameters lists every weight of the sequence classifier for cfg
// (BertForSequenceClassification or DistilBertForSequenceClassification), in
// transformers' order.
func Parameters(cfg *Config) []Param {
	h, inter := cfg.HiddenSize, cfg.IntermediateSize
	f := cfg.family()
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
	add(f.prefix+"embeddings.word_embeddings.weight", cfg.VocabSize, h)
	add(f.prefix+"embeddings.position_embeddings.weight", cfg.MaxPositionEmbeddings, h)
	if f.tokenTypes {
		add(f.prefix+"embeddings.token_type_embeddings.weight", cfg.TypeVocabSize, h)
	}
	layerNorm(f.prefix + "embeddings.LayerNorm")
	for i := range cfg.NumHiddenLayers {
		p, n := f.blockPrefix(i), f.block
		linear(p+n.query, h, h)
		linear(p+n.key, h, h)
		linear(p+n.value, h, h)
		linear(p+n.attentionOut, h, h)
		layerNorm(p + n.attentionNorm)
		linear(p+n.ffnIn, inter, h)
		linear(p+n.ffnOut, h, inter)
		layerNorm(p + n.outputNorm)
	}
	linear(f.pooler, h, h)
	linear("classifier", cfg.NumLabels(), h)
	return ps
}

// NumParams is the total number of scalars in the model
// (bert-base-uncased with 2 labels: 109,483,778; distilbert-base-uncased:
// 66,955,010).
func NumParams(cfg *Config) int {
	n := 0
	for _, p := range Parameters(cfg) {
		n += p.Size()
	}
	return n
}
