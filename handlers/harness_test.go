package handlers_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/bot/wx/wxfake"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// The harness's default official account. The AES key and AppID are the
// official sample's, so that the published vector goes through unchanged.
const (
	testCommunity = "sample"
	testSecret    = "test-secret"
	sampleToken   = "spamtest"
	sampleAESKey  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	sampleAppID   = "wx2c2769f8efd9abc2"
	// plainAppID is a second account of the same community without an AES
	// key: an account with a key refuses plaintext, so plaintext tests go
	// to /wechat/{plainAppID}.
	plainAppID = "wxplaintext0000001"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	// The production set-up: the SDK's logrus output (which prints decrypted
	// messages) goes nowhere. Each harness then points the client at its fake.
	wx.Setup(&http.Client{Timeout: 5 * time.Second})
	code := m.Run()
	// Every harness also logs into runLogs: the whole run's output must not
	// hold any openid or text that any test sent.
	if leaks := runSecrets.leaks(runLogs.String()); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the run's logs hold personal data: %q\n", leaks)
		code = 1
	}
	os.Exit(code)
}

var (
	runLogs    syncBuffer
	runSecrets = &secretSet{m: map[string]bool{}}
)

// secretSet is the personal data sent through the webhook.
type secretSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (s *secretSet) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[v] = true
}

// leaks returns the secrets that appear in logs.
func (s *secretSet) leaks(logs string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for v := range s.m {
		if strings.Contains(logs, v) {
			out = append(out, v)
		}
	}
	return out
}

// clock is a settable clock shared by the webhook and the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// handled is one call of the MessageHandler as the recorder saw it.
type handled struct {
	In  models.Inbound
	Res bot.Result
	Err error
}

// recorder wraps the real service and remembers what reached it.
type recorder struct {
	next handlers.MessageHandler
	mu   sync.Mutex
	seen []handled
}

func (r *recorder) Handle(ctx context.Context, in models.Inbound) (bot.Result, error) {
	res, err := r.next.Handle(ctx, in)
	r.mu.Lock()
	r.seen = append(r.seen, handled{in, res, err})
	r.mu.Unlock()
	return res, err
}

func (r *recorder) calls() []handled {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]handled(nil), r.seen...)
}

// handlerFunc adapts a function to handlers.MessageHandler.
type handlerFunc func(ctx context.Context, in models.Inbound) (bot.Result, error)

func (f handlerFunc) Handle(ctx context.Context, in models.Inbound) (bot.Result, error) {
	return f(ctx, in)
}

// harnessOpts changes the harness's defaults.
type harnessOpts struct {
	Token, AESKey, AppID string        // defaults: the official sample's
	PlainOnly            bool          // no EncodingAESKey: plaintext mode only
	Start                time.Time     // the clock's start; default now
	ReplyBudget          time.Duration // default 4 s
	AdminToken           string
	// WrapHandler wraps the (recorded) service, e.g. to make it slow.
	WrapHandler func(handlers.MessageHandler) handlers.MessageHandler
	// WrapStore wraps the store the service sees, e.g. to hold commits.
	WrapStore func(models.Store) models.Store
	// Replicas is how many webhook servers share the database (default 1).
	Replicas int
	// MaxInFlight is the webhook's bound on bodies in flight (0: its default).
	MaxInFlight int
	// MaxQueued and SlotWait bound the wait for a slot (0: the defaults).
	MaxQueued int
	SlotWait  time.Duration
	// BodyReadTimeout bounds reading one body (0: the webhook's default).
	BodyReadTimeout time.Duration
	// Quiet sends logs nowhere instead of the checked buffer and records no
	// calls (fuzzing and benchmarks, where both would grow without bound).
	Quiet bool
}

// harness is the whole webhook path for real: a migrated database, the bot
// service and engine, the SDK's account on a memory token cache, the gin
// router behind a real HTTP server, and a fake WeChat API platform.
type harness struct {
	t        testing.TB
	Driver   string
	DB       *store.DB
	Clock    *clock
	Platform *wxfake.Platform
	Account  wx.AccountConfig
	Logs     *syncBuffer
	// Servers are the replicas; Servers[0] is "the" server, with Metrics[0].
	Servers  []*httptest.Server
	Metrics  []*handlers.Metrics
	Webhooks []*handlers.Webhook
	Rec      *recorder   // replica 0's
	Recs     []*recorder // every replica's
	nonce    *atomic.Int64
	// plainPath is where plaintext requests go: "" (/wechat) when the
	// default account has no AES key, else the plaintext account's path.
	plainPath string

	secrets *secretSet // openids and texts sent: never to appear in logs
}

