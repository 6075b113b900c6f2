package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// MeetingService is what the meetings endpoints need; *ops.Meetings implements it.
type MeetingService interface {
	Create(ctx context.Context, r ops.MeetingRequest) (*models.Meeting, error)
	Broadcast(ctx context.Context, by models.Actor, communityID string, id uint64) (*models.Meeting, ops.SendResult, error)
	Reschedule(ctx context.Context, by models.Actor, communityID string, id uint64, c ops.Rescheduling) (*models.Meeting, ops.SendResult, error)
	Cancel(ctx context.Context, by models.Actor, communityID string, id uint64, reason string) (*models.Meeting, ops.SendResult, error)
	Outcome(ctx context.Context, communityID string, id uint64, r ops.OutcomeRequest) (*models.Meeting, ops.SendResult, error)
	Raise(ctx context.Context, communityID string, id uint64, r ops.RaiseRequest) (*models.Meeting, error)
	Get(ctx context.Context, communityID string, id uint64) (*ops.View, error)
}

// meetingsAPI serves /api/meetings and /api/stakeholders.
type meetingsAPI struct {
	*staffAPI
	svc MeetingService
	dir StakeholderStore
}

type meetingJSON struct {
	ID         uint64                 `json:"id"`
	Code       string                 `json:"code"`
	Topic      string                 `json:"topic"`
	Level      string                 `json:"level"`
	StartsAt   time.Time              `json:"starts_at"`
	Venue      string                 `json:"venue"`
	Capacity   int                    `json:"capacity,omitempty"`
	Status     string                 `json:"status"`
	Revision   int                    `json:"revision"`
	Organiser  string                 `json:"organiser"`
	AppealRefs []string               `json:"appeal_refs"`
	Buildings  []string               `json:"buildings,omitempty"`
	Grids      []string               `json:"grids,omitempty"`
	ParentID   uint64                 `json:"raised_from,omitempty"`
	Reason     string                 `json:"reason,omitempty"`
	Outcome    *models.MeetingOutcome `json:"outcome,omitempty"`
}

