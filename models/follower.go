package models

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Follower links a resident to an appeal someone else raised ("me too",
// 附议), so that they get the same updates. OpenID is personal data.
type Follower struct {
	ID          uint64    `gorm:"primaryKey"`
	AppealID    uint64    `gorm:"not null;uniqueIndex:ux_follower,priority:1"`
	CommunityID string    `gorm:"size:64;not null;index:ix_follower_openid,priority:1"`
	OpenID      string    `gorm:"column:open_id;size:64;not null;uniqueIndex:ux_follower,priority:2;index:ix_follower_openid,priority:2"`
	CreatedAt   time.Time `gorm:"not null"`
}

// DuplicateQuery selects open appeals that may be the same matter as a new
// one: same community and topic, same building or same grid, raised since.
type DuplicateQuery struct {
	CommunityID string
	TopicID     string
	Building    string // "" = do not match on building
	GridID      string // "" = do not match on grid
	Since       time.Time
	Limit       int // default 5
}

// ErrStale is returned by Store.CommitTurn when the conversation or an
// appeal changed since the turn was computed (two messages of one person
// handled at once): the caller recomputes the turn on fresh state.
var ErrStale = &Error{Code: ECONFLICT, Message: "state changed meanwhile"}

// FollowerStore is the storage of "me too" links and duplicate look-ups.
type FollowerStore interface {
	// Followers returns the residents following an appeal, oldest first.
	Followers(ctx context.Context, appealID uint64) ([]*Follower, error)
	// FollowedAppeals returns the appeals a resident follows, newest first.
	FollowedAppeals(ctx context.Context, communityID, openID string, limit int) ([]*Appeal, error)
	// OpenDuplicates returns open appeals matching q, newest first.
	OpenDuplicates(ctx context.Context, q DuplicateQuery) ([]*Appeal, error)
}

// RefPlaceholder stands, in a Turn's Reply, for the reference code of the
// i-th new appeal of that turn: codes are handed out inside the commit, after
// the reply was written. CommitTurn replaces it (see FillRefs).
func RefPlaceholder(i int) string { return "{{ref" + strconv.Itoa(i) + "}}" }

// FillRefs replaces the reference-code placeholders in s with the codes the
// new appeals got.
func FillRefs(s string, appeals []*NewAppeal) string {
	for i, na := range appeals {
		if na != nil && na.Appeal != nil {
			s = strings.ReplaceAll(s, RefPlaceholder(i), na.Appeal.Ref)
		}
	}
	return s
}
