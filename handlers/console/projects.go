package console

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// ProjectOps is the community service project operations (项目化) the
// admin API uses too (*ops.Projects).
type ProjectOps interface {
	Create(ctx context.Context, r ops.ProjectRequest) (*models.Project, error)
	Pledge(ctx context.Context, communityID string, id uint64, r ops.PledgeRequest) (*models.ProjectPledge, error)
	Milestone(ctx context.Context, communityID string, id uint64, r ops.MilestoneRequest) (*models.ProjectMilestone, ops.SendResult, error)
	Complete(ctx context.Context, communityID string, id uint64, r ops.CompleteRequest) (*models.Project, ops.SendResult, error)
	Get(ctx context.Context, communityID string, id uint64) (*ops.ProjectView, error)
	List(ctx context.Context, communityID, need string) ([]*ops.ProjectView, error)
}

func (c *Console) registerProjects(r gin.IRoutes) {
	if c.d.Projects == nil {
		return
	}
	r.GET("/console/projects", c.secure, c.auth, c.projects)
	r.GET("/console/projects/new", c.secure, c.auth, c.newProject)
	r.POST("/console/projects", c.secure, c.auth, c.createProject)
	r.GET("/console/projects/:id", c.secure, c.auth, c.project)
	r.POST("/console/projects/:id/:op", c.secure, c.auth, c.projectOp)
}

// origins names what projects grew from and who carries them: stakeholders,
// campaigns and meetings of the community, by id.
type origins struct {
	Holders   map[uint64]*models.Stakeholder
	Campaigns map[uint64]*models.Campaign
	Meetings  map[uint64]*models.Meeting
	// Lists for the create form.
	HolderList   []*models.Stakeholder
	CampaignList []*models.Campaign
	MeetingList  []*models.Meeting
}

func (c *Console) originsOf(ctx context.Context, community string) (*origins, error) {
	o := &origins{Holders: map[uint64]*models.Stakeholder{}, Campaigns: map[uint64]*models.Campaign{}, Meetings: map[uint64]*models.Meeting{}}
	if c.d.People != nil {
		hs, err := c.d.People.Stakeholders(ctx, community)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			o.Holders[h.ID] = h
			if h.Active {
				o.HolderList = append(o.HolderList, h)
			}
		}
	}
	if c.d.Campaigns != nil {
		cs, err := c.d.Campaigns.List(ctx, community)
		if err != nil {
			return nil, err
		}
		o.CampaignList = cs
		for _, cp := range cs {
			o.Campaigns[cp.ID] = cp
		}
	}
	if ml, ok := c.d.Store.(meetingLister); ok {
		ms, err := ml.ConsoleMeetings(ctx, community, 200)
		if err != nil {
			return nil, err
		}
		o.MeetingList = ms
		for _, m := range ms {
			o.Meetings[m.ID] = m
		}
	}
	return o, nil
}

// projectCard is a project as the list and its page show it.
type projectCard struct {
	V        *ops.ProjectView
	Lead     string
	Campaign *models.Campaign
	Meeting  *models.Meeting
	Latest   *models.ProjectMilestone
	Progress int // the latest progress given, -1 if none
}

func (o *origins) card(v *ops.ProjectView) projectCard {
	p := v.Project
	pc := projectCard{V: v, Campaign: o.Campaigns[p.CampaignID], Meeting: o.Meetings[p.MeetingID], Progress: -1}
	if h := o.Holders[p.LeadStakeholderID]; h != nil {
		pc.Lead = h.Name
	}
	for _, m := range v.Milestones {
		pc.Latest = m
		if m.Progress >= 0 {
			pc.Progress = m.Progress
		}
	}
	return pc
}

// needGroup is the projects of one need.
type needGroup struct {
	Need     models.Need
	Projects []projectCard
}

