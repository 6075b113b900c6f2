package ops

import (
	"context"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// PushLoad is what planning pushes within WeChat's rules reads: who wrote
// within the customer-service window, and how much of a day's template
// quota is spoken for; *store.DB implements it.
type PushLoad interface {
	OpenWindows(ctx context.Context, communityID string, openIDs []string, since time.Time) (map[string]bool, error)
	TemplateLoad(ctx context.Context, communityID string, from, to time.Time) (int, error)
}

// pushPlan plans pushes the way meeting invitations go out: a
// customer-service message to whoever wrote within 47 hours (the window is
// 48), a template to the rest while the community's daily quota lasts,
// later days from 08:00 after that.
type pushPlan struct {
	Load     PushLoad
	Quota    int // templates a community may get a day (0: DefaultTemplateQuota)
	Location *time.Location
	Now      time.Time
}

// plan fills each push's channel and due time. A push that could only
// leave at or after deadline (non-zero) is dropped and its index returned
// in late: that person is to be phoned or visited.
func (p pushPlan) plan(ctx context.Context, communityID string, msgs []*models.OutboxMessage, deadline time.Time) (kept []*models.OutboxMessage, late []int, res SendResult, err error) {
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		ids = append(ids, m.OpenID)
	}
	open, err := p.Load.OpenWindows(ctx, communityID, ids, p.Now.Add(-47*time.Hour))
	if err != nil {
		return nil, nil, res, err
	}
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	quota := p.Quota
	if quota <= 0 {
		quota = DefaultTemplateQuota
	}
	day := startOfDay(p.Now, loc)
	used, err := p.Load.TemplateLoad(ctx, communityID, day, day.AddDate(0, 0, 1))
	if err != nil {
		return nil, nil, res, err
	}
	free, at := quota-used, p.Now
	for i, m := range msgs {
		if open[m.OpenID] {
			res.Queued++
			kept = append(kept, m)
			continue
		}
		m.ForceTemplate = true
		for free <= 0 {
			day = day.AddDate(0, 0, 1)
			at = day.Add(8 * time.Hour)
			n, err := p.Load.TemplateLoad(ctx, communityID, day, day.AddDate(0, 0, 1))
			if err != nil {
				return nil, nil, res, err
			}
			free = quota - n
		}
		if !deadline.IsZero() && !at.Before(deadline) {
			late = append(late, i)
			res.Unreachable++
			continue
		}
		free--
		if at.After(p.Now) {
			m.NextAttemptAt = at
			res.Deferred++
		} else {
			res.Queued++
		}
		kept = append(kept, m)
	}
	return kept, late, res, nil
}

// broadcastDefaults fills the settings that meetings, campaigns and
// projects share: UTC, the real clock, nobody to wake, the default quota.
func broadcastDefaults(loc *time.Location, now func() time.Time, notify func(), quota int) (*time.Location, func() time.Time, func(), int) {
	if loc == nil {
		loc = time.UTC
	}
	if now == nil {
		now = time.Now
	}
	if notify == nil {
		notify = func() {}
	}
	if quota <= 0 {
		quota = DefaultTemplateQuota
	}
	return loc, now, notify, quota
}
