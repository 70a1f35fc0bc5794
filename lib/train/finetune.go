package train

import (
	"cmp"
	stdctx "context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph code reads best with dot import
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/polarityml/polarity/lib/bert"
	"github.com/polarityml/polarity/lib/compute"
	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/evaluate"
	"github.com/polarityml/polarity/lib/hub"
	"github.com/polarityml/polarity/lib/tokenize"
)

// bucketMultiple is the collator's length step: batches are padded to a
// multiple of 32 tokens (4 shapes for max_len 128), so few graphs compile.
const bucketMultiple = 32

// TextDataset is tokenized, labelled text served as BERT batches (token ids,
// attention mask, token type ids), padded by length bucket.
type TextDataset struct {
	encodings []tokenize.Encoding
	labels    []int32
	collator  *tokenize.Collator
}

// NewTextDataset tokenizes reviews (in parallel) for a model with maxLen positions.
func NewTextDataset(tok tokenize.Tokenizer, reviews []dataset.Review, maxLen int) (*TextDataset, error) {
	collator, err := tokenize.NewCollator(tok.Specials().PAD, maxLen, bucketMultiple)
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(reviews))
	labels := make([]int32, len(reviews))
	for i, r := range reviews {
		if r.Label != dataset.Negative && r.Label != dataset.Positive {
			return nil, fmt.Errorf("review %d has label %d: labels must be 0 (negative) or 1 (positive)", i, r.Label)
		}
		texts[i], labels[i] = r.Text, int32(r.Label)
	}
	return &TextDataset{encodings: tok.EncodeBatch(texts), labels: labels, collator: collator}, nil
}

// Len is the number of reviews.
func (d *TextDataset) Len() int { return len(d.encodings) }

// Batch collates the reviews at indices into [batch, bucket length] tensors.
func (d *TextDataset) Batch(indices []int) (Batch, error) {
	encs := make([]tokenize.Encoding, len(indices))
	labels := make([]int32, len(indices))
	for i, idx := range indices {
		encs[i], labels[i] = d.encodings[idx], d.labels[idx]
	}
	b, err := d.collator.Collate(encs)
	if err != nil {
		return Batch{}, err
	}
	ids, mask, types := b.Flat()
	return Batch{Inputs: []*tensors.Tensor{
		tensors.FromFlatDataAndDimensions(ids, b.Size, b.Length),
		tensors.FromFlatDataAndDimensions(mask, b.Size, b.Length),
		tensors.FromFlatDataAndDimensions(types, b.Size, b.Length),
	}, Labels: labels}, nil
}

// BertModel adapts bert.ClassifierLogits (BERT or DistilBERT, by cfg) to a
// Model over TextDataset batches.
func BertModel(cfg *bert.Config) Model {
	return func(ctx *context.Context, in []*Node) *Node {
		return bert.ClassifierLogits(ctx, cfg, in[0], in[1], in[2])
	}
}

// Splits loads the reviews the data config describes and splits them as
// the seed does: the first Samples of shuffle(ShuffleSeed) (all of them, in
// the order the source gives, when Samples is 0 or covers the split), then
// train_test_split(test_size=ValFraction, seed=SplitSeed).
func Splits(d DataConfig) (train, val []dataset.Review, src dataset.Source, err error) {
	src, err = dataset.ParseSource(d.Source)
	if err != nil {
		return nil, nil, src, err
	}
	reviews, err := dataset.Load(src, "train")
	if err != nil {
		return nil, nil, src, err
	}
	if d.Samples > 0 && d.Samples < len(reviews) {
		order := dataset.ShuffleIndices(len(reviews), uint64(d.ShuffleSeed))[:d.Samples]
		picked := make([]dataset.Review, len(order))
		for i, j := range order {
			picked[i] = reviews[j]
		}
		reviews = picked
	}
	trainIdx, valIdx, err := dataset.TrainTestSplit(len(reviews), d.ValFraction, uint64(d.SplitSeed))
	if err != nil {
		return nil, nil, src, err
	}
	pick := func(idx []int) []dataset.Review {
		out := make([]dataset.Review, len(idx))
		for i, j := range idx {
			out[i] = reviews[j]
		}
		return out
	}
	return pick(trainIdx), pick(valIdx), src, nil
}

