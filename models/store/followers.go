package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// Followers returns the residents following an appeal, oldest first.
func (db *DB) Followers(ctx context.Context, appealID uint64) ([]*models.Follower, error) {
	var out []*models.Follower
	if err := db.gorm.WithContext(ctx).Where("appeal_id = ?", appealID).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("followers: %w", err)
	}
	return out, nil
}

// FollowedAppeals returns the appeals a resident follows, newest first.
func (db *DB) FollowedAppeals(ctx context.Context, communityID, openID string, limit int) ([]*models.Appeal, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	var out []*models.Appeal
	err := db.gorm.WithContext(ctx).Model(&models.Appeal{}).
		Joins("JOIN followers ON followers.appeal_id = appeals.id").
		Where("followers.community_id = ? AND followers.open_id = ?", communityID, openID).
		Order("appeals.created_at DESC, appeals.id DESC").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("followed appeals: %w", err)
	}
	return out, nil
}

// OpenDuplicates returns open appeals of the same topic in the same
// building or grid raised since q.Since, newest first.
func (db *DB) OpenDuplicates(ctx context.Context, q models.DuplicateQuery) ([]*models.Appeal, error) {
	if q.TopicID == "" || (q.Building == "" && q.GridID == "") {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 5
	}
	tx := db.gorm.WithContext(ctx).Model(&models.Appeal{}).
		Where("community_id = ? AND topic_id = ? AND created_at >= ? AND status NOT IN ?",
			q.CommunityID, q.TopicID, q.Since.UTC(), closedStatuses())
	switch {
	case q.Building != "" && q.GridID != "":
		tx = tx.Where("(building = ? OR grid_id = ?)", q.Building, q.GridID)
	case q.Building != "":
		tx = tx.Where("building = ?", q.Building)
	default:
		tx = tx.Where("grid_id = ?", q.GridID)
	}
	var out []*models.Appeal
	if err := tx.Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("open duplicates: %w", err)
	}
	return out, nil
}

// saveGuardedConversation writes or clears the conversation only if it is
// still at the version the turn was computed on. Conditional UPDATE/DELETE
// and a plain INSERT (which fails on an existing row) take row locks only,
// so two racing turns never deadlock: the second one sees ErrStale.
func saveGuardedConversation(tx *gorm.DB, t *models.Turn, at time.Time) error {
	where := tx.Session(&gorm.Session{NewDB: true}).Model(&models.Conversation{}).
		Where("community_id = ? AND open_id = ?", t.CommunityID, t.OpenID)
	v := t.ConversationVersion
	switch {
	case t.ClearConversation:
		res := where.Where("version = ?", v).Delete(&models.Conversation{})
		if res.Error != nil {
			return fmt.Errorf("clear conversation: %w", res.Error)
		}
		if v > 0 && res.RowsAffected == 0 {
			return models.ErrStale
		}
	case t.Conversation != nil:
		c := t.Conversation
		c.CommunityID, c.OpenID, c.UpdatedAt, c.Version = t.CommunityID, t.OpenID, at, v+1
		if v == 0 {
			err := tx.Session(&gorm.Session{NewDB: true}).Create(c).Error
			if err == nil {
				return nil
			}
			if !errors.Is(err, gorm.ErrDuplicatedKey) {
				return fmt.Errorf("save conversation: %w", err)
			}
			// A row at version 0 was written by an unguarded turn: take it
			// over; a guarded writer's row (version ≥ 1) means we are stale.
		}
		res := where.Where("version = ?", v).Updates(map[string]any{
			"state": c.State, "data": c.Data, "expires_at": c.ExpiresAt.UTC(), "updated_at": at, "version": v + 1})
		if res.Error != nil {
			return fmt.Errorf("save conversation: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return models.ErrStale
		}
	}
	return nil
}
