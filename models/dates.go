package models

import "time"

// Dates from outside (the admin API, Open311, the chat) are kept within a
// range: a date far off corrupts every list and job that formats it (year
// 10000 has no RFC 3339 form), and one in the past is a mistake.

// CheckDeadline checks a deadline set from outside: from now to a year ahead.
func CheckDeadline(due, now time.Time) error { return checkAhead("due_at", due, now) }

// CheckMeetingStart checks a meeting's start set from outside: from now to
// a year ahead.
func CheckMeetingStart(at, now time.Time) error { return checkAhead("starts_at", at, now) }

func checkAhead(field string, t, now time.Time) error {
	switch {
	case t.Before(now):
		return Errorf(EINVALID, "%s is in the past: want a time from now to a year ahead", field)
	case t.After(now.AddDate(1, 0, 0)):
		return Errorf(EINVALID, "%s is more than a year ahead: want a time from now to a year ahead", field)
	}
	return nil
}
