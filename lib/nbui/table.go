package nbui

import (
	"html"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// TableHTML renders rows as a compact HTML table; the first row is the header.
// Cells are escaped, so user text is shown as text.
func TableHTML(caption string, rows [][]string) string {
	var b strings.Builder
	b.WriteString(`<table style="border-collapse:collapse;font-size:0.9em">`)
	if caption != "" {
		b.WriteString(`<caption style="caption-side:top;font-weight:bold;text-align:left">` + html.EscapeString(caption) + `</caption>`)
	}
	for i, row := range rows {
		b.WriteString("<tr>")
		tag := "td"
		if i == 0 {
			tag = "th"
		}
		for _, cell := range row {
			b.WriteString("<" + tag + ` style="border:1px solid #ccc;padding:2px 8px;text-align:left">`)
			b.WriteString(html.EscapeString(cell))
			b.WriteString("</" + tag + ">")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// DisplayTable shows rows as an HTML table in the notebook (no-op elsewhere).
func DisplayTable(caption string, rows [][]string) {
	gonbui.DisplayHtml(TableHTML(caption, rows))
}
