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

// Tables of the console (migration 7).
const (
	consoleLoginsTable   = "console_logins"
	consoleSessionsTable = "console_sessions"
)

// consoleLoginRow and consoleSessionRow are the rows of the console's
// tables (migrations/*/0007_console.sql).
type consoleLoginRow struct {
	ID          uint64    `gorm:"primaryKey"`
	TokenHash   string    `gorm:"size:64;not null;uniqueIndex:ux_console_login_token"`
	CommunityID string    `gorm:"size:64;not null"`
	StaffID     uint64    `gorm:"not null"`
	ExpiresAt   time.Time `gorm:"not null;index:ix_console_login_expiry"`
	UsedAt      *time.Time
	CreatedAt   time.Time
}

func (consoleLoginRow) TableName() string { return consoleLoginsTable }

type consoleSessionRow struct {
	ID          uint64    `gorm:"primaryKey"`
	TokenHash   string    `gorm:"size:64;not null;uniqueIndex:ux_console_session_token"`
	CSRFToken   string    `gorm:"column:csrf_token;size:64;not null"`
	CommunityID string    `gorm:"size:64;not null"`
	StaffID     uint64    `gorm:"not null;index:ix_console_session_staff"`
	ExpiresAt   time.Time `gorm:"not null;index:ix_console_session_expiry"`
	EndedAt     *time.Time
	CreatedAt   time.Time
}

func (consoleSessionRow) TableName() string { return consoleSessionsTable }

// CreateConsoleLogin stores a one-time login link (its token's hash).
func (db *DB) CreateConsoleLogin(ctx context.Context, l *models.ConsoleLogin) error {
	row := consoleLoginRow{TokenHash: l.TokenHash, CommunityID: l.CommunityID, StaffID: l.StaffID,
		ExpiresAt: l.ExpiresAt.UTC(), CreatedAt: db.now()}
	if err := db.gorm.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create console login: %w", err)
	}
	l.ID, l.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// UseConsoleLogin marks the link of this token hash used and returns it:
// ErrLinkInvalid for an unknown token, ErrLinkUsed when it was used
// (two browsers racing on one link: exactly one wins), ErrLinkExpired after
// its lifetime.
func (db *DB) UseConsoleLogin(ctx context.Context, tokenHash string, now time.Time) (*models.ConsoleLogin, error) {
	row, err := db.usableLogin(ctx, tokenHash, now)
	if err != nil {
		return nil, err
	}
	used := now.UTC()
	res := db.gorm.WithContext(ctx).Model(&consoleLoginRow{}).Where("id = ? AND used_at IS NULL", row.ID).Update("used_at", used)
	if res.Error != nil {
		return nil, fmt.Errorf("use console login: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, models.ErrLinkUsed
	}
	return &models.ConsoleLogin{ID: row.ID, TokenHash: row.TokenHash, CommunityID: row.CommunityID, StaffID: row.StaffID,
		ExpiresAt: row.ExpiresAt, UsedAt: &used, CreatedAt: row.CreatedAt}, nil
}

// CheckConsoleLogin reports, without using it, why the link of this token
// hash could not be used now (models.ErrLinkUsed, ErrLinkExpired,
// ErrLinkInvalid), or nil: the login page says so before offering its button.
func (db *DB) CheckConsoleLogin(ctx context.Context, tokenHash string, now time.Time) error {
	_, err := db.usableLogin(ctx, tokenHash, now)
	return err
}

// usableLogin reads the link of this token hash if it is unused and unexpired.
func (db *DB) usableLogin(ctx context.Context, tokenHash string, now time.Time) (*consoleLoginRow, error) {
	var row consoleLoginRow
	if err := db.gorm.WithContext(ctx).Where("token_hash = ?", tokenHash).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrLinkInvalid
		}
		return nil, fmt.Errorf("console login: %w", err)
	}
	if row.UsedAt != nil {
		return nil, models.ErrLinkUsed
	}
	if !now.Before(row.ExpiresAt) {
		return nil, models.ErrLinkExpired
	}
	return &row, nil
}

