package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// StaffStore is what the admin API and Open311 read beyond models.Store:
// communities, staff, grids, departments, stats and published appeals.
// *store.DB implements it.
type StaffStore interface {
	models.Store
	Communities(ctx context.Context) ([]string, error)
	ListStaff(ctx context.Context, communityID string) ([]*models.Staff, error)
	Grids(ctx context.Context, communityID string) ([]*models.Grid, error)
	PutGrids(ctx context.Context, communityID string, grids []models.GridSpec) error
	Departments(ctx context.Context, communityID string) ([]*models.Department, error)
	CreateDepartment(ctx context.Context, d *models.Department) error
	Stats(ctx context.Context, communityID string, from, to time.Time) (*models.Stats, error)
	PublicAppeals(ctx context.Context, f models.PublicFilter) ([]*models.Appeal, error)
}

// AppealOps revises appeals (*ops.Appeals).
type AppealOps interface {
	Revise(ctx context.Context, r ops.Revision) (*ops.Change, error)
}

// StaffOps invites and deactivates staff (*ops.Staff).
type StaffOps interface {
	Invite(ctx context.Context, actor models.Actor, req models.InviteRequest) (string, *models.StaffInvite, error)
	Deactivate(ctx context.Context, actor models.Actor, communityID string, id uint64) (*models.Staff, error)
}

// admin is the actor of every admin API call: the bearer token is the administrator's.
var admin = models.Actor{Kind: models.ActorAdmin}

// staffAPI serves the committee's staff, grid, department, PATCH and stats endpoints.
type staffAPI struct {
	*adminAPI
	db        StaffStore
	ops       StaffOps
	appeals   AppealOps
	community string // default community; "" = the only one in the database
}

// maxBody bounds admin request bodies.
const maxBody = 1 << 20

// decode reads a JSON body strictly: unknown fields and trailing data are errors.
func decode(c *gin.Context, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
	if err != nil {
		return models.Errorf(models.EINVALID, "request body too large or unreadable")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return models.Errorf(models.EINVALID, "request body is empty: want a JSON object")
		case errors.As(err, &syn):
			return models.Errorf(models.EINVALID, "request body is not valid JSON (at byte %d)", syn.Offset)
		case errors.As(err, &typ) && typ.Field != "":
			return models.Errorf(models.EINVALID, "field %s: want %s", typ.Field, jsonKind(typ.Type))
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return models.Errorf(models.EINVALID, "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return models.Errorf(models.EINVALID, "request body: want a JSON object")
	}
	if dec.More() {
		return models.Errorf(models.EINVALID, "request body has data after the JSON object")
	}
	return nil
}

// communityOf is the request's community: ?community=, else the configured
// default, else the only community in the database.
// communityAndID reads the :id path parameter (what names it in the error)
// and the request's community; on failure it has answered already.
func (a *staffAPI) communityAndID(c *gin.Context, what string) (string, uint64, bool) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil || id == 0 {
		writeError(c, a.log, models.Errorf(models.EINVALID, "%s id %q: want a positive whole number", what, c.Param("id")))
		return "", 0, false
	}
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return "", 0, false
	}
	return community, id, true
}

func (a *staffAPI) communityOf(c *gin.Context) (string, error) {
	if v := c.Query("community"); v != "" {
		ids, err := a.db.Communities(c.Request.Context())
		if err != nil {
			return "", err
		}
		for _, id := range ids {
			if id == v {
				return v, nil
			}
		}
		return "", models.Errorf(models.ENOTFOUND, "community %q not found", v)
	}
	if a.community != "" {
		return a.community, nil
	}
	ids, err := a.db.Communities(c.Request.Context())
	if err != nil {
		return "", err
	}
	if len(ids) != 1 {
		return "", models.Errorf(models.EINVALID, "community is required (?community=ID): %d communities are configured", len(ids))
	}
	return ids[0], nil
}

// namedIn reads a body {"name": …} and the request's community
// (communityOf). On an error it has answered, and ok is false.
func (a *staffAPI) namedIn(c *gin.Context) (community, name string, ok bool) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(c, &in); err != nil {
		writeError(c, a.log, err)
		return "", "", false
	}
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return "", "", false
	}
	return community, in.Name, true
}

// communityList reads a list of the request's community (communityOf) with
// load and turns each item into its JSON with out. On an error it has
// answered, and ok is false.
func communityList[T, J any](a *staffAPI, c *gin.Context, load func(context.Context, string) ([]T, error),
	out func(T) J) (community string, items []J, ok bool) {
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return "", nil, false
	}
	list, err := load(c.Request.Context(), community)
	if err != nil {
		writeError(c, a.log, err)
		return "", nil, false
	}
	items = make([]J, 0, len(list))
	for _, x := range list {
		items = append(items, out(x))
	}
	return community, items, true
}

