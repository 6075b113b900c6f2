package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

var day0 = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)

// seedCommunity creates community c1 with grids g1, g2 and two departments.
func seedCommunity(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "测试社区"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedGrids(ctx, "c1", []models.GridSpec{{ID: "g1", Name: "网格一", Buildings: []string{"1", "2"}},
		{ID: "g2", Name: "网格二", Buildings: []string{"3", "4"}}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"区住房城乡建委", "区生态环境局"} {
		if err := db.CreateDepartment(ctx, &models.Department{CommunityID: "c1", Name: n}); err != nil {
			t.Fatal(err)
		}
	}
}

// bind issues an invite and binds openID to it.
func bind(t *testing.T, db *store.DB, req models.InviteRequest, openID string) *models.Staff {
	t.Helper()
	req.CommunityID = "c1"
	code, _, err := db.CreateInvite(context.Background(), req, day0, 0)
	if err != nil {
		t.Fatalf("CreateInvite(%+v): %v", req, err)
	}
	s, err := db.BindStaff(context.Background(), "c1", openID, code, day0.Add(time.Minute))
	if err != nil {
		t.Fatalf("BindStaff: %v", err)
	}
	return s
}

func TestInvitesAndBinding(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedCommunity(t, db)

		t.Run("invalid invites are refused", func(t *testing.T) {
			for name, req := range map[string]models.InviteRequest{
				"unknown grid":       {CommunityID: "c1", Role: models.RoleGridWorker, GridID: "g9", Name: "张三"},
				"unknown department": {CommunityID: "c1", Role: models.RoleLiaison, Department: "区教委", Name: "李四"},
				"unknown community":  {CommunityID: "c9", Role: models.RoleCommittee, Name: "王五"},
				"unknown role":       {CommunityID: "c1", Role: "mayor", Name: "王五"},
			} {
				if _, _, err := db.CreateInvite(ctx, req, day0, 0); models.ErrorCode(err) != models.EINVALID {
					t.Errorf("%s: CreateInvite error = %v, want EINVALID", name, err)
				}
			}
		})

		code, inv, err := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleGridWorker, GridID: "g1", Name: "张网格"}, day0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !inv.ExpiresAt.Equal(day0.Add(72*time.Hour)) || inv.CodeHash == code || len(code) != 8 {
			t.Fatalf("invite = %+v, code %q", inv, code)
		}
		var stored models.StaffInvite
		if err := db.Gorm().Take(&stored, inv.ID).Error; err != nil || stored.CodeHash != models.HashInviteCode(code) {
			t.Fatalf("stored invite: %+v, %v", stored, err)
		}

		t.Run("expired code", func(t *testing.T) {
			c2, _, err := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleCommittee, Name: "过期"}, day0, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.BindStaff(ctx, "c1", "o-late", c2, day0.Add(time.Hour)); !errors.Is(err, models.ErrInviteExpired) {
				t.Fatalf("BindStaff(expired) = %v", err)
			}
		})

		t.Run("bind once, in lower case with spaces", func(t *testing.T) {
			s, err := db.BindStaff(ctx, "c1", "o-worker", " "+code[:4]+" "+toLower(code[4:]), day0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if s.Role != models.RoleGridWorker || s.GridID != "g1" || s.OpenID != "o-worker" || !s.Active || s.BoundAt == nil {
				t.Fatalf("staff = %+v", s)
			}
			got, err := db.StaffByOpenID(ctx, "c1", "o-worker")
			if err != nil || got.ID != s.ID {
				t.Fatalf("StaffByOpenID = %+v, %v", got, err)
			}
		})

		t.Run("reused code", func(t *testing.T) {
			if _, err := db.BindStaff(ctx, "c1", "o-thief", code, day0.Add(2*time.Hour)); !errors.Is(err, models.ErrInviteUsed) {
				t.Fatalf("BindStaff(reused) = %v", err)
			}
		})

		t.Run("already bound", func(t *testing.T) {
			c3, _, _ := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleCommittee, Name: "又一个"}, day0, 0)
			if _, err := db.BindStaff(ctx, "c1", "o-worker", c3, day0.Add(time.Hour)); !errors.Is(err, models.ErrAlreadyBound) {
				t.Fatalf("BindStaff(bound) = %v", err)
			}
		})

		t.Run("guessing is locked out", func(t *testing.T) {
			right, _, err := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleCommittee, Name: "赵委员"}, day0, 0)
			if err != nil {
				t.Fatal(err)
			}
			at := day0.Add(3 * time.Hour)
			for i := range models.BindMaxFailures {
				if _, err := db.BindStaff(ctx, "c1", "o-guess", "ZZZZZZZ"+string(rune('2'+i)), at); !errors.Is(err, models.ErrInviteUnknown) {
					t.Fatalf("guess %d: %v", i, err)
				}
			}
			if _, err := db.BindStaff(ctx, "c1", "o-guess", right, at.Add(time.Minute)); !errors.Is(err, models.ErrBindLocked) {
				t.Fatalf("right code while locked out = %v, want ErrBindLocked", err)
			}
			var n int64
			db.Gorm().Model(&models.Staff{}).Where("open_id = ?", "o-guess").Count(&n)
			if n != 0 {
				t.Fatal("a locked-out sender got bound")
			}
			// Another sender is not locked out by these tries.
			if _, err := db.BindStaff(ctx, "c1", "o-other", "ZZZZZZZZ", at); !errors.Is(err, models.ErrInviteUnknown) {
				t.Fatalf("other sender: %v", err)
			}
			s, err := db.BindStaff(ctx, "c1", "o-guess", right, at.Add(models.BindWindow+time.Second))
			if err != nil || s.Role != models.RoleCommittee {
				t.Fatalf("after the window: %+v, %v", s, err)
			}
		})

		t.Run("two binds race on one code", func(t *testing.T) {
			c4, _, _ := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleDistrictCoordinator, Name: "区统筹"}, day0, 0)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					_, errs[i] = db.BindStaff(ctx, "c1", "o-race-"+string(rune('a'+i)), c4, day0.Add(time.Hour))
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else if models.ErrorCode(err) == models.EINTERNAL {
					t.Errorf("race error: %v", err)
				}
			}
			var n int64
			db.Gorm().Model(&models.Staff{}).Where("role = ?", models.RoleDistrictCoordinator).Count(&n)
			if ok != 1 || n != 1 {
				t.Fatalf("%d binds succeeded, %d staff rows; want 1, 1 (errors %v)", ok, n, errs)
			}
		})

		t.Run("deactivate", func(t *testing.T) {
			s, err := db.StaffByOpenID(ctx, "c1", "o-worker")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.DeactivateStaff(ctx, "c1", s.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.StaffByOpenID(ctx, "c1", "o-worker"); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("deactivated staff still found: %v", err)
			}
			if _, err := db.DeactivateStaff(ctx, "c1", 9999); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("DeactivateStaff(unknown) = %v", err)
			}
			list, err := db.ListStaff(ctx, "c1")
			if err != nil || len(list) != 3 || list[len(list)-1].Active {
				t.Fatalf("ListStaff = %d rows, %v; want 3 with the inactive last", len(list), err)
			}
		})
	})
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestGridsAndDepartments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedCommunity(t, db)
		if n, err := db.SeedGrids(ctx, "c1", []models.GridSpec{{ID: "g1", Name: "改名"}, {ID: "g3", Buildings: []string{"9"}}}); err != nil || n != 1 {
			t.Fatalf("SeedGrids again = %d, %v; want 1 new", n, err)
		}
		grids, _ := db.Grids(ctx, "c1")
		if len(grids) != 3 || grids[0].Name != "网格一" {
			t.Fatalf("seeding changed an existing grid: %+v", grids[0])
		}
		bind(t, db, models.InviteRequest{Role: models.RoleGridWorker, GridID: "g2", Name: "二网格员"}, "o-w2")
		tests := []struct {
			name  string
			grids []models.GridSpec
			code  string
		}{
			{"building twice", []models.GridSpec{{ID: "g1", Buildings: []string{"1"}}, {ID: "g2", Buildings: []string{"1"}}}, models.EINVALID},
			{"grid twice", []models.GridSpec{{ID: "g2"}, {ID: "g2"}}, models.EINVALID},
			{"bad id", []models.GridSpec{{ID: "a b"}, {ID: "g2"}}, models.EINVALID},
			{"formula id", []models.GridSpec{{ID: "=HYPERLINK(1)"}, {ID: "g2"}}, models.EINVALID},
			{"invisible building", []models.GridSpec{{ID: "g2", Buildings: []string{"\u200b1"}}}, models.EINVALID},
			{"too many grids", manyGrids(models.MaxGrids + 1), models.EINVALID},
			{"drop a staffed grid", []models.GridSpec{{ID: "g1"}}, models.ECONFLICT},
			{"fine", []models.GridSpec{{ID: "g2", Name: "二", Buildings: []string{"3", "4", "5"}}, {ID: "g4", Buildings: []string{"6"}}}, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before, _ := db.Grids(ctx, "c1")
				err := db.PutGrids(ctx, "c1", tc.grids)
				if models.ErrorCode(err) != tc.code {
					t.Fatalf("PutGrids = %v, want %q", err, tc.code)
				}
				after, _ := db.Grids(ctx, "c1")
				if tc.code != "" && !reflect.DeepEqual(ids(before), ids(after)) {
					t.Fatal("a refused PutGrids changed the grids")
				}
				if tc.code == "" && (len(after) != 2 || after[0].Buildings != "3,4,5") {
					t.Fatalf("after PutGrids: %+v", after)
				}
			})
		}
		if err := db.CreateDepartment(ctx, &models.Department{CommunityID: "c1", Name: "区生态环境局"}); models.ErrorCode(err) != models.ECONFLICT {
			t.Fatalf("duplicate department = %v", err)
		}
		if err := db.CreateDepartment(ctx, &models.Department{CommunityID: "c1", Name: " "}); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("empty department = %v", err)
		}
		deps, err := db.Departments(ctx, "c1")
		if err != nil || len(deps) != 2 {
			t.Fatalf("Departments = %d, %v", len(deps), err)
		}
	})
}

