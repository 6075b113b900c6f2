package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// CampaignService is what the campaign endpoints need; *ops.Campaigns implements it.
type CampaignService interface {
	Create(ctx context.Context, r ops.CampaignRequest) (*models.Campaign, error)
	Broadcast(ctx context.Context, communityID string, id uint64) (*models.Campaign, ops.SendResult, error)
	Get(ctx context.Context, communityID string, id uint64) (*ops.CampaignView, error)
	List(ctx context.Context, communityID string) ([]*models.Campaign, error)
	Report(ctx context.Context, communityID string, id uint64) (*models.Campaign, *models.CampaignReport, error)
	Status(c *models.Campaign) string
}

// ProjectService is what the project endpoints need; *bot.Projects implements it.
type ProjectService interface {
	Create(ctx context.Context, r ops.ProjectRequest) (*models.Project, error)
	Pledge(ctx context.Context, communityID string, id uint64, r ops.PledgeRequest) (*models.ProjectPledge, error)
	Milestone(ctx context.Context, communityID string, id uint64, r ops.MilestoneRequest) (*models.ProjectMilestone, ops.SendResult, error)
	Complete(ctx context.Context, communityID string, id uint64, r ops.CompleteRequest) (*models.Project, ops.SendResult, error)
	Get(ctx context.Context, communityID string, id uint64) (*ops.ProjectView, error)
	List(ctx context.Context, communityID, need string) ([]*ops.ProjectView, error)
}

// TopicService is what the monthly topic endpoints need; *bot.Topics implements it.
type TopicService interface {
	List(ctx context.Context, communityID string) ([]*models.TopicProposal, error)
	CallMeeting(ctx context.Context, communityID string, id uint64, startsAt time.Time, venue string, capacity int, by models.Actor) (*models.Meeting, error)
}

// campaignsAPI serves /api/campaigns, /api/projects and /api/topics/monthly.
type campaignsAPI struct {
	*staffAPI
	campaigns CampaignService
	projects  ProjectService
	topics    TopicService
}

func (a *campaignsAPI) register(g *gin.RouterGroup) {
	if a.campaigns != nil {
		g.POST("/campaigns", a.createCampaign)
		g.GET("/campaigns", a.listCampaigns)
		g.GET("/campaigns/:id", a.getCampaign)
		g.POST("/campaigns/:id/broadcast", a.broadcastCampaign)
		g.GET("/campaigns/:id/report", a.campaignReport)
	}
	if a.projects != nil {
		g.POST("/projects", a.createProject)
		g.GET("/projects", a.listProjects)
		g.GET("/projects/:id", a.getProject)
		g.POST("/projects/:id/pledges", a.pledge)
		g.POST("/projects/:id/milestones", a.milestone)
		g.POST("/projects/:id/complete", a.complete)
	}
	if a.topics != nil {
		g.GET("/topics/monthly", a.listTopics)
		g.POST("/topics/monthly/:id/meeting", a.topicMeeting)
	}
}

type campaignJSON struct {
	ID          uint64       `json:"id"`
	Code        string       `json:"code"`
	Question    string       `json:"question"`
	Audience    ops.Audience `json:"audience"`
	EndsAt      time.Time    `json:"ends_at"`
	Status      string       `json:"status"` // draft, open, ended
	BroadcastAt *time.Time   `json:"broadcast_at,omitempty"`
	CreatedBy   string       `json:"created_by"`
	CreatedAt   time.Time    `json:"created_at"`
}

func (a *campaignsAPI) campaignOut(c *models.Campaign) campaignJSON {
	out := campaignJSON{ID: c.ID, Code: c.Code, Question: c.Question, EndsAt: a.in(c.EndsAt), Status: a.campaigns.Status(c),
		CreatedBy: c.CreatedBy, CreatedAt: a.in(c.CreatedAt),
		Audience: ops.Audience{All: c.All, Buildings: models.SplitList(c.Buildings), Grids: models.SplitList(c.Grids)}}
	if c.BroadcastAt != nil {
		t := a.in(*c.BroadcastAt)
		out.BroadcastAt = &t
	}
	return out
}

