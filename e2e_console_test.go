package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// browser is a cookie-keeping HTTP client that does not follow redirects,
// so that each step's answer can be checked.
type browser struct {
	t      *testing.T
	h      *harness
	c      *http.Client
	csrf   string
	cookie string // the session's Set-Cookie line
}

func (h *harness) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: h.t, h: h, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(method, path string, form url.Values) (int, http.Header, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.h.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(raw)); m != nil {
		b.csrf = m[1]
	}
	// A template that fails midway leaves a truncated page.
	if strings.HasPrefix(string(raw), "<!doctype html>") && !strings.HasSuffix(strings.TrimSpace(string(raw)), "</html>") {
		b.t.Fatalf("%s %s: the page is cut short (a template failed): …%s", method, path, raw[max(0, len(raw)-300):])
	}
	return resp.StatusCode, resp.Header, string(raw)
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	linkIn    = regexp.MustCompile(`http://localhost:8080(/console/login\?t=[A-Za-z0-9_\-%]+)`)
)

// login takes a chat link through its confirmation page into a session.
func (b *browser) login(link string) (int, string) {
	b.t.Helper()
	code, _, page := b.do("GET", link, nil)
	if code != http.StatusOK || !strings.Contains(page, "进入管理后台") {
		b.t.Fatalf("GET %s: %d %s", link, code, page)
	}
	u, _ := url.Parse(link)
	code, hdr, page := b.do("POST", "/console/login", url.Values{"csrf": {b.csrf}, "t": {u.Query().Get("t")}})
	for _, ck := range hdr.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "gongzhi_console=") {
			b.cookie = ck
		}
	}
	if code == http.StatusSeeOther {
		return code, hdr.Get("Location")
	}
	return code, page
}

// TestConsoleLoginAndList plays the console's first slice on both
// databases: only the committee gets a link by chat; the link opens a
// session once; the list, the review queue, the filters and the CSV show
// the appeals with resident text escaped; a reassignment by name is one
// event by the committee member; logout and deactivation end sessions.
func TestConsoleLoginAndList(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) { consoleDay(t, newStaffHarness(t, d)) })
	}
}

