package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// staffWorld is a community c1 with two grids, two departments and one bound
// staff member of every kind, run through the real Service and store.
type staffWorld struct {
	t   *testing.T
	db  *store.DB
	svc *Service
	// appeals are the operations the chat calls, on the world's clock.
	appeals *ops.Appeals
	staff   map[string]*models.Staff // by persona
	msgID   atomic.Int64
	now     time.Time
}

type nopPusher struct{}

func (nopPusher) PushText(context.Context, string, string, string) error { return nil }

func newStaffWorld(t *testing.T, db *store.DB) *staffWorld {
	t.Helper()
	ctx := context.Background()
	if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "示例社区"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedGrids(ctx, "c1", []models.GridSpec{{ID: "g1", Name: "网格一", Buildings: []string{"1", "2", "3", "4"}},
		{ID: "g2", Name: "网格二", Buildings: []string{"5", "6"}}}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"区住建委", "区市场监管局"} {
		if err := db.CreateDepartment(ctx, &models.Department{CommunityID: "c1", Name: d}); err != nil {
			t.Fatal(err)
		}
	}
	w := &staffWorld{t: t, db: db, staff: map[string]*models.Staff{}, now: now}
	clock := func() time.Time { return w.now }
	w.appeals = testAppeals(t, db, clock)
	staffOps, err := ops.NewStaff(ops.StaffConfig{Store: db, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := NewStaffCommands(StaffCommandsConfig{Appeals: w.appeals, Staff: staffOps, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	meetings, err := ops.NewMeetings(ops.MeetingsConfig{Store: db, Directory: testDirectory, Location: shanghai, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	mc, err := NewMeetingCommands(meetings, db)
	if err != nil {
		t.Fatal(err)
	}
	e := testEngineWith(t, w.appeals, db, sc, mc) // as the app wires them
	e.Invitations = mc
	w.svc = &Service{Store: db, Engine: e, Pusher: nopPusher{}, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return w.now }}
	for _, p := range []struct {
		persona string
		req     models.InviteRequest
	}{
		{"worker-g1", models.InviteRequest{Role: models.RoleGridWorker, GridID: "g1", Name: "李网格"}},
		{"worker-g2", models.InviteRequest{Role: models.RoleGridWorker, GridID: "g2", Name: "赵网格"}},
		{"liaison-housing", models.InviteRequest{Role: models.RoleLiaison, Department: "区住建委", Name: "钱联络"}},
		{"liaison-market", models.InviteRequest{Role: models.RoleLiaison, Department: "区市场监管局", Name: "孙联络"}},
		{"committee", models.InviteRequest{Role: models.RoleCommittee, Name: "周委员"}},
		{"admin", models.InviteRequest{Role: models.RoleAdmin, Name: "吴管理"}},
	} {
		p.req.CommunityID = "c1"
		code, _, err := db.CreateInvite(ctx, p.req, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		// Bound by chat, as staff are.
		if r := w.say(p.persona, "绑定 "+strings.ToLower(code)); !strings.Contains(r, "绑定成功") {
			t.Fatalf("%s: bind reply %q", p.persona, r)
		}
		s, err := db.StaffByOpenID(ctx, "c1", p.persona)
		if err != nil {
			t.Fatal(err)
		}
		w.staff[p.persona] = s
	}
	return w
}

func (w *staffWorld) say(openID, text string) string {
	w.t.Helper()
	r, err := w.svc.Handle(context.Background(), models.Inbound{CommunityID: "c1", OpenID: openID, MsgType: models.MsgText,
		Content: text, MsgID: 9000 + w.msgID.Add(1)})
	if err != nil {
		w.t.Fatalf("%s %q: %v", openID, text, err)
	}
	return r.Reply
}

// appeal stores an appeal routed as the engine would: small in grid g1,
// major with the housing department as its unit.
func (w *staffWorld) appeal(kind models.Kind) *models.Appeal {
	w.t.Helper()
	a := &models.Appeal{CommunityID: "c1", OpenID: "resident", Kind: kind, Status: models.StatusSubmitted, Topic: "测试事项",
		Description: "测试", CreatedAt: w.now}
	if kind == models.KindSmall {
		a.Level, a.GridID, a.Building, a.Unit = models.LevelCommunity, "g1", "3", "社区居委会"
	} else {
		a.Level, a.Unit = models.LevelStreet, "区住建委"
	}
	due := w.now.Add(72 * time.Hour)
	a.DueAt = &due
	to, err := w.db.RouteAppeal(context.Background(), a)
	if err != nil {
		w.t.Fatal(err)
	}
	ev, err := models.Apply(a, models.Step{Action: models.ActAssign, Assignee: to}, models.Actor{Kind: models.ActorSystem}, "", w.now)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.CommitTurn(context.Background(), &models.Turn{CommunityID: "c1", OpenID: "resident",
		NewAppeals: []*models.NewAppeal{{Appeal: a, Events: []*models.AppealEvent{ev}}}}); err != nil {
		w.t.Fatal(err)
	}
	return a
}

func (w *staffWorld) events(a *models.Appeal) []*models.AppealEvent {
	evs, err := w.db.AppealEvents(context.Background(), a.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return evs
}

// TestStaffCommandMatrix tries every staff command on a small and a major
// appeal as every role, through the engine, the Service and the store: only
// the handler (or the committee, for its actions) changes anything.
func TestStaffCommandMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		roles := []string{"resident", "worker-g1", "worker-g2", "liaison-housing", "liaison-market", "committee", "admin"}
		type cmd struct {
			name string
			text func(ref string) string
			act  models.Action // the event the allowed command records
		}
		cmds := []cmd{
			{"accept", func(r string) string { return "接单 " + r }, models.ActAccept},
			{"progress", func(r string) string { return "进展 " + r + " 已联系物业" }, models.ActProgress},
			{"resolve", func(r string) string { return "办结 " + r + " 已修好" }, models.ActResolve},
			{"escalate", func(r string) string { return "上报 " + r + " 本级办不了" }, models.ActEscalate},
			{"return", func(r string) string { return "退回 " + r + " 不归我们管" }, models.ActReturn},
			{"reassign", func(r string) string { return fmt.Sprintf("改派 %s %d 换人", r, w.staff["worker-g2"].ID) }, ""},
			{"reclassify", func(r string) string { return "改类 " + r + " 私事 是住户家里的事" }, models.ActReclassify},
		}
		// allowed[kind][role] lists the commands that role may use on that appeal.
		handler := []string{"accept", "progress", "resolve", "escalate", "return"}
		committee := []string{"accept", "progress", "resolve", "escalate", "reassign", "reclassify"}
		allowed := map[models.Kind]map[string][]string{
			models.KindSmall: {"worker-g1": handler, "committee": committee, "admin": committee},
			models.KindMajor: {"liaison-housing": handler, "committee": committee, "admin": committee},
		}
		for _, kind := range []models.Kind{models.KindSmall, models.KindMajor} {
			for _, role := range roles {
				for _, c := range cmds {
					t.Run(fmt.Sprintf("%s/%s/%s", kind, role, c.name), func(t *testing.T) {
						a := w.appeal(kind)
						before := w.events(a)
						reply := w.say(role, c.text(a.Ref))
						after := w.events(a)
						got, err := db.AppealByRef(context.Background(), a.CommunityID, a.Ref)
						if err != nil {
							t.Fatal(err)
						}
						want := false
						for _, ok := range allowed[kind][role] {
							want = want || ok == c.name
						}
						if !want {
							if len(after) != len(before) || got.Status != a.Status || got.Assignee != a.Assignee || got.Kind != a.Kind {
								t.Fatalf("refused command changed the appeal: %s → %s, %d → %d events; reply %q",
									a.Status, got.Status, len(before), len(after), reply)
							}
							refusal := map[string]string{"resident": "还没有绑定工作人员身份"}[role]
							if refusal == "" {
								refusal = "不由您办理"
								if c.name == "reassign" || c.name == "reclassify" {
									refusal = "两委的指令"
								}
							}
							if !strings.Contains(reply, refusal) {
								t.Fatalf("reply %q lacks %q", reply, refusal)
							}
							return
						}
						if len(after) <= len(before) {
							t.Fatalf("allowed command recorded nothing; reply %q", reply)
						}
						acts := map[string]bool{}
						for _, ev := range after[len(before):] {
							acts[ev.Action] = true
							if ev.Actor != w.staff[role].Ref() && ev.Actor != string(models.ActorSystem) {
								t.Errorf("event %s by %s, want %s", ev.Action, ev.Actor, w.staff[role].Ref())
							}
						}
						if c.act != "" && !acts[string(c.act)] {
							t.Errorf("events %v lack %s; reply %q", acts, c.act, reply)
						}
						if strings.Contains(reply, "不由您") || strings.Contains(reply, "格式") {
							t.Errorf("allowed command answered %q", reply)
						}
					})
				}
			}
		}
	})
}

// TestStaffCommandsLifecycle follows one small appeal through the staff
// and resident commands, with the pushes each step queues.
func TestStaffCommandsLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		ctx := context.Background()
		a := w.appeal(models.KindSmall)
		if a.Assignee != w.staff["worker-g1"].Ref() {
			t.Fatalf("routed to %q, want the grid's worker %s", a.Assignee, w.staff["worker-g1"].Ref())
		}
		pushes := func() map[string][]string {
			var rows []models.OutboxMessage
			if err := db.Gorm().Order("id").Find(&rows).Error; err != nil {
				t.Fatal(err)
			}
			out := map[string][]string{}
			for _, r := range rows {
				out[r.OpenID] = append(out[r.OpenID], r.Text)
			}
			return out
		}
		status := func() models.Status {
			got, err := db.AppealByRef(ctx, a.CommunityID, a.Ref)
			if err != nil {
				t.Fatal(err)
			}
			return got.Status
		}
		steps := []struct {
			name, who, text string
			reply           []string
			status          models.Status
			pushedTo        string // someone who got a push with the ref
		}{
			{"tasks list", "worker-g1", "我的任务", []string{a.Ref, "未办结任务（1件）"}, models.StatusAssigned, ""},
			// A bare 接单 shows which tasks there are to name (found by a second user).
			{"usage without ref", "worker-g1", "接单", []string{"格式：接单 编号", a.Ref, "未办结任务（1件）"}, models.StatusAssigned, ""},
			{"unknown ref", "worker-g1", "接单 SQ2611269999", []string{"没有找到"}, models.StatusAssigned, ""},
			// The number without its letters names it too.
			{"accept", "worker-g1", "接单 " + strings.TrimPrefix(a.Ref, "SQ"), []string{"已接单"}, models.StatusAccepted, "resident"},
			{"accept twice", "worker-g1", "接单 " + a.Ref, []string{"不能接单"}, models.StatusAccepted, ""},
			{"progress needs text", "worker-g1", "进展 " + a.Ref, []string{"格式：进展 编号 内容"}, models.StatusAccepted, ""},
			{"progress", "worker-g1", "进展 " + a.Ref + " 已买好灯泡", []string{"进展已记录"}, models.StatusInProgress, "resident"},
			{"rate too early", "resident", "满意", []string{"没有待评价"}, models.StatusInProgress, ""},
			{"rate too early, with a remark", "resident", "满意 这回亮了", []string{"没有待评价"}, models.StatusInProgress, ""},
			{"resolve", "worker-g1", "办结" + a.Ref + "灯泡已更换", []string{"已办结"}, models.StatusResolved, "resident"},
			{"unhappy needs reason", "resident", "不满意", []string{"不满意的原因", "回复“取消”不评价"}, models.StatusResolved, ""},
			{"someone else rates", "worker-g2", "满意 " + a.Ref, []string{"没有找到"}, models.StatusResolved, ""},
			{"unhappy", "resident", "不满意 还是不亮", []string{"重新交办"}, models.StatusReopened, "committee"},
			{"resolve again", "worker-g1", "办结 " + a.Ref + " 换了线路", []string{"已办结"}, models.StatusResolved, ""},
			// With a remark after it (found by a second user: 没太明白).
			{"happy", "resident", "满意 这回亮了，修得快", []string{"感谢评价"}, models.StatusClosed, "worker-g1"},
			{"tasks empty", "worker-g1", "我的任务", []string{"没有未办结的任务"}, models.StatusClosed, ""},
			{"staff help", "committee", "帮助", []string{"两委成员", "改派", "接单", "我的诉求"}, models.StatusClosed, ""},
			{"resident help", "resident", "帮助", []string{"我的诉求"}, models.StatusClosed, ""},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				reply := w.say(st.who, st.text)
				expectAll(t, reply, st.reply...)
				if got := status(); got != st.status {
					t.Fatalf("status %s, want %s (reply %q)", got, st.status, reply)
				}
				if st.pushedTo != "" {
					found := false
					for _, p := range pushes()[st.pushedTo] {
						found = found || strings.Contains(p, a.Ref)
					}
					if !found {
						t.Fatalf("%s got no push about %s: %v", st.pushedTo, a.Ref, pushes()[st.pushedTo])
					}
				}
			})
		}
		var evs []string
		for _, ev := range w.events(a) {
			evs = append(evs, ev.Action)
		}
		want := "assign accept progress resolve rate_unsatisfied accept resolve rate_satisfied" // 办结 after a reopen accepts it again first
		if strings.Join(evs, " ") != want {
			t.Errorf("events %v, want %s", evs, want)
		}
		if help := w.say("resident", "帮助"); strings.Contains(help, "接单") {
			t.Errorf("a resident's help shows staff commands: %q", help)
		}
	})
}

