package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gongzhi/gongzhi/models"
)

// Communities returns the ids of every community, oldest first.
func (db *DB) Communities(ctx context.Context) ([]string, error) {
	var ids []string
	if err := db.gorm.WithContext(ctx).Model(&models.Community{}).Order("created_at, id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("communities: %w", err)
	}
	return ids, nil
}

// SeedGrids inserts the configured grids that the community does not have
// yet; grids edited through the API are left as they are.
func (db *DB) SeedGrids(ctx context.Context, communityID string, grids []models.GridSpec) (int, error) {
	added := 0
	for _, g := range grids {
		row := models.Grid{CommunityID: communityID, ID: g.ID, Name: g.Name, Buildings: strings.Join(g.Buildings, ",")}
		// DO NOTHING on the key: replicas starting together seed the same
		// grids, and a grid the API changed since is kept as it is.
		res := db.gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return added, fmt.Errorf("seed grids: %w", res.Error)
		}
		added += int(res.RowsAffected)
	}
	return added, nil
}

// Grids returns the community's grids by id.
func (db *DB) Grids(ctx context.Context, communityID string) ([]*models.Grid, error) {
	var out []*models.Grid
	if err := db.gorm.WithContext(ctx).Where("community_id = ?", communityID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("grids: %w", err)
	}
	return out, nil
}

// PutGrids replaces the community's grids. A building may belong to one grid
// only, and a grid that still has an active grid worker cannot be removed.
func (db *DB) PutGrids(ctx context.Context, communityID string, grids []models.GridSpec) error {
	if len(grids) > models.MaxGrids {
		return models.Errorf(models.EINVALID, "grids: at most %d a community", models.MaxGrids)
	}
	seenGrid, seenBuilding := map[string]bool{}, map[string]string{}
	for _, g := range grids {
		if err := g.Validate(); err != nil {
			return err
		}
		if seenGrid[g.ID] {
			return models.Errorf(models.EINVALID, "grid %s appears twice", g.ID)
		}
		seenGrid[g.ID] = true
		for _, b := range g.Buildings {
			if other, ok := seenBuilding[b]; ok {
				return models.Errorf(models.EINVALID, "building %s is in grids %s and %s", b, other, g.ID)
			}
			seenBuilding[b] = g.ID
		}
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var workers []models.Staff
		if err := tx.Where("community_id = ? AND role = ? AND active = ?", communityID, models.RoleGridWorker, true).Find(&workers).Error; err != nil {
			return fmt.Errorf("put grids: %w", err)
		}
		for _, w := range workers {
			if !seenGrid[w.GridID] {
				return models.Errorf(models.ECONFLICT, "grid %s still has an active grid worker (staff %d): deactivate them first", w.GridID, w.ID)
			}
		}
		if err := tx.Where("community_id = ?", communityID).Delete(&models.Grid{}).Error; err != nil {
			return fmt.Errorf("put grids: %w", err)
		}
		now := db.now()
		for _, g := range grids {
			row := models.Grid{CommunityID: communityID, ID: g.ID, Name: g.Name, Buildings: strings.Join(g.Buildings, ","),
				CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("put grids: %w", err)
			}
		}
		return regridResidents(tx, communityID, grids)
	})
	if err == nil && db.OnGridsChanged != nil {
		db.OnGridsChanged(communityID)
	}
	return err
}

// regridResidents gives every registered resident the grid that now covers
// their building, or none: meetings and campaigns find a grid's residents
// by their stored grid, and a building moved to another grid must not keep
// its residents in the old one. Every grid is cleared first, then set by
// buildings in chunks (one NOT IN over every building overflowed SQLite's
// variables; found by an attacker), all in the caller's transaction.
func regridResidents(tx *gorm.DB, communityID string, grids []models.GridSpec) error {
	if err := tx.Model(&models.Resident{}).Where("community_id = ? AND grid_id <> ''", communityID).
		Update("grid_id", "").Error; err != nil {
		return fmt.Errorf("put grids: residents: %w", err)
	}
	for _, g := range grids {
		for part := range slices.Chunk(g.Buildings, 200) {
			if err := tx.Model(&models.Resident{}).Where("community_id = ? AND building IN ?", communityID, part).
				Update("grid_id", g.ID).Error; err != nil {
				return fmt.Errorf("put grids: residents: %w", err)
			}
		}
	}
	return nil
}