// CreateConsoleSession stores a session (its cookie token's hash).
func (db *DB) CreateConsoleSession(ctx context.Context, s *models.ConsoleSession) error {
	row := consoleSessionRow{TokenHash: s.TokenHash, CSRFToken: s.CSRFToken, CommunityID: s.CommunityID, StaffID: s.StaffID,
		ExpiresAt: s.ExpiresAt.UTC(), CreatedAt: db.now()}
	if err := db.gorm.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create console session: %w", err)
	}
	s.ID, s.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// ConsoleViewer returns the session of this token hash and its staff
// member, or ErrSessionEnded when it is unknown, ended, expired, or its
// staff member is no longer active (deactivating someone ends their sessions).
func (db *DB) ConsoleViewer(ctx context.Context, tokenHash string, now time.Time) (*models.Viewer, error) {
	var row consoleSessionRow
	if err := db.gorm.WithContext(ctx).Where("token_hash = ?", tokenHash).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.ErrSessionEnded
		}
		return nil, fmt.Errorf("console session: %w", err)
	}
	if row.EndedAt != nil || !now.Before(row.ExpiresAt) {
		return nil, models.ErrSessionEnded
	}
	v := &models.Viewer{Session: &models.ConsoleSession{ID: row.ID, TokenHash: row.TokenHash, CSRFToken: row.CSRFToken,
		CommunityID: row.CommunityID, StaffID: row.StaffID, ExpiresAt: row.ExpiresAt, CreatedAt: row.CreatedAt}}
	if row.StaffID != 0 {
		s, err := db.StaffByID(ctx, row.CommunityID, row.StaffID)
		if models.ErrorCode(err) == models.ENOTFOUND {
			return nil, models.ErrSessionEnded
		}
		if err != nil {
			return nil, err
		}
		if !models.MayUseConsole(s) {
			return nil, models.ErrSessionEnded
		}
		v.Staff = s
	}
	return v, nil
}

// EndConsoleSession ends the session of this token hash (log out).
func (db *DB) EndConsoleSession(ctx context.Context, tokenHash string, now time.Time) error {
	err := db.gorm.WithContext(ctx).Model(&consoleSessionRow{}).Where("token_hash = ? AND ended_at IS NULL", tokenHash).
		Update("ended_at", now.UTC()).Error
	if err != nil {
		return fmt.Errorf("end console session: %w", err)
	}
	return nil
}

// EndStaffSessions ends every session of a staff member.
func (db *DB) EndStaffSessions(ctx context.Context, staffID uint64, now time.Time) error {
	err := db.gorm.WithContext(ctx).Model(&consoleSessionRow{}).Where("staff_id = ? AND ended_at IS NULL", staffID).
		Update("ended_at", now.UTC()).Error
	if err != nil {
		return fmt.Errorf("end staff sessions: %w", err)
	}
	return nil
}

// DeleteConsoleBefore forgets links and sessions that expired before t.
func (db *DB) DeleteConsoleBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	for _, m := range []any{&consoleLoginRow{}, &consoleSessionRow{}} {
		res := db.gorm.WithContext(ctx).Where("expires_at < ?", t.UTC()).Delete(m)
		if res.Error != nil {
			return n, fmt.Errorf("delete console rows: %w", res.Error)
		}
		n += res.RowsAffected
	}
	return n, nil
}

