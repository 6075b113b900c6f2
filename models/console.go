package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// Lifetimes of the console's credentials (contract.md: a link is valid 10
// minutes and usable once; a session lasts 12 hours).
const (
	ConsoleLinkTTL    = 10 * time.Minute
	ConsoleSessionTTL = 12 * time.Hour
)

// ConsoleRoles are the staff roles that may open the committee's console.
var ConsoleRoles = []Role{RoleCommittee, RoleDistrictCoordinator, RoleAdmin}

// MayUseConsole reports whether a staff member may get a console link.
func MayUseConsole(s *Staff) bool {
	return s != nil && s.Active && slices.Contains(ConsoleRoles, s.Role)
}

// ConsoleLogin is a one-time login link; only the hash of its token is stored.
type ConsoleLogin struct {
	ID          uint64
	TokenHash   string
	CommunityID string
	StaffID     uint64
	ExpiresAt   time.Time
	UsedAt      *time.Time
	CreatedAt   time.Time
}

// ConsoleSession is a signed-in browser; only the hash of its cookie is
// stored. StaffID 0 is a session opened with the admin token.
type ConsoleSession struct {
	ID          uint64
	TokenHash   string
	CSRFToken   string // sent back in every form; not a secret of the session cookie
	CommunityID string
	StaffID     uint64
	ExpiresAt   time.Time
	EndedAt     *time.Time
	CreatedAt   time.Time
}

// Viewer is who a console request acts as: a staff member, or the
// administrator of the admin token (Staff nil).
type Viewer struct {
	Session *ConsoleSession
	Staff   *Staff
}

// Actor is how the lifecycle sees the viewer.
func (v Viewer) Actor() Actor {
	if v.Staff == nil {
		return Actor{Kind: ActorAdmin}
	}
	return Actor{Kind: ActorStaff, Staff: v.Staff}
}

// AllCommunities reports whether the viewer sees every community of the
// deployment (a district coordinator, or the admin token).
func (v Viewer) AllCommunities() bool {
	return v.Staff == nil || v.Staff.Role == RoleDistrictCoordinator
}

// Sees reports whether the viewer may see things of this community.
func (v Viewer) Sees(communityID string) bool {
	return v.AllCommunities() || v.Staff.CommunityID == communityID
}

// NewConsoleToken returns a fresh random token (256 bits, URL-safe).
func NewConsoleToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("console token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashConsoleToken is the stored form of a link or session token.
func HashConsoleToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Console login errors.
var (
	ErrLinkInvalid   = &Error{Code: EFORBIDDEN, Message: "this login link is not valid: ask for a new one by sending 登录"}
	ErrLinkUsed      = &Error{Code: EFORBIDDEN, Message: "this login link has been used already: ask for a new one by sending 登录"}
	ErrLinkExpired   = &Error{Code: EFORBIDDEN, Message: "this login link has expired: ask for a new one by sending 登录"}
	ErrSessionEnded  = &Error{Code: EFORBIDDEN, Message: "session ended"}
	ErrNoConsoleRole = &Error{Code: EFORBIDDEN, Message: "only committee members, district coordinators and administrators may use the console"}
)

// ListQuery selects appeals for the console's list. Zero fields do not filter.
type ListQuery struct {
	Communities []string // nil = every community
	Kind        Kind
	Level       Level
	Status      Status
	GridID      string
	Assignee    string // a staff ref, a role placeholder, or "-" for unassigned
	Overdue     bool
	Review      bool // the review queue: disputed "private", unassigned, returned or escalated
	Text        string
	From, To    time.Time // created in [From, To)
	Now         time.Time
	Limit       int // 0 = every matching row (the CSV export)
	Offset      int
}

// ReviewStatuses are the statuses that wait for the committee: a resident
// disputes "private" (review), or an appeal climbed a level (escalated).
// Returned appeals are back in submitted with no staff assignee.
var ReviewStatuses = []Status{StatusReview, StatusEscalated}
