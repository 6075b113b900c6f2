package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/jobs"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// post sends a console form with the session's CSRF token.
func (b *browser) post(path string, form url.Values) (int, http.Header, string) {
	b.t.Helper()
	form.Set("csrf", b.csrf)
	return b.do("POST", path, form)
}

// formError is the refusal shown next to a form ("" when none).
func formError(page string) string {
	_, rest, ok := strings.Cut(page, `data-testid="form-error">`)
	if !ok {
		return ""
	}
	msg, _, _ := strings.Cut(rest, "<")
	return msg
}

// consoleRun is a campaign run from the console, and the appeals its answers are.
type consoleRun struct {
	id                      uint64
	page                    string // the campaign's path
	lampRef, roadRef, coRef string
}

// consoleCampaign registers residents (two of them silent for two days,
// outside the customer-service window), creates a campaign in the console
// for buildings 3 and 5 ending tonight, broadcasts it with a template quota
// of one (so one silent resident cannot be reached before the end), and
// has three residents answer by chat: a small matter, a "me too" on it, a
// major one.
func consoleCampaign(t *testing.T, h *harness) (*consoleRun, *browser) {
	t.Helper()
	register(h.persona("o-sun"), "5栋1单元101")
	register(h.persona("o-li"), "5栋1单元102")
	h.advance(50 * time.Hour)
	wang, zhao, qian := h.persona("o-wang"), h.persona("o-zhao"), h.persona("o-qian")
	register(wang, "3栋2单元501")
	register(zhao, "3栋1单元201")
	register(qian, "5栋2单元302")
	b := simBrowser(t, h) // a session opened after the two days
	b.do("GET", "/console/campaigns", nil)
	ends := h.clock().In(h.app.Config.Location).Add(8 * time.Hour).Format("2006-01-02T15:04")
	code, hdr, page := b.post("/console/campaigns", url.Values{"question": {"您觉得小区里最需要解决的问题是什么？"},
		"audience": {"buildings"}, "buildings": {"3栋，5"}, "ends_at": {ends}})
	if code != http.StatusSeeOther {
		t.Fatalf("create campaign: %d %s", code, formError(page))
	}
	r := &consoleRun{page: hdr.Get("Location")}
	if _, err := fmt.Sscanf(r.page, "/console/campaigns/%d", &r.id); err != nil {
		t.Fatalf("created campaign at %q", r.page)
	}
	_, _, page = b.do("GET", r.page, nil)
	expect(t, "draft", page, "WX101", "草稿（未发出）", "楼栋 3、5", "发送问题（5 位居民）", `data-confirm="将向 5 位居民发送这个问题，确定发送吗？"`)
	code, hdr, _ = b.post(r.page+"/broadcast", url.Values{})
	if code != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "sent=1&queued=4&deferred=0&unreached=1") {
		t.Fatalf("broadcast: %d %q, want 4 sent now (one by template: quota 1) and 1 unreachable", code, hdr.Get("Location"))
	}
	h.advance(time.Hour)
	r.lampRef = refIn(t, confirmAnswer(t, wang, "3栋楼道灯坏了好几天了，晚上黑黢黢的"))
	expect(t, "me too offered", zhao.say("3栋楼道的灯坏了，晚上上楼看不见"), r.lampRef, "附议")
	expect(t, "me too", zhao.say("1"), r.lampRef, "WX101")
	r.roadRef = refIn(t, confirmAnswer(t, qian, "小区门口的马路坏了好多坑，下雨全是水"))
	return r, b
}

// TestConsoleCampaigns: the committee asks the residents from the console
// on SQLite and MariaDB: the form refuses bad campaigns in Chinese and
// keeps what was typed, nothing stored; a form without the CSRF token
// changes nothing; the broadcast says whom it will reach; the report shows
// the split with its chart, the answers' appeals and whom to phone by
// address (never an openid, in the console or the API); another community's
// campaign is not found; a district coordinator sees but does not run.
func TestConsoleCampaigns(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newHarness(t, d, "GONGZHI_ADMIN_TOKEN="+e2eAdminToken, "GONGZHI_PUSH_DAILY_TEMPLATE_QUOTA=1")
			consoleCampaigns(t, h)
		})
	}
}

