package jobs

import (
	"context"
	"fmt"

	"github.com/gongzhi/gongzhi/models"
)

// StaffRecipients is the Recipients of the staff bindings: the handler
// bound to an appeal (or every holder of its placeholder role), the
// committee members and administrators, the holders of a level's role, and
// the author with the residents who said "me too".
type StaffRecipients struct {
	Store StaffDirectory
}

var _ Recipients = StaffRecipients{}

// Assignee implements Recipients. An assignee stored before staff bindings
// existed that looks like an openid is that person.
func (r StaffRecipients) Assignee(ctx context.Context, a *models.Appeal) ([]string, error) {
	if _, isStaff := models.ParseStaffRef(a.Assignee); !isStaff {
		if _, isRole := models.PlaceholderRole(a.Assignee); !isRole {
			return DefaultRecipients{}.Assignee(ctx, a)
		}
	}
	out, err := r.Store.HandlerOpenIDs(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("assignee: %w", err)
	}
	return out, nil
}

// Committee implements Recipients: active committee members and administrators.
func (r StaffRecipients) Committee(ctx context.Context, communityID string) ([]string, error) {
	out, err := r.Store.CommitteeOpenIDs(ctx, communityID)
	if err != nil {
		return nil, fmt.Errorf("committee: %w", err)
	}
	return out, nil
}

// LevelHandlers implements Recipients: every active holder of the level's
// role (liaisons for street, coordinators for district, the committee for
// community).
func (r StaffRecipients) LevelHandlers(ctx context.Context, communityID string, level models.Level) ([]string, error) {
	role := models.LevelRole(level)
	if role == models.RoleCommittee {
		return r.Committee(ctx, communityID)
	}
	out, err := r.Store.RoleOpenIDs(ctx, communityID, role)
	if err != nil {
		return nil, fmt.Errorf("level handlers: %w", err)
	}
	return out, nil
}

// Followers implements Recipients: the author first, then the "me too" residents.
func (r StaffRecipients) Followers(ctx context.Context, a *models.Appeal) ([]string, error) {
	out, err := r.Store.FollowerOpenIDs(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("followers: %w", err)
	}
	return out, nil
}

// StaffDirectory is what StaffRecipients reads: the openids bound to staff
// roles and the residents who follow an appeal.
type StaffDirectory interface {
	HandlerOpenIDs(ctx context.Context, a *models.Appeal) ([]string, error)
	CommitteeOpenIDs(ctx context.Context, communityID string) ([]string, error)
	RoleOpenIDs(ctx context.Context, communityID string, r models.Role) ([]string, error)
	FollowerOpenIDs(ctx context.Context, a *models.Appeal) ([]string, error)
}