// Departments returns the community's departments by name.
func (db *DB) Departments(ctx context.Context, communityID string) ([]*models.Department, error) {
	var out []*models.Department
	if err := db.gorm.WithContext(ctx).Where("community_id = ?", communityID).Order("name").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	return out, nil
}

// CreateDepartment adds a department; ECONFLICT when the name exists.
func (db *DB) CreateDepartment(ctx context.Context, d *models.Department) error {
	d.Name = models.TrimText(d.Name)
	if d.Name == "" || len([]rune(d.Name)) > 128 {
		return models.Errorf(models.EINVALID, "department name is required (at most 128 characters)")
	}
	d.ID = 0
	d.CreatedAt = db.now()
	if err := db.gorm.WithContext(ctx).Create(d).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return models.Errorf(models.ECONFLICT, "department %q exists already", d.Name)
		}
		return fmt.Errorf("create department: %w", err)
	}
	return nil
}

// department finds a department by name or numeric id.
func department(tx *gorm.DB, communityID, nameOrID string) (*models.Department, error) {
	var d models.Department
	q := tx.Where("community_id = ? AND name = ?", communityID, nameOrID)
	if id, err := strconv.ParseUint(nameOrID, 10, 64); err == nil {
		q = tx.Where("community_id = ? AND (name = ? OR id = ?)", communityID, nameOrID, id)
	}
	if err := q.Take(&d).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, models.Errorf(models.EINVALID, "department %q does not exist: add it with POST /api/departments", nameOrID)
		}
		return nil, err
	}
	return &d, nil
}

// CreateInvite issues a one-time binding code valid for ttl from now. The
// grid or department must exist. Only the code's hash is stored; the code
// itself is returned once.
func (db *DB) CreateInvite(ctx context.Context, req models.InviteRequest, now time.Time, ttl time.Duration) (string, *models.StaffInvite, error) {
	if err := req.Validate(); err != nil {
		return "", nil, err
	}
	if ttl <= 0 {
		ttl = models.DefaultInviteTTL
	}
	code, err := models.NewInviteCode()
	if err != nil {
		return "", nil, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	inv := &models.StaffInvite{CommunityID: req.CommunityID, CodeHash: models.HashInviteCode(code), Role: req.Role,
		GridID: req.GridID, Name: req.Name, ExpiresAt: now.Add(ttl), CreatedAt: now}
	err = db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Community{}).Where("id = ?", req.CommunityID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return models.Errorf(models.EINVALID, "community %q does not exist", req.CommunityID)
		}
		if req.GridID != "" {
			if err := tx.Model(&models.Grid{}).Where("community_id = ? AND id = ?", req.CommunityID, req.GridID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.Errorf(models.EINVALID, "grid %q does not exist in community %s", req.GridID, req.CommunityID)
			}
		}
		if req.Department != "" {
			d, err := department(tx, req.CommunityID, req.Department)
			if err != nil {
				return err
			}
			inv.Department = d.Name
		}
		return tx.Create(inv).Error
	})
	if err != nil {
		if models.ErrorCode(err) != models.EINTERNAL {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("create invite: %w", err)
	}
	return code, inv, nil
}

