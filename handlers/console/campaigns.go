package console

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// CampaignOps is the campaign operations (问需于民) the admin API uses too (*ops.Campaigns).
type CampaignOps interface {
	Create(ctx context.Context, r ops.CampaignRequest) (*models.Campaign, error)
	Broadcast(ctx context.Context, communityID string, id uint64) (*models.Campaign, ops.SendResult, error)
	Get(ctx context.Context, communityID string, id uint64) (*ops.CampaignView, error)
	List(ctx context.Context, communityID string) ([]*models.Campaign, error)
	Report(ctx context.Context, communityID string, id uint64) (*models.Campaign, *models.CampaignReport, error)
	AnswerCounts(ctx context.Context, list []*models.Campaign) (map[uint64]int, error)
	Answers(ctx context.Context, communityID string, id uint64) ([]models.AnsweredAppeal, error)
	Pending(ctx context.Context, communityID string, id uint64) (int, error)
	Status(c *models.Campaign) string
}

func (c *Console) registerCampaigns(r gin.IRoutes) {
	if c.d.Campaigns == nil {
		return
	}
	r.GET("/console/campaigns", c.secure, c.auth, c.campaigns)
	r.GET("/console/campaigns/new", c.secure, c.auth, c.newCampaign)
	r.POST("/console/campaigns", c.secure, c.auth, c.createCampaign)
	r.GET("/console/campaigns/:id", c.secure, c.auth, c.campaign)
	r.POST("/console/campaigns/:id/broadcast", c.secure, c.auth, c.broadcastCampaign)
}

// mayRun reports whether the viewer may change campaigns, projects, monthly
// topics and learned words (the committee and administrators: the rule is
// ops.CheckCommittee); when not, it has answered 403.
func (c *Console) mayRun(g *gin.Context, v *models.Viewer) bool {
	if err := ops.CheckCommittee(v.Actor()); err != nil {
		c.fail(g, http.StatusForbidden, committeeOnly)
		return false
	}
	return true
}

// canRun is mayRun without an answer, for showing or hiding the forms.
func canRun(v *models.Viewer) bool { return ops.CheckCommittee(v.Actor()) == nil }

