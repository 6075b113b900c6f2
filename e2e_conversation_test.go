package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// TestConversations plays residents' scripted conversations through the real
// webhook on SQLite and MariaDB: every path of the resident conversation.
func TestConversations(t *testing.T) {
	eachDriver(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		var wangRef string

		t.Run("menu synced at start", func(t *testing.T) {
			menu := string(h.app.Platform.Menu())
			for _, k := range []string{"APPEAL", "MY_APPEALS", "MEETINGS", "HELP", "我要反映"} {
				if !strings.Contains(menu, k) {
					t.Fatalf("menu %s lacks %s", menu, k)
				}
			}
			changed, err := h.app.Accounts.Default.SyncMenu(wxMenu())
			if err != nil || changed {
				t.Fatalf("second sync: changed=%v, %v; want an unchanged menu left alone", changed, err)
			}
		})

		t.Run("newcomer registers and raises a small matter", func(t *testing.T) {
			wang := h.persona("o-wang")
			expect(t, "subscribe", wang.event("subscribe", ""), "欢迎关注", "我要反映")
			r := wang.say("3栋楼道灯坏了好几天了，晚上黑黢黢的")
			expect(t, "describe", r, "住址", "3栋2单元501")
			expect(t, "address", wang.say("三号楼二单元 501"), "3栋2单元501", "对吗")
			r = wang.say("1")
			expect(t, "address confirmed", r, "网格一", "请确认", "楼道照明", "小事", "1 确认提交")
			r = wang.say("1")
			expect(t, "submitted", r, "已提交", "社区两委", "11月29日", "通知您") // no grid worker bound: the committee acts
			wangRef = refIn(t, r)
			list := wang.appeals()
			if len(list) != 1 {
				t.Fatalf("%d appeals, want 1", len(list))
			}
			a := list[0]
			if a.Ref != wangRef || a.Kind != models.KindSmall || a.Level != models.LevelCommunity || a.Status != models.StatusAssigned ||
				a.Assignee != models.RolePlaceholder(models.RoleCommittee) || a.GridID != "g1" || a.Building != "3" || a.TopicID != "corridor-light" || a.DueAt == nil {
				t.Fatalf("stored appeal %+v", a)
			}
			res, err := h.app.Store.Resident(ctx, "sample", "o-wang")
			if err != nil || res.Building != "3" || res.Unit != "2" || res.Room != "501" || res.GridID != "g1" || !res.Subscribed {
				t.Fatalf("resident %+v, %v", res, err)
			}
			if _, err := h.app.Store.Conversation(ctx, "sample", "o-wang"); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("conversation left after submit: %v", err)
			}
		})

		t.Run("neighbour says me too", func(t *testing.T) {
			li := h.persona("o-li")
			li.say("修改地址")
			li.say("4栋1单元302")
			expect(t, "registered", li.say("对"), "网格一")
			r := li.say("楼道灯不亮了")
			expect(t, "offer", r, "邻居已反映过", wangRef, "1 附议")
			r = li.say("1")
			expect(t, "followed", r, "已附议", wangRef)
			if n := len(li.appeals()); n != 0 {
				t.Fatalf("me too created %d appeals of its own", n)
			}
			a, _ := h.app.Store.AppealByRef(ctx, h.app.Config.Communities[0].ID, wangRef)
			fs, err := h.app.Store.Followers(ctx, a.ID)
			if err != nil || len(fs) != 1 || fs[0].OpenID != "o-li" {
				t.Fatalf("followers %+v, %v", fs, err)
			}
			expect(t, "my appeals", li.say("我的诉求"), wangRef, "（附议）", "已派单")
			expect(t, "detail", li.say(strings.ToLower(wangRef)), "楼道照明", "已派单", "有邻居附议")
			// Asked again, the same neighbour is not offered it twice.
			r = li.say("楼道的灯又坏了")
			if strings.Contains(r, "邻居已反映过") {
				t.Fatalf("offered me too again: %q", r)
			}
			expect(t, "cancel", li.say("取消"), "已取消")
		})

		t.Run("stranger cannot see someone's appeal", func(t *testing.T) {
			zhao := h.persona("o-zhao")
			expect(t, "detail", zhao.say("我的诉求 "+wangRef), "没有找到")
			expect(t, "bare ref", zhao.say(wangRef), "没有找到")
			expect(t, "missing", zhao.say("SQ2611269999"), "没有找到")
		})

		t.Run("major matter goes to the street", func(t *testing.T) {
			zhang := h.persona("o-zhang")
			r := zhang.voice("小区门口的马路坏了好多坑，下雨全是水")
			expect(t, "summary", r, "大事", "1 确认提交")
			r = zhang.say("确认")
			expect(t, "submitted", r, "已提交", "需要政府部门办理", "工作日", "12月")
			list := zhang.appeals()
			if len(list) != 1 || list[0].Kind != models.KindMajor || list[0].Level != models.LevelStreet || list[0].DueAt == nil ||
				list[0].Assignee != models.RolePlaceholder(models.RoleLiaison) {
				t.Fatalf("stored %+v", list[0])
			}
			// 7 working days from Thursday 26 November: Monday 7 December.
			if due := list[0].DueAt.In(start.Location()); due.Month() != time.December || due.Day() < 4 {
				t.Errorf("due %v, want early December (working days)", due)
			}
		})

		t.Run("private matter is guided, then disputed", func(t *testing.T) {
			chen := h.persona("o-chen")
			r := chen.say("我家热水器坏了，想找个师傅上门修")
			expect(t, "summary", r, "私事", "1 确认提交")
			r = chen.say("1")
			expect(t, "guided", r, "私事", "023-00000000", "不是私事")
			ref := refIn(t, r)
			a, _ := h.app.Store.AppealByRef(ctx, h.app.Config.Communities[0].ID, ref)
			if a.Status != models.StatusGuided || a.Level != models.LevelSelf {
				t.Fatalf("guided appeal %+v", a)
			}
			r = chen.say("不是私事")
			expect(t, "dispute", r, "复核", ref)
			a, _ = h.app.Store.AppealByRef(ctx, h.app.Config.Communities[0].ID, ref)
			evs, _ := h.app.Store.AppealEvents(ctx, a.ID)
			if a.Status != models.StatusReview || evs[len(evs)-1].Action != string(models.ActDisputePrivate) {
				t.Fatalf("after dispute: %s, last event %+v", a.Status, evs[len(evs)-1])
			}
			expect(t, "again", chen.say("不是私事 "+ref), "不需要复核")
		})

		t.Run("later dispute by reference", func(t *testing.T) {
			sun := h.persona("o-sun")
			sun.say("想找个保洁阿姨来我家打扫卫生，哪家好")
			ref := refIn(t, sun.say("1"))
			sun.say("谢谢")
			expect(t, "dispute by ref", sun.say("不是私事 "+ref+" 这是公共楼道的事"), "复核", ref)
			expect(t, "others' ref", h.persona("o-zhao").say("不是私事 "+ref), "没有找到")
		})

		t.Run("triage question settles the kind", func(t *testing.T) {
			wang := h.persona("o-wang")
			r := wang.say("水管漏水了")
			expect(t, "question", r, "想确认一下", "1 自己家里的", "2 小区公共区域")
			expect(t, "fallback", wang.say("嗯嗯嗯不太清楚"), "没看懂", "想确认一下")
			r = wang.say("2")
			expect(t, "summary", r, "小事", "1 确认提交")
			expect(t, "submitted", wang.say("1"), "已提交", "社区两委")
		})

		t.Run("menu, photo, location, edit and cancel", func(t *testing.T) {
			liu := h.persona("o-liu")
			expect(t, "menu", liu.click("APPEAL"), "描述")
			expect(t, "photo", liu.image("m1"), "照片已收到")
			expect(t, "near location", liu.location(29.5631, 106.5517, "示例社区5栋"), "位置已收到")
			r := liu.say("消防通道被车堵死了")
			expect(t, "address first", r, "住址")
			liu.say("6-1-101")
			r = liu.say("1")
			expect(t, "summary", r, "网格二", "照片：1张", "位置：示例社区5栋")
			expect(t, "edit", liu.say("2"), "重新描述")
			expect(t, "redescribe", liu.say("5栋门口消防通道被车占了"), "请确认")
			expect(t, "second appeal", liu.say("另外我还想说小区垃圾没人收"), "还没提交完", "1 确认提交")
			expect(t, "cancel", liu.say("取消"), "已取消")
			if n := len(liu.appeals()); n != 0 {
				t.Fatalf("cancel kept %d appeals", n)
			}
			expect(t, "nothing to cancel", liu.say("取消"), "没有进行中")
		})

		t.Run("expired conversation is dropped and said so", func(t *testing.T) {
			zhou := h.persona("o-zhou")
			zhou.click("APPEAL")
			zhou.say("小区绿化带的树倒了")
			h.advance(31 * time.Minute)
			r := zhou.say("你好")
			expect(t, "expired", r, "超时作废", "您好")
			if _, err := h.app.Store.Conversation(ctx, "sample", "o-zhou"); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("expired conversation kept: %v", err)
			}
			if n := len(zhou.appeals()); n != 0 {
				t.Fatalf("expired draft stored as %d appeals", n)
			}
		})

		t.Run("bad input", func(t *testing.T) {
			wu := h.persona("o-wu")
			tests := []struct {
				name string
				send func() string
				want []string
			}{
				{"emoji only", func() string { return wu.say("😀😀👍") }, []string{"表情"}},
				{"sticker code", func() string { return wu.say("[捂脸][捂脸]") }, []string{"表情"}},
				{"sticker placeholder", func() string { return wu.say("【收到不支持的消息类型，暂无法显示】") }, []string{"无法识别"}},
				{"empty text", func() string { return wu.say("   ") }, []string{"没有收到文字"}},
				{"5000 characters", func() string { return wu.say(strings.Repeat("楼道灯坏了", 1000)) }, []string{"太长"}},
				{"empty voice", func() string { return wu.voice("") }, []string{"没有听清"}},
				{"unknown type", func() string {
					return h.post("o-wu", "<MsgType><![CDATA[file]]></MsgType><Title><![CDATA[a.pdf]]></Title><MsgId>99</MsgId>")
				}, []string{"无法识别"}},
				{"video", func() string {
					return h.post("o-wu", "<MsgType><![CDATA[video]]></MsgType><MediaId><![CDATA[v]]></MediaId><MsgId>98</MsgId>")
				}, []string{"照片"}},
				{"short nonsense", func() string { return wu.say("啊") }, []string{"没太明白"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) { expect(t, tt.name, tt.send(), tt.want...) })
			}
			if n := len(wu.appeals()); n != 0 {
				t.Fatalf("bad input stored %d appeals", n)
			}
			expect(t, "image alone", wu.image("m2"), "说明是什么问题")
			expect(t, "far location", wu.location(39.9042, 116.4074, "北京天安门"), "公里", "不在社区范围")
			expect(t, "drop it", wu.say("2"), "位置不保存", "说明是什么问题")
			wu.say("取消")
		})

		t.Run("ten messages in two seconds", func(t *testing.T) {
			qian := h.persona("o-qian")
			qian.say("修改地址")
			qian.say("2栋1单元101")
			qian.say("1")
			expect(t, "summary", qian.say("小区电梯坏了好几天了"), "请确认")
			var wg sync.WaitGroup
			replies := make([]string, 10)
			for i := range replies {
				wg.Go(func() { replies[i] = qian.say("1") })
			}
			wg.Wait()
			submitted := 0
			for _, r := range replies {
				if r == "" {
					t.Errorf("a message got no answer")
				}
				if strings.Contains(r, "已提交") {
					submitted++
				}
			}
			if n := len(qian.appeals()); n != 1 || submitted != 1 {
				t.Fatalf("%d appeals stored, %d replies said submitted; want 1 and 1: %q", n, submitted, replies)
			}
		})

		t.Run("a retried message changes nothing", func(t *testing.T) {
			body := "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[小区门口的路灯不亮了]]></Content><MsgId>4242</MsgId>"
			first := h.post("o-ma", body)
			second := h.post("o-ma", body)
			if first == "" || first != second {
				t.Fatalf("retry answered %q, first %q", second, first)
			}
		})

		t.Run("my appeals lists own appeals with deadlines", func(t *testing.T) {
			wang := h.persona("o-wang")
			r := wang.click("MY_APPEALS")
			expect(t, "list", r, wangRef, "已派单", "前")
			expect(t, "help", wang.click("HELP"), "我的诉求")
		})
	})
}
