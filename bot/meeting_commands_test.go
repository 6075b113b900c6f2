package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

var cst = time.FixedZone("CST", 8*3600)

// TestMeetingCommands runs the meeting chat words against a real store
// (SQLite and MariaDB): each row is one message, its reply, and whether the
// turn it produced commits.
func TestMeetingCommands(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.MeetingCode = sequentialCodes()
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		clock := func() time.Time { return now }
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c", Name: "C"}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct{ o, b string }{{"o-a", "3"}, {"o-b", "3"}, {"o-c", "5"}} {
			at := now.UTC()
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c", OpenID: r.o, At: at,
				Resident: &models.Resident{Building: r.b, LastMessageAt: &at}}); err != nil {
				t.Fatal(err)
			}
		}
		code, _, err := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c", Role: models.RoleCommittee, Name: "张"}, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.BindStaff(ctx, "c", "o-boss", code, now); err != nil {
			t.Fatal(err)
		}
		m, err := ops.NewMeetings(ops.MeetingsConfig{Store: db, Location: cst, Now: clock,
			Directory: ops.Directory{"c": {ID: "c", Grids: []ops.Grid{{ID: "g1", Name: "网格一", Buildings: []string{"3"}},
				{ID: "g2", Name: "幸福里", Buildings: []string{"5"}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		mt, err := m.Create(ctx, ops.MeetingRequest{By: admin, CommunityID: "c", Topic: "加装监控", Level: "building",
			StartsAt: now.Add(48 * time.Hour), Venue: "架空层", Capacity: 1, Invitees: ops.InviteeSpec{Buildings: []string{"3"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.Broadcast(ctx, admin, "c", mt.ID); err != nil {
			t.Fatal(err)
		}
		h, err := bot.NewMeetingCommands(m, db)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range []struct {
			name, who, text string
			handled         bool
			want            string
		}{
			{"an appeal that starts with 参加", "o-a", "参加社区活动的场地太小了", false, ""},
			{"开会 from a resident is just words", "o-a", "开会的时候楼下太吵", false, ""},
			{"会议 without a code is not a command", "o-a", "会议室的灯坏了", false, ""},
			{"accept without a code", "o-a", "参加", true, "已登记您参加会议 YS101"},
			{"accept again", "o-a", "参加 YS101", true, "已回复过"},
			{"full: waitlisted", "o-b", "参加ys101", true, "候补第1位"},
			{"unknown code", "o-b", "参加 YS999", true, "没有找到邀请您的会议 YS999"},
			{"not invited", "o-c", "参加 YS101", true, "没有找到邀请您的会议 YS101"},
			{"nothing pending", "o-c", "不参加", true, "目前没有邀请您"},
			{"decline frees the seat", "o-a", "不参加 YS101", true, "已登记您不参加"},
			{"the invitee's view", "o-b", "会议 YS101", true, "参加"},
			{"organiser counts", "o-boss", "会议 YS101", true, "参加1，不参加1，候补0，未回复0"},
			{"call: usage", "o-boss", "开会", true, "开会 范围 时间 地点 议题"},
			{"call: bad time", "o-boss", "开会 3栋 某天 架空层 议题", true, "没看懂会议时间"},
			{"call: past", "o-boss", "开会 3栋 11月1日19:00 架空层 议题", true, "已经过去"},
			{"call: nobody", "o-boss", "开会 9栋 明天19点 架空层 议题", true, "找不到可以邀请的人"},
			{"call: bad grid", "o-boss", "开会 小组g9 明天19点 架空层 议题", true, "开会 范围"},
			// Grids as the committee knows them: an unknown name lists the community's grids.
			{"call: unknown grid name", "o-boss", "开会 网格九 明天19点 架空层 议题", true, "没有找到网格“网格九”。本社区的网格：网格一（g1）、幸福里（g2）"},
			{"call more than a year ahead", "o-boss", "开会 网格g1 2028-01-01 19:00 社区会议室 电梯加装", true, "一年以内"},
			{"call in year 9999", "o-boss", "开会 网格g1 9999-12-31 23:59 社区会议室 电梯加装", true, "一年以内"},
			{"call", "o-boss", "开会 网格g1 11月28日 下午7点半 社区会议室 电梯加装", true, "已发起会议 YS102"},
			{"cancel: resident", "o-a", "取消会议 YS102 下雨", true, "只有社区两委成员"},
			{"cancel: no reason", "o-boss", "取消会议 YS102", true, "取消会议 编号 原因"},
			{"cancel", "o-boss", "取消会议 YS102 场地冲突", true, "已通知2人"},
			{"answer a cancelled meeting", "o-a", "参加 YS102", true, "已取消"},
			{"cancel twice", "o-boss", "取消会议 YS102 再取消", true, "不能再更改"},
			{"call a grid by its name", "o-boss", "开会 网格一 明天19点 架空层 楼道照明", true, "已发起会议 YS103（居民小组议事会）"},
			{"call a grid by a name of its own", "o-boss", "开会 幸福里 明天19点 架空层 楼道照明", true, "已发起会议 YS104（居民小组议事会）"},
			// 网格1 for 网格一, 明晚7点 for 明天晚上7点 (found by a second user).
			{"call with digits and 明晚", "o-boss", "开会 网格1 明晚7点 架空层 楼道照明", true, "已发起会议 YS105（居民小组议事会）"},
		} {
			t.Run(c.name, func(t *testing.T) {
				n++
				in := bot.Input{Msg: models.Inbound{CommunityID: "c", OpenID: c.who, MsgType: models.MsgText, Content: c.text}, Now: now}
				var out bot.Output
				out.Turn = models.Turn{CommunityID: "c", OpenID: c.who, At: now.UTC()}
				handled, err := h.HandleCommand(ctx, in, &out)
				if err != nil || handled != c.handled {
					t.Fatalf("handled %v, %v; want %v", handled, err, c.handled)
				}
				if !handled {
					return
				}
				if len(out.Replies) != 1 || !strings.Contains(out.Replies[0], c.want) {
					t.Fatalf("replies %q, want %q", out.Replies, c.want)
				}
				out.Turn.DedupeKey = "msg" + string(rune('a'+n))
				if err := db.CommitTurn(ctx, &out.Turn); err != nil {
					t.Fatalf("commit: %v", err)
				}
				// The same message again is a duplicate: nothing is applied twice.
				if err := db.CommitTurn(ctx, &out.Turn); err != models.ErrDuplicate {
					t.Fatalf("second commit: %v, want ErrDuplicate", err)
				}
			})
		}
		for code, grid := range map[string]string{"YS103": "g1", "YS104": "g2", "YS105": "g1"} {
			if m, err := db.MeetingByCode(ctx, "c", code); err != nil || m.Grids != grid {
				t.Fatalf("meeting %s: %+v, %v; want grid %s", code, m, err, grid)
			}
		}
		if m, err := db.MeetingByCode(ctx, "c", "YS105"); err != nil || m.StartsAt.In(cst).Hour() != 19 {
			t.Fatalf("明晚7点: %+v, %v; want 19:00", m, err)
		}
		ivs, _ := db.MeetingInvitees(ctx, mt.ID)
		got := map[string]models.Answer{}
		for _, iv := range ivs {
			got[iv.OpenID] = iv.Answer
		}
		if got["o-a"] != models.AnswerDeclined || got["o-b"] != models.AnswerAccepted {
			t.Fatalf("answers %v: o-b should have been promoted from the waitlist", got)
		}
		var promoted int64
		db.Gorm().Model(&models.OutboxMessage{}).Where("idem_key LIKE ?", "meeting:1:seat:o-b:%").Count(&promoted)
		if promoted != 1 {
			t.Fatalf("%d promotion pushes, want 1", promoted)
		}
	})
}

// admin is the admin API's actor.
var admin = models.Actor{Kind: models.ActorAdmin}

// sequentialCodes makes meeting codes YS101, YS102, … so that the tables
// can name them (production codes are random).
func sequentialCodes() func() string {
	n := 100
	return func() string { n++; return fmt.Sprintf("YS%d", n) }
}
