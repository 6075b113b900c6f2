package ops_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestMeetingResolvesAppeal: a meeting whose outcome resolves its linked
// appeal tells the appeal's author the decision and asks them to rate, as a
// handler's 办结 does, and puts the decision (not only the measures) on the
// appeal's record (found by a first user). Both databases.
func TestMeetingResolvesAppeal(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		_, appeals := reviseWorld(t, db, now, func() {})
		res, err := appeals.Intake(ctx, ops.IntakeRequest{CommunityID: "c1", Source: "test", ServiceCode: "garbage-collection",
			Description: "10栋后面的垃圾站太臭了", Address: "3栋"})
		if err != nil {
			t.Fatal(err)
		}
		a := res.Appeal
		if err := db.Gorm().Model(&models.Appeal{}).Where("id = ?", a.ID).Update("open_id", "o-author").Error; err != nil {
			t.Fatal(err)
		}
		at := now.UTC()
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o-author", At: at,
			Resident: &models.Resident{Building: "3", LastMessageAt: &at}}); err != nil {
			t.Fatal(err)
		}
		st := bindCommittee(t, db, now)
		committee := models.Actor{Kind: models.ActorStaff, Staff: st}
		clock := now
		m, err := ops.NewMeetings(ops.MeetingsConfig{Store: db, Location: cst, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		mt, err := m.Create(ctx, ops.MeetingRequest{By: admin, CommunityID: "c1", Topic: "垃圾站", Level: "building",
			StartsAt: now.Add(24 * time.Hour), Venue: "活动室", AppealRefs: []string{a.Ref}, Invitees: ops.InviteeSpec{Buildings: []string{"3"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.Broadcast(ctx, admin, "c1", mt.ID); err != nil {
			t.Fatal(err)
		}
		clock = now.Add(26 * time.Hour) // held
		if _, _, err := m.Outcome(ctx, "c1", mt.ID, ops.OutcomeRequest{Minutes: "垃圾站保留原位，早晚各清运一次", Measures: "物业每日清运两次",
			AppealsNext: models.AppealsResolve, Actor: committee}); err != nil {
			t.Fatal(err)
		}
		got, err := db.AppealByRef(ctx, "c1", a.Ref)
		if err != nil || got.Status != models.StatusResolved {
			t.Fatalf("appeal after the outcome: %+v, %v; want resolved", got, err)
		}
		var pushes []models.OutboxMessage
		if err := db.Gorm().Where("open_id = ?", "o-author").Find(&pushes).Error; err != nil {
			t.Fatal(err)
		}
		told := false
		for _, p := range pushes {
			told = told || (strings.Contains(p.Text, a.Ref) && strings.Contains(p.Text, "垃圾站保留原位") && strings.Contains(p.Text, "请评价") &&
				strings.Contains(p.Data, "已办结") && strings.Contains(p.Data, "满意")) // the template card says so too
		}
		if !told {
			t.Fatalf("author's pushes %+v; want the decision and a rating asked", pushes)
		}
		evs, err := db.AppealEvents(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		decided := false
		for _, e := range evs {
			decided = decided || (e.Action == string(models.ActMeetingDecision) && strings.Contains(e.Reason, "垃圾站保留原位") && strings.Contains(e.Reason, "物业每日清运两次"))
		}
		if !decided {
			t.Fatalf("events %+v; want the decision and the measures on the record", evs)
		}
	})
}
