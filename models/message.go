package models

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Message types and events the bot distinguishes. Anything else is "unknown"
// and gets a polite reply.
const (
	MsgText     = "text"
	MsgImage    = "image"
	MsgVoice    = "voice"
	MsgVideo    = "video"
	MsgLocation = "location"
	MsgLink     = "link"
	MsgEvent    = "event"

	EventSubscribe   = "subscribe"
	EventUnsubscribe = "unsubscribe"
	EventClick       = "CLICK"
)

// Inbound is one message from a resident or staff member, independent of
// WeChat's wire format.
type Inbound struct {
	CommunityID string
	OpenID      string
	MsgType     string
	Event       string
	EventKey    string
	Content     string // text, or the voice recognition result
	MsgID       int64
	CreateTime  int64 // seconds since the epoch, as WeChat sends it
	PicURL      string
	MediaID     string
	Lat, Lng    float64
	Label       string // location label
}

// DedupeKey identifies a message across WeChat's retries: sender and MsgId
// where there is one, else sender + CreateTime + event (events carry no
// MsgId). The sender is part of it, so that another person's message under
// a reused MsgId is never answered with the first person's reply (found by
// an attacker); as a hash, so that a key in a database error is no openid.
func (m *Inbound) DedupeKey() string {
	sum := sha256.Sum256([]byte(m.OpenID))
	sender := hex.EncodeToString(sum[:8])
	if m.MsgID != 0 {
		return "m:" + sender + ":" + strconv.FormatInt(m.MsgID, 10)
	}
	return "e:" + sender + ":" + strconv.FormatInt(m.CreateTime, 10) + ":" + m.Event + ":" + m.EventKey
}

// Conversation is the persisted state of one person's chat with the bot.
type Conversation struct {
	CommunityID string    `gorm:"primaryKey;size:64"`
	OpenID      string    `gorm:"column:open_id;primaryKey;size:64"`
	State       string    `gorm:"size:32;not null"`
	Data        string    `gorm:"type:text"` // JSON of the state's fields
	ExpiresAt   time.Time `gorm:"not null;index"`
	UpdatedAt   time.Time
	// Version counts the conversation's writes (from 1); a turn guarded on it
	// is not committed over a newer state.
	Version int64 `gorm:"not null;default:0"`
}

// ProcessedMessage records that a message was handled, and the reply given,
// so that WeChat's retries get the same answer and change nothing.
type ProcessedMessage struct {
	CommunityID string    `gorm:"primaryKey;size:64"`
	Key         string    `gorm:"column:dedupe_key;primaryKey;size:160"`
	Reply       string    `gorm:"type:text"`
	CreatedAt   time.Time `gorm:"not null;index"`
}
