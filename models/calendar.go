package models

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

//go:embed holidays/cn-2026-2027.txt
var defaultHolidays string

// Calendar knows which days are working days: Monday to Friday, minus public
// holidays, plus the weekends worked in exchange (调休).
type Calendar struct {
	loc  *time.Location
	off  map[string]bool // "2026-10-01"
	work map[string]bool
}

// DefaultCalendar is the built-in Chinese calendar for 2026 and 2027 (2027
// provisional) in loc (UTC when nil).
func DefaultCalendar(loc *time.Location) *Calendar {
	c, err := ParseCalendar(strings.NewReader(defaultHolidays), loc)
	if err != nil {
		panic("models: built-in holiday calendar: " + err.Error()) // embedded data, checked by tests
	}
	return c
}

// LoadCalendar reads a holiday file (the format of the built-in one); an
// empty path gives the built-in calendar.
func LoadCalendar(path string, loc *time.Location) (*Calendar, error) {
	if path == "" {
		return DefaultCalendar(loc), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("holiday calendar: %w", err)
	}
	defer f.Close()
	c, err := ParseCalendar(f, loc)
	if err != nil {
		return nil, fmt.Errorf("holiday calendar %s: %w", path, err)
	}
	return c, nil
}

// ParseCalendar reads lines "YYYY-MM-DD off|work [name]"; '#' starts a comment.
func ParseCalendar(r io.Reader, loc *time.Location) (*Calendar, error) {
	if loc == nil {
		loc = time.UTC
	}
	c := &Calendar{loc: loc, off: map[string]bool{}, work: map[string]bool{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d: want \"YYYY-MM-DD off|work [name]\"", n)
		}
		d, err := time.Parse("2006-01-02", f[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: %q is not a date (want YYYY-MM-DD)", n, f[0])
		}
		key := d.Format("2006-01-02")
		switch f[1] {
		case "off":
			c.off[key] = true
		case "work":
			c.work[key] = true
		default:
			return nil, fmt.Errorf("line %d: %q: want off or work", n, f[1])
		}
		if c.off[key] && c.work[key] {
			return nil, fmt.Errorf("line %d: %s is both off and a working day", n, key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Location is the zone the calendar counts days in.
func (c *Calendar) Location() *time.Location { return c.loc }

// IsWorkingDay reports whether t's date (in the calendar's zone) is worked.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(c.loc)
	key := t.Format("2006-01-02")
	if c.work[key] {
		return true
	}
	if c.off[key] {
		return false
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the time of day of from on the n-th working day
// after from's date: Friday 10:00 plus one is Monday 10:00, and a holiday
// week is skipped. n <= 0 returns from.
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	d := from.In(c.loc)
	for added := 0; added < n; {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkingDay(d) {
			added++
		}
	}
	return d
}

// Due is the end (23:59:59 local time) of the day an appeal received at
// from is due: days calendar days later, or days working days later when
// working is set; days ≤ 0 means the day of from. It is the conversation
// engine's Deadliner.
func (c *Calendar) Due(from time.Time, days int, working bool) time.Time {
	d := from.In(c.loc)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, c.loc)
	if working {
		day = c.AddWorkingDays(day, days)
	} else {
		day = day.AddDate(0, 0, max(days, 0))
	}
	return day.Add(24*time.Hour - time.Second)
}

// TimeLimit is a handling level's default time limit: community 3 days,
// street 7 working days, district 30 days (domain.md); ok is false for
// levels without one (self).
func TimeLimit(l Level) (days int, working bool, ok bool) {
	switch l {
	case LevelCommunity:
		return 3, false, true
	case LevelStreet:
		return 7, true, true
	case LevelDistrict:
		return 30, false, true
	}
	return 0, false, false
}

// DeadlineFor is the deadline of an appeal that reaches level l at from:
// the end of the level's last day (Due), never a weekend for a limit in
// working days.
func (c *Calendar) DeadlineFor(l Level, from time.Time) (time.Time, bool) {
	days, working, ok := TimeLimit(l)
	if !ok {
		return time.Time{}, false
	}
	return c.Due(from, days, working), true
}
