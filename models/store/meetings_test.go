package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

func TestMeetingStorage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		for _, r := range []struct{ o, b, g string }{{"o-a", "3", "g1"}, {"o-b", "3", "g1"}, {"o-c", "5", "g2"}, {"o-x", "", ""}} {
			last := now.Add(-time.Hour)
			if r.o == "o-b" {
				last = now.Add(-72 * time.Hour)
			}
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c", OpenID: r.o, At: now,
				Resident: &models.Resident{Building: r.b, GridID: r.g, LastMessageAt: &last}}); err != nil {
				t.Fatal(err)
			}
		}
		starts := now.Add(48 * time.Hour)
		m := &models.Meeting{CommunityID: "c", Code: "YS101", Topic: "灯", Level: models.MeetingBuilding, StartsAt: starts,
			Venue: "架空层", Status: models.MeetingInvited, Organiser: "admin"}
		ch := &models.MeetingChange{Meeting: m,
			Invitees: []*models.MeetingInvitee{{Who: "o:o-a", OpenID: "o-a", Answer: models.AnswerPending, Source: models.SourceBuilding},
				{Who: "s:1", StakeholderID: 1, Phone: "138", Answer: models.AnswerPending, Source: models.SourceStakeholder}},
			Outbox: []*models.OutboxMessage{{CommunityID: "c", OpenID: "o-a", Type: models.PushMeetingInvite, Text: "card",
				Key: "meeting:" + models.MeetingIDPlaceholder + ":invite:o-a:1"}}}

		t.Run("create with invitees and pushes", func(t *testing.T) {
			if err := db.ApplyMeetingChange(ctx, ch); err != nil {
				t.Fatal(err)
			}
			got, err := db.MeetingByCode(ctx, "c", "YS101")
			if err != nil || got.ID != m.ID || got.Version != 1 || got.Revision != 1 || !got.StartsAt.Equal(starts) {
				t.Fatalf("stored %+v, %v", got, err)
			}
			ivs, err := db.MeetingInvitees(ctx, m.ID)
			if err != nil || len(ivs) != 2 {
				t.Fatalf("invitees %v, %v", ivs, err)
			}
			var n int64
			db.Gorm().Model(&models.OutboxMessage{}).Where("idem_key = ?", "meeting:1:invite:o-a:1").Count(&n)
			if n != 1 {
				t.Fatalf("invitation with the meeting id in its key: %d rows", n)
			}
			if code, _ := db.NextMeetingCode(ctx, "c"); code == "YS101" || !strings.HasPrefix(code, "YS") || len(code) != 8 {
				t.Fatalf("next code %s", code)
			}
		})
		t.Run("a second meeting with the same code is stale", func(t *testing.T) {
			dup := *m
			err := db.ApplyMeetingChange(ctx, &models.MeetingChange{Meeting: &dup})
			if !errors.Is(err, models.ErrStale) {
				t.Fatalf("got %v, want ErrStale", err)
			}
		})
		t.Run("update guarded by version; stale version refused and nothing changed", func(t *testing.T) {
			m.Venue = "会议室"
			if err := db.ApplyMeetingChange(ctx, &models.MeetingChange{Meeting: m, ExpectVersion: 1}); err != nil {
				t.Fatal(err)
			}
			old := *m
			old.Venue = "别处"
			if err := db.ApplyMeetingChange(ctx, &models.MeetingChange{Meeting: &old, ExpectVersion: 1}); !errors.Is(err, models.ErrStale) {
				t.Fatalf("got %v, want ErrStale", err)
			}
			got, _ := db.MeetingByID(ctx, "c", m.ID)
			if got.Venue != "会议室" || got.Version != 2 {
				t.Fatalf("after a stale update: %+v", got)
			}
		})
		t.Run("answer only: checked against the revision, meeting row untouched", func(t *testing.T) {
			ivs, _ := db.MeetingInvitees(ctx, m.ID)
			a := *ivs[0]
			a.Answer = models.AnswerAccepted
			at := now
			a.AnsweredAt = &at
			if err := db.ApplyMeetingChange(ctx, &models.MeetingChange{Meeting: m, AnswerOnly: true, Invitees: []*models.MeetingInvitee{&a}}); err != nil {
				t.Fatal(err)
			}
			stale := *m
			stale.Revision = 9
			if err := db.ApplyMeetingChange(ctx, &models.MeetingChange{Meeting: &stale, AnswerOnly: true, Invitees: []*models.MeetingInvitee{&a}}); !errors.Is(err, models.ErrStale) {
				t.Fatalf("answer at an old revision: %v", err)
			}
			invs, err := db.Invitations(ctx, "c", "o-a", now)
			if err != nil || len(invs) != 1 || invs[0].Invitee.Answer != models.AnswerAccepted {
				t.Fatalf("invitations %v, %v", invs, err)
			}
			if invs, _ := db.Invitations(ctx, "c", "o-a", starts); len(invs) != 0 {
				t.Fatal("a meeting that has started is still listed")
			}
		})
		t.Run("drop pending by prefix", func(t *testing.T) {
			if _, err := db.Enqueue(ctx, &models.OutboxMessage{CommunityID: "c", OpenID: "o-a", Type: models.PushMeetingReminder,
				Text: "r", Key: "meet:1.r1:3600:o-a"}); err != nil {
				t.Fatal(err)
			}
			m.Revision++
			if err := db.ApplyMeetingChange(ctx, &models.MeetingChange{Meeting: m, ExpectVersion: m.Version,
				DropPending: []string{"meet:1.r1:", "meeting:1:invite:"}}); err != nil {
				t.Fatal(err)
			}
			var n int64
			db.Gorm().Model(&models.OutboxMessage{}).Where("idem_key LIKE 'meet%'").Count(&n)
			if n != 0 {
				t.Fatalf("%d stale pushes left", n)
			}
		})
		t.Run("residents, windows, template load, starting, failed pushes", func(t *testing.T) {
			for _, c := range []struct {
				name      string
				buildings []string
				grids     []string
				all       bool
				want      int
			}{{"building", []string{"3"}, nil, false, 2}, {"grid", nil, []string{"g2"}, false, 1},
				{"community", nil, nil, true, 3}, {"nothing", nil, nil, false, 0}, {"unknown building", []string{"99"}, nil, false, 0}} {
				t.Run(c.name, func(t *testing.T) {
					ids, err := db.ResidentOpenIDs(ctx, "c", c.buildings, c.grids, c.all)
					if err != nil || len(ids) != c.want {
						t.Fatalf("%v, %v: want %d", ids, err, c.want)
					}
				})
			}
			open, err := db.OpenWindows(ctx, "c", []string{"o-a", "o-b", "o-nobody"}, now.Add(-47*time.Hour))
			if err != nil || !open["o-a"] || open["o-b"] || open["o-nobody"] {
				t.Fatalf("windows %v, %v", open, err)
			}
			if _, err := db.Enqueue(ctx, &models.OutboxMessage{CommunityID: "c", OpenID: "o-b", Type: models.PushMeetingInvite,
				Text: "t", Key: "meeting:1:invite:o-b:2", ForceTemplate: true}); err != nil {
				t.Fatal(err)
			}
			if n, err := db.TemplateLoad(ctx, "c", now.Add(-time.Hour), now.Add(time.Hour)); err != nil || n != 1 {
				t.Fatalf("template load %d, %v", n, err)
			}
			db.Gorm().Model(&models.OutboxMessage{}).Where("idem_key = ?", "meeting:1:invite:o-b:2").Update("status", models.OutboxFailed)
			if f, err := db.MeetingFailedPushes(ctx, m.ID); err != nil || len(f) != 1 || f[0] != "o-b" {
				t.Fatalf("failed %v, %v", f, err)
			}
			got, err := db.MeetingsStarting(ctx, now, now.Add(48*time.Hour))
			if err != nil || len(got) != 1 {
				t.Fatalf("starting %v, %v", got, err)
			}
			if got, _ := db.MeetingsStarting(ctx, now, now.Add(47*time.Hour)); len(got) != 0 {
				t.Fatal("a meeting outside the window is listed")
			}
		})
		t.Run("stakeholders", func(t *testing.T) {
			s := &models.Stakeholder{CommunityID: "c", Kind: models.StakeholderProperty, Name: "物业", Phone: "138"}
			if err := db.SaveStakeholder(ctx, s); err != nil || s.ID == 0 {
				t.Fatal(err)
			}
			s.Name = "新物业"
			if err := db.SaveStakeholder(ctx, s); err != nil {
				t.Fatal(err)
			}
			if got, err := db.StakeholderByID(ctx, "c", s.ID); err != nil || got.Name != "新物业" {
				t.Fatalf("%+v %v", got, err)
			}
			if err := db.DeactivateStakeholder(ctx, "c", s.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.StakeholderByID(ctx, "c", s.ID); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("deactivated stakeholder still found: %v", err)
			}
			if err := db.DeactivateStakeholder(ctx, "c", 999); models.ErrorCode(err) != models.ENOTFOUND {
				t.Fatalf("unknown stakeholder: %v", err)
			}
		})
	})
}

