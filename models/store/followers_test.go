package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

func TestFollowersAndDuplicates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		mk := func(key, openID, topic, building, grid string, st models.Status, at time.Time) *models.Appeal {
			na := newAppeal(openID, topic)
			na.Appeal.Building, na.Appeal.GridID, na.Appeal.Status, na.Appeal.CreatedAt = building, grid, st, at
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: openID, DedupeKey: key, At: at,
				NewAppeals: []*models.NewAppeal{na}}); err != nil {
				t.Fatal(err)
			}
			return na.Appeal
		}
		a1 := mk("1", "o1", "corridor-light", "3", "g1", models.StatusAssigned, now.Add(-time.Hour))
		mk("2", "o2", "corridor-light", "4", "g1", models.StatusResolved, now.Add(-time.Hour))    // closed
		mk("3", "o3", "corridor-light", "3", "g1", models.StatusAssigned, now.AddDate(0, 0, -10)) // too old
		mk("4", "o4", "parking-order", "3", "g1", models.StatusAssigned, now.Add(-time.Hour))     // other topic
		a5 := mk("5", "o5", "corridor-light", "7", "g2", models.StatusAssigned, now.Add(-2*time.Hour))
		since := now.AddDate(0, 0, -7)
		tests := []struct {
			name string
			q    models.DuplicateQuery
			want []uint64
		}{
			{"same building", models.DuplicateQuery{CommunityID: "c1", TopicID: "corridor-light", Building: "3", Since: since}, []uint64{a1.ID}},
			{"same grid", models.DuplicateQuery{CommunityID: "c1", TopicID: "corridor-light", Building: "1", GridID: "g1", Since: since}, []uint64{a1.ID}},
			{"other grid", models.DuplicateQuery{CommunityID: "c1", TopicID: "corridor-light", GridID: "g2", Since: since}, []uint64{a5.ID}},
			{"no place", models.DuplicateQuery{CommunityID: "c1", TopicID: "corridor-light", Since: since}, nil},
			{"no topic", models.DuplicateQuery{CommunityID: "c1", Building: "3", Since: since}, nil},
			{"other community", models.DuplicateQuery{CommunityID: "c2", TopicID: "corridor-light", Building: "3", Since: since}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.OpenDuplicates(ctx, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				var ids []uint64
				for _, a := range got {
					ids = append(ids, a.ID)
				}
				if len(ids) != len(tt.want) || (len(ids) > 0 && ids[0] != tt.want[0]) {
					t.Errorf("OpenDuplicates(%+v) = %v, want %v", tt.q, ids, tt.want)
				}
			})
		}

		// Following twice keeps one link; the event is recorded once per turn.
		for i, key := range []string{"f1", "f2"} {
			err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o9", DedupeKey: key, At: now.Add(time.Duration(i) * time.Minute),
				NewFollowers: []*models.Follower{{AppealID: a1.ID, OpenID: "o9"}}})
			if err != nil {
				t.Fatalf("follow %d: %v", i, err)
			}
		}
		fs, err := db.Followers(ctx, a1.ID)
		if err != nil || len(fs) != 1 || fs[0].OpenID != "o9" || fs[0].CommunityID != "c1" {
			t.Fatalf("Followers = %+v, %v; want one link for o9", fs, err)
		}
		fa, err := db.FollowedAppeals(ctx, "c1", "o9", 10)
		if err != nil || len(fa) != 1 || fa[0].Ref != a1.Ref {
			t.Fatalf("FollowedAppeals = %+v, %v", fa, err)
		}
		if fa, _ := db.FollowedAppeals(ctx, "c1", "o1", 10); len(fa) != 0 {
			t.Errorf("FollowedAppeals(o1) = %d, want 0", len(fa))
		}
	})
}

func TestAppealUpdateOnlyFromSeenStatus(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		na := newAppeal("o1", "t")
		na.Appeal.Status = models.StatusGuided
		na.Appeal.Kind, na.Appeal.Level = models.KindPrivate, models.LevelSelf
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: "1", NewAppeals: []*models.NewAppeal{na}}); err != nil {
			t.Fatal(err)
		}
		id := na.Appeal.ID
		seen := *na.Appeal // both messages were computed on the guided appeal
		change := func(key string) error {
			a := seen
			ev, err := models.Transition(&a, models.ActDisputePrivate, models.Actor{Kind: models.ActorResident, OpenID: "o1"}, "不是私事", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: key,
				AppealUpdates: []*models.AppealUpdate{{Appeal: &a, ExpectStatus: models.StatusGuided, Events: []*models.AppealEvent{ev}}}})
		}
		if err := change("2"); err != nil {
			t.Fatalf("first change: %v", err)
		}
		if err := change("3"); !errors.Is(err, models.ErrAppealChanged) {
			t.Fatalf("second change = %v, want ErrAppealChanged", err)
		}
		a, _ := db.AppealByRef(ctx, na.Appeal.CommunityID, na.Appeal.Ref)
		evs, _ := db.AppealEvents(ctx, id)
		if a.Status != models.StatusReview || len(evs) != 2 {
			t.Errorf("status %s with %d events, want review with 2 (the stale turn must leave nothing)", a.Status, len(evs))
		}
		if _, err := db.ProcessedReply(ctx, "c1", "3"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("stale turn left its dedupe row: %v", err)
		}
	})
}

func TestGuardedConversation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exp := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		put := func(key string, v int64, state string, clear bool) error {
			t := &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: key, GuardConversation: true, ConversationVersion: v, ClearConversation: clear}
			if !clear {
				t.Conversation = &models.Conversation{State: state, Data: "{}", ExpiresAt: exp}
			}
			return db.CommitTurn(ctx, t)
		}
		steps := []struct {
			name    string
			version int64
			state   string
			clear   bool
			stale   bool
			want    int64 // stored version after, 0 = none
		}{
			{"create from none", 0, "a", false, false, 1},
			{"create again from none is stale", 0, "b", false, true, 1},
			{"update from 1", 1, "c", false, false, 2},
			{"update from old 1 is stale", 1, "d", false, true, 2},
			{"clear from old 1 is stale", 1, "", true, true, 2},
			{"clear from 2", 2, "", true, false, 0},
			{"clear of nothing", 0, "", true, false, 0},
			{"create after clear", 0, "e", false, false, 1},
		}
		for i, s := range steps {
			err := put(string(rune('a'+i)), s.version, s.state, s.clear)
			if s.stale != errors.Is(err, models.ErrStale) || (!s.stale && err != nil) {
				t.Fatalf("%s: err = %v, stale want %v", s.name, err, s.stale)
			}
			c, err := db.Conversation(ctx, "c1", "o1")
			got := int64(0)
			if err == nil {
				got = c.Version
			}
			if got != s.want {
				t.Fatalf("%s: version %d, want %d", s.name, got, s.want)
			}
		}
		// An unguarded write (version 0) is taken over by a guarded one.
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o2", Conversation: &models.Conversation{State: "x", ExpiresAt: exp}}); err != nil {
			t.Fatal(err)
		}
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o2", GuardConversation: true,
			Conversation: &models.Conversation{State: "y", ExpiresAt: exp}}); err != nil {
			t.Fatalf("guarded over unguarded: %v", err)
		}

		// Racing turns on one version: exactly one wins.
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() { errs[i] = put("r"+string(rune('a'+i)), 1, "race", false) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, models.ErrStale) {
				t.Errorf("racing turn: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d racing turns committed, want 1", ok)
		}
	})
}