func consoleDay(t *testing.T, h *harness) {
	ctx := context.Background()
	code := func(body map[string]any) string {
		out := h.api("POST", "/api/staff/invites", body, http.StatusCreated)
		return out["code"].(string)
	}
	worker, committee := h.persona("o-worker"), h.persona("o-committee")
	expect(t, "bind worker", worker.say("绑定 "+code(map[string]any{"role": "grid_worker", "grid": "g1", "name": "李网格"})), "绑定成功")
	expect(t, "bind committee", committee.say("绑定 "+code(map[string]any{"role": "committee", "name": "周委员"})), "绑定成功")

	wang := h.persona("o-wang")
	markup := `3栋楼道灯坏了<script>alert("x")</script><img src=x onerror=alert(1)>`
	ref := raise(t, wang, markup, "3栋2单元501")
	// Someone trapped in a lift: the list marks it 紧急 (found by a first user).
	lift := raise(t, h.persona("o-li"), "救命 6栋电梯关人了，里面有个老人", "6栋1单元201")

	// No link for anyone but the committee, coordinators and admins.
	for _, p := range []*persona{wang, worker} {
		r := p.say("登录")
		if linkIn.MatchString(r) || !strings.Contains(r, "只对社区两委成员") {
			t.Fatalf("%s got %q, want a refusal without link", p.openID, r)
		}
	}
	reply := committee.say("登录")
	m := linkIn.FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("committee 登录: %q has no link", reply)
	}
	expect(t, "link reply", reply, "10分钟")

	b := h.browser()
	if code, hdr, _ := b.do("GET", "/console/", nil); code != http.StatusFound || hdr.Get("Location") != "/console/login" {
		t.Fatalf("no session: %d → %q, want 302 to the login page", code, hdr.Get("Location"))
	}
	_, hdr, page := b.do("GET", "/console/login", nil)
	expect(t, "login page", page, "发送 <b>登录</b>")
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
	if code, where := b.login(m[1]); code != http.StatusSeeOther || where != "/console/" {
		t.Fatalf("login: %d %q", code, where)
	}
	if ck := b.cookie; !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") || strings.Contains(ck, "Secure") {
		t.Fatalf("session cookie %q: want HttpOnly, SameSite=Lax, not Secure on http", ck)
	}
	// A used link says so on opening, not after its button; a page opened
	// before the first use is refused on its button.
	other := h.browser()
	if code, _, page := other.do("GET", m[1], nil); code != http.StatusForbidden || !strings.Contains(page, "已经用过") ||
		strings.Contains(page, "进入管理后台") {
		t.Fatalf("opening a used link: %d %s", code, page)
	}
	other.do("GET", "/console/login", nil)
	u, _ := url.Parse(m[1])
	if code, _, page := other.do("POST", "/console/login", url.Values{"csrf": {other.csrf}, "t": {u.Query().Get("t")}}); code != http.StatusForbidden ||
		!strings.Contains(page, "已经用过") {
		t.Fatalf("second use of the link: %d %s", code, page)
	}

	code2, _, list := b.do("GET", "/console/", nil)
	if code2 != http.StatusOK {
		t.Fatalf("list: %d", code2)
	}
	expect(t, "list", list, `data-testid="appeal-row" data-ref="`+ref+`"`, `data-testid="review-queue"`, `data-testid="export-csv"`, "周委员")
	if !regexp.MustCompile(`data-ref="`+lift+`"[^>]*>(?s:.)*?data-testid="urgent"`).MatchString(list) ||
		regexp.MustCompile(`data-ref="`+ref+`"[^>]*>(?s:[^<]|<[^/]|</[^t]|</t[^r])*?data-testid="urgent"`).MatchString(list) {
		t.Errorf("the list should mark %s 紧急 and not %s", lift, ref)
	}
	_, _, detail := b.do("GET", "/console/appeals/"+ref, nil)
	expect(t, "detail", detail, `data-testid="timeline"`, `data-testid="assign-form"`, "&lt;script&gt;", "3栋")
	if strings.Contains(detail, "<script>alert") || strings.Contains(detail, "<img src=x") || strings.Contains(detail, "o-wang") {
		t.Fatal("resident markup or openid reached the page unescaped")
	}
	if strings.Contains(detail, `data-testid="urgent"`) {
		t.Error("a dark stairwell's page is marked 紧急")
	}
	// A mistyped address answers in Chinese, in the console's frame.
	if code, hdr, page := b.do("GET", "/console/appealz", nil); code != http.StatusNotFound || !strings.Contains(page, "没有这个页面") ||
		!strings.Contains(hdr.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("unknown console page: %d %q", code, page)
	}
	// The page of the lift appeal says it is urgent, as the list did.
	_, _, liftPage := b.do("GET", "/console/appeals/"+lift, nil)
	expect(t, "urgent detail", liftPage, `data-testid="urgent"`, `data-testid="urgent-advice"`, "119")

	// Reassign by name: without the CSRF token nothing changes.
	ws, err := h.app.Store.StaffByOpenID(ctx, "sample", "o-worker")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"op": {"assign"}, "assignee": {ws.Ref()}, "reason": {"该楼栋由李网格负责"}}
	if code, _, _ := b.do("POST", "/console/appeals/"+ref+"/revise", form); code != http.StatusForbidden {
		t.Fatalf("revise without csrf: %d, want 403", code)
	}
	ap, _ := h.app.Store.AppealByRef(ctx, "sample", ref)
	before := ap.Assignee
	form.Set("csrf", b.csrf)
	// The router may have routed it to the worker already: move it to the committee first when so.
	if before == ws.Ref() {
		h.api("PATCH", "/api/appeals/"+ref, map[string]any{"assignee": "role:committee", "reason": "test setup"}, http.StatusOK)
	}
	time.Sleep(200 * time.Millisecond) // earlier pushes are out
	tasksBefore := tasksFor(h, "o-worker", ref)
	if code, hdr, page := b.do("POST", "/console/appeals/"+ref+"/revise", form); code != http.StatusSeeOther {
		t.Fatalf("revise: %d %s %s", code, hdr.Get("Location"), page)
	}
	ap, _ = h.app.Store.AppealByRef(ctx, "sample", ref)
	if ap.Assignee != ws.Ref() {
		t.Fatalf("assignee %q, want %q", ap.Assignee, ws.Ref())
	}
	evs, _ := h.app.Store.AppealEvents(ctx, ap.ID)
	cs, _ := h.app.Store.StaffByOpenID(ctx, "sample", "o-committee")
	last := evs[len(evs)-1]
	if last.Actor != cs.Ref() || !strings.Contains(last.Reason, "该楼栋由李网格负责") {
		t.Fatalf("last event %+v, want by %s with the reason", last, cs.Ref())
	}
	// The new handler is told, as by the chat's 改派: one more task push than before.
	for deadline := time.Now().Add(10 * time.Second); tasksFor(h, "o-worker", ref) != tasksBefore+1; {
		if time.Now().After(deadline) {
			t.Fatalf("task pushes to the worker: %d, want %d", tasksFor(h, "o-worker", ref), tasksBefore+1)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, _, detail = b.do("GET", "/console/appeals/"+ref, nil)
	expect(t, "timeline", detail, "周委员", "已派单", "该楼栋由李网格负责")
	// The worker's photo after 办结 is a picture in the timeline, not its
	// media id and address (found by a first user).
	expect(t, "resolve", worker.say("办结 "+ref+" 灯泡已更换"), "已办结")
	expect(t, "photo", worker.image("fix-photo"), "照片已附在诉求 "+ref)
	_, _, detail = b.do("GET", "/console/appeals/"+ref, nil)
	expect(t, "photo in the timeline", detail, `class="event-photo" src="http://mmbiz.example/fix-photo"`)
	if strings.Contains(detail, "fix-photo http") {
		t.Fatal("the photo's media id and address are shown as text")
	}

	// Filters and the CSV of exactly the filtered rows.
	_, _, small := b.do("GET", "/console/?kind=major", nil)
	if strings.Contains(small, `data-ref="`+ref+`"`) && !strings.Contains(small, `data-testid="review-queue"`) {
		t.Fatal("kind filter kept a small appeal")
	}
	code3, hdr, csvBody := b.do("GET", "/console/export.csv?assignee="+url.QueryEscape(ws.Ref()), nil)
	if code3 != http.StatusOK || !strings.HasPrefix(csvBody, "\ufeff编号,类别,层级,状态") || !strings.Contains(hdr.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q %q", code3, hdr.Get("Content-Type"), csvBody[:min(len(csvBody), 80)])
	}
	if lines := strings.Count(strings.TrimSpace(csvBody), "\n"); lines != 1 || !strings.Contains(csvBody, ref) {
		t.Fatalf("csv has %d rows, want 1 with %s: %s", lines, ref, csvBody)
	}
	if !strings.Contains(csvBody, ",网格一,3栋,") {
		t.Fatalf("csv says the grid and building as stored, not by name: %s", csvBody)
	}
	if code, _, _ := b.do("GET", "/console/?kind=nonsense", nil); code != http.StatusBadRequest {
		t.Fatalf("bad filter: %d, want 400", code)
	}

	_, _, figures := b.do("GET", "/console/figures?from=2026-11-01&to=2026-11-30", nil)
	expect(t, "figures", figures, `data-testid="chart-levels"><svg`, "社区即办", "网格一（g1）")
	if code, _, _ := b.do("GET", "/console/figures?from=2026-12-01&to=2026-11-01", nil); code != http.StatusBadRequest {
		t.Fatalf("figures with from after to: %d, want 400", code)
	}

	// Another community's appeal is absent for this committee member.
	if err := h.app.Store.EnsureCommunity(ctx, &models.Community{ID: "other", Name: "别的社区"}); err != nil {
		t.Fatal(err)
	}
	foreign := &models.NewAppeal{Appeal: &models.Appeal{CommunityID: "other", OpenID: "o-x", Kind: models.KindSmall,
		Level: models.LevelCommunity, Status: models.StatusSubmitted, Topic: "别处的事", Description: "别的社区的诉求"}}
	if err := h.app.Store.CommitTurn(ctx, &models.Turn{CommunityID: "other", OpenID: "o-x", At: h.clock(), NewAppeals: []*models.NewAppeal{foreign}}); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := b.do("GET", "/console/appeals/"+foreign.Appeal.Ref, nil); code != http.StatusNotFound {
		t.Fatalf("another community's appeal: %d, want 404", code)
	}
	if _, _, page := b.do("GET", "/console/?community=other", nil); strings.Contains(page, foreign.Appeal.Ref) {
		t.Fatal("another community's appeal is in the list")
	}

	// Logout ends the session.
	if code, _, _ := b.do("POST", "/console/logout", url.Values{"csrf": {b.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := b.do("GET", "/console/", nil); code != http.StatusFound {
		t.Fatalf("after logout: %d, want a redirect to login", code)
	}

	// An expired link opens nothing; deactivating the member ends their sessions.
	m = linkIn.FindStringSubmatch(committee.say("后台"))
	h.advance(models.ConsoleLinkTTL + time.Second)
	if code, _, page := h.browser().do("GET", m[1], nil); code != http.StatusForbidden || !strings.Contains(page, "已过期") {
		t.Fatalf("expired link: %d %s", code, page)
	}
	m = linkIn.FindStringSubmatch(committee.say("登录"))
	c := h.browser()
	if code, _ := c.login(m[1]); code != http.StatusSeeOther {
		t.Fatalf("login again: %d", code)
	}
	h.api("DELETE", "/api/staff/"+strings.TrimPrefix(cs.Ref(), "staff:"), nil, http.StatusOK)
	if code, _, _ := c.do("GET", "/console/", nil); code != http.StatusFound {
		t.Fatalf("deactivated member's session: %d, want a redirect to login", code)
	}
	// The admin token opens a session (first setup).
	a := h.browser()
	a.do("GET", "/console/login", nil)
	if code, _, _ := a.do("POST", "/console/login", url.Values{"csrf": {a.csrf}, "admin": {"wrong"}}); code != http.StatusUnauthorized {
		t.Fatalf("wrong admin token: %d", code)
	}
	if code, _, _ := a.do("POST", "/console/login", url.Values{"csrf": {a.csrf}, "admin": {e2eAdminToken}}); code != http.StatusSeeOther {
		t.Fatalf("admin token login: %d", code)
	}
	if code, _, page := a.do("GET", "/console/", nil); code != http.StatusOK || !strings.Contains(page, ref) || !strings.Contains(page, "别的社区的诉求") {
		t.Fatalf("admin list: %d, want both communities' appeals", code)
	}
	// A page asked for before logging in is where the login lands, once.
	n := h.browser()
	if code, hdr, _ := n.do("GET", "/console/learned?community=sample", nil); code != http.StatusFound || hdr.Get("Location") != "/console/login" {
		t.Fatalf("a page without a session: %d %q", code, hdr.Get("Location"))
	}
	n.do("GET", "/console/login", nil)
	if code, hdr, _ := n.do("POST", "/console/login", url.Values{"csrf": {n.csrf}, "admin": {e2eAdminToken}}); code != http.StatusSeeOther ||
		hdr.Get("Location") != "/console/learned?community=sample" {
		t.Fatalf("login after asking for a page: %d %q, want back to it", code, hdr.Get("Location"))
	}
	n.do("GET", "/console/login", nil)
	if code, hdr, _ := n.do("POST", "/console/login", url.Values{"csrf": {n.csrf}, "admin": {e2eAdminToken}}); code != http.StatusSeeOther ||
		hdr.Get("Location") != "/console/" {
		t.Fatalf("second login: %d %q, want the list (the page is remembered once)", code, hdr.Get("Location"))
	}
	e := h.browser()
	e.do("GET", "/console//evil.example/", nil) // not a page of ours: not remembered
	e.do("GET", "/console/login", nil)
	if code, hdr, _ := e.do("POST", "/console/login", url.Values{"csrf": {e.csrf}, "admin": {e2eAdminToken}}); code != http.StatusSeeOther ||
		hdr.Get("Location") != "/console/" {
		t.Fatalf("login after a foreign path: %d %q, want the list", code, hdr.Get("Location"))
	}
}

// tasksFor counts the task pushes (接单 <ref>) the fake platform took for openID.
func tasksFor(h *harness, openID, ref string) int {
	n := 0
	for _, p := range h.app.Platform.Pushes() {
		if p.ToUser == openID && strings.Contains(p.Text, "接单 "+ref) {
			n++
		}
	}
	return n
}

var codeShown = regexp.MustCompile(`<p class="code">([A-Z0-9]{8})</p>`)

// TestConsolePeople: a committee member invites a grid worker from the
// console (code and QR code shown once), the worker binds by chat, an unused
// code is revoked, grids and stakeholders are edited, a deactivated member
// loses their session; the sandbox's one-click login needs the simulator's header.
func TestConsolePeople(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) { consolePeople(t, newStaffHarness(t, d)) })
	}
}

func consolePeople(t *testing.T, h *harness) {
	ctx := context.Background()
	b := h.browser()
	if code, _, _ := b.do("POST", "/console/sim-login", nil); code != http.StatusForbidden {
		t.Fatalf("sim-login without the simulator's header: %d", code)
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/console/sim-login", nil)
	req.Header.Set("X-Gongzhi-Sim", "1")
	resp, err := b.c.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sim-login: %v %v", resp, err)
	}
	resp.Body.Close()
	_, _, page := b.do("GET", "/console/people", nil)
	expect(t, "people", page, `data-testid="staff-row"`, "模拟两委成员", `data-testid="invite-form"`, "示例社区",
		`<option value="grid_worker"`, `<option value="committee"`)
	// A committee member is offered only the roles they may invite; the
	// community and grids go by their names.
	for _, no := range []string{`<option value="admin"`, `<option value="district_coordinator"`, "社区 sample", "（g1）"} {
		if strings.Contains(page, no) {
			t.Fatalf("people page of a committee member shows %s", no)
		}
	}

	post := func(path string, form url.Values, want int) string {
		t.Helper()
		form.Set("csrf", b.csrf)
		code, _, page := b.do("POST", path, form)
		if code != want {
			t.Fatalf("POST %s: %d, want %d: %s", path, code, want, page)
		}
		return page
	}
	// The form answers with a redirect to a page that shows the code once:
	// a reload shows it no more and issues no second code.
	issue := func(form url.Values) string {
		t.Helper()
		form.Set("csrf", b.csrf)
		code, hdr, page := b.do("POST", "/console/people/invites", form)
		where := hdr.Get("Location")
		if code != http.StatusSeeOther || !strings.HasPrefix(where, "/console/people?invite=") {
			t.Fatalf("invite: %d → %q, want 303 to the people page: %s", code, where, page)
		}
		code, _, page = b.do("GET", where, nil)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", where, code)
		}
		return where + "\n" + page
	}
	page = issue(url.Values{"name": {"李网格"}, "role": {"grid_worker"}, "grid": {"g1"}})
	where, page, _ := strings.Cut(page, "\n")
	m := codeShown.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Fatalf("invite page lacks the code or its QR code")
	}
	_, _, again := b.do("GET", where, nil)
	if strings.Contains(again, m[1]) || codeShown.MatchString(again) || !strings.Contains(again, `data-testid="invite-gone"`) {
		t.Fatalf("reloading the invite page shows the code again or no notice")
	}
	if invs, _ := h.app.Store.PendingInvites(ctx, "sample", h.clock()); len(invs) != 1 {
		t.Fatalf("%d pending invites after a reload, want 1", len(invs))
	}
	if code, hdr, _ := b.do("GET", "/console/people/invites", nil); code != http.StatusFound || hdr.Get("Location") != "/console/people" {
		t.Fatalf("GET of the invite form's target: %d → %q, want a redirect to the people page", code, hdr.Get("Location"))
	}
	post("/console/people/invites", url.Values{"name": {"王管理"}, "role": {"admin"}}, http.StatusForbidden)
	page = post("/console/people/invites", url.Values{"name": {"张网格"}, "role": {"grid_worker"}, "grid": {"g9"}}, http.StatusBadRequest)
	expect(t, "bad grid", page, "邀请未生成", "所选网格不属于本社区", `data-testid="invite-form"`, `value="张网格"`,
		`<option value="grid_worker" selected>`)
	if strings.Contains(page, "does not exist") || strings.Contains(page, "g9") {
		t.Fatalf("bad grid page shows the English detail or the raw value")
	}
	expect(t, "bind", h.persona("o-li").say("绑定 "+m[1]), "绑定成功")

	_, page, _ = strings.Cut(issue(url.Values{"name": {"赵委员"}, "role": {"committee"}}), "\n")
	unused := codeShown.FindStringSubmatch(page)[1]
	invs, _ := h.app.Store.PendingInvites(ctx, "sample", h.clock())
	if len(invs) != 1 {
		t.Fatalf("%d pending invites, want 1", len(invs))
	}
	post("/console/people/invites/"+strconv.FormatUint(invs[0].ID, 10)+"/revoke", url.Values{}, http.StatusSeeOther)
	expect(t, "revoked code", h.persona("o-zhao").say("绑定 "+unused), "过期")

	form := url.Values{"grids": {"g1 网格一 1,2,3,4\ng2 网格二 5,6,7,8\ng3 网格三 9,10,11,12\ng4 新网格 13栋,14"}, "csrf": {b.csrf}}
	if code, hdr, _ := b.do("POST", "/console/people/grids", form); code != http.StatusSeeOther {
		t.Fatalf("grids form: %d", code)
	} else if _, _, saved := b.do("GET", hdr.Get("Location"), nil); !strings.Contains(saved, `data-testid="saved"`) {
		t.Error("the people page does not say the grids were saved")
	}
	grids, _ := h.app.Store.Grids(ctx, "sample")
	if len(grids) != 4 || grids[3].Buildings != "13,14" {
		t.Fatalf("grids after the form: %d, last %+v", len(grids), grids[len(grids)-1])
	}
	// The chat routes by the grids just saved: a resident of building 13
	// registers into the new grid and their appeal goes to it (found by an
	// attacker: the chat kept the grids of the settings file).
	ref13 := raise(t, h.persona("o-13"), "楼道灯坏了好几天了，晚上黑漆漆的", "13栋1单元101")
	if ap, err := h.app.Store.AppealByRef(ctx, "sample", ref13); err != nil || ap.GridID != "g4" {
		t.Fatalf("appeal of building 13: %+v, %v; want grid g4", ap, err)
	}
	// A department is added from the console, then a liaison invited to it.
	post("/console/people/departments", url.Values{"name": {"街道城市管理办公室"}}, http.StatusSeeOther)
	if page := post("/console/people/departments", url.Values{"name": {"街道城市管理办公室"}}, http.StatusConflict); !strings.Contains(page, "已经有了") {
		t.Fatalf("a department twice: %s", page)
	}
	post("/console/people/departments", url.Values{"name": {"  "}}, http.StatusBadRequest)
	if deps, _ := h.app.Store.Departments(ctx, "sample"); !slices.ContainsFunc(deps, func(d *models.Department) bool { return d.Name == "街道城市管理办公室" }) {
		t.Fatalf("departments after the form: %v", deps)
	}
	_, _, page = b.do("GET", "/console/people", nil)
	expect(t, "department offered", page, `<option value="街道城市管理办公室"`)
	if codeShown.FindStringSubmatch(issue(url.Values{"name": {"陈联络"}, "role": {"liaison"}, "department": {"街道城市管理办公室"}})) == nil {
		t.Fatal("no code for a liaison of the department just added")
	}
	post("/console/people/stakeholders", url.Values{"kind": {"property"}, "name": {"<b>安居物业</b>"}, "phone": {"023-12345678"}, "buildings": {"3栋"}}, http.StatusSeeOther)
	_, _, page = b.do("GET", "/console/people", nil)
	expect(t, "stakeholder", page, "&lt;b&gt;安居物业&lt;/b&gt;", "023-12345678", "李网格", "新网格")

	li, _ := h.app.Store.StaffByOpenID(ctx, "sample", "o-li")
	post("/console/people/staff/"+strconv.FormatUint(li.ID, 10)+"/deactivate", url.Values{}, http.StatusSeeOther)
	if s, _ := h.app.Store.StaffByID(ctx, "sample", li.ID); s.Active {
		t.Fatal("staff member still active")
	}
	// No one deactivates themselves: the button is not shown, the server refuses.
	me, _ := h.app.Store.StaffByOpenID(ctx, "sample", "sim-committee")
	self := "/console/people/staff/" + strconv.FormatUint(me.ID, 10) + "/deactivate"
	_, _, page = b.do("GET", "/console/people", nil)
	if strings.Contains(page, `action="`+self+`"`) {
		t.Fatal("the people page offers to deactivate the signed-in person")
	}
	page = post(self, url.Values{}, http.StatusConflict)
	expect(t, "self deactivation", page, "不能停用自己")
	if s, _ := h.app.Store.StaffByID(ctx, "sample", me.ID); !s.Active {
		t.Fatal("the signed-in person deactivated themselves")
	}
	if code, _, _ := b.do("GET", "/console/people", nil); code != http.StatusOK {
		t.Fatalf("after the refused self-deactivation: %d, want the page", code)
	}
}

