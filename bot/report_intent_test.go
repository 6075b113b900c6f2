package bot

import "testing"

// TestOnlyWantsToReport: a message that only says the resident wants to
// report something is told to describe it; one that says what is not.
func TestOnlyWantsToReport(t *testing.T) {
	for text, want := range map[string]bool{
		"有个事想反映一下":     true,
		"我要投诉":         true,
		"你好，我想反映个问题":   true,
		"想反映个情况":       true,
		"报修":           true,
		"反映一下楼道灯坏了":    false,
		"我要投诉楼下烧烤店油烟大": false,
		"有个事":          false, // no wish to report said: small talk, answered as such
		"举报违章搭建":       false,
	} {
		if got := onlyWantsToReport(normWord(text)); got != want {
			t.Errorf("onlyWantsToReport(%q) = %v, want %v", text, got, want)
		}
	}
}
