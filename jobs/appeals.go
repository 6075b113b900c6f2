package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// batchSize bounds each scan and each transaction of a job.
const batchSize = 200

// maxBatches stops a run that keeps finding work (a bug, or a flood), so that
// the next scheduled run picks up the rest.
const maxBatches = 1000

// DeadlineReminder reminds an appeal's handler before its deadline, once per
// appeal and lead time (cfg.DeadlineReminders), to the assignee when that is
// a person, else to the community's committee.
type DeadlineReminder struct {
	Store      ReminderStore
	Recipients Recipients
	Leads      []time.Duration
	Msg        messages.PushMessages
	Location   *time.Location
	Now        func() time.Time
	Notify     func() // wakes the dispatcher; may be nil
	Log        *slog.Logger
}

// Run implements Job.
func (j *DeadlineReminder) Run(ctx context.Context) error { _, err := j.RunCounts(ctx); return err }

// RunCounts implements CountingJob: queued (reminders with pushes), pushes,
// nobody (reminders with no one to tell).
func (j *DeadlineReminder) RunCounts(ctx context.Context) (Counts, error) {
	c := Counts{"queued": 0, "pushes": 0, "nobody": 0}
	now := j.Now()
	leads := append([]time.Duration(nil), j.Leads...)
	sort.Slice(leads, func(a, b int) bool { return leads[a] < leads[b] })
	for i, lead := range leads {
		if lead <= 0 {
			continue
		}
		var shorter time.Duration // the window of a shorter lead, handled just before
		if i > 0 {
			shorter = leads[i-1]
		}
		for range maxBatches {
			due, err := j.Store.DueForReminder(ctx, now, now.Add(lead), lead, batchSize)
			if err != nil {
				return c, err
			}
			if len(due) == 0 {
				break
			}
			rs := make([]models.Reminder, 0, len(due))
			for _, a := range due {
				// A time limit shorter than the lead (a 24-hour urgent task,
				// a 1-day matter) was just pushed with its deadline: remind
				// at half its time, not at once (a second user's worker got
				// a reminder minutes after each task, spending the pushes).
				if limit := a.DueAt.Sub(a.CreatedAt); limit > 0 && limit <= lead && now.Before(a.DueAt.Add(-limit/2)) {
					continue // picked up again by a later run
				}
				r := models.Reminder{AppealID: a.ID, Lead: lead}
				// Inside a shorter lead's window the shorter reminder was just
				// queued: record this one as done without a second push.
				if shorter > 0 && !a.DueAt.After(now.Add(shorter)) {
					rs = append(rs, r)
					continue
				}
				to, err := j.Recipients.Assignee(ctx, a)
				if err != nil {
					return c, fmt.Errorf("deadline reminder: assignee: %w", err)
				}
				if len(to) == 0 {
					if to, err = j.Recipients.Committee(ctx, a.CommunityID); err != nil {
						return c, fmt.Errorf("deadline reminder: committee: %w", err)
					}
				}
				if len(to) == 0 {
					c["nobody"]++
				}
				text := fmt.Sprintf(j.Msg.DeadlineReminder, a.Ref, a.Topic, j.Msg.Due(*a.DueAt, j.Location))
				data := models.AppealCard(a.Topic, a.Ref, j.Msg.ReminderPhrase, fmt.Sprintf(j.Msg.DueNoteF, j.Msg.Due(*a.DueAt, j.Location)),
					a.DueAt.In(j.Location).Format(j.Msg.TimeLayout))
				for _, o := range unique(to) {
					r.Outbox = append(r.Outbox, &models.OutboxMessage{CommunityID: a.CommunityID, OpenID: o,
						Type: models.PushDeadlineReminder, Text: text, Data: data,
						Key: fmt.Sprintf("remind:%d:%d:%s", a.ID, int64(lead/time.Second), o)})
				}
				rs = append(rs, r)
			}
			if len(rs) == 0 {
				break // only appeals not due for their reminder yet
			}
			n, err := j.Store.CommitReminders(ctx, rs)
			if err != nil {
				return c, err
			}
			c["queued"] += n
			for _, r := range rs {
				c["pushes"] += len(r.Outbox)
			}
			if len(due) < batchSize {
				break
			}
		}
	}
	if c["pushes"] > 0 && j.Notify != nil {
		j.Notify()
	}
	return c, nil
}

// OverdueEscalation moves an appeal that missed its deadline one level up
// (community → street → district), with an event by "system", a new deadline
// from the level's time limit and the calendar, and tells the resident and
// the followers, the old and the new handler, and the committee.
type OverdueEscalation struct {
	Store      EscalationStore
	Recipients Recipients
	Calendar   *models.Calendar
	Msg        messages.PushMessages
	// StreetUnit is the unit of a community matter escalated to the street
	// (models.EscalatedUnit; the catalog's unit of a major matter).
	StreetUnit string
	Now        func() time.Time
	Notify     func()
	Log        *slog.Logger
}

// Run implements Job.
func (j *OverdueEscalation) Run(ctx context.Context) error { _, err := j.RunCounts(ctx); return err }