func ids(gs []*models.Grid) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.ID+":"+g.Buildings)
	}
	return out
}

// createAppeal stores one appeal through CommitTurn, as the chat does.
func createAppeal(t *testing.T, db *store.DB, a *models.Appeal, at time.Time) *models.Appeal {
	t.Helper()
	a.CommunityID = "c1"
	if a.OpenID == "" {
		a.OpenID = "o-res"
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = at
	}
	turn := &models.Turn{CommunityID: "c1", OpenID: a.OpenID, At: at, NewAppeals: []*models.NewAppeal{{Appeal: a,
		Events: []*models.AppealEvent{{Actor: "resident", Action: "submitted", ToStatus: a.Status, At: at}}}}}
	if err := db.CommitTurn(context.Background(), turn); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAppealUpdates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedCommunity(t, db)
		w := bind(t, db, models.InviteRequest{Role: models.RoleGridWorker, GridID: "g1", Name: "一网格员"}, "o-w1")
		a := createAppeal(t, db, &models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g1", Topic: "楼道灯"}, day0)
		to, err := db.RouteAppeal(ctx, a)
		if err != nil || to != w.Ref() {
			t.Fatalf("RouteAppeal = %q, %v; want %s", to, err, w.Ref())
		}

		// Two readers act on the same version: the second one must lose.
		first, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
		second, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
		ev, err := models.Apply(first, models.Step{Action: models.ActAssign, Assignee: to}, models.Actor{Kind: models.ActorSystem}, "", day0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.UpdateAppeal(ctx, &models.AppealUpdate{Appeal: first, ExpectStatus: models.StatusSubmitted, Events: []*models.AppealEvent{ev}}); err != nil {
			t.Fatal(err)
		}
		ev2, err := models.Apply(second, models.Step{Action: models.ActGuide}, models.Actor{Kind: models.ActorSystem}, "", day0.Add(time.Minute))
		if err == nil {
			t.Fatal("guide of a small appeal allowed")
		}
		second.Kind, second.Level = models.KindPrivate, models.LevelSelf
		ev2, err = models.Apply(second, models.Step{Action: models.ActGuide}, models.Actor{Kind: models.ActorSystem}, "", day0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}

		t.Run("stale update in a turn rolls back the whole turn", func(t *testing.T) {
			turn := &models.Turn{CommunityID: "c1", OpenID: "o-w1", DedupeKey: "m:42", Reply: "ok", At: day0.Add(2 * time.Minute),
				AppealUpdates: []*models.AppealUpdate{{Appeal: second, ExpectStatus: models.StatusSubmitted, Events: []*models.AppealEvent{ev2}}}}
			if err := db.CommitTurn(ctx, turn); !errors.Is(err, models.ErrAppealChanged) {
				t.Fatalf("CommitTurn(stale) = %v, want ErrAppealChanged", err)
			}
			if _, err := db.ProcessedReply(ctx, "c1", "m:42"); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("dedupe row kept after a failed turn: %v", err)
			}
			got, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
			if got.Status != models.StatusAssigned || got.Kind != models.KindSmall || got.Assignee != w.Ref() {
				t.Fatalf("appeal after stale turn = %+v", got)
			}
		})

		t.Run("accept by chat turn", func(t *testing.T) {
			cur, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
			ev, err := models.Transition(cur, models.ActAccept, models.Actor{Kind: models.ActorStaff, Staff: w}, "", day0.Add(3*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			turn := &models.Turn{CommunityID: "c1", OpenID: "o-w1", DedupeKey: "m:43", Reply: "已接单", At: day0.Add(3 * time.Minute),
				AppealUpdates: []*models.AppealUpdate{{Appeal: cur, ExpectStatus: models.StatusAssigned, Events: []*models.AppealEvent{ev}}}}
			if err := db.CommitTurn(ctx, turn); err != nil {
				t.Fatal(err)
			}
			got, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
			evs, _ := db.AppealEvents(ctx, a.ID)
			if got.Status != models.StatusAccepted || len(evs) != 3 || evs[2].Action != "accept" || evs[2].Actor != w.Ref() {
				t.Fatalf("after accept: %s, events %d", got.Status, len(evs))
			}
			tasks, err := db.OpenTasks(ctx, w, day0, 10)
			if err != nil || len(tasks) != 1 || tasks[0].Ref != a.Ref {
				t.Fatalf("OpenTasks = %d, %v", len(tasks), err)
			}
		})

		t.Run("resolve then deadline clearing writes zero values", func(t *testing.T) {
			cur, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
			ev, err := models.Transition(cur, models.ActResolve, models.Actor{Kind: models.ActorStaff, Staff: w}, "换了灯泡", day0.Add(4*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if err := db.UpdateAppeal(ctx, &models.AppealUpdate{Appeal: cur, ExpectStatus: models.StatusAccepted, Events: []*models.AppealEvent{ev}}); err != nil {
				t.Fatal(err)
			}
			ev, err = models.Transition(cur, models.ActRateUnsatisfied, models.Actor{Kind: models.ActorResident, OpenID: "o-res"}, "还是不亮", day0.Add(5*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if err := db.UpdateAppeal(ctx, &models.AppealUpdate{Appeal: cur, ExpectStatus: models.StatusResolved, Events: []*models.AppealEvent{ev}}); err != nil {
				t.Fatal(err)
			}
			got, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
			if got.Status != models.StatusReopened || got.ResolvedAt != nil {
				t.Fatalf("after unsatisfied: %s resolved_at %v", got.Status, got.ResolvedAt)
			}
		})

		t.Run("bad updates", func(t *testing.T) {
			if err := db.UpdateAppeal(ctx, &models.AppealUpdate{Appeal: &models.Appeal{}, ExpectStatus: models.StatusAssigned}); models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("update without id = %v", err)
			}
			if err := db.UpdateAppeal(ctx, &models.AppealUpdate{Appeal: &models.Appeal{ID: 9999, Status: models.StatusAssigned}, ExpectStatus: models.StatusAssigned}); !errors.Is(err, models.ErrAppealChanged) {
				t.Fatalf("update of a missing appeal = %v", err)
			}
		})
	})
}

// TestLifecycleMatrixOnStore plays every action by every party on a stored
// appeal: an allowed step is stored; a refused one leaves the row as it was.
func TestLifecycleMatrixOnStore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedCommunity(t, db)
		st := map[string]*models.Staff{
			"worker this grid":   bind(t, db, models.InviteRequest{Role: models.RoleGridWorker, GridID: "g1", Name: "甲"}, "o-w1"),
			"worker other grid":  bind(t, db, models.InviteRequest{Role: models.RoleGridWorker, GridID: "g2", Name: "乙"}, "o-w2"),
			"liaison this dept":  bind(t, db, models.InviteRequest{Role: models.RoleLiaison, Department: "区住房城乡建委", Name: "丙"}, "o-la"),
			"liaison other dept": bind(t, db, models.InviteRequest{Role: models.RoleLiaison, Department: "区生态环境局", Name: "丁"}, "o-lb"),
			"committee":          bind(t, db, models.InviteRequest{Role: models.RoleCommittee, Name: "戊"}, "o-cm"),
			"admin":              bind(t, db, models.InviteRequest{Role: models.RoleAdmin, Name: "己"}, "o-ad"),
		}
		actors := map[string]models.Actor{"resident": {Kind: models.ActorResident, OpenID: "o-res"},
			"other resident": {Kind: models.ActorResident, OpenID: "o-other"}, "admin api": {Kind: models.ActorAdmin},
			"system": {Kind: models.ActorSystem}}
		for k, s := range st {
			actors[k] = models.Actor{Kind: models.ActorStaff, Staff: s}
		}
		scenarios := []struct {
			name    string
			handler string
			appeal  func() *models.Appeal
		}{
			{"small", "worker this grid", func() *models.Appeal {
				return &models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, GridID: "g1", Assignee: st["worker this grid"].Ref()}
			}},
			{"major", "liaison this dept", func() *models.Appeal {
				return &models.Appeal{Kind: models.KindMajor, Level: models.LevelStreet, Unit: "区住房城乡建委", Assignee: st["liaison this dept"].Ref()}
			}},
		}
		allowed := map[models.Action][]string{
			models.ActAccept: {"handler", "committee", "admin"}, models.ActProgress: {"handler", "committee", "admin"},
			models.ActResolve: {"handler", "committee", "admin"}, models.ActEscalate: {"handler", "committee", "admin", "admin api", "system"},
			models.ActReturn: {"handler"}, models.ActReassign: {"committee", "admin", "admin api", "system"},
			models.ActReclassify: {"committee", "admin", "admin api"}, models.ActSetDeadline: {"committee", "admin", "admin api", "system"},
			models.ActRateSatisfied: {"resident"}, models.ActRateUnsatisfied: {"resident"}, models.ActWithdraw: {"resident"},
			models.ActCloseUnrated: {"system"}, models.ActAssign: {"committee", "admin", "admin api", "system"},
			models.ActGuide: {"committee", "admin", "admin api", "system"}, models.ActDisputePrivate: {"resident"},
			models.ActAnswer: {"system"},
		}
		due := day0.Add(96 * time.Hour)
		n := 0
		for _, sc := range scenarios {
			for _, act := range models.Actions {
				for name, actor := range actors {
					t.Run(sc.name+"/"+string(act)+"/"+name, func(t *testing.T) {
						a := sc.appeal()
						for _, s := range models.Statuses {
							if models.Allowed(s, act) {
								a.Status = s
								break
							}
						}
						step := models.Step{Action: act}
						switch act {
						case models.ActAssign, models.ActReassign:
							step.Assignee = st["committee"].Ref()
						case models.ActReclassify:
							step.Kind, step.Level = models.KindMajor, models.LevelDistrict
						case models.ActSetDeadline:
							step.DueAt = &due
						case models.ActGuide, models.ActDisputePrivate:
							a.Kind, a.Level, a.Assignee = models.KindPrivate, models.LevelSelf, ""
						}
						n++
						a = createAppeal(t, db, a, day0.Add(time.Duration(n)*time.Second))
						before, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
						cur := *before
						ev, err := models.Apply(&cur, step, actor, "原因", day0.Add(time.Hour))
						if err == nil {
							err = db.UpdateAppeal(ctx, &models.AppealUpdate{Appeal: &cur, ExpectStatus: before.Status, Events: []*models.AppealEvent{ev}})
						}
						want := false
						for _, who := range allowed[act] {
							want = want || who == name || (who == "handler" && name == sc.handler)
						}
						after, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
						evs, _ := db.AppealEvents(ctx, a.ID)
						if want {
							if err != nil || after.Status != models.Target(before.Status, act) || len(evs) != 2 {
								t.Fatalf("%s may %s: err %v, status %s, %d events", name, act, err, after.Status, len(evs))
							}
							return
						}
						if models.ErrorCode(err) != models.EFORBIDDEN {
							t.Fatalf("%s may not %s: error %v, want EFORBIDDEN", name, act, err)
						}
						if !reflect.DeepEqual(before, after) || len(evs) != 1 {
							t.Fatalf("refused %s by %s changed the row: %+v → %+v, %d events", act, name, before, after, len(evs))
						}
					})
				}
			}
		}
	})
}

