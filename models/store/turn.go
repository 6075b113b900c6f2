package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gongzhi/gongzhi/models"
)

// EnsureCommunity creates the community or updates its name.
func (db *DB) EnsureCommunity(ctx context.Context, c *models.Community) error {
	err := db.gorm.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "updated_at"}),
	}).Create(c).Error
	if err != nil {
		return fmt.Errorf("ensure community: %w", err)
	}
	return nil
}

// Resident returns the resident or ENOTFOUND.
func (db *DB) Resident(ctx context.Context, communityID, openID string) (*models.Resident, error) {
	var r models.Resident
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND open_id = ?", communityID, openID).Take(&r).Error
	if err != nil {
		return nil, notFound(err, "resident")
	}
	return &r, nil
}

// Conversation returns the stored conversation or ENOTFOUND (the message
// path reads it with the rest of the sender: Sender).
func (db *DB) Conversation(ctx context.Context, communityID, openID string) (*models.Conversation, error) {
	var c models.Conversation
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND open_id = ?", communityID, openID).Take(&c).Error
	if err != nil {
		return nil, notFound(err, "conversation")
	}
	return &c, nil
}

// ProcessedReply returns the reply given to a processed message or ENOTFOUND.
func (db *DB) ProcessedReply(ctx context.Context, communityID, key string) (string, error) {
	var p models.ProcessedMessage
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND dedupe_key = ?", communityID, key).Take(&p).Error
	if err != nil {
		return "", notFound(err, "processed message")
	}
	return p.Reply, nil
}

// DeleteProcessedBefore forgets dedupe records older than t.
func (db *DB) DeleteProcessedBefore(ctx context.Context, t time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("created_at < ?", t.UTC()).Delete(&models.ProcessedMessage{})
	return res.RowsAffected, res.Error
}

// CommitTurn stores everything a message changed in one transaction. The
// dedupe row goes first: a concurrent retry of the same message blocks on it
// and then fails with ErrDuplicate, so exactly one of them commits.
//
// The common turn (dedupe row, resident, conversation: a step of a
// conversation) is committed together with the other such turns waiting at
// that moment (batch.go); if that group cannot commit as a whole, each of
// its turns is committed here on its own, so every turn gets its own
// outcome (ErrDuplicate, ErrStale) exactly as if it had never been grouped.
func (db *DB) CommitTurn(ctx context.Context, t *models.Turn) error {
	if db.batch != nil && groupable(t) {
		if err := db.batch.commit(t); !errors.Is(err, errGroupFailed) {
			return err
		}
	}
	return db.commitTurnAlone(ctx, t)
}

// turnTime is when a turn's rows are stamped.
func (db *DB) turnTime(t *models.Turn) time.Time {
	if t.At.IsZero() {
		return db.now()
	}
	return t.At.UTC().Truncate(time.Microsecond)
}

