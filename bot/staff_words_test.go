package bot

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// register gives openID a home address, as the registration conversation does.
func (w *staffWorld) register(openID, building, unit, room string) {
	w.t.Helper()
	at := w.now.UTC()
	if err := w.db.CommitTurn(context.Background(), &models.Turn{CommunityID: "c1", OpenID: openID, At: at,
		Resident: &models.Resident{Building: building, Unit: unit, Room: room, GridID: "g1", LastMessageAt: &at}}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *staffWorld) click(openID, key string) string {
	w.t.Helper()
	r, err := w.svc.Handle(context.Background(), models.Inbound{CommunityID: "c1", OpenID: openID, MsgType: models.MsgEvent,
		Event: models.EventClick, EventKey: key, MsgID: 0, CreateTime: w.now.Unix() + w.msgID.Add(1)})
	if err != nil {
		w.t.Fatalf("%s clicks %s: %v", openID, key, err)
	}
	return r.Reply
}

// TestStaffWordsAsPeopleWriteThem: the committee's help lists each of its
// commands once (not 退回, which would return a task to the committee
// itself; a worker's help lists it); 办结 without 接单 accepts first; the writer's full-width
// punctuation reaches the resident; 改派 takes a unique name; a task push
// says building and unit and how to reach the resident.
func TestStaffWordsAsPeopleWriteThem(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		help := w.say("committee", "帮助")
		for _, cmd := range []string{"接单", "进展", "办结", "上报", "我的任务", "改派", "改类", "开会", "会议", "取消会议", "登录"} {
			n := 0
			for _, line := range strings.Split(help, "\n") {
				if strings.HasPrefix(line, cmd+" ") || strings.HasPrefix(line, cmd+"—") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("committee help lists %s %d times; want once:\n%s", cmd, n, help)
			}
		}
		if strings.Contains(help, "退回") {
			t.Errorf("committee help lists 退回:\n%s", help)
		}
		// A grid worker's 开会 is refused, not taken for an appeal.
		if r := w.say("worker-g1", "开会 3栋 明天下午3点 会议室 油烟"); !strings.Contains(r, "只有社区两委成员") {
			t.Errorf("a worker's 开会 = %q; want a refusal", r)
		}
		if h := w.say("worker-g1", "帮助"); strings.Contains(h, "开会") || strings.Contains(h, "改派") || !strings.Contains(h, "退回 编号 原因") {
			t.Errorf("a worker's help lists committee commands or lacks 退回:\n%s", h)
		}

		// 办结 without 接单, full-width punctuation kept.
		w.register("resident", "3", "2", "501")
		a := w.appeal(models.KindSmall)
		n := len(w.pushesTo("resident"))
		if r := w.say("worker-g1", "办结 "+a.Ref+"：已更换灯泡，请您查看！"); !strings.Contains(r, "已办结") {
			t.Fatalf("办结 = %q", r)
		}
		var evs []string
		for _, ev := range w.events(a) {
			evs = append(evs, ev.Action)
		}
		if got := strings.Join(evs, " "); got != "assign accept resolve" {
			t.Errorf("events %s; want assign accept resolve (办结 accepts first)", got)
		}
		if ps := w.pushesTo("resident")[n:]; len(ps) == 0 || !strings.Contains(ps[0], "已更换灯泡，请您查看！") {
			t.Errorf("resident pushes %q; want the note with its full-width punctuation", ps)
		}
		// A full-width code is read; the note keeps its punctuation.
		b := w.appeal(models.KindSmall)
		wide := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
				return r + 0xFEE0
			}
			return r
		}, b.Ref)
		n = len(w.pushesTo("resident"))
		if r := w.say("worker-g1", "进展 "+wide+" 材料已订，明天（周五）上门。"); !strings.Contains(r, "进展已记录") {
			t.Fatalf("进展 with a full-width code = %q", r)
		}
		if ps := w.pushesTo("resident")[n:]; len(ps) == 0 || !strings.Contains(ps[len(ps)-1], "材料已订，明天（周五）上门。") {
			t.Errorf("resident pushes %q; want the progress as written", ps)
		}

		// A working-day limit ends on a working day, said alike to staff and residents.
		e := w.appeal(models.KindSmall)
		n = len(w.pushesTo("resident"))
		if r := w.say("worker-g1", "上报 "+e.Ref+" 需要街道协调"); !strings.Contains(r, "12月7日（周一）") {
			t.Errorf("上报 = %q; want the street's 7 working days: 12月7日（周一）", r)
		}
		if ps := w.pushesTo("resident")[n:]; len(ps) != 1 || !strings.Contains(ps[0], "12月7日（周一）") {
			t.Errorf("resident told %q; want the same date", ps)
		}
		// At the street a community matter is the street office's, not 社区居委会's.
		if got := w.reload(e); got.Level != models.LevelStreet || got.Unit != messages.ZhCN.UnitDefault["major"] {
			t.Errorf("escalated: level %s unit %q; want street, %q", got.Level, got.Unit, messages.ZhCN.UnitDefault["major"])
		}

		// 改派 by a unique name; the push has building, unit and a phone the resident wrote.
		c := w.appeal(models.KindSmall)
		if err := db.Gorm().Model(&models.Appeal{}).Where("id = ?", c.ID).
			Update("description", "楼道灯不亮，联系电话13812345678").Error; err != nil {
			t.Fatal(err)
		}
		worker2 := w.staff["worker-g2"].OpenID
		n = len(w.pushesTo(worker2))
		if r := w.say("committee", "改派 "+c.Ref+" 赵网格 李网格休假"); !strings.Contains(r, "已改派") || !strings.Contains(r, "赵网格") {
			t.Fatalf("改派 by name = %q", r)
		}
		ps := w.pushesTo(worker2)[n:]
		if len(ps) != 1 || !strings.Contains(ps[0], "地点：3栋2单元") || !strings.Contains(ps[0], "13812345678") {
			t.Errorf("task push %q; want 3栋2单元 and the resident's phone", ps)
		}
		d := w.appeal(models.KindSmall)
		n = len(w.pushesTo(worker2))
		w.say("committee", "改派 "+d.Ref+" 赵网格 换人")
		if ps := w.pushesTo(worker2)[n:]; len(ps) != 1 || !strings.Contains(ps[0], "居民未留电话") || !strings.Contains(ps[0], "进展 "+d.Ref) {
			t.Errorf("task push without a phone %q; want the way through the account", ps)
		}
		if r := w.say("committee", "改派 "+c.Ref+" 无名氏 原因"); !strings.Contains(r, "没有找到工作人员") {
			t.Errorf("改派 to an unknown name = %q", r)
		}
		code, _, err := db.CreateInvite(context.Background(), models.InviteRequest{CommunityID: "c1", Role: models.RoleGridWorker,
			GridID: "g1", Name: "赵网格"}, w.now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		w.say("worker-zhao2", "绑定 "+code)
		if r := w.say("committee", "改派 "+c.Ref+" 赵网格 再换"); !strings.Contains(r, "不止一位") {
			t.Errorf("改派 to a shared name = %q; want it called ambiguous", r)
		}
		if got := w.reload(c); got.Assignee != w.staff["worker-g2"].Ref() {
			t.Errorf("an ambiguous 改派 changed the assignee to %s", got.Assignee)
		}
	})
}

