package ops_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

var cst = time.FixedZone("CST", 8*3600)

// TestMeetingQuota: invitations to people outside the 48-hour window go by
// template; beyond the day's quota they wait for the next day at 08:00, and
// when that is after the meeting starts the invitee is listed unreachable.
func TestMeetingQuota(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c", Name: "C"}); err != nil {
			t.Fatal(err)
		}
		old := now.Add(-72 * time.Hour).UTC() // windows closed: templates
		for _, o := range []string{"o-1", "o-2", "o-3"} {
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c", OpenID: o, At: old,
				Resident: &models.Resident{Building: "3", LastMessageAt: &old}}); err != nil {
				t.Fatal(err)
			}
		}
		db.Now = func() time.Time { return now }
		m, err := ops.NewMeetings(ops.MeetingsConfig{Store: db, Location: cst, Now: func() time.Time { return now }, TemplateQuota: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name     string
			starts   time.Duration
			want     ops.SendResult
			deferred int
		}{
			{"the next day is in time", 48 * time.Hour, ops.SendResult{Queued: 1, Deferred: 2}, 2},
			{"the meeting is before the next day", 10 * time.Hour, ops.SendResult{Unreachable: 3}, 0},
		} {
			t.Run(c.name, func(t *testing.T) {
				mt, err := m.Create(ctx, ops.MeetingRequest{By: admin, CommunityID: "c", Topic: "t", Level: "building",
					StartsAt: now.Add(c.starts), Venue: "v", Invitees: ops.InviteeSpec{Buildings: []string{"3"}}})
				if err != nil {
					t.Fatal(err)
				}
				_, res, err := m.Broadcast(ctx, admin, "c", mt.ID)
				if err != nil || res != c.want {
					t.Fatalf("broadcast %+v, %v; want %+v", res, err, c.want)
				}
				var later []models.OutboxMessage
				db.Gorm().Where("idem_key LIKE ? AND next_attempt_at > ?", "meeting:"+strconv.FormatUint(mt.ID, 10)+":%", now.UTC()).Find(&later)
				if len(later) != c.deferred {
					t.Fatalf("%d deferred pushes, want %d", len(later), c.deferred)
				}
				for _, p := range later {
					if at := p.NextAttemptAt.In(cst); at.Hour() != 8 || !p.ForceTemplate {
						t.Fatalf("deferred push at %v (template %v), want 08:00 by template", at, p.ForceTemplate)
					}
				}
				v, err := m.Get(ctx, "c", mt.ID)
				if err != nil || len(v.Unreachable) != c.want.Unreachable {
					t.Fatalf("unreachable %d, %v", len(v.Unreachable), err)
				}
			})
		}
	})
}

// admin is the admin API's actor.
var admin = models.Actor{Kind: models.ActorAdmin}
