package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// NextProjectCode returns the code the community's next project gets.
func (db *DB) NextProjectCode(ctx context.Context, communityID string) (string, error) {
	n, err := db.nextCode(ctx, &models.Project{}, communityID, "XM")
	if err != nil {
		return "", fmt.Errorf("next project code: %w", err)
	}
	return models.FormatProjectCode(n), nil
}

// ApplyProjectChange stores one change of a project in one transaction.
func (db *DB) ApplyProjectChange(ctx context.Context, ch *models.ProjectChange) error {
	defer db.learned.changed() // its appeal updates may carry learning votes
	return db.transact(ctx, func(tx *gorm.DB) error {
		return applyProjectChange(tx, ch, db.now())
	}, nil)
}

func applyProjectChange(tx *gorm.DB, ch *models.ProjectChange, at time.Time) error {
	p := ch.Project
	if p == nil {
		return models.Errorf(models.EINVALID, "project change without a project")
	}
	p.UpdatedAt = at
	if ch.ExpectVersion == 0 {
		// A rerun after a deadlock starts afresh: the id of a rolled-back insert is void.
		p.ID, p.Version, p.CreatedAt = 0, 1, at
		if err := tx.Create(p).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return models.ErrStale // another project took the code: compute again
			}
			return fmt.Errorf("create project: %w", err)
		}
	} else {
		res := tx.Model(&models.Project{}).Where("id = ? AND version = ?", p.ID, ch.ExpectVersion).Updates(map[string]any{
			"name": p.Name, "appeal_refs": p.AppealRefs, "status": p.Status, "outcome": p.Outcome,
			"completed_at": p.CompletedAt, "version": ch.ExpectVersion + 1, "updated_at": at})
		if res.Error != nil {
			return fmt.Errorf("update project: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return models.ErrStale
		}
		p.Version = ch.ExpectVersion + 1
	}
	if pl := ch.Pledge; pl != nil {
		pl.ID, pl.ProjectID, pl.CommunityID, pl.CreatedAt = 0, p.ID, p.CommunityID, at
		if err := tx.Create(pl).Error; err != nil {
			return fmt.Errorf("record pledge: %w", err)
		}
	}
	ms := ch.Milestone
	if ms != nil {
		ms.ID, ms.ProjectID, ms.CreatedAt = 0, p.ID, at
		if err := tx.Create(ms).Error; err != nil {
			return fmt.Errorf("record milestone: %w", err)
		}
	}
	if len(ch.Outbox) > 0 {
		// Copies: a rerun after a deadlock must see the placeholders again.
		fill := strings.NewReplacer(models.ProjectIDPlaceholder, fmt.Sprint(p.ID))
		if ms != nil {
			fill = strings.NewReplacer(models.ProjectIDPlaceholder, fmt.Sprint(p.ID), models.MilestoneIDPlaceholder, fmt.Sprint(ms.ID))
		}
		msgs := make([]*models.OutboxMessage, len(ch.Outbox))
		for i, o := range ch.Outbox {
			cp := *o
			cp.Key = fill.Replace(cp.Key)
			msgs[i] = &cp
		}
		if _, err := insertOutbox(tx, msgs, at); err != nil {
			return err
		}
	}
	if err := applyAppealUpdates(tx, ch.AppealUpdates, at); err != nil {
		return err
	}
	return insertEvents(tx, ch.Events, at)
}

// ProjectByID returns a community's project or ENOTFOUND.
func (db *DB) ProjectByID(ctx context.Context, communityID string, id uint64) (*models.Project, error) {
	var p models.Project
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND id = ?", communityID, id).Take(&p).Error; err != nil {
		return nil, notFound(err, "project")
	}
	return &p, nil
}

// ProjectByCode returns a community's project by its code or ENOTFOUND.
func (db *DB) ProjectByCode(ctx context.Context, communityID, code string) (*models.Project, error) {
	var p models.Project
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND code = ?", communityID, code).Take(&p).Error; err != nil {
		return nil, notFound(err, "project")
	}
	return &p, nil
}

// ListProjects returns a community's projects of one need ("" = all), newest first.
func (db *DB) ListProjects(ctx context.Context, communityID string, need models.Need) ([]*models.Project, error) {
	q := db.gorm.WithContext(ctx).Where("community_id = ?", communityID)
	if need != "" {
		q = q.Where("need = ?", need)
	}
	var out []*models.Project
	if err := q.Order("id DESC").Limit(500).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("projects: %w", err)
	}
	return out, nil
}

// ProjectTotals sums a project's pledges by source and counts its active volunteers.
func (db *DB) ProjectTotals(ctx context.Context, projectID uint64) (*models.ProjectTotals, error) {
	g := db.gorm.WithContext(ctx)
	t := &models.ProjectTotals{BySource: map[models.PledgeSource]int64{}}
	for _, s := range models.PledgeSources {
		t.BySource[s] = 0
	}
	var rows []struct {
		Source string
		Sum    int64
		N      int
	}
	err := g.Model(&models.ProjectPledge{}).Select("source, COALESCE(SUM(amount_yuan), 0) AS sum, COUNT(*) AS n").
		Where("project_id = ?", projectID).Group("source").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("project totals: %w", err)
	}
	for _, r := range rows {
		t.BySource[models.PledgeSource(r.Source)] += r.Sum
		t.Total += r.Sum
		t.Pledges += r.N
	}
	var n int64
	if err := g.Model(&models.ProjectVolunteer{}).Where("project_id = ? AND active = ?", projectID, true).Count(&n).Error; err != nil {
		return nil, fmt.Errorf("project volunteers: %w", err)
	}
	t.Volunteers = int(n)
	return t, nil
}

// ProjectPledges returns a project's pledges, oldest first.
func (db *DB) ProjectPledges(ctx context.Context, projectID uint64) ([]*models.ProjectPledge, error) {
	var out []*models.ProjectPledge
	if err := db.gorm.WithContext(ctx).Where("project_id = ?", projectID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("project pledges: %w", err)
	}
	return out, nil
}

// ProjectMilestones returns a project's milestones, oldest first.
func (db *DB) ProjectMilestones(ctx context.Context, projectID uint64) ([]*models.ProjectMilestone, error) {
	var out []*models.ProjectMilestone
	if err := db.gorm.WithContext(ctx).Where("project_id = ?", projectID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("project milestones: %w", err)
	}
	return out, nil
}

// ProjectVolunteer returns openID's sign-up for a project or ENOTFOUND.
func (db *DB) ProjectVolunteer(ctx context.Context, projectID uint64, openID string) (*models.ProjectVolunteer, error) {
	var v models.ProjectVolunteer
	if err := db.gorm.WithContext(ctx).Where("project_id = ? AND open_id = ?", projectID, openID).Take(&v).Error; err != nil {
		return nil, notFound(err, "volunteer")
	}
	return &v, nil
}

// VolunteerOpenIDs returns the openids of a project's active volunteers.
func (db *DB) VolunteerOpenIDs(ctx context.Context, projectID uint64) ([]string, error) {
	var out []string
	err := db.gorm.WithContext(ctx).Model(&models.ProjectVolunteer{}).Where("project_id = ? AND active = ?", projectID, true).
		Order("id").Pluck("open_id", &out).Error
	if err != nil {
		return nil, fmt.Errorf("volunteers: %w", err)
	}
	return out, nil
}
