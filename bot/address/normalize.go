package address

import (
	"strconv"
	"strings"
	"unicode"
)

// normalize folds the ways people type the same address into one form:
// full-width ASCII to half-width, letters to upper case, dashes to '-',
// and Chinese numerals to arabic digits ("十二" → "12", "五〇一" → "501").
func normalize(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	runes := []rune(text)
	for i := 0; i < len(runes); {
		r := runes[i]
		if isCNNumeral(r) {
			j := i
			for j < len(runes) && isCNNumeral(runes[j]) {
				j++
			}
			if d, ok := cnNumber(runes[i:j]); ok {
				b.WriteString(d)
			} else {
				// Not a number we understand ("十十"): keep it as text, so it
				// cannot be mistaken for one.
				b.WriteString(string(runes[i:j]))
			}
			i = j
			continue
		}
		b.WriteRune(foldRune(r))
		i++
	}
	return b.String()
}

// foldRune maps full-width forms and dash look-alikes to ASCII and upper-cases
// letters.
func foldRune(r rune) rune {
	if r >= '！' && r <= '～' { // U+FF01..U+FF5E mirror U+0021..U+007E
		r = r - '！' + '!'
	}
	switch {
	case r == '—' || r == '–' || r == '‐' || r == '‑' || r == '−' || r == '~':
		return '-'
	case unicode.IsSpace(r): // includes the ideographic space U+3000
		return ' '
	case r >= 'a' && r <= 'z':
		return r - 'a' + 'A'
	}
	return r
}

var cnDigits = map[rune]int{
	'零': 0, '〇': 0, '一': 1, '幺': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

var cnUnits = map[rune]int{'十': 10, '百': 100, '千': 1000}

func isCNNumeral(r rune) bool {
	_, d := cnDigits[r]
	_, u := cnUnits[r]
	return d || u
}

// cnNumber converts a run of Chinese numerals. Without unit characters the
// digits are read one by one, as in room numbers ("五〇一" → "501",
// "幺零二" → "102"); with them, positionally ("十二" → "12", "九十九" → "99",
// "一百零一" → "101").
func cnNumber(rs []rune) (string, bool) {
	positional := false
	for _, r := range rs {
		if _, ok := cnUnits[r]; ok {
			positional = true
			break
		}
	}
	if !positional {
		var b strings.Builder
		for _, r := range rs {
			b.WriteByte(byte('0' + cnDigits[r]))
		}
		return b.String(), true
	}
	total, digit, lastUnit := 0, -1, 10000
	for _, r := range rs {
		if d, ok := cnDigits[r]; ok {
			if digit > 0 {
				return "", false // two digits in a row: "二三十"
			}
			digit = d
			continue
		}
		u := cnUnits[r]
		if u >= lastUnit {
			return "", false // "十十", "十百": not a number
		}
		if digit < 0 {
			if total != 0 {
				return "", false // "一百十" is written "一百一十"
			}
			digit = 1 // a bare leading "十" means ten
		}
		total += digit * u
		digit, lastUnit = -1, u
	}
	if digit > 0 {
		total += digit
	}
	return strconv.Itoa(total), true
}
