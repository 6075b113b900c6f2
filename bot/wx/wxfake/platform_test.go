package wxfake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for travelling past token expiry.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClocked() (*Platform, *fakeClock) {
	p := New(testAppID, testSecret)
	c := &fakeClock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	p.now = c.Now
	return p, c
}

// call sends one request straight to the handler and decodes the JSON answer.
func call(t *testing.T, h http.Handler, method, target, body string) (int, map[string]any, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, r))
	raw := rec.Body.String()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %q", method, target, raw)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q", method, target, ct)
	}
	return rec.Code, m, raw
}

func errcode(m map[string]any) int {
	f, _ := m["errcode"].(float64)
	return int(f)
}

func getToken(t *testing.T, p *Platform) string {
	t.Helper()
	_, m, _ := call(t, p, "GET", "/cgi-bin/token?grant_type=client_credential&appid="+testAppID+"&secret="+testSecret, "")
	tok, _ := m["access_token"].(string)
	if tok == "" {
		t.Fatalf("no token: %v", m)
	}
	return tok
}

func stableToken(t *testing.T, p *Platform, force bool) (string, int) {
	t.Helper()
	body := `{"grant_type":"client_credential","appid":"` + testAppID + `","secret":"` + testSecret + `","force_refresh":` + map[bool]string{true: "true", false: "false"}[force] + `}`
	_, m, _ := call(t, p, "POST", "/cgi-bin/stable_token", body)
	tok, _ := m["access_token"].(string)
	if tok == "" {
		t.Fatalf("no stable token: %v", m)
	}
	return tok, int(m["expires_in"].(float64))
}

func TestTokenEndpoints(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		want                       int
	}{
		{"ok", "GET", "/cgi-bin/token?grant_type=client_credential&appid=" + testAppID + "&secret=" + testSecret, "", 0},
		{"wrong appid", "GET", "/cgi-bin/token?grant_type=client_credential&appid=wxother&secret=" + testSecret, "", 40013},
		{"wrong secret", "GET", "/cgi-bin/token?grant_type=client_credential&appid=" + testAppID + "&secret=nope", "", 40125},
		{"missing appid", "GET", "/cgi-bin/token?grant_type=client_credential&secret=" + testSecret, "", 41002},
		{"wrong grant_type", "GET", "/cgi-bin/token?grant_type=password&appid=" + testAppID + "&secret=" + testSecret, "", 40002},
		{"token by POST", "POST", "/cgi-bin/token?grant_type=client_credential&appid=" + testAppID + "&secret=" + testSecret, "", 43001},
		{"stable ok", "POST", "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"` + testAppID + `","secret":"` + testSecret + `"}`, 0},
		{"stable wrong secret", "POST", "/cgi-bin/stable_token", `{"grant_type":"client_credential","appid":"` + testAppID + `","secret":"x"}`, 40125},
		{"stable bad json", "POST", "/cgi-bin/stable_token", `{"grant_type":`, 47001},
		{"stable empty body", "POST", "/cgi-bin/stable_token", "", 44002},
		{"stable by GET", "GET", "/cgi-bin/stable_token", "", 43002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(testAppID, testSecret)
			status, m, _ := call(t, p, tt.method, tt.target, tt.body)
			if status != http.StatusOK || errcode(m) != tt.want {
				t.Fatalf("status %d, body %v; want 200 and errcode %d", status, m, tt.want)
			}
			if tt.want == 0 && (m["access_token"] == "" || m["expires_in"] != float64(7200)) {
				t.Errorf("token answer %v", m)
			}
			if tt.want != 0 && m["errmsg"] == "" {
				t.Errorf("no errmsg in %v", m)
			}
		})
	}
}

