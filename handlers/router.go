// Package handlers is the only package that knows gin: the WeChat webhook,
// the admin API, Open311 GeoReport v2, health and metrics, and the sandbox
// simulator. Each handler parses a request, calls an operation (bot/ops) or
// a read of the store, and renders the answer; the rules live below it.
package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/triage"
)

// Deps is what the router needs. Every field is required unless it says
// otherwise: NewRouter refuses to build a router with one missing, so no
// route silently vanishes.
type Deps struct {
	Log        *slog.Logger
	Metrics    *Metrics
	Webhook    *Webhook
	AdminToken string // "" refuses every admin call
	Now        func() time.Time
	Location   *time.Location
	// PublicURL is the service's public base URL (config.PublicURL), for
	// Open311 discovery; "" answers a relative URL. Never the Host header.
	PublicURL string

	Store        StaffStore       // appeals, staff, grids, departments, stats, Open311 reads
	Keys         APIKeyStore      // Open311 keys
	Stakeholders StakeholderStore // the stakeholder directory of meetings
	FailedPushes FailedPushStore  // people to phone or visit
	Appeals      AppealOps        // revising appeals (PATCH), the console's next
	Staff        StaffOps         // invites and deactivation
	Meetings     MeetingService   // /api/meetings
	Learned      LearnedStore     // what the classifier learned per community

	Community string          // default community of the admin API; "" = the only one stored
	Catalog   *triage.Catalog // Open311 services; nil = triage.Default()

	// Campaigns, Projects and Topics serve /api/campaigns, /api/projects and
	// /api/topics/monthly; each nil leaves its routes out.
	Campaigns CampaignService
	Projects  ProjectService
	Topics    TopicService

	// Open311Intake creates appeals from Open311 POST requests; nil (an
	// explicit choice) leaves POST answering 501.
	Open311Intake Open311Intake
	Sim           *Sim // sandbox mode only; nil outside it

	// Console serves /console/ (package handlers/console); nil leaves it out.
	// Console is the committee's console: its routes, and its answer to a
	// /console/ address that names no page.
	Console interface {
		Register(r gin.IRoutes)
		NotFound(g *gin.Context)
	}
}

// check names the first missing requirement.
func (d *Deps) check() error {
	for _, r := range []struct {
		name    string
		missing bool
	}{{"Log", d.Log == nil}, {"Metrics", d.Metrics == nil}, {"Webhook", d.Webhook == nil}, {"Now", d.Now == nil},
		{"Location", d.Location == nil}, {"Store", d.Store == nil}, {"Keys", d.Keys == nil},
		{"Stakeholders", d.Stakeholders == nil}, {"FailedPushes", d.FailedPushes == nil}, {"Appeals", d.Appeals == nil},
		{"Staff", d.Staff == nil}, {"Meetings", d.Meetings == nil}, {"Learned", d.Learned == nil}} {
		if r.missing {
			return fmt.Errorf("handlers: the router needs Deps.%s", r.name)
		}
	}
	return nil
}

// NewBase is a gin engine with the middleware every route has: request id,
// panic recovery, access log, Prometheus counters.
func NewBase(log *slog.Logger, m *Metrics) *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(requestID, recovery(log), accessLog(log), m.middleware)
	return r
}

// NewRouter wires every route; a missing dependency is an error.
func NewRouter(d Deps) (*gin.Engine, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	cat := d.Catalog
	if cat == nil {
		var err error
		if cat, err = triage.Default(); err != nil {
			return nil, fmt.Errorf("handlers: Open311 services: %w", err)
		}
	}
	r := NewBase(d.Log, d.Metrics)

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
	sa := &staffAPI{adminAPI: api, db: d.Store, ops: d.Staff, appeals: d.Appeals, community: d.Community}
	api.communityOf = sa.communityOf
	if is, ok := d.Store.(InviteStore); ok {
		g.DELETE("/staff/invites/:code", sa.revokeInvite(is))
	}
	g.GET("/appeals", api.listAppeals)
	g.GET("/appeals/:ref", sa.getAppeal)
	g.POST("/staff/invites", sa.createInvite)
	g.GET("/staff", sa.listStaff)
	g.DELETE("/staff/:id", sa.deleteStaff)
	g.GET("/grids", sa.listGrids)
	g.PUT("/grids", sa.putGrids)
	g.GET("/departments", sa.listDepartments)
	g.POST("/departments", sa.createDepartment)
	g.PATCH("/appeals/:ref", sa.patchAppeal)
	g.GET("/stats", sa.stats)
	g.GET("/outbox/failed", sa.failedPushes(d.FailedPushes))
	(&keysAPI{staffAPI: sa, keys: d.Keys}).register(g)
	la := &learnedAPI{staffAPI: sa, learned: d.Learned}
	g.GET("/learned", la.list)
	g.DELETE("/learned/:phrase", la.forget)

	o := &Open311{Store: d.Store, Catalog: cat, Location: d.Location, Now: d.Now, Log: d.Log, Keys: d.Keys, Intake: d.Open311Intake,
		PublicURL: d.PublicURL}
	o.register(r)

	ma := &meetingsAPI{staffAPI: sa, svc: d.Meetings, dir: d.Stakeholders}
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

	(&campaignsAPI{staffAPI: sa, campaigns: d.Campaigns, projects: d.Projects, topics: d.Topics}).register(g)

	if d.Sim != nil {
		d.Sim.register(r)
	}
	if d.Console != nil {
		d.Console.Register(r)
		r.NoRoute(func(c *gin.Context) {
			if strings.HasPrefix(c.Request.URL.Path, "/console/") {
				d.Console.NotFound(c)
				return
			}
			c.String(http.StatusNotFound, "404 page not found")
		})
	}
	r.GET("/", home(d))
	r.GET("/favicon.ico", func(c *gin.Context) { c.Status(http.StatusNoContent) }) // browsers ask; no 404 in their consoles
	return r, nil
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
