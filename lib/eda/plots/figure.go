// Package plots draws the EDA charts of package eda with gonum/plot: length
// histograms per sentiment, mean word length with its density estimate,
// top-word and n-gram bar charts, and word clouds. Every figure renders to
// PNG (for notebooks and files) and SVG; colours are fixed per class so the
// sentiments look the same in every picture.
package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Class colours (Okabe–Ito, colour-blind safe), indexed by label:
// 0 negative = vermillion, 1 positive = blue. Neutral is for all reviews.
var (
	ClassColors = [2]color.NRGBA{{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, {R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}}
	Neutral     = color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xFF}
)

// Fill returns c made translucent for filled areas. It is a non-premultiplied
// color.NRGBA: a premultiplied color.RGBA with the same numbers would be an
// invalid colour that renders wrongly (blue turned lime).
func Fill(c color.NRGBA) color.NRGBA {
	c.A = 0xA0
	return c
}

// DPI is the resolution of PNG output: a 10-inch figure is 960 pixels wide,
// the width of a notebook cell.
const DPI = 96

// Figure is one picture of one or more panels laid out in rows.
type Figure struct {
	// Name is the file stem used when the figure is saved.
	Name string
	// Title is drawn above all panels.
	Title         string
	Width, Height vg.Length
	Rows          [][]*plot.Plot
}

// PNG renders the figure as a PNG image at DPI.
func (f *Figure) PNG() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(DPI))
	if err := f.draw(draw.New(c)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("figure %s: encoding PNG: %w", f.Name, err)
	}
	return buf.Bytes(), nil
}

// SVG renders the figure as an SVG document.
func (f *Figure) SVG() ([]byte, error) {
	c := vgsvg.New(f.Width, f.Height)
	if err := f.draw(draw.New(c)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("figure %s: encoding SVG: %w", f.Name, err)
	}
	return buf.Bytes(), nil
}

func (f *Figure) draw(dc draw.Canvas) error {
	if len(f.Rows) == 0 || len(f.Rows[0]) == 0 {
		return fmt.Errorf("figure %s has no panels", f.Name)
	}
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	if f.Title != "" {
		style := text.Style{
			Color:   color.Black,
			Font:    font.From(plot.DefaultFont, 15),
			XAlign:  draw.XCenter,
			YAlign:  draw.YTop,
			Handler: plot.DefaultTextHandler,
		}
		top := dc.Max.Y - vg.Points(6)
		dc.FillText(style, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: top}, f.Title)
		dc.Max.Y = top - style.Height(f.Title) - vg.Points(6)
	}
	tiles := draw.Tiles{
		Rows: len(f.Rows), Cols: len(f.Rows[0]),
		PadX: vg.Points(18), PadY: vg.Points(12),
		PadTop: vg.Points(2), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12),
	}
	canvases := plot.Align(f.Rows, tiles, dc)
	for i, row := range f.Rows {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	return nil
}

// newPanel returns a plot with the house style: title, axis labels, light
// grid-free look, readable font sizes.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Label.Font.Size = vg.Points(10)
	}
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	return p
}

// countTicks marks at most six round counts (1, 2 or 5 × 10^k) labelled as
// integers with thousands separators, with unlabelled minor ticks between.
type countTicks struct{}

// Ticks implements plot.Ticker.
func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: groupThousands(int64(math.Round(lo)))}}
	}
	// The smallest round step giving at most six labelled ticks.
	mag := math.Pow(10, math.Floor(math.Log10((hi-lo)/6)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if (hi-lo)/(m*mag) <= 6 {
			step = m * mag
			break
		}
	}
	step = math.Max(step, 1)
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: groupThousands(int64(math.Round(v)))})
		if minor := v + step/2; minor < hi && step >= 2 {
			ticks = append(ticks, plot.Tick{Value: minor})
		}
	}
	return ticks
}

// groupThousands formats n as 12,345.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