// TestMeetingNarrowReads: an answer reads what it needs of a meeting —
// whether someone is invited, the counts by answer, the first on the
// waiting list — and gets what the whole list would give.
func TestMeetingNarrowReads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		at := func(min int) *time.Time { x := now.Add(time.Duration(min) * time.Minute); return &x }
		m := &models.Meeting{CommunityID: "c", Code: "YS201", Topic: "车棚", Level: models.MeetingCommunity, StartsAt: now.Add(48 * time.Hour),
			Venue: "活动室", Status: models.MeetingInvited, Organiser: "admin", Capacity: 2}
		iv := func(o string, a models.Answer, when *time.Time) *models.MeetingInvitee {
			return &models.MeetingInvitee{Who: "o:" + o, CommunityID: "c", OpenID: o, Answer: a, AnsweredAt: when, Source: models.SourceBuilding}
		}
		ch := &models.MeetingChange{Meeting: m, Invitees: []*models.MeetingInvitee{
			iv("o-a", models.AnswerAccepted, at(1)), iv("o-b", models.AnswerAccepted, at(2)),
			iv("o-c", models.AnswerWaitlisted, at(9)), iv("o-d", models.AnswerWaitlisted, at(5)),
			iv("o-e", models.AnswerDeclined, at(3)), iv("o-f", models.AnswerPending, nil)}}
		if err := db.ApplyMeetingChange(ctx, ch); err != nil {
			t.Fatal(err)
		}
		other := &models.Meeting{CommunityID: "c", Code: "YS202", Topic: "路灯", Level: models.MeetingCommunity, StartsAt: now.Add(72 * time.Hour),
			Venue: "活动室", Status: models.MeetingInvited, Organiser: "admin"}
		if err := db.ApplyMeetingChange(ctx, &models.MeetingChange{Meeting: other,
			Invitees: []*models.MeetingInvitee{iv("o-z", models.AnswerWaitlisted, at(0))}}); err != nil {
			t.Fatal(err)
		}
		all, err := db.MeetingInvitees(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			community, openID string
			want              bool
		}{{"c", "o-a", true}, {"c", "o-f", true}, {"c", "o-z", false}, {"other", "o-a", false}, {"c", "nobody", false}} {
			got, err := db.Invited(ctx, c.community, m.ID, c.openID)
			if err != nil || got != c.want {
				t.Errorf("Invited(%s, %s) = %v, %v; want %v", c.community, c.openID, got, err, c.want)
			}
		}
		counts, err := db.AnswerCounts(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := models.CountAnswers(all); fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Fatalf("AnswerCounts = %v, the list counts %v", counts, want)
		}
		next, err := db.FirstWaitlisted(ctx, m.ID)
		if err != nil || next == nil || next.OpenID != models.NextWaitlisted(all).OpenID || next.OpenID != "o-d" {
			t.Fatalf("FirstWaitlisted = %+v, %v; want o-d (waiting since minute 5)", next, err)
		}
		if none, err := db.AnswerCounts(ctx, 9999); err != nil || none[models.AnswerAccepted] != 0 || len(none) != 4 {
			t.Fatalf("counts of a meeting with no list: %v, %v", none, err)
		}
		if none, err := db.FirstWaitlisted(ctx, 9999); err != nil || none != nil {
			t.Fatalf("first waiting of a meeting with no list: %v, %v", none, err)
		}
	})
}
