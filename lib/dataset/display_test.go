package dataset

import (
	"strings"
	"testing"
)

func TestBannerSaysSyntheticOnlyForTheSample(t *testing.T) {
	if b := (Source{Kind: Sample}).BannerHTML(); !strings.Contains(b, "SYNTHETIC") || !strings.Contains(b, "NOT Amazon data") {
		t.Errorf("sample banner %q", b)
	}
	if b := (Source{Kind: File, Path: "<x>.csv"}).BannerHTML(); strings.Contains(b, "SYNTHETIC") || strings.Contains(b, "<x>") {
		t.Errorf("file banner %q: must not say synthetic, must escape the path", b)
	}
}

func TestTables(t *testing.T) {
	var s Summary
	s.Add(0, Review{0, "abc"})
	s.Add(1, Review{1, ""})
	rows := SummaryRows([]string{"train"}, []Summary{s})
	if len(rows) != 2 || strings.Join(rows[1], ",") != "train,2,1,1,1,0,0,1.5,3" {
		t.Errorf("summary rows %v", rows)
	}
	head := HeadRows([]Review{{1, "héllo world"}, {0, "x"}, {0, "y"}}, 2, 5)
	if len(head) != 3 || head[1][3] != "héllo…" || head[1][2] != "positive" {
		t.Errorf("head rows %v", head)
	}
}