type inviteeJSON struct {
	Who         string     `json:"who"`
	OpenID      string     `json:"openid,omitempty"`
	Stakeholder uint64     `json:"stakeholder,omitempty"`
	Name        string     `json:"name,omitempty"`
	Phone       string     `json:"phone,omitempty"`
	Source      string     `json:"source"`
	Answer      string     `json:"answer"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	Why         string     `json:"why,omitempty"` // unreachable: no_openid, quota, push_failed
}

func (a *meetingsAPI) meetingOut(m *models.Meeting) meetingJSON {
	out := meetingJSON{ID: m.ID, Code: m.Code, Topic: m.Topic, Level: string(m.Level), StartsAt: a.in(m.StartsAt),
		Venue: m.Venue, Capacity: m.Capacity, Status: string(m.Status), Revision: m.Revision, Organiser: m.Organiser,
		AppealRefs: m.LinkedAppeals(), Buildings: models.SplitList(m.Buildings), Grids: models.SplitList(m.Grids),
		ParentID: m.ParentID, Reason: m.Reason}
	if out.AppealRefs == nil {
		out.AppealRefs = []string{}
	}
	return out
}

func inviteeOut(iv *models.MeetingInvitee) inviteeJSON {
	return inviteeJSON{Who: iv.Who, OpenID: iv.OpenID, Stakeholder: iv.StakeholderID, Name: iv.Name, Phone: iv.Phone,
		Source: iv.Source, Answer: string(iv.Answer), AnsweredAt: iv.AnsweredAt, Why: iv.Unreachable}
}

// meetingID reads the :id path parameter.
func (a *meetingsAPI) meetingID(c *gin.Context) (string, uint64, bool) {
	return a.communityAndID(c, "meeting")
}

func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, models.Errorf(models.EINVALID, "%s %q: want an RFC 3339 time with a zone, e.g. 2026-11-28T19:00:00+08:00", field, s)
	}
	return t, nil
}

// parseStart reads a meeting's starts_at and checks its range.
func parseStart(s string, now time.Time) (time.Time, error) {
	t, err := parseTime("starts_at", s)
	if err != nil {
		return t, err
	}
	return t, models.CheckMeetingStart(t, now)
}

type createMeetingBody struct {
	Topic string `json:"topic"`
	Level string `json:"level"`
	schedule
	Venue      string          `json:"venue"`
	AppealRef  string          `json:"appeal_ref"`
	AppealRefs []string        `json:"appeal_refs"`
	Invitees   ops.InviteeSpec `json:"invitees"`
	Broadcast  bool            `json:"broadcast"` // send the invitations at once
}

func (a *meetingsAPI) create(c *gin.Context) {
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	var b createMeetingBody
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	at, capacity, err := b.parse(a.now())
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	refs := b.AppealRefs
	if b.AppealRef != "" {
		refs = append([]string{b.AppealRef}, refs...)
	}
	m, err := a.svc.Create(c.Request.Context(), ops.MeetingRequest{CommunityID: community, Topic: b.Topic, Level: b.Level,
		StartsAt: at, Venue: b.Venue, Capacity: capacity, AppealRefs: refs, Invitees: b.Invitees, By: admin})
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondCreated(c, community, m.ID, b.Broadcast)
}

// respondCreated answers 201 with a new meeting, after sending its
// invitations when broadcast is asked for.
func (a *meetingsAPI) respondCreated(c *gin.Context, community string, id uint64, broadcast bool) {
	if broadcast {
		a.respondSend(c, http.StatusCreated, community, id, func() (*models.Meeting, ops.SendResult, error) {
			return a.svc.Broadcast(c.Request.Context(), admin, community, id)
		})
		return
	}
	a.respondView(c, http.StatusCreated, community, id, nil)
}

// respondView answers with the meeting, its invitees, counts and whom to phone.
func (a *meetingsAPI) respondView(c *gin.Context, status int, community string, id uint64, sent *ops.SendResult) {
	v, err := a.svc.Get(c.Request.Context(), community, id)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	m := a.meetingOut(v.Meeting)
	m.Outcome = v.Outcome
	ivs := make([]inviteeJSON, 0, len(v.Invitees))
	for _, iv := range v.Invitees {
		ivs = append(ivs, inviteeOut(iv))
	}
	un := make([]inviteeJSON, 0, len(v.Unreachable))
	for _, iv := range v.Unreachable {
		un = append(un, inviteeOut(iv))
	}
	counts := gin.H{}
	for k, n := range v.Counts {
		counts[string(k)] = n
	}
	body := gin.H{"meeting": m, "id": m.ID, "code": m.Code, "invitees": ivs, "counts": counts, "unreachable": un}
	if sent != nil {
		body["sent"] = sent
	}
	c.JSON(status, body)
}

func (a *meetingsAPI) respondSend(c *gin.Context, status int, community string, id uint64, f func() (*models.Meeting, ops.SendResult, error)) {
	_, res, err := f()
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondView(c, status, community, id, &res)
}

func (a *meetingsAPI) get(c *gin.Context) {
	community, id, ok := a.meetingID(c)
	if ok {
		a.respondView(c, http.StatusOK, community, id, nil)
	}
}

func (a *meetingsAPI) broadcast(c *gin.Context) {
	community, id, ok := a.meetingID(c)
	if !ok {
		return
	}
	a.respondSend(c, http.StatusOK, community, id, func() (*models.Meeting, ops.SendResult, error) {
		return a.svc.Broadcast(c.Request.Context(), admin, community, id)
	})
}

func (a *meetingsAPI) patch(c *gin.Context) {
	community, id, ok := a.meetingID(c)
	if !ok {
		return
	}
	var b struct {
		StartsAt *string `json:"starts_at"`
		Venue    *string `json:"venue"`
		Reason   string  `json:"reason"`
	}
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	ch := ops.Rescheduling{Venue: b.Venue, Reason: b.Reason}
	if b.StartsAt != nil {
		t, err := parseStart(*b.StartsAt, a.now())
		if err != nil {
			writeError(c, a.log, err)
			return
		}
		ch.StartsAt = &t
	}
	a.respondSend(c, http.StatusOK, community, id, func() (*models.Meeting, ops.SendResult, error) {
		return a.svc.Reschedule(c.Request.Context(), admin, community, id, ch)
	})
}

func (a *meetingsAPI) cancel(c *gin.Context) {
	community, id, ok := a.meetingID(c)
	if !ok {
		return
	}
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondSend(c, http.StatusOK, community, id, func() (*models.Meeting, ops.SendResult, error) {
		return a.svc.Cancel(c.Request.Context(), admin, community, id, b.Reason)
	})
}

func (a *meetingsAPI) outcome(c *gin.Context) {
	community, id, ok := a.meetingID(c)
	if !ok {
		return
	}
	var b struct {
		Minutes     string              `json:"minutes"`
		Measures    string              `json:"measures"`
		Assignments []models.Assignment `json:"assignments"`
		Funding     []models.Funding    `json:"funding"`
		AppealsNext string              `json:"appeals_next"`
		Assignee    string              `json:"assignee"`
	}
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondSend(c, http.StatusOK, community, id, func() (*models.Meeting, ops.SendResult, error) {
		return a.svc.Outcome(c.Request.Context(), community, id, ops.OutcomeRequest{Minutes: b.Minutes, Measures: b.Measures,
			Assignments: b.Assignments, Funding: b.Funding, AppealsNext: b.AppealsNext, Assignee: b.Assignee,
			Actor: admin})
	})
}

func (a *meetingsAPI) raise(c *gin.Context) {
	community, id, ok := a.meetingID(c)
	if !ok {
		return
	}
	var b struct {
		Level string `json:"level"`
		schedule
		Venue     string           `json:"venue"`
		Invitees  *ops.InviteeSpec `json:"invitees"`
		Broadcast bool             `json:"broadcast"`
	}
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	at, capacity, err := b.parse(a.now())
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	m, err := a.svc.Raise(c.Request.Context(), community, id, ops.RaiseRequest{Level: b.Level, StartsAt: at, Venue: b.Venue,
		Capacity: capacity, Invitees: b.Invitees, By: admin})
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondCreated(c, community, m.ID, b.Broadcast)
}

// schedule is the part of a request body that schedules a meeting.
type schedule struct {
	StartsAt string `json:"starts_at"`
	Capacity *int   `json:"capacity"` // absent: no limit
}

// parse checks the start time and the capacity (0 for no limit).
func (sc schedule) parse(now time.Time) (time.Time, int, error) {
	at, err := parseStart(sc.StartsAt, now)
	if err != nil {
		return time.Time{}, 0, err
	}
	if sc.Capacity == nil {
		return at, 0, nil
	}
	if *sc.Capacity <= 0 {
		return time.Time{}, 0, models.Errorf(models.EINVALID, "capacity %d: want a positive number of seats, or leave it out for no limit", *sc.Capacity)
	}
	return at, *sc.Capacity, nil
}
