package bot

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/gongzhi/gongzhi/models"
)

// normWord folds full-width characters, drops spaces and trailing
// punctuation, and upper-cases Latin letters, so that "  取消。" and "取消"
// or "sq2611260001" and "SQ2611260001" compare equal.
func normWord(s string) string {
	var b strings.Builder
	for _, r := range width.Fold.String(s) {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return strings.TrimRightFunc(b.String(), func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
}

// startsWithAny reports whether w starts with one of words, after an
// opening 对了 or 哦.
func startsWithAny(w string, words []string) bool {
	for _, lead := range []string{"对了", "哦对了", "哦", ""} {
		rest, ok := strings.CutPrefix(w, lead)
		if !ok {
			continue
		}
		rest = strings.TrimLeftFunc(rest, unicode.IsPunct)
		for _, x := range words {
			if strings.HasPrefix(rest, x) {
				return true
			}
		}
	}
	return false
}

// containsAny reports whether w holds one of the words.
func containsAny(w string, words []string) bool {
	for _, x := range words {
		if strings.Contains(w, x) {
			return true
		}
	}
	return false
}

// cutWord reports whether w starts with one of the words, and what follows.
func cutWord(w string, words ...string) (string, bool) {
	for _, word := range words {
		if rest, ok := strings.CutPrefix(w, word); ok {
			return strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsPunct(r) || r == ':' }), true
		}
	}
	return "", false
}

// maxAddressIntentRunes: a longer message says more than "register my
// address" and is left to the conversation.
const maxAddressIntentRunes = 20

// addressIntent reports whether w (normalised) only asks to register or
// change the home address in plain words: short, and one of the catalog's
// phrases once its filler words and punctuation are taken out.
func addressIntent(w string) bool {
	if utf8.RuneCountInString(w) > maxAddressIntentRunes {
		return false
	}
	w = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, w)
	fillers := slices.Clone(chat.AddressFiller)
	slices.SortStableFunc(fillers, func(a, b string) int { return len(b) - len(a) })
	for _, f := range fillers {
		w = strings.ReplaceAll(w, f, "")
	}
	return slices.Contains(chat.AddressIntent, w)
}

// bareRef reports whether w is nothing but a reference code.
func bareRef(w string) (string, bool) {
	if models.ValidRef(w) {
		return w, true
	}
	return "", false
}

// findRef finds the first reference code in w (already normalised).
func findRef(w string) (string, bool) {
	rs := []rune(w)
	for i := 0; i+1 < len(rs); i++ {
		if !isUpper(rs[i]) || !isUpper(rs[i+1]) || (i > 0 && isUpper(rs[i-1])) {
			continue
		}
		j := i + 2
		for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		if ref := string(rs[i:j]); models.ValidRef(ref) && (j == len(rs) || !isUpper(rs[j])) {
			return ref, true
		}
	}
	return "", false
}

func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }

// hasWords reports whether text says anything: letters or digits, once
// WeChat's bracketed emoticon codes ([微笑], /::)) are taken out.
func hasWords(text string) bool {
	for {
		i := strings.IndexRune(text, '[')
		if i < 0 {
			break
		}
		j := strings.IndexRune(text[i:], ']')
		if j < 0 || j > 24 { // [..] codes are short; a longer bracket is prose
			break
		}
		text = text[:i] + text[i+j+1:]
	}
	if strings.HasPrefix(text, "/:") && !strings.ContainsFunc(text, unicode.IsLetter) {
		return false
	}
	return strings.ContainsFunc(text, func(r rune) bool {
		return unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r)
	})
}

// helpMark reports whether text is nothing but question marks ("？",
// "??") and a question mark is one of the Help words: it asks for help, it
// is no emoticon.
func helpMark(text string) bool {
	w := strings.Join(strings.Fields(width.Fold.String(text)), "")
	if w == "" || strings.Trim(w, "?") != "" {
		return false
	}
	return slices.Contains(chat.Help, "?")
}

// isUnsupportedPlaceholder spots the text WeChat substitutes for stickers and
// other messages it does not forward.
func isUnsupportedPlaceholder(text string) bool {
	for _, p := range chat.Unsupported {
		if strings.Contains(text, p) {
			return true
		}
	}
	return false
}