// commitTurnAlone commits one turn in a transaction of its own.
func (db *DB) commitTurnAlone(ctx context.Context, t *models.Turn) error {
	at := db.turnTime(t)
	// MariaDB may pick this transaction as a deadlock victim (two new
	// appeals creating the day's reference counter at once): it rolled back
	// whole, so transact runs it again from the turn as it came in.
	snap := snapshotTurn(t)
	reset := func() { snap.restore(t) }
	if db.groupPool != nil && oneTripTurn(t) {
		err := db.commitTurnOneTrip(ctx, t, at)
		if err == nil {
			db.tripTurns.Add(1)
			return nil
		}
		reset() // nothing was written: the transaction decides the outcome
		if !errors.Is(err, errNotSent) {
			db.tripFallback.Add(1)
			db.log.Debug("one-trip turn rolled back; committing it in a transaction", "err", err)
		}
	}
	err := db.transact(ctx, func(tx *gorm.DB) error {
		if t.DedupeKey != "" {
			pm := models.ProcessedMessage{CommunityID: t.CommunityID, Key: t.DedupeKey, Reply: t.Reply, CreatedAt: at}
			if err := tx.Create(&pm).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return models.ErrDuplicate
				}
				return fmt.Errorf("record message: %w", err)
			}
		}
		if r := turnResident(t, at); r != nil {
			if err := upsertResidents(tx, []*models.Resident{r}); err != nil {
				return err
			}
		}
		if t.GuardConversation {
			if err := saveGuardedConversation(tx, t, at); err != nil {
				return err
			}
		} else if t.ClearConversation {
			err := tx.Where("community_id = ? AND open_id = ?", t.CommunityID, t.OpenID).Delete(&models.Conversation{}).Error
			if err != nil {
				return fmt.Errorf("clear conversation: %w", err)
			}
		} else if c := t.Conversation; c != nil {
			c.CommunityID, c.OpenID, c.UpdatedAt = t.CommunityID, t.OpenID, at
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "community_id"}, {Name: "open_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"state", "data", "expires_at", "updated_at"}),
			}).Create(c).Error
			if err != nil {
				return fmt.Errorf("save conversation: %w", err)
			}
		}
		for _, na := range t.NewAppeals {
			if err := createAppeal(tx, na, at); err != nil {
				return err
			}
		}
		if err := applyAppealUpdates(tx, t.AppealUpdates, at); err != nil {
			return err
		}
		if filled := models.FillRefs(t.Reply, t.NewAppeals); filled != t.Reply {
			t.Reply = filled
			if t.DedupeKey != "" {
				if err := replyUpdate(tx.Session(&gorm.Session{NewDB: true}), t).Error; err != nil {
					return fmt.Errorf("record reply: %w", err)
				}
			}
		}
		for _, f := range stampFollowers(t, at) {
			if err := followerInsert(tx, f).Error; err != nil {
				return fmt.Errorf("add follower: %w", err)
			}
		}
		if err := insertEvents(tx, t.Events, at); err != nil {
			return err
		}
		if _, err := insertOutbox(tx, fillOutboxRefs(t.Outbox, t.NewAppeals), at); err != nil {
			return err
		}
		if err := applyMeetingChanges(tx, t.Meetings, at); err != nil {
			return err
		}
		if err := insertLearningVotes(tx, t.LearningVotes, at); err != nil {
			return err
		}
		if err := applyAsks(tx, t.CommunityID, t.Asks, at); err != nil {
			return err
		}
		return applyParticipation(tx, t, at)
	}, reset)
	return err
}

// applyAsks marks or clears residents' questions waiting for an answer
// (models.Ask); a resident with no row has nothing to mark.
func applyAsks(tx *gorm.DB, communityID string, asks []*models.Ask, at time.Time) error {
	for _, a := range asks {
		var when *time.Time
		if a.Ref != "" {
			when = &at
		}
		q := tx.Session(&gorm.Session{NewDB: true}).Model(&models.Resident{}).
			Where("community_id = ? AND open_id = ?", communityID, a.OpenID)
		if a.Ref == "" && a.Was != "" {
			q = q.Where("asked_ref = ?", a.Was)
		}
		err := q.UpdateColumns(map[string]any{"asked_ref": a.Ref, "asked_at": when}).Error
		if err != nil {
			return fmt.Errorf("mark question: %w", err)
		}
	}
	return nil
}

// stampFollowers readies a turn's new followers (me too) as rows.
func stampFollowers(t *models.Turn, at time.Time) []*models.Follower {
	for _, f := range t.NewFollowers {
		f.CommunityID = t.CommunityID
		if f.CreatedAt.IsZero() {
			f.CreatedAt = at
		}
	}
	return t.NewFollowers
}

// followerInsert runs (or, in a dry-run session, builds) the INSERT of a
// follower that skips one already there.
func followerInsert(tx *gorm.DB, f *models.Follower) *gorm.DB {
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(f)
}

