package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// harness is the whole App behind an httptest server, driven by signed
// webhook requests exactly as WeChat sends them, on a clock the test moves.
type harness struct {
	t     *testing.T
	app   *App
	srv   *httptest.Server
	mu    sync.Mutex
	now   time.Time
	msgID int64
}

// start is Thursday 26 November 2026, 09:00 in Chongqing.
var start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

func newHarness(t *testing.T, driver string, env ...string) *harness {
	t.Helper()
	d, dsn := storetest.DSN(t, driver)
	cfg, err := config.Load("", append([]string{"GONGZHI_DB_DRIVER=" + d, "GONGZHI_DB_DSN=" + dsn}, env...))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	h := &harness{t: t, now: start}
	app, err := NewApp(context.Background(), cfg, slog.New(slog.DiscardHandler), h.clock)
	if err != nil {
		t.Fatalf("NewApp: %v", err)
	}
	h.app = app
	h.srv = httptest.NewServer(app.Router)
	t.Cleanup(func() { h.srv.Close(); app.Close() })
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

func (h *harness) nextID() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgID++
	return 7000000000000000 + h.msgID
}

// post sends one message body (the part inside <xml> after the sender) and
// returns the passive reply's text ("" for "success").
func (h *harness) post(openID, inner string) string {
	h.t.Helper()
	now := h.clock()
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := strconv.FormatInt(h.nextID(), 10) // one signed triple per request, as WeChat sends
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {wx.Signature(sandboxToken, ts, nonce)}}
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime>%s</xml>", openID, now.Unix(), inner)
	resp, err := http.Post(h.srv.URL+"/wechat?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil {
		h.t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("webhook answered %d: %s", resp.StatusCode, raw)
	}
	if string(raw) == "success" || len(raw) == 0 {
		return ""
	}
	var r struct {
		MsgType string `xml:"MsgType"`
		Content string `xml:"Content"`
	}
	if err := xml.Unmarshal(raw, &r); err != nil {
		h.t.Fatalf("reply is not XML: %v: %s", err, raw)
	}
	return r.Content
}

// persona is one resident talking to the account.
type persona struct {
	h      *harness
	openID string
}

func (h *harness) persona(openID string) *persona { return &persona{h: h, openID: openID} }

func cdata(s string) string { return "<![CDATA[" + s + "]]>" }

func (p *persona) say(text string) string {
	p.h.t.Helper()
	return p.h.post(p.openID, fmt.Sprintf("<MsgType>%s</MsgType><Content>%s</Content><MsgId>%d</MsgId>",
		cdata("text"), cdata(text), p.h.nextID()))
}

func (p *persona) voice(recognition string) string {
	p.h.t.Helper()
	return p.h.post(p.openID, fmt.Sprintf("<MsgType>%s</MsgType><MediaId>%s</MediaId><Format>%s</Format><Recognition>%s</Recognition><MsgId>%d</MsgId>",
		cdata("voice"), cdata("voice-media"), cdata("amr"), cdata(recognition), p.h.nextID()))
}

func (p *persona) image(mediaID string) string {
	p.h.t.Helper()
	return p.h.post(p.openID, fmt.Sprintf("<MsgType>%s</MsgType><PicUrl>%s</PicUrl><MediaId>%s</MediaId><MsgId>%d</MsgId>",
		cdata("image"), cdata("http://mmbiz.example/"+mediaID), cdata(mediaID), p.h.nextID()))
}

func (p *persona) location(lat, lng float64, label string) string {
	p.h.t.Helper()
	return p.h.post(p.openID, fmt.Sprintf("<MsgType>%s</MsgType><Location_X>%f</Location_X><Location_Y>%f</Location_Y><Scale>15</Scale><Label>%s</Label><MsgId>%d</MsgId>",
		cdata("location"), lat, lng, cdata(label), p.h.nextID()))
}

func (p *persona) event(event, key string) string {
	p.h.t.Helper()
	p.h.advance(time.Second) // events are deduplicated on sender + CreateTime
	return p.h.post(p.openID, fmt.Sprintf("<MsgType>%s</MsgType><Event>%s</Event><EventKey>%s</EventKey>",
		cdata("event"), cdata(event), cdata(key)))
}

func (p *persona) click(key string) string { return p.event("CLICK", key) }

// expect checks that a reply contains every fragment.
func expect(t *testing.T, step, reply string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(reply, f) {
			t.Fatalf("%s: reply %q lacks %q", step, reply, f)
		}
	}
}

func (p *persona) appeals() []*models.Appeal {
	p.h.t.Helper()
	list, err := p.h.app.Store.ListAppeals(context.Background(), models.AppealFilter{CommunityID: "sample", OpenID: p.openID})
	if err != nil {
		p.h.t.Fatal(err)
	}
	return list
}

// refIn extracts the reference code from a reply.
func refIn(t *testing.T, reply string) string {
	t.Helper()
	i := strings.Index(reply, "SQ")
	if i < 0 || len(reply) < i+12 {
		t.Fatalf("no reference code in %q", reply)
	}
	j := i + 2
	for j < len(reply) && reply[j] >= '0' && reply[j] <= '9' {
		j++
	}
	ref := reply[i:j]
	if !models.ValidRef(ref) {
		t.Fatalf("malformed reference %q in %q", ref, reply)
	}
	return ref
}

func eachDriver(t *testing.T, f func(t *testing.T, h *harness)) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) { f(t, newHarness(t, d)) })
	}
}