func (a *campaignsAPI) createCampaign(c *gin.Context) {
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	var b struct {
		Question  string       `json:"question"`
		Audience  ops.Audience `json:"audience"`
		EndsAt    string       `json:"ends_at"`
		Broadcast bool         `json:"broadcast"`
	}
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	ends, err := parseTime("ends_at", b.EndsAt)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	cp, err := a.campaigns.Create(c.Request.Context(), ops.CampaignRequest{CommunityID: community, Question: b.Question,
		Audience: b.Audience, EndsAt: ends, CreatedBy: string(models.ActorAdmin)})
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	if !b.Broadcast {
		a.respondCampaign(c, http.StatusCreated, community, cp.ID, nil)
		return
	}
	_, res, err := a.campaigns.Broadcast(c.Request.Context(), community, cp.ID)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondCampaign(c, http.StatusCreated, community, cp.ID, &res)
}

// respondCampaign answers with the campaign, its recipients' count and whom to phone.
func (a *campaignsAPI) respondCampaign(c *gin.Context, status int, community string, id uint64, sent *ops.SendResult) {
	v, err := a.campaigns.Get(c.Request.Context(), community, id)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	// Whom to phone or visit, by registered address: never an openid.
	un := v.Unreachable
	if un == nil {
		un = []models.UnreachableResident{}
	}
	body := gin.H{"id": v.Campaign.ID, "code": v.Campaign.Code, "campaign": a.campaignOut(v.Campaign),
		"recipients": v.Recipients, "unreachable": un}
	if sent != nil {
		body["sent"] = sent
	}
	c.JSON(status, body)
}

func (a *campaignsAPI) listCampaigns(c *gin.Context) {
	if _, out, ok := communityList(a.staffAPI, c, a.campaigns.List, a.campaignOut); ok {
		c.JSON(http.StatusOK, gin.H{"campaigns": out})
	}
}

func (a *campaignsAPI) getCampaign(c *gin.Context) {
	if community, id, ok := a.communityAndID(c, "campaign"); ok {
		a.respondCampaign(c, http.StatusOK, community, id, nil)
	}
}

func (a *campaignsAPI) broadcastCampaign(c *gin.Context) {
	community, id, ok := a.communityAndID(c, "campaign")
	if !ok {
		return
	}
	_, res, err := a.campaigns.Broadcast(c.Request.Context(), community, id)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondCampaign(c, http.StatusOK, community, id, &res)
}

// CampaignReportJSON is the API's (and `gongzhi report --campaign --json`'s) shape of a campaign's report.
type CampaignReportJSON struct {
	Campaign            any                 `json:"campaign"`
	Total               int                 `json:"total"`
	Appeals             int                 `json:"appeals"`
	Answerers           int                 `json:"answerers"`
	ByLevel             map[string]int      `json:"by_level"`
	ByKind              map[string]int      `json:"by_kind"`
	ByStatus            map[string]int      `json:"by_status"`
	TopTopics           []models.TopicCount `json:"top_topics"`
	AnsweredImmediately int                 `json:"answered_immediately"`
	Resolved            int                 `json:"resolved"`
	ResolvedOnTime      int                 `json:"resolved_on_time"`
	Guided              int                 `json:"guided"`
	Recipients          map[string]int      `json:"recipients"`
}

// CampaignReportOut shapes a report for JSON.
func CampaignReportOut(campaign any, r *models.CampaignReport) CampaignReportJSON {
	top := r.TopTopics
	if top == nil {
		top = []models.TopicCount{}
	}
	return CampaignReportJSON{Campaign: campaign, Total: r.Total, Appeals: r.Appeals, Answerers: r.Answerers,
		ByLevel: r.ByLevel, ByKind: r.ByKind, ByStatus: r.ByStatus, TopTopics: top, AnsweredImmediately: r.Immediate,
		Resolved: r.Resolved, ResolvedOnTime: r.OnTime, Guided: r.Guided,
		Recipients: map[string]int{"total": r.Recipients, "reached": r.Reached, "unreachable": r.Unreached}}
}

