package train

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/polarityml/polarity/lib/bert"
)

// Config is a complete, typed description of one fine-tuning run, grouped
// like Hugging Face's run_glue.py (model / data / training arguments). The
// notebook sets it with a settings string (see Config.Set) and the CLI with
// flags (see Config.RegisterFlags); both go through the same table of keys.
type Config struct {
	Model    ModelConfig    `json:"model"`
	Data     DataConfig     `json:"data"`
	Training TrainingConfig `json:"training"`
}

// ModelConfig chooses the network.
type ModelConfig struct {
	// Name is "tiny" (random init, the offline default), a hub id such as
	// "bert-base-uncased", or a directory holding a Hugging Face checkpoint.
	Name string `json:"name"`
}

// DataConfig chooses the reviews and how they are cut and split.
type DataConfig struct {
	// Source is "sample" (embedded synthetic reviews), "hub", or a file path.
	Source string `json:"source"`
	// Samples is how many reviews are drawn from the shuffled training split
	// (0 = all of them).
	Samples int `json:"samples"`
	// ShuffleSeed shuffles the training split before the first Samples are taken.
	ShuffleSeed int64 `json:"shuffle_seed"`
	// ValFraction is the share of the drawn reviews held out for validation.
	ValFraction float64 `json:"val_fraction"`
	// SplitSeed seeds the train/validation split.
	SplitSeed int64 `json:"split_seed"`
	// MaxLen is the maximum number of tokens per review, [CLS] and [SEP] included.
	MaxLen int `json:"max_len"`
}

