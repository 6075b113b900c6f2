package jobs

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// Meeting is what a meeting reminder needs to know (the meetings package owns meetings).
type Meeting struct {
	ID          string
	CommunityID string
	Topic       string
	Venue       string
	StartsAt    time.Time
	Invitees    []string // openids of those who have not declined
}

// MeetingSource lists meetings about to start; the meetings package
// implements it. Without one, MEETING_REMINDER is not scheduled.
type MeetingSource interface {
	// MeetingsStarting returns meetings starting in (from, to].
	MeetingsStarting(ctx context.Context, from, to time.Time) ([]Meeting, error)
}

// MeetingReminder reminds invitees before a meeting, once per meeting, lead
// time and invitee (the push key), only the shortest lead when several fall due together.
type MeetingReminder struct {
	Source   MeetingSource
	Outbox   models.Outbox
	Leads    []time.Duration
	Msg      messages.PushMessages
	Location *time.Location
	Now      func() time.Time
	Notify   func()
}

// Run implements Job.
func (j *MeetingReminder) Run(ctx context.Context) error { _, err := j.RunCounts(ctx); return err }

// RunCounts implements CountingJob: meetings, pushes (new ones).
func (j *MeetingReminder) RunCounts(ctx context.Context) (Counts, error) {
	c := Counts{"meetings": 0, "pushes": 0}
	now := j.Now()
	leads := append([]time.Duration(nil), j.Leads...)
	sort.Slice(leads, func(a, b int) bool { return leads[a] < leads[b] })
	var msgs []*models.OutboxMessage
	for i, lead := range leads {
		if lead <= 0 {
			continue
		}
		ms, err := j.Source.MeetingsStarting(ctx, now, now.Add(lead))
		if err != nil {
			return c, fmt.Errorf("meeting reminder: %w", err)
		}
		for _, m := range ms {
			if i > 0 && !m.StartsAt.After(now.Add(leads[i-1])) {
				continue // the shorter lead's reminder covers it
			}
			c["meetings"]++
			start := m.StartsAt.In(j.Location).Format(j.Msg.TimeLayout)
			text := fmt.Sprintf(j.Msg.MeetingReminder, m.Topic, start, m.Venue)
			data := encodeData(map[string]string{"thing1": m.Topic, "time2": start, "thing3": m.Venue})
			for _, o := range unique(m.Invitees) {
				msgs = append(msgs, &models.OutboxMessage{CommunityID: m.CommunityID, OpenID: o,
					Type: models.PushMeetingReminder, Text: text, Data: data,
					Key: fmt.Sprintf("meet:%s:%d:%s", m.ID, int64(lead/time.Second), o)})
			}
		}
	}
	n, err := j.Outbox.Enqueue(ctx, msgs...)
	c["pushes"] = n
	if n > 0 && j.Notify != nil {
		j.Notify()
	}
	return c, err
}

// CommunityName is a community id with its name, for the digest.
type CommunityName struct{ ID, Name string }

// DailyDigest sends each committee member their community's figures: new
// appeals in the last 24 hours, overdue ones, resolved ones awaiting a
// rating. A community with no committee member is skipped.
type DailyDigest struct {
	Store       DigestStore
	Recipients  Recipients
	Communities []CommunityName
	Msg         messages.PushMessages
	Location    *time.Location
	Now         func() time.Time
	Notify      func()
}

// Run implements Job.
func (j *DailyDigest) Run(ctx context.Context) error { _, err := j.RunCounts(ctx); return err }

// RunCounts implements CountingJob: communities, skipped (nobody to tell), pushes.
func (j *DailyDigest) RunCounts(ctx context.Context) (Counts, error) {
	c := Counts{"communities": 0, "skipped": 0, "pushes": 0}
	now := j.Now()
	day := now.In(j.Location).Format("2006-01-02")
	for _, cm := range j.Communities {
		c["communities"]++
		members, err := j.Recipients.Committee(ctx, cm.ID)
		if err != nil {
			return c, fmt.Errorf("daily digest: committee: %w", err)
		}
		if len(members) == 0 {
			c["skipped"]++
			continue
		}
		d, err := j.Store.Digest(ctx, cm.ID, now.Add(-24*time.Hour), now)
		if err != nil {
			return c, err
		}
		text := fmt.Sprintf(j.Msg.Digest, cm.Name, d.New, d.Overdue, d.Unrated)
		data := encodeData(map[string]string{"thing1": cm.Name, "number2": fmt.Sprint(d.New),
			"number3": fmt.Sprint(d.Overdue), "number4": fmt.Sprint(d.Unrated)})
		var msgs []*models.OutboxMessage
		for _, o := range unique(members) {
			msgs = append(msgs, &models.OutboxMessage{CommunityID: cm.ID, OpenID: o, Type: models.PushDigest,
				Text: text, Data: data, Key: fmt.Sprintf("digest:%s:%s:%s", cm.ID, day, o)})
		}
		n, err := j.Store.Enqueue(ctx, msgs...)
		if err != nil {
			return c, err
		}
		c["pushes"] += n
	}
	if c["pushes"] > 0 && j.Notify != nil {
		j.Notify()
	}
	return c, nil
}

// ConversationExpiry deletes conversations past their expiry; the engine
// tells the person on their next message, so this only cleans up.
type ConversationExpiry struct {
	Store ConversationStore
	Now   func() time.Time
}

// Run implements Job.
func (j *ConversationExpiry) Run(ctx context.Context) error { _, err := j.RunCounts(ctx); return err }

// RunCounts implements CountingJob: deleted.
func (j *ConversationExpiry) RunCounts(ctx context.Context) (Counts, error) {
	n, err := j.Store.DeleteExpiredConversations(ctx, j.Now())
	return Counts{"deleted": int(n)}, err
}

// DedupeCleanup forgets processed-message records older than TTL
// (cfg.DedupeTTL), long after WeChat's last retry.
type DedupeCleanup struct {
	Store DedupeStore
	TTL   time.Duration
	Now   func() time.Time
}

// Run implements Job.
func (j *DedupeCleanup) Run(ctx context.Context) error { _, err := j.RunCounts(ctx); return err }

// RunCounts implements CountingJob: deleted.
func (j *DedupeCleanup) RunCounts(ctx context.Context) (Counts, error) {
	if j.TTL <= 0 {
		return Counts{"deleted": 0}, fmt.Errorf("dedupe cleanup: TTL must be positive")
	}
	n, err := j.Store.DeleteProcessedBefore(ctx, j.Now().Add(-j.TTL))
	if err != nil {
		return Counts{"deleted": int(n)}, fmt.Errorf("dedupe cleanup: %w", err)
	}
	return Counts{"deleted": int(n)}, nil
}

// DigestStore is what DailyDigest reads and writes.
type DigestStore interface {
	Digest(ctx context.Context, communityID string, since, now time.Time) (models.DigestCounts, error)
	models.Outbox
}

// ConversationStore is what ConversationExpiry deletes from.
type ConversationStore interface {
	DeleteExpiredConversations(ctx context.Context, now time.Time) (int64, error)
}

// DedupeStore is what DedupeCleanup deletes from.
type DedupeStore interface {
	DeleteProcessedBefore(ctx context.Context, t time.Time) (int64, error)
}
