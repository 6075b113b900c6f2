// Package bot is the chat: from a person's state and one inbound message to
// the next state, the replies and the changes to store. It owns the
// conversation engine (engine.go, and service.go around it: read, step, one
// commit), the resident's conversation (conversation*.go), the staff
// commands (staff_commands.go), the ratings (ratings.go) and the meeting
// commands (meeting_commands.go). It parses what people type, calls the
// operations (bot/ops) and says the outcome through the catalog
// (bot/messages). It knows no HTTP, no SQL and no WeChat SDK; it reads
// through narrow interfaces and returns its writes as a models.Turn for the
// caller to commit.
//
// A conversation is a set of named states (State, conversation.go), each
// with its handlers, entered from idle (a menu click or simply describing a
// problem), left by 取消 anywhere, and falling back to re-asking its
// question on any input it does not expect.
package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// chat is the chat words the bot takes (messages.Words).
var chat = &messages.ZhCNWords

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
	// AppealByRef returns the community's appeal or an ENOTFOUND error.
	AppealByRef(ctx context.Context, communityID, ref string) (*models.Appeal, error)
	AppealEvents(ctx context.Context, appealID uint64) ([]*models.AppealEvent, error)
	// OpenPublicAppealsSince counts the author's open appeals for others to
	// handle (small and major) created after since.
	OpenPublicAppealsSince(ctx context.Context, communityID, openID string, since time.Time) (int, error)
	models.FollowerStore
}

// Classifier sorts an appeal text into a kind, or says what to ask.
type Classifier interface {
	Classify(text string) triage.Decision
}

// CommandHandler is a hook for chat commands of other roles (staff: 绑定,
// 接单, 办结; meetings: 参加), given to NewEngine. Text messages go through
// them in order before any conversation logic; a handler that recognises the text
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
	// LateReply, when set, is pushed instead of the reply if the reply
	// misses WeChat's deadline: a reply holding a credential (a console
	// login link) is never stored in the outbox a late push goes through.
	LateReply string
}

// Engine decides what to answer. Build it with NewEngine; it is safe for
// concurrent use and never changed after.
type Engine struct {
	Msg        messages.Messages
	Reader     Reader
	Classifier Classifier
	// Appeals builds confirmed appeals (routing, deadline, pushes) as every
	// other surface does.
	Appeals  *ops.Appeals
	Location *time.Location
	// ConversationTTL is how long an unfinished conversation waits for the
	// next message (default 30 minutes).
	ConversationTTL time.Duration
	// MeTooWindow: see DefaultMeTooWindow.
	MeTooWindow time.Duration
	// Commands are tried, in order, on every text message before the conversation.
	Commands []CommandHandler
	// Invitations lists a person's open meeting invitations for the
	// MEETINGS menu (nil: the static MenuMeetings text).
	Invitations InvitationLister
	// Knowledge turns learning on: the classifier uses what the community
	// taught (residents' answers, committee corrections) and gathers more.
	// nil: the catalog alone.
	Knowledge KnowledgeSource
	// After are run, in order, on every step's output before it is
	// committed (campaign answers: CampaignAnswers).
	After []StepHook
}

// StepHook adds to a step's output what follows from it (a new appeal that
// answers a campaign); it may read, and writes only through out.Turn.
type StepHook interface {
	AfterStep(ctx context.Context, in Input, out *Output) error
}

// EngineConfig is what NewEngine needs.
type EngineConfig struct {
	Reader     Reader       // required
	Classifier Classifier   // required
	Appeals    *ops.Appeals // required
	// Commands are the chat commands of other roles (staff, meetings),
	// tried in order before the conversation.
	Commands        []CommandHandler
	Invitations     InvitationLister // nil: the MEETINGS menu says the static text
	ConversationTTL time.Duration    // 0: 30 minutes
	MeTooWindow     time.Duration    // 0: DefaultMeTooWindow
	// Knowledge turns learning on: what the community's residents and
	// committee taught (nil: the catalog alone decides).
	Knowledge KnowledgeSource
	// After are run, in order, on every step's output (campaign answers).
	After []StepHook
}

// NewEngine builds the engine; a missing requirement is an error.
func NewEngine(c EngineConfig) (*Engine, error) {
	switch {
	case c.Reader == nil:
		return nil, errors.New("bot: the engine needs a reader")
	case c.Classifier == nil:
		return nil, errors.New("bot: the engine needs a classifier")
	case c.Appeals == nil:
		return nil, errors.New("bot: the engine needs the appeal operations")
	}
	return &Engine{Msg: messages.ZhCN, Reader: c.Reader, Classifier: c.Classifier, Appeals: c.Appeals,
		Location: c.Appeals.Location(), ConversationTTL: c.ConversationTTL, MeTooWindow: c.MeTooWindow,
		Commands: c.Commands, Invitations: c.Invitations, Knowledge: c.Knowledge, After: c.After}, nil
}

// InvitationLister answers the MEETINGS menu click.
type InvitationLister interface {
	InvitationsText(ctx context.Context, communityID, openID string, now time.Time) (string, error)
}

// Step handles one inbound message.
func (e *Engine) Step(ctx context.Context, in Input) (Output, error) {
	// Every reply may quote what was typed; WeChat sends UTF-8, and a reply
	// must stay UTF-8 whatever arrives.
	in.Msg.Content = strings.ToValidUTF8(in.Msg.Content, "")
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
			if handled, err = s.photoAnswer(); !handled && err == nil {
				s.image()
			}
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
	out := s.finish()
	for _, h := range e.After {
		if err := h.AfterStep(ctx, in, &out); err != nil {
			return Output{}, fmt.Errorf("after step: %w", err)
		}
	}
	if unchanged(in.Resident, out.Turn.Resident, s.now) {
		out.Turn.Resident = nil // nothing to write: one statement less in the commit
	}
	return out, nil
}

// unchanged reports a turn's resident row that would be written as it is
// stored but for a last-message time less than touchEvery newer (the rule of
// Service.touch: the 48-hour window is then counted at most that much early,
// so a push goes as a template rather than the other way).
func unchanged(stored, next *models.Resident, now time.Time) bool {
	if stored == nil || next == nil || stored.LastMessageAt == nil || now.Sub(*stored.LastMessageAt) >= touchEvery {
		return false
	}
	return stored.Building == next.Building && stored.Unit == next.Unit && stored.Room == next.Room &&
		stored.GridID == next.GridID && stored.Subscribed == next.Subscribed
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
	case helpMark(text):
		s.help()
		return nil
	case !hasWords(text):
		s.sayWithPrompt(s.e.Msg.NoWords)
		return nil
	}
	s.emergency(text)
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
