// Package wxfake is a fake of WeChat's own API servers (api.weixin.qq.com)
// for the parts Gongzhi uses: access tokens, template and customer-service
// messages, the menu and user info. It answers with the real paths, query
// parameters, JSON shapes and error codes, so that silenceper/wechat v2.1.10
// works against it unchanged once its HTTP client is pointed here with
// RewriteTransport (tests, GONGZHI_WECHAT_API_BASE) or InProcessTransport
// (sandbox mode).
//
// Like the real API it answers errors with HTTP 200 and an errcode in the
// body: the SDK treats any other status as a transport failure and never
// reads the body.
package wxfake

import (
	"bytes"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	tokenTTL = 7200 * time.Second
	// graceTTL is how long WeChat keeps the previous /cgi-bin/token token
	// alive after issuing a new one, so that callers can switch over.
	graceTTL = 5 * time.Minute
	// idempotencyWindow is how long a client_msg_id suppresses duplicates.
	idempotencyWindow = 24 * time.Hour
	// firstMsgID makes msgids look like WeChat's large integers.
	firstMsgID = 3_000_000_001
	maxBody    = 1 << 20
)

// Push is one message the platform accepted for delivery to a user.
type Push struct {
	Kind        string            // "template" or "custom"
	ToUser      string            // OpenID
	TemplateID  string            // template messages only
	Text        string            // custom: text.content; template: the data as "key: value" lines, sorted by key
	Data        map[string]string // template messages only: key → value
	ClientMsgID string            // template messages only, when the caller set one
	MsgID       int64             // the msgid answered (template messages only; custom messages have none)
	Raw         json.RawMessage   // the request body as received, for assertions on url, miniprogram, msgtype…
	At          time.Time
}

// Fault makes the platform misbehave, to test retries and error handling.
type Fault struct {
	// ErrRate is the fraction (0..1) of template and custom sends answered
	// with ErrCode instead of being delivered.
	ErrRate float64
	// ErrCode is the errcode of injected failures, e.g. -1 (system busy),
	// 45009 (daily quota), 43004 (not subscribed), 45015 (outside the 48 h
	// window), 40001 (invalid token). 0 means -1.
	ErrCode int
	// Latency delays every API call (tokens included), as a slow network
	// would; a cancelled request stops waiting.
	Latency time.Duration
	// Seed makes the choice of failing sends reproducible.
	Seed int64
}

// Platform is the fake. It implements http.Handler and is safe for
// concurrent use. The zero value is not usable: call New.
type Platform struct {
	appID, appSecret string
	now              func() time.Time // replaced by tests that travel in time

	mu        sync.Mutex
	tokens    map[string]token
	stable    string // the current stable token, "" when none
	issued    int
	pushes    []Push
	sent      map[string]sentMsg // client_msg_id → first delivery
	nextMsgID int64
	menu      json.RawMessage
	fault     Fault
	rng       *rand.Rand
}

type token struct {
	expires time.Time
	stable  bool
}

type sentMsg struct {
	msgID int64
	at    time.Time
}

// New returns a platform that accepts only this app's credentials.
func New(appID, appSecret string) *Platform {
	p := &Platform{appID: appID, appSecret: appSecret, now: time.Now}
	p.Reset()
	return p
}

// Reset forgets tokens, pushes, the menu, client_msg_ids and faults.
func (p *Platform) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokens = make(map[string]token)
	p.stable = ""
	p.issued = 0
	p.pushes = nil
	p.sent = make(map[string]sentMsg)
	p.nextMsgID = firstMsgID
	p.menu = nil
	p.fault = Fault{}
	p.rng = rand.New(rand.NewPCG(0, 0))
}

// Pushes returns every accepted template and customer-service message, in
// arrival order. Duplicates suppressed by client_msg_id and failed sends are
// not included.
func (p *Platform) Pushes() []Push {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Push, len(p.pushes))
	for i, m := range p.pushes {
		if m.Data != nil {
			d := make(map[string]string, len(m.Data))
			for k, v := range m.Data {
				d[k] = v
			}
			m.Data = d
		}
		m.Raw = append(json.RawMessage(nil), m.Raw...)
		out[i] = m
	}
	return out
}

// Menu returns the body of the last successful /cgi-bin/menu/create
// (compacted, {"button":[…]}), or nil when no menu was set.
func (p *Platform) Menu() json.RawMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append(json.RawMessage(nil), p.menu...)
}

