package messages

import (
	"time"
	"unicode/utf8"
)

// Clip shortens s to at most n runes, marking a cut with "…". It is the one
// clipping rule for what is shown or pushed; input that must not be cut is
// refused where it is read instead.
func Clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	if n == 1 {
		return string(r[:1])
	}
	return string(r[:n-1]) + "…"
}

// WithWeekday formats t in loc with layout and appends its weekday:
// "12月5日（周五）". It is the one way dates are said to people.
func WithWeekday(t time.Time, loc *time.Location, layout string, weekdays [7]string) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return t.Format(layout) + "（" + weekdays[t.Weekday()] + "）"
}

// Due says a deadline as residents and staff read it, or NoDeadline.
func (m *Messages) Due(t *time.Time, loc *time.Location) string {
	if t == nil {
		return m.NoDeadline
	}
	return WithWeekday(*t, loc, m.DueDateF, m.Weekdays)
}
