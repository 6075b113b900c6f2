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

func TestMigrateFromEmptyTwice(t *testing.T) {
	t.Parallel()
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			d, dsn := storetest.DSN(t, driver)
			db, err := store.Open(ctx, d, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v, err := db.Version(ctx); err != nil || v != 0 {
				t.Fatalf("Version() on empty = %d, %v; want 0, nil", v, err)
			}
			n, err := db.Migrate(ctx)
			if err != nil || n != len(storeMigrations()) {
				t.Fatalf("first Migrate() = %d, %v; want %d, nil", n, err, len(storeMigrations()))
			}
			n, err = db.Migrate(ctx)
			if err != nil || n != 0 {
				t.Fatalf("second Migrate() = %d, %v; want 0, nil", n, err)
			}
			if v, _ := db.Version(ctx); v != store.SchemaVersion() {
				t.Fatalf("Version() = %d, want %d", v, store.SchemaVersion())
			}
			for _, table := range []string{"communities", "residents", "appeals", "appeal_events", "processed_messages", "conversations"} {
				if !db.Gorm().Migrator().HasTable(table) {
					t.Errorf("table %s missing after migrate", table)
				}
			}
		})
	}
}

func storeMigrations() []int { return store.MigrationVersions() }

func newAppeal(openID, topic string) *models.NewAppeal {
	return &models.NewAppeal{
		Appeal: &models.Appeal{CommunityID: "c1", OpenID: openID, Kind: models.KindSmall, Level: models.LevelCommunity,
			Status: models.StatusSubmitted, TopicID: topic, Topic: "楼道灯", Description: "3栋楼道灯坏了"},
		Events: []*models.AppealEvent{{Actor: "resident", Action: "submitted", ToStatus: models.StatusSubmitted}},
	}
}

func TestCommitTurn(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "示例社区"}); err != nil {
			t.Fatal(err)
		}
		turn := &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: "m:1", Reply: "好的", At: at,
			Resident:     &models.Resident{Building: "3", Unit: "2", Room: "501", GridID: "g1", Subscribed: true},
			Conversation: &models.Conversation{State: "idle", Data: "{}", ExpiresAt: at.Add(time.Hour)},
			NewAppeals:   []*models.NewAppeal{newAppeal("o1", "corridor_light")},
		}
		if err := db.CommitTurn(ctx, turn); err != nil {
			t.Fatalf("CommitTurn: %v", err)
		}
		a := turn.NewAppeals[0].Appeal
		if a.Ref != "SQ2611260001" {
			t.Errorf("first ref = %q, want SQ2611260001", a.Ref)
		}
		// The same key again changes nothing and says so.
		again := &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: "m:1", Reply: "other", At: at,
			NewAppeals: []*models.NewAppeal{newAppeal("o1", "x")}}
		if err := db.CommitTurn(ctx, again); !errors.Is(err, models.ErrDuplicate) {
			t.Fatalf("CommitTurn(duplicate) = %v, want ErrDuplicate", err)
		}
		if reply, err := db.ProcessedReply(ctx, "c1", "m:1"); err != nil || reply != "好的" {
			t.Errorf("ProcessedReply = %q, %v; want 好的", reply, err)
		}
		list, err := db.ListAppeals(ctx, models.AppealFilter{CommunityID: "c1"})
		if err != nil || len(list) != 1 {
			t.Fatalf("ListAppeals = %d appeals, %v; want 1 (the duplicate must not be stored)", len(list), err)
		}
		r, err := db.Resident(ctx, "c1", "o1")
		if err != nil || r.Building != "3" || r.GridID != "g1" {
			t.Fatalf("Resident = %+v, %v", r, err)
		}
		// Upsert updates in place.
		r.Room = "502"
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: "m:2", Resident: r, ClearConversation: true}); err != nil {
			t.Fatal(err)
		}
		if r2, _ := db.Resident(ctx, "c1", "o1"); r2.Room != "502" || r2.ID != r.ID {
			t.Errorf("after upsert: %+v", r2)
		}
		if _, err := db.Conversation(ctx, "c1", "o1"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("Conversation after clear: err = %v, want not found", err)
		}
		evs, err := db.AppealEvents(ctx, a.ID)
		if err != nil || len(evs) != 1 || evs[0].Action != "submitted" {
			t.Errorf("AppealEvents = %+v, %v", evs, err)
		}
		got, err := db.AppealByRef(ctx, a.CommunityID, a.Ref)
		if err != nil || got.Description != a.Description {
			t.Errorf("AppealByRef = %+v, %v", got, err)
		}
		if _, err := db.AppealByRef(ctx, "c1", "SQ0000000000"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("AppealByRef(missing) err = %v, want not found", err)
		}
		if _, err := db.AppealByRef(ctx, "another", a.Ref); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("AppealByRef(another community) err = %v, want not found", err)
		}
	})
}

func TestConcurrentRetriesCommitOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() {
				errs[i] = db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: "m:42", Reply: "r",
					NewAppeals: []*models.NewAppeal{newAppeal("o1", "t")}})
			})
		}
		wg.Wait()
		if ok, dup := commitOutcomes(t, errs); ok != 1 || dup != 2 {
			t.Errorf("ok=%d dup=%d, want 1 and 2", ok, dup)
		}
		if list, _ := db.ListAppeals(ctx, models.AppealFilter{}); len(list) != 1 {
			t.Errorf("%d appeals stored, want 1", len(list))
		}
	})
}

func TestRefsAreSequentialUnderConcurrency(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 20
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o", DedupeKey: "k" + string(rune('a'+i)),
					NewAppeals: []*models.NewAppeal{newAppeal("o", "t")}}); err != nil {
					t.Errorf("CommitTurn: %v", err)
				}
			})
		}
		wg.Wait()
		list, err := db.ListAppeals(ctx, models.AppealFilter{})
		if err != nil || len(list) != n {
			t.Fatalf("ListAppeals = %d, %v", len(list), err)
		}
		seen := map[string]bool{}
		for _, a := range list {
			if seen[a.Ref] || !models.ValidRef(a.Ref) {
				t.Errorf("ref %q duplicated or malformed", a.Ref)
			}
			seen[a.Ref] = true
		}
	})
}

func TestListAppealsFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		past, future := now.Add(-time.Hour), now.Add(time.Hour)
		mk := func(key string, kind models.Kind, st models.Status, due *time.Time) {
			na := newAppeal("o1", "t")
			na.Appeal.Kind, na.Appeal.Status, na.Appeal.DueAt = kind, st, due
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: key, NewAppeals: []*models.NewAppeal{na}}); err != nil {
				t.Fatal(err)
			}
		}
		mk("1", models.KindSmall, models.StatusAssigned, &past)   // overdue
		mk("2", models.KindMajor, models.StatusAssigned, &future) // not yet
		mk("3", models.KindSmall, models.StatusResolved, &past)   // closed: not overdue
		mk("4", models.KindPrivate, models.StatusGuided, nil)     // no deadline
		tests := []struct {
			name string
			f    models.AppealFilter
			want int
		}{
			{"all", models.AppealFilter{}, 4},
			{"small", models.AppealFilter{Kind: models.KindSmall}, 2},
			{"assigned", models.AppealFilter{Status: models.StatusAssigned}, 2},
			{"overdue", models.AppealFilter{Overdue: true, Now: now}, 1},
			{"other community", models.AppealFilter{CommunityID: "c2"}, 0},
			{"limit", models.AppealFilter{Limit: 3}, 3},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.ListAppeals(ctx, tt.f)
				if err != nil || len(got) != tt.want {
					t.Errorf("ListAppeals(%+v) = %d, %v; want %d", tt.f, len(got), err, tt.want)
				}
			})
		}
	})
}

func TestMigrationVersionsIncrease(t *testing.T) {
	t.Parallel()
	v := store.MigrationVersions()
	for i := 1; i < len(v); i++ {
		if v[i] <= v[i-1] {
			t.Fatalf("migration versions %v: each must be higher than the one before", v)
		}
	}
}

// commitOutcomes counts the commits that succeeded and those refused as
// duplicates; any other error fails the test.
func commitOutcomes(t *testing.T, errs []error) (ok, dup int) {
	t.Helper()
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, models.ErrDuplicate):
			dup++
		default:
			t.Errorf("CommitTurn: %v", err)
		}
	}
	return ok, dup
}
