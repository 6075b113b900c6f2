package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// Meetings is the meeting service the chat and the admin API use (*ops.Meetings).
type Meetings interface {
	Create(ctx context.Context, r ops.MeetingRequest) (*models.Meeting, error)
	Broadcast(ctx context.Context, by models.Actor, communityID string, id uint64) (*models.Meeting, ops.SendResult, error)
	Reschedule(ctx context.Context, by models.Actor, communityID string, id uint64, c ops.Rescheduling) (*models.Meeting, ops.SendResult, error)
	Cancel(ctx context.Context, by models.Actor, communityID string, id uint64, reason string) (*models.Meeting, ops.SendResult, error)
	Outcome(ctx context.Context, communityID string, id uint64, r ops.OutcomeRequest) (*models.Meeting, ops.SendResult, error)
	Raise(ctx context.Context, communityID string, id uint64, r ops.RaiseRequest) (*models.Meeting, error)
	Get(ctx context.Context, communityID string, id uint64) (*ops.View, error)
}

// meetingLister lists a community's meetings (*store.DB).
type meetingLister interface {
	ConsoleMeetings(ctx context.Context, communityID string, limit int) ([]*models.Meeting, error)
}

var meetingLevels = []models.MeetingLevel{models.MeetingBuilding, models.MeetingGroup, models.MeetingCommunity}

func (c *Console) registerMeetings(r gin.IRoutes) {
	if c.d.Meetings == nil {
		return
	}
	if _, ok := c.d.Store.(meetingLister); !ok {
		return
	}
	r.GET("/console/meetings", c.secure, c.auth, c.meetings)
	r.GET("/console/meetings/new", c.secure, c.auth, c.newMeeting)
	r.POST("/console/meetings", c.secure, c.auth, c.createMeeting)
	r.GET("/console/meetings/:id", c.secure, c.auth, c.meeting)
	r.POST("/console/meetings/:id/:op", c.secure, c.auth, c.meetingOp)
}

func (c *Console) meetings(g *gin.Context) {
	v := viewer(g)
	community := c.workCommunity(g, v)
	list, err := c.d.Store.(meetingLister).ConsoleMeetings(g.Request.Context(), community, 200)
	if err != nil {
		c.failErr(g, err)
		return
	}
	now := c.d.Now()
	var upcoming, past []*models.Meeting
	for _, m := range list {
		if m.StartsAt.After(now) && m.Status != models.MeetingCancelled && m.Status != models.MeetingHeld {
			upcoming = append([]*models.Meeting{m}, upcoming...) // soonest first
		} else {
			past = append(past, m)
		}
	}
	c.render(g, http.StatusOK, "meetings", v, map[string]any{"Upcoming": upcoming, "Past": past, "Community": community})
}

func (c *Console) newMeeting(g *gin.Context) {
	v := viewer(g)
	data := map[string]any{"Community": c.workCommunity(g, v), "Levels": meetingLevels,
		"StartsAt": defaultMeetingStart(c.d.Now().In(c.d.Location)).Format("2006-01-02T15:04")}
	if ref := strings.ToUpper(strings.TrimSpace(g.Query("appeal"))); ref != "" {
		g.Params = append(g.Params, gin.Param{Key: "ref", Value: ref})
		ap, ok := c.loadAppeal(g)
		if !ok {
			return
		}
		data["Appeal"], data["Community"] = ap, ap.CommunityID
		data["Topic"] = ap.Topic
		data["Buildings"] = ap.Building
	}
	// The grids to tick, as the campaign form offers them (a first user typed
	// a grid's name where its id was wanted, and lost the form).
	grids, err := c.d.Store.Grids(g.Request.Context(), data["Community"].(string))
	if err != nil {
		c.failErr(g, err)
		return
	}
	data["Grids"] = grids
	c.render(g, http.StatusOK, "meeting_new", v, data)
}

// defaultMeetingStart offers 19:00 three days on, when residents are home
// (a second user was offered 23:00: three days on, to the hour).
func defaultMeetingStart(now time.Time) time.Time {
	d := now.AddDate(0, 0, 3)
	return time.Date(d.Year(), d.Month(), d.Day(), 19, 0, 0, 0, now.Location())
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' })
}

func (c *Console) createMeeting(g *gin.Context) {
	ctx := g.Request.Context()
	v := viewer(g)
	community := c.workCommunity(g, v)
	if !v.Sees(community) {
		c.fail(g, http.StatusForbidden, "不能为其他社区召开会议。")
		return
	}
	at, err := time.ParseInLocation("2006-01-02T15:04", g.PostForm("starts_at"), c.d.Location)
	if err != nil {
		c.fail(g, http.StatusBadRequest, "请填写会议时间。")
		return
	}
	capacity, _ := strconv.Atoi(g.PostForm("capacity"))
	req := ops.MeetingRequest{CommunityID: community, Topic: g.PostForm("topic"), Level: g.PostForm("level"), StartsAt: at,
		Venue: g.PostForm("venue"), Capacity: capacity, By: v.Actor()}
	if ref := strings.TrimSpace(g.PostForm("appeal")); ref != "" {
		req.AppealRefs = []string{ref}
	}
	for _, b := range splitList(g.PostForm("buildings")) {
		req.Invitees.Buildings = append(req.Invitees.Buildings, normalizeBuilding(b))
	}
	for _, gr := range g.PostFormArray("grids") {
		req.Invitees.Grids = append(req.Invitees.Grids, splitList(gr)...)
	}
	req.Invitees.Community = g.PostForm("everyone") == "1"
	if g.PostForm("stakeholders") == "1" && c.d.People != nil {
		hs, err := c.d.People.Stakeholders(ctx, community)
		if err != nil {
			c.failErr(g, err)
			return
		}
		for _, h := range hs {
			if h.Active {
				req.Invitees.Stakeholders = append(req.Invitees.Stakeholders, h.ID)
			}
		}
	}
	m, err := c.d.Meetings.Create(ctx, req)
	if err != nil {
		c.failErr(g, err)
		return
	}
	if g.PostForm("broadcast") == "1" {
		if _, _, err := c.d.Meetings.Broadcast(ctx, v.Actor(), community, m.ID); err != nil {
			c.failErr(g, err)
			return
		}
	}
	g.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/meetings/%d?community=%s", m.ID, url.QueryEscape(community)))
}

