package train

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/polarityml/polarity/lib/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Record is one validation point of a run.
type Record struct {
	Step int `json:"step"`
	// Epoch is fractional: 1.0 at the end of the first epoch.
	Epoch float64 `json:"epoch"`
	// LR is the learning rate of the last step.
	LR float64 `json:"lr"`
	// TrainLoss and TrainAccuracy average the training batches since the previous record.
	TrainLoss        float64 `json:"train_loss"`
	TrainAccuracy    float64 `json:"train_accuracy"`
	ValLoss          float64 `json:"val_loss"`
	ValAccuracy      float64 `json:"val_accuracy"`
	ElapsedSeconds   float64 `json:"elapsed_seconds"`
	SamplesPerSecond float64 `json:"samples_per_second"`
}

// History is the list of validation records of a run, in order.
type History []Record

var csvHeader = []string{"step", "epoch", "lr", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "elapsed_seconds", "samples_per_second"}

// WriteCSV writes the history with a header row.
func (h History) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 8, 64) }
	for _, r := range h {
		row := []string{strconv.Itoa(r.Step), f(r.Epoch), f(r.LR), f(r.TrainLoss), f(r.TrainAccuracy),
			f(r.ValLoss), f(r.ValAccuracy), f(r.ElapsedSeconds), f(r.SamplesPerSecond)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// TrainTime is the wall time of the run up to its last record (0 when empty).
func (h History) TrainTime() time.Duration {
	if len(h) == 0 {
		return 0
	}
	return time.Duration(h[len(h)-1].ElapsedSeconds * float64(time.Second))
}

// ReadHistory reads the history.json a run wrote into dir.
func ReadHistory(dir string) (History, error) {
	data, err := os.ReadFile(filepath.Join(dir, HistoryJSON))
	if err != nil {
		return nil, fmt.Errorf("reading the training history: %w", err)
	}
	var h History
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, HistoryJSON), err)
	}
	return h, nil
}

// WriteFiles writes history.json, history.csv and curves.png into dir, each atomically.
func (h History) WriteFiles(dir string) error {
	if err := atomicfile.Write(filepath.Join(dir, HistoryJSON), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(h)
	}); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, HistoryCSV), h.WriteCSV); err != nil {
		return err
	}
	png, err := h.CurvesPNG(9, 3.5)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, CurvesPNG), func(w io.Writer) error {
		_, err := w.Write(png)
		return err
	})
}

// CurvesPNG draws the seed's figure: training vs validation loss (left) and
// accuracy (right) against the epoch, widthInches × heightInches at 96 dpi.
func (h History) CurvesPNG(widthInches, heightInches float64) ([]byte, error) {
	if len(h) == 0 {
		return nil, fmt.Errorf("no history to plot yet")
	}
	lossPlot, err := h.curvePlot("Loss", func(r Record) (float64, float64) { return r.TrainLoss, r.ValLoss })
	if err != nil {
		return nil, err
	}
	accPlot, err := h.curvePlot("Accuracy", func(r Record) (float64, float64) { return r.TrainAccuracy, r.ValAccuracy })
	if err != nil {
		return nil, err
	}
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(widthInches)*vg.Inch, vg.Length(heightInches)*vg.Inch), vgimg.UseDPI(96))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{{lossPlot, accPlot}}, tiles, dc)
	lossPlot.Draw(canvases[0][0])
	accPlot.Draw(canvases[0][1])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (h History) curvePlot(title string, values func(Record) (train, val float64)) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Legend.Top = title == "Loss" // loss falls and accuracy rises: keep the legend off the curves
	trainXY, valXY := make(plotter.XYs, len(h)), make(plotter.XYs, len(h))
	for i, r := range h {
		tr, va := values(r)
		trainXY[i] = plotter.XY{X: r.Epoch, Y: tr}
		valXY[i] = plotter.XY{X: r.Epoch, Y: va}
	}
	for _, s := range []struct {
		name  string
		xy    plotter.XYs
		color color.RGBA
	}{
		{"training", trainXY, color.RGBA{R: 31, G: 119, B: 180, A: 255}},
		{"validation", valXY, color.RGBA{R: 255, G: 127, B: 14, A: 255}},
	} {
		line, points, err := plotter.NewLinePoints(s.xy)
		if err != nil {
			return nil, err
		}
		line.Color, points.Color = s.color, s.color
		p.Add(line, points)
		p.Legend.Add(s.name, line, points)
	}
	return p, nil
}
