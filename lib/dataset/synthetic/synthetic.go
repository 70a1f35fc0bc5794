// Package synthetic generates the offline default: realistic-looking but
// entirely made-up product reviews, labelled 0 (negative) / 1 (positive).
//
// The reviews span many product categories and the aspects people judge in
// each, with negation ("not bad at all"), contrast ("the sound is tinny, but
// the battery life is excellent"), intensifiers, filler sentences without
// sentiment, a minority opinion in mixed reviews, typos, lengths from 10 to
// 300 words and about 3% flipped labels, so a classifier has to read more
// than single words yet can learn the task. Generation is deterministic: the
// same seed gives the same reviews, byte for byte, on every platform.
//
// None of this is Amazon data; everything showing it says so.
package synthetic

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/polarityml/polarity/lib/dataset"
	"github.com/polarityml/polarity/lib/nprand"
)

// Sample sizes and seeds of the committed data/sample files (the seed
// notebook's 20k train / 2k test working set).
const (
	TrainRows = 20000
	TestRows  = 2000
	TrainSeed = 20261125
	TestSeed  = 20261126
)

// Length limits and label noise of the generated reviews.
const (
	MinWords   = 10
	MaxWords   = 300
	LabelNoise = 0.03
)

// Generate returns n synthetic reviews for seed. About half are positive;
// LabelNoise of them carry the opposite label on purpose.
func Generate(n int, seed uint64) []dataset.Review {
	g := &generator{r: nprand.New(seed)}
	out := make([]dataset.Review, n)
	for i := range out {
		out[i], _ = g.review()
	}
	return out
}

type generator struct {
	r *nprand.Generator
}

func (g *generator) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

// targetWords draws a review length: mostly short and medium reviews with a
// long tail, like Amazon's (mean about 75 words).
func (g *generator) targetWords() int {
	switch u := g.r.Float64(); {
	case u < 0.35:
		return 10 + g.r.IntN(31)
	case u < 0.82:
		return 40 + g.r.IntN(81)
	default:
		return 120 + g.r.IntN(141)
	}
}

// review writes one review whose sentiment is the label, and says whether
// the label was then flipped on purpose (label noise).
func (g *generator) review() (dataset.Review, bool) {
	label := g.r.IntN(2)
	pos := label == dataset.Positive
	cat := &categories[g.r.IntN(len(categories))]
	product := g.pick(cat.products)
	target := g.targetWords()

	title := g.title(pos, product)
	var body []string
	words := wordCount(title)
	// A mixed review states opinions of the other polarity too; a lukewarm
	// one says little either way, mostly describing its circumstances.
	minority, filler := 0.0, 0.0
	switch u := g.r.Float64(); {
	case u < 0.25:
		minority, filler = 0.3, 0.35
	case u < 0.6:
		minority = 0.15
	}
	verdict := g.chance(0.65)
	for len(body) == 0 || words < max(target, MinWords) {
		var s string
		switch u := g.r.Float64(); {
		case u < minority:
			s = g.aspectSentence(!pos, g.aspect(cat))
		case u < minority+filler:
			s = g.filler(cat)
		default:
			s = g.sentence(pos, cat, product)
		}
		n := wordCount(s)
		if words+n > MaxWords && words >= MinWords {
			break
		}
		body = append(body, s)
		words += n
	}
	if verdict {
		if s := g.verdict(pos); words+wordCount(s) <= MaxWords {
			body = append(body, s)
		}
	}
	text := title + ": " + strings.Join(body, " ")
	text = g.typos(text)
	if g.chance(0.05) {
		text = strings.ToLower(text)
	}
	flipped := g.chance(LabelNoise)
	if flipped {
		label = 1 - label
	}
	return dataset.Review{Label: label, Text: text}, flipped
}

func (g *generator) title(pos bool, product string) string {
	var t string
	switch {
	case g.chance(0.3):
		t = g.pick(neutralTitles)
	case pos:
		t = g.pick(posTitles)
	default:
		t = g.pick(negTitles)
	}
	if strings.Contains(t, "%s") {
		t = fmt.Sprintf(t, product)
	}
	return capitalize(t)
}

// aspect picks a category aspect two times in three, else a general one.
func (g *generator) aspect(cat *category) *aspect {
	if g.chance(0.67) {
		return &cat.aspects[g.r.IntN(len(cat.aspects))]
	}
	return &generalAspects[g.r.IntN(len(generalAspects))]
}

func (g *generator) adjective(a *aspect, pos bool) string {
	adj := g.pick(a.neg)
	if pos {
		adj = g.pick(a.pos)
	}
	if g.chance(0.4) && !strings.Contains(adj, " ") {
		in := g.pick(intensifiers)
		if g.chance(0.08) {
			in = strings.ToUpper(in)
		}
		adj = in + " " + adj
	}
	return adj
}

// sentence is one body sentence carrying sentiment pos (or none).
func (g *generator) sentence(pos bool, cat *category, product string) string {
	switch u := g.r.Float64(); {
	case u < 0.30:
		return g.aspectSentence(pos, g.aspect(cat))
	case u < 0.48:
		return g.negatedSentence(pos, g.aspect(cat))
	case u < 0.62:
		return g.contrastSentence(pos, cat)
	case u < 0.72:
		return fill(g.pick(choose(pos, posExperiences, negExperiences)), g.pick(durations))
	case u < 0.78:
		return fill(g.pick(choose(pos, posComparisons, negComparisons)), product)
	case u < 0.84:
		return g.verdict(pos)
	default:
		return g.filler(cat)
	}
}

