package jobs

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/silenceper/wechat/v2/officialaccount/message"

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
var ErrNoAccount = errors.New("no official account serves the community")

// NotSentError wraps a failure that certainly happened before the message
// reached WeChat (no access token, connection refused), so a
// customer-service message may be tried again.
type NotSentError struct{ Err error }

func (e *NotSentError) Error() string { return "not sent: " + e.Err.Error() }
func (e *NotSentError) Unwrap() error { return e.Err }

// WXSender sends through the SDK accounts of bot/wx, which retry once with a
// fresh access token on 40001/42001.
type WXSender struct{ Accounts *wx.Accounts }

var _ Sender = (*WXSender)(nil)

func (s *WXSender) account(communityID string) (*wx.Account, error) {
	a, ok := s.Accounts.ByCommunity(communityID)
	if !ok {
		return nil, ErrNoAccount
	}
	// Fetching the token first separates "never sent" from "may have been sent".
	if _, err := a.OA.GetAccessToken(); err != nil {
		return nil, &NotSentError{Err: err}
	}
	return a, nil
}

// SendCustom implements Sender.
func (s *WXSender) SendCustom(ctx context.Context, communityID, openID, text string) error {
	a, err := s.account(communityID)
	if err != nil {
		return err
	}
	return notSentIfDial(a.SendText(ctx, openID, text))
}

// SendTemplate implements Sender.
func (s *WXSender) SendTemplate(ctx context.Context, communityID, openID, templateID string, data map[string]string, clientMsgID string) error {
	a, err := s.account(communityID)
	if err != nil {
		return err
	}
	msg := &message.TemplateMessage{ToUser: openID, TemplateID: templateID, ClientMsgID: clientMsgID,
		Data: make(map[string]*message.TemplateDataItem, len(data))}
	for k, v := range data {
		msg.Data[k] = &message.TemplateDataItem{Value: v}
	}
	_, err = a.SendTemplate(ctx, msg)
	return notSentIfDial(err)
}

// notSentIfDial marks connection failures: nothing left the process.
func notSentIfDial(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return &NotSentError{Err: fmt.Errorf("%s", wx.Scrub(err))}
	}
	return err
}
