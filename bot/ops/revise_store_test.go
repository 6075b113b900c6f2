package ops_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestReviseAsTheConsoleWill reassigns an appeal the way a console action
// does (a committee member as the actor, committed at once) on both
// databases: the event carries the reason, the new handler gets the push in
// the same transaction; a grid worker is refused with a *StepError and
// nothing is stored.
func TestReviseAsTheConsoleWill(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		notified := 0
		_, appeals := reviseWorld(t, db, now, func() { notified++ })
		bind := func(openID string, req models.InviteRequest) *models.Staff {
			req.CommunityID = "c1"
			code, _, err := db.CreateInvite(ctx, req, now, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			s, err := db.BindStaff(ctx, "c1", openID, code, now)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		worker := bind("o-worker", models.InviteRequest{Role: models.RoleGridWorker, GridID: "g1", Name: "李网格"})
		other := bind("o-other", models.InviteRequest{Role: models.RoleGridWorker, GridID: "g1", Name: "赵网格"})
		committee := bind("o-committee", models.InviteRequest{Role: models.RoleCommittee, Name: "周委员"})
		res, err := appeals.Intake(ctx, ops.IntakeRequest{CommunityID: "c1", Source: "test", ServiceCode: "corridor-light",
			Description: "3栋楼道灯坏了", Address: "3栋"})
		if err != nil {
			t.Fatal(err)
		}
		ref := res.Appeal.Ref
		count := func() (events, pushes int64) {
			db.Gorm().Model(&models.AppealEvent{}).Where("appeal_id = ?", res.Appeal.ID).Count(&events)
			db.Gorm().Model(&models.OutboxMessage{}).Where("community_id = ?", "c1").Count(&pushes)
			return
		}
		events0, pushes0 := count()

		who := strconv.FormatUint(other.ID, 10)
		_, err = appeals.Revise(ctx, ops.Revision{Community: "c1", Ref: ref, Actor: models.Actor{Kind: models.ActorStaff, Staff: worker},
			Assignee: &who, Reason: "换人"})
		var se *ops.StepError
		if !errors.As(err, &se) || models.ErrorCode(err) != models.EFORBIDDEN || se.Status != models.StatusAssigned {
			t.Fatalf("a grid worker's revision: %v; want a forbidden *StepError in status assigned", err)
		}
		if e, p := count(); e != events0 || p != pushes0 {
			t.Fatalf("a refused revision stored %d events and %d pushes", e-events0, p-pushes0)
		}
		if _, err := appeals.Revise(ctx, ops.Revision{Community: "other", Ref: ref, Actor: models.Actor{Kind: models.ActorStaff, Staff: committee},
			Assignee: &who, Reason: "换人"}); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatalf("another community's revision: %v; want not found", err)
		}

		ch, err := appeals.Revise(ctx, ops.Revision{Community: "c1", Ref: ref, Actor: models.Actor{Kind: models.ActorStaff, Staff: committee},
			Assignee: &who, Reason: " 换人跟进 "})
		if err != nil {
			t.Fatal(err)
		}
		if ch.Appeal.Assignee != other.Ref() || ch.AssigneeName != "赵网格" || notified == 0 {
			t.Fatalf("after reassign: assignee %q (%q), notified %d", ch.Appeal.Assignee, ch.AssigneeName, notified)
		}
		evs, err := db.AppealEvents(ctx, res.Appeal.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		if last.Action != string(models.ActReassign) || last.Actor != committee.Ref() || len(evs) != int(events0)+1 ||
			!strings.HasSuffix(last.Reason, "; 换人跟进") {
			t.Fatalf("last event %+v of %d; want one reassign by the committee member", last, len(evs))
		}
		var push models.OutboxMessage
		if err := db.Gorm().Where("open_id = ? AND type = ?", "o-other", models.PushTaskAssigned).Take(&push).Error; err != nil {
			t.Fatalf("no task push to the new handler: %v", err)
		}
		if got, err := appeals.Appeal(ctx, "c1", ref); err != nil || got.Assignee != other.Ref() {
			t.Fatalf("stored appeal %+v, %v", got, err)
		}
	})
}

