// Package bot is the conversation engine: from a person's state and one
// inbound message to the next state, the replies and the changes to store.
// It knows no HTTP, no SQL and no WeChat SDK; it reads through narrow
// interfaces and returns its writes as a models.Turn for the caller to commit.
//
// A conversation is a set of named states (states.go), each with its
// handlers, entered from idle (a menu click or simply describing a problem),
// left by 取消 anywhere, and falling back to re-asking its question on any
// input it does not expect.
package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// Chat words of the contract (contract.md "Chat words") and our synonyms.
const (
	WordHelp          = "帮助"
	WordCancel        = "取消"
	WordMyAppeals     = "我的诉求"
	WordChangeAddress = "修改地址"
	WordNotPrivate    = "不是私事"
)

// Menu click keys of the contract.
const (
	KeyAppeal    = "APPEAL"
	KeyMyAppeals = "MY_APPEALS"
	KeyMeetings  = "MEETINGS"
	KeyHelp      = "HELP"
)

// MaxTextRunes is the longest text the bot takes as one message of an
// appeal description; MaxDescriptionRunes bounds the whole description.
const (
	MaxTextRunes        = 500
	MaxDescriptionRunes = 1000
	// MaxPhotos is how many photos one appeal keeps (WeChat's own limit per post).
	MaxPhotos = 9
)

// DefaultMeTooWindow is how far back an open appeal of the same topic counts
// as a duplicate ("me too" is offered).
const DefaultMeTooWindow = 7 * 24 * time.Hour

// Reader is what the engine reads besides the person's own state.
type Reader interface {
	ListAppeals(ctx context.Context, f models.AppealFilter) ([]*models.Appeal, error)
	// AppealByRef returns the appeal or an ENOTFOUND error.
	AppealByRef(ctx context.Context, ref string) (*models.Appeal, error)
	AppealEvents(ctx context.Context, appealID uint64) ([]*models.AppealEvent, error)
	models.FollowerStore
}

// Classifier sorts an appeal text into a kind, or says what to ask.
type Classifier interface {
	Classify(text string) triage.Decision
}

// Catalog looks up catalog items by id (the appeal's topic).
type Catalog interface {
	Item(id string) *triage.Item
}

// CommandHandler is a hook for chat commands of other roles (staff: 绑定,
// 接单, 办结; meetings: 参加). Text messages go through Engine.Commands in
// order before any conversation logic; a handler that recognises the text
// fills out (Replies, Turn) and returns handled. The conversation state is
// then left as it was.
type CommandHandler interface {
	HandleCommand(ctx context.Context, in Input, out *Output) (handled bool, err error)
}

// Input is one step's input: who, in what state, said what, when.
type Input struct {
	Msg          models.Inbound
	Resident     *models.Resident     // nil for someone never seen
	Conversation *models.Conversation // nil when idle
	// Staff is the sender's active staff role when StaffKnown (the service
	// reads it with the resident); command handlers look it up otherwise.
	Staff      *models.Staff
	StaffKnown bool
	Now        time.Time
}

// Output is one step's result. Replies[0] is the passive reply; further
// replies are pushed. The Turn carries the writes; replies may hold
// models.RefPlaceholder for codes handed out at commit.
type Output struct {
	Replies []string
	Turn    models.Turn
	// ReadOnly marks a pure query (help, my appeals, an appeal's details)
	// that changes nothing in any state: running it again on a retry has
	// the same effect (none), so the service need not record it.
	ReadOnly bool
}

