package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestConsoleCampaignNobodyYet: on a fresh install nobody has registered
// an address; a campaign for everyone is refused with a sentence about
// everyone that says how residents register (not about buildings or grids
// nobody picked), one for a building nobody lives in says so, and once a
// resident registers the same campaign is saved.
func TestConsoleCampaignNobodyYet(t *testing.T) {
	eachDriver(t, func(t *testing.T, h *harness) {
		b := simBrowser(t, h)
		ends := h.clock().In(h.app.Config.Location).Add(48 * time.Hour).Format("2006-01-02T15:04")
		form := func(audience string) url.Values {
			return url.Values{"question": {"小区里最需要解决的问题是什么？"}, "audience": {audience}, "buildings": {"9"}, "ends_at": {ends}}
		}
		code, _, page := b.post("/console/campaigns", form("all"))
		msg := formError(page)
		if code != http.StatusBadRequest || !strings.Contains(msg, "还没有居民登记住址") || !strings.Contains(msg, "修改地址") ||
			strings.Contains(msg, "楼栋") || strings.Contains(msg, "网格") {
			t.Fatalf("everyone, nobody registered: %d %q", code, msg)
		}
		code, _, page = b.post("/console/campaigns", form("buildings"))
		if msg = formError(page); code != http.StatusBadRequest || !strings.Contains(msg, "所选楼栋或网格") || !strings.Contains(msg, "修改地址") {
			t.Fatalf("building 9, nobody there: %d %q", code, msg)
		}
		register(h.persona("o-first"), "3栋1单元101")
		if code, _, page = b.post("/console/campaigns", form("all")); code != http.StatusSeeOther {
			t.Fatalf("everyone, one registered: %d %q", code, formError(page))
		}
	})
}

// TestChatAddressInPlainWords: a new resident who asks in plain words to
// register their address is asked for it and registered (no appeal is
// stored), while appeals that mention an address stay appeals.
func TestChatAddressInPlainWords(t *testing.T) {
	eachDriver(t, func(t *testing.T, h *harness) {
		for i, text := range []string{"我想登记一下住址", "你好，我要改地址。", "请帮我登记地址", "麻烦修改一下我的住址", "我要换个地址", "帮我改下地址"} {
			p := h.persona("o-new" + string(rune('a'+i)))
			expect(t, text, p.say(text), "请发送新的住址")
			expect(t, text+": address", p.say("3栋1单元101"), "3栋")
			expect(t, text+": saved", p.say("1"), "住址已登记")
			if res, err := h.app.Store.Resident(context.Background(), "sample", p.openID); err != nil || res == nil || res.Building != "3" {
				t.Fatalf("%s: resident %+v %v", text, res, err)
			}
			if n := len(p.appeals()); n != 0 {
				t.Fatalf("%s: %d appeals stored", text, n)
			}
		}
		for _, text := range []string{"修改地址后快递还是送到老地址，物业也不管", "楼道灯坏了，我的住址是3栋2单元501", "3栋门口登记住址的牌子掉了砸到人"} {
			p := h.persona("o-appeal")
			if r := p.say(text); strings.Contains(r, "请发送新的住址") {
				t.Fatalf("%q taken as an address change: %q", text, r)
			}
			p.say("取消")
		}
	})
}

// invite binds a persona as staff through an admin invite.
func invite(t *testing.T, h *harness, p *persona, body map[string]any) {
	t.Helper()
	out := h.api("POST", "/api/staff/invites", body, http.StatusCreated)
	c, _ := out["code"].(string)
	expect(t, "bind", p.say("绑定 "+c), "绑定成功")
}

