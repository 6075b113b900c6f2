// Package console serves the committee's console at /console/: server-rendered
// zh-CN pages (html/template, every asset embedded) over the same store and
// operations as the chat and the admin API. A session comes from a one-time
// link sent by chat (登录) or from the admin token; only hashes of both are
// stored.
package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the console reads and writes. *store.DB implements it.
type Store interface {
	models.Store
	CreateConsoleLogin(ctx context.Context, l *models.ConsoleLogin) error
	UseConsoleLogin(ctx context.Context, tokenHash string, now time.Time) (*models.ConsoleLogin, error)
	CheckConsoleLogin(ctx context.Context, tokenHash string, now time.Time) error
	CreateConsoleSession(ctx context.Context, s *models.ConsoleSession) error
	ConsoleViewer(ctx context.Context, tokenHash string, now time.Time) (*models.Viewer, error)
	EndConsoleSession(ctx context.Context, tokenHash string, now time.Time) error
	EndStaffSessions(ctx context.Context, staffID uint64, now time.Time) error
	ConsoleAppeals(ctx context.Context, q models.ListQuery) ([]*models.Appeal, int, error)

	Communities(ctx context.Context) ([]string, error)
	StaffByID(ctx context.Context, communityID string, id uint64) (*models.Staff, error)
	ListStaff(ctx context.Context, communityID string) ([]*models.Staff, error)
	Grids(ctx context.Context, communityID string) ([]*models.Grid, error)
}

// Reviser is the committee's reclassify / reassign / set-deadline: the one
// operation the chat and the admin API's PATCH use too (*ops.Appeals).
type Reviser interface {
	Revise(ctx context.Context, r ops.Revision) (*ops.Change, error)
}

// StaffOps invites and deactivates staff (*ops.Staff), as the admin API does.
type StaffOps interface {
	Invite(ctx context.Context, actor models.Actor, req models.InviteRequest) (string, *models.StaffInvite, error)
	Deactivate(ctx context.Context, actor models.Actor, communityID string, id uint64) (*models.Staff, error)
}

// Deps is what the console needs.
type Deps struct {
	Store      Store
	Revise     Reviser  // required
	Staff      StaffOps // nil leaves out the people pages
	AdminToken string   // "" = the admin token opens no session
	PublicURL  string   // base of links sent by chat; "" = no links
	Community  string   // default community (the first configured)
	// CommunityNames names the communities by id (示例社区 for "sample").
	CommunityNames map[string]string
	Sandbox        bool // the simulator may open a session as its committee persona
	Now            func() time.Time
	Location       *time.Location
	Log            *slog.Logger

	// Optional parts: pages whose dependency is nil say so.
	People   PeopleStore
	Meetings Meetings
	Figures  FiguresStore
	// Asking the residents, service projects, the monthly topic (docs/campaigns.md)
	// and what the community taught the classifier.
	Campaigns CampaignOps
	Projects  ProjectOps
	Topics    TopicOps
	Learned   LearnedStore
	// TopicName names a catalog topic by id ("" if unknown).
	TopicName func(id string) string
	// Matters are the catalog's matters the committee may choose when it
	// reclassifies an appeal (重新分类: 事项), in the catalog's order.
	Matters []Matter
}

// Matter is one catalog matter as the reclassify form offers it.
type Matter struct {
	ID, Name string
	Kind     models.Kind
}

// Console serves /console/.
type Console struct {
	d     Deps
	pages map[string]*template.Template
	fresh freshInvites
}

// Paths.
const (
	Base       = "/console/"
	cookieName = "gongzhi_console"
	// preCookie carries the CSRF token of the forms shown before a session exists.
	preCookie = "gongzhi_console_pre"
	// nextCookie remembers the console page asked for before logging in.
	nextCookie = "gongzhi_console_next"
)

// consolePath reports whether p is a console page to return to after
// logging in: a path of ours, never another site ("//host", "/\host") nor
// the login page itself.
func consolePath(p string) bool {
	return strings.HasPrefix(p, Base) && !strings.HasPrefix(p, "/console/login") && len(p) <= 512 &&
		!strings.ContainsAny(p, "\\\r\n") && !strings.Contains(p, "//")
}

// New parses the embedded templates.
func New(d Deps) (*Console, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Store == nil || d.Revise == nil {
		return nil, errors.New("console: Deps.Store and Deps.Revise are required")
	}
	c := &Console{d: d, pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(c.funcs()).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		c.pages[base] = t
	}
	return c, nil
}

