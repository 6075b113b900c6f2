package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

func TestLearningVotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		vote := func(phrase, voter string, k models.Kind) *models.LearningVote {
			return &models.LearningVote{CommunityID: "c1", Phrase: phrase, Voter: voter, Kind: k}
		}
		// Residents' votes come with their turn; a voter's later vote replaces theirs.
		for _, tv := range []*models.LearningVote{vote("晒坝", "r1", models.KindPrivate), vote("晒坝", "r1", models.KindSmall), vote("晒坝", "r2", models.KindSmall)} {
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: tv.Voter, At: at, LearningVotes: []*models.LearningVote{tv}}); err != nil {
				t.Fatal(err)
			}
		}
		// Another community learns nothing from these.
		if err := db.AddLearningVotes(ctx, []*models.LearningVote{{CommunityID: "c2", Phrase: "晒坝", Voter: "r9", Kind: models.KindMajor}}); err != nil {
			t.Fatal(err)
		}
		words, err := db.Learned(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if len(words) != 1 || words[0].Phrase != "晒坝" || words[0].Kind != models.KindSmall || words[0].Voters != 2 {
			t.Fatalf("Learned = %+v, want 晒坝 small by 2 residents", words)
		}
		if words, _ := db.Learned(ctx, "c2"); len(words) != 0 {
			t.Fatalf("c2 learned %+v from one resident", words)
		}

		// A committee correction comes with its appeal update, in the same transaction.
		a := &models.Appeal{CommunityID: "c1", OpenID: "r1", Kind: models.KindSmall, Level: models.LevelCommunity,
			Status: models.StatusSubmitted, Description: "滨江步道的栏杆松了", CreatedAt: at}
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "r1", At: at, NewAppeals: []*models.NewAppeal{{Appeal: a}}}); err != nil {
			t.Fatal(err)
		}
		ev, err := models.Apply(a, models.Step{Action: models.ActReclassify, Kind: models.KindMajor, Level: models.LevelStreet},
			models.Actor{Kind: models.ActorAdmin}, "步道归市政", at)
		if err != nil {
			t.Fatal(err)
		}
		upd := &models.AppealUpdate{Appeal: a, ExpectStatus: models.StatusSubmitted, Events: []*models.AppealEvent{ev},
			LearningVotes: []*models.LearningVote{{CommunityID: "c1", Phrase: "滨江步道", Voter: models.CommitteeVoter(), Committee: true, Kind: models.KindMajor}}}
		if err := db.UpdateAppeal(ctx, upd); err != nil {
			t.Fatal(err)
		}
		words, _ = db.Learned(ctx, "c1")
		if len(words) != 2 || words[0].Phrase != "晒坝" || words[1].Phrase != "滨江步道" || !words[1].Committee || words[1].Kind != models.KindMajor {
			t.Fatalf("after the correction: %+v", words)
		}

		// Bad votes change nothing: the whole update is refused.
		a2 := &models.Appeal{CommunityID: "c1", OpenID: "r1", Kind: models.KindSmall, Level: models.LevelCommunity,
			Status: models.StatusSubmitted, Description: "x", CreatedAt: at}
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "r1", At: at, NewAppeals: []*models.NewAppeal{{Appeal: a2}}}); err != nil {
			t.Fatal(err)
		}
		ev2, _ := models.Apply(a2, models.Step{Action: models.ActReclassify, Kind: models.KindMajor, Level: models.LevelStreet}, models.Actor{Kind: models.ActorAdmin}, "x", at)
		for _, bad := range []*models.LearningVote{
			{CommunityID: "c1", Phrase: strings.Repeat("长", models.MaxPhraseRunes+1), Voter: "committee", Kind: models.KindMajor},
			{CommunityID: "c1", Phrase: "步道", Voter: "committee", Kind: "huge"},
			{CommunityID: "c1", Phrase: "步道", Kind: models.KindMajor},
		} {
			err := db.UpdateAppeal(ctx, &models.AppealUpdate{Appeal: a2, ExpectStatus: models.StatusSubmitted, Events: []*models.AppealEvent{ev2},
				LearningVotes: []*models.LearningVote{bad}})
			if models.ErrorCode(err) != models.EINVALID {
				t.Errorf("bad vote %+v: err %v, want EINVALID", bad, err)
			}
		}
		if got, _ := db.AppealByRef(ctx, "c1", a2.Ref); got.Kind != models.KindSmall {
			t.Errorf("a refused update changed the appeal: %s", got.Kind)
		}

		// The committee removes a learned phrase; removing it again is not found.
		if err := db.ForgetLearned(ctx, "c1", "晒坝"); err != nil {
			t.Fatal(err)
		}
		if err := db.ForgetLearned(ctx, "c1", "晒坝"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("forget twice: %v, want ENOTFOUND", err)
		}
		words, _ = db.Learned(ctx, "c1")
		if len(words) != 1 || words[0].Phrase != "滨江步道" {
			t.Fatalf("after removal: %+v", words)
		}
	})
}

// TestLearnedAcrossReplicas: two stores on one database, as two replicas.
// The replica that stores votes uses them at once; the other within
// store.LearnedTTL of its clock (it keeps what it read that long).
func TestLearnedAcrossReplicas(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			d, dsn := storetest.DSN(t, driver)
			open := func(now func() time.Time) *store.DB {
				db, err := store.Open(ctx, d, dsn, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				db.Now = now
				return db
			}
			clock := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
			now := func() time.Time { return clock }
			a := open(now)
			if _, err := a.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			b := open(now)
			learned := func(db *store.DB) []string {
				t.Helper()
				words, err := db.Learned(ctx, "c1")
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, w := range words {
					out = append(out, w.Phrase+":"+string(w.Kind))
				}
				return out
			}
			if got := learned(a); len(got) != 0 {
				t.Fatalf("a fresh database taught %v", got)
			}
			if got := learned(b); len(got) != 0 {
				t.Fatalf("a fresh database taught %v", got)
			}
			teach := func(db *store.DB, voter string, k models.Kind) {
				t.Helper()
				if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: voter, At: clock,
					LearningVotes: []*models.LearningVote{{CommunityID: "c1", Phrase: "晒坝", Voter: voter, Kind: k}}}); err != nil {
					t.Fatal(err)
				}
			}
			teach(a, "r1", models.KindSmall)
			teach(a, "r2", models.KindSmall)
			want := "晒坝:" + string(models.KindSmall)
			if got := learned(a); len(got) != 1 || got[0] != want {
				t.Fatalf("the replica that stored the votes: %v, want [%s] at once", got, want)
			}
			if got := learned(b); len(got) != 0 {
				t.Fatalf("the other replica: %v before its copy is LearnedTTL old, want what it read", got)
			}
			clock = clock.Add(store.LearnedTTL)
			if got := learned(b); len(got) != 1 || got[0] != want {
				t.Fatalf("the other replica after LearnedTTL: %v, want [%s]", got, want)
			}
			// Removing is seen the same way.
			if err := b.ForgetLearned(ctx, "c1", "晒坝"); err != nil {
				t.Fatal(err)
			}
			if got := learned(b); len(got) != 0 {
				t.Fatalf("the replica that forgot: %v", got)
			}
			clock = clock.Add(store.LearnedTTL)
			if got := learned(a); len(got) != 0 {
				t.Fatalf("the other replica after LearnedTTL: %v, want nothing", got)
			}
		})
	}
}
