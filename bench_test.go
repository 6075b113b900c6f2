package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// benchClients is how many requests are in flight at once (WeChat calls
// the webhook concurrently for different people).
const benchClients = 8

// benchResidents is how many registered residents send 帮助.
const benchResidents = 1000

// BenchmarkWebhook measures messages per second and the p99 latency of
// plaintext-mode messages over a real HTTP server, on the App exactly as
// `gongzhi serve` wires it (router, middleware, JSON access log, engine with
// the staff and meeting commands, outbox, jobs running):
//   - bare-sdk: silenceper's server answering a fixed text behind the same
//     router and middleware, no store: the ceiling;
//   - <driver>/help: 帮助 from registered residents with no conversation
//     open: a pure query, nothing to write;
//   - <driver>/write: an appeal's first words from a new sender each time:
//     the dedupe row, the new resident and the conversation are written;
//   - <driver>/floor-read, floor-commit, floor-write: the bare handler plus
//     only the storage such a message cannot do without (the sender read;
//     the commit of a conversation step; both), no engine: how much of the
//     gap to bare-sdk is the database itself. Each runs just before its
//     message.
//
// Every message has a new MsgId (no dedupe hits). The mysql sub-benchmarks
// run when TEST_MYSQL_DSN is set. docs/performance.md has the figures.
func BenchmarkWebhook(b *testing.B) {
	b.Run("bare-sdk", func(b *testing.B) {
		srv := bareSDKServer(b)
		runWebhookBench(b, srv.URL+"/bare", nil, func(n int64) string {
			return benchText(fmt.Sprintf("oBenchResident%010d", n%benchResidents), messages.ZhCNWords.Help[0], n)
		})
	})
	help := func(n int64) string {
		return benchText(fmt.Sprintf("oBenchResident%010d", n%benchResidents), messages.ZhCNWords.Help[0], n)
	}
	newcomer := func(n int64) string {
		return benchText(fmt.Sprintf("oBenchNewcomer%010d", n), "小区东门的路灯坏了", n)
	}
	for _, driver := range storetest.Drivers(b) {
		b.Run(driver+"/floor-read", func(b *testing.B) {
			app, srv := benchApp(b, driver)
			seedResidents(b, app)
			mountFloor(app, floorRead)
			runWebhookBench(b, srv.URL+"/floor", nil, help)
		})
		b.Run(driver+"/help", func(b *testing.B) {
			app, srv := benchApp(b, driver)
			seedResidents(b, app)
			runWebhookBench(b, srv.URL+"/wechat", nil, help)
		})
		b.Run(driver+"/floor-commit", func(b *testing.B) {
			app, srv := benchApp(b, driver)
			mountFloor(app, floorCommit)
			runWebhookBench(b, srv.URL+"/floor", app.Store.GroupStats, newcomer)
		})
		b.Run(driver+"/floor-write", func(b *testing.B) {
			app, srv := benchApp(b, driver)
			mountFloor(app, floorRead|floorCommit)
			runWebhookBench(b, srv.URL+"/floor", app.Store.GroupStats, newcomer)
		})
		b.Run(driver+"/write", func(b *testing.B) {
			app, srv := benchApp(b, driver)
			runWebhookBench(b, srv.URL+"/wechat", app.Store.GroupStats, newcomer)
		})
	}
}

// seedResidents stores benchResidents registered residents who wrote a
// moment ago, as in a running community (so that 帮助 has nothing to record).
func seedResidents(b *testing.B, app *App) {
	b.Helper()
	rs := make([]models.Resident, benchResidents)
	now := time.Now().UTC()
	for i := range rs {
		rs[i] = models.Resident{CommunityID: app.Config.Communities[0].ID, OpenID: fmt.Sprintf("oBenchResident%010d", i),
			Building: "3", Unit: "2", Room: strconv.Itoa(100 + i), Subscribed: true, LastMessageAt: &now, CreatedAt: now, UpdatedAt: now}
	}
	if err := app.Store.Gorm().CreateInBatches(rs, 200).Error; err != nil {
		b.Fatal(err)
	}
}

// What a floor handler does besides the bare SDK's work.
const (
	floorRead   = 1 << iota // Store.Sender
	floorCommit             // CommitTurn of a conversation step (dedupe row, resident, conversation)
)