// Register mounts the console on r.
func (c *Console) Register(r gin.IRoutes) {
	static, _ := fs.Sub(staticFS, "static")
	r.GET("/console", func(g *gin.Context) { g.Redirect(http.StatusFound, Base) })
	r.GET("/console/static/*file", c.secure, func(g *gin.Context) {
		g.Header("Cache-Control", "public, max-age=3600")
		g.FileFromFS(g.Param("file"), http.FS(static))
	})
	r.GET("/console/login", c.secure, c.loginPage)
	r.POST("/console/login", c.secure, c.login)
	r.POST("/console/logout", c.secure, c.auth, c.logout)
	r.GET("/console/", c.secure, c.auth, c.list)
	r.GET("/console/export.csv", c.secure, c.auth, c.exportCSV)
	r.GET("/console/appeals/:ref", c.secure, c.auth, c.appeal)
	r.POST("/console/appeals/:ref/revise", c.secure, c.auth, c.revise)
	c.registerPeople(r)
	c.registerMeetings(r)
	c.registerFigures(r)
	c.registerCampaigns(r)
	c.registerProjects(r)
	c.registerTopics(r)
	c.registerLearned(r)
	if c.d.Sandbox {
		r.POST("/console/sim-login", c.secure, c.simLogin)
	}
}

// csp allows only the console's own files: no inline script or style, no
// frames; photos are WeChat's own URLs.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// secure sets the security headers of every console response.
// NotFound answers a console address that names no page in Chinese, in
// the console's own frame (a first user met gin's English "404 page not found").
func (c *Console) NotFound(g *gin.Context) {
	c.secure(g)
	if !g.IsAborted() {
		c.fail(g, http.StatusNotFound, "没有这个页面。请从上方的菜单进入，或回到台账。")
	}
}

func (c *Console) secure(g *gin.Context) {
	h := g.Writer.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer") // a login link's token never leaves in a Referer
	if !strings.HasPrefix(g.Request.URL.Path, "/console/static/") {
		h.Set("Cache-Control", "no-store")
	}
	// No console form is near maxFormBytes; a larger body is refused before
	// anything reads it (net/http would otherwise parse up to 10 MB).
	if g.Request.ContentLength > maxFormBytes {
		c.fail(g, http.StatusRequestEntityTooLarge, "提交的内容太多了，请减少后再试。")
		return
	}
	if g.Request.Body != nil {
		g.Request.Body = http.MaxBytesReader(g.Writer, g.Request.Body, maxFormBytes)
	}
	g.Next()
}

// maxFormBytes bounds a console request's body.
const maxFormBytes = 256 << 10

const viewerKey = "console.viewer"

// auth admits requests with a live session; others go to the login page,
// which explains how to get a link. POSTs must carry the session's CSRF token.
func (c *Console) auth(g *gin.Context) {
	ck, err := g.Cookie(cookieName)
	var v *models.Viewer
	if err == nil && ck != "" {
		v, err = c.d.Store.ConsoleViewer(g.Request.Context(), models.HashConsoleToken(ck), c.d.Now())
	}
	if err != nil || v == nil {
		if err != nil && !errors.Is(err, models.ErrSessionEnded) && !errors.Is(err, http.ErrNoCookie) {
			c.d.Log.ErrorContext(g.Request.Context(), "console session lookup failed", "err", err)
			c.fail(g, http.StatusInternalServerError, "系统暂时无法读取登录状态，请稍后再试。")
			return
		}
		if g.Request.Method == http.MethodGet {
			if p := g.Request.URL.RequestURI(); consolePath(p) && p != Base {
				c.setCookie(g, nextCookie, url.QueryEscape(p), 3600) // back there after logging in
			}
			g.Redirect(http.StatusFound, "/console/login")
		} else {
			c.fail(g, http.StatusUnauthorized, "登录已失效，请在公众号中发送“登录”获取新的链接。")
		}
		g.Abort()
		return
	}
	if g.Request.Method == http.MethodPost {
		got := g.PostForm("csrf")
		if subtle.ConstantTimeCompare([]byte(got), []byte(v.Session.CSRFToken)) != 1 {
			c.fail(g, http.StatusForbidden, "表单已过期或来源不明（CSRF 校验未通过），请返回刷新页面后重试。")
			g.Abort()
			return
		}
	}
	g.Set(viewerKey, v)
	g.Next()
}

func viewer(g *gin.Context) *models.Viewer { return g.MustGet(viewerKey).(*models.Viewer) }

