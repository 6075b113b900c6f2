package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/jobs"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

const e2eAdminToken = "e2e-admin-token-0123456789abcdef"

// newStaffHarness is newHarness with the admin API on.
func newStaffHarness(t *testing.T, driver string) *harness {
	t.Helper()
	return newHarness(t, driver, "GONGZHI_ADMIN_TOKEN="+e2eAdminToken)
}

// api calls the admin API and decodes the JSON answer.
func (h *harness) api(method, path string, body any, want int) map[string]any {
	h.t.Helper()
	code, out := h.call(method, path, body)
	if code != want {
		h.t.Fatalf("%s %s: %d, want %d: %v", method, path, code, want, out)
	}
	return out
}

// call calls the admin API and decodes a JSON object answer into a map.
func (h *harness) call(method, path string, body any) (int, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+e2eAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			h.t.Fatalf("%s %s: not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

// pushFor waits until the fake platform got a push to openID containing
// every fragment, and returns its text.
func (h *harness) pushFor(openID string, fragments ...string) string {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, p := range h.app.Platform.Pushes() {
			if p.ToUser != openID {
				continue
			}
			ok := true
			for _, f := range fragments {
				ok = ok && strings.Contains(p.Text, f)
			}
			if ok {
				return p.Text
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("no push to %s with %q; pushes: %+v", openID, fragments, h.app.Platform.Pushes())
	return ""
}

// templateFor waits for a template message to openID whose fields hold ref.
func (h *harness) templateFor(openID, ref string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, p := range h.app.Platform.Pushes() {
			if p.ToUser == openID && p.Kind == "template" && strings.Contains(p.Text, ref) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("no template to %s about %s", openID, ref)
}

// raise takes a resident from a description to a submitted appeal,
// answering the bot's questions, and returns the reference code.
func raise(t *testing.T, p *persona, text, address string) string {
	t.Helper()
	r := p.say(text)
	for range 6 {
		switch {
		case strings.Contains(r, "已提交"):
			return refIn(t, r)
		case strings.Contains(r, "对吗"), strings.Contains(r, "1 确认提交"):
			r = p.say("1")
		case strings.Contains(r, "附议"):
			r = p.say("2") // submit separately
		case strings.Contains(r, "住址"):
			r = p.say(address)
		default:
			t.Fatalf("unexpected reply %q", r)
		}
	}
	t.Fatalf("appeal not submitted; last reply %q", r)
	return ""
}

// TestStaffDay is the staff's acceptance, through the real webhook and the
// fake WeChat platform on SQLite and MariaDB: staff bind by chat, residents
// raise a small and two major appeals, the handlers get pushes and work them
// by chat, the residents rate (one unhappy, reopened, resolved again), the
// committee reclassifies one (PATCH) and escalates it (chat), and /api/stats
// and Open311 show exactly that.
func TestStaffDay(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) { staffDay(t, newStaffHarness(t, d)) })
	}
}

func staffDay(t *testing.T, h *harness) {
	ctx := context.Background()
	roadText := "小区门口的马路坏了好多坑，下雨全是水"
	dec := h.app.Classifier.Classify(roadText)
	if dec.Item == nil || dec.Kind != models.KindMajor {
		t.Fatalf("road text classified %+v", dec)
	}
	unit := []rune(dec.Item.Unit)
	dept := string(unit[:min(len(unit), 39)])
	if len(unit) > 40 {
		dept += "…"
	} else {
		dept = dec.Item.Unit
	}

	// Administration: a department and three invite codes.
	h.api("POST", "/api/departments", map[string]any{"name": dept}, http.StatusCreated)
	code := func(body map[string]any) string {
		out := h.api("POST", "/api/staff/invites", body, http.StatusCreated)
		c, _ := out["code"].(string)
		if c == "" {
			t.Fatalf("invite answer %v", out)
		}
		return c
	}
	worker, liaison, committee := h.persona("o-worker"), h.persona("o-liaison"), h.persona("o-committee")
	expect(t, "bind worker", worker.say("绑定 "+code(map[string]any{"role": "grid_worker", "grid": "g1", "name": "李网格"})), "绑定成功", "网格员")
	expect(t, "bind liaison", liaison.say("绑定 "+code(map[string]any{"role": "liaison", "department": dept, "name": "钱联络"})), "绑定成功", "联络员")
	expect(t, "bind committee", committee.say("绑定 "+code(map[string]any{"role": "committee", "name": "周委员"})), "绑定成功", "两委")
	expect(t, "resident refused", h.persona("o-nosy").say("接单 SQ2611260001"), "还没有绑定工作人员身份")

	// Residents raise appeals; the handlers get pushes.
	wang, zhang, li := h.persona("o-wang"), h.persona("o-zhang"), h.persona("o-li")
	small := raise(t, wang, "3栋楼道灯坏了好几天了，晚上黑黢黢的", "3栋2单元501")
	h.pushFor("o-worker", small, "接单 "+small)
	h.advance(time.Minute)
	major := raise(t, zhang, roadText, "")
	h.pushFor("o-liaison", major, "接单 "+major)
	h.advance(time.Minute)
	third := raise(t, li, "2栋楼道灯坏了，楼梯上看不见", "2栋1单元302")
	h.pushFor("o-worker", third)
	expect(t, "tasks", worker.say("我的任务"), small, third, "2件")

	// The worker works the small appeal by chat; the resident hears of each step.
	h.advance(time.Hour)
	expect(t, "accept", worker.say("接单 "+small), "已接单")
	h.pushFor("o-wang", small, "李网格", "接单")
	expect(t, "progress", worker.say("进展 "+small+" 已买好灯泡，下午安装"), "进展已记录")
	h.pushFor("o-wang", "已买好灯泡")
	h.advance(2 * time.Hour)
	expect(t, "resolve", worker.say("办结 "+small+" 灯泡已更换"), "已办结")
	expect(t, "photo", worker.image("photo-after-fix"), "照片已附在诉求 "+small)
	h.pushFor("o-wang", "灯泡已更换", "满意")
	expect(t, "unhappy", wang.say("不满意 晚上还是不亮"), "重新交办")
	h.pushFor("o-worker", "晚上还是不亮")
	h.pushFor("o-committee", "晚上还是不亮")
	h.advance(time.Hour)
	expect(t, "resolve again", worker.say("办结 "+small+" 换了线路，已试过"), "已办结")
	h.pushFor("o-wang", "换了线路")
	expect(t, "happy", wang.say("满意"), "感谢评价")

	// The liaison works the major appeal.
	expect(t, "liaison accept", liaison.say("接单 "+major), "已接单")
	expect(t, "liaison progress", liaison.say("进展 "+major+" 已安排施工队"), "进展已记录")
	expect(t, "liaison resolve", liaison.say("办结 "+major+" 坑已填平"), "已办结")
	h.pushFor("o-zhang", "坑已填平")
	expect(t, "zhang happy", zhang.say("满意 "+major), "感谢评价")
	expect(t, "worker on major", worker.say("接单 "+major), "不能接单")

	// The committee reclassifies the third appeal (PATCH) and escalates it by chat.
	h.api("PATCH", "/api/appeals/"+third, map[string]any{"kind": "major", "level": "street", "reason": "涉及市政照明"}, http.StatusOK)
	expect(t, "escalate", committee.say("上报 "+third+" 需要区里统筹"), "已上报", "区级统筹")
	h.pushFor("o-li", third, "区级统筹")

	// What is stored.
	want := map[string]struct {
		status models.Status
		acts   string
	}{
		small: {models.StatusClosed, "submit assign accept progress resolve attachment rate_unsatisfied accept resolve rate_satisfied"}, // 办结 after a reopen accepts again first
		major: {models.StatusClosed, "submit assign accept progress resolve rate_satisfied"},
		third: {models.StatusEscalated, "submit assign reclassify escalate set_deadline"},
	}
	for ref, w := range want {
		a, err := h.app.Store.AppealByRef(ctx, h.app.Config.Communities[0].ID, ref)
		if err != nil {
			t.Fatal(err)
		}
		evs, _ := h.app.Store.AppealEvents(ctx, a.ID)
		var acts []string
		for _, ev := range evs {
			acts = append(acts, ev.Action)
		}
		if a.Status != w.status || strings.Join(acts, " ") != w.acts {
			t.Errorf("%s: %s %v, want %s %s", ref, a.Status, acts, w.status, w.acts)
		}
	}

	// /api/stats matches the day exactly.
	st := h.api("GET", "/api/stats?from=2026-11-26&to=2026-11-27", nil, http.StatusOK)
	rate := func(key string) [2]float64 {
		r, _ := st[key].(map[string]any)
		num, _ := r["num"].(float64)
		den, _ := r["den"].(float64)
		return [2]float64{num, den}
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"total", st["total"], 3.0},
		{"by kind", st["by_kind"], map[string]any{"small": 1.0, "major": 2.0}},
		{"by level", st["by_level"], map[string]any{"community": 1.0, "street": 1.0, "district": 1.0}},
		{"by status", st["by_status"], map[string]any{"closed": 2.0, "escalated": 1.0}},
		{"response", rate("response_rate"), [2]float64{2, 3}},
		{"resolution", rate("resolution_rate"), [2]float64{2, 3}},
		{"satisfaction", rate("satisfaction_rate"), [2]float64{2, 3}},
		{"on time", rate("on_time_rate"), [2]float64{2, 2}},
		{"unrated", st["unrated"], 0.0},
	}
	for _, c := range checks {
		g, _ := json.Marshal(c.got)
		w, _ := json.Marshal(c.want)
		if string(g) != string(w) {
			t.Errorf("stats %s = %s, want %s", c.name, g, w)
		}
	}
	wantSplit := `{"community":{"resolved":1,"total":1},"district":{"resolved":0,"total":1},"street":{"resolved":1,"resolved_on_time":1,"total":1}}`
	if split, _ := json.Marshal(st["split"]); string(split) != wantSplit {
		t.Errorf("split %s, want %s", split, wantSplit)
	}

	// Open311 shows the three, two closed and one open, with no personal data.
	resp, err := http.Get(h.srv.URL + "/open311/v2/requests.json?start_date=2026-11-26T00:00:00%2B08:00")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var reqs []map[string]any
	if err := json.Unmarshal(raw, &reqs); err != nil {
		t.Fatalf("requests.json: %v: %s", err, raw)
	}
	got := map[string]string{}
	for _, r := range reqs {
		id, _ := r["service_request_id"].(string)
		got[id], _ = r["status"].(string)
	}
	wantOpen := map[string]string{small: "closed", major: "closed", third: "open"}
	if g, _ := json.Marshal(got); string(g) != string(mustJSON(wantOpen)) {
		t.Errorf("open311 statuses %s, want %s", g, mustJSON(wantOpen))
	}
	for _, pd := range []string{"o-wang", "o-zhang", "o-li", "501", "302"} {
		if strings.Contains(string(raw), pd) {
			t.Errorf("open311 output holds personal data %q", pd)
		}
	}

	// Unrated appeals close after the rating window and never count as satisfied.
	h.advance(time.Hour)
	expect(t, "another", worker.say("我的任务"), "没有未办结")
	fourth := raise(t, h.persona("o-sun"), "4栋楼道灯坏了，晚上很黑", "4栋1单元101")
	expect(t, "accept fourth", worker.say("接单 "+fourth), "已接单")
	expect(t, "resolve fourth", worker.say("办结 "+fourth+" 已更换"), "已办结")
	job := h.app.Jobs.Jobs[jobs.JobCloseUnrated].(*jobs.CloseUnrated)
	h.advance(8 * 24 * time.Hour) // past the rating window, for the job and the dispatcher alike
	c, err := job.RunCounts(ctx)
	if err != nil || c["closed"] != 1 {
		t.Fatalf("close unrated = %v, %v; want 1 closed", c, err)
	}
	// Eight days on, the resident is outside WeChat's 48-hour window: the
	// notice goes as a template, whose short fields carry the reference.
	h.templateFor("o-sun", fourth)
	st = h.api("GET", "/api/stats?from=2026-11-26&to=2026-11-27", nil, http.StatusOK)
	if s := rate("satisfaction_rate"); s != [2]float64{2, 3} || st["unrated"] != 1.0 {
		t.Errorf("after close_unrated: satisfaction %v unrated %v; want 2/3 and 1", s, st["unrated"])
	}

	// Failed pushes for the committee: no openid, no text.
	out := h.api("GET", "/api/outbox/failed?since=2026-11-01T00:00:00%2B08:00", nil, http.StatusOK)
	b, _ := json.Marshal(out)
	if strings.Contains(string(b), "o-") || strings.Contains(string(b), "text") {
		t.Errorf("failed pushes list holds openids or texts: %s", b)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestAppealFlood: one resident cannot bury a grid worker in tasks: past
// MaxAppealsPerDay open appeals for others to handle in 24 hours, a further
// one is refused with the hotline and stores nothing, and a day later the
// resident may submit again (found by an attacker who submitted 15 appeals
// in a second).
func TestAppealFlood(t *testing.T) {
	h := newHarness(t, storetest.Drivers(t)[0])
	ctx := context.Background()
	p := h.persona("o-flood")
	texts := []string{"3栋楼道灯坏了", "3栋门口垃圾没人清", "3栋电梯按钮失灵", "3栋楼顶漏水", "3栋楼梯扶手松了"}
	for _, text := range texts {
		raise(t, p, text, "3栋2单元501")
	}
	count := func() int {
		list, err := h.app.Store.ListAppeals(ctx, models.AppealFilter{CommunityID: "sample", OpenID: "o-flood", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	r := p.say("3栋单元门关不上了")
	for i := 0; i < 3 && !strings.Contains(r, "24小时内已提交了5件"); i++ {
		r = p.say("1") // confirm (or answer a question); the limit answers at the submit
	}
	if !strings.Contains(r, "24小时内已提交了5件") || !strings.Contains(r, "023-") || count() != len(texts) {
		t.Fatalf("sixth appeal: %q, %d appeals stored; want a refusal with the hotline and %d", r, count(), len(texts))
	}
	if after := p.say("1"); strings.Contains(after, "已提交") {
		t.Fatalf("the refused draft was kept: %q", after)
	}
	h.advance(25 * time.Hour)
	raise(t, p, "3栋单元门关不上了", "3栋2单元501")
	if count() != len(texts)+1 {
		t.Fatalf("a day later: %d appeals, want %d", count(), len(texts)+1)
	}
}

// TestUrgentFloodRace: urgent messages are filed without a conversation, so
// nothing but the per-person lock keeps 20 sent at once from racing past the
// limit (an attacker's 30 at once filed 19).
func TestUrgentFloodRace(t *testing.T) {
	h := newHarness(t, storetest.Drivers(t)[0])
	p := h.persona("o-racer")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.say(fmt.Sprintf("%d栋电梯关人了，第%d次", 1+i%12, i))
		}()
	}
	wg.Wait()
	list, err := h.app.Store.ListAppeals(context.Background(), models.AppealFilter{CommunityID: "sample", OpenID: "o-racer", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != bot.MaxAppealsPerDay {
		t.Fatalf("%d appeals filed by 20 urgent messages at once, want %d", len(list), bot.MaxAppealsPerDay)
	}
	// Refused with no place said: refused, not asked where.
	if r := p.say("楼道里一股很大的煤气味"); !strings.Contains(r, "24小时内已提交了5件") || strings.Contains(r, "请马上回复具体位置") || strings.Contains(r, "已直接为您提交") {
		t.Fatalf("urgent past the limit = %q", r)
	}
}

// TestUrgentAskWhere: an urgent appeal filed with no place known asks where,
// and the answer is a note on it, not a new appeal or a home address (found
// by a second user: 楼栋 未登记 on a gas leak); the place it gives becomes
// the appeal's, and its grid's worker gets the task (found by a first user:
// it stayed in the committee's pool).
func TestUrgentAskWhere(t *testing.T) {
	h := newHarness(t, storetest.Drivers(t)[0])
	ctx := context.Background()
	code, _, err := h.app.Store.CreateInvite(ctx, models.InviteRequest{CommunityID: "sample", Role: models.RoleGridWorker, GridID: "g3", Name: "网格员小刘"}, h.clock(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	worker, err := h.app.Store.BindStaff(ctx, "sample", "o-worker3", code, h.clock())
	if err != nil {
		t.Fatal(err)
	}
	p := h.persona("o-gas")
	r := p.say("楼道里一股很大的煤气味")
	if !strings.Contains(r, "已直接为您提交") || !strings.Contains(r, "请马上回复具体位置") {
		t.Fatalf("urgent with no place = %q", r)
	}
	ref := refIn(t, r)
	if r := p.say("在9栋3单元，4楼和5楼之间味道最大"); !strings.Contains(r, "已把您的留言转给诉求 "+ref) {
		t.Fatalf("the place = %q; want it passed on as a note", r)
	}
	list, _ := h.app.Store.ListAppeals(ctx, models.AppealFilter{CommunityID: "sample", OpenID: "o-gas", Limit: 10})
	if len(list) != 1 {
		t.Fatalf("%d appeals, want the one", len(list))
	}
	if a := list[0]; a.Building != "9" || a.GridID != "g3" || a.Assignee != worker.Ref() {
		t.Fatalf("the placed appeal: building %q grid %q assignee %q; want 9, g3 and the grid's worker", a.Building, a.GridID, a.Assignee)
	}
	var task models.OutboxMessage
	if err := h.app.Store.Gorm().Where("open_id = ? AND type = ?", "o-worker3", models.PushTaskAssigned).Take(&task).Error; err != nil ||
		!strings.Contains(task.Text, "【紧急】") || !strings.Contains(task.Text, ref) {
		t.Fatalf("the grid worker's task push: %+v, %v; want the urgent task", task, err)
	}
	if res, err := h.app.Store.Resident(ctx, "sample", "o-gas"); err == nil && res.Building != "" {
		t.Fatalf("the place became the home address: %+v", res)
	}
	// A place said at once asks nothing more.
	if r := h.persona("o-fire").say("3栋楼道着火了"); strings.Contains(r, "请马上回复具体位置") {
		t.Fatalf("urgent with a building = %q", r)
	}
}
