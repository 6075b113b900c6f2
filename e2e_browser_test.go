package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// chromium finds Debian's Chromium. In CI a missing browser fails the
// test: the scripted day must run there.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: in CI the browser test must run (apt-get install -y chromium fonts-noto-cjk)")
	}
	t.Skip("chromium is not installed")
	return ""
}

// artifacts is where screenshots go: $ARTIFACTS, else test-artifacts/.
func artifacts(t *testing.T) string {
	dir := os.Getenv("ARTIFACTS")
	if dir == "" {
		dir = "test-artifacts"
	}
	dir = filepath.Join(dir, "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tab is one browser tab driven by the test, collecting console errors.
type tab struct {
	t      *testing.T
	ctx    context.Context
	base   string
	dir    string
	mu     sync.Mutex
	errors []string
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *tab) eval(what, js string) string {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithDeadline(b.ctx, deadline)
		v, err := chromedp.Run(ctx, chromedp.Poll[string](js, chromedp.WithPollingInterval(100*time.Millisecond)))
		cancel()
		if err == nil {
			return v
		}
		// A page that navigates while the poll runs ends it (or loses its
		// execution context under the poll): poll the new page.
		navigated := strings.Contains(err.Error(), "navigated or closed") ||
			strings.Contains(err.Error(), "Cannot find context with specified id")
		if time.Now().After(deadline) || !navigated {
			b.t.Fatalf("%s: waiting for %s: %v", what, js, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *tab) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// chat plays persona openID in the simulator: sends text, returns the bot's reply.
func (b *tab) chat(openID, text string) string {
	b.t.Helper()
	cur := b.eval("location", `location.href`)
	if !strings.Contains(cur, "/sim/?openid="+openID) {
		b.do("open the simulator as "+openID, chromedp.Navigate(b.base+"/sim/?openid="+openID), chromedp.WaitVisible(chromedp.CSS("#t")))
	}
	n := b.eval("count", `String(document.querySelectorAll('.msg.bot').length)`)
	b.do("type "+text, chromedp.SendKeys(chromedp.CSS("#t"), text), chromedp.Click(chromedp.CSS("#f button")))
	return b.eval("reply to "+text, fmt.Sprintf(`(function(){const l=document.querySelectorAll('.msg.bot');return l.length>%s?l[%s].textContent:'';})()`, n, n))
}

// stepTimeout bounds one browser step; CI runs it under -race on a busy machine.
const stepTimeout = 45 * time.Second

var consoleLink = regexp.MustCompile(`https?://[^\s]+/console/login\?t=[A-Za-z0-9_\-%]+`)

// openBrowser serves the App in sandbox mode on a real port and opens
// Debian's Chromium on it at desktop size, collecting console errors;
// both are closed when the test ends.
func openBrowser(t *testing.T) (*tab, *harness) {
	t.Helper()
	exe := chromium(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	d, dsn := storetest.DSN(t, storetest.Drivers(t)[0])
	cfg, err := config.Load("", []string{"GONGZHI_DB_DRIVER=" + d, "GONGZHI_DB_DSN=" + dsn,
		"GONGZHI_ADMIN_TOKEN=" + e2eAdminToken, "GONGZHI_PUBLIC_URL=" + base})
	if err != nil {
		t.Fatal(err)
	}
	app, err := NewApp(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Router)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); app.Close() })
	h := &harness{t: t, app: app, srv: srv, now: time.Now()}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	b := &tab{t: t, ctx: ctx, base: base, dir: artifacts(t)}
	// The first run starts the browser: its context must carry no timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, m.String()+" at "+m.URL)
				b.mu.Unlock()
			}
		}
	}()
	b.do("emulate desktop", chromedp.EmulateViewport(1280, 900))

	return b, h
}

// noErrors fails the test if any page logged a console error.
func (b *tab) noErrors() {
	b.t.Helper()
	time.Sleep(300 * time.Millisecond) // the last page's messages arrive
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.errors) > 0 {
		b.t.Fatalf("console errors:\n%s", strings.Join(b.errors, "\n"))
	}
	if errors.Is(b.ctx.Err(), context.Canceled) {
		b.t.Fatal("browser closed early")
	}
}