// newHarness builds the webhook path on a fresh database of driver.
func newHarness(t testing.TB, driver string, o harnessOpts) *harness {
	t.Helper()
	if o.Token == "" {
		o.Token = sampleToken
	}
	if o.AppID == "" {
		o.AppID = sampleAppID
	}
	if o.AESKey == "" && !o.PlainOnly {
		o.AESKey = sampleAESKey
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	if o.ReplyBudget == 0 {
		o.ReplyBudget = 4 * time.Second
	}
	if o.Replicas == 0 {
		o.Replicas = 1
	}
	h := &harness{t: t, Driver: driver, Clock: &clock{t: o.Start}, Logs: &syncBuffer{}, nonce: new(atomic.Int64), secrets: &secretSet{m: map[string]bool{}}}
	var logOut io.Writer = io.MultiWriter(h.Logs, &runLogs)
	if o.Quiet {
		logOut = io.Discard
	}
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// The store gets the same logger as production, so gorm's warnings are checked too.
	drv, dsn := storetest.DSN(t, driver)
	db, err := store.Open(context.Background(), drv, dsn, log)
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", driver, err)
	}
	if err := db.EnsureCommunity(context.Background(), &models.Community{ID: testCommunity, Name: "样例社区"}); err != nil {
		t.Fatal(err)
	}
	h.DB = db

	h.Platform = wxfake.New(o.AppID, testSecret)
	api := httptest.NewServer(h.Platform)
	t.Cleanup(api.Close)
	base, _ := url.Parse(api.URL)
	wx.SetHTTPClient(&http.Client{Timeout: 5 * time.Second, Transport: wxfake.RewriteTransport(base, nil)})

	h.Account = wx.AccountConfig{AppID: o.AppID, AppSecret: testSecret, Token: o.Token, AESKey: o.AESKey, CommunityID: testCommunity}
	list := []*wx.Account{wx.NewAccount(h.Account, wx.NewMemoryCache())}
	if o.AESKey != "" {
		h.plainPath = "/wechat/" + plainAppID
		plainCfg := h.Account
		plainCfg.AppID, plainCfg.AESKey = plainAppID, ""
		list = append(list, wx.NewAccount(plainCfg, wx.NewMemoryCache()))
	}
	accounts := wx.NewAccounts(list...)
	var st models.Store = db
	if o.WrapStore != nil {
		st = o.WrapStore(st)
	}
	loc := time.FixedZone("CST", 8*3600)
	cat, err := triage.Default()
	if err != nil {
		t.Fatal(err)
	}
	classifier, err := triage.New(cat)
	if err != nil {
		t.Fatal(err)
	}
	for range o.Replicas {
		engine := testEngine(t, st, classifier, cat, loc)
		svc := &bot.Service{Store: st, Engine: engine, Pusher: accounts, Log: log, Now: h.Clock.Now, ConversationTTL: 30 * time.Minute}
		var mh handlers.MessageHandler = svc
		if !o.Quiet {
			rec := &recorder{next: svc}
			h.Recs = append(h.Recs, rec)
			mh = rec
		}
		if o.WrapHandler != nil {
			mh = o.WrapHandler(mh)
		}
		m := handlers.NewMetrics()
		wh := &handlers.Webhook{Accounts: accounts, Handler: mh, Pusher: accounts, Log: log, Metrics: m,
			Now: h.Clock.Now, MaxSkew: 5 * time.Minute, ReplyBudget: o.ReplyBudget, Failure: messages.ZhCN.Failure,
			Nonces: db, MaxInFlight: o.MaxInFlight, MaxQueued: o.MaxQueued, SlotWait: o.SlotWait,
			BodyReadTimeout: o.BodyReadTimeout}
		router := mustRouter(t, testDeps(t, db, wh, m, log, o.AdminToken, h.Clock.Now, loc))
		srv := httptest.NewServer(router)
		t.Cleanup(srv.Close)
		h.Servers = append(h.Servers, srv)
		h.Metrics = append(h.Metrics, m)
		h.Webhooks = append(h.Webhooks, wh)
	}
	if !o.Quiet {
		h.Rec = h.Recs[0]
		// Registered last, so it runs first: after the test, before the servers close.
		t.Cleanup(h.checkLogs)
	}
	return h
}

