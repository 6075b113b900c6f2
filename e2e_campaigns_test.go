package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/jobs"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// campaignRun is what runCampaign leaves behind for the checks that follow.
type campaignRun struct {
	h                        *harness
	id                       int
	lampRef, roadRef, hotRef string
	committeeID              string
}

func register(p *persona, addr string) {
	p.say("修改地址")
	p.say(addr)
	p.say("1")
}

// runCampaign runs a campaign by chat and API: residents registered (one of
// them silent for three days: outside the customer-service window), a
// committee member and a grid worker bound, the bad campaigns refused, the
// campaign created and broadcast, and four answers (a small appeal, a "me
// too", a major and a private one) given through the real webhook, besides
// an appeal from outside the audience and one after the period.
func runCampaign(t *testing.T, h *harness) *campaignRun {
	p := h.app.Platform
	wang, zhao, qian, sun, out := h.persona("o-wang"), h.persona("o-zhao"), h.persona("o-qian"), h.persona("o-sun"), h.persona("o-out")
	register(sun, "5栋1单元101")
	h.advance(50 * time.Hour) // sun's window closes: the question reaches sun by template
	register(wang, "3栋2单元501")
	register(zhao, "3栋1单元201")
	register(qian, "5栋2单元302")
	register(out, "9栋1单元101")
	code := func(body map[string]any) string {
		c, _ := h.api("POST", "/api/staff/invites", body, http.StatusCreated)["code"].(string)
		return c
	}
	expect(t, "bind committee", h.persona("o-committee").say("绑定 "+code(map[string]any{"role": "committee", "name": "周委员"})), "绑定成功")
	expect(t, "bind worker", h.persona("o-worker").say("绑定 "+code(map[string]any{"role": "grid_worker", "grid": "g1", "name": "李网格"})), "绑定成功")
	staff := h.api("GET", "/api/staff", nil, http.StatusOK)["staff"].([]any)
	r := &campaignRun{h: h}
	for _, s := range staff {
		if m := s.(map[string]any); m["role"] == "committee" {
			r.committeeID = fmt.Sprint(m["id"])
		}
	}
	if r.committeeID == "" {
		t.Fatalf("no committee member in %v", staff)
	}

	now := h.clock()
	week := now.Add(7 * 24 * time.Hour).Format(time.RFC3339)
	t.Run("bad campaigns are refused and nothing is stored", func(t *testing.T) {
		for _, c := range []struct {
			name string
			body map[string]any
			want string
		}{
			{"ends in the past", map[string]any{"question": "q", "audience": map[string]any{"all": true}, "ends_at": now.Add(-time.Hour).Format(time.RFC3339)}, "past"},
			{"ends after a year", map[string]any{"question": "q", "audience": map[string]any{"all": true}, "ends_at": now.AddDate(1, 1, 0).Format(time.RFC3339)}, "year"},
			{"no zone", map[string]any{"question": "q", "audience": map[string]any{"all": true}, "ends_at": "2026-12-01 18:00"}, "RFC 3339"},
			{"no audience", map[string]any{"question": "q", "audience": map[string]any{}, "ends_at": week}, "audience"},
			{"unknown grid", map[string]any{"question": "q", "audience": map[string]any{"grids": []string{"g9"}}, "ends_at": week}, "g9"},
			{"nobody there", map[string]any{"question": "q", "audience": map[string]any{"buildings": []string{"12"}}, "ends_at": week}, "nobody"},
			{"no question", map[string]any{"question": " ", "audience": map[string]any{"all": true}, "ends_at": week}, "question"},
		} {
			t.Run(c.name, func(t *testing.T) {
				st, body := h.call("POST", "/api/campaigns", c.body)
				if msg := fmt.Sprint(body["error"]); st != http.StatusBadRequest || !strings.Contains(msg, c.want) {
					t.Fatalf("%d %v, want 400 mentioning %q", st, body, c.want)
				}
			})
		}
		if list := h.api("GET", "/api/campaigns", nil, http.StatusOK)["campaigns"].([]any); len(list) != 0 {
			t.Fatalf("a refused campaign was stored: %v", list)
		}
	})

	body := h.api("POST", "/api/campaigns", map[string]any{"question": "您觉得小区里最需要解决的问题是什么？",
		"audience": map[string]any{"buildings": []string{"3栋", "5"}}, "ends_at": week}, http.StatusCreated)
	if body["code"] != "WX101" || body["campaign"].(map[string]any)["status"] != "draft" {
		t.Fatalf("create campaign: %v", body)
	}
	r.id = int(body["id"].(float64))
	path := fmt.Sprintf("/api/campaigns/%d", r.id)
	body = h.api("POST", path+"/broadcast", nil, http.StatusOK)
	if sent := body["sent"].(map[string]any); sent["queued"].(float64) != 4 || body["recipients"].(float64) != 4 {
		t.Fatalf("broadcast: %v", body)
	}
	for _, who := range []string{"o-wang", "o-zhao", "o-qian"} {
		got := waitPush(t, p, who, "问需于民 WX101", 1)
		if got[0].Kind != "custom" {
			t.Fatalf("%s got the question by %s, want a customer-service message (wrote within 48 hours)", who, got[0].Kind)
		}
	}
	if got := waitPush(t, p, "o-sun", "WX101", 1); got[0].Kind != "template" {
		t.Fatalf("sun got the question by %s, want a template (silent for 50 hours)", got[0].Kind)
	}
	if len(pushesTo(p, "o-out", "WX101")) != 0 {
		t.Fatal("a resident of building 9 was asked")
	}
	if again := h.api("POST", path+"/broadcast", nil, http.StatusOK); again["sent"].(map[string]any)["queued"].(float64) != 0 {
		t.Fatalf("a second broadcast asked again: %v", again)
	}

	// The answers, through the ordinary conversation: each is triaged and on the list.
	h.advance(time.Hour)
	r.lampRef = refIn(t, confirmAnswer(t, wang, "3栋楼道灯坏了好几天了，晚上黑黢黢的"))
	expect(t, "me too offered", zhao.say("3栋楼道的灯坏了，晚上上楼看不见"), r.lampRef, "附议")
	expect(t, "me too", zhao.say("1"), r.lampRef, "感谢您参与社区问需（WX101）")
	r.roadRef = refIn(t, confirmAnswer(t, qian, "小区门口的马路坏了好多坑，下雨全是水"))
	r.hotRef = refIn(t, confirmAnswer(t, sun, "我家热水器坏了，想找个师傅上门修"))
	if reply := submitted(t, out, "9栋门口的垃圾桶满了没人清运", ""); strings.Contains(reply, "问需") {
		t.Fatalf("an appeal from outside the audience counted: %q", reply)
	}
	// A call for help from someone asked is filed, not thanked as an answer (found by a first user).
	if reply := wang.say("3栋电梯关人了，里面有个老人"); !strings.Contains(reply, "已直接为您提交") || strings.Contains(reply, "问需") {
		t.Fatalf("an urgent appeal in the campaign's window: %q", reply)
	}
	return r
}