func (c *Console) projects(g *gin.Context) {
	ctx := g.Request.Context()
	v := viewer(g)
	community := c.workCommunity(g, v)
	list, err := c.d.Projects.List(ctx, community, "")
	if err != nil {
		c.failErr(g, err)
		return
	}
	o, err := c.originsOf(ctx, community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	by := map[models.Need][]projectCard{}
	for _, pv := range list {
		full, err := c.d.Projects.Get(ctx, community, pv.Project.ID) // with its milestones
		if err != nil {
			c.failErr(g, err)
			return
		}
		by[pv.Project.Need] = append(by[pv.Project.Need], o.card(full))
	}
	groups := make([]needGroup, 0, len(models.Needs))
	for _, n := range models.Needs {
		groups = append(groups, needGroup{Need: n, Projects: by[n]})
	}
	c.render(g, http.StatusOK, "projects", v, map[string]any{"Groups": groups, "Total": len(list), "Community": community,
		"CommunityName": c.communityName(community), "MayRun": canRun(v), "Sources": models.PledgeSources,
		"New": withCommunity(v, "/console/projects/new", community)})
}

// projectForm is the create form as typed, and why it was refused.
type projectForm struct {
	Name, Need, Lead, Campaign, Meeting, Refs, Error string
}

func (c *Console) newProject(g *gin.Context) {
	v := viewer(g)
	if !c.mayRun(g, v) {
		return
	}
	f := &projectForm{Campaign: g.Query("campaign"), Meeting: g.Query("meeting")}
	if id, err := strconv.ParseUint(f.Campaign, 10, 64); err == nil && c.d.Campaigns != nil {
		// From a campaign: its answers' appeals, but the private ones (guided to self-help).
		answers, err := c.d.Campaigns.Answers(g.Request.Context(), c.workCommunity(g, v), id)
		if err != nil {
			c.failErr(g, err)
			return
		}
		var refs []string
		for _, a := range answers {
			if a.Appeal.Kind != models.KindPrivate && len(refs) < ops.MaxProjectAppeals {
				refs = append(refs, a.Appeal.Ref)
			}
		}
		f.Refs = strings.Join(refs, ", ")
	}
	c.showProjectForm(g, f, http.StatusOK)
}

func (c *Console) showProjectForm(g *gin.Context, f *projectForm, status int) {
	v := viewer(g)
	community := c.workCommunity(g, v)
	o, err := c.originsOf(g.Request.Context(), community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	c.render(g, status, "project_new", v, map[string]any{"Form": f, "O": o, "Needs": models.Needs, "Community": community,
		"CommunityName": c.communityName(community), "KindNames": stakeholderKindNames})
}

func parseID(s string) uint64 {
	id, _ := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	return id
}

func (c *Console) createProject(g *gin.Context) {
	v := viewer(g)
	if !c.mayRun(g, v) {
		return
	}
	community := c.workCommunity(g, v)
	f := &projectForm{Name: g.PostForm("name"), Need: g.PostForm("need"), Lead: g.PostForm("lead"), Campaign: g.PostForm("campaign"),
		Meeting: g.PostForm("meeting"), Refs: g.PostForm("appeal_refs")}
	p, err := c.d.Projects.Create(g.Request.Context(), ops.ProjectRequest{CommunityID: community, Name: f.Name, Need: f.Need,
		LeadStakeholder: parseID(f.Lead), CampaignID: parseID(f.Campaign), MeetingID: parseID(f.Meeting),
		AppealRefs: splitList(f.Refs), CreatedBy: v.Actor().String()})
	if err != nil {
		if models.ErrorCode(err) == models.EINTERNAL {
			c.failErr(g, err)
			return
		}
		f.Error = formErrorFrom(err, projectErrors)
		c.showProjectForm(g, f, http.StatusBadRequest)
		return
	}
	g.Redirect(http.StatusSeeOther, withCommunity(v, fmt.Sprintf("/console/projects/%d", p.ID), community))
}

// projectOpForm is a refused form of a project's page: which, why, what was typed.
type projectOpForm struct {
	Op, Error                                             string
	Source, Amount, Donor, Title, Progress, Note, Outcome string
}

func (c *Console) project(g *gin.Context) { c.showProject(g, &projectOpForm{}, http.StatusOK) }

func (c *Console) showProject(g *gin.Context, f *projectOpForm, status int) {
	ctx := g.Request.Context()
	v, community, id, ok := c.target(g, false, "项目编号不对。")
	if !ok {
		return
	}
	pv, err := c.d.Projects.Get(ctx, community, id)
	if err != nil {
		c.failErr(g, err)
		return
	}
	o, err := c.originsOf(ctx, community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	card := o.card(pv)
	c.render(g, status, "project", v, map[string]any{"P": pv.Project, "Card": card, "T": pv.Totals, "Pledges": pv.Pledges,
		"Milestones": pv.Milestones, "Appeals": pv.Project.LinkedAppeals(), "Sources": models.PledgeSources, "Form": f,
		"Community": community, "MayRun": canRun(v), "Open": pv.Project.Status == models.ProjectActive,
		"Back": withCommunity(v, "/console/projects", community),
		"Done": g.Query("done"), "Queued": g.Query("queued"), "Deferred": g.Query("deferred")})
}

// projectOp takes a project page's forms: a pledge, a milestone (told to
// the linked appeals' residents and the volunteers), the completion (the
// linked appeals resolved, their residents asked to rate).
func (c *Console) projectOp(g *gin.Context) {
	ctx := g.Request.Context()
	v, community, id, ok := c.target(g, true, "项目编号不对。")
	if !ok {
		return
	}
	f := &projectOpForm{Op: g.Param("op"), Source: g.PostForm("source"), Amount: g.PostForm("amount_yuan"), Donor: g.PostForm("donor"),
		Title: g.PostForm("title"), Progress: g.PostForm("progress"), Note: g.PostForm("note"), Outcome: g.PostForm("outcome")}
	refuseAs := func(status int, msg string) {
		f.Error = msg
		c.showProject(g, f, status)
	}
	refuse := func(msg string) { refuseAs(http.StatusBadRequest, msg) }
	var res ops.SendResult
	var err error
	switch f.Op {
	case "pledge":
		amount, ok := parseYuan(f.Amount)
		if !ok {
			refuse("金额请填写1至100000000之间的整数（元）。")
			return
		}
		_, err = c.d.Projects.Pledge(ctx, community, id, ops.PledgeRequest{Source: f.Source, AmountYuan: amount, Donor: f.Donor,
			By: v.Actor().String()})
	case "milestone":
		req := ops.MilestoneRequest{Title: f.Title, Note: f.Note, By: v.Actor().String()}
		if s := strings.TrimSpace(f.Progress); s != "" {
			n, perr := strconv.Atoi(strings.TrimSuffix(s, "%"))
			if perr != nil {
				refuse("进度请填写0至100之间的整数，或不填。")
				return
			}
			req.Progress = &n
		}
		_, res, err = c.d.Projects.Milestone(ctx, community, id, req)
	case "complete":
		if v.Staff == nil {
			refuse("记录项目成果需要以两委成员或管理员的身份登录（在公众号中发送“登录”），管理员令牌不能代替。")
			return
		}
		_, res, err = c.d.Projects.Complete(ctx, community, id, ops.CompleteRequest{Outcome: f.Outcome,
			By: strconv.FormatUint(v.Staff.ID, 10)})
	default:
		c.fail(g, http.StatusNotFound, "没有这个操作。")
		return
	}
	if err != nil {
		c.opFailed(g, err, refuseAs, projectErrors)
		return
	}
	to := fmt.Sprintf("/console/projects/%d?done=%s&queued=%d&deferred=%d", id, f.Op, res.Queued, res.Deferred)
	g.Redirect(http.StatusSeeOther, withCommunity(v, to, community))
}

// yuanRe is a whole number of yuan as people type it: plain digits, or with
// commas between groups of three (250,000); never 12,5 or 1,,0.
var yuanRe = regexp.MustCompile(`^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)$`)

// parseYuan reads an amount typed in the pledge form.
func parseYuan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if !yuanRe.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	return n, err == nil
}
