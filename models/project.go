package models

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Need is one of the six needs community service projects are grouped by (项目化).
type Need string

// The six needs of domain.md.
const (
	NeedSafety           Need = "safety"            // 平安
	NeedHealth           Need = "health"            // 健康
	NeedMutualAid        Need = "mutual_aid"        // 互助
	NeedConvenience      Need = "convenience"       // 便民
	NeedRecreation       Need = "recreation"        // 文娱
	NeedCultureEducation Need = "culture_education" // 文化教育
)

// Needs lists the needs in their usual order.
var Needs = []Need{NeedSafety, NeedHealth, NeedMutualAid, NeedConvenience, NeedRecreation, NeedCultureEducation}

// ParseNeed checks a need's spelling.
func ParseNeed(s string) (Need, error) {
	n := Need(strings.TrimSpace(s))
	if !slices.Contains(Needs, n) {
		return "", Errorf(EINVALID, "need %q: want safety, health, mutual_aid, convenience, recreation or culture_education", s)
	}
	return n, nil
}

// PledgeSource is who pledges money to a project.
type PledgeSource string

// Pledge sources: the Huayuan Road cameras had residents' and social units' money.
const (
	PledgeResidents   PledgeSource = "residents"
	PledgeSocialUnits PledgeSource = "social_units"
	PledgeGovernment  PledgeSource = "government"
)

// PledgeSources lists the sources.
var PledgeSources = []PledgeSource{PledgeResidents, PledgeSocialUnits, PledgeGovernment}

// ParsePledgeSource checks a source's spelling.
func ParsePledgeSource(s string) (PledgeSource, error) {
	p := PledgeSource(strings.TrimSpace(s))
	if !slices.Contains(PledgeSources, p) {
		return "", Errorf(EINVALID, "source %q: want residents, social_units or government", s)
	}
	return p, nil
}

// MaxPledgeYuan bounds one pledge (one hundred million yuan).
const MaxPledgeYuan int64 = 100_000_000

// ProjectStatus is where a project stands.
type ProjectStatus string

// A project is active until it is completed with its outcome.
const (
	ProjectActive    ProjectStatus = "active"
	ProjectCompleted ProjectStatus = "completed"
)

// Project is a community service project: carried by a social organisation
// or social worker, grown from a campaign or a meeting, linked to the
// appeals it answers, with pledges, volunteers and milestones.
type Project struct {
	ID                uint64        `gorm:"primaryKey"`
	CommunityID       string        `gorm:"size:64;not null;uniqueIndex:ux_project_code,priority:1;index:ix_project_need,priority:1"`
	Code              string        `gorm:"size:16;not null;uniqueIndex:ux_project_code,priority:2"`
	Name              string        `gorm:"size:128;not null"`
	Need              Need          `gorm:"size:32;not null;index:ix_project_need,priority:2"`
	LeadStakeholderID uint64        `gorm:"not null;default:0"` // the stakeholder carrying it (0: none named)
	CampaignID        uint64        `gorm:"not null;default:0"`
	MeetingID         uint64        `gorm:"not null;default:0"`
	AppealRefs        string        `gorm:"type:text"` // comma-separated reference codes
	Status            ProjectStatus `gorm:"size:16;not null"`
	Outcome           string        `gorm:"type:text"`
	CompletedAt       *time.Time
	CreatedBy         string `gorm:"size:96;not null"`
	Version           int64  `gorm:"not null;default:1"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// LinkedAppeals returns the reference codes of the linked appeals.
func (p *Project) LinkedAppeals() []string { return SplitList(p.AppealRefs) }

// ProjectPledge is money pledged to a project, in whole yuan.
type ProjectPledge struct {
	ID          uint64       `gorm:"primaryKey"`
	ProjectID   uint64       `gorm:"not null;index"`
	CommunityID string       `gorm:"size:64;not null"`
	Source      PledgeSource `gorm:"size:16;not null"`
	AmountYuan  int64        `gorm:"not null"`
	Donor       string       `gorm:"size:64"`
	CreatedBy   string       `gorm:"size:96;not null"`
	CreatedAt   time.Time    `gorm:"not null"`
}

// ProjectVolunteer is a resident who signed up by chat (报名); withdrawing
// keeps the row, inactive. OpenID is personal data.
type ProjectVolunteer struct {
	ID          uint64    `gorm:"primaryKey"`
	ProjectID   uint64    `gorm:"not null;uniqueIndex:ux_project_volunteer,priority:1"`
	OpenID      string    `gorm:"column:open_id;size:64;not null;uniqueIndex:ux_project_volunteer,priority:2"`
	CommunityID string    `gorm:"size:64;not null"`
	Active      bool      `gorm:"not null"`
	SignedUpAt  time.Time `gorm:"not null"`
	UpdatedAt   time.Time `gorm:"not null"`
}

// ProjectMilestone is one step of a project, told to those concerned.
// Progress is a percentage, -1 when not given.
type ProjectMilestone struct {
	ID        uint64    `gorm:"primaryKey"`
	ProjectID uint64    `gorm:"not null;index"`
	Title     string    `gorm:"size:128;not null"`
	Progress  int       `gorm:"not null;default:-1"`
	Note      string    `gorm:"type:text"`
	CreatedBy string    `gorm:"size:96;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

// ProjectChange is one atomic change of a project: the project row
// (created when its ID is 0, else updated only while its Version is
// ExpectVersion, else ErrStale), a pledge, a milestone, pushes and
// lifecycle steps on linked appeals. Outbox keys may hold
// ProjectIDPlaceholder and MilestoneIDPlaceholder.
type ProjectChange struct {
	Project       *Project
	ExpectVersion int64
	Pledge        *ProjectPledge
	Milestone     *ProjectMilestone
	Outbox        []*OutboxMessage
	AppealUpdates []*AppealUpdate
	Events        []*AppealEvent
}

// Placeholders in a ProjectChange's outbox keys, filled at commit.
const (
	ProjectIDPlaceholder   = "{project}"
	MilestoneIDPlaceholder = "{milestone}"
)

var projectCodePattern = regexp.MustCompile(`^XM[0-9]{3,8}$`)

// NormalizeProjectCode upper-cases a typed code and reports whether it has
// the shape of one ("XM" then digits).
func NormalizeProjectCode(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	return c, projectCodePattern.MatchString(c)
}

// FormatProjectCode is the n-th project's code of a community (XM101, …).
func FormatProjectCode(n int) string { return "XM" + strconv.Itoa(100+n) }

// ProjectTotals are a project's pledges by source and its volunteers.
type ProjectTotals struct {
	BySource   map[PledgeSource]int64
	Total      int64
	Pledges    int
	Volunteers int // active
}

// TopicProposal is the monthly topic (每月一题): the month's most frequent
// topic, proposed to the committee as the next community meeting's topic.
type TopicProposal struct {
	ID          uint64 `gorm:"primaryKey"`
	CommunityID string `gorm:"size:64;not null;uniqueIndex:ux_topic_proposal,priority:1"`
	Month       string `gorm:"size:7;not null;uniqueIndex:ux_topic_proposal,priority:2"` // 2026-11
	TopicID     string `gorm:"size:64;not null"`
	Topic       string `gorm:"size:128;not null"`
	Mentions    int    `gorm:"not null"`           // appeals and "me too" answers of the month
	AppealRefs  string `gorm:"type:text"`          // the month's appeals of the topic
	MeetingID   uint64 `gorm:"not null;default:0"` // the meeting called on it, once called
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// LinkedAppeals returns the reference codes of the proposal's appeals.
func (p *TopicProposal) LinkedAppeals() []string { return SplitList(p.AppealRefs) }
