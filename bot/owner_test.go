package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// pushesTo returns the texts pushed so far to openID, oldest first.
func (w *staffWorld) pushesTo(openID string) []string {
	w.t.Helper()
	var rows []models.OutboxMessage
	if err := w.db.Gorm().Where("open_id = ?", openID).Order("id").Find(&rows).Error; err != nil {
		w.t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Text
	}
	return out
}

// toldAbout reports whether openID was pushed a text naming ref since the
// first n pushes.
func (w *staffWorld) toldAbout(openID, ref string, n int) bool {
	ps := w.pushesTo(openID)
	for _, p := range ps[min(n, len(ps)):] {
		if strings.Contains(p, ref) {
			return true
		}
	}
	return false
}

func (w *staffWorld) reload(a *models.Appeal) *models.Appeal {
	w.t.Helper()
	got, err := w.db.AppealByRef(context.Background(), "c1", a.Ref)
	if err != nil {
		w.t.Fatal(err)
	}
	return got
}

// TestBindHandsOverWaitingAppeals: an appeal raised in a grid without a
// worker waits with the committee; the worker who binds later takes it, is
// told so in the bind reply, finds it in 我的任务 and may 接单; the resident
// is told who handles it now.
func TestBindHandsOverWaitingAppeals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		ctx := context.Background()
		if _, err := db.SeedGrids(ctx, "c1", []models.GridSpec{{ID: "g3", Name: "网格三", Buildings: []string{"7"}}}); err != nil {
			t.Fatal(err)
		}
		a := &models.Appeal{CommunityID: "c1", OpenID: "resident", Kind: models.KindSmall, Level: models.LevelCommunity,
			Status: models.StatusSubmitted, Topic: "楼道灯不亮", Description: "7栋楼道灯坏了", GridID: "g3", Building: "7", CreatedAt: w.now}
		to, err := db.RouteAppeal(ctx, a)
		if err != nil || to != models.RolePlaceholder(models.RoleCommittee) {
			t.Fatalf("route = %q, %v; want the committee (nobody bound in g3)", to, err)
		}
		ev, _ := models.Apply(a, models.Step{Action: models.ActAssign, Assignee: to}, models.Actor{Kind: models.ActorSystem}, "", w.now)
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "resident",
			NewAppeals: []*models.NewAppeal{{Appeal: a, Events: []*models.AppealEvent{ev}}}}); err != nil {
			t.Fatal(err)
		}
		code, _, err := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleGridWorker, GridID: "g3", Name: "王网格"}, w.now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		n := len(w.pushesTo("resident"))
		r := w.say("worker-g3", "绑定 "+code)
		if !strings.Contains(r, "绑定成功") || !strings.Contains(r, "移交") || !strings.Contains(r, a.Ref) {
			t.Fatalf("bind reply %q; want the hand-over of %s said", r, a.Ref)
		}
		if got := w.reload(a); !strings.HasPrefix(got.Assignee, "staff:") {
			t.Fatalf("assignee after bind = %q; want the new worker", got.Assignee)
		}
		if r := w.say("worker-g3", "我的任务"); !strings.Contains(r, a.Ref) {
			t.Errorf("我的任务 = %q; want %s", r, a.Ref)
		}
		if r := w.say("worker-g3", "接单 "+a.Ref); !strings.Contains(r, "已接单") {
			t.Errorf("接单 = %q", r)
		}
		if !w.toldAbout("resident", a.Ref, n) || !strings.Contains(strings.Join(w.pushesTo("resident")[n:], "\n"), "改由王网格办理") {
			t.Errorf("resident pushes %q; want told that 王网格 handles it", w.pushesTo("resident")[n:])
		}
		// A grid whose worker binds with nothing waiting: the plain reply.
		code2, _, _ := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleGridWorker, GridID: "g3", Name: "陈网格"}, w.now, time.Hour)
		if r := w.say("worker-g3b", "绑定 "+code2); strings.Contains(r, "移交") {
			t.Errorf("second worker's bind reply %q: nothing was waiting", r)
		}
	})
}

// TestRevisionToldToResident: the committee's 改类 and 改派 by chat and a
// deadline set by the API are each told to the resident in plain words.
func TestRevisionToldToResident(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a := w.appeal(models.KindSmall)
		n := len(w.pushesTo("resident"))
		if r := w.say("committee", "改派 "+a.Ref+" "+w.staff["worker-g2"].OpenID+" 网格调整"); !strings.Contains(r, "已改派") {
			t.Fatalf("改派 = %q", r)
		}
		if ps := w.pushesTo("resident")[n:]; len(ps) != 1 || !strings.Contains(ps[0], "改由赵网格办理") || !strings.Contains(ps[0], "网格调整") {
			t.Errorf("after 改派 the resident was told %q; want the new handler and the reason", ps)
		}
		n = len(w.pushesTo("resident"))
		due := time.Date(2026, 12, 4, 23, 59, 59, 0, shanghai)
		if _, err := w.appeals.Revise(context.Background(), ops.Revision{Community: "c1", Ref: a.Ref,
			Actor: models.Actor{Kind: models.ActorAdmin}, DueAt: &due, Reason: "需要采购灯具"}); err != nil {
			t.Fatal(err)
		}
		if ps := w.pushesTo("resident")[n:]; len(ps) != 1 || !strings.Contains(ps[0], "12月4日（周五）前") {
			t.Errorf("after a new deadline the resident was told %q; want 12月4日（周五）前", ps)
		}
		n = len(w.pushesTo("resident"))
		if r := w.say("committee", "改类 "+a.Ref+" 私事"); !strings.Contains(r, "原因必填") || len(w.pushesTo("resident")) != n {
			t.Fatalf("改类 without a reason = %q; want the format with the reason required, nothing told", r)
		}
		if r := w.say("committee", "改类 "+a.Ref+" 私事 属于住户自家线路"); !strings.Contains(r, "已重新分类") {
			t.Fatalf("改类 = %q", r)
		}
		if ps := w.pushesTo("resident")[n:]; len(ps) != 1 || !strings.Contains(ps[0], "私事") || !strings.Contains(ps[0], "不是私事") ||
			!strings.Contains(ps[0], "指引：") {
			t.Errorf("after 改类 私事 the resident was told %q; want the private handling, its guide and how to dispute it", ps)
		}
		// Its worker is told it became the resident's own matter, not that
		// someone else handles it (found by a user).
		if ps := w.pushesTo("worker-g2"); len(ps) == 0 || !strings.Contains(ps[len(ps)-1], "已改为私事") {
			t.Errorf("the worker of an appeal made private was told %q", ps)
		}
		// Guided, nobody handles it: the deadline set above is gone.
		if got := w.reload(a); got.Status != models.StatusGuided || got.DueAt != nil || got.Assignee != "" {
			t.Errorf("after 改类 私事: status %s, due %v, assignee %q; want guided with no deadline and no handler", got.Status, got.DueAt, got.Assignee)
		}
	})
}

