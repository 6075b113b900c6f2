package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestEmergencyAdvice: a message that speaks of danger to someone now gets
// what to do at once before anything else; a new appeal is then filed at
// once, without a question or a confirmation (someone running from a fire
// will not type 1; found by a first user), due within a day; a draft
// waiting for an answer goes on; other messages and staff reports get no alert.
func TestEmergencyAdvice(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := testEngine(t, db)
	registered := &models.Resident{Building: "3", Unit: "2", Room: "501", GridID: "g1"}
	clarifying := convData{Draft: &draft{Text: "水管漏水了", Kind: models.KindPrivate, TopicID: "water-pipe",
		Question: "想确认一下", Choices: []models.Kind{models.KindPrivate, models.KindSmall}, Options: []string{"自己家里的", "小区公共区域或邻居引起的"}}}
	tests := []struct {
		name  string
		state State
		data  convData
		text  string
		first string   // the reply's start; "" = no alert
		also  []string // said after the alert
		next  State    // "" = any state but idle
		staff bool     // sent by a staff member
	}{
		{name: "trapped in the lift", text: "3栋电梯关人了，里面有个老人，快来人", first: "【紧急】如果现在有人被困在电梯里", also: []string{"96333"}},
		{name: "trapped, in dialect", text: "电梯关到人了 喊了半天没人应", first: "【紧急】如果现在有人被困在电梯里"},
		{name: "gas, while a question waits", state: StateClarify, data: clarifying, text: "闻到好大一股煤气味，好吓人",
			first: "【紧急】如果闻到燃气味", also: []string{"没看懂您的回复"}, next: StateClarify},
		{name: "fire and someone hurt", text: "5栋楼下电瓶车着火了，有人晕倒了", first: "【紧急】如果现在着火或冒烟", also: []string{"119", "120"}},
		{name: "lift stuck, people inside", text: "8栋电梯卡在5楼了，里面关着一个老人和小孩！", first: "【紧急】如果现在有人被困在电梯里"},
		{name: "fallen and cannot get up", text: "我妈一个人在家摔倒了起不来，我在外地赶不回去", first: "【紧急】如果有人受伤", also: []string{"120"}},
		{name: "after the menu's 我要反映", state: StateDescribe, data: convData{Draft: &draft{}}, text: "5栋2单元楼道着火了，好多烟，快来人！",
			first: "【紧急】如果现在着火或冒烟"},
		{name: "violence", text: "隔壁在打人，一直在喊救命", first: "【紧急】如果有人正面临危险", also: []string{"110"}},
		{name: "trapped, said apart", text: "勒个电梯又坏求了，关了两个人在里头，物业电话打不通", first: "【紧急】如果现在有人被困在电梯里"},
		{name: "stuck between floors", text: "电梯卡在两层中间了，我老汉在里头，按铃没得人理", first: "【紧急】如果现在有人被困在电梯里"},
		{name: "gas smell, said apart", text: "燃气好大一股味道 是不是漏气了", first: "【紧急】如果闻到燃气味"},
		{name: "an ordinary appeal", text: "3栋楼道灯坏了好几天了"},
		{name: "a lift out of service", text: "5栋电梯坏了一个星期了，老人上下楼太难"},
		{name: "a gas bill", text: "燃气费怎么交，营业厅在哪里"},
		{name: "a staff report", text: "进展 SQ2611260001 电梯困人已解救，正在检修", staff: true},
		{name: "a meeting called", text: "开会 明天下午3点 商量电梯困人的事", staff: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Msg: text(tt.text), Resident: registered, Now: now}
			if tt.staff {
				in.Staff = &models.Staff{ID: 7, CommunityID: "c1", OpenID: "o1", Role: models.RoleCommittee, Active: true}
			}
			if tt.state != "" {
				in.Conversation = conv(t, tt.state, tt.data, now.Add(10*60e9))
			}
			out, err := e.Step(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			reply := strings.Join(out.Replies, "\n")
			if tt.first == "" {
				if strings.Contains(reply, "【紧急】") {
					t.Fatalf("reply %q has an alert", reply)
				}
				return
			}
			if !strings.HasPrefix(reply, tt.first) {
				t.Fatalf("reply %q does not start with %q", reply, tt.first)
			}
			for _, w := range tt.also {
				if !strings.Contains(reply, w) {
					t.Errorf("reply %q lacks %q", reply, w)
				}
			}
			if tt.next != "" {
				// A draft waiting for an answer goes on: the alert replaces nothing.
				if c := out.Turn.Conversation; c == nil || State(c.State) != tt.next {
					t.Errorf("conversation %+v, want state %q", c, tt.next)
				}
			} else {
				// A new appeal is filed at once, due within a day.
				if len(out.Turn.NewAppeals) != 1 || !strings.Contains(reply, "已直接为您提交") || out.Turn.Conversation != nil {
					t.Fatalf("not filed at once: %d new appeals, reply %q", len(out.Turn.NewAppeals), reply)
				}
				if a := out.Turn.NewAppeals[0].Appeal; a.DueAt == nil || a.DueAt.After(now.Add(24*60*60e9)) {
					t.Errorf("urgent appeal due %v, want within a day of %v", a.DueAt, now)
				}
			}
			if len(strings.Split(reply, "【紧急】")) > 3 {
				t.Errorf("too many alerts: %q", reply)
			}
		})
	}
}