func TestTokenLifetimes(t *testing.T) {
	send := func(t *testing.T, p *Platform, tok string) int {
		t.Helper()
		_, m, _ := call(t, p, "POST", "/cgi-bin/message/custom/send?access_token="+tok, `{"touser":"o1","msgtype":"text","text":{"content":"hi"}}`)
		return errcode(m)
	}

	t.Run("ordinary token grace after a new one", func(t *testing.T) {
		p, clock := newClocked()
		old := getToken(t, p)
		cur := getToken(t, p)
		if old == cur {
			t.Fatal("/cgi-bin/token answered the same token twice")
		}
		if got := send(t, p, old); got != 0 {
			t.Errorf("old token right after refresh: errcode %d; want 0", got)
		}
		clock.Add(graceTTL + time.Second)
		if got := send(t, p, old); got != 42001 {
			t.Errorf("old token after grace: errcode %d; want 42001", got)
		}
		if got := send(t, p, cur); got != 0 {
			t.Errorf("new token: errcode %d; want 0", got)
		}
		clock.Add(tokenTTL)
		if got := send(t, p, cur); got != 42001 {
			t.Errorf("token after 7200 s: errcode %d; want 42001", got)
		}
	})

	t.Run("stable token is shared until expiry", func(t *testing.T) {
		p, clock := newClocked()
		a, _ := stableToken(t, p, false)
		clock.Add(time.Hour)
		b, left := stableToken(t, p, false)
		if a != b {
			t.Fatal("stable_token without force_refresh answered a new token")
		}
		if left != 3600 {
			t.Errorf("expires_in = %d; want the 3600 s left", left)
		}
		clock.Add(time.Hour)
		c, _ := stableToken(t, p, false)
		if c == a {
			t.Error("stable_token answered an expired token")
		}
		if n := p.TokenIssued(); n != 2 {
			t.Errorf("TokenIssued() = %d; want 2", n)
		}
	})

	t.Run("force_refresh replaces the stable token at once", func(t *testing.T) {
		p := New(testAppID, testSecret)
		a, _ := stableToken(t, p, false)
		b, _ := stableToken(t, p, true)
		if a == b {
			t.Fatal("force_refresh answered the same token")
		}
		if got := send(t, p, a); got != 40001 {
			t.Errorf("replaced stable token: errcode %d; want 40001", got)
		}
		if got := send(t, p, b); got != 0 {
			t.Errorf("new stable token: errcode %d; want 0", got)
		}
	})

	t.Run("ExpireTokens", func(t *testing.T) {
		p := New(testAppID, testSecret)
		a, _ := stableToken(t, p, false)
		o := getToken(t, p)
		p.ExpireTokens()
		for _, tok := range []string{a, o} {
			if got := send(t, p, tok); got != 40001 {
				t.Errorf("expired token: errcode %d; want 40001", got)
			}
		}
		if b, _ := stableToken(t, p, false); b == a {
			t.Error("stable_token answered an expired token")
		}
	})
}

func TestAPIErrors(t *testing.T) {
	p := New(testAppID, testSecret)
	tok := getToken(t, p)
	tests := []struct {
		name, method, target, body string
		status, code               int
	}{
		{"missing token", "POST", "/cgi-bin/message/custom/send", `{"touser":"o1","msgtype":"text","text":{"content":"hi"}}`, 200, 41001},
		{"invalid token", "POST", "/cgi-bin/message/template/send?access_token=bogus", `{"touser":"o1","template_id":"T"}`, 200, 40001},
		{"template without touser", "POST", "/cgi-bin/message/template/send?access_token=" + tok, `{"template_id":"T"}`, 200, 40003},
		{"template without template_id", "POST", "/cgi-bin/message/template/send?access_token=" + tok, `{"touser":"o1"}`, 200, 40037},
		{"template by GET", "GET", "/cgi-bin/message/template/send?access_token=" + tok, "", 200, 43002},
		{"template bad json", "POST", "/cgi-bin/message/template/send?access_token=" + tok, `{`, 200, 47001},
		{"custom bad msgtype", "POST", "/cgi-bin/message/custom/send?access_token=" + tok, `{"touser":"o1","msgtype":"fax"}`, 200, 40008},
		{"custom empty text", "POST", "/cgi-bin/message/custom/send?access_token=" + tok, `{"touser":"o1","msgtype":"text","text":{"content":""}}`, 200, 44004},
		{"custom image ok", "POST", "/cgi-bin/message/custom/send?access_token=" + tok, `{"touser":"o1","msgtype":"image","image":{"media_id":"M"}}`, 200, 0},
		{"menu too many buttons", "POST", "/cgi-bin/menu/create?access_token=" + tok, `{"button":[{},{},{},{}]}`, 200, 40016},
		{"menu get before create", "GET", "/cgi-bin/menu/get?access_token=" + tok, "", 200, 46003},
		{"user info without openid", "GET", "/cgi-bin/user/info?access_token=" + tok, "", 200, 40003},
		{"unknown path", "GET", "/cgi-bin/nothing?access_token=" + tok, "", 404, 40066},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m, _ := call(t, p, tt.method, tt.target, tt.body)
			if status != tt.status || errcode(m) != tt.code {
				t.Fatalf("status %d, body %v; want %d and errcode %d", status, m, tt.status, tt.code)
			}
		})
	}

	t.Run("invalid credential body is exact", func(t *testing.T) {
		_, _, raw := call(t, p, "POST", "/cgi-bin/message/custom/send?access_token=bogus", `{}`)
		if want := `{"errcode":40001,"errmsg":"invalid credential"}` + "\n"; raw != want {
			t.Errorf("body %q; want %q", raw, want)
		}
	})
}

