package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is a staff member's role (domain.md "The people").
type Role string

// The staff roles of contract.md.
const (
	RoleGridWorker          Role = "grid_worker"          // 网格员
	RoleCommittee           Role = "committee"            // 两委成员
	RoleLiaison             Role = "liaison"              // 街道/部门联络员
	RoleDistrictCoordinator Role = "district_coordinator" // 区级统筹
	RoleAdmin               Role = "admin"                // 管理员
)

// Roles lists every staff role in a stable order.
var Roles = []Role{RoleGridWorker, RoleCommittee, RoleLiaison, RoleDistrictCoordinator, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return slices.Contains(Roles, r)
}

// ParseRole turns the contract's spelling into a Role.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", Errorf(EINVALID, "role %q: want grid_worker, committee, liaison, district_coordinator or admin", s)
	}
	return r, nil
}

// Staff is a person bound to a staff role in one community. Roles are
// granted by a one-time invite code, never claimed.
type Staff struct {
	ID          uint64 `gorm:"primaryKey"`
	CommunityID string `gorm:"size:64;not null;index:ix_staff_openid,priority:1;index:ix_staff_role,priority:1"`
	Role        Role   `gorm:"size:32;not null;index:ix_staff_role,priority:2"`
	Name        string `gorm:"size:64;not null"`
	GridID      string `gorm:"size:64"`  // grid workers: their grid
	Department  string `gorm:"size:128"` // liaisons: their department (the catalog's unit)
	OpenID      string `gorm:"column:open_id;size:64;not null;index:ix_staff_openid,priority:2"`
	BoundAt     *time.Time
	Active      bool `gorm:"not null;default:true"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Ref is how events and appeals name this staff member: "staff:<id>".
func (s *Staff) Ref() string { return StaffRef(s.ID) }

// StaffRef is the assignee/actor string of the staff member with this id.
func StaffRef(id uint64) string { return "staff:" + strconv.FormatUint(id, 10) }

// ParseStaffRef returns the id of "staff:<id>" or of a bare number.
func ParseStaffRef(s string) (uint64, bool) {
	s = strings.TrimPrefix(s, "staff:")
	id, err := strconv.ParseUint(s, 10, 64)
	return id, err == nil && id > 0
}

// Role placeholders stand for "whoever holds this role" when nobody is bound;
// the appeal's GridID or Unit says which grid or department.
const rolePrefix = "role:"

// RolePlaceholder is the assignee string for an unbound role.
func RolePlaceholder(r Role) string { return rolePrefix + string(r) }

// PlaceholderRole returns the role of a placeholder assignee.
func PlaceholderRole(assignee string) (Role, bool) {
	r, ok := strings.CutPrefix(assignee, rolePrefix)
	return Role(r), ok && Role(r).Valid()
}

// StaffInvite is a one-time binding code. Only its hash is stored.
type StaffInvite struct {
	ID          uint64    `gorm:"primaryKey"`
	CommunityID string    `gorm:"size:64;not null"`
	CodeHash    string    `gorm:"size:64;not null;uniqueIndex"`
	Role        Role      `gorm:"size:32;not null"`
	GridID      string    `gorm:"size:64"`
	Department  string    `gorm:"size:128"`
	Name        string    `gorm:"size:64;not null"`
	ExpiresAt   time.Time `gorm:"not null"`
	UsedAt      *time.Time
	StaffID     uint64 // the staff record the code created
	CreatedAt   time.Time
}

// BindAttempt records one failed binding try, for the lockout.
type BindAttempt struct {
	ID          uint64    `gorm:"primaryKey"`
	CommunityID string    `gorm:"size:64;not null;index:ix_bind_attempt,priority:1"`
	OpenID      string    `gorm:"column:open_id;size:64;not null;index:ix_bind_attempt,priority:2"`
	At          time.Time `gorm:"not null;index:ix_bind_attempt,priority:3"`
}

// Lockout of invite-code guessing: this many failed tries within the window
// lock the sender out until the oldest of them leaves the window.
const (
	BindMaxFailures = 5
	BindWindow      = time.Hour
)

// DefaultInviteTTL is how long an invite code stays valid unless configured.
const DefaultInviteTTL = 72 * time.Hour

// Binding errors; the chat half picks its zh-CN wording with errors.Is.
var (
	ErrInviteUnknown = &Error{Code: EINVALID, Message: "unknown binding code"}
	ErrInviteExpired = &Error{Code: EINVALID, Message: "this binding code has expired; ask the administrator for a new one"}
	ErrInviteUsed    = &Error{Code: ECONFLICT, Message: "this binding code has been used already"}
	ErrBindLocked    = &Error{Code: EFORBIDDEN, Message: "too many wrong binding codes; try again in an hour"}
	ErrAlreadyBound  = &Error{Code: ECONFLICT, Message: "this WeChat user is already bound to a staff role"}
	// ErrStaffAmbiguous: a name borne by several active staff members names none of them.
	ErrStaffAmbiguous = &Error{Code: EINVALID, Message: "several active staff members have this name: give the staff id"}
)

// InviteAlphabet has no look-alikes (0/O, 1/I/L) so codes survive being read aloud.
const InviteAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// InviteCodeLen is the length of an invite code.
const InviteCodeLen = 8

// NewInviteCode returns a fresh random code from InviteAlphabet.
func NewInviteCode() (string, error) {
	n := len(InviteAlphabet)
	// Rejection sampling keeps every letter equally likely.
	limit := byte(256 - 256%n)
	out := make([]byte, 0, InviteCodeLen)
	buf := make([]byte, 16)
	for len(out) < InviteCodeLen {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("invite code: %w", err)
		}
		for _, b := range buf {
			if b < limit && len(out) < InviteCodeLen {
				out = append(out, InviteAlphabet[int(b)%n])
			}
		}
	}
	return string(out), nil
}

// NormalizeInviteCode upper-cases and trims what a person typed.
func NormalizeInviteCode(code string) string {
	return strings.ToUpper(strings.Join(strings.Fields(code), ""))
}

// HashInviteCode is the stored form of a code.
func HashInviteCode(code string) string {
	sum := sha256.Sum256([]byte(NormalizeInviteCode(code)))
	return hex.EncodeToString(sum[:])
}

// InviteRequest is what an administrator asks for.
type InviteRequest struct {
	CommunityID string
	Role        Role
	GridID      string
	Department  string
	Name        string
}

// Validate checks the fields that need no database: the role is known, a
// grid worker has a grid, a liaison a department, everyone a name.
func (r *InviteRequest) Validate() error {
	if r.CommunityID == "" {
		return Errorf(EINVALID, "community is required")
	}
	if _, err := ParseRole(string(r.Role)); err != nil {
		return err
	}
	r.Name = TrimText(r.Name)
	if r.Name == "" || len([]rune(r.Name)) > 64 {
		return Errorf(EINVALID, "name is required (at most 64 characters)")
	}
	switch r.Role {
	case RoleGridWorker:
		if r.GridID == "" {
			return Errorf(EINVALID, "a grid worker needs a grid")
		}
		if r.Department != "" {
			return Errorf(EINVALID, "a grid worker has no department")
		}
	case RoleLiaison:
		if r.Department == "" {
			return Errorf(EINVALID, "a liaison needs a department")
		}
		if r.GridID != "" {
			return Errorf(EINVALID, "a liaison has no grid")
		}
	default:
		if r.GridID != "" || r.Department != "" {
			return Errorf(EINVALID, "role %s takes neither grid nor department", r.Role)
		}
	}
	return nil
}

// Grid is one grid (网格) of a community and the buildings it covers.
type Grid struct {
	CommunityID string `gorm:"primaryKey;size:64"`
	ID          string `gorm:"primaryKey;size:64"`
	Name        string `gorm:"size:64"`
	Buildings   string `gorm:"type:text"` // comma-separated normalised building numbers
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// BuildingList returns the grid's buildings.
func (g *Grid) BuildingList() []string {
	if g.Buildings == "" {
		return []string{}
	}
	return strings.Split(g.Buildings, ",")
}

// Department is a government department, street office or other unit that
// takes major appeals; its Name is the catalog's responsible unit.
type Department struct {
	ID          uint64 `gorm:"primaryKey"`
	CommunityID string `gorm:"size:64;not null;uniqueIndex:ux_department_name,priority:1"`
	Name        string `gorm:"size:128;not null;uniqueIndex:ux_department_name,priority:2"`
	CreatedAt   time.Time
}

// GridSpec is a grid as configured or sent to the API.
type GridSpec struct {
	ID        string
	Name      string
	Buildings []string // normalised building numbers
}

// Bounds of a grid: a name as a person reads it, and a grid's buildings
// (a grid worker looks after a few hundred households, not thousands of
// buildings; found by an attacker: one grid held 108 KB of buildings).
const (
	MaxGridNameRunes     = 64
	MaxGridBuildings     = 300
	MaxBuildingNameRunes = 16
	// MaxGrids bounds a community's grids (a street's communities have a
	// few dozen; 130 grids of 300 buildings failed with a 500; found by an attacker).
	MaxGrids = 100
)

// Validate checks one grid: an id without spaces or commas, a name and its
// buildings within their bounds.
func (g GridSpec) Validate() error {
	switch {
	case g.ID == "" || len(g.ID) > 64 || strings.ContainsAny(g.ID, ", ") || CSVCell(g.ID) != g.ID ||
		strings.IndexFunc(g.ID, func(r rune) bool { return unicode.IsControl(r) || invisible(r) }) >= 0:
		// Nor a spreadsheet formula's first character (=, +, -, @): the
		// figures' export names grids (found by an attacker).
		return Errorf(EINVALID, "grid id %q: want 1 to 64 characters without spaces or commas, not starting with = + - @", g.ID)
	case utf8.RuneCountInString(g.Name) > MaxGridNameRunes:
		return Errorf(EINVALID, "grid %s: name is longer than %d characters", g.ID, MaxGridNameRunes)
	case len(g.Buildings) > MaxGridBuildings:
		return Errorf(EINVALID, "grid %s has %d buildings: at most %d", g.ID, len(g.Buildings), MaxGridBuildings)
	}
	for _, b := range g.Buildings {
		if b == "" || strings.Contains(b, ",") || utf8.RuneCountInString(b) > MaxBuildingNameRunes ||
			strings.IndexFunc(b, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || invisible(r) }) >= 0 {
			return Errorf(EINVALID, "grid %s: building %q is not a building number", g.ID, b)
		}
	}
	return nil
}

// PublicFilter selects appeals for Open311. Private appeals are never
// selected: they are a resident's own affairs.
type PublicFilter struct {
	CommunityID string
	Refs        []string
	TopicID     string
	From, To    time.Time // created_at in [From, To]
	Open        *bool     // nil: any
	Limit       int       // at most 1000
}
