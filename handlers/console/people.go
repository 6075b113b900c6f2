package console

import (
	"context"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// PeopleStore is what the people pages read and write. *store.DB implements it.
type PeopleStore interface {
	PendingInvites(ctx context.Context, communityID string, now time.Time) ([]*models.StaffInvite, error)
	RevokeInviteByID(ctx context.Context, communityID string, id uint64, now time.Time) error
	Departments(ctx context.Context, communityID string) ([]*models.Department, error)
	CreateDepartment(ctx context.Context, d *models.Department) error
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
	// A reload or a typed address of the form's target lands on the page, not on a 405.
	r.GET("/console/people/invites", c.secure, c.auth, func(g *gin.Context) { g.Redirect(http.StatusFound, "/console/people") })
	r.POST("/console/people/invites/:id/revoke", c.secure, c.auth, c.revokeInvite)
	r.POST("/console/people/staff/:id/deactivate", c.secure, c.auth, c.deactivateStaff)
	r.POST("/console/people/grids", c.secure, c.auth, c.putGrids)
	r.POST("/console/people/departments", c.secure, c.auth, c.addDepartment)
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

// peopleWrite checks a change of the people page before it is made: only
// the committee and administrators change staff, grids, departments and
// stakeholders (a district coordinator sees them), and only in a community
// that is configured. It returns the viewer and the community; false: the
// answer has been sent (found by an attacker: grids, departments,
// stakeholders and revocations took any role and any community).
func (c *Console) peopleWrite(g *gin.Context) (*models.Viewer, string, bool) {
	v := viewer(g)
	if ops.CheckCommittee(v.Actor()) != nil {
		c.fail(g, http.StatusForbidden, managersOnly)
		return nil, "", false
	}
	community := c.workCommunity(g, v)
	if _, ok := c.d.CommunityNames[community]; !ok && len(c.d.CommunityNames) > 0 {
		c.fail(g, http.StatusNotFound, "没有这个社区，请从页面上的社区列表进入。")
		return nil, "", false
	}
	return v, community, true
}

// peopleTarget is peopleWrite for a change of one numbered thing of the
// path (an invite, a staff member, a stakeholder), as target is for the
// other pages.
func (c *Console) peopleTarget(g *gin.Context) (*models.Viewer, string, uint64, bool) {
	v, community, ok := c.peopleWrite(g)
	if !ok {
		return nil, "", 0, false
	}
	id, ok := pathID(g)
	if !ok {
		c.fail(g, http.StatusBadRequest, "编号不对。")
		return nil, "", 0, false
	}
	return v, community, id, true
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

// grantable is the roles the viewer may invite, in the catalog's order.
func grantable(v *models.Viewer) []models.Role {
	var out []models.Role
	for _, r := range models.Roles {
		if mayGrant(v, r) {
			out = append(out, r)
		}
	}
	return out
}

// freshInvites keeps a just-issued code for the one page that shows it, so
// that the form can answer with a redirect (a reload never issues a second
// code) while the code itself is never put in a URL or stored in clear.
type freshInvites struct {
	mu sync.Mutex
	m  map[string]freshInvite
}

type freshInvite struct {
	data    map[string]any
	expires time.Time
}

// freshTTL bounds how long an issued code waits for its page.
const freshTTL = 5 * time.Minute

func freshKey(v *models.Viewer, id uint64) string {
	return v.Session.TokenHash + ":" + strconv.FormatUint(id, 10)
}

func (f *freshInvites) put(key string, data map[string]any, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]freshInvite{}
	}
	for k, e := range f.m {
		if now.After(e.expires) {
			delete(f.m, k)
		}
	}
	f.m[key] = freshInvite{data: data, expires: now.Add(freshTTL)}
}

// take returns the code once; a second call (a reload) finds nothing.
func (f *freshInvites) take(key string, now time.Time) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.m[key]
	delete(f.m, key)
	if !ok || now.After(e.expires) {
		return nil
	}
	return e.data
}

// gridLine is one grid in the grids form: "id 名称 1,2,3".
func gridLine(g *models.Grid) string {
	return g.ID + " " + g.Name + " " + strings.Join(g.BuildingList(), ",")
}