// LoadedModel is a BERT classifier with the tokenizer that goes with it.
type LoadedModel struct {
	*bert.Model
	Tokenizer tokenize.Tokenizer
	// TokenizerPath is the tokenizer.json (or vocab.txt) copied next to saved weights.
	TokenizerPath string
}

// TinyModel is the model spec of bert.Tiny() from random initialisation.
const TinyModel = "tiny"

// LoadModel resolves a model spec: "tiny" (TinyModel) is bert.Tiny() from random
// initialisation (seeded) with the bert-base-uncased tokenizer; anything else
// goes through bert.ResolveModelDir — a directory holding a Hugging Face
// checkpoint (config.json, model.safetensors, and tokenizer.json or
// vocab.txt), or a hub repo id ("bert-base-uncased", "owner/name[@revision]")
// downloaded into the Hugging Face cache with progress, honouring
// HF_HUB_OFFLINE, HF_ENDPOINT, HF_HUB_CACHE and HF_TOKEN. BERT and
// DistilBERT checkpoints load, from model.safetensors or pytorch_model.bin. A
// classifier head the checkpoint lacks is initialised and listed in the
// model's Report; a fresh two-class head is named negative/positive, the
// classes it will learn. maxLen truncates the tokenizer.
func LoadModel(ctx stdctx.Context, spec string, seed int64, maxLen int) (*LoadedModel, error) {
	var m *bert.Model
	var tokPath string
	var err error
	if spec == TinyModel {
		if m, err = bert.New(bert.Tiny(), seed); err != nil {
			return nil, err
		}
		if tokPath, err = tokenize.DefaultPath(); err != nil {
			return nil, err
		}
	} else {
		dir, err := bert.ResolveModelDir(ctx, hub.NewFromEnv(), spec)
		if err != nil {
			return nil, err
		}
		if m, err = bert.Load(dir); err != nil {
			return nil, err
		}
		if slices.Contains(m.Report.Initialized, "classifier.weight") && m.Config.NumLabels() == 2 {
			m.Config.SetLabels(bert.PolarityNames...)
		}
		tokPath = filepath.Join(dir, bert.TokenizerFile)
		if _, statErr := os.Stat(tokPath); statErr != nil {
			tokPath = filepath.Join(dir, bert.VocabFile)
		}
	}
	if maxLen > m.Config.MaxPositionEmbeddings {
		return nil, fmt.Errorf("max-len %d exceeds the model's max_position_embeddings %d", maxLen, m.Config.MaxPositionEmbeddings)
	}
	tok, err := tokenize.Load(tokPath, tokenize.WithMaxLength(maxLen))
	if err != nil {
		return nil, err
	}
	return &LoadedModel{Model: m, Tokenizer: tok, TokenizerPath: tokPath}, nil
}

// RunOptions control a Run beyond the Config.
type RunOptions struct {
	Resume       bool
	ShowProgress bool
	Log          func(format string, args ...any)
	OnEval       func(History)
}

// RunResult is what Run produced.
type RunResult struct {
	Result
	Model              *LoadedModel
	TrainSize, ValSize int
	Source             dataset.Source
	TokenizeTime       time.Duration
	// ComputeDType is the dtype the model computed in: "float32" or "bfloat16".
	ComputeDType string
}

