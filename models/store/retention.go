package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// purgeBatch bounds one purge transaction.
const purgeBatch = 200

// PurgeClosedAppeals masks the personal data of appeals that reached a
// final status (models.PurgeableStatuses) before the cutoff: description,
// photos and location are emptied, the author's and followers' openids
// replaced by models.HashOpenID, event reasons emptied. Kind, level, topic,
// grid, building, times and the audit trail's who/what/when stay for the
// statistics. It returns how many appeals it purged; a second run finds none.
func (db *DB) PurgeClosedAppeals(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		var batch []models.Appeal
		err := db.gorm.WithContext(ctx).Select("id", "open_id").
			Where("status IN ? AND updated_at < ? AND open_id NOT LIKE ?", models.PurgeableStatuses, before.UTC(), models.HashedPrefix+"%").
			Order("id").Limit(purgeBatch).Find(&batch).Error
		if err != nil {
			return total, fmt.Errorf("purge appeals: %w", err)
		}
		if len(batch) == 0 {
			return total, nil
		}
		err = db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for _, a := range batch {
				// UpdateColumns: updated_at keeps the day the appeal closed.
				if err := tx.Model(&models.Appeal{}).Where("id = ?", a.ID).UpdateColumns(map[string]any{
					"open_id": models.HashOpenID(a.OpenID), "description": "", "media_ids": "", "location": ""}).Error; err != nil {
					return err
				}
				if err := tx.Model(&models.AppealEvent{}).Where("appeal_id = ?", a.ID).UpdateColumn("reason", "").Error; err != nil {
					return err
				}
				var fs []models.Follower
				if err := tx.Where("appeal_id = ? AND open_id NOT LIKE ?", a.ID, models.HashedPrefix+"%").Find(&fs).Error; err != nil {
					return err
				}
				for _, f := range fs {
					if err := tx.Model(&models.Follower{}).Where("id = ?", f.ID).UpdateColumn("open_id", models.HashOpenID(f.OpenID)).Error; err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("purge appeals: %w", err)
		}
		total += int64(len(batch))
	}
}

// ForgetResidents deletes residents (their address) not heard from since
// before who have no appeal still open; they register again if they return.
func (db *DB) ForgetResidents(ctx context.Context, before time.Time) (int64, error) {
	var open []models.Status
	for _, s := range models.Statuses {
		if s.Open() || s == models.StatusResolved {
			open = append(open, s)
		}
	}
	b := before.UTC()
	res := db.gorm.WithContext(ctx).
		Where("(last_message_at < ? OR (last_message_at IS NULL AND created_at < ?))", b, b).
		Where("NOT EXISTS (SELECT 1 FROM appeals WHERE appeals.community_id = residents.community_id AND appeals.open_id = residents.open_id AND appeals.status IN ?)", open).
		Delete(&models.Resident{})
	if res.Error != nil {
		return 0, fmt.Errorf("forget residents: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// PurgeBindAttempts deletes failed binding tries older than the lockout
// window: they no longer count and only say who tried.
func (db *DB) PurgeBindAttempts(ctx context.Context, before time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("at < ?", before.UTC()).Delete(&models.BindAttempt{})
	if res.Error != nil {
		return 0, fmt.Errorf("purge bind attempts: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// ForgetPushTexts empties the text and template fields of pushes that were
// sent, or failed for good, before the cutoff: a task push holds a
// resident's words and phone, and once delivered (or given up on and shown
// as failed for a while) the outbox need not keep them. The row stays (its
// key keeps the push from being planned twice; its times count the
// customer-service window).
func (db *DB) ForgetPushTexts(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		var ids []uint64
		err := db.gorm.WithContext(ctx).Model(&models.OutboxMessage{}).
			Where("status IN ? AND updated_at < ? AND (text <> '' OR data <> '')",
				[]models.OutboxStatus{models.OutboxSent, models.OutboxFailed}, before.UTC()).
			Order("id").Limit(purgeBatch*5).Pluck("id", &ids).Error
		if err != nil {
			return total, fmt.Errorf("forget push texts: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		// UpdateColumns: updated_at keeps the day the push ended.
		res := db.gorm.WithContext(ctx).Model(&models.OutboxMessage{}).Where("id IN ?", ids).
			UpdateColumns(map[string]any{"text": "", "data": ""})
		if res.Error != nil {
			return total, fmt.Errorf("forget push texts: %w", res.Error)
		}
		total += res.RowsAffected
	}
}