func (c *Console) people(g *gin.Context) {
	var fresh map[string]any
	if raw := g.Query("invite"); raw != "" {
		id, err := strconv.ParseUint(raw, 10, 64)
		if err == nil {
			fresh = c.fresh.take(freshKey(viewer(g), id), c.d.Now())
		}
		if fresh == nil {
			fresh = map[string]any{"Gone": true}
		}
	}
	if fresh == nil && g.Query("done") != "" {
		fresh = map[string]any{"Done": true}
	}
	c.showPeople(g, fresh)
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
	names := gridNames{community: {}}
	for _, gr := range grids {
		lines = append(lines, gridLine(gr))
		names[community][gr.ID] = gr.Name
	}
	status := http.StatusOK
	if fresh != nil && fresh["Error"] != nil {
		status = http.StatusBadRequest
	}
	var self uint64
	if v.Staff != nil {
		self = v.Staff.ID
	}
	form, _ := fresh["Form"].(models.InviteRequest)
	gridText := strings.Join(lines, "\n")
	if typed, ok := fresh["GridText"].(string); ok {
		gridText = typed
	}
	c.render(g, status, "people", v, map[string]any{"Community": community, "CommunityName": c.communityName(community),
		"Staff": staff, "Invites": invites, "Self": self, "Roles": grantable(v), "Form": form,
		"Grids": grids, "GridNames": names, "GridText": gridText, "Departments": deps, "Stakeholders": holders,
		"Fresh": fresh, "KindNames": stakeholderKindNames, "Kinds": models.StakeholderKinds,
		"MayRun": canRun(v), "ReadOnly": managersOnly})
}

func (c *Console) invite(g *gin.Context) {
	v, community, ok := c.peopleWrite(g)
	if !ok {
		return
	}
	req := models.InviteRequest{CommunityID: community, Role: models.Role(g.PostForm("role")),
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
		if models.ErrorCode(err) == models.EINTERNAL {
			c.failErr(g, err)
			return
		}
		c.showPeople(g, map[string]any{"Error": formError(err), "Form": req})
		return
	}
	png, err := qrcode.Encode("绑定 "+code, qrcode.Medium, 240)
	if err != nil {
		c.failErr(g, err)
		return
	}
	c.fresh.put(freshKey(v, inv.ID), map[string]any{"Code": code, "Invite": inv,
		"QR": template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}, c.d.Now()) // our own PNG
	to := "/console/people?invite=" + strconv.FormatUint(inv.ID, 10)
	if v.AllCommunities() {
		to += "&community=" + url.QueryEscape(req.CommunityID)
	}
	g.Redirect(http.StatusSeeOther, to)
}