// TestBrowserConsoleDay plays the committee's day in Debian's Chromium: a
// resident raises an appeal in /sim/, a committee member gets a link by
// chat (登录), logs in, finds the appeal, reassigns it by name, the worker
// closes it by chat, and the committee sees the timeline and the figures —
// with no console error on any page. Screenshots go to $ARTIFACTS or
// test-artifacts/.
func TestBrowserConsoleDay(t *testing.T) {
	b, h := openBrowser(t)
	base := b.base

	// A resident raises an appeal in the simulator.
	if where := b.eval("home", `location.pathname`); where != "/sim/" {
		t.Fatalf("/ led to %s, want the simulator in sandbox", where)
	}
	// The resident's text carries markup: it must show as text and never run.
	r := b.chat("sim-resident-1", `3栋楼道灯坏了好几天了，晚上黑黢黢的<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`)
	var ref string
	for range 6 {
		switch {
		case strings.Contains(r, "已提交"):
			ref = refIn(t, r)
		case strings.Contains(r, "对吗"), strings.Contains(r, "1 确认提交"):
			r = b.chat("sim-resident-1", "1")
			continue
		case strings.Contains(r, "附议"):
			r = b.chat("sim-resident-1", "2")
			continue
		case strings.Contains(r, "住址"):
			r = b.chat("sim-resident-1", "3栋2单元501")
			continue
		default:
			t.Fatalf("unexpected reply %q", r)
		}
		break
	}
	b.shot("01-sim-resident")

	// Staff bind by chat with codes from the admin API.
	code := func(body map[string]any) string {
		return h.api("POST", "/api/staff/invites", body, http.StatusCreated)["code"].(string)
	}
	expect(t, "bind committee", b.chat("sim-zhou", "绑定 "+code(map[string]any{"role": "committee", "name": "周委员"})), "绑定成功")
	// The worker is bound to another grid: a worker of g1 would take the
	// appeal waiting there at binding, and there would be nothing to reassign.
	expect(t, "bind worker", b.chat("sim-li", "绑定 "+code(map[string]any{"role": "grid_worker", "grid": "g2", "name": "李网格"})), "绑定成功")

	// The committee member asks for a link by chat and logs in.
	reply := b.chat("sim-zhou", "登录")
	link := consoleLink.FindString(reply)
	if link == "" {
		t.Fatalf("登录 reply %q has no link", reply)
	}
	b.shot("02-sim-login-link")
	b.do("open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-submit"]`)))
	b.shot("03-login")
	b.do("take the link", chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="review-queue"]`)))
	b.eval("the appeal in the list", fmt.Sprintf(`document.querySelector('[data-testid="appeal-row"][data-ref="%s"]') ? 'yes' : ''`, ref))
	b.shot("04-list")

	// Find it by text, open it, reassign it by name.
	b.do("search", chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), ref), chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)))
	b.eval("filtered", fmt.Sprintf(`location.search.includes('%s') && document.querySelectorAll('section:not([data-testid]) [data-testid="appeal-row"]').length === 1 ? 'yes' : ''`, ref))
	b.do("open the appeal", chromedp.Click(chromedp.CSS(fmt.Sprintf(`section:not([data-testid]) [data-ref="%s"] a`, ref))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="assign-form"]`)))
	worker := b.eval("worker option", `(function(){for (const o of document.querySelectorAll('[data-testid="assign-form"] select[name="assignee"] option')) if (o.textContent.includes('李网格')) return o.value; return '';})()`)
	b.do("reassign", chromedp.SetValue(chromedp.CSS(`[data-testid="assign-form"] select[name="assignee"]`), worker),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="assign-form"] input[name="reason"]`), "3栋属于李网格的网格"),
		chromedp.Click(chromedp.CSS(`[data-testid="assign-form"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.ok`)))
	b.eval("timeline shows the reassignment", `document.querySelector('[data-testid="timeline"]').textContent.includes('3栋属于李网格的网格') ? 'yes' : ''`)
	b.shot("05-appeal-reassigned")

	// The worker closes it by chat; the committee sees it on the timeline and in the figures.
	expect(t, "worker resolves", b.chat("sim-li", "办结 "+ref+" 灯泡已更换"), "已办结")
	b.do("reopen the appeal", chromedp.Navigate(base+"/console/appeals/"+ref), chromedp.WaitVisible(chromedp.CSS(`[data-testid="timeline"]`)))
	tl := b.eval("timeline", `document.querySelector('[data-testid="timeline"]').textContent`)
	for _, want := range []string{"周委员", "李网格", "已办结", "灯泡已更换"} {
		if !strings.Contains(tl, want) {
			t.Fatalf("timeline lacks %q: %s", want, tl)
		}
	}
	if got := b.eval("markup as text", `String(window.pwned === undefined && document.querySelector('[data-testid="appeal-text"]').textContent.includes('<script>'))`); got != "true" {
		t.Fatal("the resident's markup ran or was not shown as text")
	}
	b.shot("06-appeal-resolved")
	b.do("figures", chromedp.Navigate(base+"/console/figures"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-levels"] svg`)))
	if got := b.eval("split", `document.querySelector('[data-testid="chart-levels"]').textContent`); !strings.Contains(got, "社区即办") || !strings.Contains(got, "已办结 1") {
		t.Fatalf("chart-levels says %q, want the community level with one resolved", got)
	}
	b.shot("07-figures")

	// A meeting on the matter, and the people page (for the docs' screenshots too).
	b.do("new meeting", chromedp.Navigate(base+"/console/meetings/new?appeal="+ref), chromedp.WaitVisible(chromedp.CSS(`[data-testid="meeting-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="venue"]`), "3栋架空层"),
		chromedp.Click(chromedp.CSS(`[data-testid="meeting-form"] button[type="submit"]`)))
	b.eval("meeting page", `document.body.textContent.includes('邀请对象与回复') && document.body.textContent.includes('居民 3栋2单元501') ? 'yes' : ''`)
	b.shot("09-meeting")
	b.do("meetings", chromedp.Navigate(base+"/console/meetings"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="meeting-row"]`)))
	b.shot("10-meetings")
	b.do("people", chromedp.Navigate(base+"/console/people"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="staff-row"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="invite-form"] input[name="name"]`), "王网格"),
		chromedp.SetValue(chromedp.CSS(`[data-testid="invite-form"] select[name="role"]`), "grid_worker"),
		chromedp.SetValue(chromedp.CSS(`[data-testid="invite-form"] select[name="grid"]`), "g2"),
		chromedp.Click(chromedp.CSS(`[data-testid="invite-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="invite-code"] .qr img`)))
	b.shot("11-people-invite")

	// At phone width the list still works.
	b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Navigate(base+"/console/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="appeal-row"]`)))
	b.shot("08-list-phone")

	b.noErrors()
}