// TokenIssued reports how many access tokens were issued (ordinary and
// stable), which shows whether callers cache their token.
func (p *Platform) TokenIssued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.issued
}

// Fail replaces the injected faults; Fail(Fault{}) heals the platform.
func (p *Platform) Fail(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f.ErrRate > 0 && f.ErrCode == 0 {
		f.ErrCode = -1
	}
	p.fault = f
	p.rng = rand.New(rand.NewPCG(uint64(f.Seed), uint64(f.Seed)))
}

// ExpireTokens invalidates every token issued so far: the next call with one
// of them gets errcode 40001, as after a token was refreshed elsewhere. The
// stable token endpoint then issues a new one.
func (p *Platform) ExpireTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.tokens)
	p.stable = ""
}

// apiError is WeChat's error body.
type apiError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// errMsgs holds WeChat's wording for the codes the fake answers.
var errMsgs = map[int]string{
	-1:    "system error",
	40001: "invalid credential",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40008: "invalid message type",
	40013: "invalid appid",
	40016: "invalid button size",
	40037: "invalid template_id",
	40066: "invalid url",
	40125: "invalid appsecret",
	41001: "access_token missing",
	41002: "appid missing",
	41004: "appsecret missing",
	42001: "access_token expired",
	43001: "require GET method",
	43002: "require POST method",
	43004: "require subscribe",
	44002: "empty post data",
	44003: "empty news data",
	44004: "empty content",
	45009: "reach max api daily quota limit",
	45015: "response out of time limit or subscription is canceled",
	45047: "out of response count limit",
	46003: "menu no exist",
	47001: "data format error",
}

func errBody(code int) apiError {
	msg, ok := errMsgs[code]
	if !ok {
		msg = "error " + strconv.Itoa(code)
	}
	return apiError{ErrCode: code, ErrMsg: msg}
}

// ServeHTTP routes by path only, so the platform can be mounted under a
// prefix with http.StripPrefix.
func (p *Platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	latency := p.fault.Latency
	p.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
		// Both may be ready after a stall; a caller that gave up first gets
		// no answer either way.
		if r.Context().Err() != nil {
			return // the caller gave up; nobody reads the answer
		}
	}

	var status int
	var body any
	switch r.URL.Path {
	case "/cgi-bin/token":
		status, body = p.handleToken(r)
	case "/cgi-bin/stable_token":
		status, body = p.handleStableToken(r)
	case "/cgi-bin/message/template/send":
		status, body = p.handleTemplateSend(r)
	case "/cgi-bin/message/custom/send":
		status, body = p.handleCustomSend(r)
	case "/cgi-bin/menu/create":
		status, body = p.handleMenuCreate(r)
	case "/cgi-bin/menu/get":
		status, body = p.handleMenuGet(r)
	case "/cgi-bin/user/info":
		status, body = p.handleUserInfo(r)
	default:
		status, body = http.StatusNotFound, errBody(40066)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // keep Chinese and URLs readable, as WeChat does
	_ = enc.Encode(body)
}

func ok(body any) (int, any)   { return http.StatusOK, body }
func fail(code int) (int, any) { return http.StatusOK, errBody(code) }

