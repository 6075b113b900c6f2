package wxfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2"
	"github.com/silenceper/wechat/v2/officialaccount"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/sirupsen/logrus"
)

// These tests drive the fake with the real SDK. They do not call t.Parallel:
// the SDK keeps its HTTP client in a package global (util.DefaultHTTPClient),
// so each test points it at its own fake before any SDK call.

const (
	testAppID  = "wx0123456789abcdef"
	testSecret = "s3cr3t"
)

func init() {
	// Importing the SDK sets logrus to Debug on stdout; keep test output quiet.
	logrus.SetLevel(logrus.WarnLevel)
}

// memCache is a race-free cache.Cache: the SDK's cache.NewMemory reads its
// map without the lock.
type memCache struct {
	mu sync.Mutex
	m  map[string]memItem
}

type memItem struct {
	val     any
	expires time.Time
}

func newMemCache() *memCache { return &memCache{m: make(map[string]memItem)} }

func (c *memCache) Get(key string) any {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.m[key]
	if !ok || time.Now().After(it.expires) {
		return nil
	}
	return it.val
}

func (c *memCache) Set(key string, val any, timeout time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = memItem{val: val, expires: time.Now().Add(timeout)}
	return nil
}

func (c *memCache) IsExist(key string) bool { return c.Get(key) != nil }

func (c *memCache) Delete(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
	return nil
}

// stableTokenKey is where the SDK (UseStableAK) caches its token: prefix
// "gowechat_officialaccount_" + "_stable_access_token_" + appID (note the
// double underscore).
const stableTokenKey = "gowechat_officialaccount__stable_access_token_" + testAppID

// sdk bundles an official account and its lazily built services, each got
// once: the SDK's getters race when first called concurrently.
type sdk struct {
	oa       *officialaccount.OfficialAccount
	cache    *memCache
	template *message.Template
	custom   *message.Manager
	menu     *menu.Menu
}

// newSDK points the SDK at p through an httptest server and RewriteTransport.
func newSDK(t *testing.T, p *Platform) *sdk {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	base, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return newSDKWithTransport(RewriteTransport(base, srv.Client().Transport))
}

func newSDKWithTransport(rt http.RoundTripper) *sdk {
	wc := wechat.NewWechat()
	wc.SetHTTPClient(&http.Client{Timeout: 5 * time.Second, Transport: rt})
	c := newMemCache()
	oa := wc.GetOfficialAccount(&offConfig.Config{
		AppID: testAppID, AppSecret: testSecret, Token: "tok", Cache: c, UseStableAK: true,
	})
	return &sdk{oa: oa, cache: c, template: oa.GetTemplate(), custom: oa.GetCustomerMessageManager(), menu: oa.GetMenu()}
}

func templateMsg(to, clientMsgID string) *message.TemplateMessage {
	return &message.TemplateMessage{
		ToUser:      to,
		TemplateID:  "TPL_PROGRESS",
		URL:         "https://example.org/appeal/42",
		ClientMsgID: clientMsgID,
		Data: map[string]*message.TemplateDataItem{
			"thing1":  {Value: "楼道灯不亮"},
			"phrase2": {Value: "处理中"},
		},
	}
}

func TestSDKSendsTemplateAndCustomMessages(t *testing.T) {
	p := New(testAppID, testSecret)
	s := newSDK(t, p)

	msgID, err := s.template.Send(templateMsg("oUser1", ""))
	if err != nil {
		t.Fatalf("template send: %v", err)
	}
	if msgID == 0 {
		t.Fatal("template send: msgid 0")
	}
	if err := s.custom.Send(message.NewCustomerTextMessage("oUser2", "您的诉求已受理")); err != nil {
		t.Fatalf("custom send: %v", err)
	}

	got := p.Pushes()
	if len(got) != 2 {
		t.Fatalf("Pushes() = %d pushes; want 2", len(got))
	}
	tpl, cs := got[0], got[1]
	if tpl.Kind != "template" || tpl.ToUser != "oUser1" || tpl.TemplateID != "TPL_PROGRESS" || tpl.MsgID != msgID {
		t.Errorf("template push = %+v", tpl)
	}
	if tpl.Data["thing1"] != "楼道灯不亮" || tpl.Data["phrase2"] != "处理中" {
		t.Errorf("template data = %v", tpl.Data)
	}
	if want := "phrase2: 处理中\nthing1: 楼道灯不亮"; tpl.Text != want {
		t.Errorf("template text = %q; want %q", tpl.Text, want)
	}
	if !strings.Contains(string(tpl.Raw), `"url":"https://example.org/appeal/42"`) {
		t.Errorf("template raw = %s", tpl.Raw)
	}
	if cs.Kind != "custom" || cs.ToUser != "oUser2" || cs.Text != "您的诉求已受理" {
		t.Errorf("custom push = %+v", cs)
	}
	if tpl.At.IsZero() || cs.At.Before(tpl.At) {
		t.Errorf("push times out of order: %v, %v", tpl.At, cs.At)
	}
	if n := p.TokenIssued(); n != 1 {
		t.Errorf("TokenIssued() = %d; want 1 (the SDK caches its token)", n)
	}
}