// LoginLink implements bot.ConsoleLinks: a fresh one-time link for s.
func (c *Console) LoginLink(ctx context.Context, s *models.Staff, now time.Time) (string, error) {
	if c.d.PublicURL == "" {
		return "", bot.ErrNoConsoleURL
	}
	if !models.MayUseConsole(s) {
		return "", models.ErrNoConsoleRole
	}
	tok, err := models.NewConsoleToken()
	if err != nil {
		return "", err
	}
	l := &models.ConsoleLogin{TokenHash: models.HashConsoleToken(tok), CommunityID: s.CommunityID, StaffID: s.ID,
		ExpiresAt: now.Add(models.ConsoleLinkTTL)}
	if err := c.d.Store.CreateConsoleLogin(ctx, l); err != nil {
		return "", err
	}
	return strings.TrimRight(c.d.PublicURL, "/") + "/console/login?t=" + url.QueryEscape(tok), nil
}

// secureCookie: Secure when the public URL is https.
func (c *Console) secureCookie() bool { return strings.HasPrefix(c.d.PublicURL, "https://") }

func (c *Console) setCookie(g *gin.Context, name, value string, maxAge int) {
	http.SetCookie(g.Writer, &http.Cookie{Name: name, Value: value, Path: "/console/", MaxAge: maxAge,
		HttpOnly: true, Secure: c.secureCookie(), SameSite: http.SameSiteLaxMode})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// preToken returns the pre-session CSRF token, setting its cookie when absent.
func (c *Console) preToken(g *gin.Context) string {
	if v, err := g.Cookie(preCookie); err == nil && len(v) == 32 {
		return v
	}
	v := randomHex(16)
	c.setCookie(g, preCookie, v, 3600)
	return v
}

func (c *Console) checkPre(g *gin.Context) bool {
	ck, err := g.Cookie(preCookie)
	return err == nil && ck != "" && subtle.ConstantTimeCompare([]byte(ck), []byte(g.PostForm("csrf"))) == 1
}

// loginPage explains how to get a link; with ?t= it shows the button that
// takes the link (a POST, so that link previews never use it up).
func (c *Console) loginPage(g *gin.Context) {
	if t := g.Query("t"); t != "" { // a used or expired link says so at once, not after its button
		if err := c.d.Store.CheckConsoleLogin(g.Request.Context(), models.HashConsoleToken(t), c.d.Now()); err != nil {
			c.loginError(g, err)
			return
		}
	}
	c.render(g, http.StatusOK, "login", nil, map[string]any{"Token": g.Query("t"), "CSRF": c.preToken(g),
		"AdminLogin": c.d.AdminToken != "", "Sandbox": c.d.Sandbox})
}

// login takes a one-time link's token (t) or the admin token (admin).
func (c *Console) login(g *gin.Context) {
	ctx := g.Request.Context()
	if !c.checkPre(g) {
		c.fail(g, http.StatusForbidden, "表单已过期（CSRF 校验未通过），请重新打开登录链接。")
		return
	}
	now := c.d.Now()
	s := &models.ConsoleSession{ExpiresAt: now.Add(models.ConsoleSessionTTL), CommunityID: c.d.Community}
	switch {
	case g.PostForm("t") != "":
		l, err := c.d.Store.UseConsoleLogin(ctx, models.HashConsoleToken(g.PostForm("t")), now)
		if err != nil {
			c.loginError(g, err)
			return
		}
		st, err := c.d.Store.StaffByID(ctx, l.CommunityID, l.StaffID)
		if err != nil || !models.MayUseConsole(st) {
			c.loginError(g, models.ErrNoConsoleRole)
			return
		}
		s.CommunityID, s.StaffID = l.CommunityID, l.StaffID
	case g.PostForm("admin") != "":
		if c.d.AdminToken == "" || subtle.ConstantTimeCompare([]byte(g.PostForm("admin")), []byte(c.d.AdminToken)) != 1 {
			c.fail(g, http.StatusUnauthorized, "管理员令牌不正确。")
			return
		}
	default:
		c.fail(g, http.StatusBadRequest, "缺少登录链接。请在公众号中发送“登录”获取链接。")
		return
	}
	if err := c.startSession(g, s); err != nil {
		c.d.Log.ErrorContext(ctx, "console session not stored", "err", err)
		c.fail(g, http.StatusInternalServerError, "系统暂时无法登录，请稍后再试。")
		return
	}
	to := Base
	if ck, err := g.Cookie(nextCookie); err == nil {
		if p, err := url.QueryUnescape(ck); err == nil && consolePath(p) {
			to = p
		}
		c.setCookie(g, nextCookie, "", -1)
	}
	g.Redirect(http.StatusSeeOther, to)
}

func (c *Console) startSession(g *gin.Context, s *models.ConsoleSession) error {
	tok, err := models.NewConsoleToken()
	if err != nil {
		return err
	}
	s.TokenHash, s.CSRFToken = models.HashConsoleToken(tok), randomHex(16)
	if err := c.d.Store.CreateConsoleSession(g.Request.Context(), s); err != nil {
		return err
	}
	c.setCookie(g, cookieName, tok, int(models.ConsoleSessionTTL/time.Second))
	return nil
}

func (c *Console) loginError(g *gin.Context, err error) {
	msg := "这个登录链接无效。请在公众号中发送“登录”获取新的链接。"
	switch {
	case errors.Is(err, models.ErrLinkUsed):
		msg = "这个登录链接已经用过了（每个链接只能用一次）。请在公众号中发送“登录”获取新的链接。"
	case errors.Is(err, models.ErrLinkExpired):
		msg = "这个登录链接已过期（10分钟内有效）。请在公众号中发送“登录”获取新的链接。"
	case errors.Is(err, models.ErrNoConsoleRole):
		msg = "您的身份已不能使用管理后台。"
	case models.ErrorCode(err) == models.EINTERNAL:
		c.d.Log.ErrorContext(g.Request.Context(), "console login failed", "err", err)
		msg = "系统暂时无法登录，请稍后再试。"
	}
	c.fail(g, http.StatusForbidden, msg)
}

func (c *Console) logout(g *gin.Context) {
	v := viewer(g)
	if err := c.d.Store.EndConsoleSession(g.Request.Context(), v.Session.TokenHash, c.d.Now()); err != nil {
		c.d.Log.ErrorContext(g.Request.Context(), "console logout failed", "err", err)
	}
	c.setCookie(g, cookieName, "", -1)
	g.Redirect(http.StatusSeeOther, "/console/login")
}

// fail shows an error page.
func (c *Console) fail(g *gin.Context, status int, msg string) {
	var v *models.Viewer
	if x, ok := g.Get(viewerKey); ok {
		v = x.(*models.Viewer)
	}
	c.render(g, status, "error", v, map[string]any{"Message": msg})
	g.Abort()
}

// failErr shows a domain error's safe message; internal errors are logged.
func (c *Console) failErr(g *gin.Context, err error) {
	code := models.ErrorCode(err)
	status := map[string]int{models.EINVALID: 400, models.ENOTFOUND: 404, models.ECONFLICT: 409, models.EFORBIDDEN: 403}[code]
	if status == 0 {
		c.d.Log.ErrorContext(g.Request.Context(), "console error", "err", err, "route", g.FullPath())
		c.fail(g, http.StatusInternalServerError, "系统出错了，请稍后再试。")
		return
	}
	c.fail(g, status, formError(err))
}

// failLead says in Chinese what kind of refusal a domain error is, when
// formError knows no more precise sentence.
var failLead = map[string]string{
	models.EINVALID:   "填写的内容不对，请检查后重试",
	models.ENOTFOUND:  "没有找到要处理的对象，可能已被删除或不属于您的社区",
	models.ECONFLICT:  "当前状态不允许这项操作，或已有人先做了改动，请刷新页面后再看",
	models.EFORBIDDEN: "您的身份不能进行这项操作",
}

// page is what every template gets.
type page struct {
	Viewer *models.Viewer
	CSRF   string
	Name   string // who is signed in
	Nav    string
	Data   map[string]any
}

func (c *Console) render(g *gin.Context, status int, name string, v *models.Viewer, data map[string]any) {
	t, ok := c.pages[name]
	if !ok {
		g.String(http.StatusInternalServerError, "no page "+name)
		return
	}
	p := page{Viewer: v, Nav: name, Data: data}
	if v != nil {
		p.CSRF = v.Session.CSRFToken
		p.Name = "管理员（令牌登录）"
		if v.Staff != nil {
			p.Name = v.Staff.Name + "（" + messages.ZhCNStaff.RoleNames[string(v.Staff.Role)] + "）"
		}
	}
	g.Status(status)
	g.Header("Content-Type", "text/html; charset=utf-8")
	if err := t.ExecuteTemplate(g.Writer, "layout", p); err != nil {
		c.d.Log.ErrorContext(g.Request.Context(), "console template failed", "page", name, "err", err)
	}
}