// TestEveryStateHasAnOwner walks an appeal through every lifecycle status
// by chat and checks, in each, that someone must act (models.Owner), that
// this someone can see it (their 我的任务, or the resident's own appeal),
// and that they were told when it got there.
func TestEveryStateHasAnOwner(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		seen := map[models.Status]bool{}
		// check asserts the owner of a's current status; before is the
		// owner's push count before the step that led there.
		check := func(a *models.Appeal, owner string, before int) {
			t.Helper()
			got := w.reload(a)
			seen[got.Status] = true
			who := models.Owner(got.Status)
			switch {
			case who == 0:
				if got.Status.Open() {
					t.Errorf("%s: open but nobody owns it", got.Status)
				}
				return
			case who&(models.WhoAssignee|models.WhoCommittee) != 0:
				if got.Assignee == "" {
					t.Errorf("%s: nobody is assigned", got.Status)
				}
				if r := w.say(owner, "我的任务"); !strings.Contains(r, got.Ref) {
					t.Errorf("%s: %s's 我的任务 = %q; want %s", got.Status, owner, r, got.Ref)
				}
			case who&models.WhoAuthor != 0:
				if owner != got.OpenID {
					t.Errorf("%s: owned by its author, not %s", got.Status, owner)
				}
			}
			if !w.toldAbout(owner, got.Ref, before) {
				t.Errorf("%s: %s was not told (pushes %q)", got.Status, owner, w.pushesTo(owner))
			}
		}
		count := func(o string) int { return len(w.pushesTo(o)) }
		worker, committee, liaison := "worker-g1", "committee", "liaison-housing"

		// assigned (routing tells the worker; the test's appeal is stored
		// directly, so the push is the committee's 改派 to the worker).
		a := w.appeal(models.KindSmall)
		w.say(committee, "改派 "+a.Ref+" worker-g2 试派")
		n := count(worker)
		w.say(committee, "改派 "+a.Ref+" "+worker+" 派回")
		check(a, worker, n)
		// accepted, in progress: the resident is told; the worker owns it.
		n = count("resident")
		w.say(worker, "接单 "+a.Ref)
		check(a, worker, 0)
		if !w.toldAbout("resident", a.Ref, n) {
			t.Error("accepted: the resident was not told")
		}
		w.say(worker, "进展 "+a.Ref+" 已联系电工")
		check(a, worker, 0)
		// submitted: returned to the committee, who are told.
		n = count(committee)
		w.say(worker, "退回 "+a.Ref+" 不归本网格")
		check(a, committee, n)
		// assigned again, then resolved: the author owns the rating and is asked.
		w.say(committee, "改派 "+a.Ref+" "+worker+" 重新派单")
		n = count("resident")
		w.say(worker, "办结 "+a.Ref+" 灯已换好")
		check(a, "resident", n)
		// reopened: the worker and the committee are told.
		n, nc := count(worker), count(committee)
		w.say("resident", "不满意 灯还是闪")
		check(a, worker, n)
		if !w.toldAbout(committee, a.Ref, nc) {
			t.Error("reopened: the committee was not told")
		}
		// escalated: the district coordinator owns it and is told.
		code, _, err := db.CreateInvite(context.Background(), models.InviteRequest{CommunityID: "c1",
			Role: models.RoleDistrictCoordinator, Name: "郑统筹"}, w.now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		w.say("coordinator", "绑定 "+code)
		m := w.appeal(models.KindMajor)
		n = count("coordinator")
		if r := w.say(liaison, "上报 "+m.Ref+" 需要区级协调"); !strings.Contains(r, "已上报") {
			t.Fatalf("上报 = %q", r)
		}
		check(m, "coordinator", n)
		// closed: resolved, rated satisfied — nobody owes anything.
		b := w.appeal(models.KindSmall)
		w.say(worker, "办结 "+b.Ref+" 已处理")
		w.say("resident", "满意 "+b.Ref)
		check(b, "", 0)
		// guided, review: the author may dispute; the committee then owns it.
		g := w.appeal(models.KindSmall)
		n = count("resident")
		w.say(committee, "改类 "+g.Ref+" 私事 属于自家管道")
		check(g, "resident", n)
		n = count(committee)
		if r := w.say("resident", "不是私事 "+g.Ref+" 是整栋楼的水管"); !strings.Contains(r, "复核") {
			t.Fatalf("不是私事 = %q", r)
		}
		check(g, committee, n)
		// withdrawn: the resident's own act; nobody owes anything.
		c := w.appeal(models.KindSmall)
		c = w.reload(c)
		ev, err := models.Transition(c, models.ActWithdraw, models.Actor{Kind: models.ActorResident, OpenID: "resident"}, "不需要了", w.now)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CommitTurn(context.Background(), &models.Turn{CommunityID: "c1", AppealUpdates: []*models.AppealUpdate{
			{Appeal: c, ExpectStatus: models.StatusAssigned, Events: []*models.AppealEvent{ev}}}}); err != nil {
			t.Fatal(err)
		}
		check(c, "", 0)
		for _, s := range models.Statuses {
			if !seen[s] {
				t.Errorf("status %s was not walked", s)
			}
		}
	})
}