func (a *campaignsAPI) campaignReport(c *gin.Context) {
	community, id, ok := a.communityAndID(c, "campaign")
	if !ok {
		return
	}
	cp, rep, err := a.campaigns.Report(c.Request.Context(), community, id)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, CampaignReportOut(a.campaignOut(cp), rep))
}

type projectJSON struct {
	ID              uint64           `json:"id"`
	Code            string           `json:"code"`
	Name            string           `json:"name"`
	Need            string           `json:"need"`
	LeadStakeholder uint64           `json:"lead_stakeholder,omitempty"`
	CampaignID      uint64           `json:"campaign_id,omitempty"`
	MeetingID       uint64           `json:"meeting_id,omitempty"`
	AppealRefs      []string         `json:"appeal_refs"`
	Status          string           `json:"status"`
	Outcome         string           `json:"outcome,omitempty"`
	CompletedAt     *time.Time       `json:"completed_at,omitempty"`
	Funding         map[string]int64 `json:"funding_yuan"` // by source
	FundingTotal    int64            `json:"funding_total_yuan"`
	Volunteers      int              `json:"volunteers"`
	Pledges         []gin.H          `json:"pledges,omitempty"`
	Milestones      []gin.H          `json:"milestones,omitempty"`
	CreatedAt       time.Time        `json:"created_at"`
}

func (a *campaignsAPI) projectOut(v *ops.ProjectView) projectJSON {
	p := v.Project
	out := projectJSON{ID: p.ID, Code: p.Code, Name: p.Name, Need: string(p.Need), LeadStakeholder: p.LeadStakeholderID,
		CampaignID: p.CampaignID, MeetingID: p.MeetingID, AppealRefs: p.LinkedAppeals(), Status: string(p.Status),
		Outcome: p.Outcome, Funding: map[string]int64{}, CreatedAt: a.in(p.CreatedAt)}
	if out.AppealRefs == nil {
		out.AppealRefs = []string{}
	}
	if p.CompletedAt != nil {
		t := a.in(*p.CompletedAt)
		out.CompletedAt = &t
	}
	if t := v.Totals; t != nil {
		for s, n := range t.BySource {
			out.Funding[string(s)] = n
		}
		out.FundingTotal, out.Volunteers = t.Total, t.Volunteers
	}
	for _, pl := range v.Pledges {
		out.Pledges = append(out.Pledges, gin.H{"id": pl.ID, "source": pl.Source, "amount_yuan": pl.AmountYuan,
			"donor": pl.Donor, "at": a.in(pl.CreatedAt)})
	}
	for _, m := range v.Milestones {
		h := gin.H{"id": m.ID, "title": m.Title, "note": m.Note, "at": a.in(m.CreatedAt)}
		if m.Progress >= 0 {
			h["progress"] = m.Progress
		}
		out.Milestones = append(out.Milestones, h)
	}
	return out
}

func (a *campaignsAPI) respondProject(c *gin.Context, status int, community string, id uint64, extra gin.H) {
	v, err := a.projects.Get(c.Request.Context(), community, id)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	body := gin.H{"id": v.Project.ID, "code": v.Project.Code, "project": a.projectOut(v)}
	for k, x := range extra {
		body[k] = x
	}
	c.JSON(status, body)
}

func (a *campaignsAPI) createProject(c *gin.Context) {
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	var b struct {
		Name            string   `json:"name"`
		Need            string   `json:"need"`
		LeadStakeholder uint64   `json:"lead_stakeholder"`
		CampaignID      uint64   `json:"campaign_id"`
		MeetingID       uint64   `json:"meeting_id"`
		AppealRefs      []string `json:"appeal_refs"`
	}
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	p, err := a.projects.Create(c.Request.Context(), ops.ProjectRequest{CommunityID: community, Name: b.Name, Need: b.Need,
		LeadStakeholder: b.LeadStakeholder, CampaignID: b.CampaignID, MeetingID: b.MeetingID, AppealRefs: b.AppealRefs,
		CreatedBy: string(models.ActorAdmin)})
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondProject(c, http.StatusCreated, community, p.ID, nil)
}

