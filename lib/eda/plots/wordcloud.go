package plots

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"unicode/utf8"

	"github.com/polarityml/polarity/lib/eda"
	"github.com/psykhi/wordclouds"
	"golang.org/x/image/font/gofont/goregular"
)

// CloudOptions configure a word cloud.
type CloudOptions struct {
	// Width and Height of the picture in pixels (default 800×400, the seed's).
	Width, Height int
	// Color of the words (default: neutral grey).
	Color color.NRGBA
	// Seed orders words of equal count before placement; the same words and
	// seed always give the same picture.
	Seed uint64
	// MaxFont and MinFont bound the font sizes in pixels (default: 9, and
	// the largest size up to 100 at which the words can fit; see fitMaxFont).
	MaxFont, MinFont int
}

// WordCloud draws words (most frequent first, as eda.CloudCounter.Frequencies
// returns them) sized in proportion to their count, in Go Regular, all in one
// colour. Words are placed on a spiral from the centre by
// github.com/psykhi/wordclouds; a margin of a quarter of the largest font
// keeps descenders and accents inside the picture, so no word is clipped.
func WordCloud(words []eda.TermCount, opts CloudOptions) (image.Image, error) {
	if len(words) == 0 {
		return nil, fmt.Errorf("word cloud: no words to draw (every word was a stop-word or a number?)")
	}
	if opts.Width <= 0 {
		opts.Width = 800
	}
	if opts.Height <= 0 {
		opts.Height = 400
	}
	if opts.MinFont <= 0 {
		opts.MinFont = 9
	}
	if opts.MaxFont <= 0 {
		opts.MaxFont = fitMaxFont(words, opts.Width, opts.Height, opts.MinFont, 100)
	}
	if opts.Color == (color.NRGBA{}) {
		opts.Color = Neutral
	}
	fontPath, err := goRegularPath()
	if err != nil {
		return nil, err
	}
	counts, err := uniqueCounts(words, opts.Seed)
	if err != nil {
		return nil, err
	}
	pad := float64(opts.MaxFont) / 4
	w, h := float64(opts.Width), float64(opts.Height)
	mask := []*wordclouds.Box{
		{Top: pad, Left: 0, Right: w, Bottom: 0},
		{Top: h, Left: 0, Right: w, Bottom: h - pad},
		{Top: h, Left: 0, Right: pad, Bottom: 0},
		{Top: h, Left: w - pad, Right: w, Bottom: 0},
	}
	wc := wordclouds.NewWordcloud(counts,
		wordclouds.FontFile(fontPath),
		wordclouds.FontMaxSize(opts.MaxFont),
		wordclouds.FontMinSize(opts.MinFont),
		wordclouds.Colors([]color.Color{opts.Color}), // one colour: the library picks colours with an unseedable global RNG
		wordclouds.BackgroundColor(color.White),
		wordclouds.Width(opts.Width),
		wordclouds.Height(opts.Height),
		wordclouds.MaskBoxes(mask),
		wordclouds.WordSizeFunction(wordclouds.SizeFunctionLinear),
		wordclouds.RandomPlacement(false),
	)
	return wc.Draw(), nil
}

// fitMaxFont returns the largest font size up to limit at which the words'
// estimated boxes cover at most 45% of the picture, so that most of them find
// a place (the library stops after ten words in a row do not fit): Python's
// WordCloud shrinks fonts as space runs out; this sizes them up front.
func fitMaxFont(words []eda.TermCount, width, height, minFont, limit int) int {
	top := float64(words[0].Count)
	area := func(maxFont float64) float64 {
		var a float64
		for _, w := range words {
			size := max(float64(minFont), maxFont*float64(w.Count)/top)
			a += (0.55*size*float64(utf8.RuneCountInString(w.Term)) + 5) * (0.75*size + 5)
		}
		return a
	}
	budget := 0.45 * float64(width*height)
	best := minFont
	for f := minFont; f <= limit; f++ {
		if area(float64(f)) <= budget {
			best = f
		}
	}
	return best
}

// WordCloudPNG is WordCloud encoded as PNG.
func WordCloudPNG(words []eda.TermCount, opts CloudOptions) ([]byte, error) {
	img, err := WordCloud(words, opts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("word cloud: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// uniqueCounts maps words to counts that keep their order but are all
// distinct: the library sorts with an unstable sort over a map, so equal
// counts would be placed in a random order. Ties are ordered by a shuffle
// drawn from seed. Relative sizes change by less than 1/(count·len(words)).
func uniqueCounts(words []eda.TermCount, seed uint64) (map[string]int, error) {
	m := int64(len(words)) + 1
	rng := rand.New(rand.NewPCG(seed, 0x706f6c6172697479))
	order := rng.Perm(len(words))
	rank := make([]int64, len(words))
	for i, j := range order {
		rank[j] = int64(i)
	}
	out := make(map[string]int, len(words))
	for i, w := range words {
		if w.Count <= 0 {
			return nil, fmt.Errorf("word cloud: word %q has count %d", w.Term, w.Count)
		}
		if _, dup := out[w.Term]; dup {
			return nil, fmt.Errorf("word cloud: word %q listed twice", w.Term)
		}
		out[w.Term] = int(w.Count*m + rank[i])
	}
	return out, nil
}

var (
	fontOnce sync.Once
	fontPath string
	fontErr  error
)

// goRegularPath writes the Go Regular TrueType font (from the
// golang.org/x/image module, so no system font is needed) into the user's
// cache directory once, under a name derived from its content, and returns
// the path: the word-cloud library loads fonts only from files.
func goRegularPath() (string, error) {
	fontOnce.Do(func() {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		dir = filepath.Join(dir, "polarity")
		sum := sha256.Sum256(goregular.TTF)
		fontPath = filepath.Join(dir, "GoRegular-"+hex.EncodeToString(sum[:8])+".ttf")
		if b, err := os.ReadFile(fontPath); err == nil && bytes.Equal(b, goregular.TTF) {
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fontErr = fmt.Errorf("word cloud font: %w", err)
			return
		}
		tmp, err := os.CreateTemp(dir, "font-*.ttf")
		if err != nil {
			fontErr = fmt.Errorf("word cloud font: %w", err)
			return
		}
		_, werr := tmp.Write(goregular.TTF)
		cerr := tmp.Close()
		if werr != nil || cerr != nil {
			os.Remove(tmp.Name())
			fontErr = fmt.Errorf("word cloud font: writing %s: %v %v", tmp.Name(), werr, cerr)
			return
		}
		if err := os.Rename(tmp.Name(), fontPath); err != nil {
			os.Remove(tmp.Name())
			fontErr = fmt.Errorf("word cloud font: %w", err)
		}
	})
	return fontPath, fontErr
}
