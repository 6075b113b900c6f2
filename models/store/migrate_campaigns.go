package store

import "time"

// Migration 10's tables as they were when it was written: the migration
// keeps these frozen copies, so a later change to the models never changes
// what version 10 creates.

type campaignV10 struct {
	ID          uint64    `gorm:"primaryKey"`
	CommunityID string    `gorm:"size:64;not null;uniqueIndex:ux_campaign_code,priority:1"`
	Code        string    `gorm:"size:16;not null;uniqueIndex:ux_campaign_code,priority:2"`
	Question    string    `gorm:"size:600;not null"`
	All         bool      `gorm:"column:audience_all;not null;default:false"`
	Buildings   string    `gorm:"size:255"`
	Grids       string    `gorm:"size:255"`
	EndsAt      time.Time `gorm:"not null"`
	Status      string    `gorm:"size:16;not null"`
	BroadcastAt *time.Time
	CreatedBy   string `gorm:"size:96;not null"`
	Version     int64  `gorm:"not null;default:1"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (campaignV10) TableName() string { return "campaigns" }

type campaignRecipientV10 struct {
	ID          uint64 `gorm:"primaryKey"`
	CampaignID  uint64 `gorm:"not null;uniqueIndex:ux_campaign_recipient,priority:1"`
	OpenID      string `gorm:"column:open_id;size:64;not null;uniqueIndex:ux_campaign_recipient,priority:2;index:ix_campaign_recipient_openid,priority:2"`
	CommunityID string `gorm:"size:64;not null;index:ix_campaign_recipient_openid,priority:1"`
	Source      string `gorm:"size:16;not null"`
	Unreachable string `gorm:"size:16"`
	QueuedAt    *time.Time
	CreatedAt   time.Time
}

func (campaignRecipientV10) TableName() string { return "campaign_recipients" }

type campaignAnswerV10 struct {
	ID          uint64    `gorm:"primaryKey"`
	CampaignID  uint64    `gorm:"not null;uniqueIndex:ux_campaign_answer,priority:1"`
	AppealID    uint64    `gorm:"not null;uniqueIndex:ux_campaign_answer,priority:2;index:idx_campaign_answers_appeal_id"`
	OpenID      string    `gorm:"column:open_id;size:64;not null;uniqueIndex:ux_campaign_answer,priority:3"`
	CommunityID string    `gorm:"size:64;not null"`
	How         string    `gorm:"size:16;not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (campaignAnswerV10) TableName() string { return "campaign_answers" }

type projectV10 struct {
	ID                uint64 `gorm:"primaryKey"`
	CommunityID       string `gorm:"size:64;not null;uniqueIndex:ux_project_code,priority:1;index:ix_project_need,priority:1"`
	Code              string `gorm:"size:16;not null;uniqueIndex:ux_project_code,priority:2"`
	Name              string `gorm:"size:128;not null"`
	Need              string `gorm:"size:32;not null;index:ix_project_need,priority:2"`
	LeadStakeholderID uint64 `gorm:"not null;default:0"`
	CampaignID        uint64 `gorm:"not null;default:0"`
	MeetingID         uint64 `gorm:"not null;default:0"`
	AppealRefs        string `gorm:"type:text"`
	Status            string `gorm:"size:16;not null"`
	Outcome           string `gorm:"type:text"`
	CompletedAt       *time.Time
	CreatedBy         string `gorm:"size:96;not null"`
	Version           int64  `gorm:"not null;default:1"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (projectV10) TableName() string { return "projects" }

type projectPledgeV10 struct {
	ID          uint64    `gorm:"primaryKey"`
	ProjectID   uint64    `gorm:"not null;index:idx_project_pledges_project_id"`
	CommunityID string    `gorm:"size:64;not null"`
	Source      string    `gorm:"size:16;not null"`
	AmountYuan  int64     `gorm:"not null"`
	Donor       string    `gorm:"size:64"`
	CreatedBy   string    `gorm:"size:96;not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (projectPledgeV10) TableName() string { return "project_pledges" }

type projectVolunteerV10 struct {
	ID          uint64    `gorm:"primaryKey"`
	ProjectID   uint64    `gorm:"not null;uniqueIndex:ux_project_volunteer,priority:1"`
	OpenID      string    `gorm:"column:open_id;size:64;not null;uniqueIndex:ux_project_volunteer,priority:2"`
	CommunityID string    `gorm:"size:64;not null"`
	Active      bool      `gorm:"not null"`
	SignedUpAt  time.Time `gorm:"not null"`
	UpdatedAt   time.Time `gorm:"not null"`
}

func (projectVolunteerV10) TableName() string { return "project_volunteers" }

type projectMilestoneV10 struct {
	ID        uint64    `gorm:"primaryKey"`
	ProjectID uint64    `gorm:"not null;index:idx_project_milestones_project_id"`
	Title     string    `gorm:"size:128;not null"`
	Progress  int       `gorm:"not null;default:-1"`
	Note      string    `gorm:"type:text"`
	CreatedBy string    `gorm:"size:96;not null"`
	CreatedAt time.Time `gorm:"not null"`
}

func (projectMilestoneV10) TableName() string { return "project_milestones" }

type topicProposalV10 struct {
	ID          uint64 `gorm:"primaryKey"`
	CommunityID string `gorm:"size:64;not null;uniqueIndex:ux_topic_proposal,priority:1"`
	Month       string `gorm:"size:7;not null;uniqueIndex:ux_topic_proposal,priority:2"`
	TopicID     string `gorm:"size:64;not null"`
	Topic       string `gorm:"size:128;not null"`
	Mentions    int    `gorm:"not null"`
	AppealRefs  string `gorm:"type:text"`
	MeetingID   uint64 `gorm:"not null;default:0"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (topicProposalV10) TableName() string { return "topic_proposals" }

// migrateCampaigns is migration 10: campaigns (问需于民) with their
// recipients and answers, community service projects with pledges,
// volunteers and milestones, and the monthly topic proposals.
var migrateCampaigns = autoMigrate(&campaignV10{}, &campaignRecipientV10{}, &campaignAnswerV10{},
	&projectV10{}, &projectPledgeV10{}, &projectVolunteerV10{}, &projectMilestoneV10{}, &topicProposalV10{})