// parseOption reads an option number 1..n: "1", "１", "一", "1.", "选1",
// "第2个", "2号". It returns 0 when the text is no option number.
func parseOption(text string, n int) int {
	w := normWord(text)
	for _, pre := range chat.OptionPrefixes {
		w = strings.TrimPrefix(w, pre)
	}
	for _, suf := range chat.OptionSuffixes {
		w = strings.TrimSuffix(w, suf)
	}
	w = strings.TrimRight(w, ".、)")
	v := 0
	if d, ok := chat.Numerals[w]; ok {
		v = d
	} else if len(w) == 1 && w[0] >= '1' && w[0] <= '9' {
		v = int(w[0] - '0')
	}
	if v < 1 || v > n {
		return 0
	}
	return v
}

// yesNo reads 1/2 or a yes/no word: 1 yes, 2 no, 0 neither.
func yesNo(text string) int {
	if v := parseOption(text, 2); v != 0 {
		return v
	}
	w := normWord(text)
	for _, cand := range []string{w, soften(w)} {
		if slices.Contains(chat.Yes, cand) {
			return 1
		}
		if slices.Contains(chat.No, cand) {
			return 2
		}
	}
	return 0
}

// soften takes the Softeners off both ends of w: "还是提交吧" is 提交 (found
// by a first user).
func soften(w string) string {
	for changed := true; changed && w != ""; {
		changed = false
		for _, f := range chat.Softeners {
			if rest, ok := strings.CutPrefix(w, f); ok && rest != "" {
				w, changed = rest, true
			}
			if rest, ok := strings.CutSuffix(w, f); ok && rest != "" {
				w, changed = rest, true
			}
		}
	}
	return w
}

// pickKind reads the answer to a triage question: an option number, the
// option's own label, or a word that names exactly one of the kinds offered.
func pickKind(text string, choices []models.Kind, options []string) (models.Kind, bool) {
	if v := parseOption(text, len(choices)); v != 0 {
		return choices[v-1], true
	}
	w := normWord(text)
	for i, o := range options {
		if i < len(choices) && w == normWord(o) {
			return choices[i], true
		}
	}
	var found models.Kind
	for _, k := range choices {
		for _, kw := range chat.KindHints[string(k)] {
			if strings.Contains(w, kw) {
				if found != "" && found != k {
					return "", false // words of two kinds: ask again
				}
				found = k
			}
		}
	}
	return found, found != ""
}

// emergency sets the step's alert when the text speaks of danger to someone
// now (a fire, gas, someone trapped in a lift, hurt or threatened): what to
// do at once comes first, whatever the rest of the step does, because an
// appeal is handled in hours and these need minutes. A staff command's
// text (进展 … 电梯困人已解救) is a report, not a call for help.
func (s *step) emergency(text string) {
	w := normWord(text)
	if s.in.Staff != nil && staffCommandText(w) {
		return // a resident's 上报一下，电梯困人了 still gets the advice (found by an attacker)
	}
	var lines []string
	for _, k := range chat.EmergencyKinds(w, s.e.Msg.EmergencyOrder) {
		lines = append(lines, s.e.Msg.Emergency[k])
	}
	s.alert = strings.Join(lines, "\n")
}

// staffCommandText reports whether the (normalised) text starts with a word
// of the staff's or the committee's commands.
func staffCommandText(w string) bool {
	if strings.HasPrefix(w, chat.Bind) || strings.HasPrefix(w, chat.MeetingCancel) {
		return true
	}
	if _, _, ok := cutWorkerWord(w); ok {
		return true
	}
	_, ok := cutWord(w, chat.MeetingCall...)
	return ok
}

// rawRest is what follows the first of words at the start of text, as the
// person typed it (normWord folds width, capitals and spaces: a reason kept
// from it lost its full-width commas; found by a first user). "" when text
// does not start with one of them.
func rawRest(text string, words []string) string {
	raw := []rune(strings.TrimSpace(text))
	folded := []rune(strings.ToUpper(width.Fold.String(string(raw))))
	if len(folded) != len(raw) {
		return "" // folding keeps one rune per rune; anything else is not cut
	}
	for _, w := range words {
		if strings.HasPrefix(string(folded), w) {
			return trimLead(string(raw[utf8.RuneCountInString(w):]))
		}
	}
	return ""
}

// cutRef takes the reference code ref off the start of s (any case), then
// the spaces and punctuation after it.
func cutRef(s, ref string) string {
	if ref != "" && len(s) >= len(ref) && strings.EqualFold(s[:len(ref)], ref) {
		s = s[len(ref):]
	}
	return trimLead(s)
}

func trimLead(s string) string {
	return strings.TrimSpace(strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || r == ':' }))
}
