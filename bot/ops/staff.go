package ops

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// StaffStore is what the staff operations read and write.
type StaffStore interface {
	CreateInvite(ctx context.Context, req models.InviteRequest, now time.Time, ttl time.Duration) (string, *models.StaffInvite, error)
	ListStaff(ctx context.Context, communityID string) ([]*models.Staff, error)
	DeactivateStaff(ctx context.Context, communityID string, id uint64) (*models.Staff, error)
	// StaffByOpenID returns the active staff role bound to openID or ENOTFOUND.
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
	// BindStaff binds openID with a one-time code (models.ErrInvite…, ErrBindLocked, ErrAlreadyBound).
	BindStaff(ctx context.Context, communityID, openID, code string, now time.Time) (*models.Staff, error)
}

// Staff invites staff members, binds them to their WeChat user by the
// one-time code, lists and deactivates them.
type Staff struct {
	store     StaffStore
	now       func() time.Time
	inviteTTL time.Duration
}

// StaffConfig is what NewStaff needs.
type StaffConfig struct {
	Store     StaffStore       // required
	Now       func() time.Time // nil: time.Now
	InviteTTL time.Duration    // a code's lifetime; 0: models.DefaultInviteTTL
}

// NewStaff builds the staff operations; a missing store is an error.
func NewStaff(c StaffConfig) (*Staff, error) {
	if c.Store == nil {
		return nil, errors.New("ops: staff need a store")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Staff{store: c.Store, now: c.Now, inviteTTL: c.InviteTTL}, nil
}

// ErrNotManager: only the committee and administrators manage staff.
var ErrNotManager = &models.Error{Code: models.EFORBIDDEN, Message: "only committee members and administrators manage staff"}

// manages reports whether actor may invite and remove staff.
func manages(a models.Actor) bool {
	switch a.Kind {
	case models.ActorAdmin, models.ActorSystem:
		return true
	case models.ActorStaff:
		return a.Staff != nil && (a.Staff.Role == models.RoleCommittee || a.Staff.Role == models.RoleAdmin)
	}
	return false
}

// Invite creates a one-time code for a new staff member; the code is
// shown once and sent by chat with 绑定.
func (s *Staff) Invite(ctx context.Context, actor models.Actor, req models.InviteRequest) (string, *models.StaffInvite, error) {
	if !manages(actor) {
		return "", nil, ErrNotManager
	}
	req.GridID, req.Department = strings.TrimSpace(req.GridID), strings.TrimSpace(req.Department)
	return s.store.CreateInvite(ctx, req, s.now(), s.inviteTTL)
}

// List returns a community's staff.
func (s *Staff) List(ctx context.Context, communityID string) ([]*models.Staff, error) {
	return s.store.ListStaff(ctx, communityID)
}

// Deactivate ends a staff member's role; their open tasks go back to their role.
func (s *Staff) Deactivate(ctx context.Context, actor models.Actor, communityID string, id uint64) (*models.Staff, error) {
	if !manages(actor) {
		return nil, ErrNotManager
	}
	return s.store.DeactivateStaff(ctx, communityID, id)
}

// BindError is a binding refused; Err is one of models.ErrInvite…,
// ErrBindLocked or ErrAlreadyBound, Bound the role held when already bound.
type BindError struct {
	Err   error
	Bound *models.Staff
}

func (e *BindError) Error() string { return e.Err.Error() }
func (e *BindError) Unwrap() error { return e.Err }

// Bind binds a WeChat user to the staff role of a one-time code. Someone
// bound already is told so, whatever code they send, and no try is counted.
func (s *Staff) Bind(ctx context.Context, communityID, openID, code string) (*models.Staff, error) {
	if st, err := s.store.StaffByOpenID(ctx, communityID, openID); err == nil {
		return nil, &BindError{Err: models.ErrAlreadyBound, Bound: st}
	} else if models.ErrorCode(err) != models.ENOTFOUND {
		return nil, err
	}
	st, err := s.store.BindStaff(ctx, communityID, openID, code, s.now())
	switch {
	case err == nil:
		return st, nil
	case errors.Is(err, models.ErrAlreadyBound):
		be := &BindError{Err: err}
		if st, serr := s.store.StaffByOpenID(ctx, communityID, openID); serr == nil {
			be.Bound = st
		}
		return nil, be
	case models.ErrorCode(err) == models.EINVALID || models.ErrorCode(err) == models.ECONFLICT || models.ErrorCode(err) == models.EFORBIDDEN:
		return nil, &BindError{Err: err}
	}
	return nil, err
}
