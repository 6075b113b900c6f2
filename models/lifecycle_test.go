package models_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// lifecycleTable is the intended state machine, written out independently of
// the code: per action, the target from each status in models.Statuses order
// (submitted, assigned, accepted, in_progress, resolved, closed, guided,
// review, reopened, escalated, withdrawn). "-" refused, "=" status kept.
var lifecycleTable = map[models.Action]string{
	models.ActAssign:          "A------AAA-",
	models.ActReassign:        "-AAA----AA-",
	models.ActAccept:          "-C------CC-",
	models.ActProgress:        "--PP-------",
	models.ActResolve:         "-RRR----RR-",
	models.ActRateSatisfied:   "----X------",
	models.ActRateUnsatisfied: "----O------",
	models.ActEscalate:        "-EEE----EE-",
	models.ActReclassify:      "====---===-",
	models.ActReturn:          "-SSS----SS-",
	models.ActWithdraw:        "WWWW---WWW-",
	models.ActGuide:           "GG-----G---",
	models.ActDisputePrivate:  "------V----",
	models.ActSetDeadline:     "====---===-",
	models.ActCloseUnrated:    "----X------",
	models.ActAnswer:          "-R---------",
}

var letter = map[byte]models.Status{'S': models.StatusSubmitted, 'A': models.StatusAssigned, 'C': models.StatusAccepted,
	'P': models.StatusInProgress, 'R': models.StatusResolved, 'X': models.StatusClosed, 'G': models.StatusGuided,
	'V': models.StatusReview, 'O': models.StatusReopened, 'E': models.StatusEscalated, 'W': models.StatusWithdrawn}

var (
	t0        = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	worker1   = &models.Staff{ID: 1, CommunityID: "c1", Role: models.RoleGridWorker, GridID: "g1", OpenID: "o-w1", Active: true}
	worker2   = &models.Staff{ID: 2, CommunityID: "c1", Role: models.RoleGridWorker, GridID: "g2", OpenID: "o-w2", Active: true}
	liaisonA  = &models.Staff{ID: 3, CommunityID: "c1", Role: models.RoleLiaison, Department: "区住房城乡建委", OpenID: "o-la", Active: true}
	liaisonB  = &models.Staff{ID: 4, CommunityID: "c1", Role: models.RoleLiaison, Department: "区生态环境局", OpenID: "o-lb", Active: true}
	committee = &models.Staff{ID: 5, CommunityID: "c1", Role: models.RoleCommittee, OpenID: "o-cm", Active: true}
	adminSt   = &models.Staff{ID: 6, CommunityID: "c1", Role: models.RoleAdmin, OpenID: "o-ad", Active: true}
	district  = &models.Staff{ID: 7, CommunityID: "c1", Role: models.RoleDistrictCoordinator, OpenID: "o-dc", Active: true}
	foreignCm = &models.Staff{ID: 8, CommunityID: "c2", Role: models.RoleCommittee, OpenID: "o-x", Active: true}
)

// appealIn builds an appeal in status s that every action's extra checks accept.
func appealIn(s models.Status, act models.Action) *models.Appeal {
	due := t0.Add(72 * time.Hour)
	a := &models.Appeal{ID: 9, Ref: "SQ2611260001", CommunityID: "c1", OpenID: "o-res", Kind: models.KindSmall,
		Level: models.LevelCommunity, Status: s, GridID: "g1", Assignee: worker1.Ref(), DueAt: &due, CreatedAt: t0, UpdatedAt: t0}
	if act == models.ActGuide || act == models.ActDisputePrivate {
		a.Kind, a.Level, a.Assignee = models.KindPrivate, models.LevelSelf, ""
	}
	return a
}