// BindStaff binds openID to the role of a one-time code. Unknown, expired
// and used codes are refused with ErrInviteUnknown, ErrInviteExpired and
// ErrInviteUsed and count as failed tries; after BindMaxFailures failures
// within BindWindow the sender gets ErrBindLocked, even with a right code,
// until the window has passed. Binding is one transaction.
func (db *DB) BindStaff(ctx context.Context, communityID, openID, code string, now time.Time) (*models.Staff, error) {
	now = now.UTC().Truncate(time.Microsecond)
	if openID == "" {
		return nil, models.Errorf(models.EINVALID, "no sender")
	}
	g := db.gorm.WithContext(ctx)
	var fails int64
	if err := g.Model(&models.BindAttempt{}).Where("community_id = ? AND open_id = ? AND at > ?",
		communityID, openID, now.Add(-models.BindWindow)).Count(&fails).Error; err != nil {
		return nil, fmt.Errorf("bind staff: %w", err)
	}
	if fails >= models.BindMaxFailures {
		return nil, models.ErrBindLocked
	}
	var staff *models.Staff
	err := g.Transaction(func(tx *gorm.DB) error {
		var inv models.StaffInvite
		norm := models.NormalizeInviteCode(code)
		if len(norm) != models.InviteCodeLen {
			return models.ErrInviteUnknown
		}
		err := tx.Where("community_id = ? AND code_hash = ?", communityID, models.HashInviteCode(norm)).Take(&inv).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.ErrInviteUnknown
		}
		if err != nil {
			return err
		}
		if inv.UsedAt != nil {
			return models.ErrInviteUsed
		}
		if !now.Before(inv.ExpiresAt) {
			return models.ErrInviteExpired
		}
		var n int64
		if err := tx.Model(&models.Staff{}).Where("community_id = ? AND open_id = ? AND active = ?", communityID, openID, true).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return models.ErrAlreadyBound
		}
		s := &models.Staff{CommunityID: communityID, Role: inv.Role, Name: inv.Name, GridID: inv.GridID,
			Department: inv.Department, OpenID: openID, BoundAt: &now, Active: true, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(s).Error; err != nil {
			return err
		}
		// The used_at condition makes two binds racing on one code end with one winner.
		res := tx.Model(&models.StaffInvite{}).Where("id = ? AND used_at IS NULL", inv.ID).
			Updates(map[string]any{"used_at": now, "staff_id": s.ID})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.ErrInviteUsed
		}
		if err := tx.Where("community_id = ? AND open_id = ?", communityID, openID).Delete(&models.BindAttempt{}).Error; err != nil {
			return err
		}
		staff = s
		return nil
	})
	switch {
	case err == nil:
		return staff, nil
	case errors.Is(err, models.ErrInviteUnknown), errors.Is(err, models.ErrInviteUsed), errors.Is(err, models.ErrInviteExpired):
		if rerr := g.Create(&models.BindAttempt{CommunityID: communityID, OpenID: openID, At: now}).Error; rerr != nil {
			return nil, fmt.Errorf("bind staff: record failed try: %w", rerr)
		}
		return nil, err
	case models.ErrorCode(err) != models.EINTERNAL:
		return nil, err
	}
	return nil, fmt.Errorf("bind staff: %w", err)
}

// ListStaff returns the community's staff, active first, by id.
func (db *DB) ListStaff(ctx context.Context, communityID string) ([]*models.Staff, error) {
	var out []*models.Staff
	if err := db.gorm.WithContext(ctx).Where("community_id = ?", communityID).Order("active DESC, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return out, nil
}

// StaffByID returns a staff member or ENOTFOUND.
func (db *DB) StaffByID(ctx context.Context, communityID string, id uint64) (*models.Staff, error) {
	var s models.Staff
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND id = ?", communityID, id).Take(&s).Error; err != nil {
		return nil, notFound(err, "staff member")
	}
	return &s, nil
}

// StaffByOpenID returns the active staff member bound to openID or ENOTFOUND:
// the chat half asks it who a sender is.
func (db *DB) StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error) {
	var s models.Staff
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND open_id = ? AND active = ?", communityID, openID, true).
		Order("id").Take(&s).Error
	if err != nil {
		return nil, notFound(err, "staff member")
	}
	return &s, nil
}

// DeactivateStaff ends a staff member's role; their open tasks stay assigned
// until the committee reassigns them (GET /api/appeals?… shows them).
func (db *DB) DeactivateStaff(ctx context.Context, communityID string, id uint64) (*models.Staff, error) {
	res := db.gorm.WithContext(ctx).Model(&models.Staff{}).Where("community_id = ? AND id = ? AND active = ?", communityID, id, true).
		Updates(map[string]any{"active": false, "updated_at": db.now()})
	if res.Error != nil {
		return nil, fmt.Errorf("deactivate staff: %w", res.Error)
	}
	s, err := db.StaffByID(ctx, communityID, id)
	if err != nil {
		return nil, err
	}
	if res.RowsAffected == 0 && s.Active {
		return nil, models.Errorf(models.ECONFLICT, "staff member %d changed meanwhile", id)
	}
	return s, nil
}