// TestReclassifyRetopics: a government matter the committee makes small is
// no longer filed under the government's catch-all topic and unit; it gets
// the small kind's, and back (both databases, as stored).
func TestReclassifyRetopics(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		cat, appeals, ref := reclassifyWorld(t, db, now, "other-government", "鱼塘坎那边有人烧东西")
		small, major := cat.Fallback(models.KindSmall), cat.Fallback(models.KindMajor)
		for _, step := range []struct {
			kind  models.Kind
			level models.Level
			want  *triage.Item
		}{{models.KindSmall, models.LevelCommunity, small}, {models.KindMajor, models.LevelStreet, major}} {
			ch, err := appeals.Revise(ctx, committeeRevision(ref, step.kind, step.level, "归属弄错了"))
			if err != nil {
				t.Fatalf("to %s: %v", step.kind, err)
			}
			got, err := appeals.Appeal(ctx, "c1", ref)
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != step.kind || got.TopicID != step.want.ID || got.Topic != step.want.Name || got.Unit != step.want.Unit {
				t.Fatalf("to %s: stored %s %q %q %q; want %q %q %q", step.kind, got.Kind, got.TopicID, got.Topic, got.Unit,
					step.want.ID, step.want.Name, step.want.Unit)
			}
			if ch.Appeal.Topic != step.want.Name {
				t.Fatalf("to %s: the change says topic %q", step.kind, ch.Appeal.Topic)
			}
		}
	})
}

// TestReclassifyFromPrivateDropsItsMatter: a family quarrel filed as the
// private matter 房屋买卖 and made small is not kept under that name (its
// text names no small matter): it becomes the small catch-all (found by a
// first user, who saw 房屋买卖 on a mediation in every push).
func TestReclassifyFromPrivateDropsItsMatter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		cat, appeals, ref := reclassifyWorld(t, db, now, "house-sale", "我和儿媳妇为了过户闹得很僵，想找人说和一下")
		// The resident disputes it (不是私事); the committee then makes it small.
		dispute(t, db, appeals, ref, "想请社区调解")
		if _, err := appeals.Revise(ctx, committeeRevision(ref, models.KindSmall, models.LevelCommunity, "需要社区调解")); err != nil {
			t.Fatal(err)
		}
		got, err := appeals.Appeal(ctx, "c1", ref)
		if err != nil {
			t.Fatal(err)
		}
		if want := cat.Fallback(models.KindSmall); got.Kind != models.KindSmall || got.TopicID == "house-sale" || got.Topic == "房屋买卖" {
			t.Fatalf("stored %s %q %q; want a small matter, not 房屋买卖 (the catch-all %q when no other is named)", got.Kind, got.TopicID, got.Topic, want.Name)
		}
	})
}

// TestReclassifyNamesTheNewMatter: a committee that makes a neighbour
// quarrel about a restaurant's fumes a major matter files it under the major
// matter its text names (餐饮油烟, with its unit), and the words it teaches
// carry that topic, so the learned-words page can show it (both databases).
func TestReclassifyNamesTheNewMatter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		cat, appeals, ref := reclassifyWorld(t, db, now, "neighbour-dispute", "楼下新开的小馆子天天油烟往楼上窜")
		if _, err := appeals.Revise(ctx, committeeRevision(ref, models.KindMajor, models.LevelStreet, "商户油烟归街道")); err != nil {
			t.Fatal(err)
		}
		want := cat.Item("restaurant-fumes")
		got, err := appeals.Appeal(ctx, "c1", ref)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != models.KindMajor || got.TopicID != want.ID || got.Topic != want.Name || got.Unit != want.Unit {
			t.Fatalf("stored %s %q %q %q; want major %q %q %q", got.Kind, got.TopicID, got.Topic, got.Unit, want.ID, want.Name, want.Unit)
		}
		words, err := db.Learned(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if len(words) == 0 {
			t.Fatal("the correction taught nothing")
		}
		for _, w := range words {
			if !w.Committee || w.Kind != models.KindMajor || w.TopicID != want.ID {
				t.Fatalf("learned %+v; want a committee word, major, topic %s", w, want.ID)
			}
		}
	})
}

