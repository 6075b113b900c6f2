package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gongzhi/gongzhi/models"
)

var _ models.Outbox = (*DB)(nil)

// outboxBatch keeps multi-row INSERTs well under MySQL's placeholder limit.
const outboxBatch = 500

// insertOutbox stores pushes inside tx with multi-row INSERTs; a push whose
// key exists is skipped (a retried job or turn). It returns how many were new.
func insertOutbox(tx *gorm.DB, msgs []*models.OutboxMessage, at time.Time) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	if err := stampOutbox(msgs, at); err != nil {
		return 0, err
	}
	total := 0
	for i := 0; i < len(msgs); i += outboxBatch {
		chunk := msgs[i:min(i+outboxBatch, len(msgs))]
		// Count the new ones from the keys already there: on MariaDB gorm adds
		// RETURNING, which makes RowsAffected count skipped rows too.
		keys := make([]string, len(chunk))
		for j, m := range chunk {
			keys[j] = m.Key
		}
		var have []string
		if err := tx.Model(&models.OutboxMessage{}).Where("idem_key IN ?", keys).Pluck("idem_key", &have).Error; err != nil {
			return total, fmt.Errorf("queue pushes: %w", err)
		}
		exists := make(map[string]bool, len(have))
		for _, k := range have {
			exists[k] = true
		}
		fresh := make([]*models.OutboxMessage, 0, len(chunk))
		for _, m := range chunk {
			if !exists[m.Key] {
				exists[m.Key] = true // a key twice in one call is queued once
				fresh = append(fresh, m)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		// DoNothing still guards against a concurrent insert of the same key.
		if err := outboxInsert(tx, fresh).Error; err != nil {
			return total, fmt.Errorf("queue pushes: %w", err)
		}
		total += len(fresh)
	}
	for _, m := range msgs {
		m.ID = 0 // batch inserts that skipped keys cannot tell which ids are whose
	}
	return total, nil
}

// stampOutbox checks pushes and stamps them as new rows queued at at.
func stampOutbox(msgs []*models.OutboxMessage, at time.Time) error {
	for _, m := range msgs {
		if m.Key == "" || m.CommunityID == "" || m.OpenID == "" || m.Type == "" {
			return models.Errorf(models.EINVALID, "push needs a key, community, openid and type")
		}
		m.ID = 0
		if m.Status == "" {
			m.Status = models.OutboxPending
		}
		if m.NextAttemptAt.IsZero() {
			m.NextAttemptAt = at
		}
		m.NextAttemptAt = m.NextAttemptAt.UTC() // SQLite compares times as text
		m.CreatedAt, m.UpdatedAt = at, at
	}
	return nil
}

// outboxInsert runs (or, in a dry-run session, builds) one multi-row
// INSERT of stamped pushes that skips the keys already queued.
func outboxInsert(tx *gorm.DB, msgs []*models.OutboxMessage) *gorm.DB {
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Omit("ID").Create(msgs)
}

// Enqueue stores pushes in one transaction; keys that exist are skipped.
func (db *DB) Enqueue(ctx context.Context, msgs ...*models.OutboxMessage) (int, error) {
	n := 0
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		n, err = insertOutbox(tx, msgs, db.now())
		return err
	})
	return n, err
}

