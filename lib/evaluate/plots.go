package evaluate

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"github.com/polarityml/polarity/lib/eda/plots"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// ConfusionHeatmap draws r's confusion matrix as a heatmap (true class per
// row, top to bottom; predicted class per column), each cell shaded by its
// share of its true class and labelled with its count and that share.
func ConfusionHeatmap(r *Report) (*plots.Figure, error) {
	n := len(r.Names)
	if n == 0 || len(r.Confusion) != n {
		return nil, fmt.Errorf("confusion heatmap: %d class names for a %d-row matrix", n, len(r.Confusion))
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Confusion matrix (accuracy %.2f%%)", 100*r.Accuracy)
	p.X.Label.Text, p.Y.Label.Text = "predicted", "true"
	var labels plotter.XYLabels
	var shares []float64
	for i, row := range r.Confusion {
		total := 0
		for _, v := range row {
			total += v
		}
		for j, v := range row {
			share := 0.0
			if total > 0 {
				share = float64(v) / float64(total)
			}
			y := float64(n - 1 - i) // true class 0 at the top
			cell, err := plotter.NewPolygon(plotter.XYs{{X: float64(j) - .5, Y: y - .5}, {X: float64(j) + .5, Y: y - .5},
				{X: float64(j) + .5, Y: y + .5}, {X: float64(j) - .5, Y: y + .5}})
			if err != nil {
				return nil, err
			}
			cell.Color = shade(share)
			cell.LineStyle.Color = color.White
			p.Add(cell)
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(j), Y: y})
			labels.Labels = append(labels.Labels, fmt.Sprintf("%d\n%.1f%%", v, 100*share))
			shares = append(shares, share)
		}
	}
	text, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	for i := range text.TextStyle {
		text.TextStyle[i].XAlign, text.TextStyle[i].YAlign = -0.5, -0.5
		text.TextStyle[i].Font.Size = vg.Points(13)
		if shares[i] > 0.5 { // white on dark cells
			text.TextStyle[i].Color = color.White
		}
	}
	p.Add(text)
	xTicks, yTicks := make([]plot.Tick, n), make([]plot.Tick, n)
	for i, name := range r.Names {
		xTicks[i] = plot.Tick{Value: float64(i), Label: name}
		yTicks[i] = plot.Tick{Value: float64(n - 1 - i), Label: name}
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(xTicks), plot.ConstantTicks(yTicks)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -.5, float64(n)-.5, -.5, float64(n)-.5
	return &plots.Figure{Name: "confusion_matrix", Width: 5.5 * vg.Inch, Height: 5 * vg.Inch, Rows: [][]*plot.Plot{{p}}}, nil
}

// shade maps a share in [0, 1] from white to the positive class's blue.
func shade(share float64) color.NRGBA {
	c := plots.ClassColors[1]
	mix := func(v uint8) uint8 { return uint8(255 - share*(255-float64(v))) }
	return color.NRGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 0xFF}
}

// ProbabilityHistograms draws, for each true class, the histogram of the
// predicted probability of the class named positive (20 bins on [0, 1]):
// a confident, correct classifier piles negatives near 0 and positives
// near 1. yTrue[i] is review i's class, probPositive[i] its predicted
// probability of class positive.
func ProbabilityHistograms(yTrue []int, probPositive []float64, names []string, positive int) (*plots.Figure, error) {
	if len(yTrue) != len(probPositive) {
		return nil, fmt.Errorf("probability histograms: %d labels but %d probabilities", len(yTrue), len(probPositive))
	}
	if positive < 0 || positive >= len(names) {
		return nil, fmt.Errorf("probability histograms: positive class %d of %d names", positive, len(names))
	}
	const bins = 20
	row := make([]*plot.Plot, len(names))
	yMax := 0.0
	for class, name := range names {
		counts := make([]float64, bins)
		n := 0
		for i, y := range yTrue {
			if y == class {
				counts[min(int(probPositive[i]*bins), bins-1)]++
				n++
			}
		}
		h := &plotter.Histogram{FillColor: plots.Fill(plots.ClassColors[min(class, 1)]), LineStyle: plotter.DefaultLineStyle}
		for b, c := range counts {
			h.Bins = append(h.Bins, plotter.HistogramBin{Min: float64(b) / bins, Max: float64(b+1) / bins, Weight: c})
			yMax = max(yMax, c)
		}
		p := plot.New()
		p.Title.Text = fmt.Sprintf("true %s (n=%d)", name, n)
		p.X.Label.Text, p.Y.Label.Text = "predicted probability of "+names[positive], "reviews"
		p.X.Min, p.X.Max = 0, 1
		p.Add(h)
		row[class] = p
	}
	for _, p := range row {
		p.Y.Min, p.Y.Max = 0, max(1, yMax*1.05)
	}
	return &plots.Figure{Name: "probability_histograms", Title: "Predicted probability by true class",
		Width: 10 * vg.Inch, Height: 3.6 * vg.Inch, Rows: [][]*plot.Plot{row}}, nil
}

// Mistake is one misclassified example.
type Mistake struct {
	Index           int     // position in the evaluated set
	True, Predicted int     // class ids
	Confidence      float64 // the predicted class's probability
}

// ConfidentlyWrong returns the n misclassified examples with the highest
// probability for the wrong class, most confident first (ties by index).
func ConfidentlyWrong(yTrue, yPred []int, confidence []float64, n int) ([]Mistake, error) {
	if len(yTrue) != len(yPred) || len(yTrue) != len(confidence) {
		return nil, fmt.Errorf("confidently wrong: %d labels, %d predictions, %d confidences", len(yTrue), len(yPred), len(confidence))
	}
	var out []Mistake
	for i := range yTrue {
		if yTrue[i] != yPred[i] {
			out = append(out, Mistake{Index: i, True: yTrue[i], Predicted: yPred[i], Confidence: confidence[i]})
		}
	}
	slices.SortStableFunc(out, func(a, b Mistake) int { return cmp.Compare(b.Confidence, a.Confidence) })
	return out[:min(n, len(out))], nil
}
