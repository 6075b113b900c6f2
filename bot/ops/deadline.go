package ops

import "time"

// Deadliner computes when an appeal is due; models.Calendar (working days
// with China's public holidays and adjusted weekends) is the one in use.
type Deadliner interface {
	// Due returns the end (23:59:59 local time) of the day an appeal
	// received at from is due: days calendar days later, or days working
	// days later when workingDays is set. days ≤ 0 means the day of from.
	Due(from time.Time, days int, workingDays bool) time.Time
}
