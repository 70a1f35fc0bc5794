package train

import (
	"encoding/base64"
	"fmt"
	"html"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/polarityml/polarity/lib/nbui"
)

// ConfigRows lays a configuration out as table rows (group, setting, value)
// with a header, for nbui.DisplayTable.
func ConfigRows(c Config) [][]string {
	rows := [][]string{{"group", "setting", "value"}}
	for _, s := range settings {
		group := "training"
		switch s.key {
		case "model":
			group = "model"
		case "data", "samples", "shuffle-seed", "val-fraction", "split-seed", "max-len":
			group = "data"
		}
		rows = append(rows, []string{group, s.key, getValue(s.value(&c))})
	}
	return rows
}

// LiveCurves returns a Trainer.OnEval callback that draws the loss and
// accuracy curves into one notebook output, redrawn after every validation
// (a no-op outside GoNB).
func LiveCurves() func(History) {
	id := "polarity-curves-" + gonbui.UniqueId()
	gonbui.DisplayHtml(fmt.Sprintf(`<div id="%s"><i>curves appear after the first validation</i></div>`, id))
	return func(h History) {
		png, err := h.CurvesPNG(9, 3.5)
		if err != nil {
			return
		}
		gonbui.UpdateHtml(id, `<img src="data:image/png;base64,`+base64.StdEncoding.EncodeToString(png)+`"/>`)
	}
}

// HistoryRows lays a history out as table rows with a header.
func HistoryRows(h History) [][]string {
	rows := [][]string{{"step", "epoch", "lr", "train loss", "train acc", "val loss", "val acc", "samples/s"}}
	for _, r := range h {
		rows = append(rows, []string{fmt.Sprint(r.Step), fmt.Sprintf("%.2f", r.Epoch), fmt.Sprintf("%.2g", r.LR),
			fmt.Sprintf("%.4f", r.TrainLoss), fmt.Sprintf("%.4f", r.TrainAccuracy),
			fmt.Sprintf("%.4f", r.ValLoss), fmt.Sprintf("%.4f", r.ValAccuracy), fmt.Sprintf("%.1f", r.SamplesPerSecond)})
	}
	return rows
}

// ConfigFromSettings builds a Config from a notebook settings string: an
// optional "preset=NAME" (default offline) followed by key=value settings
// with the CLI flag names, separated by ';' or newlines.
func ConfigFromSettings(spec string) (Config, error) {
	preset := PresetOffline
	var rest []string
	for _, item := range strings.FieldsFunc(spec, func(r rune) bool { return r == ';' || r == '\n' }) {
		key, value, _ := strings.Cut(item, "=")
		if strings.TrimSpace(key) == "preset" {
			preset = strings.TrimSpace(value)
			continue
		}
		rest = append(rest, item)
	}
	c, err := NewConfig(preset)
	if err != nil {
		return Config{}, err
	}
	if err := c.Set(strings.Join(rest, ";")); err != nil {
		return Config{}, err
	}
	return c, c.Validate()
}

// DisplayEvaluation shows accuracy, loss, how the model's classes were
// mapped, the confusion matrix and the classification report in the
// notebook (a no-op outside GoNB).
func DisplayEvaluation(ev *Evaluation) {
	names := ev.Report.Names
	rows := [][]string{append([]string{"true \\ predicted"}, names...)}
	for i, row := range ev.Report.Confusion {
		r := []string{names[i]}
		for _, v := range row {
			r = append(r, fmt.Sprint(v))
		}
		rows = append(rows, r)
	}
	gonbui.DisplayHtml(fmt.Sprintf("<p><b>accuracy %.4f</b>, loss %.4f on %d reviews; model classes mapped %s</p>",
		ev.Accuracy, ev.Loss, len(ev.Labels), html.EscapeString(ev.LabelMap.String())) +
		nbui.TableHTML("confusion matrix", rows) +
		"<pre>" + html.EscapeString(ev.Report.Text(4)) + "</pre>")
}
