package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// fillOutboxRefs returns copies of the turn's pushes with the reference codes
// of its new appeals filled in (text, template data, key); the originals stay
// as they were so that a rerun after a deadlock fills them afresh.
func fillOutboxRefs(msgs []*models.OutboxMessage, appeals []*models.NewAppeal) []*models.OutboxMessage {
	if len(appeals) == 0 || len(msgs) == 0 {
		return msgs
	}
	out := make([]*models.OutboxMessage, len(msgs))
	for i, m := range msgs {
		cp := *m
		cp.Text = models.FillRefs(cp.Text, appeals)
		cp.Data = models.FillRefs(cp.Data, appeals)
		cp.Key = models.FillRefs(cp.Key, appeals)
		out[i] = &cp
	}
	return out
}

// activeStaff returns the community's active, bound staff.
func (db *DB) activeStaff(ctx context.Context, communityID string) ([]*models.Staff, error) {
	var staff []*models.Staff
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND active = ? AND open_id <> ''", communityID, true).
		Order("id").Find(&staff).Error; err != nil {
		return nil, fmt.Errorf("active staff: %w", err)
	}
	return staff, nil
}

// HandlerOpenIDs returns the openids of whoever handles a: the staff member
// it is assigned to, or every holder of its placeholder role (the committee
// placeholder also reaches administrators). Nil when nobody is bound.
func (db *DB) HandlerOpenIDs(ctx context.Context, a *models.Appeal) ([]string, error) {
	if a.Assignee == "" {
		return nil, nil
	}
	staff, err := db.activeStaff(ctx, a.CommunityID)
	if err != nil {
		return nil, err
	}
	committee := a.Assignee == models.RolePlaceholder(models.RoleCommittee)
	var out []string
	for _, s := range staff {
		if models.IsHandler(s, a) || (committee && s.Role == models.RoleAdmin) {
			out = append(out, s.OpenID)
		}
	}
	return out, nil
}

// CommitteeOpenIDs returns the openids of the community's active committee
// members and administrators.
func (db *DB) CommitteeOpenIDs(ctx context.Context, communityID string) ([]string, error) {
	staff, err := db.activeStaff(ctx, communityID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range staff {
		if s.Role == models.RoleCommittee || s.Role == models.RoleAdmin {
			out = append(out, s.OpenID)
		}
	}
	return out, nil
}

// RoleOpenIDs returns the openids of the community's active staff in role r.
func (db *DB) RoleOpenIDs(ctx context.Context, communityID string, r models.Role) ([]string, error) {
	staff, err := db.activeStaff(ctx, communityID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range staff {
		if s.Role == r {
			out = append(out, s.OpenID)
		}
	}
	return out, nil
}

// FollowerOpenIDs returns the author of a, then the residents following it.
func (db *DB) FollowerOpenIDs(ctx context.Context, a *models.Appeal) ([]string, error) {
	fs, err := db.Followers(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	out := []string{a.OpenID}
	for _, f := range fs {
		if f.OpenID != a.OpenID {
			out = append(out, f.OpenID)
		}
	}
	return out, nil
}

// LastResolvedBy returns the appeal a staff member (actor "staff:<id>") most
// recently resolved at or after since and that is still resolved, or
// ENOTFOUND: a photo sent right after 办结 belongs to it.
func (db *DB) LastResolvedBy(ctx context.Context, communityID, actor string, since time.Time) (*models.Appeal, error) {
	var ev models.AppealEvent
	err := db.gorm.WithContext(ctx).Table("appeal_events AS e").Select("e.*").
		Joins("JOIN appeals AS a ON a.id = e.appeal_id").
		Where("a.community_id = ? AND e.actor = ? AND e.action = ? AND e.at >= ? AND a.status = ?",
			communityID, actor, models.ActResolve, since.UTC(), models.StatusResolved).
		Order("e.at DESC, e.id DESC").Take(&ev).Error
	if err != nil {
		return nil, notFound(err, "resolved appeal")
	}
	var a models.Appeal
	if err := db.gorm.WithContext(ctx).Where("id = ?", ev.AppealID).Take(&a).Error; err != nil {
		return nil, notFound(err, "appeal")
	}
	return &a, nil
}

// ResolvedBefore returns resolved appeals whose resolution is older than
// before, oldest first, at most limit: CLOSE_UNRATED closes them.
func (db *DB) ResolvedBefore(ctx context.Context, before time.Time, limit int) ([]*models.Appeal, error) {
	var out []*models.Appeal
	err := db.gorm.WithContext(ctx).Where("status = ? AND resolved_at IS NOT NULL AND resolved_at < ?",
		models.StatusResolved, before.UTC()).Order("resolved_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("resolved appeals: %w", err)
	}
	return out, nil
}

// CloseUnrated applies upd (an ActCloseUnrated step) and queues its pushes
// in one transaction; ErrAppealChanged when the resident rated meanwhile.
func (db *DB) CloseUnrated(ctx context.Context, upd *models.AppealUpdate, pushes []*models.OutboxMessage) error {
	defer db.learned.changed() // its appeal updates may carry learning votes
	at := db.now()
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := applyAppealUpdates(tx, []*models.AppealUpdate{upd}, at); err != nil {
			return err
		}
		_, err := insertOutbox(tx, pushes, at)
		return err
	})
}
