package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/bot/wx/wxfake"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/handlers/console"
	"github.com/gongzhi/gongzhi/jobs"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
)

// Sandbox account: a fake official account served by the in-process fake
// platform. Its token guards nothing real.
const (
	sandboxAppID  = "wxsandbox00000000"
	sandboxSecret = "sandbox-secret"
	sandboxToken  = "sandbox"
)

// App is the whole service, built from a config in order and closed in
// reverse. End-to-end tests build it the same way main does.
type App struct {
	Config   *config.Config
	Log      *slog.Logger
	Store    *store.DB
	Accounts *wx.Accounts
	Platform *wxfake.Platform // sandbox only
	Service  *bot.Service
	Engine   *bot.Engine
	// Classifier sorts appeals with the catalog of GONGZHI_CATALOG or the built-in one.
	Classifier *triage.Classifier
	Router     *gin.Engine
	Metrics    *handlers.Metrics
	// Webhook is /wechat; Serve drains it before returning.
	Webhook *handlers.Webhook
	redis   *redis.Client
	Now     func() time.Time
	// Directory is the communities as the chat and the operations see them;
	// its grids are the stored ones, reloaded after every edit in this
	// process and every gridReload for the edits of other replicas.
	Directory ops.Directory
	stopGrids func()
	// Jobs is the outbox dispatcher and the scheduler, started by NewApp
	// and stopped first by Close.
	Jobs *jobs.Runner
	// Appeals, Meetings and StaffOps are the operations every surface
	// calls (chat, admin API, Open311, console).
	Appeals  *ops.Appeals
	Meetings *ops.Meetings
	// Campaigns ask the residents (问需于民); Projects are community service projects.
	Campaigns *ops.Campaigns
	Projects  *ops.Projects
	StaffOps  *ops.Staff
	// Console is the committee's console at /console/.
	Console *console.Console
}

// NewApp opens the database, migrates it, and wires every part. now is the
// clock of every part (nil: time.Now); tests pass one they can move.
func NewApp(ctx context.Context, cfg *config.Config, log *slog.Logger, now func() time.Time) (_ *App, err error) {
	gin.SetMode(gin.ReleaseMode) // no route dump or debug lines on stdout
	if now == nil {
		now = time.Now
	}
	a := &App{Config: cfg, Log: log, Now: now}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	a.Store, err = store.Open(ctx, cfg.DB.Driver, cfg.DB.DSN, log)
	if err != nil {
		return nil, err
	}
	a.Store.Now = now // rows are stamped by the same clock as everything else
	if _, err := a.Store.Migrate(ctx); err != nil {
		return nil, err
	}
	for _, c := range cfg.Communities {
		if err := a.Store.EnsureCommunity(ctx, &models.Community{ID: c.ID, Name: c.Name}); err != nil {
			return nil, err
		}
		if _, err := a.Store.SeedGrids(ctx, c.ID, gridSpecs(c)); err != nil {
			return nil, err
		}
	}

	var tokenCache cache.Cache = wx.NewMemoryCache()
	if cfg.RedisAddr != "" {
		a.redis = redis.NewClient(&redis.Options{Addr: cfg.RedisAddr})
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := a.redis.Ping(pctx).Err(); err != nil {
			return nil, fmt.Errorf("redis at GONGZHI_REDIS_ADDR does not answer: %w", err)
		}
		tokenCache = &wx.RedisCache{Client: a.redis, Prefix: "gongzhi:"}
	}
	if err := a.setupWeChat(tokenCache); err != nil {
		return nil, err
	}

	if err := a.setupJobs(); err != nil {
		return nil, err
	}
	notify := a.Jobs.Dispatcher.Notify
	// Every push goes through the outbox: stored first, sent by the dispatcher.
	pusher := &jobs.OutboxPusher{Outbox: a.Store, Notify: notify}

	a.Metrics = handlers.NewMetrics()
	a.registerStoreMetrics()
	if a.Classifier, err = loadClassifier(cfg.Catalog); err != nil {
		return nil, err
	}
	if err := a.setupOps(notify); err != nil {
		return nil, err
	}
	if err := a.setupConsole(); err != nil {
		return nil, err
	}
	// Sessions opened with the admin token have no staff member whose
	// deactivation would end them: a restart (how the token is rotated)
	// ends them all, so a leaked token's sessions do not outlive it.
	if err := a.Store.EndStaffSessions(ctx, 0, now()); err != nil {
		return nil, fmt.Errorf("console: end admin-token sessions: %w", err)
	}
	if err := a.setupChat(pusher); err != nil {
		return nil, err
	}
	a.Webhook = &handlers.Webhook{Accounts: a.Accounts, Handler: a.Service, Pusher: pusher, Log: log,
		Metrics: a.Metrics, Now: now, MaxSkew: cfg.ClockSkew, ReplyBudget: cfg.ReplyBudget, Failure: messages.ZhCN.Failure,
		Nonces: a.Store}
	deps := handlers.Deps{Log: log, Metrics: a.Metrics, Webhook: a.Webhook, AdminToken: cfg.AdminToken, Now: now,
		Location: cfg.Location, Store: a.Store, Keys: a.Store, Stakeholders: a.Store, FailedPushes: a.Store,
		Appeals: a.Appeals, Staff: a.StaffOps, Meetings: a.Meetings, Learned: a.Store, Community: cfg.Communities[0].ID,
		Catalog: a.Classifier.Catalog(), PublicURL: cfg.PublicURL,
		// Open311 POST requests become appeals the way confirmed chat appeals do.
		Open311Intake: a.Appeals, Console: a.Console, Campaigns: a.Campaigns, Projects: a.Projects,
		Topics: &ops.Topics{Store: a.Store, Meetings: a.Meetings}}
	if a.Platform != nil {
		deps.Sim = &handlers.Sim{Token: sandboxToken, Now: now, Pushes: a.simPushes, Menu: wxMenu()}
	}
	// The menu is not essential to serving: a failure is logged, and
	// `gongzhi menu sync` can set it later.
	a.SyncMenus(log)
	if a.Router, err = handlers.NewRouter(deps); err != nil {
		return nil, err
	}
	a.watchGrids(context.WithoutCancel(ctx))
	a.Jobs.Start(context.WithoutCancel(ctx))
	return a, nil
}

