package models

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CampaignStatus is where a campaign (问需于民) stands: a draft until its
// question is broadcast, then open until EndsAt.
type CampaignStatus string

// Campaign statuses; "ended" is not stored: an open campaign past EndsAt has ended.
const (
	CampaignDraft CampaignStatus = "draft"
	CampaignOpen  CampaignStatus = "open"
)

// MaxCampaignPeriod is how far ahead a campaign may end.
const MaxCampaignPeriod = 366 * 24 * time.Hour

// Campaign asks an audience of residents one question over a period; each
// answer is triaged like any appeal and linked to the campaign.
type Campaign struct {
	ID          uint64         `gorm:"primaryKey"`
	CommunityID string         `gorm:"size:64;not null;uniqueIndex:ux_campaign_code,priority:1"`
	Code        string         `gorm:"size:16;not null;uniqueIndex:ux_campaign_code,priority:2"`
	Question    string         `gorm:"size:600;not null"`
	All         bool           `gorm:"column:audience_all;not null;default:false"` // every registered resident
	Buildings   string         `gorm:"size:255"`                                   // comma-separated
	Grids       string         `gorm:"size:255"`                                   // comma-separated
	EndsAt      time.Time      `gorm:"not null"`
	Status      CampaignStatus `gorm:"size:16;not null"`
	BroadcastAt *time.Time
	CreatedBy   string `gorm:"size:96;not null"`
	Version     int64  `gorm:"not null;default:1"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Accepting reports whether answers count for the campaign at t.
func (c *Campaign) Accepting(t time.Time) bool {
	return c.Status == CampaignOpen && c.BroadcastAt != nil && !t.Before(*c.BroadcastAt) && t.Before(c.EndsAt)
}

// CampaignRecipient is one resident the question was addressed to.
// Unreachable says why no push was queued ("quota": the question could
// only have left after the campaign ends); failed sends show in the outbox.
type CampaignRecipient struct {
	ID          uint64 `gorm:"primaryKey"`
	CampaignID  uint64 `gorm:"not null;uniqueIndex:ux_campaign_recipient,priority:1"`
	OpenID      string `gorm:"column:open_id;size:64;not null;uniqueIndex:ux_campaign_recipient,priority:2;index:ix_campaign_recipient_openid,priority:2"`
	CommunityID string `gorm:"size:64;not null;index:ix_campaign_recipient_openid,priority:1"`
	Source      string `gorm:"size:16;not null"` // building, grid, all
	Unreachable string `gorm:"size:16"`
	QueuedAt    *time.Time
	CreatedAt   time.Time
}

// How a campaign answer came: a new appeal, or "me too" on an open one.
const (
	AnswerByAppeal = "appeal"
	AnswerByMeToo  = "me_too"
)

// CampaignAnswer links a resident's answer to the appeal it is on the list
// as. NewAppeal (not stored) is 1 + the index of the turn's new appeal it
// answers with; 0 when AppealID is set.
type CampaignAnswer struct {
	ID          uint64    `gorm:"primaryKey"`
	CampaignID  uint64    `gorm:"not null;uniqueIndex:ux_campaign_answer,priority:1"`
	AppealID    uint64    `gorm:"not null;uniqueIndex:ux_campaign_answer,priority:2;index"`
	OpenID      string    `gorm:"column:open_id;size:64;not null;uniqueIndex:ux_campaign_answer,priority:3"`
	CommunityID string    `gorm:"size:64;not null"`
	How         string    `gorm:"size:16;not null"`
	CreatedAt   time.Time `gorm:"not null"`
	NewAppeal   int       `gorm:"-"`
}

var campaignCodePattern = regexp.MustCompile(`^WX[0-9]{3,8}$`)

// NormalizeCampaignCode upper-cases a typed code and reports whether it
// has the shape of one ("WX" then digits).
func NormalizeCampaignCode(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	return c, campaignCodePattern.MatchString(c)
}

// FormatCampaignCode is the n-th campaign's code of a community (WX101, …).
func FormatCampaignCode(n int) string { return "WX" + strconv.Itoa(100+n) }

// CodeNumber is the n of a code made by FormatCampaignCode or
// FormatProjectCode with the given prefix (0 if none).
func CodeNumber(prefix, code string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(code, prefix))
	if err != nil || n <= 100 || !strings.HasPrefix(code, prefix) {
		return 0
	}
	return n - 100
}

// TopicCount is one topic's share of a set of appeals.
type TopicCount struct {
	TopicID string `json:"topic_id"`
	Topic   string `json:"topic"`
	Count   int    `json:"count"`
}

// CampaignReport is the seed's table for one campaign: answers by handling
// level and kind, the topics raised most, what was settled at once.
type CampaignReport struct {
	Total      int            // answers
	Appeals    int            // distinct appeals they are on the list as
	ByLevel    map[string]int // community, street, district, self
	ByKind     map[string]int // major, small, private
	ByStatus   map[string]int
	TopTopics  []TopicCount
	Resolved   int // answers whose appeal is resolved or closed
	OnTime     int // of those, by the deadline
	Immediate  int // answers settled at the community level (resolved or closed there)
	Guided     int // private matters pointed to self-help
	Recipients int // residents asked
	Reached    int // of those, with a push queued
	Unreached  int // of those, without (quota)
	Answerers  int // distinct residents who answered
}

// Push types of campaigns, projects and the monthly topic (template ids
// are configured per type, like the others of outbox.go).
const (
	PushCampaign     = "campaign_question"
	PushProject      = "project_progress"
	PushMonthlyTopic = "monthly_topic"
)

// UnreachableResident is a resident a campaign's question could not reach,
// as the committee knows them: by registered address and grid, never by
// openid (RecipientID is the recipient row's id, a handle of no meaning
// outside the campaign).
type UnreachableResident struct {
	RecipientID uint64 `json:"recipient"`
	Building    string `json:"building"`
	Unit        string `json:"unit"`
	Room        string `json:"room"`
	GridID      string `json:"grid,omitempty"`
	Source      string `json:"source"`
	Why         string `json:"why"`
}

// AnsweredAppeal is an appeal a campaign's answers are on the list as:
// Answers counts them (a new appeal and each "me too" on it), MeToo the
// "me too" ones.
type AnsweredAppeal struct {
	Appeal  *Appeal
	Answers int
	MeToo   int
}
