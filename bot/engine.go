// Package bot is the conversation engine: from a person's state and one
// inbound message to the next state, the replies and the changes to store.
// It knows no HTTP, no SQL and no WeChat SDK; it reads through narrow
// interfaces and returns its writes as a models.Turn for the caller to commit.
package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/models"
)

// Chat words of the contract (contract.md "Chat words").
const (
	WordHelp      = "帮助"
	WordCancel    = "取消"
	WordMyAppeals = "我的诉求"
)

// Menu click keys of the contract.
const (
	KeyAppeal    = "APPEAL"
	KeyMyAppeals = "MY_APPEALS"
	KeyMeetings  = "MEETINGS"
	KeyHelp      = "HELP"
)

// MaxTextRunes is the longest text the bot takes as one appeal description.
const MaxTextRunes = 2000

// Reader is what the engine reads besides the person's own state.
type Reader interface {
	ListAppeals(ctx context.Context, f models.AppealFilter) ([]*models.Appeal, error)
}

// Input is one step's input: who, in what state, said what, when.
type Input struct {
	Msg          models.Inbound
	Resident     *models.Resident     // nil for someone never seen
	Conversation *models.Conversation // nil when idle
	Now          time.Time
}

// Output is one step's result. Replies[0] is the passive reply; further
// replies are pushed. The Turn carries the writes.
type Output struct {
	Replies []string
	Turn    models.Turn
}

// Engine decides what to answer.
type Engine struct {
	Msg      Messages
	Reader   Reader
	Location *time.Location
}

// Step handles one inbound message.
func (e *Engine) Step(ctx context.Context, in Input) (Output, error) {
	m := in.Msg
	res := in.Resident
	if res == nil {
		res = &models.Resident{}
	} else {
		cp := *res
		res = &cp
	}
	now := in.Now.UTC()
	res.LastMessageAt = &now
	out := Output{Turn: models.Turn{CommunityID: m.CommunityID, OpenID: m.OpenID, At: now, Resident: res}}

	var err error
	switch m.MsgType {
	case models.MsgEvent:
		out.Replies, err = e.event(ctx, in, res)
	case models.MsgText:
		out.Replies, err = e.text(ctx, in, &out)
	case models.MsgVoice:
		if strings.TrimSpace(m.Content) == "" {
			out.Replies = []string{e.Msg.VoiceNoText}
		} else {
			out.Replies, err = e.text(ctx, in, &out)
		}
	case models.MsgImage:
		out.Replies = []string{e.Msg.ImageReceived}
	case models.MsgVideo, "shortvideo":
		out.Replies = []string{e.Msg.VideoReceived}
	case models.MsgLink:
		out.Replies = []string{e.Msg.LinkReceived}
	case models.MsgLocation:
		out.Replies = []string{e.Msg.LocationGot}
	default:
		out.Replies = []string{e.Msg.Unsupported}
	}
	if err != nil {
		return Output{}, err
	}
	return out, nil
}

func (e *Engine) event(ctx context.Context, in Input, res *models.Resident) ([]string, error) {
	switch in.Msg.Event {
	case models.EventSubscribe:
		res.Subscribed = true
		return []string{e.Msg.Welcome}, nil
	case models.EventUnsubscribe:
		res.Subscribed = false
		return nil, nil
	case models.EventClick:
		switch in.Msg.EventKey {
		case KeyHelp:
			return []string{e.Msg.HelpResident}, nil
		case KeyMyAppeals:
			return e.myAppeals(ctx, in)
		case KeyAppeal:
			return []string{e.Msg.MenuAppeal}, nil
		case KeyMeetings:
			return []string{e.Msg.MenuMeetings}, nil
		}
	}
	// Other events (views, scans, location reports, delivery receipts) need no answer.
	return nil, nil
}

func (e *Engine) text(ctx context.Context, in Input, out *Output) ([]string, error) {
	text := strings.TrimSpace(in.Msg.Content)
	switch {
	case text == "":
		return []string{e.Msg.EmptyText}, nil
	case utf8.RuneCountInString(text) > MaxTextRunes:
		return []string{e.Msg.TooLong}, nil
	case text == WordHelp:
		return []string{e.Msg.HelpResident}, nil
	case text == WordMyAppeals:
		return e.myAppeals(ctx, in)
	case text == WordCancel:
		if in.Conversation == nil {
			return []string{e.Msg.NothingToCancel}, nil
		}
		out.Turn.ClearConversation = true
		return []string{e.Msg.Cancelled}, nil
	}
	return []string{e.Msg.Placeholder}, nil
}

// maxListed keeps the reply within one readable message.
const maxListed = 5

func (e *Engine) myAppeals(ctx context.Context, in Input) ([]string, error) {
	list, err := e.Reader.ListAppeals(ctx, models.AppealFilter{CommunityID: in.Msg.CommunityID, OpenID: in.Msg.OpenID, Limit: maxListed + 1})
	if err != nil {
		return nil, fmt.Errorf("my appeals: %w", err)
	}
	if len(list) == 0 {
		return []string{e.Msg.NoAppeals}, nil
	}
	var b strings.Builder
	shown := min(len(list), maxListed)
	b.WriteString(e.Msg.MyAppealsHead)
	for _, a := range list[:shown] {
		due := e.Msg.NoDeadline
		if a.DueAt != nil {
			due = a.DueAt.In(e.loc()).Format("1月2日前")
		}
		b.WriteString("\n")
		fmt.Fprintf(&b, e.Msg.MyAppealsLine, a.Ref, a.Topic, e.Msg.StatusNames[string(a.Status)], due)
	}
	if len(list) > shown {
		b.WriteString("\n" + e.Msg.MyAppealsMore)
	}
	return []string{b.String()}, nil
}

func (e *Engine) loc() *time.Location {
	if e.Location == nil {
		return time.UTC
	}
	return e.Location
}