// TestChatSmallMatterNamesWhoActs: a small matter in a grid with no bound
// worker waits for the committee (the console's 待两委成员接单), and the
// resident is told the committee handles it; once the grid has a worker,
// the next one names the grid's worker.
func TestChatSmallMatterNamesWhoActs(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newStaffHarness(t, d)
			register(h.persona("o-wang"), "3栋2单元501")
			register(h.persona("o-li"), "3栋1单元101")
			r := submitted(t, h.persona("o-wang"), "3栋楼道灯坏了好几天了，晚上黑黢黢的", "")
			if !strings.Contains(r, "社区两委") || strings.Contains(r, "网格员负责") {
				t.Fatalf("no worker bound: %q, want the committee named", r)
			}
			a := h.persona("o-wang").appeals()[0]
			if role, ok := models.PlaceholderRole(a.Assignee); !ok || role != models.RoleCommittee || models.Owner(a.Status) != models.WhoAssignee {
				t.Fatalf("appeal waits for %q (%s)", a.Assignee, a.Status)
			}
			invite(t, h, h.persona("o-worker"), map[string]any{"role": "grid_worker", "grid": "g1", "name": "李网格"})
			h.advance(time.Hour)
			r = submitted(t, h.persona("o-li"), "3栋门口的垃圾桶满了没人清，臭得很", "")
			if !strings.Contains(r, "网格员负责") {
				t.Fatalf("worker bound: %q, want the grid worker named", r)
			}
		})
	}
}

// TestConsoleShowsWhoTookIt: a small matter waits for the committee (no
// grid worker); a committee member accepts and resolves it by chat; the
// console's list and the appeal page name that member as 承办人, and the
// timeline says they took it.
func TestConsoleShowsWhoTookIt(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newStaffHarness(t, d)
			register(h.persona("o-wang"), "3栋2单元501")
			ref := refIn(t, submitted(t, h.persona("o-wang"), "3栋楼道灯坏了好几天了，晚上黑黢黢的", ""))
			zhou := h.persona("o-zhou")
			invite(t, h, zhou, map[string]any{"role": "committee", "name": "周委员"})
			h.advance(time.Hour)
			expect(t, "accept", zhou.say("接单 "+ref), "已接单")
			expect(t, "resolve", zhou.say("办结 "+ref+" 灯泡已更换"), "已办结")
			b := simBrowser(t, h)
			_, _, list := b.do("GET", "/console/?status=resolved", nil)
			_, row, _ := strings.Cut(list, `data-ref="`+ref+`"`)
			row, _, _ = strings.Cut(row, "</tr>")
			if !strings.Contains(row, "周委员") || strings.Contains(row, "接单") {
				t.Fatalf("list row of %s: %s", ref, row)
			}
			_, _, page := b.do("GET", "/console/appeals/"+ref, nil)
			if !strings.Contains(page, "<dt>承办人</dt><dd>周委员</dd>") {
				_, dl, _ := strings.Cut(page, "<dt>承办人</dt>")
				t.Fatalf("appeal page: 承办人 %.80s", dl)
			}
		})
	}
}

// TestChatQuestionMarkAsksForHelp: a lone question mark is the Help word,
// not an emoticon: idle it gets the help menu, while an appeal is being
// written it gets the help of that step.
func TestChatQuestionMarkAsksForHelp(t *testing.T) {
	eachDriver(t, func(t *testing.T, h *harness) {
		p := h.persona("o-ask")
		for _, q := range []string{"？", "?", " ？？ "} {
			if r := p.say(q); !strings.Contains(r, "您可以") || strings.Contains(r, "表情") {
				t.Fatalf("%q: %q, want the help menu", q, r)
			}
		}
		p.say("3栋楼道灯坏了好几天了，晚上黑黢黢的")
		if r := p.say("？"); !strings.Contains(r, "正在填写诉求") {
			t.Fatalf("？ in an appeal: %q", r)
		}
		if r := p.say("[微笑]"); !strings.Contains(r, "表情") {
			t.Fatalf("an emoticon: %q", r)
		}
	})
}

