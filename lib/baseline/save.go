package baseline

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/polarityml/polarity/lib/atomicfile"
)

// fileFormat names the saved model's format; Load refuses anything else.
const (
	fileFormat  = "polarity-baseline-tfidf-logreg"
	fileVersion = 1
)

// savedModel is the file layout: gzip-compressed JSON. Floats are written in
// Go's shortest round-trip form, so Load restores the model bit for bit.
type savedModel struct {
	Format       string    `json:"format"`
	Version      int       `json:"version"`
	Classes      []string  `json:"classes"`
	NgramRange   [2]int    `json:"ngram_range"`
	Terms        []string  `json:"terms"`
	IDF          []float64 `json:"idf"`
	Coef         []float64 `json:"coef"`
	Intercept    float64   `json:"intercept"`
	C            float64   `json:"C"`
	Iterations   int       `json:"iterations"`
	TrainReviews int       `json:"train_reviews"`
	TrainSeconds float64   `json:"train_seconds"`
}

// Save writes the model to path (gzip-compressed JSON), all or nothing,
// creating its directory.
func (m *Model) Save(path string) error {
	s := savedModel{Format: fileFormat, Version: fileVersion, Classes: ClassNames, NgramRange: [2]int{1, 2},
		Terms: m.Vectorizer.Terms, IDF: m.Vectorizer.IDF, Coef: m.Coef, Intercept: m.Intercept, C: m.C,
		Iterations: m.Iterations, TrainReviews: m.TrainReviews, TrainSeconds: m.TrainTime.Seconds()}
	return atomicfile.Write(path, func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		if err := json.NewEncoder(zw).Encode(&s); err != nil {
			return err
		}
		return zw.Close()
	})
}

// Load reads a model Save wrote, checking that it is complete and consistent.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loading the baseline: %w (train one with polarity baseline --out %s)", err, path)
	}
	defer f.Close()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s is not a usable baseline model: %s (train it again with polarity baseline --out %s)", path, fmt.Sprintf(format, a...), path)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, bad("not gzip-compressed (%v)", err)
	}
	var s savedModel
	if err := json.NewDecoder(zr).Decode(&s); err != nil {
		return nil, bad("%v", err)
	}
	switch {
	case s.Format != fileFormat:
		return nil, bad("format %q, want %q", s.Format, fileFormat)
	case s.Version != fileVersion:
		return nil, bad("format version %d, this build reads version %d", s.Version, fileVersion)
	case s.NgramRange != [2]int{1, 2}:
		return nil, bad("n-gram range %v, this build computes (1, 2)", s.NgramRange)
	case len(s.Classes) != 2 || s.Classes[0] != ClassNames[0] || s.Classes[1] != ClassNames[1]:
		return nil, bad("classes %q, want %q", s.Classes, ClassNames)
	case len(s.Terms) == 0 || len(s.IDF) != len(s.Terms) || len(s.Coef) != len(s.Terms):
		return nil, bad("%d terms, %d idf values and %d coefficients (want as many, at least one)", len(s.Terms), len(s.IDF), len(s.Coef))
	case !finite(s.Intercept) || !(s.C > 0):
		return nil, bad("intercept %g, C %g", s.Intercept, s.C)
	}
	for i, t := range s.Terms {
		if i > 0 && t <= s.Terms[i-1] {
			return nil, bad("terms not strictly sorted at %d (%q after %q)", i, t, s.Terms[i-1])
		}
		if !finite(s.IDF[i]) || s.IDF[i] < 1 || !finite(s.Coef[i]) {
			return nil, bad("term %q has idf %g and coefficient %g", t, s.IDF[i], s.Coef[i])
		}
	}
	v := &Vectorizer{Terms: s.Terms, IDF: s.IDF}
	v.buildIndex()
	return &Model{Vectorizer: v, Coef: s.Coef, Intercept: s.Intercept, C: s.C, Iterations: s.Iterations,
		TrainReviews: s.TrainReviews, TrainTime: time.Duration(s.TrainSeconds * float64(time.Second))}, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
