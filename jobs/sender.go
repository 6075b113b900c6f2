package jobs

import (
	"context"

	"github.com/gongzhi/gongzhi/bot/wx"
)

// Sender delivers one push through WeChat's API.
type Sender interface {
	// SendCustom sends a customer-service text message.
	SendCustom(ctx context.Context, communityID, openID, text string) error
	// SendTemplate sends a template message; WeChat drops a repeat with the
	// same clientMsgID.
	SendTemplate(ctx context.Context, communityID, openID, templateID string, data map[string]string, clientMsgID string) error
}

// ErrNoAccount means no official account serves the community.
var ErrNoAccount = wx.ErrNoAccount

// NotSentError wraps a failure that certainly happened before the message
// reached WeChat, so a customer-service message may be tried again.
type NotSentError = wx.NotSentError

var _ Sender = (*wx.Sender)(nil)
