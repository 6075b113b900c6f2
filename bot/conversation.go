package bot

import (
	"github.com/gongzhi/gongzhi/bot/triage"

	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// State is a conversation's named state, stored as models.Conversation.State.
type State string

// The conversation's named states. Idle is no stored conversation at all.
const (
	StateIdle            State = "idle"
	StateAddress         State = "address"          // waiting for a home address
	StateAddressConfirm  State = "address_confirm"  // 1 right / 2 wrong
	StateDescribe        State = "describe"         // waiting for what the problem is
	StateLocationConfirm State = "location_confirm" // a far location: 1 keep / 2 drop
	StateClarify         State = "clarify"          // the triage question, numbered options
	StateMeToo           State = "me_too"           // 1 me too / 2 submit separately
	StateConfirm         State = "confirm"          // summary: 1 submit / 2 edit
	StateGuided          State = "guided"           // just guided as private: 不是私事 applies
	// StateRateReason: a bare 不满意 was asked its reason; the next words
	// that name no other matter are that reason (ratings.go).
	StateRateReason State = "rate_reason"
	// StateUrgentPlace: an urgent appeal was filed without a place; the next
	// words are a note on it for its handler (where it is, who is there).
	StateUrgentPlace State = "urgent_place"
	// StateAnswered: the resident's words were passed on as the answer to
	// their handler's question; more words are more of the answer, and
	// 新问题 takes the last ones as a new appeal instead.
	StateAnswered State = "answered"
)

// unfinished reports whether leaving the state drops something the resident
// was preparing (an appeal or an address): they are told when it expires.
func unfinished(state State) bool {
	return state != StateIdle && state != StateGuided && state != StateRateReason && state != StateUrgentPlace &&
		state != StateAnswered && state != ""
}

// convData is the JSON of Conversation.Data.
type convData struct {
	Draft   *draft     `json:"draft,omitempty"`
	Address *addrDraft `json:"address,omitempty"` // parsed, waiting for confirmation
	Dup     *dupOffer  `json:"dup,omitempty"`
	// RateRef is the appeal whose 不满意 waits for its reason.
	RateRef string `json:"rate,omitempty"`
	// Answer is the last answer passed on to a handler's question (StateAnswered).
	Answer *answer `json:"answer,omitempty"`
}

// answer is a resident's words passed on to the handler who asked them.
type answer struct {
	Ref   string `json:"ref"`
	Text  string `json:"text"`
	First bool   `json:"first,omitempty"` // the first words after the handler's question
	Held  bool   `json:"held,omitempty"`  // held back by the note limit, not passed on
}

// draft is an appeal being prepared.
type draft struct {
	Text     string        `json:"text,omitempty"`
	Photos   []photo       `json:"photos,omitempty"`
	Loc      *place        `json:"loc,omitempty"`
	LocFar   bool          `json:"loc_far,omitempty"` // confirmed although far
	Kind     models.Kind   `json:"kind,omitempty"`
	TopicID  string        `json:"topic,omitempty"`
	Settled  bool          `json:"settled,omitempty"` // kind decided or answered
	Question string        `json:"q,omitempty"`
	Choices  []models.Kind `json:"choices,omitempty"`
	Options  []string      `json:"options,omitempty"`
	NoMeToo  bool          `json:"no_me_too,omitempty"` // "submit separately" chosen
	// Answered: the resident chose the kind in answer to the question; on
	// submit, the answer teaches the community's words (learning.go).
	Answered bool `json:"answered,omitempty"`
	// Urgent: the first message spoke of danger now (step.emergency); the
	// appeal is filed without a question or a confirmation, because the one
	// who sent it may be running from a fire (found by a first user: an
	// unconfirmed fire report expired unseen).
	Urgent bool `json:"urgent,omitempty"`
}

type photo struct {
	MediaID string `json:"m"`
	PicURL  string `json:"u,omitempty"`
}

type place struct {
	Lat   float64 `json:"lat"`
	Lng   float64 `json:"lng"`
	Label string  `json:"label,omitempty"`
}

type addrDraft struct {
	Building string `json:"b"`
	Unit     string `json:"u,omitempty"`
	Room     string `json:"r,omitempty"`
}

type dupOffer struct {
	AppealID uint64        `json:"id"`
	Ref      string        `json:"ref"`
	Status   models.Status `json:"status,omitempty"`
}

// step is one message's work: the state before, the state after, replies.
type step struct {
	e     *Engine
	ctx   context.Context
	in    Input
	now   time.Time
	res   *models.Resident
	state State
	data  convData
	out   Output
	// keep leaves the stored conversation untouched (commands, ignored events).
	keep bool
	// query marks a step that only reads (see Output.ReadOnly).
	query  bool
	notice string // prefixed to the first reply
	// alert is what to do at once about a danger the message speaks of;
	// it goes before everything else the step says.
	alert string
	// knowledge is the community's learned words, read once per step.
	knowledge *triage.Knowledge
	// placing is the building the words give an urgent appeal filed with
	// none (StateUrgentPlace): its note places it too (ops.NoteRequest.Building).
	placing string
}

func (e *Engine) newStep(ctx context.Context, in Input) *step {
	m := in.Msg
	res := &models.Resident{}
	if in.Resident != nil {
		cp := *in.Resident
		res = &cp
	}
	now := in.Now.UTC()
	res.LastMessageAt = &now
	s := &step{e: e, ctx: ctx, in: in, now: now, res: res, state: StateIdle,
		out: Output{Turn: models.Turn{CommunityID: m.CommunityID, OpenID: m.OpenID, At: now, Resident: res}}}
	if c := in.Conversation; c != nil {
		s.out.Turn.GuardConversation = true
		s.out.Turn.ConversationVersion = c.Version
		if err := json.Unmarshal([]byte(c.Data), &s.data); err != nil || c.State == "" {
			// A state we cannot read is dropped, as if it had expired.
			s.data = convData{}
			s.notice = e.Msg.Expired
		} else if !now.Before(c.ExpiresAt) {
			if unfinished(State(c.State)) {
				s.notice = e.Msg.Expired
			}
			s.data = convData{}
		} else {
			s.state = State(c.State)
		}
	} else {
		s.out.Turn.GuardConversation = true
	}
	return s
}

// finish writes the next state into the turn.
func (s *step) finish() Output {
	out := s.out
	out.Replies = joinReplies(out.Replies)
	for _, p := range []string{s.notice, s.alert} {
		if p == "" {
			continue
		}
		if len(out.Replies) == 0 {
			out.Replies = []string{p}
		} else {
			out.Replies[0] = p + "\n" + out.Replies[0]
		}
	}
	stored := s.in.Conversation != nil
	if s.keep && !(stored && s.notice != "") {
		// A command may have said its step only reads (登录: its one-time
		// link must not be kept as the reply to a retry).
		out.ReadOnly = (out.ReadOnly || s.query) && s.notice == "" && len(out.Replies) <= 1
		return out
	}
	if s.state == StateIdle {
		if stored {
			out.Turn.ClearConversation = true
		}
		return out
	}
	b, err := json.Marshal(s.data)
	if err != nil { // plain structs of strings and numbers: cannot fail
		b = []byte("{}")
	}
	out.Turn.Conversation = &models.Conversation{State: string(s.state), Data: string(b), ExpiresAt: s.now.Add(s.e.ttl())}
	return out
}

func (s *step) say(texts ...string) { s.out.Replies = append(s.out.Replies, texts...) }

// sayf appends a formatted reply.
func (s *step) sayf(format string, args ...any) { s.say(fmt.Sprintf(format, args...)) }

// goTo moves to a state; idle forgets the state's data.
func (s *step) goTo(state State) {
	s.state = state
	if state == StateIdle || state == StateGuided {
		s.data = convData{}
	}
}

// sayWithPrompt answers text and, inside a conversation, repeats the current
// question so the resident always knows what to do next.
func (s *step) sayWithPrompt(text string) {
	if p := s.prompt(); p != "" {
		s.say(text + "\n" + p)
		return
	}
	s.say(text)
}

// prompt is the question of the current state ("" when idle).
func (s *step) prompt() string {
	m := &s.e.Msg
	switch s.state {
	case StateAddress:
		return m.AddressPrompt // after 没看懂您的回复: not "没看懂" twice (found by a first user)
	case StateAddressConfirm:
		if a := s.data.Address; a != nil {
			return fmt.Sprintf(m.ConfirmAddressF, s.formatAddress(a.Building, a.Unit, a.Room))
		}
	case StateDescribe:
		return m.AskDescribe
	case StateLocationConfirm:
		if d := s.data.Draft; d != nil && d.Loc != nil {
			_, km := s.community().Far(ops.Point{Lat: d.Loc.Lat, Lng: d.Loc.Lng})
			return fmt.Sprintf(m.LocationFarF, km)
		}
	case StateClarify:
		if d := s.data.Draft; d != nil {
			return d.Question + m.ClarifyHint
		}
	case StateMeToo:
		return s.meTooOffer()
	case StateConfirm:
		return s.summary()
	}
	return ""
}

// reask is the fallback of every state: the input was not an answer.
func (s *step) reask() {
	if s.answerInPassing(s.in.Msg.Content) {
		return
	}
	if p := s.prompt(); p != "" {
		s.say(s.e.Msg.StillWaiting + p)
		return
	}
	s.goTo(StateIdle)
	s.say(s.e.Msg.NotUnderstood)
}

func (s *step) community() *ops.Community {
	return s.e.Appeals.Directory().Community(s.in.Msg.CommunityID)
}

func (s *step) formatAddress(b, u, r string) string {
	m := &s.e.Msg
	switch {
	case u != "" && r != "":
		return fmt.Sprintf(m.AddressFormatF, b, u, r)
	case r != "":
		return fmt.Sprintf(m.AddressNoUnitF, b, r)
	case u != "": // 8栋1单元 was shown as 8栋 (found by a first user)
		return fmt.Sprintf(m.AddressUnitF, b, u)
	}
	return fmt.Sprintf(m.AddressBuildingF, b)
}

// inAppeal reports whether an appeal is being prepared.
func (s *step) inAppeal() bool {
	switch s.state {
	case StateDescribe, StateLocationConfirm, StateClarify, StateMeToo, StateConfirm:
		return true
	}
	return s.data.Draft != nil
}

// event handles subscribe, unsubscribe and menu clicks.
func (s *step) event() error {
	m := &s.e.Msg
	switch s.in.Msg.Event {
	case models.EventSubscribe:
		s.res.Subscribed = true
		s.keep = true
		s.say(m.Welcome)
		return nil
	case models.EventUnsubscribe:
		s.res.Subscribed = false
		s.goTo(StateIdle)
		return nil
	case models.EventClick:
		switch s.in.Msg.EventKey {
		case KeyHelp:
			s.help()
			return nil
		case KeyMyAppeals:
			s.keep, s.query = true, true
			return s.myAppeals()
		case KeyAppeal:
			if s.inAppeal() {
				s.sayf(m.InProgressF, s.prompt())
				return nil
			}
			s.data = convData{Draft: &draft{}}
			s.goTo(StateDescribe)
			s.say(m.MenuAppeal)
			return nil
		case KeyMeetings:
			s.keep, s.query = true, true
			if s.e.Invitations != nil { // the person's open invitations
				text, err := s.e.Invitations.InvitationsText(s.ctx, s.in.Msg.CommunityID, s.in.Msg.OpenID, s.now)
				if err != nil {
					return fmt.Errorf("invitations: %w", err)
				}
				s.say(text)
				return nil
			}
			s.say(m.MenuMeetings)
			return nil
		}
	}
	// Other events (views, scans, location reports, delivery receipts) need no answer.
	s.keep = true
	return nil
}

func (s *step) help() {
	if p := s.prompt(); p != "" {
		// The help itself, then where the draft stands (a user asked 帮助
		// mid-appeal and got only the draft's question back).
		s.say(s.e.Msg.HelpResident)
		s.sayf(s.e.Msg.HelpInConversationF, p)
		return
	}
	s.keep, s.query = true, true
	s.say(s.e.Msg.HelpResident)
}

// globalWords handles the words that work in every state.
func (s *step) globalWords(text string) (bool, error) {
	m := &s.e.Msg
	w := normWord(text)
	switch {
	case s.state == StateRateReason && (letGo(w) || slices.Contains(chat.Cancel, w)):
		s.goTo(StateIdle)
		s.say(m.RateCancelled) // 取消, 算了不评了: a closing line, not "没太明白" (found by a user)
		return true, nil
	case slices.Contains(chat.Cancel, w) && (s.state == StateAnswered || s.state == StateUrgentPlace):
		// Nothing is being prepared: what was passed on or filed stays
		// (取消 said 刚才的内容没有提交 after a fire was reported; found by
		// a first user and an attacker).
		s.goTo(StateIdle)
		s.say(m.NothingWithdrawn)
		return true, nil
	case slices.Contains(chat.Cancel, w):
		if s.in.Conversation == nil || s.state == StateIdle || s.state == StateGuided {
			s.goTo(StateIdle)
			s.say(m.NothingToCancel)
			return true, nil
		}
		s.goTo(StateIdle)
		s.say(m.Cancelled)
		return true, nil
	case slices.Contains(chat.Help, w):
		s.help()
		return true, nil
	case slices.Contains(chat.ChangeAddress, w) || addressIntent(w):
		s.data.Address = nil
		s.goTo(StateAddress)
		s.say(m.AskAddressChange)
		return true, nil
	}
	if rest, ok := cutWord(w, chat.MyAppeals...); ok {
		ref, hasRef := findRef(rest)
		switch {
		case rest == "":
			s.keep, s.query = true, true
			return true, s.myAppeals()
		case hasRef:
			s.keep, s.query = true, true
			return true, s.appealDetail(ref)
		}
		// "查看一下小区的监控…": words of an appeal, not the command.
	}
	if ref, ok := bareRef(w); ok {
		s.keep, s.query = true, true
		return true, s.appealDetail(ref)
	}
	if rest, ok := cutWord(w, chat.NotPrivate...); ok {
		return true, s.disputePrivate(rest, rawRest(text, chat.NotPrivate))
	}
	// 撤回 alone or before an appeal's number: "撤销了公交站" is an appeal.
	if rest, ok := cutWord(w, chat.Withdraw...); ok {
		if ref, found := findRef(rest); rest == "" || (found && strings.HasPrefix(rest, ref)) {
			return true, s.withdraw(ref, cutRef(rawRest(text, chat.Withdraw), ref))
		}
		// 撤回吧 已经修好了, 撤回刚才那个: the sender's one open appeal
		// (found by a second user: a new appeal was drafted of the words).
		if strings.HasPrefix(w, chat.WithdrawLoose) && s.resting() {
			open, err := s.openOwn()
			if err != nil {
				return false, err
			}
			if len(open) == 1 {
				reason := strings.TrimLeftFunc(strings.TrimPrefix(rawRest(text, chat.Withdraw), "吧"), func(r rune) bool {
					return unicode.IsSpace(r) || unicode.IsPunct(r)
				})
				return true, s.withdraw(open[0].Ref, reason)
			}
		}
	}
	// 催办 / 补充一下：… with no number: a note on the one open appeal, or which?
	if _, ok := cutWord(w, chat.Urge...); ok && s.resting() {
		if _, hasRef := findRef(w); !hasRef {
			if handled, err := s.urge(text); handled || err != nil {
				return handled, err
			}
		}
	}
	// Any other words with the number of one's own open appeal: a note to its handler.
	if ref, ok := findRef(w); ok && s.resting() {
		if noted, err := s.note(ref, text); noted || err != nil {
			return noted, err
		}
		// 催办 or words that start with a number that is not the sender's:
		// no appeal of words naming someone else's (found by an attacker).
		if _, urge := cutWord(w, chat.Urge...); urge || strings.HasPrefix(w, ref) {
			a, _, err := s.visibleAppeal(ref)
			if err != nil {
				return false, err
			}
			if a == nil { // neither one's own nor followed
				s.goTo(StateIdle)
				s.say(s.e.Msg.AppealNotFound)
				return true, nil
			}
		}
	}
	return false, nil
}

// stateText dispatches a text to the current state's handler.
func (s *step) stateText(text string) error {
	switch s.state {
	case StateAddress:
		s.addressText(text)
	case StateAddressConfirm:
		return s.addressConfirm(text)
	case StateDescribe:
		return s.describe(text)
	case StateLocationConfirm:
		return s.locationConfirm(text)
	case StateClarify:
		return s.clarify(text)
	case StateMeToo:
		return s.meToo(text)
	case StateConfirm:
		return s.confirm(text)
	case StateUrgentPlace:
		return s.urgentPlace(text)
	case StateAnswered:
		return s.answeredMore(text)
	default: // idle, guided
		return s.idleText(text)
	}
	return nil
}

// maxJoinedRunes: replies of one step up to this length go out as one
// passive reply; longer ones are split and the rest pushed.
const maxJoinedRunes = 600

func joinReplies(rs []string) []string {
	if len(rs) < 2 {
		return rs
	}
	n := 0
	for _, r := range rs {
		n += utf8.RuneCountInString(r)
	}
	if n > maxJoinedRunes {
		return rs
	}
	return []string{strings.Join(rs, "\n")}
}
