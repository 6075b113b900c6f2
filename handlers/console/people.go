package console

import (
	"context"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/gongzhi/gongzhi/models"
)

// PeopleStore is what the people pages read and write. *store.DB implements it.
type PeopleStore interface {
	PendingInvites(ctx context.Context, communityID string, now time.Time) ([]*models.StaffInvite, error)
	RevokeInviteByID(ctx context.Context, communityID string, id uint64, now time.Time) error
	Departments(ctx context.Context, communityID string) ([]*models.Department, error)
	PutGrids(ctx context.Context, communityID string, grids []models.GridSpec) error
	Stakeholders(ctx context.Context, communityID string) ([]*models.Stakeholder, error)
	SaveStakeholder(ctx context.Context, s *models.Stakeholder) error
	DeactivateStakeholder(ctx context.Context, communityID string, id uint64) error
}

// stakeholderKindNames are the directory's kinds in Chinese.
var stakeholderKindNames = map[string]string{"property": "物业公司", "owners_committee": "业委会", "social_org": "社会组织",
	"social_worker": "社工", "social_unit": "驻区单位"}

func (c *Console) registerPeople(r gin.IRoutes) {
	if c.d.People == nil || c.d.Staff == nil {
		return
	}
	r.GET("/console/people", c.secure, c.auth, c.people)
	r.POST("/console/people/invites", c.secure, c.auth, c.invite)
	r.POST("/console/people/invites/:id/revoke", c.secure, c.auth, c.revokeInvite)
	r.POST("/console/people/staff/:id/deactivate", c.secure, c.auth, c.deactivateStaff)
	r.POST("/console/people/grids", c.secure, c.auth, c.putGrids)
	r.POST("/console/people/stakeholders", c.secure, c.auth, c.addStakeholder)
	r.POST("/console/people/stakeholders/:id/deactivate", c.secure, c.auth, c.removeStakeholder)
}

// workCommunity is the one community a page changes: a member's own; for
// viewers of every community the one named in the request, else the default.
func (c *Console) workCommunity(g *gin.Context, v *models.Viewer) string {
	if !v.AllCommunities() {
		return v.Staff.CommunityID
	}
	if s := strings.TrimSpace(g.PostForm("community")); s != "" {
		return s
	}
	if s := strings.TrimSpace(g.Query("community")); s != "" {
		return s
	}
	return c.d.Community
}

// mayGrant reports whether the viewer may invite someone to role r or end
// their role: administrators and district coordinators are made by an
// administrator only.
func mayGrant(v *models.Viewer, r models.Role) bool {
	if r != models.RoleAdmin && r != models.RoleDistrictCoordinator {
		return true
	}
	return v.Staff == nil || v.Staff.Role == models.RoleAdmin
}

// gridLine is one grid in the grids form: "id 名称 1,2,3".
func gridLine(g *models.Grid) string {
	return g.ID + " " + g.Name + " " + strings.Join(g.BuildingList(), ",")
}

func (c *Console) people(g *gin.Context) {
	c.showPeople(g, nil)
}

