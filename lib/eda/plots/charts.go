package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/polarityml/polarity/lib/eda"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Figure sizes: full notebook width, heights that keep labels readable.
const (
	wide     = 10 * vg.Inch
	histHigh = 4 * vg.Inch
)

// histogramPlotter turns an eda.Histogram into a filled gonum histogram.
func histogramPlotter(h eda.Histogram, c color.NRGBA) (*plotter.Histogram, error) {
	if h.Total() == 0 {
		return nil, fmt.Errorf("histogram has no values: %w", eda.ErrNoData)
	}
	bins := make([]plotter.HistogramBin, len(h.Counts))
	for i, n := range h.Counts {
		bins[i] = plotter.HistogramBin{Min: h.Edges[i], Max: h.Edges[i+1], Weight: float64(n)}
	}
	hp := &plotter.Histogram{Bins: bins, Width: h.Width(), FillColor: Fill(c)}
	hp.LineStyle.Width = vg.Points(0.5)
	hp.LineStyle.Color = c
	return hp, nil
}

// checkClasses refuses reports that would draw empty panels.
func checkClasses(r *eda.Report) error {
	if r == nil || len(r.Classes) != 2 {
		return fmt.Errorf("plots need a report with both sentiments (negative and positive)")
	}
	for _, c := range r.Classes {
		if c.Reviews == 0 {
			return fmt.Errorf("no %s reviews to plot", c.Name)
		}
	}
	return nil
}

// Quantity picks one per-review length distribution of a class report.
type Quantity struct {
	// Name is the file stem, e.g. "chars_per_review".
	Name string
	// Label is the axis label, e.g. "characters per review".
	Label string
	Hist  func(eda.ClassReport) eda.Histogram
	Stats func(eda.ClassReport) eda.Stats
}

// The seed's three per-review quantities.
var (
	CharsPerReview = Quantity{"chars_per_review", "characters per review",
		func(c eda.ClassReport) eda.Histogram { return c.CharsHist },
		func(c eda.ClassReport) eda.Stats { return c.Chars }}
	WordsPerReview = Quantity{"words_per_review", "words per review",
		func(c eda.ClassReport) eda.Histogram { return c.WordsHist },
		func(c eda.ClassReport) eda.Stats { return c.Words }}
	MeanWordLength = Quantity{"mean_word_length", "mean word length (characters)",
		func(c eda.ClassReport) eda.Histogram { return c.MeanWordLenHist },
		func(c eda.ClassReport) eda.Stats { return c.MeanWordLen }}
)

// LengthHistograms draws the histogram of q side by side per sentiment, on a
// shared x range, with the median marked. For MeanWordLength the Gaussian KDE
// (Scott's rule) is overlaid, scaled to counts.
func LengthHistograms(r *eda.Report, q Quantity) (*Figure, error) {
	if err := checkClasses(r); err != nil {
		return nil, err
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range r.Classes {
		h := q.Hist(c)
		if len(h.Edges) > 0 {
			lo, hi = min(lo, h.Edges[0]), max(hi, h.Edges[len(h.Edges)-1])
		}
	}
	row := make([]*plot.Plot, 0, 2)
	var yMax float64
	for _, c := range r.Classes {
		col := ClassColors[c.Label]
		h := q.Hist(c)
		s := q.Stats(c)
		p := newPanel(fmt.Sprintf("%s reviews (n=%d)", capitalize(c.Name), s.Count), q.Label, "reviews")
		hp, err := histogramPlotter(h, col)
		if err != nil {
			return nil, fmt.Errorf("%s, %s: %w", q.Label, c.Name, err)
		}
		p.Add(hp)
		p.Legend.Add(fmt.Sprintf("histogram (%d bins)", len(h.Counts)), hp)
		_, _, _, ym := hp.DataRange()
		if q.Name == MeanWordLength.Name && c.MeanWordLenKDE != nil {
			k := c.MeanWordLenKDE
			scale := float64(s.Count) * h.Width()
			pts := make(plotter.XYs, len(k.X))
			for i := range k.X {
				pts[i] = plotter.XY{X: k.X[i], Y: k.Y[i] * scale}
				ym = max(ym, pts[i].Y)
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return nil, err
			}
			line.Color = col
			line.Width = vg.Points(2)
			p.Add(line)
			p.Legend.Add(fmt.Sprintf("Gaussian KDE (h=%.3g)", k.Bandwidth), line)
		}
		med, err := plotter.NewLine(plotter.XYs{{X: s.Median, Y: 0}, {X: s.Median, Y: ym}})
		if err != nil {
			return nil, err
		}
		med.Color = Neutral
		med.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		med.Width = vg.Points(1.2)
		p.Add(med)
		p.Legend.Add(fmt.Sprintf("median %.4g", s.Median), med)
		p.Legend.Top = true
		yMax = max(yMax, ym)
		p.X.Min, p.X.Max = lo, hi
		row = append(row, p)
	}
	for _, p := range row {
		p.Y.Min, p.Y.Max = 0, yMax*1.05
		p.Y.Tick.Marker = countTicks{}
	}
	return &Figure{
		Name:   q.Name,
		Title:  capitalize(q.Label) + " by sentiment",
		Width:  wide,
		Height: histHigh,
		Rows:   [][]*plot.Plot{row},
	}, nil
}

// TopTerms draws counts as a horizontal bar chart, largest at the top.
func TopTerms(name, title, xLabel string, terms []eda.TermCount, c color.NRGBA) (*Figure, error) {
	p, err := barPanel(title, xLabel, terms, c)
	if err != nil {
		return nil, err
	}
	return &Figure{Name: name, Width: 7 * vg.Inch, Height: barHeight(len(terms)), Rows: [][]*plot.Plot{{p}}}, nil
}

// TopTermsByClass draws one bar chart per sentiment side by side.
func TopTermsByClass(name, title, xLabel string, r *eda.Report, terms func(eda.ClassReport) []eda.TermCount) (*Figure, error) {
	if err := checkClasses(r); err != nil {
		return nil, err
	}
	var row []*plot.Plot
	n := 0
	for _, c := range r.Classes {
		p, err := barPanel(capitalize(c.Name)+" reviews", xLabel, terms(c), ClassColors[c.Label])
		if err != nil {
			return nil, fmt.Errorf("%s, %s reviews: %w", title, c.Name, err)
		}
		row = append(row, p)
		n = max(n, len(terms(c)))
	}
	return &Figure{Name: name, Title: title, Width: wide, Height: barHeight(n) + vg.Points(24), Rows: [][]*plot.Plot{row}}, nil
}

func barHeight(n int) vg.Length { return vg.Points(float64(60 + 17*n)) }

func barPanel(title, xLabel string, terms []eda.TermCount, c color.NRGBA) (*plot.Plot, error) {
	if len(terms) == 0 {
		return nil, fmt.Errorf("no terms to chart: %w", eda.ErrNoData)
	}
	rev := slices.Clone(terms)
	slices.Reverse(rev)
	values := make(plotter.Values, len(rev))
	names := make([]string, len(rev))
	for i, t := range rev {
		values[i] = float64(t.Count)
		names[i] = t.Term
	}
	bars, err := plotter.NewBarChart(values, vg.Points(12))
	if err != nil {
		return nil, err
	}
	bars.Horizontal = true
	bars.Color = Fill(c)
	bars.LineStyle.Color = c
	bars.LineStyle.Width = vg.Points(0.5)
	p := newPanel(title, xLabel, "")
	p.Add(bars)
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = vg.Points(10)
	p.Y.Padding = vg.Points(2)
	p.X.Min = 0
	p.X.Tick.Marker = countTicks{}
	return p, nil
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