// TestEmergencyTask: an appeal whose words speak of danger now reaches its
// handler marked urgent; an ordinary one does not.
func TestEmergencyTask(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		w.register("resident", "3", "2", "501")
		submit := func(text string) string {
			t.Helper()
			r := w.say("resident", text)
			for i := 0; i < 3 && !strings.Contains(r, "请确认您的诉求") && !strings.Contains(r, "已提交"); i++ {
				r = w.say("resident", "2") // the compound's, when asked
			}
			if !strings.Contains(r, "已提交") { // an urgent one is filed without confirmation
				r = w.say("resident", "1")
			}
			ref := refPattern.FindString(r)
			if ref == "" {
				t.Fatalf("%q not submitted (last reply %q)", text, r)
			}
			for _, p := range w.pushesTo("worker-g1") {
				if strings.Contains(p, "【新任务】诉求 "+ref) {
					return p
				}
			}
			t.Fatalf("worker-g1 not told of %s: %q", ref, w.pushesTo("worker-g1"))
			return ""
		}
		if p := submit("3栋电梯关人了，里面有个老人，快来人"); !strings.HasPrefix(p, "【紧急】") {
			t.Errorf("task push %q; want it marked 【紧急】", p)
		}
		// Its template card says so too, with the words of danger (a first
		// user's worker read only "其他社区事务 / 新任务 / 6栋3单元").
		var rows []models.OutboxMessage
		if err := w.db.Gorm().Where("open_id = ? AND type = ?", "worker-g1", models.PushTaskAssigned).Find(&rows).Error; err != nil || len(rows) != 1 ||
			!strings.Contains(rows[0].Data, `"phrase3":"紧急任务"`) || !strings.Contains(rows[0].Data, "电梯关人") {
			t.Errorf("urgent task card: %v %+v", err, rows)
		}
		if p := submit("3栋楼道灯坏了好几天了"); strings.Contains(p, "【紧急】") {
			t.Errorf("task push %q; want no urgent mark", p)
		}
		// 我的任务 lists the urgent one first, marked, whatever its deadline.
		lines := strings.Split(w.say("worker-g1", "我的任务"), "\n")
		if len(lines) < 3 || !strings.HasPrefix(lines[1], "【紧急】") || !strings.Contains(lines[1], "电梯") || strings.Contains(lines[2], "【紧急】") {
			t.Errorf("我的任务 = %q; want the lift first, marked 【紧急】, the light unmarked", lines)
		}
	})
}

// TestEmergencyForResidentsOnly: a resident's words that start like a staff
// command still get the advice, and a progress question with words of
// danger, or from someone with no appeal, goes on as an appeal (found by an
// attacker).
func TestEmergencyForResidentsOnly(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := testEngine(t, db)
	registered := &models.Resident{Building: "3", Unit: "2", Room: "501", GridID: "g1"}
	for _, m := range []string{"上报一下，5栋电梯困人了，快来人", "进展怎么样了？电梯困人了还没人来"} {
		out, err := e.Step(context.Background(), Input{Msg: text(m), Resident: registered, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if r := strings.Join(out.Replies, "\n"); !strings.HasPrefix(r, "【紧急】") || len(out.Turn.NewAppeals) != 1 {
			t.Errorf("%q = %q; want the advice first and the appeal filed", m, r)
		}
	}
	out, err := e.Step(context.Background(), Input{Msg: text("路灯坏了一个月了，怎么还没人处理"), Resident: registered, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if out.Turn.Conversation == nil {
		t.Errorf("a first complaint with a progress phrase = %q; want it taken as an appeal", out.Replies)
	}
}
