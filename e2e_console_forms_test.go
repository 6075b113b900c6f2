package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// simBrowser is a console session of the simulator's committee member.
func simBrowser(t *testing.T, h *harness) *browser {
	t.Helper()
	b := h.browser()
	req, _ := http.NewRequest("POST", h.srv.URL+"/console/sim-login", nil)
	req.Header.Set("X-Gongzhi-Sim", "1")
	resp, err := b.c.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sim-login: %v %v", resp, err)
	}
	resp.Body.Close()
	if code, _, _ := b.do("GET", "/console/", nil); code != http.StatusOK {
		t.Fatalf("list after sim-login: %d", code)
	}
	return b
}

// disputedPrivate raises a private matter that its resident disputes: an
// appeal in 社区复核中 waiting for the committee.
func disputedPrivate(t *testing.T, h *harness, openID string) *models.Appeal {
	t.Helper()
	p := h.persona(openID)
	p.say("我家热水器坏了，想找个师傅上门修")
	ref := refIn(t, p.say("1"))
	expect(t, "dispute", p.say("不是私事"), "复核", ref)
	a, err := h.app.Store.AppealByRef(context.Background(), "sample", ref)
	if err != nil || a.Status != models.StatusReview {
		t.Fatalf("disputed appeal: %+v %v", a, err)
	}
	return a
}

// TestConsoleReclassifyReroutes: a disputed private matter reclassified
// to 小事 from the console goes where a small matter goes, as the chat's
// 改类 does: it leaves 社区复核中 with a handler and a deadline, and the
// resident is told.
func TestConsoleReclassifyReroutes(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newStaffHarness(t, d)
			a := disputedPrivate(t, h, "o-chen")
			b := simBrowser(t, h)
			code, hdr, page := b.do("POST", "/console/appeals/"+a.Ref+"/revise",
				url.Values{"csrf": {b.csrf}, "op": {"reclassify"}, "kind": {"small"}, "reason": {"热水器在公共管井里"}})
			if code != http.StatusSeeOther || hdr.Get("Location") != "/console/appeals/"+a.Ref+"?done=1" {
				t.Fatalf("reclassify: %d %q %s", code, hdr.Get("Location"), page)
			}
			got, _ := h.app.Store.AppealByRef(context.Background(), "sample", a.Ref)
			if got.Kind != models.KindSmall || got.Level != models.LevelCommunity || got.Status != models.StatusAssigned ||
				got.Assignee == "" || got.DueAt == nil {
				t.Fatalf("after reclassifying to 小事: kind %s level %s status %s assignee %q due %v, want assigned with a deadline",
					got.Kind, got.Level, got.Status, got.Assignee, got.DueAt)
			}
			evs, _ := h.app.Store.AppealEvents(context.Background(), got.ID)
			var acts []string
			for _, e := range evs {
				acts = append(acts, e.Action)
			}
			if n := len(acts); n < 3 || acts[n-3] != string(models.ActReclassify) || acts[n-2] != string(models.ActAssign) ||
				acts[n-1] != string(models.ActSetDeadline) {
				t.Fatalf("events %v: want a reclassification, an assignment, the new time limit", acts)
			}
			// The resident is told where the appeal went and by when.
			h.pushFor("o-chen", a.Ref, "已重新分类为小事", "办结时限调整为")

			// The committee names the matter too: same kind, another matter.
			if _, _, page := b.do("GET", "/console/appeals/"+a.Ref, nil); !strings.Contains(page, `data-testid="reclassify-topic"`) ||
				!strings.Contains(page, `<optgroup label="小事">`) || !strings.Contains(page, `<option value="common-parts"`) {
				t.Fatalf("the reclassify form offers no matters: %s", page)
			}
			code, _, page = b.do("POST", "/console/appeals/"+a.Ref+"/revise", url.Values{"csrf": {b.csrf}, "op": {"reclassify"},
				"kind": {"small"}, "topic": {"common-parts"}, "reason": {"管井属于楼栋共有部位"}})
			if code != http.StatusSeeOther {
				t.Fatalf("choosing a matter: %d %s", code, page)
			}
			got, _ = h.app.Store.AppealByRef(context.Background(), "sample", a.Ref)
			if got.TopicID != "common-parts" || got.Kind != models.KindSmall {
				t.Fatalf("after choosing a matter: %s %s", got.TopicID, got.Kind)
			}
			_, _, page = b.do("GET", "/console/appeals/"+a.Ref, nil)
			expect(t, "the appeal after choosing a matter", page, "<dd>"+got.Topic+"</dd>", "→ "+got.Topic)
			h.pushFor("o-chen", a.Ref, "事项改为“"+got.Topic+"”")

			// The kind left as it is and a matter of another kind chosen: the matter's kind is meant (found by a second user).
			code, _, page = b.do("POST", "/console/appeals/"+a.Ref+"/revise", url.Values{"csrf": {b.csrf}, "op": {"reclassify"},
				"kind": {"small"}, "topic": {"illegal-structures"}, "reason": {"是楼顶违建"}})
			got, _ = h.app.Store.AppealByRef(context.Background(), "sample", a.Ref)
			if code != http.StatusSeeOther || got.Kind != models.KindMajor || got.TopicID != "illegal-structures" || got.Level != models.LevelStreet {
				t.Fatalf("a matter of another kind with the kind unchanged: %d, %s/%s %s: %s", code, got.Kind, got.Level, got.TopicID, page)
			}
		})
	}
}

