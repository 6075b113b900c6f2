// Package address parses the home addresses residents type (or dictate) into
// the chat: building (栋/幢/号楼/号/座), unit (单元) and room.
//
// Residents write addresses in many shapes: "3栋2单元501", "三号楼二单元 501",
// "3-2-501", "3号楼2单元5楼501", full-width digits, a letter for the building
// ("B座1201"), or the address inside a sentence ("我住3栋2单元501"). Parse
// normalises all of them to plain arabic digits so that the same flat always
// gives the same Address, whichever way it was written.
package address

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Address is a normalised home address inside one compound.
// Each part holds arabic digits (or an upper-case letter for a lettered
// building, "B"), without leading zeros or suffix words: "3", "2", "501".
// Empty parts are unknown.
type Address struct {
	Building, Unit, Room string
}

const (
	// maxRunes bounds the input: an address message is short, and anything
	// longer is a story from which picking a number would be a guess.
	maxRunes = 100
	// maxPartDigits bounds building and unit numbers; no compound has 10000
	// buildings, so five digits are a phone number or a date, not a building.
	maxPartDigits = 4
	// maxRoomDigits bounds rooms ("1102", some towers use "10201").
	maxRoomDigits = 6
)

var (
	// strongBuilding matches a building number with an unambiguous suffix.
	// The leading group stands in for a look-behind (RE2 has none): the number
	// must not be the tail of a longer number or word, so "12345栋" is seen
	// whole (and rejected) instead of as "2345栋".
	strongBuilding = regexp.MustCompile(`(?:^|[^0-9A-Z])([A-Z]?[0-9]+|[A-Z])[ \t]*(号楼|栋|幢|座|#楼|#)`)
	// weakBuilding matches "3号": 号 also ends room numbers and bus or metro
	// lines, so it is only tried when no strong suffix is present.
	weakBuilding = regexp.MustCompile(`(?:^|[^0-9A-Z])([A-Z]?[0-9]+|[A-Z])[ \t]*号`)
	// dash3 and dash2 match "3-2-501" and "3-501". Rooms need at least three
	// digits and buildings at most three, so dates ("2024-05-01") and plain
	// ranges ("3-5") are not taken for addresses.
	dash3 = regexp.MustCompile(`(?:^|[^0-9A-Z-])([A-Z]?[0-9]{1,3}|[A-Z])-([0-9]+)-([0-9]{3,})(?:$|[^0-9-])`)
	dash2 = regexp.MustCompile(`(?:^|[^0-9A-Z-])([A-Z]?[0-9]{1,3}|[A-Z])-([0-9]{3,})(?:$|[^0-9-])`)

	// After the building: separators, "2单元" or "2-", "5楼"/"5层", room.
	sep       = regexp.MustCompile(`^[ \t,，、:：-]*`)
	unitRe    = regexp.MustCompile(`^([0-9]+)[ \t]*单元`)
	unitDash  = regexp.MustCompile(`^([0-9]+)-([0-9])`)
	floorRe   = regexp.MustCompile(`^[0-9]+[ \t]*(?:楼|层)`)
	roomRe    = regexp.MustCompile(`^([0-9]+)`)
	notRoomRe = regexp.MustCompile(`^[ \t]*(?:栋|幢|座|#|单元|号楼)`)
)

// Parse finds a home address in free text. It reports false when no building
// can be found or the text is nonsense: empty, longer than 100 runes,
// building 0, a building or unit of more than four digits, a room of more than
// six digits.
func Parse(text string) (Address, bool) {
	if text == "" || utf8.RuneCountInString(text) > maxRunes || !utf8.ValidString(text) {
		return Address{}, false
	}
	s := normalize(text)

	if m := firstMatch(s, strongBuilding, weakBuilding); m != nil {
		a := Address{Building: s[m[2]:m[3]]}
		if !parseRest(s[m[1]:], &a) {
			return Address{}, false
		}
		return a.clean()
	}
	if m := dash3.FindStringSubmatch(s); m != nil {
		return Address{Building: m[1], Unit: m[2], Room: m[3]}.clean()
	}
	if m := dash2.FindStringSubmatch(s); m != nil {
		return Address{Building: m[1], Room: m[2]}.clean()
	}
	return Address{}, false
}

// firstMatch returns the submatch indexes of the first regexp that matches.
func firstMatch(s string, res ...*regexp.Regexp) []int {
	for _, re := range res {
		if m := re.FindStringSubmatchIndex(s); m != nil {
			return m
		}
	}
	return nil
}

// parseRest reads the unit, an optional floor and the room that follow the
// building. It reports false when a number is there but absurd (too long),
// so that the whole text is rejected rather than half-read.
func parseRest(rest string, a *Address) bool {
	skip := func() { rest = rest[len(sep.FindString(rest)):] }
	skip()
	if m := unitRe.FindStringSubmatchIndex(rest); m != nil {
		a.Unit = rest[m[2]:m[3]]
		rest = rest[m[1]:]
	} else if m := unitDash.FindStringSubmatchIndex(rest); m != nil {
		// "3栋2-501": unit and room joined by a dash.
		a.Unit = rest[m[2]:m[3]]
		rest = rest[m[3]+1:]
	}
	skip()
	if m := floorRe.FindStringIndex(rest); m != nil {
		// The floor is implied by the room number ("5楼501"): drop it.
		rest = rest[m[1]:]
		skip()
	}
	if m := roomRe.FindStringSubmatchIndex(rest); m != nil {
		if notRoomRe.MatchString(rest[m[1]:]) {
			return true // another building or unit, not a room: ignore it
		}
		if m[3]-m[2] > maxRoomDigits {
			return false
		}
		a.Room = rest[m[2]:m[3]]
	}
	return true
}

// clean validates lengths and strips leading zeros ("03" and "3" are the same
// building).
func (a Address) clean() (Address, bool) {
	b, ok := cleanNumber(a.Building, maxPartDigits)
	if !ok || b == "" {
		return Address{}, false
	}
	u, ok := cleanNumber(a.Unit, maxPartDigits)
	if !ok {
		return Address{}, false
	}
	r, ok := cleanNumber(a.Room, maxRoomDigits)
	if !ok {
		return Address{}, false
	}
	return Address{Building: b, Unit: u, Room: r}, true
}

// cleanNumber checks one part: an optional leading letter, then at most max
// digits, not all zero. The empty string is a valid, absent part.
func cleanNumber(p string, max int) (string, bool) {
	if p == "" {
		return "", true
	}
	letter := ""
	if p[0] >= 'A' && p[0] <= 'Z' {
		letter, p = p[:1], p[1:]
		if p == "" {
			return letter, true
		}
	}
	if len(p) > max {
		return "", false
	}
	p = strings.TrimLeft(p, "0")
	if p == "" {
		return "", false // building 0, unit 0, room 000: nonsense
	}
	return letter + p, true
}

// String renders the address for residents: "3栋2单元501室", "B座1201室".
// Empty parts are left out. Parse(a.String()) gives a back for any a that
// Parse returned.
func (a Address) String() string {
	var b strings.Builder
	if a.Building != "" {
		b.WriteString(a.Building)
		if len(a.Building) == 1 && a.Building[0] >= 'A' && a.Building[0] <= 'Z' {
			b.WriteString("座") // "B座" is how lettered towers are named
		} else {
			b.WriteString("栋")
		}
	}
	if a.Unit != "" {
		b.WriteString(a.Unit)
		b.WriteString("单元")
	}
	if a.Room != "" {
		b.WriteString(a.Room)
		b.WriteString("室")
	}
	return b.String()
}