// Run is the whole fine-tuning job the CLI and the notebook start: load and
// split the reviews, load the model and tokenizer, tokenize, train with
// validation and checkpoints into cfg.Training.OutDir (the best model is
// written there as a Hugging Face directory).
func Run(runCtx stdctx.Context, cfg Config, opts RunOptions) (*RunResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logf := opts.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	trainReviews, valReviews, src, err := Splits(cfg.Data)
	if err != nil {
		return nil, err
	}
	logf("data: %s: %d training, %d validation reviews", src, len(trainReviews), len(valReviews))
	model, err := LoadModel(runCtx, cfg.Model.Name, cfg.Training.Seed, cfg.Data.MaxLen)
	if err != nil {
		return nil, err
	}
	if model.Report != nil {
		logf("model: %s", model.Report)
	}
	if trainReviews, valReviews, err = toClasses(model.Config, logf, trainReviews, valReviews); err != nil {
		return nil, err
	}
	start := time.Now()
	trainData, err := NewTextDataset(model.Tokenizer, trainReviews, cfg.Data.MaxLen)
	if err != nil {
		return nil, err
	}
	valData, err := NewTextDataset(model.Tokenizer, valReviews, cfg.Data.MaxLen)
	if err != nil {
		return nil, err
	}
	res := &RunResult{Model: model, TrainSize: len(trainReviews), ValSize: len(valReviews), Source: src, TokenizeTime: time.Since(start)}
	backend, err := compute.Backend()
	if err != nil {
		return nil, err
	}
	choice := compute.Choose()
	if res.ComputeDType, err = cfg.Training.ComputeDType(choice.GPU()); err != nil {
		return nil, err
	}
	model.Context.SetParam(bert.ParamComputeDType, res.ComputeDType)
	logf("precision: %s compute, float32 weights and optimizer (precision=%s on %s)",
		res.ComputeDType, cmp.Or(cfg.Training.Precision, PrecisionAuto), choice.Config)
	trainer := &Trainer{
		Config: cfg.Training, Backend: backend, Ctx: model.Context, Model: BertModel(model.Config),
		SaveModel: func(dir string) error { return model.Save(dir, model.TokenizerPath) },
		Resume:    opts.Resume, OnEval: opts.OnEval, Log: opts.Log, ShowProgress: opts.ShowProgress,
	}
	result, err := trainer.Fit(runCtx, trainData, valData)
	res.Result = result
	if err != nil && !errors.Is(err, ErrInterrupted) {
		return nil, err
	}
	return res, err
}

// toClasses relabels training and validation reviews with the model's class
// ids: the head's classes are matched to negative and positive by name
// (bert.Config.LabelMap, logged), so a head whose id2label lists POSITIVE
// first is trained the right way round; a head that is not one negative and
// one positive class is refused.
func toClasses(cfg *bert.Config, logf func(string, ...any), splits ...[]dataset.Review) (train, val []dataset.Review, err error) {
	labels, err := cfg.LabelMap()
	if err != nil {
		return nil, nil, err
	}
	logf("labels: %s", labels)
	if !labels.Identity() {
		var class [2]int
		for p := range class {
			if class[p], err = labels.ClassOf(p); err != nil {
				return nil, nil, err
			}
		}
		for i, reviews := range splits {
			relabelled := make([]dataset.Review, len(reviews))
			for j, r := range reviews {
				relabelled[j] = dataset.Review{Label: class[r.Label], Text: r.Text}
			}
			splits[i] = relabelled
		}
	}
	return splits[0], splits[1], nil
}

// Evaluation is a model's performance on a set of reviews.
type Evaluation struct {
	EvalResult
	Report *evaluate.Report
	// LabelMap is how the model's classes were mapped onto negative and positive.
	LabelMap *bert.LabelMap
}

// EvaluateReviews runs the model over reviews (dropout off) in batches and
// computes loss, accuracy, confusion matrix and classification report over
// the reviews' negative and positive classes. The model's classes are
// mapped onto those by name (bert.Config.LabelMap); unless class i simply
// is label i, predictions are the more probable polarity and the loss is
// the cross-entropy of the class probabilities summed by polarity.
func EvaluateReviews(m *LoadedModel, reviews []dataset.Review, batchSize, maxLen int, showProgress bool) (*Evaluation, error) {
	labels, err := m.Config.LabelMap()
	if err != nil {
		return nil, err
	}
	data, err := NewTextDataset(m.Tokenizer, reviews, maxLen)
	if err != nil {
		return nil, err
	}
	backend, err := compute.Backend()
	if err != nil {
		return nil, err
	}
	ev, err := NewEvaluator(backend, m.Context, BertModel(m.Config))
	if err != nil {
		return nil, err
	}
	defer ev.Close()
	res, err := ev.Evaluate(data, batchSize, showProgress)
	if err != nil {
		return nil, err
	}
	if !labels.Identity() {
		loss, correct := 0.0, 0
		for i, logits := range res.Logits {
			probs := labels.Probabilities(logits)
			res.Predictions[i] = labels.Decide(logits)
			loss -= math.Log(probs[res.Labels[i]])
			if res.Predictions[i] == res.Labels[i] {
				correct++
			}
		}
		res.Loss, res.Accuracy = loss/float64(len(res.Logits)), float64(correct)/float64(len(res.Logits))
	}
	report, err := evaluate.NewReport(res.Labels, res.Predictions, bert.PolarityNames)
	if err != nil {
		return nil, err
	}
	return &Evaluation{EvalResult: res, Report: report, LabelMap: labels}, nil
}