// invitee is one invitee as shown: a name, never an openid.
type invitee struct {
	Name, Phone, Answer, Unreachable string
}

func (c *Console) inviteeName(ctx context.Context, community string, iv *models.MeetingInvitee) string {
	if iv.Name != "" {
		return iv.Name
	}
	if iv.OpenID != "" && c.d.Figures != nil {
		if s, err := c.d.Figures.StaffByOpenID(ctx, community, iv.OpenID); err == nil {
			return s.Name + "（" + orRaw(roleNames, string(s.Role)) + "）"
		}
		if r, err := c.d.Store.Resident(ctx, community, iv.OpenID); err == nil && r.Building != "" {
			return "居民 " + address(r.Building, r.Unit, r.Room)
		}
	}
	return "居民"
}

func (c *Console) meeting(g *gin.Context) {
	ctx := g.Request.Context()
	v, community, id, ok := c.target(g, false, "会议编号不对。")
	if !ok {
		return
	}
	view, err := c.d.Meetings.Get(ctx, community, id)
	if err != nil {
		c.failErr(g, err)
		return
	}
	var ivs, unreachable []invitee
	for _, iv := range view.Invitees {
		ivs = append(ivs, invitee{Name: c.inviteeName(ctx, community, iv), Phone: iv.Phone,
			Answer: orRaw(messages.ZhCNMeetings.AnswerNames, string(iv.Answer)), Unreachable: iv.Unreachable})
	}
	for _, iv := range view.Unreachable {
		unreachable = append(unreachable, invitee{Name: c.inviteeName(ctx, community, iv), Phone: iv.Phone, Unreachable: iv.Unreachable})
	}
	counts := map[string]int{}
	for k, n := range view.Counts {
		counts[string(k)] = n
	}
	m := view.Meeting
	c.render(g, http.StatusOK, "meeting", v, map[string]any{"M": m, "Community": community, "Invitees": ivs,
		"Unreachable": unreachable, "Counts": counts, "Outcome": view.Outcome, "Levels": meetingLevels,
		"Level": orRaw(messages.ZhCNMeetings.LevelNames, string(m.Level)), "Status": orRaw(messages.ZhCNMeetings.StatusNames, string(m.Status)),
		"StartsAt": m.StartsAt.In(c.d.Location).Format("2006-01-02T15:04"), "Appeals": splitList(m.AppealRefs),
		"Open": m.Status != models.MeetingCancelled && m.Status != models.MeetingHeld, "Draft": m.Status == models.MeetingDraft,
		// The outcome is recorded once the meeting has begun: before, the form
		// says when (a first user typed minutes into it and lost them).
		"Begun": !c.d.Now().Before(m.StartsAt), "Done": g.Query("done") != ""})
}

// meetingOp runs one of the meeting's actions from its page.
func (c *Console) meetingOp(g *gin.Context) {
	ctx := g.Request.Context()
	v, community, id, ok := c.target(g, false, "会议编号不对。")
	if !ok {
		return
	}
	var err error
	next := id
	switch g.Param("op") {
	case "broadcast":
		_, _, err = c.d.Meetings.Broadcast(ctx, v.Actor(), community, id)
	case "reschedule":
		ch := ops.Rescheduling{Reason: g.PostForm("reason")}
		if s := g.PostForm("starts_at"); s != "" {
			t, perr := time.ParseInLocation("2006-01-02T15:04", s, c.d.Location)
			if perr != nil {
				c.fail(g, http.StatusBadRequest, "会议时间格式不对。")
				return
			}
			ch.StartsAt = &t
		}
		if s := strings.TrimSpace(g.PostForm("venue")); s != "" {
			ch.Venue = &s
		}
		_, _, err = c.d.Meetings.Reschedule(ctx, v.Actor(), community, id, ch)
	case "cancel":
		_, _, err = c.d.Meetings.Cancel(ctx, v.Actor(), community, id, g.PostForm("reason"))
	case "outcome":
		_, _, err = c.d.Meetings.Outcome(ctx, community, id, ops.OutcomeRequest{Minutes: g.PostForm("minutes"),
			Measures: g.PostForm("measures"), AppealsNext: g.PostForm("appeals_next"), Assignee: g.PostForm("assignee"), Actor: v.Actor()})
	case "raise":
		t, perr := time.ParseInLocation("2006-01-02T15:04", g.PostForm("starts_at"), c.d.Location)
		if perr != nil {
			c.fail(g, http.StatusBadRequest, "请填写新会议的时间。")
			return
		}
		req := ops.RaiseRequest{Level: g.PostForm("level"), StartsAt: t, Venue: g.PostForm("venue"), By: v.Actor()}
		var m *models.Meeting
		if m, err = c.d.Meetings.Raise(ctx, community, id, req); err == nil {
			next = m.ID
		}
	default:
		c.fail(g, http.StatusNotFound, "没有这个操作。")
		return
	}
	if err != nil {
		c.failErr(g, err)
		return
	}
	g.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/meetings/%d?community=%s&done=1", next, url.QueryEscape(community)))
}