// stepFor gives each action the values it needs and an actor allowed to take it.
func stepFor(act models.Action) (models.Step, models.Actor) {
	due := t0.Add(120 * time.Hour)
	cm := models.Actor{Kind: models.ActorStaff, Staff: committee}
	switch act {
	case models.ActAssign, models.ActReassign:
		return models.Step{Action: act, Assignee: worker2.Ref()}, cm
	case models.ActReclassify:
		return models.Step{Action: act, Kind: models.KindMajor, Level: models.LevelStreet}, cm
	case models.ActSetDeadline:
		return models.Step{Action: act, DueAt: &due}, cm
	case models.ActRateSatisfied, models.ActRateUnsatisfied, models.ActWithdraw, models.ActDisputePrivate:
		return models.Step{Action: act}, models.Actor{Kind: models.ActorResident, OpenID: "o-res"}
	case models.ActCloseUnrated, models.ActAnswer:
		return models.Step{Action: act}, models.Actor{Kind: models.ActorSystem}
	case models.ActReturn:
		return models.Step{Action: act}, models.Actor{Kind: models.ActorStaff, Staff: worker1}
	}
	return models.Step{Action: act}, cm
}

func TestLifecycleEveryStatusEveryAction(t *testing.T) {
	t.Parallel()
	if len(lifecycleTable) != len(models.Actions) {
		t.Fatalf("table has %d actions, models.Actions %d", len(lifecycleTable), len(models.Actions))
	}
	for _, act := range models.Actions {
		row, ok := lifecycleTable[act]
		if !ok || len(row) != len(models.Statuses) {
			t.Fatalf("lifecycleTable[%s] = %q: want one letter per status", act, row)
		}
		for i, from := range models.Statuses {
			t.Run(string(act)+"/"+string(from), func(t *testing.T) {
				a := appealIn(from, act)
				before := *a
				step, actor := stepFor(act)
				ev, err := models.Apply(a, step, actor, "因为", t0.Add(time.Hour))
				want := row[i]
				if want == '-' {
					if models.ErrorCode(err) != models.ECONFLICT {
						t.Fatalf("Apply(%s from %s) error = %v; want ECONFLICT", act, from, err)
					}
					if models.ErrorMessage(err) == "" || !reflect.DeepEqual(*a, before) {
						t.Fatalf("refused step changed the appeal or gave no message: %+v", a)
					}
					if models.Allowed(from, act) || models.Target(from, act) != "" {
						t.Fatalf("Allowed(%s,%s) disagrees with Apply", from, act)
					}
					return
				}
				if err != nil {
					t.Fatalf("Apply(%s from %s) = %v; want allowed", act, from, err)
				}
				to := from
				if want != '=' {
					to = letter[want]
				}
				if a.Status != to || ev.FromStatus != from || ev.ToStatus != to || ev.Action != string(act) {
					t.Fatalf("Apply(%s from %s): status %s, event %s→%s %s; want %s", act, from, a.Status, ev.FromStatus, ev.ToStatus, ev.Action, to)
				}
				if ev.Actor != actor.String() || ev.AppealID != a.ID || !ev.At.Equal(t0.Add(time.Hour)) || ev.Reason == "" {
					t.Fatalf("event = %+v", ev)
				}
				if models.Target(from, act) != to {
					t.Fatalf("Target(%s,%s) = %s, want %s", from, act, models.Target(from, act), to)
				}
			})
		}
	}
}

