package bot

import (
	"context"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// FuzzChatCommands: any text from a resident, a grid worker or a committee
// member, through every command handler (staff and meetings) and the
// conversation, gets a reply and no error; their arguments (codes,
// references, times, scopes, reasons) are outside input.
func FuzzChatCommands(f *testing.F) {
	ctx := context.Background()
	db := storetest.Open(f, store.SQLite)
	if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "示例社区"}); err != nil {
		f.Fatal(err)
	}
	if _, err := db.SeedGrids(ctx, "c1", []models.GridSpec{{ID: "g1", Name: "网格一", Buildings: []string{"1", "2", "3", "4"}}}); err != nil {
		f.Fatal(err)
	}
	clock := func() time.Time { return now }
	appeals := testAppeals(f, db, clock)
	staffOps, err := ops.NewStaff(ops.StaffConfig{Store: db, Now: clock})
	if err != nil {
		f.Fatal(err)
	}
	sc, err := NewStaffCommands(StaffCommandsConfig{Appeals: appeals, Staff: staffOps, Store: db})
	if err != nil {
		f.Fatal(err)
	}
	m, err := ops.NewMeetings(ops.MeetingsConfig{Store: db, Location: shanghai, Now: clock, Directory: testDirectory})
	if err != nil {
		f.Fatal(err)
	}
	mc, err := NewMeetingCommands(m, db)
	if err != nil {
		f.Fatal(err)
	}
	e := testEngineWith(f, appeals, db, sc, mc)
	who := []string{"o-resident"}
	for _, r := range []models.InviteRequest{{Role: models.RoleCommittee, Name: "周委员"}, {Role: models.RoleGridWorker, GridID: "g1", Name: "李网格"}} {
		r.CommunityID = "c1"
		code, _, err := db.CreateInvite(ctx, r, now, time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		openID := "o-" + string(r.Role)
		if _, err := db.BindStaff(ctx, "c1", openID, code, now); err != nil {
			f.Fatal(err)
		}
		who = append(who, openID)
	}
	for _, s := range []string{"帮助", "我的任务", "我的诉求", "绑定 ABCD1234", "绑定", "接单 SQ2611260001", "办结 SQ2611260001 已修好",
		"进展 SQ2611260001 在修", "改类 SQ2611260001 大事 原因", "转派 SQ2611260001 g1", "参加", "参加 YS101", "不参加 ys101", "报名 YS1",
		"会议 YS101", "取消会议 YS101 下雨", "开会 3栋 明天19:00 架空层 电梯", "开会 全体 2026-11-28 19:00 会议室 停车",
		"开会 99栋 昨天 门口 x", "开会 3栋 9999-12-31 23:59 门口 远", "开会", "召开会议 网格g1 周六晚上7点 社区 议题", "😀", "\x00",
		"开会 3栋 明天25:61 门口 x", "参加 YS99999999999999"} {
		for i := range who {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, s string, w uint8) {
		openID := who[int(w)%len(who)]
		in := Input{Msg: models.Inbound{CommunityID: "c1", OpenID: openID, MsgType: models.MsgText, Content: s, MsgID: 1}, Now: now}
		snd, err := db.Sender(ctx, "c1", openID)
		if err != nil {
			t.Fatal(err)
		}
		in.Resident, in.Staff, in.StaffKnown = snd.Resident, snd.Staff, true
		out, err := e.Step(ctx, in)
		if err != nil {
			t.Fatalf("Step(%q) as %s: %v", s, openID, err)
		}
		if len(out.Replies) == 0 || out.Replies[0] == "" {
			t.Fatalf("Step(%q) as %s: no reply", s, openID)
		}
		for _, r := range out.Replies {
			if !utf8.ValidString(r) {
				t.Fatalf("Step(%q): reply is not UTF-8: %q", s, r)
			}
		}
	})
}
