package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// maxProposalRefs bounds the appeals linked to a monthly topic.
const maxProposalRefs = 100

// MonthTopics counts, for appeals created in [from, to) and "me too" links
// made then (campaign answers are either), how often each topic came up;
// private and withdrawn appeals do not count. Most first.
func (db *DB) MonthTopics(ctx context.Context, communityID string, from, to time.Time) ([]models.TopicCount, error) {
	g := db.gorm.WithContext(ctx)
	from, to = from.UTC(), to.UTC()
	counts := map[string]*models.TopicCount{}
	add := func(q *gorm.DB, what string) error {
		var rows []struct {
			TopicID string
			Topic   string
			N       int
		}
		if err := q.Scan(&rows).Error; err != nil {
			return fmt.Errorf("month topics (%s): %w", what, err)
		}
		for _, r := range rows {
			tc := counts[r.TopicID]
			if tc == nil {
				tc = &models.TopicCount{TopicID: r.TopicID, Topic: r.Topic}
				counts[r.TopicID] = tc
			}
			tc.Count += r.N
		}
		return nil
	}
	open := []models.Status{models.StatusWithdrawn}
	err := add(g.Model(&models.Appeal{}).Select("topic_id, MAX(topic) AS topic, COUNT(*) AS n").
		Where("community_id = ? AND created_at >= ? AND created_at < ? AND topic_id <> '' AND kind <> ? AND status NOT IN ?",
			communityID, from, to, models.KindPrivate, open).Group("topic_id"), "appeals")
	if err != nil {
		return nil, err
	}
	err = add(g.Table("followers AS f").Joins("JOIN appeals AS a ON a.id = f.appeal_id").
		Select("a.topic_id, MAX(a.topic) AS topic, COUNT(*) AS n").
		Where("f.community_id = ? AND f.created_at >= ? AND f.created_at < ? AND a.topic_id <> '' AND a.kind <> ? AND a.status NOT IN ?",
			communityID, from, to, models.KindPrivate, open).Group("a.topic_id"), "me too")
	if err != nil {
		return nil, err
	}
	return topTopics(counts, 0), nil
}

// MonthTopicAppeals returns the reference codes of the topic's appeals
// created in [from, to) or followed then, oldest first.
func (db *DB) MonthTopicAppeals(ctx context.Context, communityID, topicID string, from, to time.Time) ([]string, error) {
	g := db.gorm.WithContext(ctx)
	from, to = from.UTC(), to.UTC()
	var refs []string
	followed := g.Model(&models.Follower{}).Select("appeal_id").
		Where("community_id = ? AND created_at >= ? AND created_at < ?", communityID, from, to)
	err := g.Model(&models.Appeal{}).
		Where("community_id = ? AND topic_id = ? AND kind <> ? AND status <> ? AND ((created_at >= ? AND created_at < ?) OR id IN (?))",
			communityID, topicID, models.KindPrivate, models.StatusWithdrawn, from, to, followed).
		Order("id").Limit(maxProposalRefs).Pluck("ref", &refs).Error
	if err != nil {
		return nil, fmt.Errorf("month topic appeals: %w", err)
	}
	return refs, nil
}

// SaveTopicProposal stores the month's proposal with its pushes, once: a
// proposal for that community and month that exists already is kept and
// false is returned (nothing else is written).
func (db *DB) SaveTopicProposal(ctx context.Context, p *models.TopicProposal, pushes []*models.OutboxMessage) (bool, error) {
	created := false
	err := db.transact(ctx, func(tx *gorm.DB) error {
		created = false
		at := db.now()
		var n int64
		if err := tx.Model(&models.TopicProposal{}).Where("community_id = ? AND month = ?", p.CommunityID, p.Month).
			Count(&n).Error; err != nil {
			return fmt.Errorf("save topic proposal: %w", err)
		}
		if n > 0 {
			return nil // proposed before
		}
		p.ID, p.CreatedAt, p.UpdatedAt = 0, at, at
		if err := tx.Create(p).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return nil // another replica proposed it just now
			}
			return fmt.Errorf("save topic proposal: %w", err)
		}
		created = true
		_, err := insertOutbox(tx, pushes, at)
		return err
	}, nil)
	return created, err
}

// TopicProposals returns a community's monthly topics, newest month first.
func (db *DB) TopicProposals(ctx context.Context, communityID string) ([]*models.TopicProposal, error) {
	var out []*models.TopicProposal
	if err := db.gorm.WithContext(ctx).Where("community_id = ?", communityID).Order("month DESC").Limit(120).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("topic proposals: %w", err)
	}
	return out, nil
}

// TopicProposalByID returns a community's monthly topic or ENOTFOUND.
func (db *DB) TopicProposalByID(ctx context.Context, communityID string, id uint64) (*models.TopicProposal, error) {
	var p models.TopicProposal
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND id = ?", communityID, id).Take(&p).Error; err != nil {
		return nil, notFound(err, "monthly topic")
	}
	return &p, nil
}

// LinkProposalMeeting records the meeting called on a monthly topic; it
// fails with ECONFLICT when one was linked already.
func (db *DB) LinkProposalMeeting(ctx context.Context, communityID string, id, meetingID uint64) error {
	res := db.gorm.WithContext(ctx).Model(&models.TopicProposal{}).
		Where("community_id = ? AND id = ? AND meeting_id = 0", communityID, id).
		Updates(map[string]any{"meeting_id": meetingID, "updated_at": db.now()})
	if res.Error != nil {
		return fmt.Errorf("link monthly topic: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ECONFLICT, "the monthly topic has a meeting already")
	}
	return nil
}
