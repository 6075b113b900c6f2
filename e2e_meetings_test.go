package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/wx/wxfake"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/jobs"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// newMeetingHarness is newHarness with the admin API switched on.
func newMeetingHarness(t *testing.T, driver string) *harness {
	t.Helper()
	return newStaffHarness(t, driver)
}

// pushesTo returns the pushes the fake platform received for openID whose text has frag.
func pushesTo(p *wxfake.Platform, openID, frag string) []wxfake.Push {
	var out []wxfake.Push
	for _, x := range p.Pushes() {
		if x.ToUser == openID && strings.Contains(x.Text, frag) {
			out = append(out, x)
		}
	}
	return out
}

func waitPush(t *testing.T, p *wxfake.Platform, openID, frag string, n int) []wxfake.Push {
	t.Helper()
	waitFor(t, 15*time.Second, fmt.Sprintf("%d push(es) to %s with %q", n, openID, frag), func() bool {
		return len(pushesTo(p, openID, frag)) >= n
	})
	return pushesTo(p, openID, frag)
}

func counts(t *testing.T, body map[string]any) map[string]int {
	t.Helper()
	c, ok := body["counts"].(map[string]any)
	if !ok {
		t.Fatalf("no counts in %v", body)
	}
	out := map[string]int{}
	for k, v := range c {
		out[k] = int(v.(float64))
	}
	return out
}

// TestMeetingsEndToEnd is the meetings' acceptance: a small appeal → a
// building-level meeting → invitations to the building's residents and the
// property company → answers (with a waitlist) → a reschedule → reminders
// at the new time only → the outcome recorded and sent → the appeal
// updated; and the bad inputs refused. Through the webhook, the admin API
// and the fake WeChat platform, on SQLite and MariaDB.
func TestMeetingsEndToEnd(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) { meetingsEndToEnd(t, newMeetingHarness(t, d)) })
	}
}

