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