type tokenResp struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// handleToken is GET /cgi-bin/token?grant_type=client_credential&appid=&secret=.
// Every call issues a new token; the previous ones stay valid for five more
// minutes, as on the real platform.
func (p *Platform) handleToken(r *http.Request) (int, any) {
	if r.Method != http.MethodGet {
		return fail(43001)
	}
	q := r.URL.Query()
	if code := p.checkCredentials(q.Get("grant_type"), q.Get("appid"), q.Get("secret")); code != 0 {
		return fail(code)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for k, t := range p.tokens {
		if !t.stable && t.expires.After(now.Add(graceTTL)) {
			t.expires = now.Add(graceTTL)
			p.tokens[k] = t
		}
	}
	tok := p.issueLocked(now, false)
	return ok(tokenResp{AccessToken: tok, ExpiresIn: int64(tokenTTL / time.Second)})
}

// handleStableToken is POST /cgi-bin/stable_token with a JSON body
// {grant_type, appid, secret, force_refresh}. It hands every caller the same
// token until it expires; force_refresh replaces it at once.
func (p *Platform) handleStableToken(r *http.Request) (int, any) {
	if r.Method != http.MethodPost {
		return fail(43002)
	}
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if _, code := readJSON(r, &req); code != 0 {
		return fail(code)
	}
	if code := p.checkCredentials(req.GrantType, req.AppID, req.Secret); code != 0 {
		return fail(code)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if cur, found := p.tokens[p.stable]; found && p.stable != "" && now.Before(cur.expires) && !req.ForceRefresh {
		return ok(tokenResp{AccessToken: p.stable, ExpiresIn: int64(cur.expires.Sub(now) / time.Second)})
	}
	delete(p.tokens, p.stable)
	p.stable = p.issueLocked(now, true)
	return ok(tokenResp{AccessToken: p.stable, ExpiresIn: int64(tokenTTL / time.Second)})
}

func (p *Platform) checkCredentials(grantType, appID, secret string) int {
	switch {
	case grantType != "client_credential":
		return 40002
	case appID == "":
		return 41002
	case appID != p.appID:
		return 40013
	case secret == "":
		return 41004
	case secret != p.appSecret:
		return 40125
	}
	return 0
}

func (p *Platform) issueLocked(now time.Time, stable bool) string {
	p.issued++
	var rnd [24]byte
	_, _ = crand.Read(rnd[:]) // never fails
	tok := strconv.Itoa(p.issued) + "_" + hex.EncodeToString(rnd[:])
	p.tokens[tok] = token{expires: now.Add(tokenTTL), stable: stable}
	return tok
}

// checkTokenLocked validates ?access_token=. Call with p.mu held.
func (p *Platform) checkTokenLocked(r *http.Request) int {
	tok := r.URL.Query().Get("access_token")
	if tok == "" {
		return 41001
	}
	t, found := p.tokens[tok]
	if !found {
		return 40001
	}
	if !p.now().Before(t.expires) {
		return 42001
	}
	return 0
}

// injectLocked decides whether this send fails. Call with p.mu held.
func (p *Platform) injectLocked() int {
	if p.fault.ErrRate > 0 && p.rng.Float64() < p.fault.ErrRate {
		return p.fault.ErrCode
	}
	return 0
}

// acceptPostLocked takes p.mu (the caller unlocks it) and checks a POST
// call as WeChat does: the method, then the token, then the JSON body, read
// into req. A non-zero code refuses the call.
func (p *Platform) acceptPostLocked(r *http.Request, req any) (raw []byte, code int) {
	if r.Method != http.MethodPost {
		p.mu.Lock()
		return nil, 43002
	}
	raw, bodyCode := readJSON(r, req)
	p.mu.Lock()
	if code := p.checkTokenLocked(r); code != 0 {
		return nil, code
	}
	return raw, bodyCode
}

// readJSON reads a JSON body into v and returns the raw bytes.
func readJSON(r *http.Request, v any) ([]byte, int) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(raw) > maxBody {
		return nil, 47001
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, 44002
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, 47001
	}
	return raw, 0
}

type templateReq struct {
	ToUser     string `json:"touser"`
	TemplateID string `json:"template_id"`
	Data       map[string]struct {
		Value string `json:"value"`
	} `json:"data"`
	ClientMsgID string `json:"client_msg_id"`
}

// handleTemplateSend is POST /cgi-bin/message/template/send?access_token=.
func (p *Platform) handleTemplateSend(r *http.Request) (int, any) {
	var req templateReq
	raw, code := p.acceptPostLocked(r, &req)
	defer p.mu.Unlock()
	if code != 0 {
		return fail(code)
	}
	switch {
	case req.ToUser == "":
		return fail(40003)
	case req.TemplateID == "":
		return fail(40037)
	}
	if code := p.injectLocked(); code != 0 {
		return fail(code)
	}
	now := p.now()
	type sendResp struct {
		apiError
		MsgID int64 `json:"msgid"`
	}
	if req.ClientMsgID != "" {
		if prev, dup := p.sent[req.ClientMsgID]; dup && now.Sub(prev.at) < idempotencyWindow {
			return ok(sendResp{apiError{0, "ok"}, prev.msgID})
		}
	}
	msgID := p.nextMsgID
	p.nextMsgID++
	data := make(map[string]string, len(req.Data))
	keys := make([]string, 0, len(req.Data))
	for k, v := range req.Data {
		data[k] = v.Value
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var text strings.Builder
	for i, k := range keys {
		if i > 0 {
			text.WriteByte('\n')
		}
		text.WriteString(k + ": " + data[k])
	}
	p.pushes = append(p.pushes, Push{
		Kind: "template", ToUser: req.ToUser, TemplateID: req.TemplateID, Text: text.String(),
		Data: data, ClientMsgID: req.ClientMsgID, MsgID: msgID, Raw: compact(raw), At: now,
	})
	if req.ClientMsgID != "" {
		p.sent[req.ClientMsgID] = sentMsg{msgID: msgID, at: now}
	}
	return ok(sendResp{apiError{0, "ok"}, msgID})
}

// customMsgTypes are the msgtype values WeChat accepts for customer-service
// messages.
var customMsgTypes = map[string]bool{
	"text": true, "image": true, "voice": true, "video": true, "music": true, "news": true,
	"mpnews": true, "mpnewsarticle": true, "msgmenu": true, "wxcard": true, "miniprogrampage": true,
}

// handleCustomSend is POST /cgi-bin/message/custom/send?access_token=.
// The real platform refuses users who have not written within 48 h (45015);
// the fake cannot know, so inject that with Fail.
func (p *Platform) handleCustomSend(r *http.Request) (int, any) {
	var req struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    *struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	raw, code := p.acceptPostLocked(r, &req)
	defer p.mu.Unlock()
	if code != 0 {
		return fail(code)
	}
	switch {
	case req.ToUser == "":
		return fail(40003)
	case !customMsgTypes[req.MsgType]:
		return fail(40008)
	case req.MsgType == "text" && (req.Text == nil || req.Text.Content == ""):
		return fail(44004)
	}
	if code := p.injectLocked(); code != 0 {
		return fail(code)
	}
	var text string
	if req.Text != nil {
		text = req.Text.Content
	}
	p.pushes = append(p.pushes, Push{Kind: "custom", ToUser: req.ToUser, Text: text, Raw: compact(raw), At: p.now()})
	return ok(apiError{0, "ok"})
}

// handleMenuCreate is POST /cgi-bin/menu/create?access_token= with
// {"button":[…]}: one to three top-level buttons.
func (p *Platform) handleMenuCreate(r *http.Request) (int, any) {
	var req struct {
		Button []json.RawMessage `json:"button"`
	}
	raw, code := p.acceptPostLocked(r, &req)
	defer p.mu.Unlock()
	if code != 0 {
		return fail(code)
	}
	if len(req.Button) == 0 || len(req.Button) > 3 {
		return fail(40016)
	}
	p.menu = compact(raw)
	return ok(apiError{0, "ok"})
}

// handleMenuGet is GET /cgi-bin/menu/get?access_token=, answering
// {"menu":{"button":[…],"menuid":…}} like the real API.
func (p *Platform) handleMenuGet(r *http.Request) (int, any) {
	if r.Method != http.MethodGet {
		return fail(43001)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if code := p.checkTokenLocked(r); code != 0 {
		return fail(code)
	}
	if p.menu == nil {
		return fail(46003)
	}
	var m map[string]json.RawMessage
	_ = json.Unmarshal(p.menu, &m) // p.menu was checked at create
	m["menuid"] = json.RawMessage("1")
	return ok(map[string]any{"menu": m})
}

// handleUserInfo is GET /cgi-bin/user/info?access_token=&openid=&lang=zh_CN.
// Every OpenID is a subscribed user. Since December 2021 WeChat no longer
// returns nickname or avatar, so neither does the fake.
func (p *Platform) handleUserInfo(r *http.Request) (int, any) {
	if r.Method != http.MethodGet {
		return fail(43001)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if code := p.checkTokenLocked(r); code != 0 {
		return fail(code)
	}
	openID := r.URL.Query().Get("openid")
	if openID == "" {
		return fail(40003)
	}
	return ok(map[string]any{
		"subscribe":       1,
		"openid":          openID,
		"nickname":        "",
		"sex":             0,
		"language":        "zh_CN",
		"city":            "",
		"province":        "",
		"country":         "",
		"headimgurl":      "",
		"subscribe_time":  1700000000,
		"remark":          "",
		"groupid":         0,
		"tagid_list":      []int{},
		"subscribe_scene": "ADD_SCENE_QR_CODE",
		"qr_scene":        0,
		"qr_scene_str":    "",
	})
}

// compact strips insignificant whitespace (the SDK's encoder ends bodies
// with a newline); bodies are valid JSON by the time they get here.
func compact(raw []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return append(json.RawMessage(nil), raw...)
	}
	return buf.Bytes()
}
