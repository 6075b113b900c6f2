package ops

import (
	"context"
	"errors"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// TopicStore is what the monthly topics read and write; *store.DB implements it.
type TopicStore interface {
	TopicProposals(ctx context.Context, communityID string) ([]*models.TopicProposal, error)
	TopicProposalByID(ctx context.Context, communityID string, id uint64) (*models.TopicProposal, error)
	LinkProposalMeeting(ctx context.Context, communityID string, id, meetingID uint64) error
}

// Topics lists the monthly topics (每月一题, proposed by the MONTHLY_TOPIC
// job) and calls the community meeting a committee takes one up in.
type Topics struct {
	Store    TopicStore
	Meetings *Meetings
}

// List returns a community's monthly topics, newest month first.
func (t *Topics) List(ctx context.Context, communityID string) ([]*models.TopicProposal, error) {
	return t.Store.TopicProposals(ctx, communityID)
}

// CallMeeting calls a community-level meeting on a monthly topic, with its
// appeals linked and every registered resident invited (a draft: broadcast
// it as any meeting), and records it on the topic; once per topic.
func (t *Topics) CallMeeting(ctx context.Context, communityID string, id uint64, startsAt time.Time, venue string, capacity int, by models.Actor) (*models.Meeting, error) {
	p, err := t.Store.TopicProposalByID(ctx, communityID, id)
	if err != nil {
		return nil, err
	}
	if p.MeetingID != 0 {
		return nil, models.Errorf(models.ECONFLICT, "the monthly topic has a meeting already (id %d)", p.MeetingID)
	}
	m, err := t.Meetings.Create(ctx, MeetingRequest{CommunityID: communityID, Topic: p.Topic, Level: string(models.MeetingCommunity),
		StartsAt: startsAt, Venue: venue, Capacity: capacity, AppealRefs: p.LinkedAppeals(),
		Invitees: InviteeSpec{Community: true}, By: by})
	if err != nil {
		return nil, err
	}
	if err := t.Store.LinkProposalMeeting(ctx, communityID, id, m.ID); err != nil {
		if models.ErrorCode(err) == models.ECONFLICT {
			// Another request called the topic's meeting meanwhile: this
			// draft was never sent, so it is cancelled rather than left over.
			if _, _, cerr := t.Meetings.Cancel(ctx, by, communityID, m.ID, t.Meetings.msg.TopicTakenReason); cerr != nil {
				return nil, errors.Join(err, cerr)
			}
		}
		return nil, err
	}
	return m, nil
}
