package bert

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Polarities of a model class: what it means for the dataset's two classes
// (0 = negative, 1 = positive, as lib/dataset and the seed label reviews).
const (
	Neutral  = -1 // a class that is neither ("neutral", "3 stars")
	Negative = 0
	Positive = 1
)

// PolarityNames are the dataset's class names by polarity.
var PolarityNames = []string{"negative", "positive"}

// LabelMap maps a model's classes onto the dataset's negative and positive
// reviews. A two-class head is never flipped silently: the mapping comes
// from the class names when config.json's id2label names them, and from the
// ids only when it does not (LABEL_0, LABEL_1), which String says.
type LabelMap struct {
	// Classes are the model's class names in id order.
	Classes []string
	// Polarity is each class's Negative, Positive or Neutral.
	Polarity []int
	// ByName is true when the names gave the mapping, false when the classes
	// are unnamed and class 0 is taken as negative, class 1 as positive.
	ByName bool
}

var (
	unnamedLabel = regexp.MustCompile(`^(label[ _-]?)?(\d+)$`)
	starsLabel   = regexp.MustCompile(`^([1-5]) ?stars?$`)
	labelWords   = map[string]int{
		"negative": Negative, "neg": Negative, "bad": Negative, "very negative": Negative,
		"positive": Positive, "pos": Positive, "good": Positive, "very positive": Positive,
		"neutral": Neutral, "neu": Neutral, "mixed": Neutral,
	}
)

// LabelMap reads the mapping from the class names (id2label): negative and
// positive words (NEGATIVE/POSITIVE, neg/pos, "very negative", bad/good),
// neutral ones (neutral, mixed), star ratings ("1 star" … "5 stars": 1–2
// negative, 3 neutral, 4–5 positive). A model whose classes are all unnamed
// (LABEL_0, LABEL_1, or the bare ids) maps by id when it has two classes.
// Any other case is ambiguous and an error that names the classes and the
// fix: an unknown or unnamed class among named ones, no negative or no
// positive class, or a two-class head whose classes are not one negative
// and one positive.
func (c *Config) LabelMap() (*LabelMap, error) {
	classes := c.Labels()
	m := &LabelMap{Classes: classes, Polarity: make([]int, len(classes)), ByName: true}
	unnamed, unknown := 0, []string{}
	for i, name := range classes {
		key := strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(name, "_", " "))), " ")
		if g := unnamedLabel.FindStringSubmatch(strings.ReplaceAll(key, " ", "_")); g != nil && g[2] == strconv.Itoa(i) {
			unnamed++
			continue
		}
		if s := starsLabel.FindStringSubmatch(key); s != nil {
			m.Polarity[i] = map[string]int{"1": Negative, "2": Negative, "3": Neutral, "4": Positive, "5": Positive}[s[1]]
			continue
		}
		p, ok := labelWords[key]
		if !ok {
			unknown = append(unknown, name)
		}
		m.Polarity[i] = p
	}
	fix := "set id2label in the model's config.json to name its classes (e.g. {\"0\": \"negative\", \"1\": \"positive\"})"
	switch {
	case unnamed == len(classes) && len(classes) == 2:
		m.ByName, m.Polarity = false, []int{Negative, Positive}
		return m, nil
	case unnamed == len(classes):
		return nil, fmt.Errorf("the model's %d classes %q have no names, so which are negative and which positive "+
			"is unknown: %s", len(classes), classes, fix)
	case unnamed > 0:
		return nil, fmt.Errorf("the model's classes %q mix named and unnamed ones: ambiguous; %s", classes, fix)
	case len(unknown) > 0:
		return nil, fmt.Errorf("the model's classes %q include %q, which is not a sentiment (negative/positive, "+
			"neutral, or star ratings): cannot map them to negative and positive reviews; %s", classes, unknown, fix)
	}
	count := map[int]int{}
	for _, p := range m.Polarity {
		count[p]++
	}
	if count[Negative] == 0 || count[Positive] == 0 || (len(classes) == 2 && count[Negative] != 1) {
		return nil, fmt.Errorf("the model's classes %q are ambiguous: they need at least one negative and one "+
			"positive class (and a two-class head one of each); %s", classes, fix)
	}
	return m, nil
}

// String says which mapping is used, e.g. "by name: NEGATIVE → negative,
// POSITIVE → positive" or "by id (the classes are unnamed): LABEL_0 →
// negative, LABEL_1 → positive".
func (m *LabelMap) String() string {
	parts := make([]string, len(m.Classes))
	for i, c := range m.Classes {
		to := "neither"
		if p := m.Polarity[i]; p != Neutral {
			to = PolarityNames[p]
		}
		parts[i] = c + " → " + to
	}
	how := "by name: "
	if !m.ByName {
		how = "by id (the classes are unnamed, as transformers' and the seed's convention: 0 negative, 1 positive): "
	}
	return how + strings.Join(parts, ", ")
}

// Identity reports whether class i is polarity i (two classes, negative
// first): dataset labels are then class ids.
func (m *LabelMap) Identity() bool {
	return len(m.Polarity) == 2 && m.Polarity[0] == Negative && m.Polarity[1] == Positive
}

// ClassOf returns the model class of a dataset label (Negative or Positive)
// for training; it needs a two-class head.
func (m *LabelMap) ClassOf(polarity int) (int, error) {
	if len(m.Polarity) != 2 {
		return 0, fmt.Errorf("fine-tuning on negative/positive reviews needs a two-class head; the model has %d "+
			"classes %q: evaluate it as it is, or start from its base model", len(m.Classes), m.Classes)
	}
	for i, p := range m.Polarity {
		if p == polarity {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no class of %q is %s", m.Classes, PolarityNames[polarity])
}

// Probabilities turns a model's logits into the dataset's [P(negative),
// P(positive)]: the softmax over the classes, summed by polarity, renormalised
// over the negative and positive ones (neutral classes drop out). For an
// identity two-class map this is the plain softmax.
func (m *LabelMap) Probabilities(logits []float32) [2]float64 {
	hi := math.Inf(-1) // over the classes that count, so they cannot all underflow
	for i, v := range logits {
		if m.Polarity[i] != Neutral {
			hi = max(hi, float64(v))
		}
	}
	var sum [2]float64
	for i, v := range logits {
		if p := m.Polarity[i]; p != Neutral {
			sum[p] += math.Exp(float64(v) - hi)
		}
	}
	total := sum[0] + sum[1]
	return [2]float64{sum[0] / total, sum[1] / total}
}

// Decide is the dataset label (Negative or Positive) a model's logits
// predict: the more probable polarity (Probabilities); a tie is negative, as
// argmax picks the first class.
func (m *LabelMap) Decide(logits []float32) int {
	if p := m.Probabilities(logits); p[Positive] > p[Negative] {
		return Positive
	}
	return Negative
}