// TestConsoleFormErrors: a refused revise form is shown again on the
// appeal's page, the reason in Chinese next to the form, what was typed
// kept, the appeal unchanged, never the English detail of the refusal.
func TestConsoleFormErrors(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			h := newStaffHarness(t, d)
			a := disputedPrivate(t, h, "o-chen")
			before, _ := h.app.Store.AppealEvents(ctx, a.ID)
			b := simBrowser(t, h)
			me, _ := h.app.Store.StaffByOpenID(ctx, "sample", "sim-committee")
			path := "/console/appeals/" + a.Ref + "/revise"
			for _, c := range []struct {
				name string
				form url.Values
				want []string
			}{
				{"deadline in the past", url.Values{"op": {"deadline"}, "due_at": {"2020-01-02T10:30"}, "reason": {"居民要求"}},
					[]string{"办结时限不能早于现在", `value="2020-01-02T10:30"`, `value="居民要求"`}},
				// 私事 on this disputed private matter keeps it private (TestReviewKeepsPrivate);
				// the same kind elsewhere is refused (TestReclassifyKeepsTheMatterLimit).
				{"bad level for the kind", url.Values{"op": {"reclassify"}, "kind": {"small"}, "level": {"street"}, "reason": {"公共部位"}},
					[]string{"小事由社区层级办理", `<option value="street" selected>`, `value="公共部位"`}},
				{"a matter of another kind", url.Values{"op": {"reclassify"}, "kind": {"small"}, "topic": {"illegal-structures"}, "reason": {"公共部位"}},
					[]string{"所选事项不属于所选类别", `<option value="illegal-structures" selected>`}},
				{"no reason", url.Values{"op": {"assign"}, "assignee": {me.Ref()}, "reason": {" "}},
					[]string{"请写明原因", `<option value="` + me.Ref() + `" selected>`}},
				{"unknown assignee", url.Values{"op": {"assign"}, "assignee": {"staff:999"}, "reason": {"换人"}},
					[]string{"承办人不对", `value="换人"`}},
			} {
				c.form.Set("csrf", b.csrf)
				code, _, page := b.do("POST", path, c.form)
				if code != http.StatusBadRequest {
					t.Fatalf("%s: %d, want 400 with the form", c.name, code)
				}
				expect(t, c.name, page, append(c.want, `data-testid="form-error"`, `data-testid="timeline"`)...)
				for _, en := range []string{"past", "already", "level", "assignee", "want "} {
					if strings.Contains(strings.SplitN(page, `data-testid="form-error">`, 2)[1][:200], en) {
						t.Fatalf("%s: the page shows the English detail %q", c.name, en)
					}
				}
			}
			after, _ := h.app.Store.AppealEvents(ctx, a.ID)
			got, _ := h.app.Store.AppealByRef(ctx, "sample", a.Ref)
			if len(after) != len(before) || got.Status != models.StatusReview || got.Kind != models.KindPrivate {
				t.Fatalf("refused forms changed the appeal: %d→%d events, %s %s", len(before), len(after), got.Status, got.Kind)
			}
		})
	}
}