func TestApplyEffects(t *testing.T) {
	t.Parallel()
	now := t0.Add(2 * time.Hour)
	cm := models.Actor{Kind: models.ActorStaff, Staff: committee}
	w1 := models.Actor{Kind: models.ActorStaff, Staff: worker1}
	tests := []struct {
		name   string
		status models.Status
		step   models.Step
		actor  models.Actor
		check  func(t *testing.T, a *models.Appeal)
	}{
		{"resolve stamps resolved_at", models.StatusInProgress, models.Step{Action: models.ActResolve}, w1, func(t *testing.T, a *models.Appeal) {
			if a.ResolvedAt == nil || !a.ResolvedAt.Equal(now) {
				t.Fatalf("ResolvedAt = %v", a.ResolvedAt)
			}
		}},
		{"unsatisfied clears resolved_at", models.StatusResolved, models.Step{Action: models.ActRateUnsatisfied},
			models.Actor{Kind: models.ActorResident, OpenID: "o-res"}, func(t *testing.T, a *models.Appeal) {
				if a.ResolvedAt != nil || a.Status != models.StatusReopened {
					t.Fatalf("after unsatisfied: %+v", a)
				}
			}},
		{"escalate goes one level up to the placeholder", models.StatusAccepted, models.Step{Action: models.ActEscalate}, w1, func(t *testing.T, a *models.Appeal) {
			if a.Level != models.LevelStreet || a.Assignee != "role:liaison" {
				t.Fatalf("after escalate: level %s assignee %s", a.Level, a.Assignee)
			}
		}},
		{"return goes to the committee", models.StatusAssigned, models.Step{Action: models.ActReturn}, w1, func(t *testing.T, a *models.Appeal) {
			if a.Assignee != "role:committee" || a.Status != models.StatusSubmitted {
				t.Fatalf("after return: %+v", a)
			}
		}},
		{"set deadline", models.StatusAssigned, models.Step{Action: models.ActSetDeadline, DueAt: &now}, cm, func(t *testing.T, a *models.Appeal) {
			if !a.DueAt.Equal(now) {
				t.Fatalf("DueAt = %v", a.DueAt)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := appealIn(tc.status, tc.step.Action)
			a.ResolvedAt = &t0
			if _, err := models.Apply(a, tc.step, tc.actor, "原因", now); err != nil {
				t.Fatal(err)
			}
			tc.check(t, a)
		})
	}
}

func TestApplyBadSteps(t *testing.T) {
	t.Parallel()
	cm := models.Actor{Kind: models.ActorStaff, Staff: committee}
	tests := []struct {
		name   string
		status models.Status
		level  models.Level
		step   models.Step
		reason string
		code   string
	}{
		{"unknown action", models.StatusAssigned, "", models.Step{Action: "fly"}, "x", models.EINVALID},
		{"assign without assignee", models.StatusSubmitted, "", models.Step{Action: models.ActAssign}, "x", models.EINVALID},
		{"reassign to the same", models.StatusAssigned, "", models.Step{Action: models.ActReassign, Assignee: worker1.Ref()}, "x", models.ECONFLICT},
		{"reclassify nothing", models.StatusAssigned, "", models.Step{Action: models.ActReclassify}, "x", models.EINVALID},
		{"reclassify bad kind", models.StatusAssigned, "", models.Step{Action: models.ActReclassify, Kind: "huge"}, "x", models.EINVALID},
		{"reclassify major at community", models.StatusAssigned, "", models.Step{Action: models.ActReclassify, Kind: models.KindMajor}, "x", models.EINVALID},
		{"reclassify to the same", models.StatusAssigned, "", models.Step{Action: models.ActReclassify, Kind: models.KindSmall}, "x", models.ECONFLICT},
		{"deadline without time", models.StatusAssigned, "", models.Step{Action: models.ActSetDeadline}, "x", models.EINVALID},
		{"escalate above district", models.StatusAssigned, models.LevelDistrict, models.Step{Action: models.ActEscalate}, "x", models.ECONFLICT},
		{"escalate without reason", models.StatusAssigned, "", models.Step{Action: models.ActEscalate}, "", models.EINVALID},
		{"guide a small appeal", models.StatusSubmitted, "", models.Step{Action: models.ActGuide}, "x", models.ECONFLICT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := appealIn(tc.status, models.ActAccept)
			if tc.level != "" {
				a.Kind, a.Level = models.KindMajor, tc.level
			}
			before := *a
			_, err := models.Apply(a, tc.step, cm, tc.reason, t0)
			if models.ErrorCode(err) != tc.code {
				t.Fatalf("error = %v; want %s", err, tc.code)
			}
			if !reflect.DeepEqual(*a, before) {
				t.Fatalf("refused step changed the appeal")
			}
		})
	}
}