// TestWithdrawByChat: a resident withdraws their open appeal with 撤回 编号
// 原因; the handler is told to stop and the appeal leaves 我的任务; someone
// else cannot withdraw it, a resolved one cannot be withdrawn, 撤回 alone
// says how, and "撤销了…" without a number is an appeal's text, not the
// command (both databases).
func TestWithdrawByChat(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		worker := "worker-g1"
		a := w.appeal(models.KindSmall)
		w.say("committee", "改派 "+a.Ref+" "+worker+" 派单")
		w.say(worker, "接单 "+a.Ref)
		if r := w.say("stranger", "撤回 "+a.Ref+" 不要了"); !strings.Contains(r, "没有找到") || w.reload(a).Status != models.StatusAccepted {
			t.Fatalf("someone else's 撤回 = %q, status %s", r, w.reload(a).Status)
		}
		if r := w.say("resident", "撤回"); !strings.Contains(r, "撤回 编号 原因") || !strings.Contains(r, a.Ref) {
			t.Fatalf("撤回 alone = %q; want how to, with the open appeal's number", r)
		}
		n := len(w.pushesTo(worker))
		if r := w.say("resident", "撤回 "+a.Ref+" 已经自己修好了，谢谢"); !strings.Contains(r, "已撤回诉求 "+a.Ref) {
			t.Fatalf("撤回 = %q", r)
		}
		got := w.reload(a)
		if got.Status != models.StatusWithdrawn {
			t.Fatalf("status %s after 撤回; want withdrawn", got.Status)
		}
		evs := w.events(a)
		if last := evs[len(evs)-1]; last.Action != string(models.ActWithdraw) || last.Reason != "已经自己修好了，谢谢" { // as typed, full-width comma kept
			t.Fatalf("last event %s %q", last.Action, last.Reason)
		}
		if !w.toldAbout(worker, a.Ref, n) {
			t.Errorf("the worker was not told: %q", w.pushesTo(worker))
		}
		if r := w.say(worker, "我的任务"); strings.Contains(r, a.Ref) {
			t.Errorf("a withdrawn appeal is still in 我的任务: %q", r)
		}
		if r := w.say("resident", "撤回 "+a.Ref); !strings.Contains(r, "不能撤回") || strings.Contains(r, "已办结的诉求") {
			t.Errorf("撤回 again = %q; want a plain refusal", r)
		}
		if r := w.say("resident", "我的诉求"); strings.Contains(r, "无办结时限") {
			t.Errorf("我的诉求 speaks of deadlines of finished appeals: %q", r)
		}
		if r := w.say("committee", a.Ref); !strings.Contains(r, a.Ref) || strings.Contains(r, "没有找到") {
			t.Errorf("the committee reading %s = %q; want its details", a.Ref, r)
		}
		if r := w.say("committee", "查看 "+a.Ref); !strings.Contains(r, a.Ref) || strings.Contains(r, "想确认") {
			t.Errorf("查看 %s = %q; want its details", a.Ref, r)
		}
		b := w.appeal(models.KindSmall)
		w.say("committee", "改派 "+b.Ref+" "+worker+" 派单")
		w.say(worker, "办结 "+b.Ref+" 已处理")
		if r := w.say("resident", "撤回 "+b.Ref); !strings.Contains(r, "不能撤回") || w.reload(b).Status != models.StatusResolved {
			t.Fatalf("撤回 of a resolved appeal = %q, status %s", r, w.reload(b).Status)
		}
		if r := w.say("resident", "撤销了小区门口的公交站，出行很不方便"); strings.Contains(r, "撤回 编号") {
			t.Fatalf("an appeal starting with 撤销 was taken for the command: %q", r)
		}
		w.say("resident", "取消")
		// 撤回 in plain words with one open appeal withdraws it (found by a second user).
		c := w.appeal(models.KindSmall)
		if r := w.say("resident", "撤回吧 已经修好了"); !strings.Contains(r, "已撤回诉求 "+c.Ref) || w.reload(c).Status != models.StatusWithdrawn {
			t.Fatalf("撤回吧 with one open = %q, status %s", r, w.reload(c).Status)
		}
		if evs := w.events(c); evs[len(evs)-1].Reason != "已经修好了" {
			t.Fatalf("the reason kept = %q", evs[len(evs)-1].Reason)
		}
	})
}

// TestAppealPushCards: an appeal's pushes carry a template card (matter,
// number, what happened, a note, when), so that one sent as a template,
// when the resident's 48-hour window is closed, still says the result and
// how to rate it — not the first 20 characters of the chat text (found by a
// first user). Both databases.
func TestAppealPushCards(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		worker := "worker-g2" // the appeal is stored assigned to g1's worker: 改派 makes a task push
		a := w.appeal(models.KindSmall)
		w.say("committee", "改派 "+a.Ref+" "+worker+" 派单")
		w.say(worker, "办结 "+a.Ref+" 已更换3楼和5楼的感应灯")
		card := func(openID, act string) map[string]string {
			t.Helper()
			var rows []models.OutboxMessage
			if err := w.db.Gorm().Where("open_id = ? AND idem_key LIKE ?", openID, "appeal:"+a.Ref+":"+act+":%").Find(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 {
				t.Fatalf("%d %s pushes to %s, want 1", len(rows), act, openID)
			}
			m := map[string]string{}
			if err := json.Unmarshal([]byte(rows[0].Data), &m); err != nil {
				t.Fatalf("%s push to %s: data %q: %v", act, openID, rows[0].Data, err)
			}
			return m
		}
		got := card("resident", "resolve")
		want := map[string]string{"thing1": a.Topic, "character_string2": a.Ref, "phrase3": "已办结", "thing4": "已更换3楼和5楼的感…·" + messages.ZhCNStaff.CardRateHint} // what was done, then how to rate, in 20 characters
		for k, v := range want {
			if got[k] != v {
				t.Errorf("resolve card %s = %q, want %q (card %v)", k, got[k], v, got)
			}
		}
		if got["time5"] == "" {
			t.Errorf("resolve card without a time: %v", got)
		}
		if task := card(worker, "assign"); task["phrase3"] != "新任务" || task["character_string2"] != a.Ref {
			t.Errorf("task card %v", task)
		}
		// The resident reads what was done in the appeal's details.
		if r := w.say("resident", a.Ref); !strings.Contains(r, "已更换3楼和5楼的感应灯") {
			t.Errorf("the appeal's details = %q; want the handler's note", r)
		}
	})
}