// TestPutGridsRegridsResidents: a grid edit moves the residents of the
// buildings it moves, clears those of buildings no grid covers, and tells
// the one who listens (the engine reloads its grids).
func TestPutGridsRegridsResidents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedCommunity(t, db)
		at := time.Now().UTC()
		for openID, r := range map[string]*models.Resident{
			"o-1": {Building: "1", GridID: "g1"}, "o-2": {Building: "2", GridID: "g1"},
			"o-3": {Building: "3", GridID: "g2"}, "o-7": {Building: "7"}, "o-new": {},
		} {
			r.LastMessageAt = &at
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: openID, At: at, Resident: r}); err != nil {
				t.Fatal(err)
			}
		}
		var told []string
		db.OnGridsChanged = func(id string) { told = append(told, id) }
		// Building 2 moves to g2, building 7 joins a new grid g3, building 1 is left out.
		if err := db.PutGrids(ctx, "c1", []models.GridSpec{{ID: "g1", Buildings: []string{"9"}},
			{ID: "g2", Buildings: []string{"2", "3", "4"}}, {ID: "g3", Buildings: []string{"7"}}}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"o-1": "", "o-2": "g2", "o-3": "g2", "o-7": "g3", "o-new": ""}
		for openID, grid := range want {
			r, err := db.Resident(ctx, "c1", openID)
			if err != nil {
				t.Fatal(err)
			}
			if r.GridID != grid {
				t.Errorf("%s (building %q): grid %q, want %q", openID, r.Building, r.GridID, grid)
			}
		}
		if !reflect.DeepEqual(told, []string{"c1"}) {
			t.Errorf("OnGridsChanged got %v, want [c1]", told)
		}
		// A refused edit changes no resident and tells no one.
		if err := db.PutGrids(ctx, "c1", []models.GridSpec{{ID: "g2", Buildings: []string{"7"}}, {ID: "g3", Buildings: []string{"7"}}}); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("building twice = %v", err)
		}
		if r, _ := db.Resident(ctx, "c1", "o-7"); r.GridID != "g3" || len(told) != 1 {
			t.Errorf("a refused edit: o-7 in %q, told %v", r.GridID, told)
		}
	})
}

// manyGrids is n grids with one building each, g2 among them (it has a worker).
func manyGrids(n int) []models.GridSpec {
	out := []models.GridSpec{{ID: "g2"}}
	for i := range n - 1 {
		out = append(out, models.GridSpec{ID: fmt.Sprintf("x%d", i), Buildings: []string{fmt.Sprintf("b%d", i)}})
	}
	return out
}
