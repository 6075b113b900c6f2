package ops_test

import (
	"context"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// racingTopics is the store as a second request sees it: the topic had no
// meeting when read, and the other request links its own before this one does.
type racingTopics struct {
	*store.DB
	other uint64
}

func (r racingTopics) TopicProposalByID(ctx context.Context, communityID string, id uint64) (*models.TopicProposal, error) {
	p, err := r.DB.TopicProposalByID(ctx, communityID, id)
	if err != nil {
		return nil, err
	}
	return p, r.DB.LinkProposalMeeting(ctx, communityID, id, r.other)
}

// TestTopicMeetingRace: when two requests call a monthly topic's meeting at
// once, the one that loses gets a conflict and its draft meeting is cancelled,
// not left over beside the topic's.
func TestTopicMeetingRace(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, cst)
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c", Name: "C"}); err != nil {
			t.Fatal(err)
		}
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c", OpenID: "o-1", At: now,
			Resident: &models.Resident{Building: "3"}}); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		p := &models.TopicProposal{CommunityID: "c", Month: "2026-11", TopicID: "corridor-light", Topic: "楼道照明", Mentions: 3}
		if _, err := db.SaveTopicProposal(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
		m, err := ops.NewMeetings(ops.MeetingsConfig{Store: db, Location: cst, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		topics := &ops.Topics{Store: racingTopics{DB: db, other: 4242}, Meetings: m}
		_, err = topics.CallMeeting(ctx, "c", p.ID, now.Add(72*time.Hour), "社区活动室", 0, admin)
		if models.ErrorCode(err) != models.ECONFLICT {
			t.Fatalf("the losing call: %v; want a conflict", err)
		}
		var drafts []models.Meeting
		if err := db.Gorm().Where("community_id = ? AND status <> ?", "c", models.MeetingCancelled).Find(&drafts).Error; err != nil {
			t.Fatal(err)
		}
		if len(drafts) != 0 {
			t.Fatalf("%d meetings left over (status %s); want the losing draft cancelled", len(drafts), drafts[0].Status)
		}
		if got, _ := db.TopicProposalByID(ctx, "c", p.ID); got == nil || got.MeetingID != 4242 {
			t.Fatalf("topic %+v; want the other request's meeting kept", got)
		}
	})
}
