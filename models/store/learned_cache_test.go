package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestLearnedCacheAcrossReplicas: two handles on one database stand for two
// replicas. Each keeps a community's learned words in memory; a replica sees
// its own writes at once and the other's once its snapshot is a few seconds
// old (the clock is moved, nothing sleeps).
func TestLearnedCacheAcrossReplicas(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			drv, dsn := storetest.DSN(t, driver)
			now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			open := func() *store.DB {
				db, err := store.Open(ctx, drv, dsn, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				db.Now = clock
				return db
			}
			a := open()
			if _, err := a.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			b := open()
			phrases := func(db *store.DB) map[string]models.Kind {
				t.Helper()
				ws, err := db.Learned(ctx, "c1")
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]models.Kind{}
				for _, w := range ws {
					out[w.Phrase] = w.Kind
				}
				return out
			}
			vote := func(phrase, voter string, committee bool, k models.Kind) *models.LearningVote {
				return &models.LearningVote{CommunityID: "c1", Phrase: phrase, Voter: voter, Committee: committee, Kind: k}
			}

			if got := phrases(a); len(got) != 0 {
				t.Fatalf("a fresh community has learned %v", got)
			}
			// Replica b learns 晒坝 from two residents: b sees it at once.
			if err := b.AddLearningVotes(ctx, []*models.LearningVote{vote("晒坝", "r1", false, models.KindSmall), vote("晒坝", "r2", false, models.KindSmall)}); err != nil {
				t.Fatal(err)
			}
			if got := phrases(b); got["晒坝"] != models.KindSmall {
				t.Fatalf("b after its own write: %v", got)
			}
			// a serves its snapshot until it is a few seconds old, then the
			// stamp shows the change and a reads the words again.
			if got := phrases(a); len(got) != 0 {
				t.Fatalf("a read the database within its snapshot's lifetime: %v", got)
			}
			now = now.Add(6 * time.Second)
			if got := phrases(a); got["晒坝"] != models.KindSmall {
				t.Fatalf("a after 6 s: %v, want 晒坝 small", got)
			}
			_ = phrases(b) // b's snapshot, its own write long committed
			// A committee correction on a is seen by a at once, by b after a few seconds.
			if err := a.AddLearningVotes(ctx, []*models.LearningVote{vote("滨江步道", models.CommitteeVoter(), true, models.KindMajor)}); err != nil {
				t.Fatal(err)
			}
			if got := phrases(a); got["滨江步道"] != models.KindMajor {
				t.Fatalf("a after its own correction: %v", got)
			}
			if got := phrases(b); len(got) != 1 {
				t.Fatalf("b within its snapshot's lifetime: %v", got)
			}
			now = now.Add(6 * time.Second)
			if got := phrases(b); got["滨江步道"] != models.KindMajor || got["晒坝"] != models.KindSmall {
				t.Fatalf("b after 6 s: %v", got)
			}
			// The committee removes 晒坝 on b; a still has its snapshot, then sees the removal.
			_ = phrases(a) // a's snapshot is taken after its own write settled
			if err := b.ForgetLearned(ctx, "c1", "晒坝"); err != nil {
				t.Fatal(err)
			}
			if got := phrases(b); got["晒坝"] != "" {
				t.Fatalf("b after removing 晒坝: %v", got)
			}
			if got := phrases(a); got["晒坝"] != models.KindSmall {
				t.Fatalf("a within its snapshot's lifetime: %v", got)
			}
			now = now.Add(6 * time.Second)
			if got := phrases(a); got["晒坝"] != "" || got["滨江步道"] != models.KindMajor {
				t.Fatalf("a after 6 s: %v, want 滨江步道 only", got)
			}
			// A caller changing the returned words does not change the snapshot.
			ws, _ := a.Learned(ctx, "c1")
			ws[0].Kind = models.KindPrivate
			if got := phrases(a); got["滨江步道"] != models.KindMajor {
				t.Fatalf("the snapshot was changed through a returned slice: %v", got)
			}
			// Another community is read on its own.
			if ws, err := a.Learned(ctx, "c2"); err != nil || len(ws) != 0 {
				t.Fatalf("c2: %v %v", ws, err)
			}
		})
	}
}
