package models

import (
	"strings"
	"unicode"
)

// TrimText trims what nobody can see from both ends of a typed text: white
// space and invisible characters (zero-width spaces and joiners, the
// byte-order mark, control characters, fillers drawn as nothing). A required
// reason or name made of them alone is then empty, and a name does not
// differ from another by an invisible tail (found by an attacker: a reason
// of one zero-width space passed as given).
func TrimText(s string) string { return strings.TrimFunc(s, invisible) }

func invisible(r rune) bool {
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800': // Hangul fillers, the blank Braille pattern
		return true
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Cc, r)
}

// CSVCell keeps a text from outside (a resident's words, a staff name typed
// into an invite, a department or grid a committee named) from being read
// as a formula by a spreadsheet that opens an export.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