func (a *campaignsAPI) listProjects(c *gin.Context) {
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	vs, err := a.projects.List(c.Request.Context(), community, c.Query("need"))
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	out := make([]projectJSON, 0, len(vs))
	for _, v := range vs {
		out = append(out, a.projectOut(v))
	}
	c.JSON(http.StatusOK, gin.H{"projects": out})
}

func (a *campaignsAPI) getProject(c *gin.Context) {
	if community, id, ok := a.communityAndID(c, "project"); ok {
		a.respondProject(c, http.StatusOK, community, id, nil)
	}
}

func (a *campaignsAPI) pledge(c *gin.Context) {
	community, id, ok := a.communityAndID(c, "project")
	if !ok {
		return
	}
	var b struct {
		Source     string `json:"source"`
		AmountYuan int64  `json:"amount_yuan"`
		Donor      string `json:"donor"`
	}
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	pl, err := a.projects.Pledge(c.Request.Context(), community, id, ops.PledgeRequest{Source: b.Source, AmountYuan: b.AmountYuan,
		Donor: b.Donor, By: string(models.ActorAdmin)})
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondProject(c, http.StatusCreated, community, id, gin.H{"pledge_id": pl.ID})
}

func (a *campaignsAPI) milestone(c *gin.Context) {
	community, id, ok := a.communityAndID(c, "project")
	if !ok {
		return
	}
	var b struct {
		Title    string `json:"title"`
		Progress *int   `json:"progress"`
		Note     string `json:"note"`
	}
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	ms, res, err := a.projects.Milestone(c.Request.Context(), community, id, ops.MilestoneRequest{Title: b.Title,
		Progress: b.Progress, Note: b.Note, By: string(models.ActorAdmin)})
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondProject(c, http.StatusCreated, community, id, gin.H{"milestone_id": ms.ID, "sent": res})
}

func (a *campaignsAPI) complete(c *gin.Context) {
	community, id, ok := a.communityAndID(c, "project")
	if !ok {
		return
	}
	var b struct {
		Outcome string `json:"outcome"`
		By      string `json:"by"`
	}
	if err := decode(c, &b); err != nil {
		writeError(c, a.log, err)
		return
	}
	_, res, err := a.projects.Complete(c.Request.Context(), community, id, ops.CompleteRequest{Outcome: b.Outcome, By: b.By})
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	a.respondProject(c, http.StatusOK, community, id, gin.H{"sent": res})
}

func (a *campaignsAPI) listTopics(c *gin.Context) {
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	ps, err := a.topics.List(c.Request.Context(), community)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	out := make([]gin.H, 0, len(ps))
	for _, p := range ps {
		refs := p.LinkedAppeals()
		if refs == nil {
			refs = []string{}
		}
		h := gin.H{"id": p.ID, "month": p.Month, "topic_id": p.TopicID, "topic": p.Topic, "mentions": p.Mentions,
			"appeal_refs": refs, "proposed_at": a.in(p.CreatedAt)}
		if p.MeetingID != 0 {
			h["meeting_id"] = p.MeetingID
		}
		out = append(out, h)
	}
	c.JSON(http.StatusOK, gin.H{"topics": out})
}

func (a *campaignsAPI) topicMeeting(c *gin.Context) {
	community, id, ok := a.communityAndID(c, "monthly topic")
	if !ok {
		return
	}
	var b struct {
		schedule
		Venue string `json:"venue"`
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
	m, err := a.topics.CallMeeting(c.Request.Context(), community, id, at, b.Venue, capacity, models.Actor{Kind: models.ActorAdmin})
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"meeting_id": m.ID, "code": m.Code, "topic": m.Topic, "appeal_refs": m.LinkedAppeals()})
}