// TestReclassifyKeepsTheMatterLimit: a government appeal the committee
// makes small, whose text names a blocked fire lane, is due in that matter's
// 24 hours from the correction, as a new appeal would be, not at the end of
// the community level's third day (both databases).
func TestReclassifyKeepsTheMatterLimit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 30, 0, 0, cst)
		cat, appeals, ref := reclassifyWorld(t, db, now, "other-government", "消防通道被私家车堵死了")
		ch, err := appeals.Revise(ctx, committeeRevision(ref, models.KindSmall, models.LevelCommunity, "小区内部的事"))
		if err != nil {
			t.Fatal(err)
		}
		lane := cat.Item("fire-lane")
		got, err := appeals.Appeal(ctx, "c1", ref)
		if err != nil {
			t.Fatal(err)
		}
		want := now.Add(lane.Duration)
		if got.TopicID != lane.ID || got.DueAt == nil || !got.DueAt.Equal(want) {
			t.Fatalf("stored topic %q due %v; want %q due %v", got.TopicID, got.DueAt, lane.ID, want)
		}
		var why string
		for _, ev := range ch.Update.Events {
			if ev.Action == string(models.ActSetDeadline) {
				why = ev.Reason
			}
		}
		if !strings.HasSuffix(why, models.ReasonMatterLimit) {
			t.Fatalf("the deadline's event says %q; want %q", why, models.ReasonMatterLimit)
		}
		if ev := ch.Update.Events[0]; !strings.Contains(ev.Reason, "事项：其他政务事项 → 消防通道") {
			t.Fatalf("the correction's event says %q; want the topic's change", ev.Reason)
		}
		if _, err := appeals.Revise(ctx, committeeRevision(ref, models.KindSmall, "", "再看看")); !ops.IsSameKind(err) {
			t.Fatalf("the same kind again: %v; want ErrSameKind", err)
		}
		// Made major again, the fire lane keeps its name (the text names no
		// government matter) and is handled where major matters are.
		if _, err := appeals.Revise(ctx, committeeRevision(ref, models.KindMajor, models.LevelStreet, "物业不管，需要执法")); err != nil {
			t.Fatal(err)
		}
		if got, err = appeals.Appeal(ctx, "c1", ref); err != nil || got.TopicID != lane.ID || got.Unit != messages.ZhCN.UnitDefault["major"] {
			t.Fatalf("made major: topic %q unit %q (%v); want %q under %q", got.TopicID, got.Unit, err, lane.ID, messages.ZhCN.UnitDefault["major"])
		}
	})
}

// reclassifyWorld is reviseWorld with one appeal taken in: of the catalog
// item code, with the text, in building 3; it returns its reference too.
func reclassifyWorld(t *testing.T, db *store.DB, now time.Time, code, text string) (*triage.Catalog, *ops.Appeals, string) {
	t.Helper()
	cat, appeals := reviseWorld(t, db, now, nil)
	res, err := appeals.Intake(context.Background(), ops.IntakeRequest{CommunityID: "c1", Source: "test", ServiceCode: code,
		Description: text, Address: "3栋"})
	if err != nil {
		t.Fatal(err)
	}
	return cat, appeals, res.Appeal.Ref
}

// committeeRevision is a committee member's change of kind of appeal ref in
// c1, rerouted as the chat's 改类 and the console do.
func committeeRevision(ref string, kind models.Kind, level models.Level, reason string) ops.Revision {
	committee := &models.Staff{ID: 9, CommunityID: "c1", Role: models.RoleCommittee, Active: true}
	return ops.Revision{Community: "c1", Ref: ref, Kind: kind, Level: level, Reroute: true,
		Actor: models.Actor{Kind: models.ActorStaff, Staff: committee}, Reason: reason}
}