func pathID(g *gin.Context) (uint64, bool) {
	id, err := strconv.ParseUint(g.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

// target reads who acts, in which community, on which numbered thing of the
// path; a write must also be one the viewer may run (mayRun). badID is the
// sentence for a malformed number. false: the answer has been sent.
func (c *Console) target(g *gin.Context, write bool, badID string) (*models.Viewer, string, uint64, bool) {
	v := viewer(g)
	if write && !c.mayRun(g, v) {
		return nil, "", 0, false
	}
	community := c.workCommunity(g, v)
	id, ok := pathID(g)
	if !ok {
		c.fail(g, http.StatusBadRequest, badID)
		return nil, "", 0, false
	}
	return v, community, id, true
}

// opFailed answers an operation's error from a form: a fault as a fault, a
// missing thing as 404, anything else as the form refused with the sentence
// own gives it (formErrorFrom).
func (c *Console) opFailed(g *gin.Context, err error, refuse func(status int, msg string), own []errText) {
	switch models.ErrorCode(err) {
	case models.EINTERNAL:
		c.failErr(g, err)
	case models.ENOTFOUND:
		c.fail(g, http.StatusNotFound, formError(err))
	default:
		refuse(statusOf(err), formErrorFrom(err, own))
	}
}

func (c *Console) revokeInvite(g *gin.Context) {
	v, community, id, ok := c.peopleTarget(g)
	if !ok {
		return
	}
	ctx := g.Request.Context()
	pending, err := c.d.People.PendingInvites(ctx, community, c.d.Now())
	if err != nil {
		c.failErr(g, err)
		return
	}
	i := slices.IndexFunc(pending, func(inv *models.StaffInvite) bool { return inv.ID == id })
	if i < 0 {
		c.fail(g, http.StatusNotFound, "没有这个待使用的邀请，可能已被使用或已过期。")
		return
	}
	if !mayGrant(v, pending[i].Role) {
		c.fail(g, http.StatusForbidden, "只有管理员可以撤销管理员或区级统筹人员的邀请。")
		return
	}
	if err := c.d.People.RevokeInviteByID(ctx, community, id, c.d.Now()); err != nil {
		c.failErr(g, err)
		return
	}
	c.backToPeople(g)
}

func (c *Console) backToPeople(g *gin.Context) {
	// done=1: the page says the change was saved (a second user saved grids
	// and saw nothing say so).
	to := "/console/people?done=1"
	if v := viewer(g); v.AllCommunities() {
		to += "&community=" + url.QueryEscape(c.workCommunity(g, v))
	}
	g.Redirect(http.StatusSeeOther, to)
}

// deactivateStaff ends a staff member's role and their console sessions.
func (c *Console) deactivateStaff(g *gin.Context) {
	ctx := g.Request.Context()
	v, community, id, ok := c.peopleTarget(g)
	if !ok {
		return
	}
	if v.Staff != nil && v.Staff.ID == id && v.Staff.CommunityID == community {
		c.fail(g, http.StatusConflict, "不能停用自己。如需离岗，请另一位两委成员或管理员停用您的账号。")
		return
	}
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
	_, community, ok := c.peopleWrite(g)
	if !ok {
		return
	}
	var specs []models.GridSpec
	for i, line := range strings.Split(g.PostForm("grids"), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) > 3 {
			c.showPeople(g, map[string]any{"Error": "第 " + strconv.Itoa(i+1) + " 行格式不对：每行写“网格编号 名称 楼栋1,楼栋2”，名称中不要有空格。",
				"GridForm": true, "GridText": g.PostForm("grids")})
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
	if err := c.d.People.PutGrids(g.Request.Context(), community, specs); err != nil {
		if code := models.ErrorCode(err); code == models.EINVALID || code == models.ECONFLICT {
			// The page again, the reason beside the grids and what was typed
			// kept (found by a second user: a separate page lost it).
			c.showPeople(g, map[string]any{"Error": formError(err), "GridForm": true, "GridText": g.PostForm("grids")})
			return
		}
		c.failErr(g, err)
		return
	}
	c.backToPeople(g)
}

// addDepartment adds a department that liaisons can be invited to (its
// name is the unit the catalog routes street-level appeals to).
func (c *Console) addDepartment(g *gin.Context) {
	_, community, ok := c.peopleWrite(g)
	if !ok {
		return
	}
	name := models.TrimText(g.PostForm("name"))
	if name == "" || utf8.RuneCountInString(name) > 64 {
		c.fail(g, http.StatusBadRequest, "请填写部门名称（64字以内）。")
		return
	}
	err := c.d.People.CreateDepartment(g.Request.Context(), &models.Department{CommunityID: community, Name: name})
	if models.ErrorCode(err) == models.ECONFLICT {
		c.fail(g, http.StatusConflict, "部门“"+name+"”已经有了。")
		return
	}
	if err != nil {
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
	_, community, ok := c.peopleWrite(g)
	if !ok {
		return
	}
	e := models.StakeholderEntry{Kind: g.PostForm("kind"), Name: g.PostForm("name"), Contact: g.PostForm("contact"),
		Phone: g.PostForm("phone"), OpenID: g.PostForm("openid")}
	for _, b := range strings.FieldsFunc(g.PostForm("buildings"), func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' }) {
		e.Buildings = append(e.Buildings, normalizeBuilding(b))
	}
	s, err := e.Stakeholder(community)
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
	_, community, id, ok := c.peopleTarget(g)
	if !ok {
		return
	}
	if err := c.d.People.DeactivateStakeholder(g.Request.Context(), community, id); err != nil {
		c.failErr(g, err)
		return
	}
	c.backToPeople(g)
}