func TestLatency(t *testing.T) {
	p := New(testAppID, testSecret)
	// The delay is far above the timeouts below, so a loaded machine's
	// scheduling stalls cannot let an answer beat them.
	p.Fail(Fault{Latency: 300 * time.Millisecond})
	srv := httptest.NewServer(p)
	defer srv.Close()
	target := srv.URL + "/cgi-bin/menu/get?access_token=x"

	t.Run("delays answers", func(t *testing.T) {
		start := time.Now()
		resp, err := srv.Client().Get(target)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("answered after %v; want at least 300ms", d)
		}
	})
	t.Run("client timeout", func(t *testing.T) {
		c := &http.Client{Timeout: 10 * time.Millisecond}
		if _, err := c.Get(target); err == nil {
			t.Error("no timeout error")
		}
	})
	t.Run("in-process cancellation", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.weixin.qq.com/cgi-bin/menu/get", nil)
		if _, err := InProcessTransport(p).RoundTrip(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v; want context.DeadlineExceeded", err)
		}
	})
}

func TestReset(t *testing.T) {
	p := New(testAppID, testSecret)
	tok := getToken(t, p)
	call(t, p, "POST", "/cgi-bin/menu/create?access_token="+tok, `{"button":[{"type":"click","name":"a","key":"A"}]}`)
	call(t, p, "POST", "/cgi-bin/message/custom/send?access_token="+tok, `{"touser":"o1","msgtype":"text","text":{"content":"hi"}}`)
	p.Fail(Fault{ErrRate: 1})
	p.Reset()
	if len(p.Pushes()) != 0 || p.Menu() != nil || p.TokenIssued() != 0 {
		t.Errorf("after Reset: %d pushes, menu %s, %d tokens", len(p.Pushes()), p.Menu(), p.TokenIssued())
	}
	if _, m, _ := call(t, p, "POST", "/cgi-bin/message/custom/send?access_token="+tok, `{}`); errcode(m) != 40001 {
		t.Errorf("old token after Reset: %v", m)
	}
	tok = getToken(t, p)
	if _, m, _ := call(t, p, "POST", "/cgi-bin/message/custom/send?access_token="+tok, `{"touser":"o1","msgtype":"text","text":{"content":"hi"}}`); errcode(m) != 0 {
		t.Errorf("faults survive Reset: %v", m)
	}
}

func TestTransports(t *testing.T) {
	t.Run("in-process serves any host", func(t *testing.T) {
		p := New(testAppID, testSecret)
		c := &http.Client{Transport: InProcessTransport(p)}
		resp, err := c.Get("https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=" + testAppID + "&secret=" + testSecret)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || m["access_token"] == nil {
			t.Fatalf("answer %v, %v", m, err)
		}
	})
	t.Run("in-process handler panic is an error", func(t *testing.T) {
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
		req, _ := http.NewRequest("GET", "https://api.weixin.qq.com/x", nil)
		if _, err := InProcessTransport(h).RoundTrip(req); err == nil {
			t.Error("no error")
		}
	})
	t.Run("rewrite keeps path and query and leaves the request alone", func(t *testing.T) {
		var got *url.URL
		var host string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, host = r.URL, r.Host
		}))
		defer srv.Close()
		base, _ := url.Parse(srv.URL + "/prefix")
		req, _ := http.NewRequest("GET", "https://api.weixin.qq.com/cgi-bin/user/info?access_token=T&openid=o1", nil)
		resp, err := RewriteTransport(base, nil).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got.Path != "/prefix/cgi-bin/user/info" || got.RawQuery != "access_token=T&openid=o1" {
			t.Errorf("server saw %s", got)
		}
		if host != base.Host {
			t.Errorf("Host header %q; want %q", host, base.Host)
		}
		if req.URL.Host != "api.weixin.qq.com" || req.URL.Scheme != "https" {
			t.Errorf("caller's request modified: %s", req.URL)
		}
	})
}