// TestBindByChat: wrong, expired and used codes get clear answers; a retried
// message is answered from its record and never counts as a second wrong try.
func TestBindByChat(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		ctx := context.Background()
		code, _, err := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleGridWorker, GridID: "g2", Name: "新网格员"}, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		old, _, err := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleCommittee, Name: "过期"}, now.Add(-2*time.Hour), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		retry := func(openID, text string, id int64) string {
			r, err := w.svc.Handle(ctx, models.Inbound{CommunityID: "c1", OpenID: openID, MsgType: models.MsgText, Content: text, MsgID: id})
			if err != nil {
				t.Fatal(err)
			}
			return r.Reply
		}
		for i := 0; i < 3; i++ { // WeChat retries the same message
			expectAll(t, retry("newbie", "绑定 ABCDEFGH", 1), "绑定码不对")
		}
		var fails int64
		db.Gorm().Model(&models.BindAttempt{}).Where("open_id = ?", "newbie").Count(&fails)
		if fails != 1 {
			t.Fatalf("%d failed tries recorded for one message sent three times, want 1", fails)
		}
		expectAll(t, w.say("newbie", "绑定 "+old), "已过期")
		expectAll(t, w.say("newbie", "绑定"), "绑定码由社区管理员提供")
		expectAll(t, w.say("newbie", "绑定 "+code), "绑定成功", "新网格员", "网格员")
		expectAll(t, w.say("newbie", "绑定 "+code), "已绑定为网格员")
		expectAll(t, w.say("other", "绑定 "+code), "已经用过")
		for i := 0; i < models.BindMaxFailures; i++ {
			w.say("guesser", fmt.Sprintf("绑定 ZZZZZZZ%d", i+2))
		}
		expectAll(t, w.say("guesser", "绑定 "+code), "输错次数太多")
	})
}