// party names every kind of actor of the role matrix.
var parties = []struct {
	name  string
	actor models.Actor
}{
	{"author", models.Actor{Kind: models.ActorResident, OpenID: "o-res"}},
	{"other resident", models.Actor{Kind: models.ActorResident, OpenID: "o-other"}},
	{"worker this grid", models.Actor{Kind: models.ActorStaff, Staff: worker1}},
	{"worker other grid", models.Actor{Kind: models.ActorStaff, Staff: worker2}},
	{"liaison this dept", models.Actor{Kind: models.ActorStaff, Staff: liaisonA}},
	{"liaison other dept", models.Actor{Kind: models.ActorStaff, Staff: liaisonB}},
	{"district", models.Actor{Kind: models.ActorStaff, Staff: district}},
	{"committee", models.Actor{Kind: models.ActorStaff, Staff: committee}},
	{"committee elsewhere", models.Actor{Kind: models.ActorStaff, Staff: foreignCm}},
	{"admin staff", models.Actor{Kind: models.ActorStaff, Staff: adminSt}},
	{"admin api", models.Actor{Kind: models.ActorAdmin}},
	{"system", models.Actor{Kind: models.ActorSystem}},
}

// mayAct is the intended policy; "handler" is the appeal's handler in each scenario.
var mayAct = map[models.Action][]string{
	models.ActAssign:          {"committee", "admin staff", "admin api", "system"},
	models.ActReassign:        {"committee", "admin staff", "admin api", "system"},
	models.ActAccept:          {"handler", "committee", "admin staff"},
	models.ActProgress:        {"handler", "committee", "admin staff"},
	models.ActResolve:         {"handler", "committee", "admin staff"},
	models.ActRateSatisfied:   {"author"},
	models.ActRateUnsatisfied: {"author"},
	models.ActEscalate:        {"handler", "committee", "admin staff", "admin api", "system"},
	models.ActReclassify:      {"committee", "admin staff", "admin api"},
	models.ActReturn:          {"handler"},
	models.ActWithdraw:        {"author"},
	models.ActGuide:           {"committee", "admin staff", "admin api", "system"},
	models.ActDisputePrivate:  {"author"},
	models.ActSetDeadline:     {"committee", "admin staff", "admin api", "system"},
	models.ActCloseUnrated:    {"system"},
	models.ActAnswer:          {"system"},
}

// firstFrom is a status from which act is allowed.
func firstFrom(act models.Action) models.Status {
	for _, s := range models.Statuses {
		if models.Allowed(s, act) {
			return s
		}
	}
	return ""
}

// MatrixCase is one cell of the role matrix, shared with the store test.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		handler string
		setup   func(a *models.Appeal)
	}{
		{"small to grid worker", "worker this grid", func(a *models.Appeal) {}},
		{"major to liaison placeholder", "liaison this dept", func(a *models.Appeal) {
			a.Kind, a.Level, a.Unit, a.Assignee = models.KindMajor, models.LevelStreet, liaisonA.Department, "role:liaison"
		}},
	}
	for _, sc := range scenarios {
		for _, act := range models.Actions {
			for _, p := range parties {
				t.Run(sc.name+"/"+string(act)+"/"+p.name, func(t *testing.T) {
					from := firstFrom(act)
					a := appealIn(from, act)
					if act != models.ActGuide && act != models.ActDisputePrivate {
						sc.setup(a)
					}
					step, _ := stepFor(act)
					if act == models.ActReclassify && a.Kind == models.KindMajor {
						step.Kind, step.Level = models.KindMajor, models.LevelDistrict
					}
					before := *a
					_, err := models.Apply(a, step, p.actor, "原因", t0)
					want := false
					for _, who := range mayAct[act] {
						if who == p.name || (who == "handler" && p.name == sc.handler) {
							want = true
						}
					}
					if want && err != nil {
						t.Fatalf("%s may %s, got %v", p.name, act, err)
					}
					if !want {
						if models.ErrorCode(err) != models.EFORBIDDEN {
							t.Fatalf("%s may not %s: error = %v, want EFORBIDDEN", p.name, act, err)
						}
						if !reflect.DeepEqual(*a, before) {
							t.Fatal("refused actor changed the appeal")
						}
					}
				})
			}
		}
	}
}