func (g *generator) aspectSentence(pos bool, a *aspect) string {
	adj := g.adjective(a, pos)
	switch g.r.IntN(6) {
	case 0:
		return fmt.Sprintf("I found the %s %s.", a.name, adj)
	case 1:
		return fmt.Sprintf("The %s turned out to be %s.", a.name, adj)
	case 2:
		if pos {
			return fmt.Sprintf("I was %s impressed by the %s.", g.pick([]string{"really", "very", "pleasantly"}), a.name)
		}
		return fmt.Sprintf("I was %s disappointed by the %s.", g.pick([]string{"really", "very", "badly"}), a.name)
	case 3:
		return fmt.Sprintf("As for the %s, %s %s%s", a.name, a.pronounBe(), adj, g.exclaim())
	default:
		return fmt.Sprintf("The %s %s %s%s", a.name, a.be(), adj, g.exclaim())
	}
}

// negatedSentence says pos by denying the opposite ("not bad at all").
func (g *generator) negatedSentence(pos bool, a *aspect) string {
	if pos {
		adj := g.pick(a.neg)
		switch g.r.IntN(5) {
		case 0:
			return fmt.Sprintf("The %s %s not %s at all.", a.name, a.be(), adj)
		case 1:
			return fmt.Sprintf("The %s %s never %s.", a.name, a.be(), adj)
		case 2:
			return fmt.Sprintf("I had no problems with the %s.", a.name)
		case 3:
			return fmt.Sprintf("I can't complain about the %s.", a.name)
		default:
			return fmt.Sprintf("Nobody could call the %s %s.", a.name, adj)
		}
	}
	adj := g.pick(a.pos)
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf("The %s %s not %s.", a.name, a.be(), adj)
	case 1:
		return fmt.Sprintf("The %s %sn't %s %s.", a.name, a.be(), g.pick(intensifiers), adj)
	case 2:
		return fmt.Sprintf("I wouldn't call the %s %s.", a.name, adj)
	case 3:
		return fmt.Sprintf("The %s %s far from %s.", a.name, a.be(), adj)
	default:
		return fmt.Sprintf("I can't say the %s %s %s.", a.name, a.be(), adj)
	}
}

// contrastSentence concedes the opposite, then lands on pos after "but".
func (g *generator) contrastSentence(pos bool, cat *category) string {
	a1, a2 := g.aspect(cat), g.aspect(cat)
	for a2 == a1 {
		a2 = g.aspect(cat)
	}
	opp, adj := g.adjective(a1, !pos), g.adjective(a2, pos)
	form := []string{
		"Although the %s %s %s, the %s %s %s.",
		"The %s %s %s. However, the %s %s %s.",
		"Sure, the %s %s %s, but the %s %s %s.",
		"The %s %s %s, but the %s %s %s.",
	}[g.r.IntN(4)]
	return fmt.Sprintf(form, a1.name, a1.be(), opp, a2.name, a2.be(), adj)
}

func (g *generator) verdict(pos bool) string {
	if g.chance(0.3) {
		return g.pick(choose(pos, negatedPosVerdicts, negatedNegVerdicts))
	}
	return g.pick(choose(pos, posVerdicts, negVerdicts))
}

// filler is a sentence without sentiment.
func (g *generator) filler(cat *category) string {
	f := g.pick(fillers)
	switch {
	case !strings.Contains(f, "%s"):
		return f
	case strings.HasPrefix(f, "It arrived"):
		return fmt.Sprintf(f, g.pick(arrivals))
	case strings.HasPrefix(f, "I paid"):
		return fmt.Sprintf(f, g.pick(prices))
	case strings.Contains(f, "old %s"):
		return fmt.Sprintf(f, g.pick(cat.products))
	}
	return fmt.Sprintf(f, g.pick(people))
}

// fill substitutes arg when the template has a verb for it.
func fill(template, arg string) string {
	if strings.Contains(template, "%s") {
		return fmt.Sprintf(template, arg)
	}
	return template
}

func (g *generator) exclaim() string {
	if g.chance(0.1) {
		return "!!"
	}
	if g.chance(0.1) {
		return "!"
	}
	return "."
}

// misspellings are common real-world ones.
var misspellings = map[string]string{
	"definitely": "definately", "recommend": "reccomend", "received": "recieved", "quality": "qaulity",
	"disappointed": "dissapointed", "really": "realy", "because": "becuase", "worth": "wroth",
	"don't": "dont", "can't": "cant", "it's": "its", "wouldn't": "wouldnt", "isn't": "isnt",
}

// typos misspells about 2% of words: a known misspelling, or a swapped,
// dropped or doubled letter.
func (g *generator) typos(text string) string {
	words := strings.Split(text, " ")
	for i, w := range words {
		if !g.chance(0.02) {
			continue
		}
		if m, ok := misspellings[strings.ToLower(w)]; ok {
			words[i] = m
			continue
		}
		letters := []rune(w)
		if len(letters) < 4 || !isLetters(letters) {
			continue
		}
		k := 1 + g.r.IntN(len(letters)-2)
		switch g.r.IntN(3) {
		case 0:
			letters[k], letters[k+1] = letters[k+1], letters[k]
		case 1:
			letters = append(letters[:k], letters[k+1:]...)
		default:
			letters = append(letters[:k+1], letters[k:]...)
		}
		words[i] = string(letters)
	}
	return strings.Join(words, " ")
}

func isLetters(rs []rune) bool {
	for _, r := range rs {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func choose(pos bool, a, b []string) []string {
	if pos {
		return a
	}
	return b
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func wordCount(s string) int { return len(strings.Fields(s)) }