// mountFloor adds POST /floor: the bare SDK handler that also does what
// parts says.
func mountFloor(app *App, parts int) {
	acct := app.Accounts.Default
	community := app.Config.Communities[0].ID
	app.Router.POST("/floor", func(c *gin.Context) {
		ss := acct.OA.GetServer(c.Request, c.Writer)
		var failed error
		ss.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
			ctx := c.Request.Context()
			var (
				who models.Sender
				err error
			)
			if parts&floorRead != 0 {
				who, err = app.Store.Sender(ctx, community, string(m.FromUserName))
			}
			if err == nil && parts&floorCommit != 0 {
				now := time.Now().UTC()
				res := who.Resident
				if res == nil {
					res = &models.Resident{}
				}
				res.LastMessageAt = &now
				err = app.Store.CommitTurn(ctx, &models.Turn{CommunityID: community, OpenID: string(m.FromUserName),
					DedupeKey: strconv.FormatInt(m.MsgID, 10), Reply: messages.ZhCN.HelpResident, At: now, Resident: res,
					Conversation:      &models.Conversation{State: "describe", Data: `{"draft":{"text":"路灯"}}`, ExpiresAt: now.Add(30 * time.Minute)},
					GuardConversation: true})
			}
			failed = err
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(messages.ZhCN.HelpResident)}
		})
		if err := ss.Serve(); err != nil || failed != nil {
			c.String(http.StatusInternalServerError, "failed")
			return
		}
		_ = ss.Send()
	})
}

// benchLog is the production logger (JSON at info) writing nowhere.
func benchLog() *slog.Logger {
	return slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// benchApp is the sandbox App on a fresh database behind a loopback server.
func benchApp(b *testing.B, driver string) (*App, *httptest.Server) {
	b.Helper()
	d, dsn := storetest.DSN(b, driver)
	cfg, err := config.Load("", []string{"GONGZHI_DB_DRIVER=" + d, "GONGZHI_DB_DSN=" + dsn})
	if err != nil {
		b.Fatal(err)
	}
	app, err := NewApp(context.Background(), cfg, benchLog(), nil)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(app.Router)
	b.Cleanup(func() { srv.Close(); app.Close() })
	return app, srv
}

// bareSDKServer is silenceper's server with a handler that returns a fixed
// text, mounted on our router (same middleware: request id, recovery,
// access log, metrics) with no store behind it.
func bareSDKServer(b *testing.B) *httptest.Server {
	b.Helper()
	// As NewApp does: gin in release mode, the SDK's logrus silenced.
	gin.SetMode(gin.ReleaseMode)
	wx.Setup(http.DefaultClient)
	log := benchLog()
	router := handlers.NewBase(log, handlers.NewMetrics())
	acct := wx.NewAccount(wx.AccountConfig{AppID: sandboxAppID, AppSecret: sandboxSecret, Token: sandboxToken}, wx.NewMemoryCache())
	router.POST("/bare", func(c *gin.Context) {
		srv := acct.OA.GetServer(c.Request, c.Writer)
		srv.SetMessageHandler(func(*message.MixMessage) *message.Reply {
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(messages.ZhCN.HelpResident)}
		})
		if err := srv.Serve(); err != nil {
			c.String(http.StatusBadRequest, "bad request")
			return
		}
		_ = srv.Send()
	})
	srv := httptest.NewServer(router)
	b.Cleanup(srv.Close)
	return srv
}

// benchText is a plaintext-mode text message.
func benchText(openID, content string, msgID int64) string {
	return fmt.Sprintf("<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>",
		openID, time.Now().Unix(), content, msgID)
}

// runWebhookBench posts b.N messages from benchClients concurrent clients
// and reports msg/s and the p99 latency.
// groups is the store's GroupStats (nil for the bare server).
func runWebhookBench(b *testing.B, target string, groups func() (int64, int64, int64), body func(n int64) string) {
	b.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	// A fresh nonce per request, as WeChat sends: a signed triple carries one body.
	signed := func(n int64) string {
		nonce := strconv.FormatInt(n, 10)
		q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {wx.Signature(sandboxToken, ts, nonce)}}
		return target + "?" + q.Encode()
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * benchClients, MaxConnsPerHost: 4 * benchClients}}
	var next atomic.Int64
	next.Store(time.Now().UnixNano() % 1_000_000_000 * 1000) // MsgIds never seen by this database
	var (
		mu  sync.Mutex
		all []time.Duration
	)
	b.SetParallelism(max(1, benchClients/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			n := next.Add(1)
			t0 := time.Now()
			resp, err := client.Post(signed(n), "text/xml", bytes.NewBufferString(body(n)))
			if err != nil {
				b.Error(err)
				return
			}
			reply, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t0))
			if resp.StatusCode != http.StatusOK || !bytes.Contains(reply, []byte("<xml>")) {
				b.Errorf("status %d: %.200s", resp.StatusCode, reply)
				return
			}
		}
		mu.Lock()
		all = append(all, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	p99 := all[min(len(all)-1, len(all)*99/100)]
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "msg/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	if groups != nil {
		if g, n, _ := groups(); g > 0 {
			b.ReportMetric(float64(n)/float64(g), "turns/group")
		}
	}
}
