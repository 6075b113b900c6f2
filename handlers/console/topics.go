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

	"github.com/gongzhi/gongzhi/models"
)

// TopicOps is the monthly topic (每月一题) operations the admin API uses too (*ops.Topics).
type TopicOps interface {
	List(ctx context.Context, communityID string) ([]*models.TopicProposal, error)
	CallMeeting(ctx context.Context, communityID string, id uint64, startsAt time.Time, venue string, capacity int, by models.Actor) (*models.Meeting, error)
}

func (c *Console) registerTopics(r gin.IRoutes) {
	if c.d.Topics == nil {
		return
	}
	r.GET("/console/topics", c.secure, c.auth, c.topics)
	r.POST("/console/topics/:id/meeting", c.secure, c.auth, c.topicMeeting)
}

// topicForm is a refused meeting form of one topic: why, what was typed.
type topicForm struct {
	ID                               uint64
	Error, StartsAt, Venue, Capacity string
}

// topicRow is one monthly topic with its meeting's code, once called.
type topicRow struct {
	P       *models.TopicProposal
	Appeals []string
	Meeting *models.Meeting
	Form    *topicForm
}

func (c *Console) topics(g *gin.Context) { c.showTopics(g, nil, http.StatusOK) }

func (c *Console) showTopics(g *gin.Context, f *topicForm, status int) {
	ctx := g.Request.Context()
	v := viewer(g)
	community := c.workCommunity(g, v)
	list, err := c.d.Topics.List(ctx, community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	meetings := map[uint64]*models.Meeting{}
	if ml, ok := c.d.Store.(meetingLister); ok {
		ms, err := ml.ConsoleMeetings(ctx, community, 200)
		if err != nil {
			c.failErr(g, err)
			return
		}
		for _, m := range ms {
			meetings[m.ID] = m
		}
	}
	// The default time: three days ahead, at 19:00 (residents come after work).
	d := c.d.Now().In(c.d.Location).AddDate(0, 0, 3)
	def := time.Date(d.Year(), d.Month(), d.Day(), 19, 0, 0, 0, c.d.Location).Format("2006-01-02T15:04")
	rows := make([]topicRow, 0, len(list))
	for _, p := range list {
		r := topicRow{P: p, Appeals: p.LinkedAppeals(), Meeting: meetings[p.MeetingID],
			Form: &topicForm{ID: p.ID, StartsAt: def, Venue: "社区议事厅", Capacity: "0"}}
		if f != nil && f.ID == p.ID {
			r.Form = f
		}
		rows = append(rows, r)
	}
	c.render(g, status, "topics", v, map[string]any{"Rows": rows, "Community": community,
		"CommunityName": c.communityName(community), "MayRun": canRun(v)})
}

// topicMeeting calls the community meeting on a monthly topic (a draft,
// its appeals linked, every registered resident invited): the meeting's
// page then sends the invitations.
func (c *Console) topicMeeting(g *gin.Context) {
	v, community, id, ok := c.target(g, true, "议题编号不对。")
	if !ok {
		return
	}
	f := &topicForm{ID: id, StartsAt: g.PostForm("starts_at"), Venue: g.PostForm("venue"), Capacity: g.PostForm("capacity")}
	refuse := func(status int, msg string) {
		f.Error = msg
		c.showTopics(g, f, status)
	}
	at, err := time.ParseInLocation("2006-01-02T15:04", f.StartsAt, c.d.Location)
	if err != nil {
		refuse(http.StatusBadRequest, "请填写会议时间（日期和时间）。")
		return
	}
	capacity := 0
	if s := strings.TrimSpace(f.Capacity); s != "" {
		if capacity, err = strconv.Atoi(s); err != nil {
			refuse(http.StatusBadRequest, "人数上限请填写正整数，或填0表示不限。")
			return
		}
	}
	m, err := c.d.Topics.CallMeeting(g.Request.Context(), community, id, at, f.Venue, capacity, v.Actor())
	if err != nil {
		c.opFailed(g, err, refuse, topicErrors)
		return
	}
	g.Redirect(http.StatusSeeOther, fmt.Sprintf("/console/meetings/%d?community=%s", m.ID, url.QueryEscape(community)))
}