// TestRelievedHandlerIsTold: a worker whose task the committee gives to
// someone else (改派) is told they need not go on with it (before, the task
// just disappeared from 我的任务; found by a second user). Both databases.
func TestRelievedHandlerIsTold(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a := w.appeal(models.KindSmall) // assigned to g1's worker
		n := len(w.pushesTo("worker-g1"))
		w.say("committee", "改派 "+a.Ref+" worker-g2 g1网格员休假")
		ps := w.pushesTo("worker-g1")[n:]
		if len(ps) != 1 || !strings.Contains(ps[0], a.Ref) || !strings.Contains(ps[0], "无需再处理") || !strings.Contains(ps[0], "休假") {
			t.Fatalf("the relieved worker got %q", ps)
		}
		if got := w.pushesTo("worker-g2"); len(got) == 0 || strings.Contains(got[len(got)-1], "无需再处理") {
			t.Fatalf("the new worker got %q; want the task", got)
		}
		// A committee member who hands on an appeal waiting for the
		// committee is not told about their own change (found by a first user).
		b := w.appeal(models.KindMajor) // 区住建委's liaison
		n = len(w.pushesTo("committee"))
		w.say("committee", "改派 "+b.Ref+" committee 先由两委协调")
		for _, p := range w.pushesTo("committee")[n:] {
			if strings.Contains(p, "【新任务】") {
				t.Errorf("a committee member who took a task themselves was pushed %q", p)
			}
		}
		n = len(w.pushesTo("committee"))
		w.say("committee", "改派 "+b.Ref+" worker-g1 请网格员先去看看")
		for _, p := range w.pushesTo("committee")[n:] {
			if strings.Contains(p, "无需再处理") {
				t.Errorf("the committee member who made the change was told %q", p)
			}
		}
		// A committee member's 接单 of a worker's task takes it over, and
		// the worker is told; 改派 to its own handler says so.
		c := w.appeal(models.KindSmall) // g1's worker
		n = len(w.pushesTo("worker-g1"))
		if r := w.say("committee", "接单 "+c.Ref); !strings.Contains(r, "已接单") {
			t.Fatalf("the committee's 接单 = %q", r)
		}
		if got := w.reload(c); got.Assignee != w.staff["committee"].Ref() {
			t.Errorf("assignee %q after the committee's 接单; want %q", got.Assignee, w.staff["committee"].Ref())
		}
		if ps := w.pushesTo("worker-g1")[n:]; len(ps) != 1 || !strings.Contains(ps[0], "无需再处理") || !strings.Contains(ps[0], "已接手办理") {
			t.Errorf("the worker whose task was taken over got %q", ps)
		}
		if r := w.say("committee", "我的任务"); !strings.Contains(r, c.Ref) {
			t.Errorf("the committee's 我的任务 = %q; want %s", r, c.Ref)
		}
		if r := w.say("committee", "改派 "+c.Ref+" committee 还是我来"); !strings.Contains(r, "无需改派") {
			t.Errorf("改派 to its own handler = %q; want 无需改派", r)
		}
	})
}

// TestKeepPrivateByChat: the committee answers a resident's 不是私事 by
// chat with 改类 编号 私事 理由: the appeal is guided again and the resident
// told why (found by a third user: the chat refused it as "私事 already").
// Both databases.
func TestKeepPrivateByChat(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a := w.appeal(models.KindSmall)
		if err := db.Gorm().Model(&models.Appeal{}).Where("id = ?", a.ID).Updates(map[string]any{"kind": models.KindPrivate,
			"level": models.LevelSelf, "status": models.StatusGuided, "assignee": ""}).Error; err != nil {
			t.Fatal(err)
		}
		if r := w.say("resident", "不是私事 "+strings.ToLower(a.Ref)+"，是楼上漏下来的，不是我家 Pipe"); !strings.Contains(r, "复核") {
			t.Fatalf("不是私事 = %q", r)
		}
		// The reason is kept as typed: full-width commas, spaces, case (found by a first user).
		evs, err := db.AppealEvents(context.Background(), a.ID)
		if err != nil || evs[len(evs)-1].Reason != "是楼上漏下来的，不是我家 Pipe" {
			t.Fatalf("dispute reason %q, %v", evs[len(evs)-1].Reason, err)
		}
		n := len(w.pushesTo("resident"))
		if r := w.say("committee", "改类 "+a.Ref+" 私事 漏水点在您家自用管道，请联系维修"); !strings.Contains(r, "已维持私事") {
			t.Fatalf("keeping it private by chat = %q", r)
		}
		if got := w.reload(a); got.Status != models.StatusGuided {
			t.Fatalf("status %s; want guided", got.Status)
		}
		if ps := w.pushesTo("resident")[n:]; len(ps) == 0 || !strings.Contains(ps[len(ps)-1], "自用管道") {
			t.Fatalf("the resident was told %q; want the reason", ps)
		}
	})
}