// gridReload is how soon a grid edited through another replica routes here.
const gridReload = 30 * time.Second

// watchGrids loads the stored grids into the directory now, after every
// grid edit made through this process's store, and every gridReload.
func (a *App) watchGrids(ctx context.Context) {
	reload := func(ids ...string) {
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := a.Directory.Load(lctx, a.Store, ids...); err != nil {
			a.Log.Error("grids: reload failed; the previous grids stay in use", "err", err)
		}
	}
	reload()
	a.Store.OnGridsChanged = func(id string) { reload(id) }
	tick := time.NewTicker(gridReload)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-tick.C:
				reload()
			case <-done:
				return
			}
		}
	}()
	a.stopGrids = func() { tick.Stop(); close(done) }
}

// registerStoreMetrics exports the group commit's counters (store.GroupStats),
// the turns committed alone in batches (store.OneTripStats) and SQLite's
// background checkpoints (store.CheckpointStats).
func (a *App) registerStoreMetrics() {
	stat := func(pick func(groups, turns, failed int64) int64) func() float64 {
		return func() float64 { return float64(pick(a.Store.GroupStats())) }
	}
	a.Metrics.Registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongzhi_turn_groups_total",
			Help: "Transactions that committed conversation turns together (group commit)."},
			stat(func(g, _, _ int64) int64 { return g })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongzhi_turn_group_turns_total",
			Help: "Conversation turns offered to the group commit."},
			stat(func(_, n, _ int64) int64 { return n })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongzhi_turn_groups_failed_total",
			Help: "Groups rolled back whole (a retry, a stale conversation, an error); their turns were then committed one by one."},
			stat(func(_, _, f int64) int64 { return f })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongzhi_turns_one_trip_total",
			Help: "Turns committed alone in one multi-statement batch (MySQL; none on SQLite)."},
			func() float64 { n, _ := a.Store.OneTripStats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongzhi_turns_one_trip_fallback_total",
			Help: "Turns whose batch rolled back (a retry, a stale conversation, an appeal that moved on) and that the transaction path then committed or refused."},
			func() float64 { _, f := a.Store.OneTripStats(); return float64(f) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongzhi_sqlite_checkpoints_total",
			Help: "SQLite WAL checkpoints run in the background (none on MySQL)."},
			func() float64 { n, _ := a.Store.CheckpointStats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gongzhi_sqlite_checkpoints_failed_total",
			Help: "Background SQLite checkpoints that failed (the commit's own checkpoint takes over at 10,000 pages)."},
			func() float64 { _, f := a.Store.CheckpointStats(); return float64(f) }),
	)
}

// setupJobs builds the outbox dispatcher and the scheduled jobs.
func (a *App) setupJobs() error {
	cfg := a.Config
	set := jobs.Settings{Templates: map[string]string{}, CustomPerWindow: cfg.PushCustomPerWindow,
		HolidaysFile: cfg.Holidays, Lease: cfg.PushLease}
	for typ, id := range cfg.Templates {
		if typ == "default" {
			typ = "*" // the dispatcher's key for types without their own
		}
		set.Templates[typ] = id
	}
	if cfg.Sandbox() && set.Templates["*"] == "" {
		set.Templates["*"] = "sandbox-template" // the fake platform takes any id
	}
	var err error
	a.Jobs, err = jobs.Build(jobs.Deps{Config: cfg, Store: a.Store, Sender: &wx.Sender{Accounts: a.Accounts},
		Settings: set, Log: a.Log, Now: a.Now, Recipients: jobs.StaffRecipients{Store: a.Store},
		Meetings: &meetingSource{db: a.Store, remindUndecided: cfg.MeetingRemindUndecided}})
	return err
}