var meetingLink = regexp.MustCompile(`href="/console/meetings/([0-9]+)\?community=sample`)

// TestConsoleMeetings: from an appeal the committee calls a meeting of its
// building with the stakeholders, the invitation reaches the resident, who
// answers by chat; the meeting page names who answered what and whom to
// phone; it is rescheduled, its outcome recorded, and raised a level.
func TestConsoleMeetings(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) { consoleMeetings(t, newStaffHarness(t, d)) })
	}
}

func consoleMeetings(t *testing.T, h *harness) {
	ref := raise(t, h.persona("o-wang"), "3栋楼道灯坏了好几天了，晚上黑黢黢的", "3栋2单元501")
	b := h.browser()
	req, _ := http.NewRequest("POST", h.srv.URL+"/console/sim-login", nil)
	req.Header.Set("X-Gongzhi-Sim", "1")
	if resp, err := b.c.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sim-login: %v %v", resp, err)
	}
	b.do("GET", "/console/people", nil)
	post := func(path string, form url.Values, want int) (http.Header, string) {
		t.Helper()
		form.Set("csrf", b.csrf)
		code, hdr, page := b.do("POST", path, form)
		if code != want {
			t.Fatalf("POST %s: %d, want %d: %s", path, code, want, page)
		}
		return hdr, page
	}
	post("/console/people/stakeholders", url.Values{"kind": {"property"}, "name": {"安居物业"}, "contact": {"陈经理"}, "phone": {"023-12345678"}}, http.StatusSeeOther)
	_, _, page := b.do("GET", "/console/meetings/new?appeal="+ref, nil)
	expect(t, "new meeting form", page, `name="appeal" value="`+ref+`"`, `name="buildings" value="3"`,
		`data-testid="meeting-grids"`, `<input type="checkbox" name="grids" value="g2">`,
		`value="`+h.clock().In(h.app.Config.Location).AddDate(0, 0, 3).Format("2006-01-02")+`T19:00"`) // an evening residents are home
	starts := h.clock().Add(72 * time.Hour).In(h.app.Config.Location).Format("2006-01-02T15:04")
	hdr, _ := post("/console/meetings", url.Values{"appeal": {ref}, "topic": {"3栋楼道灯更换"}, "level": {"building"}, "starts_at": {starts},
		"venue": {"3栋架空层"}, "buildings": {"3"}, "grids": {"g2", "g3"}, "stakeholders": {"1"}, "broadcast": {"1"}}, http.StatusSeeOther)
	where := hdr.Get("Location")
	_, _, page = b.do("GET", where, nil)
	code := regexp.MustCompile(`<small>([A-Z0-9]+) · `).FindStringSubmatch(page)
	if code == nil {
		t.Fatalf("meeting page without its code: %s", page)
	}
	expect(t, "meeting", page, "居民 3栋2单元501", "未回复", "安居物业", "023-12345678", "请电话或上门通知")
	if m, err := h.app.Store.MeetingByCode(context.Background(), "sample", code[1]); err != nil || m.Grids != "g2,g3" {
		t.Fatalf("meeting grids from the ticked boxes: %+v, %v", m, err)
	}
	expect(t, "answer", h.persona("o-wang").say("参加 "+code[1]), "参加")
	_, _, page = b.do("GET", where, nil)
	if !regexp.MustCompile(`居民 3栋2单元501</td><td>参加`).MatchString(page) {
		t.Fatal("the resident's answer is not on the meeting page")
	}
	_, _, list := b.do("GET", "/console/meetings", nil)
	expect(t, "meeting list", list, `data-testid="meeting-row" data-code="`+code[1]+`"`)

	id := strings.TrimPrefix(strings.Split(where, "?")[0], "/console/meetings/")
	later := h.clock().Add(96 * time.Hour).In(h.app.Config.Location).Format("2006-01-02T15:04")
	post("/console/meetings/"+id+"/reschedule", url.Values{"community": {"sample"}, "starts_at": {later}, "reason": {"物业周四有空"}}, http.StatusSeeOther)
	h.advance(100 * time.Hour) // the meeting has been held; the 12-hour session has ended
	if code, _, _ := b.do("GET", "/console/meetings", nil); code != http.StatusFound {
		t.Fatalf("a session after 100 hours: %d, want a redirect to login", code)
	}
	req, _ = http.NewRequest("POST", h.srv.URL+"/console/sim-login", nil)
	req.Header.Set("X-Gongzhi-Sim", "1")
	if resp, err := b.c.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sim-login: %v %v", resp, err)
	}
	b.do("GET", where, nil)
	post("/console/meetings/"+id+"/outcome", url.Values{"community": {"sample"}, "minutes": {"物业出资更换3栋全部楼道灯"}, "measures": {"物业本周内更换，网格员验收"}, "appeals_next": {"keep"}}, http.StatusSeeOther)
	_, _, page = b.do("GET", where, nil)
	expect(t, "outcome", page, "物业出资更换3栋全部楼道灯", "物业周四有空")
	next := h.clock().Add(72 * time.Hour).In(h.app.Config.Location).Format("2006-01-02T15:04")
	hdr, _ = post("/console/meetings/"+id+"/raise", url.Values{"community": {"sample"}, "level": {"community"}, "starts_at": {next}, "venue": {"社区会议室"}}, http.StatusSeeOther)
	if strings.HasPrefix(hdr.Get("Location"), "/console/meetings/"+id+"?") {
		t.Fatalf("raise stayed on the first meeting: %s", hdr.Get("Location"))
	}
	_, _, page = b.do("GET", hdr.Get("Location"), nil)
	expect(t, "raised", page, "社区议事会", "社区会议室")
}