// RouteAppeal chooses the handler of a with models.Route over the
// community's active staff: a staff ref or a role placeholder ("" for private).
func (db *DB) RouteAppeal(ctx context.Context, a *models.Appeal) (string, error) {
	var staff []*models.Staff
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND active = ?", a.CommunityID, true).Find(&staff).Error; err != nil {
		return "", fmt.Errorf("route appeal: %w", err)
	}
	return models.Route(a, staff), nil
}

// ResolveAssignee turns what the committee typed (a staff id, "staff:<id>",
// a bound staff member's openid, or a role placeholder "role:<role>") into
// the assignee string; EINVALID when it names nobody active.
func (db *DB) ResolveAssignee(ctx context.Context, communityID, s string) (string, error) {
	s = strings.TrimSpace(s)
	if r, ok := models.PlaceholderRole(s); ok {
		return models.RolePlaceholder(r), nil
	}
	if id, ok := models.ParseStaffRef(s); ok {
		st, err := db.StaffByID(ctx, communityID, id)
		if err == nil && st.Active {
			return st.Ref(), nil
		}
		if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
			return "", err
		}
	}
	if s != "" {
		st, err := db.StaffByOpenID(ctx, communityID, s)
		if err == nil {
			return st.Ref(), nil
		}
		if models.ErrorCode(err) != models.ENOTFOUND {
			return "", err
		}
	}
	if s != "" { // a name, when exactly one active staff member bears it
		var found []*models.Staff
		if err := db.gorm.WithContext(ctx).Where("community_id = ? AND name = ? AND active = ?", communityID, s, true).
			Limit(2).Find(&found).Error; err != nil {
			return "", fmt.Errorf("staff by name: %w", err)
		}
		switch len(found) {
		case 1:
			return found[0].Ref(), nil
		case 2:
			return "", models.ErrStaffAmbiguous
		}
	}
	return "", models.Errorf(models.EINVALID, "assignee %q is not an active staff member of this community (give a staff id, a bound openid or a name)", s)
}

// OpenTasks returns the open appeals a staff member handles, overdue first,
// then by deadline: the chat half's 我的任务.
func (db *DB) OpenTasks(ctx context.Context, s *models.Staff, now time.Time, limit int) ([]*models.Appeal, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	names := []string{s.Ref(), models.RolePlaceholder(s.Role)}
	var list []*models.Appeal
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND assignee IN ? AND status NOT IN ?",
		s.CommunityID, names, closedStatuses()).Order("id").Limit(1000).Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("open tasks: %w", err)
	}
	out := list[:0]
	for _, a := range list {
		if models.IsHandler(s, a) {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b *models.Appeal) int {
		ao, bo := a.Overdue(now), b.Overdue(now)
		switch {
		case ao != bo && ao:
			return -1
		case ao != bo:
			return 1
		case a.DueAt != nil && b.DueAt != nil:
			return a.DueAt.Compare(*b.DueAt)
		case a.DueAt != nil:
			return -1
		case b.DueAt != nil:
			return 1
		}
		return 0
	})
	return out[:min(len(out), limit)], nil
}

// RevokeInvite ends an unused, unexpired invite code: it expires now, so a
// bind with it fails as any expired code does (and counts as a failed try).
func (db *DB) RevokeInvite(ctx context.Context, communityID, code string, now time.Time) error {
	norm := models.NormalizeInviteCode(code)
	if len(norm) != models.InviteCodeLen {
		return models.Errorf(models.ENOTFOUND, "no unused invite with this code")
	}
	now = now.UTC().Truncate(time.Microsecond)
	res := db.gorm.WithContext(ctx).Model(&models.StaffInvite{}).
		Where("community_id = ? AND code_hash = ? AND used_at IS NULL AND expires_at > ?", communityID, models.HashInviteCode(norm), now).
		Update("expires_at", now)
	if res.Error != nil {
		return fmt.Errorf("revoke invite: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ENOTFOUND, "no unused invite with this code")
	}
	return nil
}
