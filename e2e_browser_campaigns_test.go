package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/jobs"
	"github.com/gongzhi/gongzhi/models"
)

// TestBrowserCampaignDay plays 问需于民 and a project in Debian's Chromium:
// the committee creates a campaign in the console and broadcasts it (the
// confirmation names how many residents it reaches), a resident answers in
// /sim/, the committee opens the report with its charts, then grows a
// project from the campaign, records two pledges and a milestone; the
// monthly topic and the learned words are shown too. No console error on
// any page; screenshots in $ARTIFACTS/console (default test-artifacts/).
func TestBrowserCampaignDay(t *testing.T) {
	b, h := openBrowser(t)
	base := b.base

	// Residents of buildings 3 and 5: one registers in the simulator, two by chat.
	b.chat("sim-resident-1", "修改地址")
	b.chat("sim-resident-1", "3栋2单元501")
	b.chat("sim-resident-1", "1")
	register(h.persona("sim-r2"), "3栋1单元201")
	register(h.persona("sim-r3"), "5栋2单元302")

	// The committee member binds and logs in by chat.
	code := h.api("POST", "/api/staff/invites", map[string]any{"role": "committee", "name": "周委员"}, http.StatusCreated)["code"].(string)
	expect(t, "bind committee", b.chat("sim-zhou", "绑定 "+code), "绑定成功")
	link := consoleLink.FindString(b.chat("sim-zhou", "登录"))
	if link == "" {
		t.Fatal("登录 gave no link")
	}
	b.do("log in", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="review-queue"]`)))

	// A campaign for buildings 3 and 5.
	b.do("new campaign", chromedp.Navigate(base+"/console/campaigns"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="new-campaign"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="new-campaign"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="campaign-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="question"]`), "您觉得小区里最需要解决的问题是什么？"),
		chromedp.Click(chromedp.CSS(`input[name="audience"][value="buildings"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="buildings"]`), "3,5"))
	b.shot("12-campaign-new")
	b.do("save the campaign", chromedp.Click(chromedp.CSS(`[data-testid="campaign-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="broadcast-form"]`)))
	campaign := b.eval("campaign page", `location.pathname.startsWith('/console/campaigns/') ? location.pathname : ''`)
	// The confirmation says how many residents the question will reach.
	b.eval("accept confirmations", `(window.confirm = function (m) { window.confirmed = m; return true; }, 'ok')`)
	b.do("broadcast", chromedp.Click(chromedp.CSS(`[data-testid="broadcast-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sent"]`)))
	if got := b.eval("sent", `document.querySelector('[data-testid="sent"]').textContent`); !strings.Contains(got, "立即发送 3 人") {
		t.Fatalf("after the broadcast: %q", got)
	}

	// A resident answers in the simulator; two more by chat.
	r := b.chat("sim-resident-1", "3栋楼道灯坏了好几天了，晚上黑黢黢的")
	for range 6 {
		switch {
		case strings.Contains(r, "已提交"):
		case strings.Contains(r, "对吗"), strings.Contains(r, "1 确认提交"):
			r = b.chat("sim-resident-1", "1")
			continue
		default:
			t.Fatalf("unexpected reply %q", r)
		}
		break
	}
	expect(t, "answer counted", r, "感谢您参与社区问需（WX101）")
	lamp := refIn(t, r)
	b.shot("13-sim-answer")
	r2 := h.persona("sim-r2")
	expect(t, "me too", r2.say("3栋楼道的灯坏了，晚上上楼看不见"), "附议")
	expect(t, "me too counted", r2.say("1"), "WX101")
	confirmAnswer(t, h.persona("sim-r3"), "小区门口的马路坏了好多坑，下雨全是水")

	// The report, with its charts and the answers' appeals.
	b.do("report", chromedp.Navigate(base+campaign), chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-campaign-levels"] svg`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-campaign-topics"] svg`)))
	if got := b.eval("split", `document.querySelector('[data-testid="chart-campaign-levels"]').textContent`); !strings.Contains(got, "社区即办") {
		t.Fatalf("chart-campaign-levels says %q", got)
	}
	b.eval("the lamp among the answers", fmt.Sprintf(`document.querySelector('[data-testid="answer-row"][data-ref="%s"] a') ? 'yes' : ''`, lamp))
	b.shot("14-campaign-report")

	// A project grows from the campaign, carried by a social organisation: pledges and a milestone.
	lead := h.api("POST", "/api/stakeholders", map[string]any{"kind": "social_org", "name": "邻里互助社", "phone": "13900000000"}, http.StatusCreated)
	b.do("new project", chromedp.Click(chromedp.CSS(`[data-testid="project-from-campaign"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="project-form"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "老旧小区安防与照明改造"),
		chromedp.SetValue(chromedp.CSS(`select[name="need"]`), "safety"),
		chromedp.SetValue(chromedp.CSS(`select[name="lead"]`), fmt.Sprint(lead["id"])))
	if refs := b.eval("refs", `document.querySelector('textarea[name="appeal_refs"]').value`); !strings.Contains(refs, lamp) {
		t.Fatalf("the project form's appeals %q lack %s", refs, lamp)
	}
	b.do("create project", chromedp.Click(chromedp.CSS(`[data-testid="project-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="pledge-form"]`)))
	pledge := func(source, amount, donor string) {
		steps := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.CSS(`[data-testid="pledge-form"] select[name="source"]`), source),
			chromedp.SendKeys(chromedp.CSS(`[data-testid="pledge-form"] input[name="amount_yuan"]`), amount)}
		if donor != "" {
			steps = append(steps, chromedp.SendKeys(chromedp.CSS(`[data-testid="pledge-form"] input[name="donor"]`), donor))
		}
		b.do("pledge "+source, append(steps, chromedp.Click(chromedp.CSS(`[data-testid="pledge-form"] button[type="submit"]`)))...)
	}
	pledge("residents", "250000", "")
	b.eval("first pledge", `document.querySelector('[data-testid="funding"]') && document.querySelector('[data-testid="funding"]').textContent.includes('250,000 元') ? 'yes' : ''`)
	pledge("social_units", "750000", "驻区银行")
	b.eval("second pledge", `document.querySelector('[data-testid="funding"]') && document.querySelector('[data-testid="funding"]').textContent.includes('1,000,000 元') ? 'yes' : ''`)
	b.do("milestone", chromedp.SendKeys(chromedp.CSS(`[data-testid="milestone-form"] input[name="title"]`), "摄像头安装过半"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="milestone-form"] input[name="progress"]`), "50"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="milestone-form"] textarea[name="note"]`), "已安装180个，3栋楼道灯同步更换"),
		chromedp.Click(chromedp.CSS(`[data-testid="milestone-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sent"]`)))
	b.shot("15-project")
	h.pushFor("sim-resident-1", "摄像头安装过半")
	b.do("projects", chromedp.Navigate(base+"/console/projects"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="project-row"]`)))
	b.shot("16-projects")

	// The monthly topic (as proposed on the 1st of next month) and the learned words.
	job := h.app.Jobs.Jobs[config.JobMonthlyTopic].(*jobs.MonthlyTopic)
	now := time.Now().In(h.app.Config.Location)
	job.Now = func() time.Time { return time.Date(now.Year(), now.Month()+1, 1, 9, 0, 0, 0, h.app.Config.Location) }
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.do("topics", chromedp.Navigate(base+"/console/topics"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="topic-meeting-form"]`)))
	b.shot("17-topics")
	if err := h.app.Store.AddLearningVotes(context.Background(), []*models.LearningVote{
		{CommunityID: "sample", Phrase: "梯坎灯", Voter: models.CommitteeVoter(), Committee: true, Kind: models.KindSmall, TopicID: "corridor-light"},
		{CommunityID: "sample", Phrase: "楼顶鸽棚", Voter: "sim-r2", Kind: models.KindMajor, TopicID: "illegal-structures"},
		{CommunityID: "sample", Phrase: "楼顶鸽棚", Voter: "sim-r3", Kind: models.KindMajor, TopicID: "illegal-structures"},
	}); err != nil {
		t.Fatal(err)
	}
	b.do("learned", chromedp.Navigate(base+"/console/learned"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="learned-row"]`)))
	b.shot("18-learned")

	// At phone width the report still fits.
	b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Navigate(base+campaign),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="chart-campaign-levels"] svg`)))
	if w := b.eval("no sideways scroll", `String(document.documentElement.scrollWidth <= window.innerWidth ? 'fits' : document.documentElement.scrollWidth)`); w != "fits" {
		t.Fatalf("the report at phone width is %s px wide", w)
	}
	b.shot("19-campaign-phone")
	b.noErrors()
}
