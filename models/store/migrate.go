package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// migration is one versioned step of the schema. Steps use gorm's migrator,
// which only ever adds tables, columns and indexes, so each step is
// idempotent and re-running a half-applied step is safe on MySQL, whose DDL
// is not transactional. Versions are never renumbered; add new ones at the end.
type migration struct {
	Version int
	Name    string
	Up      func(tx *gorm.DB) error
}

// schemaMigration records an applied step.
type schemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"size:128;not null"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// refCounter hands out the daily sequence of reference codes.
type refCounter struct {
	Day string `gorm:"primaryKey;size:8"`
	N   int64  `gorm:"not null"`
}

func (refCounter) TableName() string { return "ref_counters" }

func autoMigrate(models ...any) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		for _, m := range models {
			if err := tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(m); err != nil {
				return err
			}
		}
		return nil
	}
}

var migrations = []migration{
	{1, "core: communities, residents, appeals, events, dedupe, conversations", autoMigrate(
		&models.Community{}, &models.Resident{}, &models.Appeal{}, &models.AppealEvent{},
		&models.ProcessedMessage{}, &models.Conversation{}, &refCounter{})},
	{2, "engine: followers (me too), conversation version", autoMigrate(
		&models.Follower{}, &models.Conversation{})},
	{3, "jobs: outbox, reminders sent, job locks; due-scan indexes on appeals", migrateJobs},
	{4, "staff: staff, invites, bind attempts, grids, departments", autoMigrate(
		&models.Staff{}, &models.StaffInvite{}, &models.BindAttempt{}, &models.Grid{}, &models.Department{})},
	{5, "meetings: meetings, invitees, stakeholders", migrateMeetings},
	{6, "open311: api keys", autoMigrate(&models.APIKey{})},
	{7, "console: login links, sessions", migrateConsole},
}

// MigrationVersions lists the versions Migrate applies, in order.
func MigrationVersions() []int {
	out := make([]int, len(migrations))
	for i, m := range migrations {
		out[i] = m.Version
	}
	return out
}

// SchemaVersion is the version the code expects after Migrate.
func SchemaVersion() int { return migrations[len(migrations)-1].Version }

// Migrate applies every step not yet recorded, in order. On MySQL a named
// lock keeps two replicas starting together from migrating at once.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	err = db.gorm.WithContext(ctx).Connection(func(c *gorm.DB) error {
		// Each statement needs a fresh session: a reused *gorm.DB keeps the
		// previous statement's model.
		conn := func() *gorm.DB { return c.Session(&gorm.Session{NewDB: true}) }
		if db.driver == MySQL {
			var got int
			if err := conn().Raw("SELECT GET_LOCK('gongzhi_migrate', 60)").Scan(&got).Error; err != nil {
				return fmt.Errorf("migrate: take lock: %w", err)
			}
			if got != 1 {
				return fmt.Errorf("migrate: another process holds the migration lock")
			}
			defer conn().Exec("SELECT RELEASE_LOCK('gongzhi_migrate')")
		}
		if err := conn().AutoMigrate(&schemaMigration{}); err != nil {
			return fmt.Errorf("migrate: schema_migrations: %w", err)
		}
		var done []schemaMigration
		if err := conn().Find(&done).Error; err != nil {
			return fmt.Errorf("migrate: read versions: %w", err)
		}
		have := map[int]bool{}
		for _, m := range done {
			have[m.Version] = true
		}
		for _, m := range migrations {
			if have[m.Version] {
				continue
			}
			if err := m.Up(conn()); err != nil {
				return fmt.Errorf("migrate: version %d (%s): %w", m.Version, m.Name, err)
			}
			rec := schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: db.now()}
			if err := conn().Create(&rec).Error; err != nil {
				return fmt.Errorf("migrate: record version %d: %w", m.Version, err)
			}
			applied++
		}
		return nil
	})
	return applied, err
}

// Version returns the highest applied schema version (0 for an empty database).
func (db *DB) Version(ctx context.Context) (int, error) {
	if !db.gorm.Migrator().HasTable(&schemaMigration{}) {
		return 0, nil
	}
	var v *int
	if err := db.gorm.WithContext(ctx).Model(&schemaMigration{}).Select("MAX(version)").Scan(&v).Error; err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}
