package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// photo is one picture of an appeal; only http(s) URLs are shown.
type photo struct{ URL string }

func photos(media string) []photo {
	var out []photo
	for _, line := range strings.Split(media, "\n") {
		_, u, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		if pu, err := url.Parse(strings.TrimSpace(u)); err == nil && (pu.Scheme == "https" || pu.Scheme == "http") {
			out = append(out, photo{URL: pu.String()})
		}
	}
	return out
}

// place splits "lat,lng label" into its coordinates and label.
func place(loc string) (coords, label string) {
	coords, label, _ = strings.Cut(strings.TrimSpace(loc), " ")
	return coords, strings.TrimSpace(label)
}

// event is one line of the timeline as shown.
type event struct {
	E      *models.AppealEvent
	Actor  string
	Reason string
	Photos []photo // a handler's photo after 办结 (its reason is "mediaID url")
}

// loadAppeal reads the appeal of :ref that the viewer may see; on failure it has answered.
func (c *Console) loadAppeal(g *gin.Context) (*models.Appeal, bool) {
	ref := strings.ToUpper(strings.TrimSpace(g.Param("ref")))
	if !models.ValidRef(ref) {
		c.fail(g, http.StatusBadRequest, "编号格式不对（字母加数字，例如 SQ2611260007）。")
		return nil, false
	}
	ap, err := c.findAppeal(g.Request.Context(), viewer(g), ref)
	if err != nil {
		c.failErr(g, err)
		return nil, false
	}
	return ap, true
}

// findAppeal reads an appeal of a community the viewer sees; ENOTFOUND otherwise.
func (c *Console) findAppeal(ctx context.Context, v *models.Viewer, ref string) (*models.Appeal, error) {
	if !v.AllCommunities() {
		return c.d.Store.AppealByRef(ctx, v.Staff.CommunityID, ref)
	}
	ids, err := c.d.Store.Communities(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		ap, err := c.d.Store.AppealByRef(ctx, id, ref)
		if models.ErrorCode(err) == models.ENOTFOUND {
			continue
		}
		return ap, err
	}
	return nil, models.Errorf(models.ENOTFOUND, "appeal %s not found", ref)
}

func (c *Console) appeal(g *gin.Context) {
	ap, ok := c.loadAppeal(g)
	if !ok {
		return
	}
	c.showAppeal(g, ap, nil)
}

// formState is a refused revise form shown again: which form, why in
// Chinese, and what was typed.
type formState struct {
	Op, Error                            string
	Kind, Level, Assignee, DueAt, Reason string
	Topic                                string
}

// showAppeal renders an appeal's page; form is a refused form (or nil).
func (c *Console) showAppeal(g *gin.Context, ap *models.Appeal, form *formState) {
	ctx := g.Request.Context()
	v := viewer(g)
	evs, err := c.d.Store.AppealEvents(ctx, ap.ID)
	if err != nil {
		c.failErr(g, err)
		return
	}
	p, _, err := c.names(ctx, v)
	if err != nil {
		c.failErr(g, err)
		return
	}
	staff, err := c.d.Store.ListStaff(ctx, ap.CommunityID)
	if err != nil {
		c.failErr(g, err)
		return
	}
	var active []*models.Staff
	for _, s := range staff {
		if s.Active && s.OpenID != "" {
			active = append(active, s)
		}
	}
	timeline := make([]event, 0, len(evs))
	for _, e := range evs {
		ev := event{E: e, Actor: p.actor(e.Actor), Reason: c.reason(p, e.Reason)}
		if models.Action(e.Action) == models.ActAttachment {
			// The photo is shown, not its media id and address (found by a first user).
			ev.Reason, ev.Photos = "", photos(e.Reason)
		}
		timeline = append(timeline, ev)
	}
	gn, err := c.gridNamesOf(ctx, []string{ap.CommunityID})
	if err != nil {
		c.failErr(g, err)
		return
	}
	coords, label := place(ap.Location)
	status := http.StatusOK
	if form == nil {
		form = &formState{}
	} else {
		status = http.StatusBadRequest
	}
	data := map[string]any{"A": ap, "Form": form, "GridName": gn.Name(ap.CommunityID, ap.GridID), "CommunityName": c.communityName(ap.CommunityID), "Assignee": handler(ap, p.name), "Overdue": ap.Overdue(c.d.Now()),
		"Urgent": ap.Status.Open() && messages.Urgent(ap.Description),
		"Photos": photos(ap.MediaIDs), "Coords": coords, "Place": label, "Timeline": timeline, "Staff": active,
		"Done": g.Query("done") != "", "Meetings": c.d.Meetings != nil, "Matters": c.d.Matters}
	c.render(g, status, "appeal", v, data)
}

// revise takes one of the three forms (reclassify, assign, deadline): the
// committee's change through the same operation as chat and the admin API.
// A refused form is shown again with the reason and what was typed.
func (c *Console) revise(g *gin.Context) {
	v := viewer(g)
	ap, ok := c.loadAppeal(g)
	if !ok {
		return
	}
	form := &formState{Op: g.PostForm("op"), Kind: g.PostForm("kind"), Level: g.PostForm("level"), Topic: g.PostForm("topic"),
		Assignee: strings.TrimSpace(g.PostForm("assignee")), DueAt: g.PostForm("due_at"), Reason: g.PostForm("reason")}
	refuse := func(msg string) {
		form.Error = msg
		c.showAppeal(g, ap, form)
	}
	r := ops.Revision{Community: ap.CommunityID, Ref: ap.Ref, Actor: v.Actor(), Reason: form.Reason}
	switch form.Op {
	case "reclassify":
		k, err := models.ParseKind(form.Kind)
		if err != nil {
			refuse("请选择类别（大事、小事或私事）。")
			return
		}
		// Like the chat's 改类, the appeal goes where its new kind goes
		// (a new matter of the same kind: where that matter's unit is).
		r.Kind, r.Level, r.Reroute, r.TopicID = k, ops.LevelFor(k, ap.Level), true, form.Topic
		if form.Topic != "" && k == ap.Kind && form.Level == "" {
			// The kind left as it was and a matter chosen: the matter's kind
			// is meant (found by a second user: a matter of another kind was
			// refused), its level with it.
			r.Kind, r.Level = "", ""
		}
		if form.Level != "" {
			l, err := models.ParseLevel(form.Level)
			if err != nil {
				refuse("层级不对，请从列表中选择。")
				return
			}
			r.Level = l
		}
	case "assign":
		if form.Assignee == "" {
			refuse("请选择承办人。")
			return
		}
		r.Assignee = &form.Assignee
	case "deadline":
		t, err := time.ParseInLocation("2006-01-02T15:04", form.DueAt, c.d.Location)
		if err != nil {
			refuse("请填写办结时限（日期和时间）。")
			return
		}
		r.DueAt = &t
	default:
		c.fail(g, http.StatusBadRequest, "不认识的操作。")
		return
	}
	if strings.TrimSpace(r.Reason) == "" {
		refuse("请写明原因：每项调整都会记入台账。")
		return
	}
	if _, err := c.d.Revise.Revise(g.Request.Context(), r); err != nil {
		if models.ErrorCode(err) == models.EINTERNAL {
			c.failErr(g, err)
			return
		}
		refuse(formError(err))
		return
	}
	g.Redirect(http.StatusSeeOther, "/console/appeals/"+ap.Ref+"?done=1")
}
