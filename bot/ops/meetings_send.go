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

// queue plans the pushes of tag for the invitees with pushPlan (customer-
// service messages inside the window, templates within the day's quota,
// later days after that); invitations that could only go out after the
// meeting starts are not queued, and the invitee is marked unreachable.
func (s *Meetings) queue(ctx context.Context, ch *models.MeetingChange, tag string, ps []meetingPush, data map[string]string) (SendResult, error) {
	var res SendResult
	m := ch.Meeting
	id := models.MeetingIDPlaceholder
	if m.ID != 0 {
		id = strconv.FormatUint(m.ID, 10)
	}
	b, _ := json.Marshal(data)
	var msgs []*models.OutboxMessage
	var ivs []*models.MeetingInvitee
	for _, p := range ps {
		if p.iv.OpenID == "" {
			p.iv.Unreachable = "no_openid"
			res.Unreachable++
			continue
		}
		msgs = append(msgs, &models.OutboxMessage{CommunityID: m.CommunityID, OpenID: p.iv.OpenID, Type: models.PushMeetingInvite,
			Text: p.text, Data: string(b), Key: fmt.Sprintf("meeting:%s:%s:%s:%d", id, tag, p.iv.OpenID, m.Revision)})
		ivs = append(ivs, p.iv)
	}
	var deadline time.Time
	if tag == "invite" {
		deadline = m.StartsAt
	}
	plan := pushPlan{Load: s.store, Quota: s.quota, Location: s.loc, Now: s.now()}
	kept, late, got, err := plan.plan(ctx, m.CommunityID, msgs, deadline)
	if err != nil {
		return res, err
	}
	for _, iv := range ivs {
		iv.Unreachable = ""
	}
	for _, i := range late {
		ivs[i].Unreachable = "quota"
	}
	res.Queued, res.Deferred, res.Unreachable = got.Queued, got.Deferred, res.Unreachable+got.Unreachable
	ch.Outbox = append(ch.Outbox, kept...)
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
