// Package handlers is the only package that knows gin: the WeChat webhook,
// the admin API, health and metrics, and the sandbox simulator.
package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// Deps is what the router needs.
type Deps struct {
	Log        *slog.Logger
	Metrics    *Metrics
	Store      models.Store
	Webhook    *Webhook
	AdminToken string
	Now        func() time.Time
	Location   *time.Location
	Sim        *Sim // nil outside sandbox mode

	// Staff, lifecycle, stats and Open311 (registered when Store implements StaffStore).
	Community string          // default community of the admin API; "" = the only one stored
	Catalog   *triage.Catalog // Open311 services; nil = triage.Default()
	InviteTTL time.Duration   // invite codes' lifetime; 0 = models.DefaultInviteTTL

	// Meetings serves /api/meetings and /api/stakeholders (issue 6) when set
	// and Store implements StaffStore and StakeholderStore.
	Meetings MeetingService

	// Open311Intake creates appeals from Open311 POST requests (*bot.Intake);
	// nil (or a Store without API keys) leaves POST answering 501.
	Open311Intake Open311Intake

	// Console serves /console/ (package handlers/console); nil leaves it out.
	Console interface{ Register(r gin.IRoutes) }
}

// NewRouter wires every route.
func NewRouter(d Deps) *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(requestID, recovery(d.Log), accessLog(d.Log), d.Metrics.middleware)

	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/readyz", func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := d.Store.Ping(ctx); err != nil {
			d.Log.WarnContext(ctx, "readiness: database does not answer", "err", err)
			c.String(http.StatusServiceUnavailable, "database unavailable")
			return
		}
		c.String(http.StatusOK, "ready")
	})
	r.GET("/metrics", d.Metrics.handler())

	r.GET("/wechat", d.Webhook.Serve)
	r.POST("/wechat", d.Webhook.Serve)
	r.GET("/wechat/:appid", d.Webhook.Serve)
	r.POST("/wechat/:appid", d.Webhook.Serve)

	api := &adminAPI{store: d.Store, now: d.Now, loc: d.Location, log: d.Log}
	g := r.Group("/api", bearerAuth(d.AdminToken))
	g.GET("/appeals", api.listAppeals)
	g.GET("/appeals/:ref", api.getAppeal)

	// --- staff, grids, departments, PATCH, stats, Open311 (issue 5) ---
	if ss, ok := d.Store.(StaffStore); ok {
		sa := &staffAPI{adminAPI: api, db: ss, community: d.Community, inviteTTL: d.InviteTTL}
		g.POST("/staff/invites", sa.createInvite)
		g.GET("/staff", sa.listStaff)
		g.DELETE("/staff/:id", sa.deleteStaff)
		g.GET("/grids", sa.listGrids)
		g.PUT("/grids", sa.putGrids)
		g.GET("/departments", sa.listDepartments)
		g.POST("/departments", sa.createDepartment)
		g.PATCH("/appeals/:ref", sa.patchAppeal)
		g.GET("/stats", sa.stats)
		if fs, ok := d.Store.(FailedPushStore); ok {
			g.GET("/outbox/failed", sa.failedPushes(fs)) // staff by chat: people to phone or visit
		}
		cat, err := d.Catalog, error(nil)
		if cat == nil {
			cat, err = triage.Default()
		}
		loc := d.Location
		if loc == nil {
			loc = time.UTC
		}
		if err != nil {
			d.Log.Error("open311 is off: the built-in catalog does not load", "err", err)
		} else {
			o := &Open311{Store: ss, Catalog: cat, Location: loc, Now: d.Now, Log: d.Log}
			if ks, ok := d.Store.(APIKeyStore); ok { // Open311 keys and POST requests
				(&keysAPI{staffAPI: sa, keys: ks}).register(g)
				o.Keys, o.Intake = ks, d.Open311Intake
			}
			o.register(r)
		}
	}
	// --- end issue 5 ---

	// --- meetings and stakeholders (issue 6) ---
	if ss, ok := d.Store.(StaffStore); ok && d.Meetings != nil {
		if dir, ok := d.Store.(StakeholderStore); ok {
			ma := &meetingsAPI{staffAPI: &staffAPI{adminAPI: api, db: ss, community: d.Community}, svc: d.Meetings, dir: dir}
			g.POST("/meetings", ma.create)
			g.GET("/meetings/:id", ma.get)
			g.PATCH("/meetings/:id", ma.patch)
			g.POST("/meetings/:id/broadcast", ma.broadcast)
			g.POST("/meetings/:id/cancel", ma.cancel)
			g.POST("/meetings/:id/outcome", ma.outcome)
			g.POST("/meetings/:id/raise", ma.raise)
			g.GET("/stakeholders", ma.listStakeholders)
			g.POST("/stakeholders", ma.createStakeholder)
			g.PUT("/stakeholders/:id", ma.putStakeholder)
			g.DELETE("/stakeholders/:id", ma.deleteStakeholder)
		}
	}
	// --- end issue 6 ---

	if d.Sim != nil {
		d.Sim.register(r)
	}
	if d.Console != nil {
		d.Console.Register(r)
	}
	r.GET("/", home(d))
	r.GET("/favicon.ico", func(c *gin.Context) { c.Status(http.StatusNoContent) }) // browsers ask; no 404 in their consoles
	return r
}

// home leads a browser to the simulator in sandbox mode, else to the console.
func home(d Deps) gin.HandlerFunc {
	return func(c *gin.Context) {
		switch {
		case d.Sim != nil:
			c.Redirect(http.StatusFound, "/sim/")
		case d.Console != nil:
			c.Redirect(http.StatusFound, "/console/")
		default:
			c.String(http.StatusOK, "gongzhi")
		}
	}
}

// RequestIDHeader carries a request id in and out.
const RequestIDHeader = "X-Request-Id"

func requestID(c *gin.Context) {
	id := c.GetHeader(RequestIDHeader)
	if id == "" || len(id) > 64 {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set("request_id", id)
	c.Header(RequestIDHeader, id)
	c.Next()
}

// RequestID returns the id of the request being served.
func RequestID(c *gin.Context) string { return c.GetString("request_id") }

// accessLog logs method, route, status and time: never the query string
// (WeChat puts the sender's openid there) nor the body.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		log.LogAttrs(c.Request.Context(), slog.LevelInfo, "http request",
			slog.String("method", c.Request.Method), slog.String("route", route),
			slog.Int("status", c.Writer.Status()), slog.Duration("duration", time.Since(start)),
			slog.String("request_id", RequestID(c)))
	}
}

func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				log.Error("panic while serving", "panic", v, "route", c.FullPath(), "request_id", RequestID(c))
				c.AbortWithStatus(http.StatusInternalServerError)
			}
		}()
		c.Next()
	}
}
