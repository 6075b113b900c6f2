package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestMonthTopics counts a month's appeals and "me too" links by topic,
// leaving out private and withdrawn appeals, other months and other
// communities; the proposal is stored once, its pushes with it.
func TestMonthTopics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		dec := nov.AddDate(0, 1, 0)
		n := 0
		mk := func(community, topic string, kind models.Kind, st models.Status, at time.Time) *models.Appeal {
			n++
			na := newAppeal("o"+string(rune('a'+n)), topic)
			na.Appeal.CommunityID, na.Appeal.Kind, na.Appeal.Status, na.Appeal.CreatedAt = community, kind, st, at
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: community, OpenID: na.Appeal.OpenID, At: at,
				NewAppeals: []*models.NewAppeal{na}}); err != nil {
				t.Fatal(err)
			}
			return na.Appeal
		}
		lamp := mk("c1", "corridor-light", models.KindSmall, models.StatusAssigned, nov.Add(time.Hour))
		mk("c1", "corridor-light", models.KindSmall, models.StatusResolved, nov.Add(48*time.Hour))
		mk("c1", "parking-order", models.KindSmall, models.StatusAssigned, nov.Add(72*time.Hour))
		mk("c1", "parking-order", models.KindSmall, models.StatusWithdrawn, nov.Add(73*time.Hour)) // withdrawn
		mk("c1", "home-repair", models.KindPrivate, models.StatusGuided, nov.Add(74*time.Hour))    // private
		mk("c1", "home-repair", models.KindPrivate, models.StatusGuided, nov.Add(75*time.Hour))
		mk("c1", "parking-order", models.KindSmall, models.StatusAssigned, dec.Add(time.Hour))         // next month
		mk("c2", "parking-order", models.KindSmall, models.StatusAssigned, nov.Add(time.Hour))         // other community
		old := mk("c1", "parking-order", models.KindSmall, models.StatusAssigned, nov.Add(-time.Hour)) // last month
		// A "me too" in November on an October appeal counts for November.
		for _, f := range []struct {
			a  *models.Appeal
			at time.Time
		}{{old, nov.Add(100 * time.Hour)}, {lamp, nov.Add(101 * time.Hour)}} {
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o-follow", At: f.at,
				NewFollowers: []*models.Follower{{AppealID: f.a.ID, OpenID: "o-follow", CreatedAt: f.at}}}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.MonthTopics(ctx, "c1", nov, dec)
		if err != nil {
			t.Fatal(err)
		}
		want := []models.TopicCount{{TopicID: "corridor-light", Topic: "楼道灯", Count: 3}, {TopicID: "parking-order", Topic: "楼道灯", Count: 2}}
		if len(got) != len(want) || got[0] != want[0] || got[1].Count != want[1].Count {
			t.Fatalf("MonthTopics = %+v, want %+v", got, want)
		}
		refs, err := db.MonthTopicAppeals(ctx, "c1", "parking-order", nov, dec)
		if err != nil || len(refs) != 2 || !slices.Contains(refs, old.Ref) {
			t.Fatalf("MonthTopicAppeals = %v, %v; want November's appeal and the October one followed in November", refs, err)
		}
		p := &models.TopicProposal{CommunityID: "c1", Month: "2026-11", TopicID: "corridor-light", Topic: "楼道灯", Mentions: 3}
		push := func() []*models.OutboxMessage {
			return []*models.OutboxMessage{{CommunityID: "c1", OpenID: "o-boss", Type: models.PushMonthlyTopic, Text: "t",
				Key: "monthly:c1:2026-11:o-boss"}}
		}
		for i, want := range []bool{true, false} {
			created, err := db.SaveTopicProposal(ctx, p, push())
			if err != nil || created != want {
				t.Fatalf("save %d: created %v, %v; want %v", i, created, err, want)
			}
		}
		if ps, err := db.TopicProposals(ctx, "c1"); err != nil || len(ps) != 1 {
			t.Fatalf("proposals %d, %v", len(ps), err)
		}
	})
}

// TestProjectStorage: pledges sum as whole yuan beyond 32 bits, volunteers
// sign up, withdraw and sign up again on one row, and a stale version is refused.
func TestProjectStorage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := &models.Project{CommunityID: "c1", Code: "XM101", Name: "照明", Need: models.NeedSafety, Status: models.ProjectActive, CreatedBy: "admin"}
		if err := db.ApplyProjectChange(ctx, &models.ProjectChange{Project: p}); err != nil {
			t.Fatal(err)
		}
		dup := &models.Project{CommunityID: "c1", Code: "XM101", Name: "x", Need: models.NeedHealth, Status: models.ProjectActive, CreatedBy: "admin"}
		if err := db.ApplyProjectChange(ctx, &models.ProjectChange{Project: dup}); err != models.ErrStale {
			t.Fatalf("a second XM101: %v, want ErrStale", err)
		}
		for range 30 {
			cur, _ := db.ProjectByID(ctx, "c1", p.ID)
			err := db.ApplyProjectChange(ctx, &models.ProjectChange{Project: cur, ExpectVersion: cur.Version,
				Pledge: &models.ProjectPledge{Source: models.PledgeGovernment, AmountYuan: models.MaxPledgeYuan, CreatedBy: "admin"}})
			if err != nil {
				t.Fatal(err)
			}
		}
		stale := *p
		if err := db.ApplyProjectChange(ctx, &models.ProjectChange{Project: &stale, ExpectVersion: p.Version}); err != models.ErrStale {
			t.Fatalf("stale version: %v, want ErrStale", err)
		}
		at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		for i, active := range []bool{true, false, true} {
			err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o-v", DedupeKey: "v" + string(rune('0'+i)), At: at.Add(time.Duration(i) * time.Hour),
				Volunteers: []*models.ProjectVolunteer{{ProjectID: p.ID, Active: active}}})
			if err != nil {
				t.Fatal(err)
			}
		}
		tot, err := db.ProjectTotals(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tot.Total != 30*models.MaxPledgeYuan || tot.BySource[models.PledgeGovernment] != 30*models.MaxPledgeYuan || tot.Pledges != 30 || tot.Volunteers != 1 {
			t.Fatalf("totals %+v", tot)
		}
		v, err := db.ProjectVolunteer(ctx, p.ID, "o-v")
		if err != nil || !v.Active || !v.SignedUpAt.Equal(at.Add(2*time.Hour)) {
			t.Fatalf("volunteer %+v, %v; want active, signed up at the last sign-up", v, err)
		}
		if ps, err := db.ListProjects(ctx, "c1", models.NeedHealth); err != nil || len(ps) != 0 {
			t.Fatalf("health projects %d, %v", len(ps), err)
		}
	})
}