func consoleCampaigns(t *testing.T, h *harness) {
	ctx := context.Background()
	b := simBrowser(t, h)
	_, _, page := b.do("GET", "/console/campaigns", nil)
	expect(t, "empty list", page, `href="/console/campaigns" class="on">问需`, "还没有发起过问需", `data-testid="new-campaign"`)
	_, _, page = b.do("GET", "/console/campaigns/new", nil)
	expect(t, "form", page, `data-testid="campaign-form"`, `name="grids" value="g1"`, "网格一", `value="all" checked`)

	week := h.clock().In(h.app.Config.Location).Add(7 * 24 * time.Hour).Format("2006-01-02T15:04")
	for _, c := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"no question", url.Values{"question": {"  "}, "audience": {"all"}, "ends_at": {week}},
			[]string{"请填写要征询的问题", `value="` + week + `"`}},
		{"ends in the past", url.Values{"question": {"最需要解决什么？"}, "audience": {"all"}, "ends_at": {"2020-01-02T10:00"}},
			[]string{"截止时间必须晚于现在", `value="2020-01-02T10:00"`, ">最需要解决什么？</textarea>"}},
		{"more than a year", url.Values{"question": {"最需要解决什么？"}, "audience": {"all"}, "ends_at": {"2028-06-01T10:00"}},
			[]string{"截止时间不能超过一年"}},
		{"no end", url.Values{"question": {"最需要解决什么？"}, "audience": {"all"}, "ends_at": {""}}, []string{"请填写截止时间"}},
		{"no buildings", url.Values{"question": {"最需要解决什么？"}, "audience": {"buildings"}, "buildings": {""}, "ends_at": {week}},
			[]string{"请选择征询对象", `value="buildings" checked`}},
		{"nobody there", url.Values{"question": {"最需要解决什么？"}, "audience": {"buildings"}, "buildings": {"12"}, "ends_at": {week}},
			[]string{"还没有居民登记住址", `name="buildings" value="12"`}},
		{"nobody in the grid", url.Values{"question": {"最需要解决什么？"}, "audience": {"grids"}, "grids": {"g3"}, "ends_at": {week}},
			[]string{"还没有居民登记住址", `value="g3" checked`}},
		{"no audience", url.Values{"question": {"最需要解决什么？"}, "ends_at": {week}}, []string{"请选择征询对象"}},
		{"too many buildings", url.Values{"question": {"最需要解决什么？"}, "audience": {"buildings"},
			"buildings": {manyBuildings(200)}, "ends_at": {week}}, []string{"楼栋或网格太多"}},
	} {
		code, _, page := b.post("/console/campaigns", c.form)
		if code != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400 with the form", c.name, code)
		}
		expect(t, c.name, page, append(c.want, `data-testid="campaign-form"`)...)
		if msg := formError(page); strings.ContainsAny(msg, "abcdefghijklmnopqrstuvwxyz") {
			t.Fatalf("%s: the refusal shows English: %q", c.name, msg)
		}
	}
	form := url.Values{"question": {"最需要解决什么？"}, "audience": {"all"}, "ends_at": {week}}
	if code, _, _ := b.do("POST", "/console/campaigns", form); code != http.StatusForbidden {
		t.Fatalf("create without the CSRF token: %d, want 403", code)
	}
	// A body far beyond any form is refused before it is read.
	big := url.Values{"question": {"最需要解决什么？"}, "audience": {"buildings"}, "buildings": {strings.Repeat("1,", 200<<10)}, "ends_at": {week}}
	if code, _, page := b.post("/console/campaigns", big); code != http.StatusRequestEntityTooLarge || !strings.Contains(page, "提交的内容太多") {
		t.Fatalf("a 400 KB form: %d, want 413 in Chinese", code)
	}
	if list, _ := h.app.Campaigns.List(ctx, "sample"); len(list) != 0 {
		t.Fatalf("refused forms stored %d campaigns", len(list))
	}

	r, b := consoleCampaign(t, h)
	if code, _, _ := b.do("POST", r.page+"/broadcast", url.Values{}); code != http.StatusForbidden {
		t.Fatalf("broadcast without the CSRF token: %d, want 403", code)
	}
	_, _, page = b.do("GET", r.page, nil)
	expect(t, "report", page, "征询中", "已征询</dt><dd>5 人", `data-testid="chart-campaign-levels"><svg`, `data-testid="chart-campaign-topics"><svg`,
		"社区即办", "街镇部门限时办", "区级统筹办", "自行办理", `data-ref="`+r.lampRef+`"`, `href="/console/appeals/`+r.lampRef+`"`,
		`href="/console/appeals/`+r.roadRef+`"`, "（含附议 1）", "居民 5栋1单元102", "截止前无法发出", "按楼栋",
		`data-testid="project-from-campaign"`)
	expect(t, "report totals: 3 answers, 3 residents, 2 appeals", page, `data-testid="fig-total">3<`, `data-testid="fig-answerers">3<`,
		`data-testid="fig-appeals">2<`)
	for _, o := range []string{"o-wang", "o-zhao", "o-qian", "o-li", "o-sun"} {
		if strings.Contains(page, o) {
			t.Fatalf("the campaign page shows the openid %s", o)
		}
	}
	_, _, page = b.do("GET", "/console/campaigns", nil)
	if !regexp.MustCompile(`data-code="WX101"[\s\S]*?征询中</span></td><td>3</td>`).MatchString(page) {
		t.Fatalf("the list lacks WX101 open with 3 answers: %s", page)
	}
	// The admin API names the unreachable by address too, never by openid.
	body := h.api("GET", fmt.Sprintf("/api/campaigns/%d", r.id), nil, http.StatusOK)
	un := body["unreachable"].([]any)
	if len(un) != 1 || un[0].(map[string]any)["building"] != "5" || un[0].(map[string]any)["room"] != "102" ||
		un[0].(map[string]any)["why"] != "quota" || strings.Contains(fmt.Sprint(body), "o-li") {
		t.Fatalf("API unreachable %v", un)
	}

	// Another community's campaign: not found, not sent, not listed.
	if err := h.app.Store.EnsureCommunity(ctx, &models.Community{ID: "other", Name: "别的社区"}); err != nil {
		t.Fatal(err)
	}
	if err := h.app.Store.CommitTurn(ctx, &models.Turn{CommunityID: "other", OpenID: "o-x", At: h.clock(),
		Resident: &models.Resident{Building: "1"}}); err != nil {
		t.Fatal(err)
	}
	foreign, err := h.app.Campaigns.Create(ctx, ops.CampaignRequest{CommunityID: "other", Question: "别处的问题",
		Audience: ops.Audience{All: true}, EndsAt: h.clock().Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	fp := fmt.Sprintf("/console/campaigns/%d", foreign.ID)
	if code, _, _ := b.do("GET", fp+"?community=other", nil); code != http.StatusNotFound {
		t.Fatalf("another community's campaign: %d, want 404", code)
	}
	if code, _, _ := b.post(fp+"/broadcast", url.Values{"community": {"other"}}); code != http.StatusNotFound {
		t.Fatalf("broadcast of another community's campaign: %d, want 404", code)
	}
	if got, _ := h.app.Campaigns.Get(ctx, "other", foreign.ID); got.Campaign.Status != models.CampaignDraft || got.Recipients != 0 {
		t.Fatalf("another community's campaign changed: %+v", got.Campaign)
	}
	if _, _, page := b.do("GET", "/console/campaigns?community=other", nil); strings.Contains(page, "别处的问题") {
		t.Fatal("another community's campaign is listed")
	}

	// A district coordinator sees every community but runs none of them.
	inv := h.api("POST", "/api/staff/invites", map[string]any{"role": "district_coordinator", "name": "区统筹"}, http.StatusCreated)
	coord := h.persona("o-coord")
	expect(t, "bind coordinator", coord.say("绑定 "+inv["code"].(string)), "绑定成功")
	m := linkIn.FindStringSubmatch(coord.say("登录"))
	if m == nil {
		t.Fatal("no console link for the coordinator")
	}
	cb := h.browser()
	if code, _ := cb.login(m[1]); code != http.StatusSeeOther {
		t.Fatalf("coordinator login: %d", code)
	}
	_, _, page = cb.do("GET", "/console/campaigns?community=sample", nil)
	if !strings.Contains(page, `data-code="WX101"`) || strings.Contains(page, `data-testid="new-campaign"`) {
		t.Fatal("the coordinator's list: want WX101 and no create button")
	}
	_, _, page = cb.do("GET", r.page+"?community=sample", nil)
	if !strings.Contains(page, "征询中") || strings.Contains(page, `data-testid="broadcast-form"`) {
		t.Fatal("the coordinator's campaign page: want the report, no broadcast form")
	}
	for _, path := range []string{"/console/campaigns", r.page + "/broadcast", "/console/projects", "/console/topics/1/meeting", "/console/learned/remove"} {
		code, _, page := cb.post(path, url.Values{"community": {"sample"}, "question": {"区里的问题"}, "audience": {"all"}, "ends_at": {week},
			"name": {"区里的项目"}, "need": {"safety"}, "phrase": {"楼道灯"}})
		if code != http.StatusForbidden || !strings.Contains(page, "只有两委成员和管理员") {
			t.Fatalf("coordinator POST %s: %d, want 403", path, code)
		}
	}
	if list, _ := h.app.Campaigns.List(ctx, "sample"); len(list) != 1 {
		t.Fatalf("the coordinator created a campaign: %d", len(list))
	}

	consoleTopics(t, h, r)
}

// consoleTopics: the month's most frequent topic (the campaign's lamps) is
// proposed; the meeting form refuses a time in the past in place, then
// calls the meeting with the topic's appeals linked, once.
func consoleTopics(t *testing.T, h *harness, r *consoleRun) {
	ctx := context.Background()
	h.advance(10 * 24 * time.Hour) // December: November's topics
	job := h.app.Jobs.Jobs[config.JobMonthlyTopic].(*jobs.MonthlyTopic)
	job.Now = h.clock
	if err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	b := simBrowser(t, h) // the earlier session has ended
	_, _, page := b.do("GET", "/console/topics", nil)
	expect(t, "topics", page, `data-testid="topic-row"`, "2026-11：", `href="/console/appeals/`+r.lampRef+`"`, `data-testid="topic-meeting-form"`)
	id := regexp.MustCompile(`data-testid="topic-row" data-id="(\d+)"`).FindStringSubmatch(page)[1]
	path := "/console/topics/" + id + "/meeting"
	code, _, page := b.post(path, url.Values{"starts_at": {"2020-01-02T19:00"}, "venue": {"三楼会议室"}, "capacity": {"40"}})
	if code != http.StatusBadRequest || formError(page) != "会议时间必须晚于现在。" {
		t.Fatalf("meeting in the past: %d %q", code, formError(page))
	}
	expect(t, "typed values kept", page, `value="2020-01-02T19:00"`, `value="三楼会议室"`, `value="40"`)
	code, _, page = b.post(path, url.Values{"starts_at": {"2027-01-02T19:00"}, "venue": {"三楼会议室"}, "capacity": {"许多"}})
	if code != http.StatusBadRequest || !strings.Contains(formError(page), "人数上限") {
		t.Fatalf("capacity in words: %d %q", code, formError(page))
	}
	if code, _, _ := b.do("POST", path, url.Values{"starts_at": {"2027-01-02T19:00"}, "venue": {"三楼会议室"}}); code != http.StatusForbidden {
		t.Fatalf("meeting without the CSRF token: %d", code)
	}
	if ps, _ := h.app.Store.TopicProposals(ctx, "sample"); len(ps) != 1 || ps[0].MeetingID != 0 {
		t.Fatalf("refused forms called a meeting: %+v", ps)
	}
	at := h.clock().In(h.app.Config.Location).Add(72 * time.Hour).Format("2006-01-02T15:04")
	code, hdr, _ := b.post(path, url.Values{"starts_at": {at}, "venue": {"三楼会议室"}, "capacity": {"0"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/console/meetings/") {
		t.Fatalf("call the meeting: %d %q", code, hdr.Get("Location"))
	}
	_, _, page = b.do("GET", hdr.Get("Location"), nil)
	expect(t, "meeting", page, "社区议事会", "三楼会议室", r.lampRef, "发送邀请")
	_, _, page = b.do("GET", "/console/topics", nil)
	expect(t, "topic with its meeting", page, "已据此召开议事会")
	code, _, page = b.post(path, url.Values{"starts_at": {at}, "venue": {"三楼会议室"}})
	if code != http.StatusConflict || formError(page) != "这个议题已经召开过会议。" {
		t.Fatalf("second meeting: %d %q", code, formError(page))
	}
	// Another community's topic is not found.
	other := &models.TopicProposal{CommunityID: "other", Month: "2026-11", TopicID: "corridor-light", Topic: "楼道照明", Mentions: 3}
	if _, err := h.app.Store.SaveTopicProposal(ctx, other, nil); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := b.post(fmt.Sprintf("/console/topics/%d/meeting", other.ID), url.Values{"community": {"other"}, "starts_at": {at}, "venue": {"别处"}}); code != http.StatusNotFound {
		t.Fatalf("another community's topic: %d, want 404", code)
	}
}

// manyBuildings is "1,2,…,n".
func manyBuildings(n int) string {
	b := make([]string, n)
	for i := range b {
		b[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(b, ",")
}