// turnResident stamps the turn's resident row (nil when it has none).
func turnResident(t *models.Turn, at time.Time) *models.Resident {
	r := t.Resident
	if r == nil {
		return nil
	}
	r.CommunityID, r.OpenID = t.CommunityID, t.OpenID
	if r.CreatedAt.IsZero() {
		r.CreatedAt = at
	}
	r.UpdatedAt = at
	return r
}

// upsertResidents inserts residents or updates the ones that exist, in one
// statement.
func upsertResidents(tx *gorm.DB, rs []*models.Resident) error {
	if err := residentUpsert(tx.Session(&gorm.Session{NewDB: true})).Create(&rs).Error; err != nil {
		return fmt.Errorf("save resident: %w", err)
	}
	return nil
}

// residentUpsert is tx with the residents' ON CONFLICT clause: the
// resident's own columns are updated when the row exists.
func residentUpsert(tx *gorm.DB) *gorm.DB {
	return tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "community_id"}, {Name: "open_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"building", "unit", "room", "grid_id",
			"subscribed", "last_message_at", "updated_at"}),
	})
}

// createAppeal stores an appeal with the next reference code of its day and
// its first events.
func createAppeal(tx *gorm.DB, na *models.NewAppeal, at time.Time) error {
	a := stampAppeal(na, at)
	n, err := nextRef(tx, refDay(a))
	if err != nil {
		return err
	}
	a.Ref = models.FormatRef(a.CreatedAt.In(refZone), n)
	if err := tx.Create(a).Error; err != nil {
		return fmt.Errorf("create appeal: %w", err)
	}
	for _, ev := range newAppealEvents(na, at) {
		if err := tx.Create(ev).Error; err != nil {
			return fmt.Errorf("record appeal event: %w", err)
		}
	}
	return nil
}

// stampAppeal readies a new appeal's times: its deadline in UTC (SQLite
// compares times as text), created at at unless it says otherwise.
func stampAppeal(na *models.NewAppeal, at time.Time) *models.Appeal {
	a := na.Appeal
	if a.DueAt != nil {
		due := a.DueAt.UTC()
		a.DueAt = &due
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = at
	}
	a.UpdatedAt = at
	return a
}

// refDay is the day whose counter numbers a new appeal.
func refDay(a *models.Appeal) string { return a.CreatedAt.In(refZone).Format("060102") }

// newAppealEvents stamps a stored new appeal's first events with its id.
func newAppealEvents(na *models.NewAppeal, at time.Time) []*models.AppealEvent {
	for _, ev := range na.Events {
		ev.AppealID = na.Appeal.ID
		if ev.At.IsZero() {
			ev.At = at
		}
	}
	return na.Events
}

// replyUpdate runs (or, in a dry-run session, builds) the UPDATE of a stored
// message's reply once its reference codes are known.
func replyUpdate(tx *gorm.DB, t *models.Turn) *gorm.DB {
	return tx.Model(&models.ProcessedMessage{}).
		Where("community_id = ? AND dedupe_key = ?", t.CommunityID, t.DedupeKey).Update("reply", t.Reply)
}

// refZone dates reference codes in China's time, where residents read them.
var refZone = time.FixedZone("CST", 8*3600)

// nextRef increments the day's counter inside the caller's transaction; the
// row lock serialises concurrent appeals of the same day.
func nextRef(tx *gorm.DB, day string) (int64, error) {
	for range 3 {
		res := tx.Model(&refCounter{}).Where("day = ?", day).Update("n", gorm.Expr("n + 1"))
		if res.Error != nil {
			return 0, fmt.Errorf("next reference code: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			err := tx.Create(&refCounter{Day: day, N: 1}).Error
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				continue // another transaction created it first: increment it
			}
			if err != nil {
				return 0, fmt.Errorf("next reference code: %w", err)
			}
			return 1, nil
		}
		var c refCounter
		if err := tx.Where("day = ?", day).Take(&c).Error; err != nil {
			return 0, fmt.Errorf("next reference code: %w", err)
		}
		return c.N, nil
	}
	return 0, fmt.Errorf("next reference code: counter for %s keeps conflicting", day)
}
