package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// persisted lists every struct the store reads or writes as a table row.
var persisted = []any{
	&models.Community{}, &models.Resident{}, &models.Appeal{}, &models.AppealEvent{},
	&models.ProcessedMessage{}, &models.Conversation{}, &refCounter{}, &models.Follower{},
	&models.OutboxMessage{}, &reminderSent{}, &jobLock{},
	&models.Staff{}, &models.StaffInvite{}, &models.BindAttempt{}, &models.Grid{}, &models.Department{},
	&models.Meeting{}, &models.MeetingInvitee{}, &models.Stakeholder{}, &models.APIKey{},
	&models.SignedRequest{},
	&models.LearningVote{},
	&consoleLoginRow{}, &consoleSessionRow{},
	&models.Campaign{}, &models.CampaignRecipient{}, &models.CampaignAnswer{}, &models.Project{},
	&models.ProjectPledge{}, &models.ProjectVolunteer{}, &models.ProjectMilestone{}, &models.TopicProposal{},
	&schemaMigration{},
}

// CheckSchema reports, for every persisted struct, a missing table, column
// or index: a model changed without a migration that gives it its column.
// Tables that no struct maps are reported too.
func (db *DB) CheckSchema(ctx context.Context) error {
	g := db.gorm.WithContext(ctx)
	var errs []error
	mapped := map[string]bool{}
	for _, model := range persisted {
		stmt := &gorm.Statement{DB: g}
		if err := stmt.Parse(model); err != nil {
			return fmt.Errorf("check schema: %T: %w", model, err)
		}
		s := stmt.Schema
		mapped[s.Table] = true
		m := g.Session(&gorm.Session{NewDB: true}).Migrator()
		if !m.HasTable(s.Table) {
			errs = append(errs, fmt.Errorf("%s (%s): table %s missing: add a migration that creates it", s.Name, s.ModelType.PkgPath(), s.Table))
			continue
		}
		for _, f := range s.Fields {
			if f.DBName == "" || f.IgnoreMigration {
				continue
			}
			if !m.HasColumn(model, f.DBName) {
				errs = append(errs, fmt.Errorf("%s.%s: column %s.%s missing: add a migration that adds it", s.Name, f.Name, s.Table, f.DBName))
			}
		}
		for _, ix := range s.ParseIndexes() {
			if !m.HasIndex(model, ix.Name) {
				errs = append(errs, fmt.Errorf("%s: index %s on %s missing: add a migration that creates it", s.Name, ix.Name, s.Table))
			}
		}
	}
	tables, err := g.Migrator().GetTables()
	if err != nil {
		return fmt.Errorf("check schema: list tables: %w", err)
	}
	for _, t := range tables {
		if !mapped[t] && t != "sqlite_sequence" {
			errs = append(errs, fmt.Errorf("table %s has no struct in the store's persisted list", t))
		}
	}
	return errors.Join(errs...)
}