// showPeople renders the people page; fresh is a code just issued (shown once).
func (c *Console) showPeople(g *gin.Context, fresh map[string]any) {
	ctx := g.Request.Context()
	v := viewer(g)
	community := c.workCommunity(g, v)
	staff, err := c.d.Store.ListStaff(ctx, community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	invites, err := c.d.People.PendingInvites(ctx, community, c.d.Now())
	if err != nil {
		c.failErr(g, err)
		return
	}
	grids, err := c.d.Store.Grids(ctx, community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	deps, err := c.d.People.Departments(ctx, community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	holders, err := c.d.People.Stakeholders(ctx, community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	var lines []string
	for _, gr := range grids {
		lines = append(lines, gridLine(gr))
	}
	status := http.StatusOK
	if fresh != nil && fresh["Error"] != nil {
		status = http.StatusBadRequest
	}
	c.render(g, status, "people", v, map[string]any{"Community": community, "Staff": staff, "Invites": invites,
		"Grids": grids, "GridText": strings.Join(lines, "\n"), "Departments": deps, "Stakeholders": holders,
		"Fresh": fresh, "KindNames": stakeholderKindNames, "Kinds": models.StakeholderKinds})
}

func (c *Console) invite(g *gin.Context) {
	v := viewer(g)
	req := models.InviteRequest{CommunityID: c.workCommunity(g, v), Role: models.Role(g.PostForm("role")),
		GridID: strings.TrimSpace(g.PostForm("grid")), Department: strings.TrimSpace(g.PostForm("department")), Name: g.PostForm("name")}
	if req.Role != models.RoleGridWorker {
		req.GridID = ""
	}
	if req.Role != models.RoleLiaison {
		req.Department = ""
	}
	if !mayGrant(v, req.Role) {
		c.fail(g, http.StatusForbidden, "只有管理员可以邀请管理员或区级统筹人员。")
		return
	}
	code, inv, err := c.d.Staff.Invite(g.Request.Context(), v.Actor(), req)
	if err != nil {
		c.showPeople(g, map[string]any{"Error": models.ErrorMessage(err)})
		return
	}
	png, err := qrcode.Encode("绑定 "+code, qrcode.Medium, 240)
	if err != nil {
		c.failErr(g, err)
		return
	}
	c.showPeople(g, map[string]any{"Code": code, "Invite": inv,
		"QR": template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}) // our own PNG
}

func pathID(g *gin.Context) (uint64, bool) {
	id, err := strconv.ParseUint(g.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

func (c *Console) revokeInvite(g *gin.Context) {
	id, ok := pathID(g)
	if !ok {
		c.fail(g, http.StatusBadRequest, "编号不对。")
		return
	}
	if err := c.d.People.RevokeInviteByID(g.Request.Context(), c.workCommunity(g, viewer(g)), id, c.d.Now()); err != nil {
		c.failErr(g, err)
		return
	}
	c.backToPeople(g)
}

func (c *Console) backToPeople(g *gin.Context) {
	to := "/console/people"
	if v := viewer(g); v.AllCommunities() {
		to += "?community=" + url.QueryEscape(c.workCommunity(g, v))
	}
	g.Redirect(http.StatusSeeOther, to)
}

// deactivateStaff ends a staff member's role and their console sessions.
func (c *Console) deactivateStaff(g *gin.Context) {
	ctx := g.Request.Context()
	v := viewer(g)
	id, ok := pathID(g)
	if !ok {
		c.fail(g, http.StatusBadRequest, "编号不对。")
		return
	}
	community := c.workCommunity(g, v)
	s, err := c.d.Store.StaffByID(ctx, community, id)
	if err != nil {
		c.failErr(g, err)
		return
	}
	if !mayGrant(v, s.Role) {
		c.fail(g, http.StatusForbidden, "只有管理员可以停用管理员或区级统筹人员。")
		return
	}
	if _, err := c.d.Staff.Deactivate(ctx, v.Actor(), community, id); err != nil {
		c.failErr(g, err)
		return
	}
	if err := c.d.Store.EndStaffSessions(ctx, id, c.d.Now()); err != nil {
		c.failErr(g, err)
		return
	}
	c.backToPeople(g)
}

// putGrids replaces the grids from the form's lines "id 名称 1,2,3".
func (c *Console) putGrids(g *gin.Context) {
	var specs []models.GridSpec
	for i, line := range strings.Split(g.PostForm("grids"), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) > 3 {
			c.fail(g, http.StatusBadRequest, "第 "+strconv.Itoa(i+1)+" 行格式不对：每行写“网格编号 名称 楼栋1,楼栋2”，名称中不要有空格。")
			return
		}
		spec := models.GridSpec{ID: f[0]}
		if len(f) > 1 {
			spec.Name = f[1]
		}
		if len(f) > 2 {
			for _, b := range strings.FieldsFunc(f[2], func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
				spec.Buildings = append(spec.Buildings, normalizeBuilding(b))
			}
		}
		specs = append(specs, spec)
	}
	if err := c.d.People.PutGrids(g.Request.Context(), c.workCommunity(g, viewer(g)), specs); err != nil {
		c.failErr(g, err)
		return
	}
	c.backToPeople(g)
}

// normalizeBuilding strips the words residents add around a building number.
func normalizeBuilding(s string) string {
	s = strings.TrimSpace(s)
	for _, suf := range []string{"号楼", "栋", "幢", "号", "楼"} {
		s = strings.TrimSuffix(s, suf)
	}
	return strings.ToUpper(strings.TrimSpace(s))
}

func (c *Console) addStakeholder(g *gin.Context) {
	e := models.StakeholderEntry{Kind: g.PostForm("kind"), Name: g.PostForm("name"), Contact: g.PostForm("contact"),
		Phone: g.PostForm("phone"), OpenID: g.PostForm("openid")}
	for _, b := range strings.FieldsFunc(g.PostForm("buildings"), func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
		e.Buildings = append(e.Buildings, normalizeBuilding(b))
	}
	s, err := e.Stakeholder(c.workCommunity(g, viewer(g)))
	if err == nil {
		err = c.d.People.SaveStakeholder(g.Request.Context(), s)
	}
	if err != nil {
		c.failErr(g, err)
		return
	}
	c.backToPeople(g)
}

func (c *Console) removeStakeholder(g *gin.Context) {
	id, ok := pathID(g)
	if !ok {
		c.fail(g, http.StatusBadRequest, "编号不对。")
		return
	}
	if err := c.d.People.DeactivateStakeholder(g.Request.Context(), c.workCommunity(g, viewer(g)), id); err != nil {
		c.failErr(g, err)
		return
	}
	c.backToPeople(g)
}