// submitted raises an appeal as raise does and returns the reply that
// registered it.
func submitted(t *testing.T, p *persona, text, address string) string {
	t.Helper()
	r := p.say(text)
	for range 6 {
		switch {
		case strings.Contains(r, "已提交") || strings.Contains(r, "已记录"):
			return r
		case strings.Contains(r, "1 确认提交"):
			r = p.say("1")
		case strings.Contains(r, "附议"):
			r = p.say("2")
		case strings.Contains(r, "住址"):
			r = p.say(address)
		default:
			t.Fatalf("unexpected reply %q", r)
		}
	}
	t.Fatalf("appeal not submitted; last reply %q", r)
	return ""
}

// confirmAnswer raises an appeal and checks that it counted as an answer.
func confirmAnswer(t *testing.T, p *persona, text string) string {
	t.Helper()
	r := submitted(t, p, text, "")
	expect(t, "answer registered", r, "感谢您参与社区问需（WX101）")
	return r
}

// TestCampaignEndToEnd is a campaign (问需于民) run by chat and API on
// SQLite and MariaDB: the question goes out within WeChat's rules, the
// answers are triaged like appeals and on the list, the report is the
// seed's table (API and `gongzhi report --campaign`), and the month's most
// frequent topic is proposed to the committee.
func TestCampaignEndToEnd(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) { campaignEndToEnd(t, newStaffHarness(t, d)) })
	}
}

