package nbui

import (
	"strings"
	"testing"
)

func TestTableHTMLEscapesAndHeads(t *testing.T) {
	got := TableHTML("Versions", [][]string{{"name", "value"}, {"<script>", "a&b"}})
	for _, want := range []string{"<caption", "Versions", "<th", ">name</th>", "&lt;script&gt;", "a&amp;b"} {
		if !strings.Contains(got, want) {
			t.Errorf("TableHTML output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<script>") {
		t.Errorf("cell text was not escaped:\n%s", got)
	}
}