// Engine decides what to answer. It is safe for concurrent use once built.
type Engine struct {
	Msg        Messages
	Reader     Reader
	Classifier Classifier
	Catalog    Catalog
	Directory  Directory
	Deadliner  Deadliner
	Location   *time.Location
	// ConversationTTL is how long an unfinished conversation waits for the
	// next message (default 30 minutes).
	ConversationTTL time.Duration
	// MeTooWindow: see DefaultMeTooWindow.
	MeTooWindow time.Duration
	// Commands are tried, in order, on every text message before the conversation.
	Commands []CommandHandler

	// --- staff by chat (issue 5) ---
	// Staff routes confirmed appeals and finds whom to push to (store.DB);
	// nil routes to role placeholders and pushes nothing.
	Staff StaffDirectory
	// StaffMsg is the staff catalog (zero: ZhCNStaff).
	StaffMsg StaffMessages
	// --- end staff by chat ---
	// Invitations lists a person's open meeting invitations for the
	// MEETINGS menu (nil: the static MenuMeetings text).
	Invitations InvitationLister
	// Knowledge turns learning on: the classifier uses what the community
	// taught (residents' answers, committee corrections) and gathers more.
	// nil: the catalog alone.
	Knowledge KnowledgeSource
}

// InvitationLister answers the MEETINGS menu click (meetings, issue 6).
type InvitationLister interface {
	InvitationsText(ctx context.Context, communityID, openID string, now time.Time) (string, error)
}

// Step handles one inbound message.
func (e *Engine) Step(ctx context.Context, in Input) (Output, error) {
	s := e.newStep(ctx, in)
	var err error
	switch in.Msg.MsgType {
	case models.MsgEvent:
		err = s.event()
	case models.MsgText:
		err = s.text(in.Msg.Content)
	case models.MsgVoice:
		if strings.TrimSpace(in.Msg.Content) == "" {
			s.sayWithPrompt(e.Msg.VoiceNoText)
		} else {
			err = s.text(in.Msg.Content)
		}
	case models.MsgImage:
		var handled bool
		if handled, err = s.media(); !handled && err == nil {
			s.image()
		}
	case models.MsgLocation:
		s.location()
	case models.MsgVideo, "shortvideo":
		s.sayWithPrompt(e.Msg.VideoReceived)
	case models.MsgLink:
		s.sayWithPrompt(e.Msg.LinkReceived)
	default:
		s.sayWithPrompt(e.Msg.Unsupported)
	}
	if err != nil {
		return Output{}, err
	}
	return s.finish(), nil
}

func (e *Engine) loc() *time.Location {
	if e.Location == nil {
		return time.UTC
	}
	return e.Location
}

func (e *Engine) ttl() time.Duration {
	if e.ConversationTTL <= 0 {
		return 30 * time.Minute
	}
	return e.ConversationTTL
}

func (e *Engine) meTooWindow() time.Duration {
	if e.MeTooWindow <= 0 {
		return DefaultMeTooWindow
	}
	return e.MeTooWindow
}

// MediaHandler is a CommandHandler that also looks at photos (a staff
// member's photo right after 办结); handled photos skip the conversation.
type MediaHandler interface {
	HandleMedia(ctx context.Context, in Input, out *Output) (handled bool, err error)
}

// media offers a photo to the command handlers that take photos.
func (s *step) media() (bool, error) {
	for _, h := range s.e.Commands {
		mh, ok := h.(MediaHandler)
		if !ok {
			continue
		}
		handled, err := mh.HandleMedia(s.ctx, s.in, &s.out)
		if err != nil {
			return false, fmt.Errorf("media command: %w", err)
		}
		if handled {
			s.keep = true
			return true, nil
		}
	}
	return false, nil
}

// text handles a text message or a recognised voice message.
func (s *step) text(raw string) error {
	text := strings.TrimSpace(raw)
	switch {
	case text == "":
		s.sayWithPrompt(s.e.Msg.EmptyText)
		return nil
	case utf8.RuneCountInString(text) > MaxTextRunes:
		s.sayWithPrompt(s.e.Msg.TooLong)
		return nil
	case isUnsupportedPlaceholder(text):
		s.sayWithPrompt(s.e.Msg.Unsupported)
		return nil
	case !hasWords(text):
		s.sayWithPrompt(s.e.Msg.NoWords)
		return nil
	}
	for _, h := range s.e.Commands {
		handled, err := h.HandleCommand(s.ctx, s.in, &s.out)
		if err != nil {
			return fmt.Errorf("command: %w", err)
		}
		if handled {
			s.keep = true
			return nil
		}
	}
	handled, err := s.globalWords(text)
	if handled || err != nil {
		return err
	}
	return s.stateText(text)
}