// reviseWorld stores community c1 with grid g1 (building 3), stops db's
// clock at now and returns the built-in catalog and the operations over db.
func reviseWorld(t *testing.T, db *store.DB, now time.Time, notify func()) (*triage.Catalog, *ops.Appeals) {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return now }
	if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "示例社区"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedGrids(ctx, "c1", []models.GridSpec{{ID: "g1", Name: "网格一", Buildings: []string{"3"}}}); err != nil {
		t.Fatal(err)
	}
	cat, err := triage.Default()
	if err != nil {
		t.Fatal(err)
	}
	classifier, err := triage.New(cat)
	if err != nil {
		t.Fatal(err)
	}
	appeals, err := ops.NewAppeals(ops.AppealsConfig{Store: db, Staff: db, Catalog: cat, Learner: classifier,
		Directory: ops.Directory{"c1": {ID: "c1", Grids: []ops.Grid{{ID: "g1", Name: "网格一", Buildings: []string{"3"}}}}},
		Calendar:  models.DefaultCalendar(cst), Location: cst, Now: func() time.Time { return now }, Notify: notify})
	if err != nil {
		t.Fatal(err)
	}
	return cat, appeals
}

// TestReviewKeepsPrivate: a resident disputes a private matter (不是私事);
// the committee keeps it private with a reason: it is guided again, leaves
// the committee's queue, and the resident is told why (before, "it is
// private already" left it in review for good; found by a second user).
// Both databases.
func TestReviewKeepsPrivate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		_, appeals, ref := reclassifyWorld(t, db, now, "appliance-repair", "我家热水器坏了，不出热水")
		dispute(t, db, appeals, ref, "不是私事")
		kept, err := appeals.Revise(ctx, committeeRevision(ref, models.KindPrivate, "", "热水器是住户自有设备，请联系品牌售后"))
		if err != nil {
			t.Fatalf("keeping it private: %v", err)
		}
		got, _ := appeals.Appeal(ctx, "c1", ref)
		if got.Status != models.StatusGuided || got.Kind != models.KindPrivate {
			t.Fatalf("after the review: %s %s; want a guided private matter", got.Kind, got.Status)
		}
		told := false
		for _, m := range kept.Outbox {
			told = told || (m.OpenID == got.OpenID && strings.Contains(m.Text, messages.ZhCNStaff.ReviewKeptPrivate) &&
				strings.Contains(m.Text, "品牌售后"))
		}
		if !told {
			t.Fatalf("the resident was not told the review's answer: %+v", kept.Outbox)
		}
	})
}