// TestMeetingWordsAsPeopleWriteThem: 开会 keeps the organiser's
// punctuation in the invitation; 会议 <code> lists names and answers; the
// 议事会议 menu shows an organiser the meetings they called.
func TestMeetingWordsAsPeopleWriteThem(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		w.register("resident", "3", "2", "501")
		if r := w.click("committee", KeyMeetings); !strings.Contains(r, "没有") {
			t.Errorf("menu before any meeting = %q", r)
		}
		r := w.say("committee", "开会 3栋 11月28日19:00 3栋架空层 加装监控，大家怎么看？")
		code := regexp.MustCompile(`已发起会议 (YS[0-9]+)`).FindStringSubmatch(r)
		if code == nil {
			t.Fatalf("开会 = %q", r)
		}
		if ps := w.pushesTo("resident"); len(ps) == 0 || !strings.Contains(ps[len(ps)-1], "加装监控，大家怎么看？") {
			t.Errorf("invitation %q; want the topic as written", ps)
		}
		if r := w.say("resident", "不参加 "+code[1]); !strings.Contains(r, "不参加") {
			t.Fatalf("不参加 = %q", r)
		}
		r = w.say("committee", "会议 "+code[1])
		if !strings.Contains(r, "参加0，不参加1") || !strings.Contains(r, "· 居民（未留姓名）：不参加") {
			t.Errorf("会议 <code> = %q; want counts and each invitee's answer", r)
		}
		if r := w.click("committee", KeyMeetings); !strings.Contains(r, "您发起的议事会议") || !strings.Contains(r, code[1]) {
			t.Errorf("organiser's menu = %q; want their meeting", r)
		}
		if r := w.click("worker-g1", KeyMeetings); strings.Contains(r, "您发起的") {
			t.Errorf("a worker's menu = %q", r)
		}
	})
}
