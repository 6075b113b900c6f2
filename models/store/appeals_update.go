package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// UpdateAppeal stores one lifecycle change (the admin API's PATCH, jobs)
// with its events, in one transaction and only if the appeal is still in
// upd.ExpectStatus; otherwise it returns models.ErrAppealChanged.
func (db *DB) UpdateAppeal(ctx context.Context, upd *models.AppealUpdate) error {
	at := db.now()
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return applyAppealUpdates(tx, []*models.AppealUpdate{upd}, at)
	})
}

// applyAppealUpdates writes each update with an optimistic status check,
// inside the caller's transaction, so that two handlers acting at once
// cannot both move the same appeal.
func applyAppealUpdates(tx *gorm.DB, ups []*models.AppealUpdate, at time.Time) error {
	for _, u := range ups {
		res, err := appealUpdate(tx, u, at)
		if err != nil {
			return err
		}
		if res.Error != nil {
			return fmt.Errorf("update appeal: %w", res.Error)
		}
		if a := u.Appeal; res.RowsAffected == 0 {
			// MySQL counts changed rows, not matched ones: tell "no such
			// row in that status" apart from "nothing to change".
			var n int64
			if err := tx.Model(&models.Appeal{}).Where("id = ? AND status = ?", a.ID, a.Status).Count(&n).Error; err != nil {
				return fmt.Errorf("update appeal: %w", err)
			}
			if n == 0 || a.Status != u.ExpectStatus {
				return models.ErrAppealChanged
			}
		}
		for _, ev := range updateEvents(u, at) {
			if err := tx.Create(ev).Error; err != nil {
				return fmt.Errorf("record appeal event: %w", err)
			}
		}
		if err := insertLearningVotes(tx, u.LearningVotes, at); err != nil {
			return err
		}
	}
	return nil
}

// appealUpdate runs (or, in a dry-run session, builds) u's UPDATE, guarded
// by the status the change was computed from; it must change one row.
func appealUpdate(tx *gorm.DB, u *models.AppealUpdate, at time.Time) (*gorm.DB, error) {
	a := u.Appeal
	if a == nil || a.ID == 0 {
		return nil, models.Errorf(models.EINVALID, "appeal update without a stored appeal")
	}
	if !a.Status.Valid() || !u.ExpectStatus.Valid() {
		return nil, models.Errorf(models.EINVALID, "appeal update with an unknown status")
	}
	if a.UpdatedAt.IsZero() || a.UpdatedAt.Before(at) {
		a.UpdatedAt = at
	}
	// A map, so that zero values (no assignee, no deadline) are written too.
	cols := map[string]any{
		"kind": a.Kind, "level": a.Level, "status": a.Status, "assignee": a.Assignee,
		"due_at": a.DueAt, "resolved_at": a.ResolvedAt, "updated_at": a.UpdatedAt.UTC(),
	}
	if u.Retopic {
		cols["topic_id"], cols["topic"], cols["unit"] = a.TopicID, a.Topic, a.Unit
	}
	if u.Place {
		cols["building"], cols["grid_id"] = a.Building, a.GridID
	}
	return tx.Model(&models.Appeal{}).Where("id = ? AND status = ?", a.ID, u.ExpectStatus).Updates(cols), nil
}

// updateEvents stamps u's events with the appeal and the time.
func updateEvents(u *models.AppealUpdate, at time.Time) []*models.AppealEvent {
	for _, ev := range u.Events {
		ev.AppealID = u.Appeal.ID
		if ev.At.IsZero() {
			ev.At = at
		}
		ev.At = ev.At.UTC().Truncate(time.Microsecond)
	}
	return u.Events
}

// insertEvents records new appeal events in tx, stamped at when they carry
// no time of their own. The ID is cleared: a retried transaction must not
// reuse the one an earlier, rolled-back try was given.
func insertEvents(tx *gorm.DB, evs []*models.AppealEvent, at time.Time) error {
	for _, ev := range stampEvents(evs, at) {
		if err := tx.Create(ev).Error; err != nil {
			return fmt.Errorf("record appeal event: %w", err)
		}
	}
	return nil
}

// stampEvents readies new events: no id (a rerun must not reuse the one a
// rolled-back try was given), and at when they carry no time of their own.
func stampEvents(evs []*models.AppealEvent, at time.Time) []*models.AppealEvent {
	for _, ev := range evs {
		ev.ID = 0
		if ev.At.IsZero() {
			ev.At = at
		}
	}
	return evs
}
