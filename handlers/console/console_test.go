package console

import "testing"

// TestConsolePath: only our own console pages are returned to after a
// login; never another site, the login page, or a header-splitting path.
func TestConsolePath(t *testing.T) {
	for p, want := range map[string]bool{
		"/console/learned":                  true,
		"/console/learned?community=sample": true,
		"/console/appeals/SQ2612020001":     true,
		"/console/":                         true,
		"/console/login":                    false,
		"/console/login?t=abc":              false,
		"//evil.example/console/":           false,
		"/console//evil.example":            false,
		"/console/\\evil.example":           false,
		"/console/x\r\nSet-Cookie: a=b":     false,
		"https://evil.example/console/":     false,
		"/api/appeals":                      false,
		"":                                  false,
	} {
		if got := consolePath(p); got != want {
			t.Errorf("consolePath(%q) = %v, want %v", p, got, want)
		}
	}
}