// TestAdminTokenSessionsEndAtRestart: a console session opened with the
// admin token has no staff member whose deactivation would end it; rotating
// the token means a restart, and the restart ends every such session, so a
// leaked token's session does not outlive it.
func TestAdminTokenSessionsEndAtRestart(t *testing.T) {
	driver, dsn := storetest.DSN(t, storetest.Drivers(t)[0])
	serve := func(token string) *harness {
		cfg, err := config.Load("", []string{"GONGZHI_DB_DRIVER=" + driver, "GONGZHI_DB_DSN=" + dsn, "GONGZHI_ADMIN_TOKEN=" + token})
		if err != nil {
			t.Fatalf("config: %v", err)
		}
		h := &harness{t: t, now: start}
		if h.app, err = NewApp(context.Background(), cfg, slog.New(slog.DiscardHandler), h.clock); err != nil {
			t.Fatalf("NewApp: %v", err)
		}
		h.srv = httptest.NewServer(h.app.Router)
		return h
	}
	h := serve(e2eAdminToken)
	a := h.browser()
	a.do("GET", "/console/login", nil)
	if code, _, _ := a.do("POST", "/console/login", url.Values{"csrf": {a.csrf}, "admin": {e2eAdminToken}}); code != http.StatusSeeOther {
		t.Fatalf("admin token login: %d", code)
	}
	if code, _, _ := a.do("GET", "/console/", nil); code != http.StatusOK {
		t.Fatalf("admin session before the restart: %d", code)
	}
	h.srv.Close()
	h.app.Close()

	rotated := serve(strings.Repeat("r", 32))
	t.Cleanup(func() { rotated.srv.Close(); rotated.app.Close() })
	a.h = rotated // the same browser, its cookie, the restarted service
	if code, _, _ := a.do("GET", "/console/", nil); code != http.StatusFound {
		t.Fatalf("admin-token session after a restart with a rotated token: %d, want a redirect to login", code)
	}
}
