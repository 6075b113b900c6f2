package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// reminderSent records that an appeal's deadline reminder for one lead time
// went into the outbox, so that it is queued once whatever the replicas do.
type reminderSent struct {
	AppealID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	LeadSeconds int64  `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt   time.Time
}

func (reminderSent) TableName() string { return "reminders_sent" }

func openStatuses() []models.Status {
	var out []models.Status
	for _, s := range models.Statuses {
		if s.Open() {
			out = append(out, s)
		}
	}
	return out
}

// DueForReminder returns open appeals whose deadline falls in (from, to] and
// that have had no reminder for lead yet, soonest first, at most limit.
func (db *DB) DueForReminder(ctx context.Context, from, to time.Time, lead time.Duration, limit int) ([]*models.Appeal, error) {
	var out []*models.Appeal
	err := db.gorm.WithContext(ctx).
		Where("status IN ? AND due_at > ? AND due_at <= ?", openStatuses(), from.UTC(), to.UTC()).
		Where("NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.appeal_id = appeals.id AND r.lead_seconds = ?)", int64(lead/time.Second)).
		Order("due_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("appeals due for a reminder: %w", err)
	}
	return out, nil
}

// CommitReminders records each reminder and queues its pushes in one
// transaction; a reminder recorded already (another replica, a rerun) is
// skipped with its pushes. It returns how many were new. Rows go in with
// multi-row INSERTs, so the cost is a few statements per call.
func (db *DB) CommitReminders(ctx context.Context, rs []models.Reminder) (int, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	at := db.now()
	n := 0
	var err error
	for range 3 {
		err = db.transact(ctx, func(tx *gorm.DB) error {
			n = 0
			ids := make([]uint64, len(rs))
			for i, r := range rs {
				ids[i] = r.AppealID
			}
			var have []reminderSent
			if err := tx.Where("appeal_id IN ?", ids).Find(&have).Error; err != nil {
				return fmt.Errorf("record reminders: %w", err)
			}
			done := map[reminderSent]bool{}
			for _, h := range have {
				done[reminderSent{AppealID: h.AppealID, LeadSeconds: h.LeadSeconds}] = true
			}
			var rows []reminderSent
			var pushes []*models.OutboxMessage
			for _, r := range rs {
				k := reminderSent{AppealID: r.AppealID, LeadSeconds: int64(r.Lead / time.Second)}
				if done[k] {
					continue
				}
				done[k] = true
				k.CreatedAt = at
				rows = append(rows, k)
				pushes = append(pushes, r.Outbox...)
			}
			if len(rows) == 0 {
				return nil
			}
			// A concurrent transaction that recorded one of these first makes
			// this INSERT fail on the key: the whole call reruns and skips it.
			if err := tx.CreateInBatches(rows, 500).Error; err != nil {
				return fmt.Errorf("record reminders: %w", err)
			}
			if _, err := insertOutbox(tx, pushes, at); err != nil {
				return err
			}
			n = len(rows)
			return nil
		}, nil)
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			break
		}
	}
	return n, err
}

// OverdueForEscalation returns open appeals past their deadline at now whose
// level can still go up, oldest deadline first, at most limit.
func (db *DB) OverdueForEscalation(ctx context.Context, now time.Time, limit int) ([]*models.Appeal, error) {
	var out []*models.Appeal
	err := db.gorm.WithContext(ctx).
		Where("status IN ? AND due_at <= ? AND level IN ?", openStatuses(), now.UTC(),
			[]models.Level{models.LevelCommunity, models.LevelStreet}).
		Order("due_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("overdue appeals: %w", err)
	}
	return out, nil
}

// Escalate applies e in one transaction if the appeal is still as the scan
// saw it; false means someone changed it first (another replica, a worker
// closing it) and nothing was written.
func (db *DB) Escalate(ctx context.Context, e *models.Escalation) (bool, error) {
	at := db.now()
	a := e.Appeal
	if a.DueAt == nil {
		return false, models.Errorf(models.EINVALID, "appeal %s has no deadline", a.Ref)
	}
	asOf := at // the appeal must still be overdue as of the job's clock
	if e.Event != nil && !e.Event.At.IsZero() {
		asOf = e.Event.At.UTC()
	}
	done := false
	cols := map[string]any{"level": e.ToLevel, "status": models.StatusEscalated, "assignee": e.Assignee,
		"due_at": e.NewDueAt.UTC().Truncate(time.Microsecond), "updated_at": at}
	if e.Unit != "" {
		cols["unit"] = e.Unit
	}
	err := db.transact(ctx, func(tx *gorm.DB) error {
		done = false
		res := tx.Model(&models.Appeal{}).
			Where("id = ? AND level = ? AND status = ? AND due_at <= ?", a.ID, a.Level, a.Status, asOf).
			Updates(cols)
		if res.Error != nil {
			return fmt.Errorf("escalate appeal: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return errSkip
		}
		ev := e.Event
		ev.AppealID = a.ID
		if ev.At.IsZero() {
			ev.At = at
		}
		if err := tx.Create(ev).Error; err != nil {
			return fmt.Errorf("record escalation: %w", err)
		}
		if _, err := insertOutbox(tx, e.Outbox, at); err != nil {
			return err
		}
		done = true
		return nil
	}, func() { e.Event.ID = 0 })
	if errors.Is(err, errSkip) {
		return false, nil
	}
	return done, err
}

var errSkip = errors.New("skip")

// Digest counts a community's appeals created since since, open and past
// their deadline at now, and resolved but not yet rated.
func (db *DB) Digest(ctx context.Context, communityID string, since, now time.Time) (models.DigestCounts, error) {
	var d models.DigestCounts
	g := db.gorm.WithContext(ctx)
	q := func() *gorm.DB { return g.Model(&models.Appeal{}).Where("community_id = ?", communityID) }
	if err := q().Where("created_at >= ?", since.UTC()).Count(&d.New).Error; err != nil {
		return d, fmt.Errorf("digest: %w", err)
	}
	if err := q().Where("status IN ? AND due_at < ?", openStatuses(), now.UTC()).Count(&d.Overdue).Error; err != nil {
		return d, fmt.Errorf("digest: %w", err)
	}
	if err := q().Where("status = ?", models.StatusResolved).Count(&d.Unrated).Error; err != nil {
		return d, fmt.Errorf("digest: %w", err)
	}
	return d, nil
}

// DeleteExpiredConversations removes conversations that expired before now.
func (db *DB) DeleteExpiredConversations(ctx context.Context, now time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("expires_at < ?", now.UTC()).Delete(&models.Conversation{})
	if res.Error != nil {
		return 0, fmt.Errorf("delete expired conversations: %w", res.Error)
	}
	return res.RowsAffected, nil
}