// ClaimOutbox leases up to limit due pushes to owner until now+lease and
// returns them. The conditional UPDATE is the claim: a row whose lease has
// not run out is never taken, so two dispatchers never hold the same row.
func (db *DB) ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]*models.OutboxMessage, error) {
	now = now.UTC().Truncate(time.Microsecond)
	g := db.gorm.WithContext(ctx)
	var ids []uint64
	err := g.Model(&models.OutboxMessage{}).
		Where("status IN ? AND next_attempt_at <= ?", []models.OutboxStatus{models.OutboxPending, models.OutboxSending}, now).
		Where("lease_until IS NULL OR lease_until < ?", now).
		Order("next_attempt_at, id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("claim pushes: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	until := now.Add(lease)
	// The whole due condition again: a row another dispatcher took and
	// finished since the SELECT has no lease either, but is no longer due.
	res := g.Model(&models.OutboxMessage{}).
		Where("id IN ? AND status IN ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)",
			ids, []models.OutboxStatus{models.OutboxPending, models.OutboxSending}, now, now).
		Updates(map[string]any{"lease_owner": owner, "lease_until": until})
	if res.Error != nil {
		return nil, fmt.Errorf("claim pushes: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	var out []*models.OutboxMessage
	if err := g.Where("id IN ? AND lease_owner = ?", ids, owner).Order("next_attempt_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("claim pushes: read back: %w", err)
	}
	return out, nil
}

// MarkSending records, before the call, that owner is about to send m on
// channel: attempts+1, status sending, lease extended. It returns false when
// owner no longer holds the lease (the row is someone else's now).
func (db *DB) MarkSending(ctx context.Context, id uint64, owner, channel string, now time.Time, lease time.Duration) (bool, error) {
	now = now.UTC().Truncate(time.Microsecond)
	res := db.gorm.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("id = ? AND lease_owner = ? AND lease_until >= ?", id, owner, now).
		Updates(map[string]any{"status": models.OutboxSending, "channel": channel,
			"attempts": gorm.Expr("attempts + 1"), "lease_until": now.Add(lease), "updated_at": now})
	if res.Error != nil {
		return false, fmt.Errorf("mark push sending: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Finish records an attempt's outcome and drops owner's lease; ECONFLICT
// when owner no longer holds the row.
func (db *DB) Finish(ctx context.Context, id uint64, owner string, now time.Time, o models.PushOutcome) error {
	now = now.UTC().Truncate(time.Microsecond)
	set := map[string]any{"status": o.Status, "last_error": o.Code, "lease_owner": "", "lease_until": nil, "updated_at": now}
	switch o.Status {
	case models.OutboxSent:
		set["sent_at"] = now
	case models.OutboxPending:
		set["next_attempt_at"] = o.Next.UTC().Truncate(time.Microsecond)
		set["force_template"] = o.ForceTemplate
	}
	if o.Channel != "" {
		set["channel"] = o.Channel
	}
	if o.Attempted {
		set["attempts"] = gorm.Expr("attempts + 1")
	}
	return db.finish(ctx, id, owner, set)
}

// MarkSent records a delivered push and drops the lease.
func (db *DB) MarkSent(ctx context.Context, id uint64, owner string, now time.Time) error {
	return db.Finish(ctx, id, owner, now, models.PushOutcome{Status: models.OutboxSent})
}

// Reschedule puts a push back to pending for another attempt at next.
func (db *DB) Reschedule(ctx context.Context, id uint64, owner string, next time.Time, code string, forceTemplate bool) error {
	return db.Finish(ctx, id, owner, db.now(), models.PushOutcome{Status: models.OutboxPending, Code: code, Next: next, ForceTemplate: forceTemplate})
}

// MarkFailed records a push that will not be sent; it shows in FailedPushes.
func (db *DB) MarkFailed(ctx context.Context, id uint64, owner, code string) error {
	return db.Finish(ctx, id, owner, db.now(), models.PushOutcome{Status: models.OutboxFailed, Code: code})
}

// ReleaseOutbox drops owner's leases so another dispatcher can take the
// rows at once; call it when none of owner's sends is in flight (shutdown).
func (db *DB) ReleaseOutbox(ctx context.Context, owner string) error {
	err := db.gorm.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("lease_owner = ? AND status IN ?", owner, []models.OutboxStatus{models.OutboxPending, models.OutboxSending}).
		Updates(map[string]any{"lease_owner": "", "lease_until": nil}).Error
	if err != nil {
		return fmt.Errorf("release pushes: %w", err)
	}
	return nil
}

func (db *DB) finish(ctx context.Context, id uint64, owner string, set map[string]any) error {
	res := db.gorm.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("id = ? AND lease_owner = ?", id, owner).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("update push: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ECONFLICT, "push %d is no longer leased by this dispatcher", id)
	}
	return nil
}

// CustomWindow returns when the person's 48-hour customer-service window
// opened (nil: never wrote) and how many customer-service pushes were sent or
// attempted since.
func (db *DB) CustomWindow(ctx context.Context, communityID, openID string) (*time.Time, int, error) {
	// One statement a push: the resident's last message and the
	// customer-service messages counted since it.
	var row struct {
		LastMessageAt *time.Time
		Used          int
	}
	res := db.gorm.WithContext(ctx).Raw(`SELECT r.last_message_at,
 (SELECT count(*) FROM outbox_messages o WHERE o.community_id = r.community_id AND o.open_id = r.open_id
  AND o.channel = ? AND o.status IN ? AND o.updated_at >= r.last_message_at) AS used
FROM residents r WHERE r.community_id = ? AND r.open_id = ?`,
		models.ChannelCustom, []models.OutboxStatus{models.OutboxSent, models.OutboxSending, models.OutboxFailed},
		communityID, openID).Scan(&row)
	if res.Error != nil {
		return nil, 0, fmt.Errorf("customer-service window: %w", res.Error)
	}
	if res.RowsAffected == 0 || row.LastMessageAt == nil {
		return nil, 0, nil // unknown, or never wrote: no window
	}
	if db.now().Sub(*row.LastMessageAt) > 48*time.Hour {
		return row.LastMessageAt, 0, nil // window closed: nothing to count
	}
	return row.LastMessageAt, row.Used, nil
}

// FailedPushes lists a community's failed pushes created since t, newest
// first (at most 1000): the people to phone or visit.
func (db *DB) FailedPushes(ctx context.Context, communityID string, since time.Time) ([]*models.FailedPush, error) {
	var rows []*models.OutboxMessage
	err := db.gorm.WithContext(ctx).
		Where("community_id = ? AND status = ? AND created_at >= ?", communityID, models.OutboxFailed, since.UTC()).
		Order("created_at DESC, id DESC").Limit(1000).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("failed pushes: %w", err)
	}
	out := make([]*models.FailedPush, len(rows))
	for i, m := range rows {
		out[i] = &models.FailedPush{ID: m.ID, OpenID: m.OpenID, Type: m.Type, Text: m.Text, Error: m.LastError,
			Attempts: m.Attempts, CreatedAt: m.CreatedAt}
	}
	return out, nil
}

// OutboxCounts returns how many pushes are in each status (for tests and metrics).
func (db *DB) OutboxCounts(ctx context.Context) (map[models.OutboxStatus]int, error) {
	var rows []struct {
		Status models.OutboxStatus
		N      int
	}
	err := db.gorm.WithContext(ctx).Model(&models.OutboxMessage{}).Select("status, COUNT(*) AS n").
		Group("status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("outbox counts: %w", err)
	}
	out := map[models.OutboxStatus]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
