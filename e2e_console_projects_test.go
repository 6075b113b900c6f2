package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestConsoleProjects: a service project grows from a console campaign on
// SQLite and MariaDB: the form comes with the campaign's appeals (not the
// private ones), refuses bad projects in Chinese with what was typed kept
// and stores nothing; pledges and milestones refused in place; a milestone
// reaches the linked appeals' residents and the volunteer who signed up by
// chat; the list groups projects by need with their totals by source;
// completion closes the project; another community's project is not found;
// forms without the CSRF token change nothing.
func TestConsoleProjects(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newHarness(t, d, "GONGZHI_ADMIN_TOKEN="+e2eAdminToken, "GONGZHI_PUSH_DAILY_TEMPLATE_QUOTA=1")
			consoleProjects(t, h)
		})
	}
}

func consoleProjects(t *testing.T, h *harness) {
	ctx := context.Background()
	r, b := consoleCampaign(t, h)
	hot := refIn(t, confirmAnswer(t, h.persona("o-sun"), "我家热水器坏了，想找个师傅上门修")) // private: guided, not for a project
	if code, _, _ := b.post("/console/people/stakeholders", url.Values{"kind": {"social_org"}, "name": {"邻里互助社"}, "phone": {"13900000000"}}); code != http.StatusSeeOther {
		t.Fatalf("add stakeholder: %d", code)
	}
	holders, _ := h.app.Store.Stakeholders(ctx, "sample")
	lead := fmt.Sprint(holders[0].ID)

	_, _, page := b.do("GET", "/console/projects", nil)
	expect(t, "empty list", page, `href="/console/projects" class="on">项目`, "还没有项目的类别：", `<span class="need">平安</span>`,
		`<span class="need">健康</span>`, `<span class="need">互助</span>`, `<span class="need">便民</span>`, `<span class="need">文娱</span>`,
		`<span class="need">文化教育</span>`, `data-testid="new-project"`)
	_, _, page = b.do("GET", fmt.Sprintf("/console/projects/new?campaign=%d", r.id), nil)
	expect(t, "form from the campaign", page, `data-testid="project-form"`, fmt.Sprintf(`<option value="%d" selected>WX101`, r.id),
		r.lampRef, r.roadRef, "邻里互助社（社会组织）")
	if strings.Contains(page, hot) {
		t.Fatal("the form offers the private appeal for the project")
	}
	refs := r.lampRef + ", " + r.roadRef
	good := func() url.Values {
		return url.Values{"name": {"老旧小区安防与照明改造"}, "need": {"safety"}, "lead": {lead}, "campaign": {fmt.Sprint(r.id)}, "appeal_refs": {refs}}
	}
	for _, c := range []struct {
		name, field, value string
		want               []string
	}{
		{"no name", "name", " ", []string{"请填写项目名称", `<option value="safety" selected>`, refs}},
		{"no need", "need", "", []string{"请选择项目类别", `value="老旧小区安防与照明改造"`}},
		{"bad need", "need", "parties", []string{"请选择项目类别"}},
		{"bad ref", "appeal_refs", "灯坏了", []string{"编号格式不对", ">灯坏了</textarea>"}},
		{"unknown ref", "appeal_refs", "SQ2611289999", []string{"不存在或不属于本社区"}},
		{"unknown lead", "lead", "999", []string{"牵头方不在相关方名录中"}},
	} {
		form := good()
		form.Set(c.field, c.value)
		code, _, page := b.post("/console/projects", form)
		if code != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400 with the form", c.name, code)
		}
		expect(t, c.name, page, append(c.want, `data-testid="form-error"`, `data-testid="project-form"`)...)
	}
	if code, _, _ := b.do("POST", "/console/projects", good()); code != http.StatusForbidden {
		t.Fatalf("create without the CSRF token: %d, want 403", code)
	}
	if list, _ := h.app.Projects.List(ctx, "sample", ""); len(list) != 0 {
		t.Fatalf("refused forms stored %d projects", len(list))
	}
	code, hdr, page := b.post("/console/projects", good())
	if code != http.StatusSeeOther {
		t.Fatalf("create project: %d %s", code, formError(page))
	}
	path := hdr.Get("Location")
	_, _, page = b.do("GET", path, nil)
	expect(t, "project", page, "XM101", "平安", "邻里互助社", ">WX101</a>", `href="/console/appeals/`+r.lampRef+`"`,
		`href="/console/appeals/`+r.roadRef+`"`, `data-testid="pledge-form"`, `data-testid="milestone-form"`, `data-testid="complete-form"`)

	// Pledges: refused in place, then by source in whole yuan.
	for _, c := range []struct {
		name       string
		form       url.Values
		msg, typed string
	}{
		{"fraction", url.Values{"source": {"residents"}, "amount_yuan": {"12.5"}, "donor": {"3栋居民"}}, "金额请填写", `value="3栋居民"`},
		{"zero", url.Values{"source": {"residents"}, "amount_yuan": {"0"}}, "金额请填写", `value="0"`},
		{"no source", url.Values{"source": {""}, "amount_yuan": {"100"}}, "请选择资金来源", `value="100"`},
	} {
		code, _, page := b.post(path+"/pledge", c.form)
		if code != http.StatusBadRequest || !strings.Contains(formError(page), c.msg) || !strings.Contains(page, c.typed) {
			t.Fatalf("pledge %s: %d %q", c.name, code, formError(page))
		}
	}
	if code, _, _ := b.do("POST", path+"/pledge", url.Values{"source": {"government"}, "amount_yuan": {"5"}}); code != http.StatusForbidden {
		t.Fatalf("pledge without the CSRF token: %d", code)
	}
	for _, p := range []url.Values{{"source": {"residents"}, "amount_yuan": {"250,000"}}, {"source": {"social_units"}, "amount_yuan": {"750000"}, "donor": {"驻区银行"}}} {
		if code, _, page := b.post(path+"/pledge", p); code != http.StatusSeeOther {
			t.Fatalf("pledge %v: %d %q", p, code, formError(page))
		}
	}
	expect(t, "volunteer", h.persona("o-li").say("报名 XM101"), "XM101")

	// A milestone: refused in place, then told to those concerned.
	code, _, page = b.post(path+"/milestone", url.Values{"title": {"摄像头安装过半"}, "progress": {"120"}, "note": {"已安装180个"}})
	if code != http.StatusBadRequest || !strings.Contains(formError(page), "进度请填写0至100") ||
		!strings.Contains(page, `value="摄像头安装过半"`) || !strings.Contains(page, ">已安装180个</textarea>") {
		t.Fatalf("milestone at 120%%: %d %q", code, formError(page))
	}
	code, hdr, _ = b.post(path+"/milestone", url.Values{"title": {"摄像头安装过半"}, "progress": {"50"}, "note": {"已安装180个，3栋楼道灯同步更换"}})
	if code != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "done=milestone") {
		t.Fatalf("milestone: %d %q", code, hdr.Get("Location"))
	}
	_, _, page = b.do("GET", hdr.Get("Location"), nil)
	expect(t, "after the milestone", page, "已记录进展，并通知", "250,000 元", "750,000 元", "1,000,000 元", "驻区银行",
		`data-testid="volunteers">1 人`, "摄像头安装过半", "进度 50%")
	for _, who := range []string{"o-wang", "o-zhao", "o-qian", "o-li"} { // authors, the "me too", the volunteer
		h.pushFor(who, "摄像头安装过半")
	}
	if len(pushesTo(h.app.Platform, "o-sun", "摄像头安装过半")) != 0 {
		t.Fatal("the milestone reached a resident with no linked appeal")
	}
	_, _, page = b.do("GET", "/console/projects", nil)
	if !regexp.MustCompile(`data-testid="need-safety"[\s\S]*?data-code="XM101"[\s\S]*?250,000 元[\s\S]*?750,000 元[\s\S]*?1,000,000 元[\s\S]*?1 人[\s\S]*?摄像头安装过半[\s\S]*?50%`).MatchString(page) {
		t.Fatalf("the list lacks XM101 under 平安 with its totals, volunteer and progress")
	}
	if strings.Contains(page, `<span class="need">平安</span>`) || !strings.Contains(page, `<span class="need">健康</span>`) {
		t.Fatal("平安 has a project now: it is no longer among the needs without one")
	}
	for _, o := range []string{"o-wang", "o-zhao", "o-li"} {
		if strings.Contains(page, o) {
			t.Fatalf("the project list shows the openid %s", o)
		}
	}

	// Another community's project: not found, unchanged.
	if err := h.app.Store.EnsureCommunity(ctx, &models.Community{ID: "other", Name: "别的社区"}); err != nil {
		t.Fatal(err)
	}
	foreign, err := h.app.Projects.Create(ctx, ops.ProjectRequest{CommunityID: "other", Name: "别处的项目", Need: "health"})
	if err != nil {
		t.Fatal(err)
	}
	fp := fmt.Sprintf("/console/projects/%d", foreign.ID)
	if code, _, _ := b.do("GET", fp+"?community=other", nil); code != http.StatusNotFound {
		t.Fatalf("another community's project: %d, want 404", code)
	}
	if code, _, _ := b.post(fp+"/pledge", url.Values{"community": {"other"}, "source": {"government"}, "amount_yuan": {"9"}}); code != http.StatusNotFound {
		t.Fatalf("pledge to another community's project: %d, want 404", code)
	}
	if v, _ := h.app.Projects.Get(ctx, "other", foreign.ID); v.Totals.Total != 0 {
		t.Fatalf("another community's project got %d yuan", v.Totals.Total)
	}

	// Completion: the project closes; its forms are gone and a late pledge is refused.
	code, hdr, page = b.post(path+"/complete", url.Values{"outcome": {" "}})
	if code != http.StatusBadRequest || !strings.Contains(formError(page), "请填写项目成果") {
		t.Fatalf("complete without outcome: %d %q", code, formError(page))
	}
	code, hdr, _ = b.post(path+"/complete", url.Values{"outcome": {"安装摄像头355个，楼道灯全部更换"}})
	if code != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "done=complete") {
		t.Fatalf("complete: %d %q", code, hdr.Get("Location"))
	}
	_, _, page = b.do("GET", hdr.Get("Location"), nil)
	expect(t, "completed", page, "已完成", "安装摄像头355个，楼道灯全部更换")
	if strings.Contains(page, `data-testid="pledge-form"`) {
		t.Fatal("a completed project still offers the pledge form")
	}
	h.pushFor("o-wang", "安装摄像头355个")
	code, _, page = b.post(path+"/pledge", url.Values{"source": {"government"}, "amount_yuan": {"100"}})
	if code != http.StatusConflict || formError(page) != "项目已经完成，不能再修改。" {
		t.Fatalf("pledge after completion: %d %q", code, formError(page))
	}
}

