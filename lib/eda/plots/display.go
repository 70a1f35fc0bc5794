package plots

import (
	"fmt"
	"html"

	"github.com/janpfeifer/gonb/gonbui"
)

// Show displays a figure inline in a GoNB notebook as PNG, or the error in
// red when building it failed (so a cell can be one line:
// plots.Show(plots.LengthHistograms(r, plots.CharsPerReview))). Outside a
// notebook it only returns the error.
func Show(f *Figure, err error) error {
	if err == nil {
		var png []byte
		if png, err = f.PNG(); err == nil {
			gonbui.DisplayPng(png)
			return nil
		}
	}
	gonbui.DisplayHtml(`<p style="color:#b00">` + html.EscapeString(err.Error()) + `</p>`)
	return err
}

// ShowClouds displays the word cloud of each sentiment under a heading.
func ShowClouds(clouds []Cloud, err error) error {
	if err != nil {
		gonbui.DisplayHtml(`<p style="color:#b00">` + html.EscapeString(err.Error()) + `</p>`)
		return err
	}
	for _, c := range clouds {
		gonbui.DisplayHtml(fmt.Sprintf("<b>%s</b>", html.EscapeString(c.Title)))
		gonbui.DisplayPng(c.PNG)
	}
	return nil
}