// setupWeChat builds the official accounts and the SDK's HTTP client: in
// sandbox mode every API call goes to the in-process fake platform.
func (a *App) setupWeChat(c cache.Cache) error {
	cfg := a.Config
	transport := http.DefaultTransport.(*http.Transport).Clone()
	var rt http.RoundTripper = transport
	first := cfg.Communities[0].ID
	var accounts []*wx.Account
	if cfg.Sandbox() {
		a.Platform = wxfake.New(sandboxAppID, sandboxSecret)
		rt = wxfake.InProcessTransport(a.Platform)
		accounts = append(accounts, wx.NewAccount(wx.AccountConfig{AppID: sandboxAppID, AppSecret: sandboxSecret,
			Token: sandboxToken, CommunityID: first}, c))
	} else {
		if cfg.WeChat.APIBase != "" && cfg.WeChat.APIBase != "https://api.weixin.qq.com" {
			base, err := url.Parse(cfg.WeChat.APIBase)
			if err != nil {
				return fmt.Errorf("GONGZHI_WECHAT_API_BASE: %w", err)
			}
			rt = wxfake.RewriteTransport(base, transport)
		}
		for _, w := range append([]config.WeChat{cfg.WeChat}, cfg.Accounts...) {
			community := w.Community
			if community == "" {
				community = first
			}
			accounts = append(accounts, wx.NewAccount(wx.AccountConfig{AppID: w.AppID, AppSecret: w.AppSecret,
				Token: w.Token, AESKey: w.AESKey, CommunityID: community}, c))
		}
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: rt}
	wx.Setup(client)
	// Setup sets the client once per process; a second App in the same
	// process (end-to-end tests) needs its own fake platform.
	wx.SetHTTPClient(client)
	a.Accounts = wx.NewAccounts(accounts...)
	return nil
}

func (a *App) simPushes(openID string) []handlers.SimPush {
	var out []handlers.SimPush
	for i, p := range a.Platform.Pushes() {
		if p.ToUser == openID {
			text := p.Text
			if p.Kind == "template" {
				text = handlers.SimCardText(&messages.ZhCN, p.Data)
			}
			out = append(out, handlers.SimPush{Seq: i + 1, Kind: p.Kind, Text: text, At: p.At})
		}
	}
	return out
}

// Serve listens until ctx ends, then lets in-flight requests finish.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: a.Router, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Messages answered "success" past the reply budget are still being
	// handled: WeChat will not send them again, so they finish first.
	if err := a.Webhook.Drain(sctx); err != nil {
		a.Log.Error("shutdown: messages still being handled when the wait ended", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases what NewApp opened, in reverse.
func (a *App) Close() {
	if a.stopGrids != nil {
		a.stopGrids()
	}
	if a.Jobs != nil {
		a.Jobs.Stop()
	}
	if a.redis != nil {
		_ = a.redis.Close()
	}
	if a.Store != nil {
		_ = a.Store.Close()
	}
}

// loadClassifier builds the classifier on GONGZHI_CATALOG's file or the
// built-in catalog.
func loadClassifier(path string) (*triage.Classifier, error) {
	var (
		cat *triage.Catalog
		err error
	)
	if path != "" {
		cat, err = triage.LoadFile(path)
	} else {
		cat, err = triage.Default()
	}
	if err != nil {
		return nil, fmt.Errorf("GONGZHI_CATALOG: %w", err)
	}
	return triage.New(cat)
}

// directory hands the engine the communities as plain data.
func directory(cfg *config.Config) ops.Directory {
	d := ops.Directory{}
	for _, c := range cfg.Communities {
		bc := &ops.Community{ID: c.ID, Name: c.Name, Hotline: c.Hotline, RadiusKM: c.RadiusKM}
		if c.Center != nil {
			bc.Center = &ops.Point{Lat: c.Center.Lat, Lng: c.Center.Lng}
		}
		for _, g := range c.Grids {
			bc.Grids = append(bc.Grids, ops.Grid{ID: g.ID, Name: g.Name, Buildings: append([]string(nil), g.Buildings...)})
		}
		d[c.ID] = bc
	}
	return d
}

// wxMenu is the contract's menu in the adapter's form.
func wxMenu() []wx.MenuButton {
	var conv func([]bot.MenuButton) []wx.MenuButton
	conv = func(bs []bot.MenuButton) []wx.MenuButton {
		var out []wx.MenuButton
		for _, b := range bs {
			out = append(out, wx.MenuButton{Name: b.Name, Key: b.Key, Sub: conv(b.Sub)})
		}
		return out
	}
	return conv(bot.Menu(messages.ZhCN))
}

// SyncMenus sets the custom menu of every account where it differs, and
// returns the first error; each failure is logged.
func (a *App) SyncMenus(log *slog.Logger) error {
	var first error
	want := wxMenu()
	for _, acct := range a.Accounts.All() {
		changed, err := acct.SyncMenu(want)
		if err != nil {
			log.Warn("custom menu not set", "appid", acct.Config.AppID, "err", err)
			if first == nil {
				first = fmt.Errorf("account %s: %w", acct.Config.AppID, err)
			}
			continue
		}
		log.Info("custom menu checked", "appid", acct.Config.AppID, "changed", changed)
	}
	return first
}
