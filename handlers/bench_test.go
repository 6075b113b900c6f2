package handlers_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models/store"
)

// benchClients is how many requests are in flight at once (WeChat calls
// the webhook concurrently for different residents).
const benchClients = 8

// benchResidents is how many distinct senders the messages come from.
const benchResidents = 1000

// BenchmarkWebhook measures messages per second and the p99 latency of
// plaintext-mode messages over a real HTTP server:
//   - bare-sdk: silenceper's server answering a fixed text, behind the same
//     gin router and middleware, no store: the ceiling;
//   - <driver>/help: "帮助", each a new MsgId (no state change but the
//     resident's last-message time);
//   - <driver>/write: another text, each a new MsgId, from a new sender
//     every time, so that the dedupe row and a new resident are written.
//
// mysql sub-benchmarks run when TEST_MYSQL_DSN is set.
func BenchmarkWebhook(b *testing.B) {
	b.Run("bare-sdk", func(b *testing.B) {
		srv, q := bareSDKServer(b)
		runWebhookBench(b, srv.URL+"/bare", q, func(n int64) string {
			return textMsg(fmt.Sprintf("oBenchResident%010d", n%benchResidents), bot.WordHelp, n)
		})
	})
	drivers := []string{store.SQLite}
	if os.Getenv("TEST_MYSQL_DSN") != "" {
		drivers = append(drivers, store.MySQL)
	}
	for _, driver := range drivers {
		b.Run(driver+"/help", func(b *testing.B) {
			h := newHarness(b, driver, harnessOpts{Quiet: true, PlainOnly: true})
			// Every resident is known beforehand, as in a running community.
			warm := h.signedQuery(h.Clock.Now())
			for n := range int64(benchResidents) {
				r := request{Method: http.MethodPost, Query: warm, Body: []byte(textMsg(fmt.Sprintf("oBenchResident%010d", n), "你好", 1_000_000_000+n))}
				if status, body := h.do(r); status != http.StatusOK {
					b.Fatalf("warm-up: %d %s", status, body)
				}
			}
			runWebhookBench(b, h.URL(), h.signedQuery(h.Clock.Now()), func(n int64) string {
				return textMsg(fmt.Sprintf("oBenchResident%010d", n%benchResidents), bot.WordHelp, n)
			})
		})
		b.Run(driver+"/write", func(b *testing.B) {
			h := newHarness(b, driver, harnessOpts{Quiet: true, PlainOnly: true})
			runWebhookBench(b, h.URL(), h.signedQuery(h.Clock.Now()), func(n int64) string {
				return textMsg(fmt.Sprintf("oBenchNewcomer%010d", n), "小区东门的路灯坏了", n)
			})
		})
	}
}

// runWebhookBench posts b.N messages from benchClients concurrent clients
// and reports msg/s and the p99 latency.
func runWebhookBench(b *testing.B, target string, q url.Values, body func(n int64) string) {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * benchClients, MaxConnsPerHost: 4 * benchClients}}
	u := target + "?" + q.Encode()
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
			resp, err := client.Post(u, "text/xml", bytes.NewBufferString(body(n)))
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
}

// bareSDKServer is silenceper's server with a handler that returns a fixed
// text, mounted on our router (same middleware: request id, recovery,
// access log, metrics) with no store behind it.
func bareSDKServer(b *testing.B) (*httptest.Server, url.Values) {
	b.Helper()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	router := handlers.NewRouter(handlers.Deps{Log: log, Metrics: handlers.NewMetrics(), Webhook: &handlers.Webhook{},
		Now: time.Now, Location: time.UTC})
	acct := wx.NewAccount(wx.AccountConfig{AppID: sampleAppID, AppSecret: testSecret, Token: sampleToken, CommunityID: testCommunity}, wx.NewMemoryCache())
	router.POST("/bare", func(c *gin.Context) {
		srv := acct.OA.GetServer(c.Request, c.Writer)
		srv.SetMessageHandler(func(*message.MixMessage) *message.Reply {
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(bot.ZhCN.HelpResident)}
		})
		if err := srv.Serve(); err != nil {
			c.String(http.StatusBadRequest, "bad request")
			return
		}
		_ = srv.Send()
	})
	srv := httptest.NewServer(router)
	b.Cleanup(srv.Close)
	q := url.Values{}
	ts, nonce := fmt.Sprint(time.Now().Unix()), "424242"
	q.Set("timestamp", ts)
	q.Set("nonce", nonce)
	q.Set("signature", refSign(sampleToken, ts, nonce))
	return srv, q
}
