package models

import "testing"

// TestTrimText: invisible characters at either end go, as white space does;
// what is visible, inside as well, stays.
func TestTrimText(t *testing.T) {
	for in, want := range map[string]string{
		"\u200b":                 "",
		" \u200b\u200d\ufeff\t ": "",
		"\u3164\u2800":           "",
		"\u00ad":                 "", // soft hyphen: Cf
		"\u200b街道城管科\u200b":      "街道城管科",
		"  不归本网格  ":              "不归本网格",
		"👨\u200d👩\u200d👧":        "👨\u200d👩\u200d👧", // a joined emoji keeps its joiners
		"a\u200bb":               "a\u200bb",
	} {
		if got := TrimText(in); got != want {
			t.Errorf("TrimText(%q) = %q, want %q", in, got, want)
		}
	}
}