// TestConsoleDraftCampaignPage: a draft's page promises nothing before the
// question is sent (no "问题都能送达", no unreachable list) and offers no
// project before there are answers; after the broadcast the unreachable
// list shows, and after an answer the project button does.
func TestConsoleDraftCampaignPage(t *testing.T) {
	eachDriver(t, func(t *testing.T, h *harness) {
		wang := h.persona("o-wang")
		register(wang, "3栋2单元501")
		b := simBrowser(t, h)
		ends := h.clock().In(h.app.Config.Location).Add(48 * time.Hour).Format("2006-01-02T15:04")
		code, hdr, page := b.post("/console/campaigns", url.Values{"question": {"小区里最需要解决的问题是什么？"},
			"audience": {"all"}, "ends_at": {ends}})
		if code != http.StatusSeeOther {
			t.Fatalf("create: %d %q", code, formError(page))
		}
		path := hdr.Get("Location")
		_, _, page = b.do("GET", path, nil)
		for _, bad := range []string{"问题都能送达", "campaign-unreachable", "project-from-campaign"} {
			if strings.Contains(page, bad) {
				t.Fatalf("draft page shows %q", bad)
			}
		}
		if code, _, _ = b.post(path+"/broadcast", url.Values{}); code != http.StatusSeeOther {
			t.Fatalf("broadcast: %d", code)
		}
		_, _, page = b.do("GET", path, nil)
		if !strings.Contains(page, `data-testid="campaign-unreachable"`) || strings.Contains(page, "project-from-campaign") {
			t.Fatal("after the broadcast: want the unreachable list and no project button yet")
		}
		h.advance(time.Hour)
		confirmAnswer(t, wang, "3栋楼道灯坏了好几天了，晚上黑黢黢的")
		_, _, page = b.do("GET", path, nil)
		if !strings.Contains(page, "project-from-campaign") {
			t.Fatal("after an answer: no project button")
		}
	})
}

// TestConsoleLearnedSaysWhy: the committee corrects an appeal whose words
// the catalog knows; nothing is learned, and the learned-words page says
// what is learned, when, and why a correction may teach nothing.
func TestConsoleLearnedSaysWhy(t *testing.T) {
	eachDriver(t, func(t *testing.T, h *harness) {
		wang := h.persona("o-wang")
		register(wang, "3栋2单元501")
		ref := refIn(t, submitted(t, wang, "3栋楼道灯坏了", ""))
		b := simBrowser(t, h)
		code, _, page := b.do("POST", "/console/appeals/"+ref+"/revise",
			url.Values{"csrf": {b.csrf}, "op": {"reclassify"}, "kind": {"major"}, "reason": {"线路老化要供电部门改造"}})
		if code != http.StatusSeeOther {
			t.Fatalf("reclassify: %d %q", code, formError(page))
		}
		_, _, page = b.do("GET", "/console/learned", nil)
		if strings.Contains(page, `data-testid="learned-row"`) {
			t.Fatal("a phrase the catalog knows was learned")
		}
		expect(t, "learned page", page, `data-testid="learned-how"`, "词库里还没有的本地说法", "纠正一次就学到", "至少 2 位居民",
			"就没有新词可学", "不会在这里留下新词")
	})
}

// TestSimShowsTheAccountMenu: the simulator shows the account's menu as it
// is set on WeChat (the welcome message's 更多 with 议事会议 and 帮助), and
// its own tools apart from it.
func TestSimShowsTheAccountMenu(t *testing.T) {
	h := newHarness(t, "sqlite")
	resp, err := http.Get(h.srv.URL + "/sim/menu")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Menu []struct {
			Name, Key string
			Sub       []struct{ Name, Key string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/sim/menu: %d %v", resp.StatusCode, err)
	}
	var names []string
	for _, b := range got.Menu {
		names = append(names, b.Name)
		for _, s := range b.Sub {
			names = append(names, b.Name+"/"+s.Name+"="+s.Key)
		}
	}
	if want := "我要反映 我的诉求 更多 更多/议事会议=MEETINGS 更多/帮助=HELP"; strings.Join(names, " ") != want {
		t.Fatalf("menu %q, want %q", strings.Join(names, " "), want)
	}
	_, _, page := h.browser().do("GET", "/sim/", nil)
	if !strings.Contains(page, `id="tools"`) || !strings.Contains(page, "/sim/menu") {
		t.Fatal("the simulator page does not build the account's menu")
	}
}