func campaignEndToEnd(t *testing.T, h *harness) {
	r := runCampaign(t, h)
	p := h.app.Platform

	// On the list with kind, level and deadline, like any appeal.
	for _, c := range []struct{ ref, kind, level string }{{r.lampRef, "small", "community"}, {r.roadRef, "major", ""}, {r.hotRef, "private", "self"}} {
		a := h.api("GET", "/api/appeals/"+c.ref, nil, http.StatusOK)["appeal"].(map[string]any)
		if a["kind"] != c.kind || (c.level != "" && a["level"] != c.level) || (c.kind != "private" && a["due_at"] == nil) {
			t.Fatalf("appeal %s: %v, want %s/%s with a deadline", c.ref, a, c.kind, c.level)
		}
	}
	road := h.api("GET", "/api/appeals/"+r.roadRef, nil, http.StatusOK)["appeal"].(map[string]any)["level"].(string)

	// The grid worker settles the lamp at the community level.
	expect(t, "resolve", h.persona("o-worker").say("办结 "+r.lampRef+" 灯泡已更换"), "已办结")

	// After the period, an appeal is no answer.
	h.advance(8 * 24 * time.Hour)
	if reply := submitted(t, h.persona("o-wang"), "3栋单元门的门禁坏了，关不上", ""); strings.Contains(reply, "问需") {
		t.Fatalf("an appeal after the period counted: %q", reply)
	}

	rep := h.api("GET", fmt.Sprintf("/api/campaigns/%d/report", r.id), nil, http.StatusOK)
	num := func(m any, k string) int { return int(m.(map[string]any)[k].(float64)) }
	if rep["total"].(float64) != 4 || rep["answerers"].(float64) != 4 || rep["appeals"].(float64) != 3 {
		t.Fatalf("report totals: %v", rep)
	}
	lv, kd := rep["by_level"], rep["by_kind"]
	if num(lv, "community") != 2 || num(lv, road) != 1 || num(lv, "self") != 1 ||
		num(kd, "small") != 2 || num(kd, "major") != 1 || num(kd, "private") != 1 {
		t.Fatalf("report split: by_level %v by_kind %v", lv, kd)
	}
	if rep["answered_immediately"].(float64) != 2 || rep["guided"].(float64) != 1 {
		t.Fatalf("report: answered_immediately %v guided %v", rep["answered_immediately"], rep["guided"])
	}
	top := rep["top_topics"].([]any)
	if len(top) < 2 || num(top[0], "count") != 2 {
		t.Fatalf("top topics: %v", top)
	}
	if rc := rep["recipients"].(map[string]any); rc["total"].(float64) != 4 || rc["reached"].(float64) != 4 {
		t.Fatalf("recipients: %v", rc)
	}
	if rep["campaign"].(map[string]any)["status"] != "ended" {
		t.Fatalf("campaign status after the period: %v", rep["campaign"])
	}
	if st, body := h.call("POST", fmt.Sprintf("/api/campaigns/%d/broadcast", r.id), nil); st != http.StatusConflict {
		t.Fatalf("broadcast after the end: %d %v", st, body)
	}

	t.Run("gongzhi report --campaign", func(t *testing.T) {
		env := []string{"GONGZHI_DB_DRIVER=" + h.app.Config.DB.Driver, "GONGZHI_DB_DSN=" + h.app.Config.DB.DSN}
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"report", "--campaign", "wx101"}, nil, &out, &errb, env); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		topic := top[0].(map[string]any)["topic"].(string)
		expect(t, "report", out.String(), "问需 WX101", "征询4人", "收到意见4条（4位居民）", "社区即办：2", "个人事项（引导自办）：1",
			"即时办结（社区层级已办结）：2", "1. "+topic+"：2")
		out.Reset()
		if code := run(context.Background(), []string{"report", "--campaign", fmt.Sprint(r.id)}, nil, &out, &errb, env); code != 0 ||
			!strings.Contains(out.String(), "问需 WX101") {
			t.Fatalf("report by id: exit %d: %s %s", code, out.String(), errb.String())
		}
		out.Reset()
		if code := run(context.Background(), []string{"report", "--campaign", "WX999"}, nil, &out, &errb, env); code == 0 {
			t.Fatalf("an unknown campaign printed %q", out.String())
		}
	})

	t.Run("monthly topic", func(t *testing.T) {
		job := h.app.Jobs.Jobs[config.JobMonthlyTopic].(*jobs.MonthlyTopic)
		job.Now = h.clock // 6 December: November's topics
		for range 2 {
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		topics := h.api("GET", "/api/topics/monthly", nil, http.StatusOK)["topics"].([]any)
		if len(topics) != 1 {
			t.Fatalf("monthly topics: %v", topics)
		}
		mt := topics[0].(map[string]any)
		refs := fmt.Sprint(mt["appeal_refs"])
		if mt["month"] != "2026-11" || mt["topic"] != top[0].(map[string]any)["topic"] || mt["mentions"].(float64) != 2 ||
			!strings.Contains(refs, r.lampRef) || strings.Contains(refs, r.hotRef) {
			t.Fatalf("monthly topic: %v", mt)
		}
		// The committee member has been silent for days: a template, once.
		waitFor(t, 15*time.Second, "the monthly topic's template to the committee", func() bool {
			for _, x := range p.Pushes() {
				if x.ToUser == "o-committee" && x.ClientMsgID == "monthly:sample:2026-11:o-committee" && x.Data["thing1"] == mt["topic"] {
					return true
				}
			}
			return false
		})
		id := int(mt["id"].(float64))
		at := h.clock().Add(72 * time.Hour).Format(time.RFC3339)
		m := h.api("POST", fmt.Sprintf("/api/topics/monthly/%d/meeting", id), map[string]any{"starts_at": at, "venue": "社区议事厅"}, http.StatusCreated)
		if !strings.Contains(fmt.Sprint(m["appeal_refs"]), r.lampRef) {
			t.Fatalf("meeting on the monthly topic: %v", m)
		}
		if st, _ := h.call("POST", fmt.Sprintf("/api/topics/monthly/%d/meeting", id), map[string]any{"starts_at": at, "venue": "社区议事厅"}); st != http.StatusConflict {
			t.Fatalf("a second meeting on one topic: %d", st)
		}
	})
}

