package models

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Status is where an appeal stands in its lifecycle.
type Status string

// The lifecycle of domain.md: submitted → assigned → accepted → in progress →
// resolved → closed, with the side states guided (private matters),
// review (a resident disputes "private"), reopened, escalated, withdrawn.
const (
	StatusSubmitted  Status = "submitted"
	StatusAssigned   Status = "assigned"
	StatusAccepted   Status = "accepted"
	StatusInProgress Status = "in_progress"
	StatusResolved   Status = "resolved"
	StatusClosed     Status = "closed"
	StatusGuided     Status = "guided"
	StatusReview     Status = "review"
	StatusReopened   Status = "reopened"
	StatusEscalated  Status = "escalated"
	StatusWithdrawn  Status = "withdrawn"
)

// Statuses lists every status.
var Statuses = []Status{StatusSubmitted, StatusAssigned, StatusAccepted, StatusInProgress,
	StatusResolved, StatusClosed, StatusGuided, StatusReview, StatusReopened, StatusEscalated, StatusWithdrawn}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return slices.Contains(Statuses, s)
}

// Open reports whether an appeal in this status still needs someone to act.
func (s Status) Open() bool {
	switch s {
	case StatusResolved, StatusClosed, StatusGuided, StatusWithdrawn:
		return false
	}
	return true
}

// Appeal is one item on the list (台账). Description, Location and the
// author's OpenID are personal data.
type Appeal struct {
	ID          uint64     `gorm:"primaryKey"`
	Ref         string     `gorm:"size:24;not null;uniqueIndex"`
	CommunityID string     `gorm:"size:64;not null;index:ix_appeal_due,priority:1;index:ix_appeal_author,priority:1;index:ix_appeal_topic,priority:1"`
	OpenID      string     `gorm:"column:open_id;size:64;not null;index:ix_appeal_author,priority:2"`
	Kind        Kind       `gorm:"size:16;not null"`
	Level       Level      `gorm:"size:16;not null"`
	Status      Status     `gorm:"size:16;not null;index:ix_appeal_due,priority:2"`
	TopicID     string     `gorm:"size:64;index:ix_appeal_topic,priority:2"`
	Topic       string     `gorm:"size:128"`
	Unit        string     `gorm:"size:128"` // responsible unit from the catalog
	Description string     `gorm:"type:text"`
	GridID      string     `gorm:"size:64;index:ix_appeal_topic,priority:3"`
	Building    string     `gorm:"size:16"`
	Assignee    string     `gorm:"size:64;index"`
	MediaIDs    string     `gorm:"type:text"` // photos: WeChat MediaId and PicUrl, one "id url" a line
	Location    string     `gorm:"size:255"`  // "lat,lng label" when the resident sent one
	DueAt       *time.Time `gorm:"index:ix_appeal_due,priority:3"`
	ResolvedAt  *time.Time
	CreatedAt   time.Time `gorm:"index:ix_appeal_topic,priority:4"`
	UpdatedAt   time.Time
}

// Overdue reports whether the appeal is open and past its deadline at now.
func (a *Appeal) Overdue(now time.Time) bool {
	return a.Status.Open() && a.DueAt != nil && now.After(*a.DueAt)
}

// AppealEvent is one entry of an appeal's audit trail: who did what, when and why.
type AppealEvent struct {
	ID         uint64    `gorm:"primaryKey"`
	AppealID   uint64    `gorm:"not null;index"`
	Actor      string    `gorm:"size:96;not null"` // "resident", "staff:<id>", "system", "admin"
	Action     string    `gorm:"size:32;not null"`
	FromStatus Status    `gorm:"size:16"`
	ToStatus   Status    `gorm:"size:16"`
	Reason     string    `gorm:"type:text"`
	At         time.Time `gorm:"not null"`
}

var refPattern = regexp.MustCompile(`^[A-Z]{2}[0-9]{10,}$`)

// ValidRef reports whether s has the shape of a reference code: letters then digits.
func ValidRef(s string) bool { return refPattern.MatchString(s) }

// FormatRef builds the reference code of the n-th appeal of day t: "SQ" +
// yymmdd + a sequence of at least four digits (SQ2611260007).
func FormatRef(t time.Time, n int64) string {
	return fmt.Sprintf("%s%s%04d", RefPrefix, t.Format("060102"), n)
}

// RefPrefix begins every reference code.
const RefPrefix = "SQ"

// AppealFilter selects appeals for the list API. Zero fields do not filter.
type AppealFilter struct {
	CommunityID string
	Kind        Kind
	Level       Level
	Status      Status
	OpenID      string
	Overdue     bool
	Now         time.Time // for Overdue
	Limit       int       // default 100, at most 1000
	Offset      int
}

// phoneNumber is a mainland mobile number or a landline with its area code.
var phoneNumber = regexp.MustCompile(`(?:^|[^0-9])((?:1[3-9][0-9]{9})|(?:0[0-9]{2,3}-?[0-9]{7,8}))(?:[^0-9]|$)`)

// PhoneIn returns the first phone number a resident wrote in text ("" when
// none): the handler's way to call them. It is personal data: never logged.
func PhoneIn(text string) string {
	m := phoneNumber.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return m[1]
}
