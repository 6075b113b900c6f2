package triage

import (
	"slices"
	"testing"
)

func TestSegmenterCutsTheMostProbableWords(t *testing.T) {
	const dict = "小区 200\n东门 80\n小区东门 10\n路灯 100\n坏了 50\n灯 5\n电梯 90\n电梯 5000\nwifi 30\n口 1\n"
	var s segmenter
	s.load(dict)
	for _, tt := range []struct {
		text string
		want []string
	}{
		// 小区+东门 is likelier than the rare 小区东门; unknown 的 stands alone.
		{"小区东门的路灯坏了", []string{"小区", "东门", "的", "路灯", "坏了"}},
		{"电梯坏了", []string{"电梯", "坏了"}},
		// Lower-cased; single ASCII letters and digits run together.
		{"WiFi没信号3号楼", []string{"wifi", "没", "信", "号", "3", "号", "楼"}},
		{"ab12电梯", []string{"ab12", "电梯"}},
		// 口 is under the minimum frequency: not a word.
		{"门口", []string{"门", "口"}},
		{"", nil},
	} {
		if got := s.cut(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("cut(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
	if f := s.freq["电梯"]; f != 90 {
		t.Errorf("a repeated word keeps its first frequency: %v", f)
	}
	s.load("小区 200\n东门 80\n小区东门 1000000\n")
	if got := s.cut("小区东门"); !slices.Equal(got, []string{"小区东门"}) {
		t.Errorf("a frequent long word wins: %q", got)
	}
}
