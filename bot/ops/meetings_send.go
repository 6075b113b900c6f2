package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// SendResult counts what a change queued.
type SendResult struct {
	Queued      int `json:"queued"`      // pushes queued now
	Deferred    int `json:"deferred"`    // pushes queued for a later day (template quota)
	Unreachable int `json:"unreachable"` // invitees without an openid, or whose day came too late
}

// meetingPush is one planned push of a meeting.
type meetingPush struct {
	iv   *models.MeetingInvitee
	text string
}

// queue plans the pushes of tag for the invitees: customer-service messages
// to those who wrote within 48 hours, templates to the rest while the
// day's quota lasts, later days after that; invitations that could only go
// out after the meeting starts are not queued, and the invitee is marked
// unreachable.
func (s *Meetings) queue(ctx context.Context, ch *models.MeetingChange, tag string, ps []meetingPush, data map[string]string) (SendResult, error) {
	var res SendResult
	m := ch.Meeting
	now := s.now()
	var ids []string
	for _, p := range ps {
		if p.iv.OpenID != "" {
			ids = append(ids, p.iv.OpenID)
		}
	}
	open, err := s.store.OpenWindows(ctx, m.CommunityID, ids, now.Add(-47*time.Hour))
	if err != nil {
		return res, err
	}
	day := startOfDay(now, s.loc)
	used, err := s.store.TemplateLoad(ctx, m.CommunityID, day, day.AddDate(0, 0, 1))
	if err != nil {
		return res, err
	}
	free := s.quota - used
	at := now
	id := models.MeetingIDPlaceholder
	if m.ID != 0 {
		id = strconv.FormatUint(m.ID, 10)
	}
	b, _ := json.Marshal(data)
	for _, p := range ps {
		iv := p.iv
		if iv.OpenID == "" {
			iv.Unreachable = "no_openid"
			res.Unreachable++
			continue
		}
		msg := &models.OutboxMessage{CommunityID: m.CommunityID, OpenID: iv.OpenID, Type: models.PushMeetingInvite,
			Text: p.text, Data: string(b), Key: fmt.Sprintf("meeting:%s:%s:%s:%d", id, tag, iv.OpenID, m.Revision)}
		if !open[iv.OpenID] {
			msg.ForceTemplate = true
			for free <= 0 {
				// The day's quota is used up: the next day, from 08:00.
				day = day.AddDate(0, 0, 1)
				at = day.Add(8 * time.Hour)
				n, err := s.store.TemplateLoad(ctx, m.CommunityID, day, day.AddDate(0, 0, 1))
				if err != nil {
					return res, err
				}
				free = s.quota - n
			}
			if tag == "invite" && !at.Before(m.StartsAt) {
				iv.Unreachable = "quota"
				res.Unreachable++
				continue
			}
			free--
			if at.After(now) {
				msg.NextAttemptAt = at
				res.Deferred++
			} else {
				res.Queued++ // zero NextAttemptAt: due when stored
			}
		} else {
			res.Queued++
		}
		iv.Unreachable = ""
		ch.Outbox = append(ch.Outbox, msg)
	}
	return res, nil
}

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, mo, d := t.In(loc).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, loc)
}

// card is the one text with every detail of the meeting.
func (s *Meetings) card(m *models.Meeting, head, reason string) string {
	extra := ""
	if m.Capacity > 0 {
		extra += fmt.Sprintf(s.msg.CapacityLineF, m.Capacity)
	}
	if reason != "" {
		extra += fmt.Sprintf(s.msg.ReasonLineF, reason)
	}
	return fmt.Sprintf(s.msg.CardF, head, m.Code, m.Topic, s.msg.LevelNames[string(m.Level)], s.When(m.StartsAt), m.Venue, extra) +
		fmt.Sprintf(s.msg.HowToAnswerF, m.Code, m.Code)
}

func (s *Meetings) cardData(m *models.Meeting) map[string]string {
	return map[string]string{"thing1": m.Topic, "time2": m.StartsAt.In(s.loc).Format(s.msg.TimeLayout),
		"thing3": m.Venue, "character_string4": m.Code}
}

// invite adds to ch the invitations of every invitee not yet invited at the
// meeting's revision, and marks the meeting invited.
func (s *Meetings) invite(ctx context.Context, ch *models.MeetingChange, ivs []*models.MeetingInvitee, head, reason string) (SendResult, error) {
	m := ch.Meeting
	text := s.card(m, head, reason)
	var ps []meetingPush
	for _, iv := range ivs {
		if iv.InvitedRev < m.Revision {
			iv.InvitedRev = m.Revision
			ps = append(ps, meetingPush{iv: iv, text: text})
		}
	}
	res, err := s.queue(ctx, ch, "invite", ps, s.cardData(m))
	if err != nil {
		return res, err
	}
	for _, p := range ps {
		if !slices.Contains(ch.Invitees, p.iv) {
			ch.Invitees = append(ch.Invitees, p.iv)
		}
	}
	if m.Status == models.MeetingDraft {
		m.Status = models.MeetingInvited
	}
	return res, nil
}

// promoted tells an invitee a seat came free for them.
func (s *Meetings) promoted(m *models.Meeting) string {
	return fmt.Sprintf(s.msg.PromotedF, m.Code, m.Topic, s.When(m.StartsAt), m.Venue)
}