func expectAll(t *testing.T, reply string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(reply, f) {
			t.Fatalf("reply %q lacks %q", reply, f)
		}
	}
}

// TestReassignReasonRule: 改派 refuses a reason beyond 200 characters with
// the catalog's words, as the API does, and changes nothing; one of 200 is
// taken whole.
func TestReassignReasonRule(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		a := w.appeal(models.KindSmall)
		to := w.staff["worker-g2"].ID
		long := strings.Repeat("理", 201)
		if r := w.say("committee", fmt.Sprintf("改派 %s %d %s", a.Ref, to, long)); !strings.Contains(r, "200字以内") {
			t.Fatalf("reply %q; want the reason's limit", r)
		}
		if n := len(w.events(a)); n != 1 {
			t.Fatalf("%d events after a refused 改派; want 1 (nothing changed)", n)
		}
		whole := strings.Repeat("理", 200)
		if r := w.say("committee", fmt.Sprintf("改派 %s %d %s", a.Ref, to, whole)); !strings.Contains(r, "已改派") {
			t.Fatalf("reply %q; want reassigned", r)
		}
		evs := w.events(a)
		if last := evs[len(evs)-1]; last.Action != string(models.ActReassign) || !strings.HasSuffix(last.Reason, "; "+whole) {
			t.Fatalf("last event %+v; want reassign with the whole reason", last)
		}
	})
}
