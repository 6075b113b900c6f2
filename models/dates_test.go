package models_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// TestDateRanges: a date from outside lies from now to a year ahead, or it
// is refused with a message naming the field; nothing else is accepted.
func TestDateRanges(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	far, _ := time.Parse(time.RFC3339, "9999-12-31T23:59:59-12:00") // year 10000 in UTC
	for _, c := range []struct {
		name  string
		check func(t, now time.Time) error
		field string
	}{{"deadline", models.CheckDeadline, "due_at"}, {"meeting start", models.CheckMeetingStart, "starts_at"}} {
		t.Run(c.name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				at   time.Time
				ok   bool
			}{
				{"now", now, true},
				{"in an hour", now.Add(time.Hour), true},
				{"in a year", now.AddDate(1, 0, 0), true},
				{"a year and a minute", now.AddDate(1, 0, 0).Add(time.Minute), false},
				{"a minute ago", now.Add(-time.Minute), false},
				{"year 10000", far, false},
				{"year 1", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), false},
				{"zero", time.Time{}, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					err := c.check(tc.at, now)
					if (err == nil) != tc.ok {
						t.Fatalf("= %v, want ok=%v", err, tc.ok)
					}
					if err != nil && (models.ErrorCode(err) != models.EINVALID || !strings.Contains(models.ErrorMessage(err), c.field)) {
						t.Errorf("= %v: want EINVALID naming %s", err, c.field)
					}
				})
			}
		})
	}
}