// RunCounts implements CountingJob: escalated, pushes, skipped (changed by
// someone else meanwhile).
func (j *OverdueEscalation) RunCounts(ctx context.Context) (Counts, error) {
	c := Counts{"escalated": 0, "pushes": 0, "skipped": 0}
	now := j.Now()
	seen := map[uint64]bool{}
	for range maxBatches {
		overdue, err := j.Store.OverdueForEscalation(ctx, now, batchSize)
		if err != nil {
			return c, err
		}
		progress := false
		for _, a := range overdue {
			if seen[a.ID] {
				continue
			}
			seen[a.ID], progress = true, true
			e, err := j.escalation(ctx, a, now)
			if err != nil {
				return c, err
			}
			ok, err := j.Store.Escalate(ctx, e)
			if err != nil {
				return c, err
			}
			if !ok {
				c["skipped"]++
				continue
			}
			c["escalated"]++
			c["pushes"] += len(e.Outbox)
		}
		if len(overdue) < batchSize || !progress {
			break
		}
	}
	if c["pushes"] > 0 && j.Notify != nil {
		j.Notify()
	}
	return c, nil
}

func (j *OverdueEscalation) escalation(ctx context.Context, a *models.Appeal, now time.Time) (*models.Escalation, error) {
	to, _ := a.Level.Next()
	due, ok := j.Calendar.DeadlineFor(to, now)
	if !ok {
		return nil, fmt.Errorf("escalation: level %s has no time limit", to)
	}
	loc := j.Calendar.Location()
	from, toName := j.Msg.LevelNames[string(a.Level)], j.Msg.LevelNames[string(to)]
	dueText, dueTime := j.Msg.Due(due, loc), due.In(loc).Format(j.Msg.TimeLayout)
	followers, err := j.Recipients.Followers(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("escalation: followers: %w", err)
	}
	oldHandlers, err := j.Recipients.Assignee(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("escalation: assignee: %w", err)
	}
	// The next level's handler, as the lifecycle routes it (models.Route).
	up := *a
	up.Level = to
	unit := models.EscalatedUnit(a, to, j.StreetUnit)
	if unit != "" {
		up.Unit = unit
	}
	if up.Assignee, err = j.Store.RouteAppeal(ctx, &up); err != nil {
		return nil, fmt.Errorf("escalation: %w", err)
	}
	newHandlers, err := j.Recipients.Assignee(ctx, &up)
	if err != nil {
		return nil, fmt.Errorf("escalation: handlers: %w", err)
	}
	committee, err := j.Recipients.Committee(ctx, a.CommunityID)
	if err != nil {
		return nil, fmt.Errorf("escalation: committee: %w", err)
	}
	e := &models.Escalation{Appeal: a, ToLevel: to, NewDueAt: due, Assignee: up.Assignee, Unit: unit,
		Event: &models.AppealEvent{Actor: string(models.ActorSystem), Action: string(models.ActEscalate), FromStatus: a.Status,
			ToStatus: models.StatusEscalated, At: now.UTC(),
			Reason: fmt.Sprintf(models.ReasonOverdueF, a.DueAt.In(loc).Format("2006-01-02 15:04"), a.Level, to)}}
	data := models.AppealCard(a.Topic, a.Ref, j.Msg.EscalatedPhrase, fmt.Sprintf(j.Msg.DueNoteF, dueText), dueTime)
	told := map[string]bool{}
	add := func(openIDs []string, text string) {
		for _, o := range openIDs {
			if o == "" || told[o] {
				continue // one message per person, in the order of the roles
			}
			told[o] = true
			e.Outbox = append(e.Outbox, &models.OutboxMessage{CommunityID: a.CommunityID, OpenID: o,
				Type: models.PushEscalation, Text: text, Data: data,
				Key: fmt.Sprintf("esc:%d:%s:%s", a.ID, to, o)})
		}
	}
	add(followers, fmt.Sprintf(j.Msg.EscalatedResident, a.Ref, a.Topic, toName, dueText))
	add(newHandlers, fmt.Sprintf(j.Msg.EscalatedNewHandler, a.Ref, a.Topic, from, dueText))
	add(oldHandlers, fmt.Sprintf(j.Msg.EscalatedOldHandler, a.Ref, a.Topic, toName))
	add(committee, fmt.Sprintf(j.Msg.EscalatedCommittee, a.Ref, a.Topic, from, toName, dueText))
	return e, nil
}

func unique(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// ReminderStore is what DeadlineReminder reads and writes.
type ReminderStore interface {
	DueForReminder(ctx context.Context, from, to time.Time, lead time.Duration, limit int) ([]*models.Appeal, error)
	CommitReminders(ctx context.Context, rs []models.Reminder) (int, error)
}

// EscalationStore is what OverdueEscalation reads and writes.
type EscalationStore interface {
	OverdueForEscalation(ctx context.Context, now time.Time, limit int) ([]*models.Appeal, error)
	Escalate(ctx context.Context, e *models.Escalation) (bool, error)
	RouteAppeal(ctx context.Context, a *models.Appeal) (string, error)
}
