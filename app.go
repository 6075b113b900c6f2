package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/bot/wx/wxfake"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/handlers"
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
	Router   *gin.Engine
	Metrics  *handlers.Metrics
	redis    *redis.Client
	Now      func() time.Time
	// Jobs is the outbox dispatcher and the scheduler, started by NewApp
	// and stopped first by Close.
	Jobs *jobs.Runner
}

// NewApp opens the database, migrates it, and wires every part.
func NewApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (_ *App, err error) {
	a := &App{Config: cfg, Log: log, Now: time.Now}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	a.Store, err = store.Open(ctx, cfg.DB.Driver, cfg.DB.DSN, log)
	if err != nil {
		return nil, err
	}
	if _, err := a.Store.Migrate(ctx); err != nil {
		return nil, err
	}
	for _, c := range cfg.Communities {
		if err := a.Store.EnsureCommunity(ctx, &models.Community{ID: c.ID, Name: c.Name}); err != nil {
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
	// Every push goes through the outbox: stored first, sent by the dispatcher.
	pusher := &jobs.OutboxPusher{Outbox: a.Store, Notify: a.Jobs.Dispatcher.Notify}

	a.Metrics = handlers.NewMetrics()
	engine := &bot.Engine{Msg: bot.ZhCN, Reader: a.Store, Location: cfg.Location}
	a.Service = &bot.Service{Store: a.Store, Engine: engine, Pusher: pusher, Log: log,
		Now: a.Now, ConversationTTL: cfg.ConversationTTL}
	webhook := &handlers.Webhook{Accounts: a.Accounts, Handler: a.Service, Pusher: pusher, Log: log,
		Metrics: a.Metrics, Now: a.Now, MaxSkew: cfg.ClockSkew, ReplyBudget: cfg.ReplyBudget, Failure: bot.ZhCN.Failure}
	deps := handlers.Deps{Log: log, Metrics: a.Metrics, Store: a.Store, Webhook: webhook,
		AdminToken: cfg.AdminToken, Now: a.Now, Location: cfg.Location}
	if a.Platform != nil {
		deps.Sim = &handlers.Sim{Token: sandboxToken, Now: a.Now, Pushes: a.simPushes}
	}
	a.Router = handlers.NewRouter(deps)
	a.Jobs.Start(context.WithoutCancel(ctx))
	return a, nil
}

// setupJobs builds the outbox dispatcher and the scheduled jobs. The push
// settings config does not hold yet come from the environment (jobs.Settings).
func (a *App) setupJobs() error {
	set, err := jobs.SettingsFromEnv(os.Environ())
	if err != nil {
		return err
	}
	if a.Config.Sandbox() && set.Templates["*"] == "" {
		set.Templates["*"] = "sandbox-template" // the fake platform takes any id
	}
	a.Jobs, err = jobs.Build(jobs.Deps{Config: a.Config, Store: a.Store, Sender: &jobs.WXSender{Accounts: a.Accounts},
		Settings: set, Log: a.Log, Now: a.Now})
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
	wx.Setup(&http.Client{Timeout: 10 * time.Second, Transport: rt})
	a.Accounts = wx.NewAccounts(accounts...)
	return nil
}

func (a *App) simPushes(openID string) []handlers.SimPush {
	var out []handlers.SimPush
	for i, p := range a.Platform.Pushes() {
		if p.ToUser == openID {
			out = append(out, handlers.SimPush{Seq: i + 1, Kind: p.Kind, Text: p.Text, At: p.At})
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
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases what NewApp opened, in reverse.
func (a *App) Close() {
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