// testEngine is the conversation engine as the App builds it, on st, with
// no staff bound (appeals go to role placeholders, nobody is pushed).
func testEngine(t testing.TB, st models.Store, c *triage.Classifier, cat *triage.Catalog, loc *time.Location) *bot.Engine {
	t.Helper()
	appeals, err := ops.NewAppeals(ops.AppealsConfig{Store: st, Catalog: cat, Directory: ops.Directory{},
		Calendar: models.DefaultCalendar(loc), Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	e, err := bot.NewEngine(bot.EngineConfig{Reader: st, Classifier: c, Appeals: appeals,
		ConversationTTL: 30 * time.Minute, MeTooWindow: bot.DefaultMeTooWindow})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// firstReply is what the engine says to a resident never seen before who
// sends text: the webhook tests check that it arrives unchanged, whatever
// the conversation decides.
func firstReply(t testing.TB, text string) string {
	t.Helper()
	cat, err := triage.Default()
	if err != nil {
		t.Fatal(err)
	}
	c, err := triage.New(cat)
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t, store.SQLite)
	out, err := testEngine(t, st, c, cat, time.UTC).Step(context.Background(), bot.Input{
		Msg: models.Inbound{CommunityID: testCommunity, OpenID: "oFirstReplyProbe", MsgType: models.MsgText, Content: text, MsgID: 1},
		Now: time.Now()})
	if err != nil || len(out.Replies) == 0 {
		t.Fatalf("engine on %q: %v, %d replies", text, err, len(out.Replies))
	}
	return out.Replies[0]
}

// with returns the harness reporting to t (a fuzz target's own t).
func (h *harness) with(t testing.TB) *harness {
	c := *h
	c.t = t
	return &c
}

// checkLogs fails the test if any openid or message text it sent was logged.
func (h *harness) checkLogs() {
	if leaks := h.secrets.leaks(h.Logs.String()); len(leaks) > 0 {
		h.t.Errorf("the logs contain personal data %q:\n%s", leaks, h.Logs.String())
	}
}

var (
	fromRe    = regexp.MustCompile(`<FromUserName><!\[CDATA\[([^\]]+)\]\]>`)
	contentRe = regexp.MustCompile(`<Content><!\[CDATA\[([^\]]+)\]\]>`)
)

// remember marks the sender and the text of a message as personal data.
func (h *harness) remember(msg string) {
	for _, re := range []*regexp.Regexp{fromRe, contentRe} {
		if m := re.FindStringSubmatch(msg); m != nil && len(m[1]) >= 4 {
			h.secrets.add(m[1])
			runSecrets.add(m[1])
		}
	}
}

// URL is the webhook's address on the first replica.
func (h *harness) URL() string { return h.Servers[0].URL + "/wechat" }

// signedQuery is WeChat's query for a request sent at ts.
func (h *harness) signedQuery(ts time.Time) url.Values {
	q := url.Values{}
	stamp := strconv.FormatInt(ts.Unix(), 10)
	nonce := strconv.FormatInt(1_000_000+h.nonce.Add(1), 10)
	q.Set("timestamp", stamp)
	q.Set("nonce", nonce)
	q.Set("signature", refSign(h.Account.Token, stamp, nonce))
	return q
}

// request is one webhook call as WeChat would make it.
type request struct {
	Method string
	Path   string // default /wechat
	Query  url.Values
	Body   []byte
	Safe   bool // the reply is encrypted
}

// plain builds a plaintext-mode POST of msg, signed now.
func (h *harness) plain(msg string) request {
	h.remember(msg)
	return request{Method: http.MethodPost, Path: h.plainPath, Query: h.signedQuery(h.Clock.Now()), Body: []byte(msg)}
}

// safe builds a safe-mode POST of msg, encrypted by the tests' own crypto.
func (h *harness) safe(msg string) request {
	h.t.Helper()
	enc, err := refEncrypt(h.Account.AESKey, h.Account.AppID, nil, []byte(msg))
	if err != nil {
		h.t.Fatal(err)
	}
	return h.safeEncrypted(msg, enc)
}

// safeEncrypted builds a safe-mode POST carrying enc, with a valid msg_signature.
func (h *harness) safeEncrypted(msg, enc string) request {
	h.remember(msg)
	return h.safeEncryptedQuiet(enc)
}

// safeEncryptedQuiet is safeEncrypted for fuzzing: nothing is remembered.
func (h *harness) safeEncryptedQuiet(enc string) request {
	q := h.signedQuery(h.Clock.Now())
	q.Set("encrypt_type", "aes")
	q.Set("msg_signature", refSign(h.Account.Token, q.Get("timestamp"), q.Get("nonce"), enc))
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>", enc)
	return request{Method: http.MethodPost, Query: q, Body: []byte(body), Safe: true}
}

// in builds the request in the named mode: "plain" or "safe".
func (h *harness) in(mode, msg string) request {
	if mode == "safe" {
		return h.safe(msg)
	}
	return h.plain(msg)
}

// do sends r to replica 0.
func (h *harness) do(r request) (int, string) { return h.doOn(0, r) }

// doOn sends r to replica i and returns the status and the body.
func (h *harness) doOn(i int, r request) (int, string) {
	h.t.Helper()
	path := r.Path
	if path == "" {
		path = "/wechat"
	}
	u := h.Servers[i].URL + path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	req, err := http.NewRequest(r.Method, u, bytes.NewReader(r.Body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", r.Method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// get fetches a path of replica 0 with optional bearer token.
func (h *harness) get(path, token string) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.Servers[0].URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// reply is a passive reply as WeChat reads it.
type reply struct {
	Success      bool // the body was "success" (or empty): no reply
	ToUserName   string
	FromUserName string
	MsgType      string
	Content      string
	CreateTime   int64
}

type replyXML struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
}

type encryptedReply struct {
	Encrypt      string `xml:"Encrypt"`
	MsgSignature string `xml:"MsgSignature"`
	TimeStamp    string `xml:"TimeStamp"`
	Nonce        string `xml:"Nonce"`
}

// decode reads a 200 answer to r: "success", a plaintext reply, or a
// safe-mode reply whose msg_signature it verifies and which it decrypts
// with the tests' own crypto.
func (h *harness) decode(r request, body string) reply {
	h.t.Helper()
	if body == "success" || body == "" {
		return reply{Success: true}
	}
	raw := []byte(body)
	if r.Safe {
		var e encryptedReply
		if err := xml.Unmarshal(raw, &e); err != nil || e.Encrypt == "" {
			h.t.Fatalf("safe-mode reply is not an encrypted envelope (%v): %s", err, body)
		}
		if e.Nonce != r.Query.Get("nonce") {
			h.t.Errorf("reply nonce %q, want the request's %q", e.Nonce, r.Query.Get("nonce"))
		}
		if want := refSign(h.Account.Token, e.TimeStamp, e.Nonce, e.Encrypt); e.MsgSignature != want {
			h.t.Fatalf("reply MsgSignature %s, want %s", e.MsgSignature, want)
		}
		msg, appID, err := refDecrypt(h.Account.AESKey, e.Encrypt)
		if err != nil {
			h.t.Fatalf("decrypt reply: %v", err)
		}
		if appID != h.Account.AppID {
			h.t.Fatalf("reply encrypted for AppID %q, want %q", appID, h.Account.AppID)
		}
		raw = msg
	}
	var x replyXML
	if err := xml.Unmarshal(raw, &x); err != nil {
		h.t.Fatalf("reply is not XML (%v): %s", err, raw)
	}
	return reply{ToUserName: x.ToUserName, FromUserName: x.FromUserName, MsgType: x.MsgType, Content: x.Content, CreateTime: x.CreateTime}
}

// counts are the rows a message can write.
type counts struct {
	Processed, Residents, Appeals, Events, Conversations int64
}

func (h *harness) counts() counts {
	h.t.Helper()
	var c counts
	g := h.DB.Gorm()
	for _, x := range []struct {
		model any
		n     *int64
	}{
		{&models.ProcessedMessage{}, &c.Processed}, {&models.Resident{}, &c.Residents},
		{&models.Appeal{}, &c.Appeals}, {&models.AppealEvent{}, &c.Events}, {&models.Conversation{}, &c.Conversations},
	} {
		if err := g.Model(x.model).Count(x.n).Error; err != nil {
			h.t.Fatalf("count: %v", err)
		}
	}
	return c
}

// metric returns the value of one series on replica i's /metrics, or -1
// when absent. labels are matched as written in the exposition format.
func (h *harness) metric(i int, name, labels string) float64 {
	h.t.Helper()
	resp, err := http.Get(h.Servers[i].URL + "/metrics")
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return metricIn(string(body), name, labels)
}

func metricIn(exposition, name, labels string) float64 {
	prefix := name
	if labels != "" {
		prefix += "{" + labels + "}"
	}
	for _, line := range strings.Split(exposition, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// fixture reads testdata/wechat/name.
func fixture(t testing.TB, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "wechat", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// fixtures lists the message fixtures.
func fixtures(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "wechat", "*.xml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

var (
	msgIDRe      = regexp.MustCompile(`<MsgI[dD]>\d+</MsgI[dD]>`)
	createTimeRe = regexp.MustCompile(`<CreateTime>\d+</CreateTime>`)
)

// uniquify gives a fixture its own MsgId and CreateTime, so that the
// fixtures (which share them) are distinct messages to the dedupe.
func uniquify(msg string, n int64) string {
	msg = msgIDRe.ReplaceAllStringFunc(msg, func(s string) string {
		tag := s[1:6]
		return fmt.Sprintf("<%s>%d</%s>", tag, 7_000_000_000+n, tag)
	})
	return createTimeRe.ReplaceAllString(msg, fmt.Sprintf("<CreateTime>%d</CreateTime>", 1_700_000_000+n))
}

// textMsg is a text message from openID.
func textMsg(openID, content string, msgID int64) string {
	return fmt.Sprintf("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>",
		openID, 1_700_000_000+msgID%1_000_000, content, msgID)
}
