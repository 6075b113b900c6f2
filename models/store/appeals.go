package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// OpenPublicAppealsSince counts the author's open small and major appeals
// created after since (the chat's per-person limit, bot.MaxAppealsPerDay).
func (db *DB) OpenPublicAppealsSince(ctx context.Context, communityID, openID string, since time.Time) (int, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&models.Appeal{}).
		Where("community_id = ? AND open_id = ? AND kind <> ? AND status IN ? AND created_at > ?",
			communityID, openID, models.KindPrivate, openStatuses(), since.UTC()).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count open appeals: %w", err)
	}
	return int(n), nil
}

// LastResolvedLike returns the latest appeal on the matter topicID in the
// building resolved at or after since and not reopened (resolved or
// closed), or ENOTFOUND: a new appeal on it is the problem come back.
func (db *DB) LastResolvedLike(ctx context.Context, communityID, topicID, building string, since time.Time) (*models.Appeal, error) {
	var a models.Appeal
	err := db.gorm.WithContext(ctx).
		Where("community_id = ? AND topic_id = ? AND building = ? AND status IN ? AND resolved_at >= ?",
			communityID, topicID, building, []models.Status{models.StatusResolved, models.StatusClosed}, since.UTC()).
		Order("resolved_at DESC").Order("id DESC").Limit(1).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.Errorf(models.ENOTFOUND, "no resolved appeal on %s in building %s", topicID, building)
	}
	if err != nil {
		return nil, fmt.Errorf("last resolved appeal: %w", err)
	}
	return &a, nil
}

// ListAppeals returns appeals matching f, newest first.
func (db *DB) ListAppeals(ctx context.Context, f models.AppealFilter) ([]*models.Appeal, error) {
	q := db.gorm.WithContext(ctx).Model(&models.Appeal{})
	if f.CommunityID != "" {
		q = q.Where("community_id = ?", f.CommunityID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Level != "" {
		q = q.Where("level = ?", f.Level)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.OpenID != "" {
		q = q.Where("open_id = ?", f.OpenID)
	}
	if f.Overdue {
		now := f.Now
		if now.IsZero() {
			now = db.now()
		}
		q = q.Where("due_at IS NOT NULL AND due_at < ? AND status NOT IN ?", now.UTC(), closedStatuses())
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	var out []*models.Appeal
	if err := q.Order("created_at DESC, id DESC").Limit(limit).Offset(max(f.Offset, 0)).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list appeals: %w", err)
	}
	return out, nil
}

func closedStatuses() []models.Status {
	var out []models.Status
	for _, s := range models.Statuses {
		if !s.Open() {
			out = append(out, s)
		}
	}
	return out
}

// AppealByRef returns the appeal or ENOTFOUND.
func (db *DB) AppealByRef(ctx context.Context, communityID, ref string) (*models.Appeal, error) {
	var a models.Appeal
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND ref = ?", communityID, ref).Take(&a).Error; err != nil {
		return nil, notFound(err, "appeal "+ref)
	}
	return &a, nil
}

// AppealEvents returns an appeal's events, oldest first.
func (db *DB) AppealEvents(ctx context.Context, appealID uint64) ([]*models.AppealEvent, error) {
	var out []*models.AppealEvent
	if err := db.gorm.WithContext(ctx).Where("appeal_id = ?", appealID).Order("at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("appeal events: %w", err)
	}
	return out, nil
}