func TestSDKClientMsgIDIsIdempotent(t *testing.T) {
	p, clock := newClocked()
	s := newSDK(t, p)

	first, err := s.template.Send(templateMsg("oUser1", "appeal-42-progress-1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.template.Send(templateMsg("oUser1", "appeal-42-progress-1"))
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Errorf("duplicate client_msg_id: msgid %d; want the first one, %d", again, first)
	}
	other, err := s.template.Send(templateMsg("oUser1", "appeal-42-progress-2"))
	if err != nil {
		t.Fatal(err)
	}
	if other == first {
		t.Errorf("another client_msg_id got the same msgid %d", other)
	}
	if n := len(p.Pushes()); n != 2 {
		t.Fatalf("Pushes() = %d; want 2 (the duplicate is not delivered)", n)
	}

	// After 24 h the id is forgotten. The fake's token has expired by then
	// too, so start from a fresh SDK cache.
	clock.Add(idempotencyWindow + time.Second)
	s = newSDK(t, p)
	later, err := s.template.Send(templateMsg("oUser1", "appeal-42-progress-1"))
	if err != nil {
		t.Fatal(err)
	}
	if later == first {
		t.Error("client_msg_id still suppressed after 24 h")
	}
	if pushes := p.Pushes(); len(pushes) != 3 || pushes[2].ClientMsgID != "appeal-42-progress-1" {
		t.Errorf("Pushes() after 24 h = %+v", pushes)
	}
}

func TestSDKMenu(t *testing.T) {
	p := New(testAppID, testSecret)
	s := newSDK(t, p)

	if _, err := s.menu.GetMenu(); err == nil || !strings.Contains(err.Error(), "46003") {
		t.Errorf("GetMenu before any menu: err = %v; want errcode 46003", err)
	}
	report := new(menu.Button).SetClickButton("我要反映", "APPEAL_NEW")
	mine := new(menu.Button).SetClickButton("我的诉求", "APPEAL_MINE")
	site := new(menu.Button).SetViewButton("社区官网", "https://example.org/")
	more := new(menu.Button).SetSubButton("更多", []*menu.Button{mine, site})
	if err := s.menu.SetMenu([]*menu.Button{report, more}); err != nil {
		t.Fatalf("SetMenu: %v", err)
	}
	want := `{"button":[{"type":"click","name":"我要反映","key":"APPEAL_NEW"},{"name":"更多","sub_button":[{"type":"click","name":"我的诉求","key":"APPEAL_MINE"},{"type":"view","name":"社区官网","url":"https://example.org/"}]}]}`
	if got := string(p.Menu()); got != want {
		t.Errorf("Menu() = %s\nwant      %s", got, want)
	}
	res, err := s.menu.GetMenu()
	if err != nil {
		t.Fatalf("GetMenu: %v", err)
	}
	if len(res.Menu.Button) != 2 || res.Menu.Button[1].SubButtons[0].Key != "APPEAL_MINE" {
		t.Errorf("GetMenu = %+v", res.Menu)
	}
	if err := s.menu.SetMenu(nil); err == nil || !strings.Contains(err.Error(), "40016") {
		t.Errorf("SetMenu(nil): err = %v; want errcode 40016", err)
	}
}

func TestSDKUserInfo(t *testing.T) {
	p := New(testAppID, testSecret)
	s := newSDK(t, p)
	info, err := s.oa.GetUser().GetUserInfo("oUser7")
	if err != nil {
		t.Fatal(err)
	}
	if info.OpenID != "oUser7" || info.Subscribe != 1 || info.Language != "zh_CN" {
		t.Errorf("GetUserInfo = %+v", info)
	}
}

func TestSDKFaults(t *testing.T) {
	tests := []struct {
		name    string
		code    int
		wantErr string
	}{
		{"system busy", -1, "errcode=-1"},
		{"daily quota", 45009, "errcode=45009"},
		{"not subscribed", 43004, "errcode=43004"},
		{"outside 48h window", 45015, "errcode=45015"},
		{"invalid credential", 40001, "errcode=40001"},
	}
	p := New(testAppID, testSecret)
	s := newSDK(t, p)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.Fail(Fault{ErrRate: 1, ErrCode: tt.code})
			defer p.Fail(Fault{})
			if _, err := s.template.Send(templateMsg("oUser1", "")); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("template send: err = %v; want %s", err, tt.wantErr)
			}
			if err := s.custom.Send(message.NewCustomerTextMessage("oUser1", "hi")); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("custom send: err = %v; want %s", err, tt.wantErr)
			}
			if n := len(p.Pushes()); n != 0 {
				t.Errorf("failed sends recorded: %d pushes", n)
			}
		})
	}

	t.Run("rate and seed", func(t *testing.T) {
		// The same seed fails the same sends; about half of them at 0.5.
		pattern := func() string {
			p.Fail(Fault{ErrRate: 0.5, ErrCode: 45009, Seed: 7})
			defer p.Fail(Fault{})
			var b strings.Builder
			for i := range 100 {
				if err := s.custom.Send(message.NewCustomerTextMessage("oUser1", fmt.Sprint(i))); err != nil {
					b.WriteByte('x')
				} else {
					b.WriteByte('.')
				}
			}
			return b.String()
		}
		a, b := pattern(), pattern()
		if a != b {
			t.Errorf("same seed, different failures:\n%s\n%s", a, b)
		}
		if n := strings.Count(a, "x"); n < 30 || n > 70 {
			t.Errorf("%d of 100 sends failed at ErrRate 0.5", n)
		}
		if n := len(p.Pushes()); n != 2*strings.Count(a, ".") {
			t.Errorf("Pushes() = %d; want %d", n, 2*strings.Count(a, "."))
		}
	})
}