// TestProblemPlace: a small matter in a building the text names, not the
// resident's own, is that building's grid's task, and the task's 地点 says
// that building (a first user saw the task name their home); a matter
// naming no building stays with the home's grid.
func TestProblemPlace(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		w.register("resident", "3", "2", "501")
		r := w.say("resident", "6号楼门口堆了好多垃圾，好几天没人清")
		if !strings.Contains(r, "住址：3栋2单元501") || !strings.Contains(r, "地点：6栋") {
			t.Fatalf("summary = %q; want the home and 地点：6栋", r)
		}
		ref := refPattern.FindString(w.say("resident", "1"))
		if ref == "" {
			t.Fatal("not submitted")
		}
		a := w.reload(&models.Appeal{Ref: ref})
		if a.GridID != "g2" || a.Building != "6" {
			t.Errorf("appeal in grid %q building %q; want g2, 6", a.GridID, a.Building)
		}
		if !w.toldAbout("worker-g2", ref, 0) || w.toldAbout("worker-g1", ref, 0) {
			t.Errorf("the task went to %v / %v; want worker-g2 only", w.pushesTo("worker-g2"), w.pushesTo("worker-g1"))
		}
		for _, p := range w.pushesTo("worker-g2") {
			if strings.Contains(p, ref) && (!strings.Contains(p, "地点：6栋") || strings.Contains(p, "6栋2单元")) {
				t.Errorf("task push %q; want 地点：6栋 with no unit of the resident's home", p)
			}
		}
		// The worker reads the task by its number: the words, the place and
		// how to reach the resident; the resident's own view has none of it.
		if r := w.say("worker-g2", ref); !strings.Contains(r, "内容：6号楼门口堆了好多垃圾") || !strings.Contains(r, "地点：6栋") ||
			!strings.Contains(r, "联系居民") {
			t.Errorf("the worker's detail of %s = %q; want 内容, 地点 and 联系居民", ref, r)
		}
		// Another grid's worker reads what residents read: the words may hold a phone.
		if r := w.say("worker-g1", ref); !strings.Contains(r, ref) || strings.Contains(r, "内容：") || strings.Contains(r, "联系居民") {
			t.Errorf("another grid's worker read %s as %q; want no words, place or contact", ref, r)
		}
		if r := w.say("worker-g2", "我的任务"); !strings.Contains(r, ref) || !strings.Contains(r, "（6栋）") {
			t.Errorf("我的任务 = %q; want %s with its place", r, ref)
		}
		if r := w.say("resident", ref); strings.Contains(r, "联系居民") || !strings.Contains(r, ref) {
			t.Errorf("the resident's detail of %s = %q; want no staff lines", ref, r)
		}
		// Another building of the same grid is another place: no "me too"
		// with 6栋's appeal (a first user was offered 6栋's lift for 8栋's).
		w.register("neighbour", "3", "1", "101")
		if r := w.say("neighbour", "5号楼门口堆了好多垃圾，好几天没人清"); strings.Contains(r, "附议") || !strings.Contains(r, "地点：5栋") {
			t.Errorf("5栋's garbage = %q; want its own summary, no 附议 of 6栋's", r)
		}
		w.say("neighbour", "取消")
		// The same when it is one's own building of that grid (a user of 8栋
		// was offered 6栋's lift).
		at := w.now.UTC()
		if err := db.CommitTurn(context.Background(), &models.Turn{CommunityID: "c1", OpenID: "fifth", At: at,
			Resident: &models.Resident{Building: "5", Unit: "1", Room: "101", GridID: "g2", LastMessageAt: &at}}); err != nil {
			t.Fatal(err)
		}
		if r := w.say("fifth", "5号楼门口堆了好多垃圾，好几天没人清"); strings.Contains(r, "附议") {
			t.Errorf("5栋's own resident = %q; want no 附议 of 6栋's", r)
		}
		w.say("fifth", "取消")
		// A building no grid holds stays with the home grid, named as the place.
		if r := w.say("resident", "15号楼楼下的下水道堵了，臭得很"); !strings.Contains(r, "地点：15栋（不在本社区登记的楼栋中") {
			t.Errorf("15栋 = %q; want the place named and said to be outside the grids", r)
		} else if ref15 := refPattern.FindString(w.say("resident", "1")); ref15 == "" {
			t.Error("15栋's appeal not submitted")
		} else if a := w.reload(&models.Appeal{Ref: ref15}); a.Building != "15" || a.GridID != "g1" {
			t.Errorf("15栋's appeal: building %q grid %q; want 15, g1 (the home grid checks it)", a.Building, a.GridID)
		}
		// A government matter at a building no grid holds names its place too.
		if r := w.say("resident", "15号楼门口的井盖坏了，晚上容易踩空"); strings.Contains(r, "请确认") && !strings.Contains(r, "地点：15栋") {
			t.Errorf("15栋's manhole = %q; want 地点：15栋", r)
		}
		w.say("resident", "取消")
		// No building named: the home's grid, no 地点 line.
		r = w.say("resident", "楼道里的灯坏了好几天了")
		if strings.Contains(r, "地点：") {
			t.Errorf("summary = %q; want no 地点 line", r)
		}
	})
}

// TestStaffDetailPrivacy: an appeal waiting for a role is read in full only
// by that role's member of the right department or grid; a date is not a
// building (found by an attacker).
func TestStaffDetailPrivacy(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		w.register("resident", "3", "2", "501")
		w.say("resident", "我们楼道的灯12月5号起一直不亮，电话13811112222")
		ref := refPattern.FindString(w.say("resident", "1"))
		if ref == "" {
			t.Fatal("not submitted")
		}
		if a := w.reload(&models.Appeal{Ref: ref}); a.GridID != "g1" || a.Building != "3" {
			t.Fatalf("a date read as a building: grid %q building %q; want g1, 3", a.GridID, a.Building)
		}
		w.say("worker-g1", "接单 "+ref)
		w.say("worker-g1", "上报 "+ref+" 需要街道协调") // the street office's, waiting for its liaison
		for _, who := range []string{"liaison-market", "liaison-housing", "worker-g2"} {
			if r := w.say(who, ref); strings.Contains(r, "13811112222") || strings.Contains(r, "内容：") {
				t.Errorf("%s read %s as %q; want no words or phone", who, ref, r)
			}
		}
		if r := w.say("committee", ref); !strings.Contains(r, "13811112222") {
			t.Errorf("the committee read %s as %q; want its words and contact", ref, r)
		}
	})
}

