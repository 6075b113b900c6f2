package models

import (
	"crypto/rand"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MeetingLevel is one of the three levels of discussion (三级议事).
type MeetingLevel string

// The meeting levels of contract.md, lowest first.
const (
	MeetingBuilding  MeetingLevel = "building"  // 楼栋/院落
	MeetingGroup     MeetingLevel = "group"     // 居民小组
	MeetingCommunity MeetingLevel = "community" // 社区
)

// MeetingLevels lists the levels lowest first.
var MeetingLevels = []MeetingLevel{MeetingBuilding, MeetingGroup, MeetingCommunity}

// Rank orders levels: building 1, group 2, community 3, unknown 0.
func (l MeetingLevel) Rank() int {
	for i, v := range MeetingLevels {
		if v == l {
			return i + 1
		}
	}
	return 0
}

// ParseMeetingLevel turns the contract's spelling into a MeetingLevel.
func ParseMeetingLevel(s string) (MeetingLevel, error) {
	l := MeetingLevel(strings.TrimSpace(s))
	if l.Rank() == 0 {
		return "", Errorf(EINVALID, "level %q: want building, group or community", s)
	}
	return l, nil
}

// MeetingStatus is where a meeting stands.
type MeetingStatus string

// A meeting is a draft until its invitations are broadcast; rescheduled
// after a change of time or venue; cancelled or held at the end.
const (
	MeetingDraft       MeetingStatus = "draft"
	MeetingInvited     MeetingStatus = "invited"
	MeetingRescheduled MeetingStatus = "rescheduled"
	MeetingCancelled   MeetingStatus = "cancelled"
	MeetingHeld        MeetingStatus = "held"
)

// Answer is an invitee's reply to an invitation.
type Answer string

// Answers: pending until the invitee replies; waitlisted when the meeting
// is full (promoted to accepted when a seat frees).
const (
	AnswerPending    Answer = "pending"
	AnswerAccepted   Answer = "accepted"
	AnswerDeclined   Answer = "declined"
	AnswerWaitlisted Answer = "waitlisted"
)

// Meeting is one consultation meeting (议事会议). Organiser is an actor
// string ("admin", "staff:<id>"); OrganiserOpenID is personal data.
type Meeting struct {
	ID          uint64        `gorm:"primaryKey"`
	CommunityID string        `gorm:"size:64;not null;uniqueIndex:ux_meeting_code,priority:1;index:ix_meeting_start,priority:2"`
	Code        string        `gorm:"size:16;not null;uniqueIndex:ux_meeting_code,priority:2"`
	Topic       string        `gorm:"size:128;not null"`
	Level       MeetingLevel  `gorm:"size:16;not null"`
	StartsAt    time.Time     `gorm:"not null;index:ix_meeting_start,priority:1"`
	Venue       string        `gorm:"size:128;not null"`
	Capacity    int           `gorm:"not null;default:0"` // 0: no limit
	Status      MeetingStatus `gorm:"size:16;not null"`
	// Revision counts changes of time or venue; invitation and reminder keys carry it.
	Revision int `gorm:"not null;default:1"`
	// Version is bumped on every stored change, answers included: the guard
	// of optimistic concurrency (MeetingChange.ExpectVersion).
	Version         int64  `gorm:"not null;default:1"`
	Organiser       string `gorm:"size:96;not null"`
	OrganiserOpenID string `gorm:"column:organiser_open_id;size:64"`
	AppealRefs      string `gorm:"size:255"`           // linked appeals, comma-separated reference codes
	Buildings       string `gorm:"size:255"`           // invited buildings, comma-separated
	Grids           string `gorm:"size:255"`           // invited grids, comma-separated
	ParentID        uint64 `gorm:"not null;default:0"` // the lower-level meeting this was raised from
	Reason          string `gorm:"type:text"`          // the last reschedule or cancel reason
	Outcome         string `gorm:"type:text"`          // MeetingOutcome as JSON once held
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Answerable reports whether invitees may still answer at now.
func (m *Meeting) Answerable(now time.Time) bool {
	return (m.Status == MeetingInvited || m.Status == MeetingRescheduled) && m.StartsAt.After(now)
}

// Changeable reports whether the meeting may still be rescheduled or cancelled.
func (m *Meeting) Changeable() bool {
	return m.Status == MeetingDraft || m.Status == MeetingInvited || m.Status == MeetingRescheduled
}

// LinkedAppeals returns the reference codes of the linked appeals.
func (m *Meeting) LinkedAppeals() []string { return SplitList(m.AppealRefs) }

// SplitList splits a comma-separated column, dropping empty parts.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Invitee sources: why someone is on the list.
const (
	SourceBuilding    = "building"
	SourceGrid        = "grid"
	SourceOpenID      = "openid"
	SourceStakeholder = "stakeholder"
	SourceAuthor      = "author"
	SourceFollower    = "follower"
	SourceParent      = "parent" // invited to the meeting this was raised from
)

// MeetingInvitee is one person invited to a meeting. Who is "o:<openid>"
// or, for a stakeholder without an openid, "s:<id>". OpenID, Name and
// Phone are personal data.
type MeetingInvitee struct {
	ID            uint64 `gorm:"primaryKey"`
	MeetingID     uint64 `gorm:"not null;uniqueIndex:ux_invitee_who,priority:1"`
	Who           string `gorm:"size:80;not null;uniqueIndex:ux_invitee_who,priority:2"`
	CommunityID   string `gorm:"size:64;not null;index:ix_invitee_openid,priority:1"`
	OpenID        string `gorm:"column:open_id;size:64;not null;index:ix_invitee_openid,priority:2"`
	StakeholderID uint64 `gorm:"not null;default:0"`
	Name          string `gorm:"size:64"`
	Phone         string `gorm:"size:32"`
	Source        string `gorm:"size:16;not null"`
	Answer        Answer `gorm:"size:16;not null"`
	AnsweredAt    *time.Time
	// InvitedRev is the revision whose invitation was queued (0: none yet).
	InvitedRev int `gorm:"not null;default:0"`
	// Unreachable says why no push could be queued ("no_openid", "quota").
	Unreachable string `gorm:"size:16"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// InviteeWho is the Who of an openid or a stakeholder.
func InviteeWho(openID string, stakeholderID uint64) string {
	if openID != "" {
		return "o:" + openID
	}
	return "s:" + strconv.FormatUint(stakeholderID, 10)
}

// StakeholderKind is the sort of a stakeholder.
type StakeholderKind string

// Stakeholder kinds (domain.md "The people").
const (
	StakeholderProperty     StakeholderKind = "property"         // 物业公司
	StakeholderOwners       StakeholderKind = "owners_committee" // 业委会
	StakeholderSocialOrg    StakeholderKind = "social_org"       // 社会组织
	StakeholderSocialWorker StakeholderKind = "social_worker"    // 社工
	StakeholderUnit         StakeholderKind = "social_unit"      // 驻区单位
)

// StakeholderKinds lists the kinds.
var StakeholderKinds = []StakeholderKind{StakeholderProperty, StakeholderOwners, StakeholderSocialOrg,
	StakeholderSocialWorker, StakeholderUnit}

// Valid reports whether k is known.
func (k StakeholderKind) Valid() bool {
	return slices.Contains(StakeholderKinds, k)
}

// Stakeholder is an entry of the directory of parties invited to meetings.
// OpenID (when they follow the account) and Phone are personal data.
type Stakeholder struct {
	ID          uint64          `gorm:"primaryKey"`
	CommunityID string          `gorm:"size:64;not null;index"`
	Kind        StakeholderKind `gorm:"size:32;not null"`
	Name        string          `gorm:"size:64;not null"`
	Contact     string          `gorm:"size:64"` // the person to ask for
	OpenID      string          `gorm:"column:open_id;size:64"`
	Phone       string          `gorm:"size:32"`
	Buildings   string          `gorm:"size:255"` // the buildings it serves, comma-separated ("" = all)
	Active      bool            `gorm:"not null;default:true"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Serves reports whether the stakeholder serves any of the buildings.
func (s *Stakeholder) Serves(buildings []string) bool {
	mine := SplitList(s.Buildings)
	if len(mine) == 0 {
		return true
	}
	for _, b := range buildings {
		if slices.Contains(mine, b) {
			return true
		}
	}
	return false
}

// MeetingOutcome is the decision recorded after a meeting.
type MeetingOutcome struct {
	Minutes     string       `json:"minutes"`
	Measures    string       `json:"measures"`
	Assignments []Assignment `json:"assignments,omitempty"`
	Funding     []Funding    `json:"funding,omitempty"`
	AppealsNext string       `json:"appeals_next,omitempty"` // "" | "assign" | "resolve" | "keep"
	Assignee    string       `json:"assignee,omitempty"`     // for appeals_next=assign
	RecordedAt  time.Time    `json:"recorded_at"`
	RecordedBy  string       `json:"recorded_by"`
}

// Assignment is who does what after a meeting.
type Assignment struct {
	Who  string `json:"who"`
	What string `json:"what"`
}

// Funding is one source's share of the cost.
type Funding struct {
	Source string  `json:"source"`
	Amount float64 `json:"amount"`
}

// What happens to the linked appeals after the outcome.
const (
	AppealsKeep    = "keep"    // an event only
	AppealsAssign  = "assign"  // assigned (or reassigned) as decided
	AppealsResolve = "resolve" // resolved by the decision
)

// MeetingChange is one atomic change of a meeting: the meeting row (created
// when its ID is 0, else updated only while its Version is ExpectVersion,
// else ErrStale), invitees (inserted, or updated by Who), pushes, and
// changes to linked appeals. Outbox keys and texts may hold
// MeetingIDPlaceholder, filled with the new meeting's id.
type MeetingChange struct {
	Meeting       *Meeting
	ExpectVersion int64
	// AnswerOnly (answers to a meeting without a capacity) leaves the
	// meeting row as it is and only checks that it is still open at
	// Meeting.Revision; else ErrStale. Answers then need not serialise.
	AnswerOnly bool
	Invitees   []*MeetingInvitee
	Outbox     []*OutboxMessage
	// DropPending deletes pushes still pending whose key starts with one of
	// these prefixes (a reschedule's stale invitations and reminders).
	DropPending   []string
	AppealUpdates []*AppealUpdate
	Events        []*AppealEvent
}

// MeetingIDPlaceholder stands for a new meeting's id in outbox keys.
const MeetingIDPlaceholder = "{meeting}"

var meetingCodePattern = regexp.MustCompile(`^YS[0-9]{3,8}$`)

// NormalizeMeetingCode upper-cases a typed code and reports whether it has
// the shape of one ("YS" then digits).
func NormalizeMeetingCode(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	return c, meetingCodePattern.MatchString(c)
}

// FormatMeetingCode is the n-th meeting's code of a community (YS101, …).
func FormatMeetingCode(n int) string { return "YS" + strconv.Itoa(100+n) }

// RandomMeetingCode is a fresh meeting code: "YS" and six random digits,
// so that a code seen does not lead to the next meeting's.
func RandomMeetingCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(900000))
	if err != nil { // crypto/rand does not fail on supported platforms
		panic(err)
	}
	return "YS" + strconv.FormatInt(100000+n.Int64(), 10)
}

// MeetingCodeNumber is the n of a code made by FormatMeetingCode (0 if none).
func MeetingCodeNumber(code string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(code, "YS"))
	if err != nil || n <= 100 {
		return 0
	}
	return n - 100
}