// dispute makes the guided appeal ref a resident's (an intake has no author
// of its own) and has them dispute it (不是私事): it goes to review.
func dispute(t *testing.T, db *store.DB, appeals *ops.Appeals, ref, reason string) {
	t.Helper()
	ctx := context.Background()
	if err := db.Gorm().Model(&models.Appeal{}).Where("ref = ?", ref).Update("open_id", "o-resident").Error; err != nil {
		t.Fatal(err)
	}
	if got, err := appeals.Appeal(ctx, "c1", ref); err != nil || got.Status != models.StatusGuided {
		t.Fatalf("intake: %+v, %v; want guided", got, err)
	}
	ch, err := appeals.PlanDispute(ctx, ops.DisputeRequest{Community: "c1", Ref: ref, OpenID: "o-resident", Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	if err := appeals.Commit(ctx, ch); err != nil {
		t.Fatal(err)
	}
}

// TestReviseChoosesMatter: the committee chooses the matter (事项) when it
// reclassifies, on both databases: a matter of the same kind changes the
// topic and unit alone (the resident told 事项改为…), a matter of another
// kind brings its kind and is not replaced by the kind's own pick, a matter
// of another kind than the one given or not in the catalog is refused with
// nothing stored, and the same matter again is "already".
func TestReviseChoosesMatter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		_, appeals := reviseWorld(t, db, now, func() {})
		committee := bindCommittee(t, db, now)
		actor := models.Actor{Kind: models.ActorStaff, Staff: committee}
		res, err := appeals.Intake(ctx, ops.IntakeRequest{CommunityID: "c1", Source: "test", ServiceCode: "corridor-light",
			Description: "3栋门口那盏灯不亮", Address: "3栋"})
		if err != nil {
			t.Fatal(err)
		}
		ref := res.Appeal.Ref
		// A resident's appeal (Open311 intake has no author to tell).
		if err := db.Gorm().Model(&models.Appeal{}).Where("id = ?", res.Appeal.ID).Update("open_id", "o-resident").Error; err != nil {
			t.Fatal(err)
		}
		events := func() (n int64) {
			db.Gorm().Model(&models.AppealEvent{}).Where("appeal_id = ?", res.Appeal.ID).Count(&n)
			return n
		}

		// Same kind, another matter: the topic and unit change, the kind stays.
		ch, err := appeals.Revise(ctx, ops.Revision{Community: "c1", Ref: ref, Actor: actor, Kind: models.KindSmall,
			TopicID: "compound-lighting", Reroute: true, Reason: "是院子里的路灯"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.AppealByRef(ctx, "c1", ref)
		if err != nil {
			t.Fatal(err)
		}
		if a.TopicID != "compound-lighting" || a.Topic != "小区公共照明" || a.Kind != models.KindSmall || a.Unit != "社区居委会、物业服务企业" {
			t.Fatalf("after choosing a small matter: %s %s %s %s", a.TopicID, a.Topic, a.Kind, a.Unit)
		}
		evs, err := db.AppealEvents(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := evs[len(evs)-1]; last.Action != string(models.ActReclassify) || !strings.Contains(last.Reason, "事项：楼道照明 → 小区公共照明") {
			t.Fatalf("event %s %q; want the matter's change on the record", last.Action, last.Reason)
		}
		told := false
		for _, o := range ch.Outbox {
			told = told || (o.OpenID == "o-resident" && strings.Contains(o.Text, "事项改为“小区公共照明”"))
		}
		if !told {
			t.Fatalf("pushes %+v; want the resident told the new matter", ch.Outbox)
		}

		// Refusals change nothing.
		n := events()
		for _, r := range []struct {
			rev  ops.Revision
			want error
		}{
			{ops.Revision{Kind: models.KindSmall, TopicID: "illegal-structures"}, ops.ErrTopicKind},
			{ops.Revision{TopicID: "no-such-matter"}, nil},
			{ops.Revision{Kind: models.KindSmall, TopicID: "compound-lighting"}, ops.ErrSameKind},
		} {
			r.rev.Community, r.rev.Ref, r.rev.Actor, r.rev.Reason = "c1", ref, actor, "试一下"
			_, err := appeals.Revise(ctx, r.rev)
			if err == nil || (r.want != nil && !errors.Is(err, r.want)) || (r.want == nil && models.ErrorCode(err) != models.EINVALID) {
				t.Fatalf("revision %+v: %v; want %v", r.rev, err, r.want)
			}
		}
		if events() != n {
			t.Fatalf("refused revisions stored %d events", events()-n)
		}

		// A matter of another kind brings its kind, and stays the one chosen.
		if _, err := appeals.Revise(ctx, ops.Revision{Community: "c1", Ref: ref, Actor: actor, TopicID: "street-lights",
			Reroute: true, Reason: "是马路上的路灯"}); err != nil {
			t.Fatal(err)
		}
		if a, err = db.AppealByRef(ctx, "c1", ref); err != nil {
			t.Fatal(err)
		}
		if a.Kind != models.KindMajor || a.Level != models.LevelStreet || a.TopicID != "street-lights" || a.Unit != "区城市管理局（路灯所）" {
			t.Fatalf("after choosing a major matter: %s/%s %s %s", a.Kind, a.Level, a.TopicID, a.Unit)
		}
	})
}

// bindCommittee binds o-committee as a committee member of c1.
func bindCommittee(t *testing.T, db *store.DB, now time.Time) *models.Staff {
	t.Helper()
	ctx := context.Background()
	code, _, err := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "c1", Role: models.RoleCommittee, Name: "周委员"}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.BindStaff(ctx, "c1", "o-committee", code, now)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