// TestNoteToHandler: the author's words with their open appeal's number
// (催办 SQ…, SQ… 怎么还没人管) reach its handler as a 居民留言, recorded on
// the appeal, status unchanged, and no new appeal; the handler's 进展 answers
// them. Someone else's number, or a closed appeal's, is no note (found by a
// first user, whose follow-ups all became new appeals).
func TestNoteToHandler(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a := w.appeal(models.KindSmall)
		w.say("worker-g1", "接单 "+a.Ref)
		n, before := w.appealsOf("resident"), len(w.pushesTo("worker-g1"))
		r := w.say("resident", a.Ref+"怎么还没人来修，家里老人天天摸黑上楼")
		if !strings.Contains(r, "已把您的留言转给诉求 "+a.Ref) || w.appealsOf("resident") != n || w.reload(a).Status != models.StatusAccepted {
			t.Fatalf("note = %q (appeals %d→%d, status %s)", r, n, w.appealsOf("resident"), w.reload(a).Status)
		}
		ps := w.pushesTo("worker-g1")
		if len(ps) != before+1 || !strings.Contains(ps[len(ps)-1], "【居民留言】诉求 "+a.Ref) || !strings.Contains(ps[len(ps)-1], "摸黑上楼") {
			t.Fatalf("worker pushes %q; want the note", ps[before:])
		}
		evs, err := db.AppealEvents(context.Background(), a.ID)
		if err != nil || evs[len(evs)-1].Action != string(models.ActNote) {
			t.Fatalf("last event %+v, %v; want the note", evs[len(evs)-1], err)
		}
		// A worker's free words are not taken silently as their own appeal (found by a second user).
		if r := w.say("worker-g1", "好的，救护车已经到了，正在送医院"); !strings.Contains(r, "这句话不是工作指令") || !strings.Contains(r, "进展 编号 内容") {
			t.Errorf("worker's free words = %q", r)
		}
		w.say("worker-g1", "取消")
		// The handler reads the note's words in the appeal's details; another resident does not.
		if r := w.say("worker-g1", a.Ref); !strings.Contains(r, "摸黑上楼") {
			t.Errorf("handler's detail = %q; want the note's words", r)
		}
		if r := w.say("stranger", a.Ref); strings.Contains(r, "摸黑上楼") {
			t.Errorf("another resident read the note: %q", r)
		}
		if r := w.say("stranger", "催办 "+a.Ref); strings.Contains(r, "已把您的留言") || !strings.Contains(r, "没有找到这个编号的诉求") {
			t.Fatalf("someone else's note = %q; want not found, and no appeal of it (found by an attacker)", r)
		}
		if r := w.say("stranger", a.Ref+" 留言：快点修"); !strings.Contains(r, "没有找到这个编号的诉求") {
			t.Fatalf("words after someone else's number = %q; want not found", r)
		}
		// A note is one line in quotes: it cannot lay out a "system" message
		// (found by an attacker).
		if r := w.say("resident", a.Ref+" 谢谢\n\n【系统通知】请回复“办结 SQ1”完成归档"); !strings.Contains(r, "已把您的留言") {
			t.Fatalf("two-line note = %q", r)
		}
		ps = w.pushesTo("worker-g1")
		if last := ps[len(ps)-1]; !strings.Contains(last, " 谢谢 〔系统通知〕请回复“办结 SQ1”完成归档」") {
			t.Fatalf("note push %q; want the words on one line, quoted", last)
		}
		// The third note of the day is the last: the fourth is refused, no push (found by an attacker).
		w.say("resident", "催办 "+a.Ref)
		pushed := len(w.pushesTo("worker-g1"))
		if r := w.say("resident", "催办 "+a.Ref+" 再催一次"); !strings.Contains(r, "今天已就诉求 "+a.Ref+" 留言3次") || len(w.pushesTo("worker-g1")) != pushed {
			t.Fatalf("fourth note = %q (pushes %d→%d)", r, pushed, len(w.pushesTo("worker-g1")))
		}
		w.say("worker-g1", "办结 "+a.Ref+" 已修好")
		w.say("resident", "满意")
		if r := w.say("resident", "催办 "+a.Ref); strings.Contains(r, "已把您的留言") {
			t.Fatalf("a note on a closed appeal = %q", r)
		}
	})
}

// TestUrgeWithoutNumber: 催办 or 补充一下：… without a number is a note on the
// one open appeal, or, with several open, the list and how to name one;
// with none it goes on as an appeal (found by a second user).
func TestUrgeWithoutNumber(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		if r := w.say("resident", "催办"); strings.Contains(r, "已把您的留言") {
			t.Fatalf("催办 with nothing open = %q", r)
		}
		a := w.appeal(models.KindSmall)
		if r := w.say("resident", "补充一下：她有高血压，钥匙在门口地垫下面"); !strings.Contains(r, "已把您的留言转给诉求 "+a.Ref) {
			t.Fatalf("补充 with one open = %q", r)
		}
		b := w.appeal(models.KindSmall)
		r := w.say("resident", "催一下")
		if !strings.Contains(r, "几件诉求正在办理") || !strings.Contains(r, a.Ref) || !strings.Contains(r, b.Ref) {
			t.Fatalf("催一下 with two open = %q", r)
		}
	})
}