// Seat decides an accepting invitee's answer: accepted while seats are
// free (capacity 0 has no limit), else waitlisted.
func Seat(capacity, accepted int) Answer {
	if capacity <= 0 || accepted < capacity {
		return AnswerAccepted
	}
	return AnswerWaitlisted
}

// NextWaitlisted is the invitee to promote when a seat frees: the earliest
// waitlisted answer (nil when none).
func NextWaitlisted(invitees []*MeetingInvitee) *MeetingInvitee {
	var best *MeetingInvitee
	for _, iv := range invitees {
		if iv.Answer != AnswerWaitlisted || iv.AnsweredAt == nil {
			continue
		}
		if best == nil || iv.AnsweredAt.Before(*best.AnsweredAt) ||
			(iv.AnsweredAt.Equal(*best.AnsweredAt) && iv.ID < best.ID) {
			best = iv
		}
	}
	return best
}

// CountAnswers counts invitees by answer.
func CountAnswers(invitees []*MeetingInvitee) map[Answer]int {
	out := map[Answer]int{AnswerPending: 0, AnswerAccepted: 0, AnswerDeclined: 0, AnswerWaitlisted: 0}
	for _, iv := range invitees {
		out[iv.Answer]++
	}
	return out
}

// Invitation is one meeting a person is invited to, with their answer.
type Invitation struct {
	Meeting *Meeting
	Invitee *MeetingInvitee
}