// TestConsoleLearned: what the community taught the classifier is listed
// by phrase, kind, topic and who taught it in aggregate (never an openid);
// the committee removes a phrase with a CSRF-checked form; a bad or
// repeated removal changes nothing; another community's words are neither
// shown nor removable.
func TestConsoleLearned(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) { consoleLearned(t, newStaffHarness(t, d)) })
	}
}

func consoleLearned(t *testing.T, h *harness) {
	ctx := context.Background()
	vote := func(community, phrase, voter string, committee bool, kind models.Kind, topic string) *models.LearningVote {
		return &models.LearningVote{CommunityID: community, Phrase: phrase, Voter: voter, Committee: committee, Kind: kind, TopicID: topic}
	}
	if err := h.app.Store.EnsureCommunity(ctx, &models.Community{ID: "other", Name: "别的社区"}); err != nil {
		t.Fatal(err)
	}
	if err := h.app.Store.AddLearningVotes(ctx, []*models.LearningVote{
		vote("sample", "楼顶鸽棚", "o-v1", false, models.KindMajor, "illegal-structures"),
		vote("sample", "楼顶鸽棚", "o-v2", false, models.KindMajor, "illegal-structures"),
		vote("sample", "梯坎灯", models.CommitteeVoter(), true, models.KindSmall, "corridor-light"),
		vote("sample", "只有一人", "o-v3", false, models.KindSmall, ""),
		vote("other", "别处的词", models.CommitteeVoter(), true, models.KindSmall, ""),
	}); err != nil {
		t.Fatal(err)
	}
	b := simBrowser(t, h)
	_, _, page := b.do("GET", "/console/learned", nil)
	expect(t, "learned", page, `href="/console/learned" class="on">学到的词`, `data-phrase="楼顶鸽棚"`, "违法建设", "2 位居民",
		`data-phrase="梯坎灯"`, "两委纠正", "至少 2 位居民")
	for _, no := range []string{"只有一人", "别处的词", "o-v1", "o-v2"} {
		if strings.Contains(page, no) {
			t.Fatalf("the learned page shows %q", no)
		}
	}
	if code, _, _ := b.do("POST", "/console/learned/remove", url.Values{"phrase": {"楼顶鸽棚"}}); code != http.StatusForbidden {
		t.Fatalf("remove without the CSRF token: %d, want 403", code)
	}
	code, _, page := b.post("/console/learned/remove", url.Values{"phrase": {" "}})
	if code != http.StatusBadRequest || formError(page) != "请选择要删除的词。" {
		t.Fatalf("remove nothing: %d %q", code, formError(page))
	}
	code, _, _ = b.post("/console/learned/remove", url.Values{"community": {"other"}, "phrase": {"别处的词"}})
	if code != http.StatusNotFound {
		t.Fatalf("remove another community's word: %d, want 404", code)
	}
	words, _ := h.app.Store.Learned(ctx, "sample")
	if other, _ := h.app.Store.Learned(ctx, "other"); len(words) != 2 || len(other) != 1 {
		t.Fatalf("refused removals changed the words: %v %v", words, other)
	}
	code, hdr, _ := b.post("/console/learned/remove", url.Values{"phrase": {"楼顶鸽棚"}})
	if code != http.StatusSeeOther {
		t.Fatalf("remove: %d", code)
	}
	_, _, page = b.do("GET", hdr.Get("Location"), nil)
	expect(t, "removed", page, `data-testid="removed">已删除“楼顶鸽棚”`, `data-phrase="梯坎灯"`)
	if strings.Contains(page, `data-phrase="楼顶鸽棚"`) {
		t.Fatal("the removed phrase is still listed")
	}
	// A crafted link cannot plant its own text as a removal's banner, nor
	// reuse another phrase's mark.
	mark := hdr.Get("Location")[strings.Index(hdr.Get("Location"), "mark=")+len("mark="):]
	for _, crafted := range []string{"/console/learned?removed=" + url.QueryEscape("请拨打400-123-4567联系管理员"),
		"/console/learned?removed=" + url.QueryEscape("请拨打400-123-4567联系管理员") + "&mark=" + mark} {
		if _, _, page := b.do("GET", crafted, nil); strings.Contains(page, `data-testid="removed"`) || strings.Contains(page, "400-123-4567") {
			t.Fatalf("a crafted link %s shows a removal banner", crafted)
		}
	}
	if words, _ := h.app.Store.Learned(ctx, "sample"); len(words) != 1 || words[0].Phrase != "梯坎灯" {
		t.Fatalf("after removal: %v", words)
	}
	code, _, page = b.post("/console/learned/remove", url.Values{"phrase": {"楼顶鸽棚"}})
	if code != http.StatusNotFound || !strings.Contains(formError(page), "已经不在学到的词里") {
		t.Fatalf("remove twice: %d %q", code, formError(page))
	}
}