func TestRoute(t *testing.T) {
	t.Parallel()
	staff := []*models.Staff{worker1, worker2, liaisonA, liaisonB, committee, district,
		{ID: 10, CommunityID: "c1", Role: models.RoleGridWorker, GridID: "g3", OpenID: "o-off", Active: false}}
	tests := []struct {
		name string
		a    models.Appeal
		want string
	}{
		{"small to the grid's worker", models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, GridID: "g2"}, "staff:2"},
		{"small, inactive worker: committee", models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, GridID: "g3"}, "role:committee"},
		{"small, no grid: committee", models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity}, "role:committee"},
		{"major street to the unit's liaison", models.Appeal{Kind: models.KindMajor, Level: models.LevelStreet, Unit: "区生态环境局"}, "staff:4"},
		{"major street, unknown unit", models.Appeal{Kind: models.KindMajor, Level: models.LevelStreet, Unit: "区教委"}, "role:liaison"},
		// A unit naming several departments goes to the first with a liaison
		// (found by a second user: 街道城管执法队、区生态环境局 reached nobody).
		{"major street, a unit of several departments", models.Appeal{Kind: models.KindMajor, Level: models.LevelStreet, Unit: "街道城管执法队、区生态环境局"}, "staff:4"},
		{"district", models.Appeal{Kind: models.KindMajor, Level: models.LevelDistrict}, "staff:7"},
		{"private: nobody", models.Appeal{Kind: models.KindPrivate, Level: models.LevelSelf}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.a.CommunityID = "c1"
			if got := models.Route(&tc.a, staff); got != tc.want {
				t.Fatalf("Route = %q, want %q", got, tc.want)
			}
		})
	}
	// A liaison of one of a unit's departments handles its appeal waiting
	// for "any liaison" (their 我的任务, 接单); another department's does not.
	waiting := &models.Appeal{CommunityID: "c1", Kind: models.KindMajor, Level: models.LevelStreet, Status: models.StatusAssigned,
		Assignee: "role:liaison", Unit: "街道城管执法队、区生态环境局"}
	if !models.IsHandler(liaisonB, waiting) || models.IsHandler(liaisonA, waiting) {
		t.Fatalf("handlers of a unit of several departments: B %v, A %v; want B only", models.IsHandler(liaisonB, waiting), models.IsHandler(liaisonA, waiting))
	}
	if got := models.Route(&models.Appeal{CommunityID: "c9", Kind: models.KindMajor, Level: models.LevelDistrict}, staff); got != "role:district_coordinator" {
		t.Fatalf("other community's staff used: %q", got)
	}
}

func TestInviteCode(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		c, err := models.NewInviteCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != models.InviteCodeLen {
			t.Fatalf("code %q has length %d", c, len(c))
		}
		for _, r := range c {
			if !containsRune(models.InviteAlphabet, r) {
				t.Fatalf("code %q has %q outside the alphabet", c, r)
			}
		}
		seen[c] = true
	}
	if len(seen) < 199 {
		t.Fatalf("only %d distinct codes of 200", len(seen))
	}
	if models.HashInviteCode(" abcd efgh ") != models.HashInviteCode("ABCDEFGH") {
		t.Fatal("hash does not normalise case and spaces")
	}
}

func containsRune(s string, r rune) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

func TestInviteRequestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  models.InviteRequest
		ok   bool
	}{
		{"worker with grid", models.InviteRequest{CommunityID: "c1", Role: models.RoleGridWorker, GridID: "g1", Name: "张三"}, true},
		{"worker without grid", models.InviteRequest{CommunityID: "c1", Role: models.RoleGridWorker, Name: "张三"}, false},
		{"liaison without department", models.InviteRequest{CommunityID: "c1", Role: models.RoleLiaison, Name: "李四"}, false},
		{"liaison with grid", models.InviteRequest{CommunityID: "c1", Role: models.RoleLiaison, Department: "d", GridID: "g1", Name: "李四"}, false},
		{"committee with grid", models.InviteRequest{CommunityID: "c1", Role: models.RoleCommittee, GridID: "g1", Name: "王五"}, false},
		{"unknown role", models.InviteRequest{CommunityID: "c1", Role: "boss", Name: "王五"}, false},
		{"no name", models.InviteRequest{CommunityID: "c1", Role: models.RoleCommittee, Name: "  "}, false},
		{"committee", models.InviteRequest{CommunityID: "c1", Role: models.RoleCommittee, Name: "王五"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && models.ErrorCode(err) != models.EINVALID {
				t.Fatalf("code %s, want EINVALID", models.ErrorCode(err))
			}
		})
	}
}