func meetingsEndToEnd(t *testing.T, h *harness) {
	ctx := context.Background()
	p := h.app.Platform

	// A small appeal from building 3, and two neighbours registered there.
	wang, zhao, qian, sun := h.persona("o-wang"), h.persona("o-zhao"), h.persona("o-qian"), h.persona("o-sun")
	wang.say("3栋楼道灯坏了好几天了，晚上黑黢黢的")
	wang.say("3栋2单元501")
	wang.say("1")
	ref := refIn(t, wang.say("1"))
	for _, x := range []struct {
		p    *persona
		addr string
	}{{zhao, "3栋1单元201"}, {qian, "3栋2单元302"}, {sun, "5栋1单元101"}} {
		x.p.say("修改地址")
		x.p.say(x.addr)
		x.p.say("1")
	}

	// The stakeholder directory: the property company follows the account,
	// the owners' committee is reached by phone.
	st, prop := h.call("POST", "/api/stakeholders", map[string]any{"kind": "property", "name": "安居物业", "openid": "o-property", "buildings": []string{"1", "2", "3", "4"}})
	if st != http.StatusCreated {
		t.Fatalf("create stakeholder: %d %v", st, prop)
	}
	_, owners := h.call("POST", "/api/stakeholders", map[string]any{"kind": "owners_committee", "name": "业委会", "phone": "13800000000"})
	if st, body := h.call("POST", "/api/stakeholders", map[string]any{"kind": "landlord", "name": "x", "phone": "1"}); st != http.StatusBadRequest {
		t.Fatalf("bad stakeholder kind: %d %v", st, body)
	}

	startsAt := start.Add(58 * time.Hour) // Saturday 28 November, 19:00
	invitees := map[string]any{"buildings": []string{"3"}, "stakeholders": []any{prop["id"], owners["id"]}}
	t.Run("bad input is refused and nothing is stored", func(t *testing.T) {
		for _, c := range []struct {
			name string
			body map[string]any
			want string
		}{
			{"bad level", map[string]any{"topic": "t", "level": "street", "starts_at": startsAt.Format(time.RFC3339), "venue": "v", "invitees": invitees}, "level"},
			{"bad time", map[string]any{"topic": "t", "level": "building", "starts_at": "周六晚上", "venue": "v", "invitees": invitees}, "RFC 3339"},
			{"in the past", map[string]any{"topic": "t", "level": "building", "starts_at": start.Add(-time.Hour).Format(time.RFC3339), "venue": "v", "invitees": invitees}, "past"},
			{"nobody", map[string]any{"topic": "t", "level": "building", "starts_at": startsAt.Format(time.RFC3339), "venue": "v", "invitees": map[string]any{"buildings": []string{"99"}}}, "nobody"},
			{"capacity 0", map[string]any{"topic": "t", "level": "building", "starts_at": startsAt.Format(time.RFC3339), "venue": "v", "invitees": invitees, "capacity": 0}, "capacity"},
			{"unknown appeal", map[string]any{"topic": "t", "level": "building", "starts_at": startsAt.Format(time.RFC3339), "venue": "v", "invitees": invitees, "appeal_ref": "SQ2611269999"}, "SQ2611269999"},
		} {
			t.Run(c.name, func(t *testing.T) {
				st, body := h.call("POST", "/api/meetings", c.body)
				msg := fmt.Sprint(body["error"])
				if st != http.StatusBadRequest || !strings.Contains(msg, c.want) {
					t.Fatalf("%d %v, want 400 mentioning %q", st, body, c.want)
				}
			})
		}
		if st, _ := h.call("GET", "/api/meetings/1", nil); st != http.StatusNotFound {
			t.Fatalf("a refused meeting was stored: GET answered %d", st)
		}
	})

	// The building-level meeting, with two seats, broadcast.
	st, body := h.call("POST", "/api/meetings", map[string]any{"topic": "3栋楼道照明改造", "level": "building",
		"starts_at": startsAt.Format(time.RFC3339), "venue": "3栋架空层", "appeal_ref": ref, "capacity": 2, "invitees": invitees})
	code1, _ := body["code"].(string)
	if _, ok := models.NormalizeMeetingCode(code1); st != http.StatusCreated || !ok {
		t.Fatalf("create meeting: %d %v", st, body)
	}
	id := int(body["id"].(float64))
	path := fmt.Sprintf("/api/meetings/%d", id)
	st, body = h.call("POST", path+"/broadcast", nil)
	sent := body["sent"].(map[string]any)
	if st != http.StatusOK || sent["queued"].(float64) != 4 || sent["unreachable"].(float64) != 1 {
		t.Fatalf("broadcast: %d %v", st, body)
	}
	un := body["unreachable"].([]any)
	if len(un) != 1 || un[0].(map[string]any)["phone"] != "13800000000" {
		t.Fatalf("unreachable list: %v", un)
	}
	for _, who := range []string{"o-wang", "o-zhao", "o-qian"} {
		got := waitPush(t, p, who, code1, 1)
		expect(t, "invitation to "+who, got[0].Text, "议事会议邀请", "3栋楼道照明改造", "3栋架空层", "11月28日 19:00", "参加 "+code1)
	}
	waitPush(t, p, "o-property", code1, 1) // a template: the property never wrote to the account
	if len(pushesTo(p, "o-sun", code1)) != 0 {
		t.Fatal("a resident of building 5 was invited")
	}
	if again, _ := h.call("POST", path+"/broadcast", nil); again != http.StatusOK {
		t.Fatalf("second broadcast: %d", again)
	}

	t.Run("answers", func(t *testing.T) {
		expect(t, "menu", wang.click("MEETINGS"), code1, "3栋楼道照明改造", "未回复")
		expect(t, "wang accepts by a bare 报名", wang.say("报名"), "已登记您参加会议 "+code1, "3栋架空层")
		expect(t, "wang again", wang.say("参加 "+code1), "已回复过")
		expect(t, "zhao accepts", zhao.say("参加 "+strings.ToLower(code1)), "已登记您参加")
		expect(t, "qian waitlisted", qian.say("报名 "+code1), "候补第1位")
		expect(t, "unknown code", qian.say("参加 YS999"), "没有找到邀请您的会议 YS999")
		expect(t, "not invited", sun.say("参加 "+code1), "没有找到邀请您的会议")
		expect(t, "nothing pending", sun.say("不参加"), "目前没有邀请您")
		expect(t, "zhao declines", zhao.say("不参加 "+code1), "已登记您不参加")
		waitPush(t, p, "o-qian", "候补转正", 1)
		_, body := h.call("GET", path, nil)
		c := counts(t, body)
		if c["accepted"] != 2 || c["declined"] != 1 || c["waitlisted"] != 0 || c["pending"] != 2 {
			t.Fatalf("counts %v", c)
		}
	})

	newStart := startsAt.Add(24 * time.Hour)
	t.Run("reschedule", func(t *testing.T) {
		if st, body := h.call("PATCH", path, map[string]any{"starts_at": newStart.Format(time.RFC3339)}); st != http.StatusBadRequest {
			t.Fatalf("reschedule without a reason: %d %v", st, body)
		}
		st, body := h.call("PATCH", path, map[string]any{"starts_at": newStart.Format(time.RFC3339), "reason": "周六停电"})
		if st != http.StatusOK || body["meeting"].(map[string]any)["status"] != "rescheduled" {
			t.Fatalf("reschedule: %d %v", st, body)
		}
		for _, who := range []string{"o-wang", "o-zhao", "o-qian"} {
			got := waitPush(t, p, who, "改期", 1)
			expect(t, "reschedule card", got[0].Text, "11月29日 19:00", "周六停电", code1)
		}
	})

	t.Run("reminders at the new time only", func(t *testing.T) {
		job := h.app.Jobs.Jobs[config.JobMeetingReminder].(*jobs.MeetingReminder)
		job.Now = h.clock
		reminders := func() map[string]int {
			out := map[string]int{}
			for _, x := range p.Pushes() {
				if strings.Contains(x.Text, "会议提醒") || strings.HasPrefix(x.ClientMsgID, "meet:") {
					out[x.ToUser]++
				}
			}
			return out
		}
		run := func(at time.Time) int {
			h.mu.Lock()
			h.now = at
			h.mu.Unlock()
			c, err := job.RunCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return c["pushes"]
		}
		if n := run(startsAt.Add(-30 * time.Minute)); n != 0 {
			t.Fatalf("%d reminders half an hour before the old time", n)
		}
		if n := run(newStart.Add(-30 * time.Minute)); n != 2 {
			t.Fatalf("%d reminders before the new time, want 2 (the two who accepted)", n)
		}
		if n := run(newStart.Add(-20 * time.Minute)); n != 0 {
			t.Fatalf("%d reminders on a second run, want none", n)
		}
		waitFor(t, 15*time.Second, "reminders delivered", func() bool { r := reminders(); return r["o-wang"] == 1 && r["o-qian"] == 1 })
		r := reminders()
		var who []string
		for k := range r {
			who = append(who, k)
		}
		sort.Strings(who)
		if fmt.Sprint(who) != "[o-qian o-wang]" {
			t.Fatalf("reminded %v, want the two who accepted", r)
		}
		for _, x := range pushesTo(p, "o-wang", "会议提醒") {
			expect(t, "reminder", x.Text, "11月29日 19:00")
		}
	})

	t.Run("outcome", func(t *testing.T) {
		if st, _ := h.call("POST", path+"/outcome", map[string]any{"minutes": "m", "measures": "x"}); st != http.StatusConflict {
			t.Fatalf("outcome before the meeting: %d", st)
		}
		h.advance(2 * time.Hour) // the meeting has been held
		code, _, err := h.app.Store.CreateInvite(ctx, models.InviteRequest{CommunityID: "sample", Role: models.RoleGridWorker, GridID: "g1", Name: "网格员小刘"}, h.clock(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		worker, err := h.app.Store.BindStaff(ctx, "sample", "o-worker", code, h.clock())
		if err != nil {
			t.Fatal(err)
		}
		st, body := h.call("POST", path+"/outcome", map[string]any{
			"minutes": "到会12户，一致同意更换声控灯", "measures": "3栋各层更换声控LED灯",
			"assignments":  []map[string]string{{"who": "安居物业", "what": "采购安装"}, {"who": "网格员小刘", "what": "验收"}},
			"funding":      []map[string]any{{"source": "居民", "amount": 1200}, {"source": "物业", "amount": 800}},
			"appeals_next": "assign", "assignee": worker.Ref()})
		if st != http.StatusOK || body["meeting"].(map[string]any)["status"] != "held" {
			t.Fatalf("outcome: %d %v", st, body)
		}
		for _, who := range []string{"o-wang", "o-zhao", "o-qian", "o-property"} {
			waitPush(t, p, who, "声控LED灯", 1)
		}
		// Wang's window has closed (a template went out); the stored card is the customer-service text.
		var card models.OutboxMessage
		if err := h.app.Store.Gorm().Where("idem_key LIKE ?", fmt.Sprintf("meeting:%d:outcome:o-wang:%%", id)).Take(&card).Error; err != nil {
			t.Fatal(err)
		}
		expect(t, "outcome card", card.Text, "议事结果", "采购安装", "居民 1200元", "到会12户")
		a, err := h.app.Store.AppealByRef(ctx, h.app.Config.Communities[0].ID, ref)
		if err != nil || a.Assignee != worker.Ref() || a.Status != models.StatusAssigned {
			t.Fatalf("appeal after the outcome: %+v %v", a, err)
		}
		evs, _ := h.app.Store.AppealEvents(ctx, a.ID)
		var actions []string
		for _, e := range evs {
			actions = append(actions, e.Action)
		}
		if !strings.Contains(strings.Join(actions, ","), "meeting_decision,reassign") {
			t.Fatalf("appeal events %v", actions)
		}
		expect(t, "answer after the meeting", wang.say("不参加 "+code1), "已经开始或结束")
	})

	t.Run("raise to the group level", func(t *testing.T) {
		st, body := h.call("POST", path+"/raise", map[string]any{"level": "group", "starts_at": h.clock().Add(72 * time.Hour).Format(time.RFC3339),
			"venue": "社区会议室", "broadcast": true})
		m := body["meeting"].(map[string]any)
		if st != http.StatusCreated || m["raised_from"].(float64) != float64(id) || m["level"] != "group" || m["code"] == code1 {
			t.Fatalf("raise: %d %v", st, body)
		}
		if st, _ := h.call("POST", path+"/raise", map[string]any{"level": "building", "starts_at": h.clock().Add(72 * time.Hour).Format(time.RFC3339), "venue": "v"}); st != http.StatusBadRequest {
			t.Fatalf("raise to the same level: %d", st)
		}
	})

	t.Run("committee calls and cancels by chat", func(t *testing.T) {
		// Pushes of a chat turn are due at the turn's time: back to the
		// dispatcher's (real) clock so that they go out now.
		h.mu.Lock()
		h.now = time.Now().Truncate(time.Second)
		h.mu.Unlock()
		code, _, err := h.app.Store.CreateInvite(ctx, models.InviteRequest{CommunityID: "sample", Role: models.RoleCommittee, Name: "张主任"}, h.clock(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.app.Store.BindStaff(ctx, "sample", "o-zhang", code, h.clock()); err != nil {
			t.Fatal(err)
		}
		zhang := h.persona("o-zhang")
		expect(t, "past", zhang.say("开会 5栋 2026-11-01 19:00 5栋门口 停车秩序"), "已经过去")
		expect(t, "nobody", zhang.say("开会 99栋 明天19:00 门口 停车秩序"), "找不到可以邀请的人")
		expect(t, "bad scope", zhang.say("开会 某处 明天19:00 门口 停车"), "没看懂会议范围")
		r := zhang.say("开会 5栋 明天19:00 5栋门口 停车秩序")
		expect(t, "called", r, "已发起会议 YS", "停车秩序", "邀请1人")
		code3 := regexp.MustCompile(`YS[0-9]+`).FindString(r)
		waitPush(t, p, "o-sun", code3, 1)
		expect(t, "counts", zhang.say("会议 "+code3), "未回复1")
		expect(t, "resident may not cancel", sun.say("取消会议 "+code3+" 下雨"), "只有社区两委成员")
		expect(t, "cancel", zhang.say("取消会议 "+code3+" 下雨改期"), "已取消", "已通知1人")
		waitPush(t, p, "o-sun", "已取消", 1)
		// Sent as a template it says so too, not only the reason (found by a first user).
		var row models.OutboxMessage
		if err := h.app.Store.Gorm().Where("open_id = ? AND idem_key LIKE ?", "o-sun", "meeting:%:cancel:%").Take(&row).Error; err != nil ||
			!strings.Contains(row.Data, "会议已取消：下雨改期") {
			t.Errorf("cancellation card: %v %q", err, row.Data)
		}
		expect(t, "answer to a cancelled meeting", sun.say("参加 "+code3), "已取消")
		if st, _ := h.call("POST", "/api/meetings/3/cancel", map[string]any{"reason": "again"}); st != http.StatusConflict {
			t.Fatalf("cancel twice: %d", st)
		}
	})
}