type staffJSON struct {
	ID         uint64     `json:"id"`
	Community  string     `json:"community"`
	Role       string     `json:"role"`
	Name       string     `json:"name"`
	Grid       string     `json:"grid,omitempty"`
	Department string     `json:"department,omitempty"`
	Ref        string     `json:"ref"`
	Bound      bool       `json:"bound"`
	BoundAt    *time.Time `json:"bound_at"`
	Active     bool       `json:"active"`
}

func (a *staffAPI) staffOut(s *models.Staff) staffJSON {
	out := staffJSON{ID: s.ID, Community: s.CommunityID, Role: string(s.Role), Name: s.Name, Grid: s.GridID,
		Department: s.Department, Ref: s.Ref(), Bound: s.OpenID != "", Active: s.Active}
	if s.BoundAt != nil {
		t := a.in(*s.BoundAt)
		out.BoundAt = &t
	}
	return out
}

// createInvite: POST /api/staff/invites {role, grid?|department?, name} → {code, expires_at}.
func (a *staffAPI) createInvite(c *gin.Context) {
	var in struct {
		Role       string `json:"role"`
		Grid       string `json:"grid"`
		Department string `json:"department"`
		Name       string `json:"name"`
	}
	if err := decode(c, &in); err != nil {
		writeError(c, a.log, err)
		return
	}
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	code, inv, err := a.ops.Invite(c.Request.Context(), admin, models.InviteRequest{CommunityID: community, Role: models.Role(in.Role),
		GridID: in.Grid, Department: in.Department, Name: in.Name})
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"code": code, "expires_at": a.in(inv.ExpiresAt), "role": inv.Role, "name": inv.Name,
		"grid": inv.GridID, "department": inv.Department, "community": inv.CommunityID})
}

func (a *staffAPI) listStaff(c *gin.Context) {
	if _, out, ok := communityList(a, c, a.db.ListStaff, a.staffOut); ok {
		c.JSON(http.StatusOK, gin.H{"staff": out})
	}
}

func (a *staffAPI) deleteStaff(c *gin.Context) {
	id, ok := models.ParseStaffRef(c.Param("id"))
	if !ok {
		writeError(c, a.log, models.Errorf(models.EINVALID, "staff id %q: want a positive whole number", c.Param("id")))
		return
	}
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	s, err := a.ops.Deactivate(c.Request.Context(), admin, community, id)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"staff": a.staffOut(s)})
}

type gridJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Buildings []string `json:"buildings"`
}

func (a *staffAPI) listGrids(c *gin.Context) {
	gridOut := func(g *models.Grid) gridJSON { return gridJSON{ID: g.ID, Name: g.Name, Buildings: g.BuildingList()} }
	if community, out, ok := communityList(a, c, a.db.Grids, gridOut); ok {
		c.JSON(http.StatusOK, gin.H{"community": community, "grids": out})
	}
}

// putGrids: PUT /api/grids {grids: [{id, name, buildings}]} replaces the community's grids.
func (a *staffAPI) putGrids(c *gin.Context) {
	var in struct {
		Grids *[]gridJSON `json:"grids"`
	}
	if err := decode(c, &in); err != nil {
		writeError(c, a.log, err)
		return
	}
	if in.Grids == nil {
		writeError(c, a.log, models.Errorf(models.EINVALID, "grids is required (a list; [] removes every grid)"))
		return
	}
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	specs := make([]models.GridSpec, 0, len(*in.Grids))
	for _, g := range *in.Grids {
		bs := make([]string, 0, len(g.Buildings))
		for _, b := range g.Buildings {
			bs = append(bs, normalizeBuilding(b))
		}
		specs = append(specs, models.GridSpec{ID: strings.TrimSpace(g.ID), Name: strings.TrimSpace(g.Name), Buildings: bs})
	}
	if err := a.db.PutGrids(c.Request.Context(), community, specs); err != nil {
		writeError(c, a.log, err)
		return
	}
	a.listGrids(c)
}

// normalizeBuilding strips the words residents add around a building number
// ("3栋", "3号楼") so that the stored list matches address parsing.
func normalizeBuilding(s string) string {
	s = strings.TrimSpace(s)
	for _, suf := range []string{"号楼", "栋", "幢", "号", "楼"} {
		s = strings.TrimSuffix(s, suf)
	}
	return strings.ToUpper(strings.TrimSpace(s))
}

func (a *staffAPI) listDepartments(c *gin.Context) {
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	deps, err := a.db.Departments(c.Request.Context(), community)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	out := make([]gin.H, 0, len(deps))
	for _, d := range deps {
		out = append(out, gin.H{"id": d.ID, "name": d.Name})
	}
	c.JSON(http.StatusOK, gin.H{"community": community, "departments": out})
}

// createDepartment: POST /api/departments {name}; the name is the catalog's unit.
func (a *staffAPI) createDepartment(c *gin.Context) {
	community, name, ok := a.namedIn(c)
	if !ok {
		return
	}
	d := &models.Department{CommunityID: community, Name: name}
	if err := a.db.CreateDepartment(c.Request.Context(), d); err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": d.ID, "name": d.Name, "community": community})
}