// TestConsoleNames: the list and an appeal name the community and grids
// as people know them; the grid filter offers the community's grids.
func TestConsoleNames(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newStaffHarness(t, d)
			ref := raise(t, h.persona("o-wang"), "3栋楼道灯坏了", "3栋2单元501")
			b := simBrowser(t, h)
			_, _, page := b.do("GET", "/console/", nil)
			expect(t, "list", page, "示例社区", `data-testid="grid-filter"`, `<option value="g1" >网格一</option>`,
				`<option value="g3" >网格三</option>`, "网格一 · 3栋")
			if strings.Contains(page, `<div class="muted">sample</div>`) || strings.Contains(page, `name="grid" value=`) {
				t.Fatal("the list shows the community's id or a free-text grid filter")
			}
			_, _, page = b.do("GET", "/console/?grid=g1", nil)
			expect(t, "filtered", page, `<option value="g1" selected>网格一</option>`)
			if _, list, _ := strings.Cut(page, "诉求台账"); !strings.Contains(list, `data-ref="`+ref+`"`) {
				t.Fatal("grid filter g1 leaves out an appeal of g1")
			}
			_, _, page = b.do("GET", "/console/?grid=g2", nil)
			if _, list, _ := strings.Cut(page, "诉求台账"); strings.Contains(list, `data-ref="`+ref+`"`) {
				t.Fatal("grid filter g2 shows an appeal of g1")
			}
			_, _, page = b.do("GET", "/console/appeals/"+ref, nil)
			expect(t, "appeal", page, "3栋 · 网格一", "示例社区")
		})
	}
}

// TestConsolePeopleGuards: the people page's changes are the committee's
// and the administrators' only, in a community that exists (found by an
// attacker): a district coordinator sees the page without its forms and is
// refused every change; a committee member cannot revoke an administrator's
// invite; an administrator cannot create grids or departments for a
// community that is not configured; nothing is stored by any of them. A
// reason or a name of invisible characters is refused, as an empty one.
func TestConsolePeopleGuards(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newHarness(t, d, "GONGZHI_ADMIN_TOKEN="+e2eAdminToken)
			consolePeopleGuards(t, h)
		})
	}
}