// TestAnswerToHandlerQuestion: a handler's 进展 that asks the author
// something (请问是几楼？) tells them they may simply answer, and their next
// words — an address-like "4楼和5楼之间那盏" included — reach the handler
// as a note, not a new appeal with a kind question (found by a first user);
// more words follow the answer, words over the note limit wait and are not
// lost, 新问题 takes the last words as a new appeal and the question waits
// again, a newer question from another appeal takes the words, words of
// danger reach the handler and go on as urgent, 取消 withdraws nothing, a
// note that asks nothing marks nothing, and the question waits a day and a
// half. Answering is never refused for earlier notes: the handler's word
// starts their count again.
func TestAnswerToHandlerQuestion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a := w.takenAppeal()
		for range ops.MaxNotesPerDay {
			w.say("resident", "催办 "+a.Ref)
		}
		n := w.appealsOf("resident")
		w.say("worker-g1", "进展 "+a.Ref+" 请问是几楼的灯不亮？我明天上午带电工过来")
		ps := w.pushesTo("resident")
		if last := ps[len(ps)-1]; !strings.Contains(last, "承办人问您：请问是几楼的灯不亮") || !strings.Contains(last, "直接在这里回复") {
			t.Fatalf("question push %q; want the question and how to answer", last)
		}
		var asked models.OutboxMessage // its template card says it is a question (found by a second user)
		if err := db.Gorm().Where("open_id = ?", "resident").Order("id DESC").Take(&asked).Error; err != nil || !strings.Contains(asked.Data, "承办人提问") {
			t.Fatalf("the question's card %q, %v; want 承办人提问", asked.Data, err)
		}
		before := len(w.pushesTo("worker-g1"))
		if r := w.say("resident", "4楼和5楼之间那盏"); !strings.Contains(r, "已把您的回复转给诉求 "+a.Ref+" 的承办人（李网格）：「4楼和5楼之间那盏」") ||
			!strings.Contains(r, "新问题") {
			t.Fatalf("first answer = %q; want it passed on to the handler by name", r)
		}
		for _, words := range []string{"还有3楼也有点闪", "晚上才闪"} {
			if r := w.say("resident", words); r != "已转给承办人：「"+words+"」" {
				t.Fatalf("more of the answer %q = %q", words, r)
			}
		}
		got := w.pushesTo("worker-g1")[before:]
		if len(got) != 3 || !strings.Contains(got[0], "4楼和5楼之间那盏") || !strings.Contains(got[1], "3楼也有点闪") || w.appealsOf("resident") != n {
			t.Fatalf("worker told %q, appeals %d→%d; want the answers and no new appeal", got, n, w.appealsOf("resident"))
		}
		// An answer in several short messages is passed on up to MaxAnswerNotes (found by a second user:
		// the fourth was held); over it the words wait, unsent, and 新问题 files them (found by a first
		// user: they were lost).
		for i := 3; i < ops.MaxAnswerNotes; i++ {
			if r := w.say("resident", fmt.Sprintf("第%d层也看一下", i)); !strings.Contains(r, "已转给承办人") {
				t.Fatalf("answer %d = %q; want it passed on", i+1, r)
			}
		}
		if r := w.say("resident", "我屋头厨房水管也漏水了，想找个师傅来修"); !strings.Contains(r, "先没有转过去") ||
			len(w.pushesTo("worker-g1")) != before+ops.MaxAnswerNotes {
			t.Fatalf("words over the limit = %q (pushes %d); want them held, not sent", r, len(w.pushesTo("worker-g1"))-before)
		}
		if r := w.say("resident", "新问题"); strings.Contains(r, "已把您的回复") || strings.Contains(r, "没太明白") || strings.Contains(r, "先没有转过去") {
			t.Fatalf("新问题 after held words = %q; want them taken as a new appeal", r)
		}
		w.say("resident", "取消")

		// 新问题 after the first answer: the question waits again for the real answer.
		w.say("worker-g1", "进展 "+a.Ref+" 明天上午家里有人吗")
		w.say("resident", "小区东门的垃圾桶满了好几天没人清")
		w.say("resident", "新问题")
		w.say("resident", "取消")
		if r := w.say("resident", "明天上午我老汉在屋头的"); !strings.Contains(r, "已把您的回复转给诉求 "+a.Ref) {
			t.Fatalf("the answer after a new matter = %q; want it passed on", r)
		}
		// 取消 after an answer withdraws nothing, and says so.
		if r := w.say("resident", "取消"); !strings.Contains(r, "不会撤回") {
			t.Fatalf("取消 after an answer = %q", r)
		}

		// A newer question from another appeal's handler takes the next words (found by an attacker).
		b := w.appeal(models.KindMajor)
		w.say("liaison-housing", "接单 "+b.Ref)
		w.say("worker-g1", "进展 "+a.Ref+" 请问是哪个单元？")
		w.say("resident", "2单元")
		w.say("liaison-housing", "进展 "+b.Ref+" 请问方便留个电话吗？")
		if r := w.say("resident", "13800001111"); !strings.Contains(r, "已把您的回复转给诉求 "+b.Ref) {
			t.Fatalf("answer to the newer question = %q; want it passed on for %s", r, b.Ref)
		}
		// The handler's view of the appeal has the phone given and the notes in full (found by a second user and an attacker).
		if r := w.say("liaison-housing", b.Ref); !strings.Contains(r, "联系居民：电话 13800001111") || !strings.Contains(r, "居民留言：") {
			t.Fatalf("the handler's view after a phone was given = %q", r)
		}

		// Words of danger reach the handler who asked, and go on as urgent.
		w.say("worker-g1", "进展 "+a.Ref+" 明天上午家里有人吗")
		before = len(w.pushesTo("worker-g1"))
		if r := w.say("resident", "楼道里好大一股煤气味"); strings.Contains(r, "已把您的回复") || !strings.Contains(r, "【紧急】") {
			t.Fatalf("danger after a question = %q", r)
		}
		if ps := w.pushesTo("worker-g1")[before:]; len(ps) == 0 || !strings.HasPrefix(ps[0], "【紧急】【居民留言】") {
			t.Fatalf("worker told %q; want the danger words marked 【紧急】", ps)
		}
		w.say("resident", "取消")

		// Other intents are no answer, and the question still waits (found by a second user).
		w.say("worker-g1", "进展 "+a.Ref+" 请问几点家里有人？")
		if r := w.say("resident", "查一下进度"); strings.Contains(r, "已把您的回复") || !strings.Contains(r, a.Ref) {
			t.Fatalf("查一下进度 with a question waiting = %q; want the appeals", r)
		}
		if r := w.say("resident", "社区电话多少"); !strings.Contains(r, "社区电话：") {
			t.Fatalf("the phone asked with a question waiting = %q", r)
		}
		if r := w.say("resident", "对了还有个事，单元门禁也坏了好几天了"); strings.Contains(r, "已把您的回复") {
			t.Fatalf("a new matter with a question waiting = %q; want it taken as a new appeal", r)
		}
		w.say("resident", "取消")
		if r := w.say("resident", "下午三点以后都在"); !strings.Contains(r, "已把您的回复转给诉求 "+a.Ref) {
			t.Fatalf("the answer after other words = %q; want it passed on", r)
		}
		w.say("resident", "取消")
		if r := w.say("resident", "新问题"); !strings.Contains(r, "请用一两句话描述") {
			t.Fatalf("新问题 with nothing waiting = %q; want what the problem is asked", r)
		}
		w.say("resident", "取消")

		// A note that asks nothing marks nothing; a question waits 36 hours only.
		w.say("worker-g1", "进展 "+a.Ref+" 电工明天上午到")
		if r := w.say("resident", "小区东门的垃圾桶满了好几天没人清"); strings.Contains(r, "已把您的回复") {
			t.Fatalf("words after a plain note = %q; want a new appeal", r)
		}
		w.say("resident", "取消")
		w.say("worker-g1", "进展 "+a.Ref+" 请问您家是几单元？")
		w.now = w.now.Add(37 * time.Hour)
		if r := w.say("resident", "小区东门的垃圾桶满了好几天没人清"); strings.Contains(r, "已把您的回复") {
			t.Fatalf("words 37 hours after a question = %q; want a new appeal", r)
		}
	})
}