// TestProjectEndToEnd is a community service project grown from a campaign
// on SQLite and MariaDB: bad projects and pledges refused, pledges by
// source in whole yuan, volunteers signing up and withdrawing by chat,
// a milestone reaching the linked appeals' residents and the volunteers,
// and completion resolving the linked appeals through the lifecycle (the
// residents told and asked to rate).
func TestProjectEndToEnd(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) { projectEndToEnd(t, newStaffHarness(t, d)) })
	}
}

func projectEndToEnd(t *testing.T, h *harness) {
	r := runCampaign(t, h)
	p := h.app.Platform
	wang, zhao, sun, li := h.persona("o-wang"), h.persona("o-zhao"), h.persona("o-sun"), h.persona("o-li")
	_, org := h.call("POST", "/api/stakeholders", map[string]any{"kind": "social_org", "name": "邻里互助社", "phone": "13900000000"})
	refs := []string{r.lampRef, r.roadRef}

	t.Run("bad projects are refused and nothing is stored", func(t *testing.T) {
		for _, c := range []struct {
			name string
			body map[string]any
			want string
		}{
			{"unknown need", map[string]any{"name": "n", "need": "sports", "campaign_id": r.id}, "need"},
			{"no name", map[string]any{"name": "", "need": "safety"}, "name"},
			{"unknown campaign", map[string]any{"name": "n", "need": "safety", "campaign_id": 99}, "campaign"},
			{"unknown appeal", map[string]any{"name": "n", "need": "safety", "appeal_refs": []string{"SQ2611269999"}}, "SQ2611269999"},
			{"unknown stakeholder", map[string]any{"name": "n", "need": "safety", "lead_stakeholder": 99}, "lead_stakeholder"},
		} {
			t.Run(c.name, func(t *testing.T) {
				st, body := h.call("POST", "/api/projects", c.body)
				if msg := fmt.Sprint(body["error"]); st != http.StatusBadRequest || !strings.Contains(msg, c.want) {
					t.Fatalf("%d %v, want 400 mentioning %q", st, body, c.want)
				}
			})
		}
		if list := h.api("GET", "/api/projects", nil, http.StatusOK)["projects"].([]any); len(list) != 0 {
			t.Fatalf("a refused project was stored: %v", list)
		}
	})
	// Before any project, a sign-up hears that none recruits (the help
	// once gave an example code that named none).
	expect(t, "no project yet", li.say("报名 XM101"), "没有找到编号为 XM101", "目前没有正在招募志愿者的项目")
	expect(t, "nothing to sign up for", li.say("报名"), "没有邀请您参加的议事会议，也没有正在招募志愿者的社区项目")

	body := h.api("POST", "/api/projects", map[string]any{"name": "老旧小区安防与照明改造", "need": "safety",
		"lead_stakeholder": org["id"], "campaign_id": r.id, "appeal_refs": refs}, http.StatusCreated)
	if body["code"] != "XM101" {
		t.Fatalf("create project: %v", body)
	}
	path := fmt.Sprintf("/api/projects/%d", int(body["id"].(float64)))
	project := func() map[string]any { return h.api("GET", path, nil, http.StatusOK)["project"].(map[string]any) }

	t.Run("pledges", func(t *testing.T) {
		h.api("POST", path+"/pledges", map[string]any{"source": "residents", "amount_yuan": 250000, "donor": "7个小区居民"}, http.StatusCreated)
		h.api("POST", path+"/pledges", map[string]any{"source": "social_units", "amount_yuan": 750000}, http.StatusCreated)
		for _, bad := range []map[string]any{
			{"source": "residents", "amount_yuan": -5},
			{"source": "residents", "amount_yuan": 0},
			{"source": "residents", "amount_yuan": 12.5},
			{"source": "lottery", "amount_yuan": 100},
		} {
			if st, body := h.call("POST", path+"/pledges", bad); st != http.StatusBadRequest {
				t.Fatalf("pledge %v: %d %v, want 400", bad, st, body)
			}
		}
		pr := project()
		f := pr["funding_yuan"].(map[string]any)
		if f["residents"].(float64) != 250000 || f["social_units"].(float64) != 750000 || f["government"].(float64) != 0 ||
			pr["funding_total_yuan"].(float64) != 1000000 || len(pr["pledges"].([]any)) != 2 {
			t.Fatalf("funding: %v", pr)
		}
	})

	t.Run("volunteers by chat", func(t *testing.T) {
		expect(t, "li signs up", li.say("报名 XM101"), "已为您报名社区项目 XM101", "共1人")
		expect(t, "zhao signs up", zhao.say("报名 xm101"), "共2人")
		expect(t, "li again", li.say("报名XM101"), "已报名")
		expect(t, "unknown project", li.say("报名 XM999"), "没有找到编号为 XM999", "正在招募志愿者的项目：XM101 老旧小区安防与照明改造")
		expect(t, "unknown code", li.say("报名 AB12"), "没有找到编号为 AB12")
		expect(t, "zhao withdraws", zhao.say("取消报名 XM101"), "已取消")
		expect(t, "sun not signed", sun.say("取消报名 XM101"), "没有报名")
		// A bare 报名 from someone invited to no meeting names the projects that recruit.
		expect(t, "a bare 报名 lists the projects", sun.say("报名"), "正在招募志愿者的项目：XM101 老旧小区安防与照明改造", "回复“报名 编号”")
		if reply := sun.say("参加"); !strings.Contains(reply, "目前没有邀请您") || strings.Contains(reply, "XM101") {
			t.Fatalf("a bare 参加 with no invitation: %q, want the meeting answer", reply)
		}
		if reply := h.persona("o-talk").say("报名参加社区活动的场地太小了"); strings.Contains(reply, "社区项目") {
			t.Fatalf("words after 报名 were taken for a project code: %q", reply)
		}
		pr := project()
		if pr["volunteers"].(float64) != 1 {
			t.Fatalf("volunteers: %v", pr["volunteers"])
		}
		raw, _ := json.Marshal(h.api("GET", path, nil, http.StatusOK))
		if bytes.Contains(raw, []byte("o-li")) || bytes.Contains(raw, []byte("o-zhao")) {
			t.Fatalf("the project shows openids: %s", raw)
		}
	})

	t.Run("a milestone reaches those concerned", func(t *testing.T) {
		if st, _ := h.call("POST", path+"/milestones", map[string]any{"title": "灯具采购完成", "progress": 120, "note": "x"}); st != http.StatusBadRequest {
			t.Fatalf("progress 120: %d, want 400", st)
		}
		body := h.api("POST", path+"/milestones", map[string]any{"title": "灯具采购完成", "progress": 40, "note": "已采购声控灯60盏"}, http.StatusCreated)
		if sent := body["sent"].(map[string]any); sent["queued"].(float64) != 4 {
			t.Fatalf("milestone sent: %v", body)
		}
		// wang and qian raised linked appeals, zhao said "me too", li volunteers.
		for _, who := range []string{"o-wang", "o-zhao", "o-qian", "o-li"} {
			got := waitPush(t, p, who, "已采购声控灯60盏", 1)
			expect(t, "milestone to "+who, got[0].Text, "XM101", "灯具采购完成", "进度40%")
		}
		if len(pushesTo(p, "o-sun", "声控灯")) != 0 {
			t.Fatal("the milestone reached a resident not concerned")
		}
	})

	t.Run("completion closes the linked appeals", func(t *testing.T) {
		if st, body := h.call("POST", path+"/complete", map[string]any{"outcome": "声控灯和监控已全部安装"}); st != http.StatusBadRequest {
			t.Fatalf("complete without by: %d %v", st, body)
		}
		body := h.api("POST", path+"/complete", map[string]any{"outcome": "声控灯和监控已全部安装", "by": r.committeeID}, http.StatusOK)
		if pr := body["project"].(map[string]any); pr["status"] != "completed" {
			t.Fatalf("complete: %v", body)
		}
		for _, ref := range refs {
			got := h.api("GET", "/api/appeals/"+ref, nil, http.StatusOK)
			if a := got["appeal"].(map[string]any); a["status"] != "resolved" {
				t.Fatalf("linked appeal %s: %v", ref, a)
			}
			events := fmt.Sprint(got["events"])
			if !strings.Contains(events, "project_outcome") || !strings.Contains(events, "staff:"+r.committeeID) {
				t.Fatalf("events of %s: %s", ref, events)
			}
		}
		waitPush(t, p, "o-wang", "声控灯和监控已全部安装", 1)
		expect(t, "wang rates", wang.say("满意"), "感谢评价", r.lampRef)
		waitPush(t, p, "o-li", "社区项目完成", 1)
		expect(t, "sign up after completion", h.persona("o-new").say("报名 XM101"), "已完成")
		if st, _ := h.call("POST", path+"/pledges", map[string]any{"source": "government", "amount_yuan": 1}); st != http.StatusConflict {
			t.Fatalf("a pledge to a completed project: %d, want 409", st)
		}
	})

	t.Run("projects by need", func(t *testing.T) {
		if l := h.api("GET", "/api/projects?need=safety", nil, http.StatusOK)["projects"].([]any); len(l) != 1 {
			t.Fatalf("safety projects: %v", l)
		}
		if l := h.api("GET", "/api/projects?need=health", nil, http.StatusOK)["projects"].([]any); len(l) != 0 {
			t.Fatalf("health projects: %v", l)
		}
		if st, _ := h.call("GET", "/api/projects?need=sports", nil); st != http.StatusBadRequest {
			t.Fatalf("unknown need: %d", st)
		}
	})
}