// ConsoleAppeals returns one page of the appeals matching q, by deadline
// (those without one last, then newest), and how many match in all.
func (db *DB) ConsoleAppeals(ctx context.Context, q models.ListQuery) ([]*models.Appeal, int, error) {
	base := db.gorm.WithContext(ctx).Model(&models.Appeal{})
	if q.Communities != nil {
		if len(q.Communities) == 0 {
			return nil, 0, nil
		}
		base = base.Where("community_id IN ?", q.Communities)
	}
	if q.Kind != "" {
		base = base.Where("kind = ?", q.Kind)
	}
	if q.Level != "" {
		base = base.Where("level = ?", q.Level)
	}
	if q.Status != "" {
		base = base.Where("status = ?", q.Status)
	}
	if q.GridID != "" {
		base = base.Where("grid_id = ?", q.GridID)
	}
	switch q.Assignee {
	case "":
	case "-":
		base = base.Where("assignee = ?", "")
	default:
		base = base.Where("assignee = ?", q.Assignee)
	}
	now := q.Now
	if now.IsZero() {
		now = db.now()
	}
	if q.Overdue {
		base = base.Where("due_at IS NOT NULL AND due_at < ? AND status NOT IN ?", now.UTC(), closedStatuses())
	}
	if q.Review {
		// Besides review and escalation: open appeals nobody handles — no
		// assignee, the committee's placeholder, or a role's placeholder
		// (a street's liaison, the district's coordinator) while nobody of
		// that role is bound in the community: those would wait unseen.
		base = base.Where("(status IN ? OR (status NOT IN ? AND kind <> ? AND (assignee IN ? OR "+
			"(assignee LIKE ? AND NOT EXISTS (SELECT 1 FROM staffs s WHERE s.community_id = appeals.community_id "+
			"AND s.active = ? AND s.open_id <> '' AND s.role = SUBSTR(appeals.assignee, ?))))))",
			models.ReviewStatuses, closedStatuses(), models.KindPrivate, []string{"", models.RolePlaceholder(models.RoleCommittee)},
			models.RolePlaceholder("")+"%", true, len(models.RolePlaceholder(""))+1)
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		like := "%" + likeLiteral(t) + "%"
		base = base.Where("(ref LIKE ? ESCAPE '!' OR topic LIKE ? ESCAPE '!' OR description LIKE ? ESCAPE '!' OR building LIKE ? ESCAPE '!')",
			like, like, like, like)
	}
	if !q.From.IsZero() {
		base = base.Where("created_at >= ?", q.From.UTC())
	}
	if !q.To.IsZero() {
		base = base.Where("created_at < ?", q.To.UTC())
	}
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("console appeals: count: %w", err)
	}
	page := base.Session(&gorm.Session{}).Order("CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, created_at DESC, id DESC")
	if q.Limit > 0 {
		page = page.Limit(q.Limit).Offset(max(q.Offset, 0))
	}
	var out []*models.Appeal
	if err := page.Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("console appeals: %w", err)
	}
	return out, int(total), nil
}

// likeLiteral makes s match literally inside a LIKE pattern with ESCAPE '!'
// (one escape character that means the same on MySQL and SQLite).
func likeLiteral(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return r.Replace(s)
}

// PendingInvites returns the community's invite codes not used and not
// expired at now, newest first (their hashes only: codes are never stored).
func (db *DB) PendingInvites(ctx context.Context, communityID string, now time.Time) ([]*models.StaffInvite, error) {
	var out []*models.StaffInvite
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND used_at IS NULL AND expires_at > ?", communityID, now.UTC()).
		Order("created_at DESC, id DESC").Limit(200).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("pending invites: %w", err)
	}
	return out, nil
}

// RevokeInviteByID makes an unused code expire at once; ECONFLICT when it was
// used or had expired already, ENOTFOUND when it is not the community's.
func (db *DB) RevokeInviteByID(ctx context.Context, communityID string, id uint64, now time.Time) error {
	res := db.gorm.WithContext(ctx).Model(&models.StaffInvite{}).
		Where("community_id = ? AND id = ? AND used_at IS NULL AND expires_at > ?", communityID, id, now.UTC()).
		Update("expires_at", now.UTC())
	if res.Error != nil {
		return fmt.Errorf("revoke invite: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var n int64
	if err := db.gorm.WithContext(ctx).Model(&models.StaffInvite{}).Where("community_id = ? AND id = ?", communityID, id).Count(&n).Error; err != nil {
		return fmt.Errorf("revoke invite: %w", err)
	}
	if n == 0 {
		return models.Errorf(models.ENOTFOUND, "invite %d not found", id)
	}
	return models.Errorf(models.ECONFLICT, "invite %d was used or has expired already", id)
}

// ConsoleMeetings returns a community's meetings, latest start first (at most limit).
func (db *DB) ConsoleMeetings(ctx context.Context, communityID string, limit int) ([]*models.Meeting, error) {
	var out []*models.Meeting
	err := db.gorm.WithContext(ctx).Where("community_id = ?", communityID).Order("starts_at DESC, id DESC").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("console meetings: %w", err)
	}
	return out, nil
}
