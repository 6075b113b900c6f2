package bot

import "time"

// Deadliner computes when an appeal is due. The holiday calendar
// (models/calendar.go) replaces WeekdayDeadliner where it is configured.
type Deadliner interface {
	// Due returns the end (23:59:59 local time) of the day an appeal
	// received at from is due: days calendar days later, or days working
	// days later when workingDays is set. days ≤ 0 means the day of from.
	Due(from time.Time, days int, workingDays bool) time.Time
}

// WeekdayDeadliner counts Monday to Friday as working days and knows no
// public holidays.
type WeekdayDeadliner struct {
	Location *time.Location
}

// Due implements Deadliner.
func (w WeekdayDeadliner) Due(from time.Time, days int, workingDays bool) time.Time {
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	d := from.In(loc)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	if !workingDays {
		day = day.AddDate(0, 0, max(days, 0))
	} else {
		for n := 0; n < days; {
			day = day.AddDate(0, 0, 1)
			if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
				n++
			}
		}
	}
	return day.Add(24*time.Hour - time.Second)
}
