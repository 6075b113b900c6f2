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
	// The ids first, then their rows: sorting the joined rows themselves,
	// text columns and all, made MariaDB write an on-disk temporary table
	// for every "我的诉求" (and its Aria temporary-table code crashed the
	// server once under load, docs/performance.md); ids sort in memory.
	var ids []uint64
	err := db.gorm.WithContext(ctx).Model(&models.Appeal{}).
		Joins("JOIN followers ON followers.appeal_id = appeals.id").
		Where("followers.community_id = ? AND followers.open_id = ?", communityID, openID).
		Order("appeals.created_at DESC, appeals.id DESC").Limit(limit).Pluck("appeals.id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("followed appeals: %w", err)
	}
	var out []*models.Appeal
	if len(ids) == 0 {
		return out, nil
	}
	err = db.gorm.WithContext(ctx).Where("id IN ?", ids).Order("created_at DESC, id DESC").Find(&out).Error
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
	if t.Conversation == nil && !t.ClearConversation {
		return nil // nothing to write
	}
	if createsConversation(t) {
		err := tx.Session(&gorm.Session{NewDB: true}).Create(stampConversation(t, at)).Error
		if err == nil {
			return nil
		}
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("save conversation: %w", err)
		}
		// A row at version 0 was written by an unguarded turn: take it
		// over; a guarded writer's row (version ≥ 1) means we are stale.
	}
	res, want, what := guardedConversation(tx.Session(&gorm.Session{NewDB: true}), t, at)
	if res.Error != nil {
		return fmt.Errorf("%s: %w", what, res.Error)
	}
	if want >= 0 && res.RowsAffected != want {
		return models.ErrStale
	}
	return nil
}

// createsConversation reports a turn that read no conversation and writes
// one: an INSERT, which fails on a row written meanwhile.
func createsConversation(t *models.Turn) bool {
	return t.Conversation != nil && !t.ClearConversation && t.ConversationVersion == 0
}

// stampConversation sets the turn's conversation's keys, time and the
// version it has once written: the one the turn read, plus one.
func stampConversation(t *models.Turn, at time.Time) *models.Conversation {
	c := t.Conversation
	c.CommunityID, c.OpenID, c.UpdatedAt, c.Version = t.CommunityID, t.OpenID, at, t.ConversationVersion+1
	return c
}

// guardedConversation runs (or, in a dry-run session, builds) a guarded
// turn's write of an existing conversation: the delete or the update at the
// version the turn read, and the rows it must affect (-1: any), fewer
// meaning another turn moved the conversation on (stale).
func guardedConversation(tx *gorm.DB, t *models.Turn, at time.Time) (res *gorm.DB, want int64, what string) {
	v := t.ConversationVersion
	where := tx.Model(&models.Conversation{}).
		Where("community_id = ? AND open_id = ?", t.CommunityID, t.OpenID).Where("version = ?", v)
	if t.ClearConversation {
		want = -1
		if v > 0 {
			want = 1
		}
		return where.Delete(&models.Conversation{}), want, "clear conversation"
	}
	c := stampConversation(t, at)
	return where.Updates(map[string]any{
		"state": c.State, "data": c.Data, "expires_at": c.ExpiresAt.UTC(), "updated_at": at, "version": v + 1}), 1, "save conversation"
}