// TrainingConfig holds the optimisation hyper-parameters and run control.
type TrainingConfig struct {
	Epochs    int `json:"epochs"`
	BatchSize int `json:"batch_size"`
	// LR is the peak learning rate of the linear warmup/decay schedule.
	LR float64 `json:"lr"`
	// WarmupRatio is the share of all steps spent warming up linearly from 0.
	WarmupRatio float64 `json:"warmup_ratio"`
	// WeightDecay is AdamW's decoupled decay (not applied to biases and LayerNorm).
	WeightDecay float64 `json:"weight_decay"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Epsilon     float64 `json:"epsilon"`
	// MaxGradNorm clips the global gradient norm; 0 disables clipping.
	MaxGradNorm float64 `json:"max_grad_norm"`
	// Seed seeds initialisation, dropout and the per-epoch shuffling.
	Seed int64 `json:"seed"`
	// EvalEvery also validates every that many steps (0 = once per epoch only).
	EvalEvery int `json:"eval_every"`
	// Patience stops training after that many validations without a lower
	// validation loss (0 = never stop early).
	Patience int `json:"patience"`
	// OutDir receives the best model, the training state and the history.
	OutDir string `json:"out_dir"`
	// Precision is the dtype the model computes in: "auto" (or empty:
	// bfloat16 on a GPU backend, float32 elsewhere), "float32" or "bfloat16"
	// (also fp32, bf16). Variables, gradients and optimizer moments stay
	// float32 either way (mixed precision); Run applies it to BERT through
	// bert.ParamComputeDType.
	Precision string `json:"precision"`
}

// PrecisionAuto picks bfloat16 on GPUs, where it is faster, and float32 on
// CPUs, where GoMLX's pure-Go backend is slower in bfloat16.
const PrecisionAuto = "auto"

// ComputeDType resolves Precision to a bert.ParamComputeDType value
// ("float32" or "bfloat16") for a backend that runs on a GPU or not.
func (t TrainingConfig) ComputeDType(gpu bool) (string, error) {
	p := strings.ToLower(strings.TrimSpace(t.Precision))
	if p == "" || p == PrecisionAuto {
		if gpu {
			return "bfloat16", nil
		}
		return "float32", nil
	}
	dt, err := bert.ParseComputeDType(p)
	if err != nil {
		return "", fmt.Errorf("precision=%q: use auto, float32 (fp32) or bfloat16 (bf16)", t.Precision)
	}
	if dt == dtypes.BFloat16 {
		return "bfloat16", nil
	}
	return "float32", nil
}

// Preset names accepted by NewConfig and the CLI's --preset flag.
const (
	// PresetSeed is the seed notebook's recipe, kept as the reproducible
	// baseline: bert-base-uncased, 20k reviews from shuffle(42), 70/30 split
	// with seed 42, batch 16, max_len 128, 5 epochs, AdamW(wd 0.01), linear
	// decay, no warmup, lr 1e-6, no clipping, float32 as the Keras original.
	PresetSeed = "seed"
	// PresetFinetune is the better recipe for a pre-trained BERT: lr 2e-5,
	// 6% warmup, 3 epochs, clipping at 1.0 (Devlin et al.; run_glue defaults),
	// bfloat16 mixed precision on a GPU (precision auto).
	PresetFinetune = "finetune"
	// PresetOffline is the offline default: the tiny model from random
	// initialisation on 3,000 reviews of the embedded sample (2,100 train,
	// 900 validation), 64 tokens, batch 16, lr 1e-3 with 10% warmup, 2
	// epochs, clipping at 1.0, precision auto — a few minutes on 2 CPU cores.
	PresetOffline = "offline"
	// PresetLaptop fine-tunes a small pretrained BERT on a CPU: Google's
	// BERT-Small (LaptopModel, 4 layers × 512, 29M parameters) on 7,000
	// real reviews (4,900 train, 2,100 validation), 128 tokens, batch 16,
	// lr 1e-4 with 10% warmup, 2 epochs, clipping at 1.0. Chosen from
	// `polarity bench` on 2 Zen 5 cores with lib/cpukernels: 1.3 s per
	// training step (mini 0.54 s, medium 2.5 s), about 15 minutes in all.
	// Google reports SST-2 test accuracy 89.7 for it (bert-base 93.5).
	PresetLaptop = "laptop"
)

// LaptopModel is the hub repo the laptop preset fine-tunes.
const LaptopModel = "google/bert_uncased_L-4_H-512_A-8"

// Presets lists the preset names in the order the help text shows them.
var Presets = []string{PresetOffline, PresetLaptop, PresetFinetune, PresetSeed}

// NewConfig returns the configuration of a named preset.
func NewConfig(preset string) (Config, error) {
	seed := Config{
		Model: ModelConfig{Name: "bert-base-uncased"},
		Data: DataConfig{Source: "hub", Samples: 20000, ShuffleSeed: 42,
			ValFraction: 0.3, SplitSeed: 42, MaxLen: 128},
		Training: TrainingConfig{Epochs: 5, BatchSize: 16, LR: 1e-6, WarmupRatio: 0,
			WeightDecay: 0.01, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, MaxGradNorm: 0,
			Seed: 42, OutDir: "build/model", Precision: "float32"},
	}
	switch preset {
	case PresetSeed:
		return seed, nil
	case PresetFinetune:
		c := seed
		c.Training.LR, c.Training.WarmupRatio, c.Training.Epochs, c.Training.MaxGradNorm = 2e-5, 0.06, 3, 1.0
		c.Training.Patience, c.Training.Precision = 2, PrecisionAuto
		return c, nil
	case PresetLaptop:
		c := seed
		c.Model.Name = LaptopModel
		c.Data.Samples = 7000
		c.Training.LR, c.Training.WarmupRatio, c.Training.Epochs, c.Training.MaxGradNorm = 1e-4, 0.1, 2, 1.0
		c.Training.Patience, c.Training.Precision = 2, PrecisionAuto
		return c, nil
	case PresetOffline:
		c := seed
		c.Model.Name = "tiny"
		c.Data.Source, c.Data.Samples, c.Data.MaxLen = "sample", 3000, 64
		c.Training.LR, c.Training.WarmupRatio, c.Training.Epochs, c.Training.MaxGradNorm = 1e-3, 0.1, 2, 1.0
		c.Training.Patience, c.Training.Precision = 2, PrecisionAuto
		return c, nil
	}
	return Config{}, fmt.Errorf("unknown preset %q: use one of %s", preset, strings.Join(Presets, ", "))
}

// setting is one key of the settings table shared by Set and RegisterFlags.
type setting struct {
	key, help string
	value     func(c *Config) any // pointer to the field
}

var settings = []setting{
	{"model", "model: tiny, a checkpoint directory, or a hub repo id (bert-base-uncased, owner/name[@revision]) downloaded into the HF cache", func(c *Config) any { return &c.Model.Name }},
	{"data", "reviews: sample (embedded), hub, or a file (fastText, CSV, JSONL, Parquet)", func(c *Config) any { return &c.Data.Source }},
	{"samples", "reviews drawn from the shuffled training split (0 = all)", func(c *Config) any { return &c.Data.Samples }},
	{"shuffle-seed", "seed of the shuffle before drawing the reviews", func(c *Config) any { return &c.Data.ShuffleSeed }},
	{"val-fraction", "share of the drawn reviews held out for validation", func(c *Config) any { return &c.Data.ValFraction }},
	{"split-seed", "seed of the train/validation split", func(c *Config) any { return &c.Data.SplitSeed }},
	{"max-len", "maximum tokens per review, [CLS] and [SEP] included", func(c *Config) any { return &c.Data.MaxLen }},
	{"epochs", "passes over the training reviews", func(c *Config) any { return &c.Training.Epochs }},
	{"batch", "reviews per optimisation step", func(c *Config) any { return &c.Training.BatchSize }},
	{"lr", "peak learning rate", func(c *Config) any { return &c.Training.LR }},
	{"warmup", "share of the steps spent warming the learning rate up from 0", func(c *Config) any { return &c.Training.WarmupRatio }},
	{"weight-decay", "AdamW decoupled weight decay (biases and LayerNorm are never decayed)", func(c *Config) any { return &c.Training.WeightDecay }},
	{"beta1", "AdamW first-moment decay", func(c *Config) any { return &c.Training.Beta1 }},
	{"beta2", "AdamW second-moment decay", func(c *Config) any { return &c.Training.Beta2 }},
	{"epsilon", "AdamW denominator epsilon", func(c *Config) any { return &c.Training.Epsilon }},
	{"clip", "global gradient-norm clipping threshold (0 = off)", func(c *Config) any { return &c.Training.MaxGradNorm }},
	{"seed", "seed of initialisation, dropout and per-epoch shuffling", func(c *Config) any { return &c.Training.Seed }},
	{"eval-every", "also validate every N steps (0 = once per epoch)", func(c *Config) any { return &c.Training.EvalEvery }},
	{"patience", "stop after N validations without a lower validation loss (0 = never)", func(c *Config) any { return &c.Training.Patience }},
	{"out", "output directory: best model, training state, history", func(c *Config) any { return &c.Training.OutDir }},
	{"precision", "compute dtype: auto (bf16 on a GPU, fp32 on CPU), fp32 or bf16; weights and optimizer stay fp32", func(c *Config) any { return &c.Training.Precision }},
}

// Keys lists the setting keys, which are also the CLI flag names.
func Keys() []string {
	keys := make([]string, len(settings))
	for i, s := range settings {
		keys[i] = s.key
	}
	return keys
}

// Set applies a settings string such as "lr=2e-5; epochs=3; model=tiny"
// (separated by ';' or newlines; keys are the CLI flag names).
func (c *Config) Set(spec string) error {
	for _, item := range strings.FieldsFunc(spec, func(r rune) bool { return r == ';' || r == '\n' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			return fmt.Errorf("setting %q: want key=value, e.g. lr=2e-5", item)
		}
		if err := c.SetKey(strings.TrimSpace(key), strings.TrimSpace(value)); err != nil {
			return err
		}
	}
	return nil
}

// SetKey sets one setting by key.
func (c *Config) SetKey(key, value string) error {
	i := slices.IndexFunc(settings, func(s setting) bool { return s.key == key })
	if i < 0 {
		return fmt.Errorf("unknown setting %q: known keys are %s", key, strings.Join(Keys(), ", "))
	}
	if err := setValue(settings[i].value(c), value); err != nil {
		return fmt.Errorf("setting %s=%q: %w", key, value, err)
	}
	return nil
}

func setValue(ptr any, value string) error {
	switch p := ptr.(type) {
	case *string:
		*p = value
	case *int:
		v, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		*p = v
	case *int64:
		v, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		*p = v
	case *float64:
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fmt.Errorf("want a number")
		}
		*p = v
	default:
		return fmt.Errorf("internal: unsupported setting type %T", ptr)
	}
	return nil
}

func getValue(ptr any) string {
	switch p := ptr.(type) {
	case *string:
		return *p
	case *int:
		return strconv.Itoa(*p)
	case *int64:
		return strconv.FormatInt(*p, 10)
	case *float64:
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	return ""
}

// String renders the configuration as a settings string that Set accepts.
func (c *Config) String() string {
	parts := make([]string, len(settings))
	for i, s := range settings {
		parts[i] = s.key + "=" + getValue(s.value(c))
	}
	return strings.Join(parts, "; ")
}

// flagValue adapts one setting to flag.Value.
type flagValue struct {
	c   *Config
	key string
}

func (f flagValue) String() string {
	if f.c == nil {
		return ""
	}
	i := slices.IndexFunc(settings, func(s setting) bool { return s.key == f.key })
	return getValue(settings[i].value(f.c))
}

func (f flagValue) Set(v string) error { return f.c.SetKey(f.key, v) }

// RegisterFlags adds one flag per setting to fs (only the settings named by
// keys, when given), writing into c; the flags' defaults show c's current values.
func (c *Config) RegisterFlags(fs *flag.FlagSet, keys ...string) {
	for _, s := range settings {
		if len(keys) == 0 || slices.Contains(keys, s.key) {
			fs.Var(flagValue{c: c, key: s.key}, s.key, s.help)
		}
	}
}

// DataKeys are the settings that choose the reviews and their
// train/validation split.
var DataKeys = []string{"data", "samples", "shuffle-seed", "val-fraction", "split-seed"}

// Validate reports the first setting that cannot work, naming the fix.
func (c *Config) Validate() error {
	t, d := c.Training, c.Data
	switch {
	case c.Model.Name == "":
		return fmt.Errorf("model is empty: use tiny, bert-base-uncased or a checkpoint directory")
	case t.Epochs < 1:
		return fmt.Errorf("epochs=%d: need at least 1", t.Epochs)
	case t.BatchSize < 1:
		return fmt.Errorf("batch=%d: need at least 1", t.BatchSize)
	case t.LR <= 0:
		return fmt.Errorf("lr=%g: need a positive learning rate, e.g. 2e-5", t.LR)
	case t.WarmupRatio < 0 || t.WarmupRatio >= 1:
		return fmt.Errorf("warmup=%g: need a share in [0, 1), e.g. 0.06", t.WarmupRatio)
	case t.WeightDecay < 0:
		return fmt.Errorf("weight-decay=%g: must not be negative", t.WeightDecay)
	case t.Beta1 < 0 || t.Beta1 >= 1 || t.Beta2 < 0 || t.Beta2 >= 1:
		return fmt.Errorf("beta1=%g, beta2=%g: both must be in [0, 1)", t.Beta1, t.Beta2)
	case t.Epsilon <= 0:
		return fmt.Errorf("epsilon=%g: must be positive, e.g. 1e-8", t.Epsilon)
	case t.MaxGradNorm < 0:
		return fmt.Errorf("clip=%g: must be 0 (off) or positive", t.MaxGradNorm)
	case t.EvalEvery < 0 || t.Patience < 0:
		return fmt.Errorf("eval-every and patience must not be negative")
	case d.ValFraction <= 0 || d.ValFraction >= 1:
		return fmt.Errorf("val-fraction=%g: need a share in (0, 1), e.g. 0.3", d.ValFraction)
	case d.MaxLen < 3:
		return fmt.Errorf("max-len=%d: need room for [CLS], one token and [SEP]", d.MaxLen)
	case d.Samples < 0:
		return fmt.Errorf("samples=%d: must be 0 (all) or positive", d.Samples)
	}
	_, err := t.ComputeDType(false)
	return err
}