func TestSDKTokenExpiry(t *testing.T) {
	p := New(testAppID, testSecret)
	s := newSDK(t, p)
	if _, err := s.template.Send(templateMsg("oUser1", "")); err != nil {
		t.Fatal(err)
	}
	p.ExpireTokens()
	// The SDK keeps its cached token after errcode 40001: it fails until the
	// caller drops the cached token.
	for range 2 {
		if _, err := s.template.Send(templateMsg("oUser1", "")); err == nil || !strings.Contains(err.Error(), "errcode=40001") {
			t.Fatalf("send with an expired token: err = %v; want errcode 40001", err)
		}
	}
	if err := s.cache.Delete(stableTokenKey); err != nil {
		t.Fatal(err)
	}
	if _, err := s.template.Send(templateMsg("oUser1", "")); err != nil {
		t.Fatalf("send after dropping the cached token: %v", err)
	}
	if n := p.TokenIssued(); n != 2 {
		t.Errorf("TokenIssued() = %d; want 2", n)
	}
}

func TestSDKConcurrentSends(t *testing.T) {
	p := New(testAppID, testSecret)
	s := newSDK(t, p)
	const workers, each = 16, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				if _, err := s.template.Send(templateMsg("oUser"+id, id)); err != nil {
					errs <- err
				}
				if err := s.custom.Send(message.NewCustomerTextMessage("oUser"+id, id)); err != nil {
					errs <- err
				}
				_ = p.Pushes() // readers run alongside writers
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	pushes := p.Pushes()
	if len(pushes) != workers*each*2 {
		t.Fatalf("Pushes() = %d; want %d", len(pushes), workers*each*2)
	}
	seen := make(map[int64]bool)
	for _, m := range pushes {
		if m.Kind != "template" {
			continue
		}
		if seen[m.MsgID] {
			t.Errorf("msgid %d issued twice", m.MsgID)
		}
		seen[m.MsgID] = true
	}
	if n := p.TokenIssued(); n != 1 {
		t.Errorf("TokenIssued() = %d; want 1", n)
	}
}

// TestSDKInProcess is the sandbox wiring: no listener at all.
func TestSDKInProcess(t *testing.T) {
	p := New(testAppID, testSecret)
	s := newSDKWithTransport(InProcessTransport(p))
	if _, err := s.template.Send(templateMsg("oUser1", "")); err != nil {
		t.Fatal(err)
	}
	if err := s.custom.Send(message.NewCustomerTextMessage("oUser1", "在的")); err != nil {
		t.Fatal(err)
	}
	if n := len(p.Pushes()); n != 2 {
		t.Errorf("Pushes() = %d; want 2", n)
	}
}

// TestSDKMountedUnderPrefix is the GONGZHI_WECHAT_API_BASE wiring with the
// fake mounted inside another server at /wxfake/.
func TestSDKMountedUnderPrefix(t *testing.T) {
	p := New(testAppID, testSecret)
	mux := http.NewServeMux()
	mux.Handle("/wxfake/", http.StripPrefix("/wxfake", p))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	base, _ := url.Parse(srv.URL + "/wxfake/")
	s := newSDKWithTransport(RewriteTransport(base, nil))
	if err := s.custom.Send(message.NewCustomerTextMessage("oUser1", "hi")); err != nil {
		t.Fatal(err)
	}
	if n := len(p.Pushes()); n != 1 {
		t.Errorf("Pushes() = %d; want 1", n)
	}
}
