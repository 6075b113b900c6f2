package jobs

import (
	"context"
	"regexp"

	"github.com/gongzhi/gongzhi/models"
)

// Recipients says who is told about an appeal. The staff package implements
// it over staff bindings; DefaultRecipients stands in until then.
type Recipients interface {
	// Assignee returns the openids of the person handling the appeal.
	Assignee(ctx context.Context, a *models.Appeal) ([]string, error)
	// Committee returns the openids of the community's committee members.
	Committee(ctx context.Context, communityID string) ([]string, error)
	// LevelHandlers returns who takes appeals of the community at level
	// (department liaison, district coordinator); the first becomes the assignee.
	LevelHandlers(ctx context.Context, communityID string, level models.Level) ([]string, error)
	// Followers returns the residents who follow the appeal, its author first.
	Followers(ctx context.Context, a *models.Appeal) ([]string, error)
}

// openIDPattern is the shape of a WeChat OpenID (28 characters for official
// accounts; test and sandbox ids are shorter), as opposed to a unit's name.
var openIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{6,64}$`)

// LooksLikeOpenID reports whether s can be an OpenID rather than a free-text
// assignee such as "区住建委".
func LooksLikeOpenID(s string) bool { return openIDPattern.MatchString(s) }

// DefaultRecipients knows only what an appeal row says: its author, and its
// assignee when that looks like an OpenID. It knows no committee and no
// handlers above the community, so those pushes are skipped until the staff
// package provides a real Recipients.
type DefaultRecipients struct{}

var _ Recipients = DefaultRecipients{}

// Assignee implements Recipients.
func (DefaultRecipients) Assignee(_ context.Context, a *models.Appeal) ([]string, error) {
	if LooksLikeOpenID(a.Assignee) {
		return []string{a.Assignee}, nil
	}
	return nil, nil
}

// Committee implements Recipients: nobody.
func (DefaultRecipients) Committee(context.Context, string) ([]string, error) { return nil, nil }

// LevelHandlers implements Recipients: nobody.
func (DefaultRecipients) LevelHandlers(context.Context, string, models.Level) ([]string, error) {
	return nil, nil
}

// Followers implements Recipients: the author alone (following is not stored yet).
func (DefaultRecipients) Followers(_ context.Context, a *models.Appeal) ([]string, error) {
	return []string{a.OpenID}, nil
}
