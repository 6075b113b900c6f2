package wx

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// ErrNoAccount means no official account serves the community.
var ErrNoAccount = errors.New("no official account serves the community")

// NotSentError wraps a failure that certainly happened before the message
// reached WeChat (no access token, connection refused), so a
// customer-service message may be tried again.
type NotSentError struct{ Err error }

func (e *NotSentError) Error() string { return "not sent: " + e.Err.Error() }
func (e *NotSentError) Unwrap() error { return e.Err }

// Sender sends pushes through the accounts (the outbox dispatcher's
// sender), which retry once with a fresh access token on 40001/42001.
type Sender struct{ Accounts *Accounts }

func (s *Sender) account(communityID string) (*Account, error) {
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

// SendCustom sends a customer-service text message.
func (s *Sender) SendCustom(ctx context.Context, communityID, openID, text string) error {
	a, err := s.account(communityID)
	if err != nil {
		return err
	}
	return notSentIfDial(a.SendText(ctx, openID, text))
}

// SendTemplate sends a template message; WeChat drops a repeat with the
// same clientMsgID.
func (s *Sender) SendTemplate(ctx context.Context, communityID, openID, templateID string, data map[string]string, clientMsgID string) error {
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
		return &NotSentError{Err: fmt.Errorf("%s", Scrub(err))}
	}
	return err
}