// withCommunity adds ?community= to a console path for viewers of every
// community (a member's own community needs none).
func withCommunity(v *models.Viewer, path, community string) string {
	if !v.AllCommunities() {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "community=" + url.QueryEscape(community)
}

// campaignRow is one campaign of the list.
type campaignRow struct {
	C        *models.Campaign
	Status   string
	Audience string
	Answers  int
}

// audienceText says whom a campaign asks, grids by name.
func audienceText(cp *models.Campaign, gn gridNames) string {
	if cp.All {
		return "全体登记居民"
	}
	var parts []string
	if b := models.SplitList(cp.Buildings); len(b) > 0 {
		parts = append(parts, "楼栋 "+strings.Join(b, "、"))
	}
	if gs := models.SplitList(cp.Grids); len(gs) > 0 {
		var names []string
		for _, id := range gs {
			names = append(names, gn.Name(cp.CommunityID, id))
		}
		parts = append(parts, "网格 "+strings.Join(names, "、"))
	}
	return strings.Join(parts, "；")
}

func (c *Console) campaigns(g *gin.Context) {
	ctx := g.Request.Context()
	v := viewer(g)
	community := c.workCommunity(g, v)
	list, err := c.d.Campaigns.List(ctx, community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	gn, err := c.gridNamesOf(ctx, []string{community})
	if err != nil {
		c.failErr(g, err)
		return
	}
	answers, err := c.d.Campaigns.AnswerCounts(ctx, list)
	if err != nil {
		c.failErr(g, err)
		return
	}
	rows := make([]campaignRow, 0, len(list))
	for _, cp := range list {
		rows = append(rows, campaignRow{C: cp, Status: c.d.Campaigns.Status(cp), Audience: audienceText(cp, gn), Answers: answers[cp.ID]})
	}
	c.render(g, http.StatusOK, "campaigns", v, map[string]any{"Rows": rows, "Community": community,
		"CommunityName": c.communityName(community), "MayRun": canRun(v), "New": withCommunity(v, "/console/campaigns/new", community)})
}

// campaignForm is the create form as typed, and why it was refused.
type campaignForm struct {
	Question, Audience, Buildings, EndsAt, Error string
	Grids                                        []string
}

func (c *Console) newCampaign(g *gin.Context) {
	v := viewer(g)
	if !c.mayRun(g, v) {
		return
	}
	end := c.d.Now().In(c.d.Location).AddDate(0, 0, 7)
	end = time.Date(end.Year(), end.Month(), end.Day(), 18, 0, 0, 0, c.d.Location)
	c.showCampaignForm(g, &campaignForm{Audience: "all", EndsAt: end.Format("2006-01-02T15:04")}, http.StatusOK)
}

func (c *Console) showCampaignForm(g *gin.Context, f *campaignForm, status int) {
	v := viewer(g)
	community := c.workCommunity(g, v)
	grids, err := c.d.Store.Grids(g.Request.Context(), community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	c.render(g, status, "campaign_new", v, map[string]any{"Form": f, "Grids": grids, "Community": community,
		"CommunityName": c.communityName(community)})
}

func (c *Console) createCampaign(g *gin.Context) {
	v := viewer(g)
	if !c.mayRun(g, v) {
		return
	}
	community := c.workCommunity(g, v)
	f := &campaignForm{Question: g.PostForm("question"), Audience: g.PostForm("audience"), Buildings: g.PostForm("buildings"),
		EndsAt: g.PostForm("ends_at"), Grids: g.PostFormArray("grids")}
	refuse := func(msg string) {
		f.Error = msg
		c.showCampaignForm(g, f, http.StatusBadRequest)
	}
	ends, err := time.ParseInLocation("2006-01-02T15:04", f.EndsAt, c.d.Location)
	if err != nil {
		refuse("请填写截止时间（日期和时间）。")
		return
	}
	req := ops.CampaignRequest{CommunityID: community, Question: f.Question, EndsAt: ends, CreatedBy: v.Actor().String()}
	switch f.Audience {
	case "all":
		req.Audience.All = true
	case "buildings":
		for _, b := range splitList(f.Buildings) {
			req.Audience.Buildings = append(req.Audience.Buildings, normalizeBuilding(b))
		}
	case "grids":
		req.Audience.Grids = f.Grids
	default:
		refuse("请选择征询对象：全体居民、楼栋或网格。")
		return
	}
	cp, err := c.d.Campaigns.Create(g.Request.Context(), req)
	if err != nil {
		if models.ErrorCode(err) == models.EINTERNAL {
			c.failErr(g, err)
			return
		}
		refuse(formErrorFrom(err, campaignErrors))
		return
	}
	g.Redirect(http.StatusSeeOther, withCommunity(v, fmt.Sprintf("/console/campaigns/%d", cp.ID), community))
}

// unreachableRow is a resident to phone or visit: by address, never an openid.
type unreachableRow struct {
	Address, Grid, Source, Why string
}

func (c *Console) campaign(g *gin.Context) {
	ctx := g.Request.Context()
	v, community, id, ok := c.target(g, false, "问需编号不对。")
	if !ok {
		return
	}
	view, err := c.d.Campaigns.Get(ctx, community, id)
	if err != nil {
		c.failErr(g, err)
		return
	}
	_, rep, err := c.d.Campaigns.Report(ctx, community, id)
	if err != nil {
		c.failErr(g, err)
		return
	}
	answers, err := c.d.Campaigns.Answers(ctx, community, id)
	if err != nil {
		c.failErr(g, err)
		return
	}
	gn, err := c.gridNamesOf(ctx, []string{community})
	if err != nil {
		c.failErr(g, err)
		return
	}
	pending := 0
	if view.Status != "ended" {
		if pending, err = c.d.Campaigns.Pending(ctx, community, id); err != nil {
			c.failErr(g, err)
			return
		}
	}
	var unreachable []unreachableRow
	for _, u := range view.Unreachable {
		unreachable = append(unreachable, unreachableRow{Address: address(u.Building, u.Unit, u.Room),
			Grid: gn.Name(community, u.GridID), Source: u.Source, Why: u.Why})
	}
	cp := view.Campaign
	levels, topics := campaignCharts(rep)
	c.render(g, http.StatusOK, "campaign", v, map[string]any{"C": cp, "View": view, "R": rep, "Answers": answers,
		"Unreachable": unreachable, "Pending": pending, "Audience": audienceText(cp, gn), "Community": community,
		"Levels": levels, "Topics": topics, "MayRun": canRun(v), "Projects": c.d.Projects != nil,
		"Back":       withCommunity(v, "/console/campaigns", community),
		"NewProject": withCommunity(v, fmt.Sprintf("/console/projects/new?campaign=%d", cp.ID), community),
		"Sent":       g.Query("sent") != "", "Queued": g.Query("queued"), "Deferred": g.Query("deferred"), "Unreached": g.Query("unreached")})
}

func (c *Console) broadcastCampaign(g *gin.Context) {
	v, community, id, ok := c.target(g, true, "问需编号不对。")
	if !ok {
		return
	}
	_, res, err := c.d.Campaigns.Broadcast(g.Request.Context(), community, id)
	if err != nil {
		if models.ErrorCode(err) == models.EINTERNAL {
			c.failErr(g, err)
			return
		}
		c.fail(g, statusOf(err), formErrorFrom(err, campaignErrors))
		return
	}
	to := fmt.Sprintf("/console/campaigns/%d?sent=1&queued=%d&deferred=%d&unreached=%d", id, res.Queued, res.Deferred, res.Unreachable)
	g.Redirect(http.StatusSeeOther, withCommunity(v, to, community))
}

// statusOf is the HTTP status of a domain refusal.
func statusOf(err error) int {
	if s := map[string]int{models.EINVALID: 400, models.ENOTFOUND: 404, models.ECONFLICT: 409, models.EFORBIDDEN: 403}[models.ErrorCode(err)]; s != 0 {
		return s
	}
	return http.StatusInternalServerError
}

// campaignCharts draws a campaign's report: its answers by handling level
// (the seed's split, with the private ones guided to self-help) and the
// topics raised most.
func campaignCharts(r *models.CampaignReport) (levels, topics template.HTML) {
	levels = barChart("问需结果：按办理层级", []bar{
		{LevelNames["community"], r.ByLevel["community"], -1, "#2e7d32"},
		{LevelNames["street"], r.ByLevel["street"], -1, "#1565c0"},
		{LevelNames["district"], r.ByLevel["district"], -1, "#b71c1c"},
		{LevelNames["self"], r.ByLevel["self"], -1, "#6a1b9a"},
	}, false)
	if len(r.TopTopics) == 0 {
		return levels, ""
	}
	bars := make([]bar, 0, len(r.TopTopics))
	for _, t := range r.TopTopics {
		label := []rune(t.Topic)
		if len(label) > 9 {
			label = append(label[:8], '…')
		}
		bars = append(bars, bar{string(label), t.Count, -1, "#b26a00"})
	}
	return levels, barChart("反映最多的问题", bars, false)
}
