package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// jobLock is one scheduled job's lock: who runs it until when, and the tick
// (scheduled time) of the last run taken, so that replicas whose timers fire
// a moment apart run each tick once.
type jobLock struct {
	Name     string    `gorm:"primaryKey;size:64"`
	Owner    string    `gorm:"size:96;not null"`
	Until    time.Time `gorm:"not null"`
	LastTick time.Time `gorm:"not null"`
}

func (jobLock) TableName() string { return "job_locks" }

// AcquireJobLock takes job name's lock for the run scheduled at tick, held
// until until. It fails (false) while another run holds it or when this tick
// ran already, on any replica.
func (db *DB) AcquireJobLock(ctx context.Context, name, owner string, tick, until time.Time) (bool, error) {
	now := db.now()
	tick, until = tick.UTC().Truncate(time.Microsecond), until.UTC().Truncate(time.Microsecond)
	g := db.gorm.WithContext(ctx)
	res := g.Model(&jobLock{}).Where("name = ? AND until < ? AND last_tick < ?", name, now, tick).
		Updates(map[string]any{"owner": owner, "until": until, "last_tick": tick})
	if res.Error != nil {
		return false, fmt.Errorf("job lock %s: %w", name, res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	res = g.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&jobLock{Name: name, Owner: owner, Until: until, LastTick: tick})
	if res.Error != nil {
		return false, fmt.Errorf("job lock %s: %w", name, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseJobLock ends owner's hold on the lock; the tick stays recorded.
func (db *DB) ReleaseJobLock(ctx context.Context, name, owner string) error {
	err := db.gorm.WithContext(ctx).Model(&jobLock{}).Where("name = ? AND owner = ?", name, owner).
		Update("until", db.now().Add(-time.Microsecond)).Error
	if err != nil {
		return fmt.Errorf("release job lock %s: %w", name, err)
	}
	return nil
}

// transact runs fn in a transaction, again from the start when MySQL picks
// it as a deadlock victim or a lock wait times out (both roll the whole
// transaction back, so a rerun is safe). reset undoes fn's changes to its
// inputs (ids set by inserts) before each rerun; it may be nil.
func (db *DB) transact(ctx context.Context, fn func(tx *gorm.DB) error, reset func()) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			if reset != nil {
				reset()
			}
			select {
			case <-ctx.Done():
				return err
			case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
			}
		}
		err = db.gorm.WithContext(ctx).Transaction(fn)
		if !retryable(err) {
			return err
		}
	}
	return err
}

// retryable reports MySQL's deadlock (1213) and lock wait timeout (1205).
func retryable(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}