func consolePeopleGuards(t *testing.T, h *harness) {
	ctx := context.Background()
	b := simBrowser(t, h)
	h.api("POST", "/api/staff/invites", map[string]any{"role": "admin", "name": "新管理员"}, http.StatusCreated)
	coordInv := h.api("POST", "/api/staff/invites", map[string]any{"role": "district_coordinator", "name": "区统筹"}, http.StatusCreated)
	expect(t, "bind coordinator", h.persona("o-coord").say("绑定 "+coordInv["code"].(string)), "绑定成功")
	invs, err := h.app.Store.PendingInvites(ctx, "sample", h.clock())
	if err != nil || len(invs) != 1 || invs[0].Role != models.RoleAdmin {
		t.Fatalf("pending invites %+v, %v; want the administrator's", invs, err)
	}
	adminRevoke := "/console/people/invites/" + strconv.FormatUint(invs[0].ID, 10) + "/revoke"

	// What is stored now, to compare after every refusal.
	state := func() string {
		grids, _ := h.app.Store.Grids(ctx, "sample")
		ghost, _ := h.app.Store.Grids(ctx, "ghost")
		deps, _ := h.app.Store.Departments(ctx, "sample")
		ghostDeps, _ := h.app.Store.Departments(ctx, "ghost")
		holders, _ := h.app.Store.Stakeholders(ctx, "sample")
		pending, _ := h.app.Store.PendingInvites(ctx, "sample", h.clock())
		return fmt.Sprint(len(grids), len(ghost), len(deps), len(ghostDeps), len(holders), len(pending))
	}
	before := state()

	m := linkIn.FindStringSubmatch(h.persona("o-coord").say("登录"))
	if m == nil {
		t.Fatal("no console link for the coordinator")
	}
	cb := h.browser()
	if code, _ := cb.login(m[1]); code != http.StatusSeeOther {
		t.Fatalf("coordinator login: %d", code)
	}
	_, _, page := cb.do("GET", "/console/people?community=sample", nil)
	expect(t, "coordinator's people page", page, `data-testid="staff-row"`, `data-testid="read-only"`, `data-testid="grids-read-only"`)
	for _, no := range []string{`data-testid="invite-form"`, `data-testid="department-form"`, `action="/console/people/grids"`, `/revoke"`, `/deactivate"`} {
		if strings.Contains(page, no) {
			t.Fatalf("the coordinator's people page offers %s", no)
		}
	}
	form := url.Values{"community": {"sample"}, "grids": {"x1 幽灵网格 1"}, "name": {"幽灵部门"}, "kind": {"property"}, "phone": {"023-1"},
		"role": {"grid_worker"}, "grid": {"g1"}}
	for _, path := range []string{"/console/people/grids", "/console/people/departments", "/console/people/stakeholders",
		"/console/people/stakeholders/1/deactivate", adminRevoke, "/console/people/invites", "/console/people/staff/1/deactivate"} {
		if code, _, page := cb.post(path, form); code != http.StatusForbidden || !strings.Contains(page, "只有两委成员和管理员") {
			t.Errorf("coordinator POST %s: %d, want 403", path, code)
		}
	}

	if code, _, page := b.post(adminRevoke, url.Values{}); code != http.StatusForbidden || !strings.Contains(page, "只有管理员可以撤销") {
		t.Errorf("committee revoking an administrator's invite: %d, want 403", code)
	}

	ab := h.browser()
	ab.do("GET", "/console/login", nil)
	if code, _, _ := ab.do("POST", "/console/login", url.Values{"csrf": {ab.csrf}, "admin": {e2eAdminToken}}); code != http.StatusSeeOther {
		t.Fatalf("admin login: %d", code)
	}
	ab.do("GET", "/console/people", nil)
	for _, path := range []string{"/console/people/grids", "/console/people/departments", "/console/people/invites"} {
		if code, _, _ := ab.post(path, url.Values{"community": {"ghost"}, "grids": {"x1 幽灵网格 1"}, "name": {"幽灵部门"}, "role": {"committee"}}); code != http.StatusNotFound {
			t.Errorf("admin POST %s for an unknown community: %d, want 404", path, code)
		}
	}

	// A refused grid edit shows the people page again with the reason and
	// what was typed (a separate error page lost it).
	typed := "g1 网格一 1,2\ng2 网格二 2,5"
	if code, _, page := b.post("/console/people/grids", url.Values{"grids": {typed}}); code != http.StatusBadRequest ||
		!strings.Contains(page, "网格未保存：一个楼栋只能属于一个网格") || !strings.Contains(page, "g2 网格二 2,5") {
		t.Errorf("a building in two grids: %d, want the people page with the reason and the typed grids", code)
	}

	// Invisible characters are no name and no reason.
	if code, _, _ := b.post("/console/people/departments", url.Values{"name": {"\u200b\ufeff"}}); code != http.StatusBadRequest {
		t.Errorf("a department named by zero-width characters: %d, want 400", code)
	}
	if after := state(); after != before {
		t.Fatalf("stored after the refusals: %s, before %s", after, before)
	}
	ref := raise(t, h.persona("o-wang"), "3栋楼道灯坏了好几天了", "3栋2单元501")
	expect(t, "reason of a zero-width space", h.persona("sim-committee").say("改类 "+ref+" 大事 \u200b"), "原因")
	if a, err := h.app.Store.AppealByRef(ctx, "sample", ref); err != nil || a.Kind != models.KindSmall {
		t.Fatalf("after a reclassification without a visible reason: %+v, %v", a, err)
	}
}

// TestLoginLinkNeverKept: a committee member's 登录 is answered and not
// recorded (its one-time link is not kept in clear as the reply to a
// retry), and another person's message under the same MsgId gets its own
// answer, never the committee's (found by an attacker). Both databases.
func TestLoginLinkNeverKept(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newStaffHarness(t, d)
			inv := h.api("POST", "/api/staff/invites", map[string]any{"role": "committee", "name": "周委员"}, http.StatusCreated)
			expect(t, "bind committee", h.persona("o-committee").say("绑定 "+inv["code"].(string)), "绑定成功")
			send := func(openID, text string) string {
				return h.post(openID, "<MsgType>text</MsgType><Content>"+text+"</Content><MsgId>7770001</MsgId>")
			}
			if r := send("o-committee", "登录"); !linkIn.MatchString(r) {
				t.Fatalf("登录 = %q; want a link", r)
			}
			if r := send("o-wang", "小区门口的路灯坏了"); strings.Contains(r, "login?t=") || r == "" {
				t.Fatalf("another sender under the same MsgId got %q", r)
			}
			var kept int64
			if err := h.app.Store.Gorm().Model(&models.ProcessedMessage{}).Where("reply LIKE ?", "%login?t=%").Count(&kept).Error; err != nil || kept != 0 {
				t.Fatalf("%d recorded replies hold a login link (%v)", kept, err)
			}
		})
	}
}