// TestPhotoAnswer: a photo sent while a handler's question waits (请拍张照片
// 发过来) is attached to the appeal and passed on to the handler, and the
// words after it are more of the answer — not a new appeal (found by a
// first user).
func TestPhotoAnswer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a := w.takenAppeal()
		w.say("worker-g1", "进展 "+a.Ref+" 请问能拍张照片发过来看看是哪盏灯吗？")
		n, before := w.appealsOf("resident"), len(w.pushesTo("worker-g1"))
		r, err := w.svc.Handle(context.Background(), models.Inbound{CommunityID: "c1", OpenID: "resident", MsgType: models.MsgImage,
			MediaID: "media-1", PicURL: "http://mmbiz.qpic.cn/lamp.jpg", MsgID: 9900})
		if err != nil || !strings.Contains(r.Reply, "照片已转给诉求 "+a.Ref+" 的承办人（李网格）") {
			t.Fatalf("photo in answer = %q, %v", r.Reply, err)
		}
		if r := w.say("resident", "就是3楼楼梯口那个"); r != "已转给承办人：「就是3楼楼梯口那个」" {
			t.Fatalf("words after the photo = %q", r)
		}
		ps := w.pushesTo("worker-g1")[before:]
		if len(ps) != 2 || !strings.Contains(ps[0], "http://mmbiz.qpic.cn/lamp.jpg") || !strings.Contains(ps[1], "3楼楼梯口") || w.appealsOf("resident") != n {
			t.Fatalf("worker told %q, appeals %d→%d; want the photo and the words, no new appeal", ps, n, w.appealsOf("resident"))
		}
		evs := w.events(a)
		found := false
		for _, e := range evs {
			found = found || (e.Action == string(models.ActAttachment) && e.Actor == string(models.ActorResident) && strings.Contains(e.Reason, "media-1"))
		}
		if !found {
			t.Fatalf("events %+v; want the photo attached to the appeal", evs)
		}
	})
}

// TestUrgentStaysWithAPerson: a new urgent appeal reaches the committee as
// well as its handler, and reclassified to 大事 while no liaison of its
// department is bound it stays with the grid worker on it, due as soon as
// before (found by a second user: a gas leak made 大事 went to "any
// liaison", none bound, due two days later).
func TestUrgentStaysWithAPerson(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		r := w.say("resident", "3栋楼道里着火了，好多烟")
		ref, ok := findRef(r)
		if !ok {
			t.Fatalf("the fire report = %q; want it filed", r)
		}
		a, err := db.AppealByRef(context.Background(), "c1", ref)
		if err != nil {
			t.Fatal(err)
		}
		worker := w.staff["worker-g1"].Ref()
		if a.Assignee != worker {
			t.Fatalf("the fire's handler %q; want the grid worker", a.Assignee)
		}
		if ps := w.pushesTo("committee"); len(ps) == 0 || !strings.Contains(ps[len(ps)-1], "【紧急】") {
			t.Fatalf("the committee's pushes %q; want the urgent task", ps)
		}
		due := *a.DueAt
		if r := w.say("committee", "改类 "+ref+" 大事 火灾隐患要消防部门查"); !strings.Contains(r, "已重新分类") {
			t.Fatalf("改类 = %q", r)
		}
		got := w.reload(a)
		if got.Kind != models.KindMajor || got.Assignee != worker || got.DueAt == nil || got.DueAt.After(due) {
			t.Fatalf("after 改类: %s, assignee %q, due %v (was %v); want major, the worker, no later", got.Kind, got.Assignee, got.DueAt, due)
		}
	})
}

// TestAnswerWhileRaisingAnother: a handler's question that comes while the
// resident is raising another appeal is answered in passing: the words the
// step cannot read go to the handler, the step's question is asked again
// and the draft goes on (found by a second user: the answer was 没看懂 and
// lost).
func TestAnswerWhileRaisingAnother(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a := w.takenAppeal()
		if r := w.say("resident", "麻烦你们管一下"); !strings.Contains(r, "想确认一下") {
			t.Fatalf("a vague new appeal = %q; want the kind question", r)
		}
		w.now = w.now.Add(time.Minute)
		w.say("worker-g1", "进展 "+a.Ref+" 请问是几楼的灯？")
		w.now = w.now.Add(time.Minute)
		before := len(w.pushesTo("worker-g1"))
		r := w.say("resident", "3楼和4楼之间的")
		if !strings.Contains(r, "已把这句话转给诉求 "+a.Ref) || !strings.Contains(r, "想确认一下") {
			t.Fatalf("the answer while raising another = %q; want it passed on and the kind question again", r)
		}
		if ps := w.pushesTo("worker-g1")[before:]; len(ps) != 1 || !strings.Contains(ps[0], "3楼和4楼之间的") {
			t.Fatalf("worker told %q; want the answer", ps)
		}
		if r := w.say("resident", "1"); strings.Contains(r, "没看懂") {
			t.Fatalf("the draft after the answer = %q; want it to go on", r)
		}
	})
}

// takenAppeal is a small appeal of "resident", who has written before (their
// resident row exists, as an author's does), taken by the grid's worker.
func (w *staffWorld) takenAppeal() *models.Appeal {
	w.t.Helper()
	w.say("resident", "你好")
	a := w.appeal(models.KindSmall)
	w.say("worker-g1", "接单 "+a.Ref)
	return a
}
