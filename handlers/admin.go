package handlers

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/models"
)

// bearerAuth admits requests carrying the admin token. With no token
// configured every call is refused: an open admin API is never a default.
func bearerAuth(token string) gin.HandlerFunc {
	want := sha256.Sum256([]byte(token))
	return func(c *gin.Context) {
		got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		// Comparing fixed-size digests keeps the time independent of the token.
		if token == "" || !ok || subtle.ConstantTimeCompare(want[:], sum[:]) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="gongzhi"`)
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": gin.H{"code": "unauthorized", "message": "missing or wrong bearer token"}})
			return
		}
		c.Next()
	}
}

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[string]int{
	models.EINVALID:   http.StatusBadRequest,
	models.ENOTFOUND:  http.StatusNotFound,
	models.ECONFLICT:  http.StatusConflict,
	models.EFORBIDDEN: http.StatusForbidden,
	models.EINTERNAL:  http.StatusInternalServerError,
}

// writeError answers with the error's safe message; internal details are
// logged, never sent.
func writeError(c *gin.Context, log *slog.Logger, err error) {
	code := models.ErrorCode(err)
	if code == models.EINTERNAL {
		log.ErrorContext(c.Request.Context(), "admin api error", "err", err, "route", c.FullPath(), "request_id", RequestID(c))
	}
	c.AbortWithStatusJSON(statusOf[code], gin.H{"error": gin.H{"code": code, "message": models.ErrorMessage(err)}})
}

type adminAPI struct {
	store models.Store
	now   func() time.Time
	loc   *time.Location
	log   *slog.Logger
	// communityOf picks the request's community (staffAPI.communityOf);
	// nil lists every community's appeals (a store without communities).
	communityOf func(*gin.Context) (string, error)
}

// appealJSON is the contract's shape of an appeal in the admin API.
type appealJSON struct {
	Ref         string     `json:"ref"`
	Kind        string     `json:"kind"`
	Level       string     `json:"level"`
	Status      string     `json:"status"`
	Topic       string     `json:"topic"`
	Description string     `json:"description"`
	Grid        string     `json:"grid"`
	Assignee    string     `json:"assignee"`
	DueAt       *time.Time `json:"due_at"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Overdue     bool       `json:"overdue"`
}

type eventJSON struct {
	Who  string    `json:"who"`
	What string    `json:"what"`
	When time.Time `json:"when"`
	Why  string    `json:"why"`
	From string    `json:"from_status,omitempty"`
	To   string    `json:"to_status,omitempty"`
}

func (a *adminAPI) in(t time.Time) time.Time { return t.In(a.loc) }

func (a *adminAPI) appealOut(ap *models.Appeal) appealJSON {
	out := appealJSON{Ref: ap.Ref, Kind: string(ap.Kind), Level: string(ap.Level), Status: string(ap.Status),
		Topic: ap.Topic, Description: ap.Description, Grid: ap.GridID, Assignee: ap.Assignee,
		CreatedAt: a.in(ap.CreatedAt), UpdatedAt: a.in(ap.UpdatedAt), Overdue: ap.Overdue(a.now())}
	if ap.DueAt != nil {
		d := a.in(*ap.DueAt)
		out.DueAt = &d
	}
	return out
}

func (a *adminAPI) listAppeals(c *gin.Context) {
	f := models.AppealFilter{CommunityID: c.Query("community"), Now: a.now()}
	if a.communityOf != nil { // a default, a check that it exists, or the question which
		id, err := a.communityOf(c)
		if err != nil {
			writeError(c, a.log, err)
			return
		}
		f.CommunityID = id
	}
	if v := c.Query("kind"); v != "" {
		k, err := models.ParseKind(v)
		if err != nil {
			writeError(c, a.log, models.Errorf(models.EINVALID, "%v", err))
			return
		}
		f.Kind = k
	}
	if v := c.Query("level"); v != "" {
		l, err := models.ParseLevel(v)
		if err != nil {
			writeError(c, a.log, models.Errorf(models.EINVALID, "%v", err))
			return
		}
		f.Level = l
	}
	if v := c.Query("status"); v != "" {
		if !models.Status(v).Valid() {
			writeError(c, a.log, models.Errorf(models.EINVALID, "status %q is not a known status", v))
			return
		}
		f.Status = models.Status(v)
	}
	if v := c.Query("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(c, a.log, models.Errorf(models.EINVALID, "overdue %q: want true or false", v))
			return
		}
		f.Overdue = b
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := c.Query(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				writeError(c, a.log, models.Errorf(models.EINVALID, "%s %q: want a non-negative whole number", name, v))
				return
			}
			*dst = n
		}
	}
	list, err := a.store.ListAppeals(c.Request.Context(), f)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	out := make([]appealJSON, 0, len(list))
	for _, ap := range list {
		out = append(out, a.appealOut(ap))
	}
	c.JSON(http.StatusOK, gin.H{"appeals": out})
}

// getAppeal: GET /api/appeals/{ref} in the request's community (communityOf).
func (a *staffAPI) getAppeal(c *gin.Context) {
	ref := c.Param("ref")
	if !models.ValidRef(ref) {
		writeError(c, a.log, models.Errorf(models.EINVALID, "%q is not a reference code (letters then digits, e.g. SQ2611260007)", ref))
		return
	}
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	ap, err := a.store.AppealByRef(c.Request.Context(), community, ref)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	evs, err := a.store.AppealEvents(c.Request.Context(), ap.ID)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	events := make([]eventJSON, 0, len(evs))
	for _, e := range evs {
		events = append(events, eventJSON{Who: e.Actor, What: e.Action, When: a.in(e.At), Why: e.Reason,
			From: string(e.FromStatus), To: string(e.ToStatus)})
	}
	c.JSON(http.StatusOK, gin.H{"appeal": a.appealOut(ap), "events": events})
}
