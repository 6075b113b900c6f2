package models

import (
	"context"
	"encoding/json"
	"time"
)

// OutboxStatus is where a push stands on its way to WeChat.
type OutboxStatus string

// A push is pending until a dispatcher claims it; sending while a call may be
// in flight; then sent or failed (permanent error, listed for the committee).
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSending OutboxStatus = "sending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"
)

// Push channels: a customer-service message (only inside the 48-hour window
// since the person's last message) or a template message (any time).
const (
	ChannelCustom   = "custom"
	ChannelTemplate = "template"
)

// Push types name what a push is about; template ids are configured per type.
const (
	PushReply            = "reply"
	PushTaskAssigned     = "task_assigned"
	PushDeadlineReminder = "deadline_reminder"
	PushEscalation       = "escalation"
	PushMeetingInvite    = "meeting_invite"
	PushMeetingReminder  = "meeting_reminder"
	PushDigest           = "daily_digest"
	PushProgress         = "progress"
)

// Error codes recorded on failed pushes besides WeChat's numeric errcodes.
const (
	// PushUncertain: a customer-service call may have reached WeChat before the
	// process died; it is never resent (at most once), so staff should check.
	PushUncertain = "uncertain"
	// PushNoTemplate: outside the 48-hour window and no template id for the type.
	PushNoTemplate = "no_template"
	// PushNoAccount: no official account serves the community.
	PushNoAccount = "no_account"
	// PushGaveUp: transient errors until the attempts ran out.
	PushGaveUp = "gave_up"
)

// OutboxMessage is one push, stored before it is sent, in the same
// transaction as the change that causes it. OpenID and Text are personal
// data; LastError holds only a code.
type OutboxMessage struct {
	ID          uint64 `gorm:"primaryKey"`
	CommunityID string `gorm:"size:64;not null;index:ix_outbox_recipient,priority:1;index:ix_outbox_failed,priority:1"`
	OpenID      string `gorm:"column:open_id;size:64;not null;index:ix_outbox_recipient,priority:2"`
	Type        string `gorm:"size:32;not null"`
	Text        string `gorm:"type:text;not null"` // the customer-service text
	// Data is the template's keyword fields as a JSON object, e.g.
	// {"thing1":"楼道灯","time2":"11月26日 17:00"}; empty means {"thing1": Text}.
	Data string `gorm:"type:text"`
	// Key makes the push idempotent: a second insert with the same key is
	// dropped, and it is the template API's client_msg_id.
	Key           string       `gorm:"column:idem_key;size:128;not null;uniqueIndex:ux_outbox_key"`
	Status        OutboxStatus `gorm:"size:16;not null;index:ix_outbox_due,priority:1;index:ix_outbox_failed,priority:2"`
	Channel       string       `gorm:"size:16"` // the channel of the last attempt
	ForceTemplate bool         `gorm:"not null;default:false"`
	Attempts      int          `gorm:"not null;default:0"`
	NextAttemptAt time.Time    `gorm:"not null;index:ix_outbox_due,priority:2"`
	LeaseOwner    string       `gorm:"size:96"`
	LeaseUntil    *time.Time
	LastError     string     `gorm:"size:32"`
	SentAt        *time.Time `gorm:"index:ix_outbox_recipient,priority:3"`
	CreatedAt     time.Time  `gorm:"not null;index:ix_outbox_failed,priority:3"`
	UpdatedAt     time.Time
}

// FailedPush is a push that could not be delivered: a person to phone or visit.
type FailedPush struct {
	ID        uint64    `json:"id"`
	OpenID    string    `json:"openid"`
	Type      string    `json:"type"`
	Text      string    `json:"text"`
	Error     string    `json:"error"` // WeChat's errcode or one of the Push* codes
	Attempts  int       `json:"attempts"`
	CreatedAt time.Time `json:"created_at"`
}

// Outbox is where pushes are queued; the dispatcher sends them.
type Outbox interface {
	// Enqueue stores pushes; ones whose Key exists already are skipped.
	Enqueue(ctx context.Context, msgs ...*OutboxMessage) (int, error)
	// FailedPushes lists a community's failed pushes created since t, newest first.
	FailedPushes(ctx context.Context, communityID string, since time.Time) ([]*FailedPush, error)
}

// AppealCard is the template data of every push about an appeal, used when
// its recipient's 48-hour window is closed or its allowance used up (README,
// "Template messages"): thing1 the matter, character_string2 the reference,
// phrase3 what happened, thing4 a note, time5 when. One layout, so that one
// general 事项通知 template serves them all; the dispatcher cuts each value
// to WeChat's limit (20 characters for a thing).
func AppealCard(topic, ref, phrase, note, when string) string {
	b, _ := json.Marshal(map[string]string{"thing1": topic, "character_string2": ref, "phrase3": phrase,
		"thing4": TrimText(note), "time5": when}) // a map of strings always encodes
	return string(b)
}
