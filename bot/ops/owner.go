package ops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// TaskLister lists the open appeals a staff member (or the holders of a
// role placeholder) handles.
type TaskLister interface {
	OpenTasks(ctx context.Context, s *models.Staff, now time.Time, limit int) ([]*models.Appeal, error)
}

// HandOver gives a newly bound staff member the appeals that waited with
// the committee only because nobody of that role was bound: those that
// routing would now send to them (a grid worker takes their grid's small
// appeals). Each is reassigned by the system with its event, and its
// residents are told who handles it now. It returns the appeals handed over.
func (s *Appeals) HandOver(ctx context.Context, st *models.Staff) ([]*models.Appeal, error) {
	tl, ok := s.staff.(TaskLister)
	if !ok || st == nil || st.Role == models.RoleCommittee || st.Role == models.RoleAdmin {
		return nil, nil
	}
	holder := &models.Staff{CommunityID: st.CommunityID, Role: models.RoleCommittee, Active: true}
	waiting, err := tl.OpenTasks(ctx, holder, s.now(), 200)
	if err != nil {
		return nil, fmt.Errorf("waiting appeals: %w", err)
	}
	placeholder := models.RolePlaceholder(models.RoleCommittee)
	var out []*models.Appeal
	for _, w := range waiting {
		if w.Assignee != placeholder || models.Route(w, []*models.Staff{st}) != st.Ref() ||
			!models.Allowed(w.Status, models.ActReassign) {
			continue
		}
		ch, err := s.load(ctx, w.CommunityID, w.Ref)
		if err != nil {
			return out, err
		}
		if err := s.apply(ch, models.Step{Action: models.ActReassign, Assignee: st.Ref()},
			models.Actor{Kind: models.ActorSystem}, s.sm.HandOverReason); err != nil {
			continue // changed meanwhile: it stays where it is
		}
		if err := s.tellRevised(ctx, ch, s.sm.HandOverReason); err != nil {
			return out, err
		}
		if err := s.Commit(ctx, ch); err != nil {
			if models.ErrorCode(err) == models.ECONFLICT {
				continue
			}
			return out, err
		}
		out = append(out, ch.Appeal)
	}
	return out, nil
}

// DisputeRequest is a resident's 不是私事 on a guided appeal.
type DisputeRequest struct {
	Community string
	Ref       string
	OpenID    string // only the author may
	Reason    string // "不是私事" when they said nothing more
}

// loadOwn is load for the appeal's author: someone else's appeal is not
// found.
func (s *Appeals) loadOwn(ctx context.Context, community, ref, openID string) (*Change, error) {
	ch, err := s.load(ctx, community, ref)
	if err != nil {
		return nil, err
	}
	if ch.Appeal.OpenID != openID {
		return nil, models.Errorf(models.ENOTFOUND, "appeal %s not found", ref)
	}
	return ch, nil
}

// WithdrawRequest is a resident's 撤回 of their own appeal.
type WithdrawRequest struct {
	Community string
	Ref       string
	OpenID    string // only the author may
	Reason    string // the catalog's WithdrawReason when they said nothing more
}

// PlanWithdraw ends an open appeal at its author's word (撤回): the
// handler is told to stop, and those who said "me too" that it was
// withdrawn and how to raise it again. Someone else's appeal is not found;
// a closed one is a *StepError.
func (s *Appeals) PlanWithdraw(ctx context.Context, r WithdrawRequest) (*Change, error) {
	ch, err := s.loadOwn(ctx, r.Community, r.Ref, r.OpenID)
	if err != nil {
		return nil, err
	}
	a := ch.Appeal
	reason := messages.Clip(models.TrimText(r.Reason), 200)
	if reason == "" {
		reason = s.msg.WithdrawReason
	}
	if err := s.apply(ch, models.Step{Action: models.ActWithdraw}, models.Actor{Kind: models.ActorResident, OpenID: r.OpenID}, reason); err != nil {
		return nil, err
	}
	hs, err := s.handlers(ctx, &ch.Before)
	if err != nil {
		return nil, err
	}
	fs, err := s.followers(ctx, a)
	if err != nil {
		return nil, err
	}
	s.pushTo(ch, models.ActWithdraw, models.PushProgress, fmt.Sprintf(s.sm.PushWithdrawnF, a.Ref, a.Topic, reason), reason, hs)
	s.pushTo(ch, models.ActWithdraw, models.PushProgress, fmt.Sprintf(s.sm.PushWithdrawnFollowerF, a.Ref, a.Topic), s.sm.CardRaiseAgain, fs[min(1, len(fs)):])
	return ch, nil
}

// PlanDispute puts a guided appeal in review: the committee owns it (it is
// in their 我的任务) and is told at once what the resident said.
func (s *Appeals) PlanDispute(ctx context.Context, r DisputeRequest) (*Change, error) {
	ch, err := s.loadOwn(ctx, r.Community, r.Ref, r.OpenID)
	if err != nil {
		return nil, err
	}
	a := ch.Appeal
	if err := s.apply(ch, models.Step{Action: models.ActDisputePrivate}, models.Actor{Kind: models.ActorResident, OpenID: r.OpenID},
		messages.Clip(r.Reason, 200)); err != nil {
		return nil, err
	}
	cs, err := s.committee(ctx, a.CommunityID)
	if err != nil {
		return nil, err
	}
	s.pushTo(ch, models.ActDisputePrivate, models.PushTaskAssigned,
		fmt.Sprintf(s.sm.PushReviewF, a.Ref, a.Topic, messages.Clip(r.Reason, 200), a.Ref, a.Ref), r.Reason, cs)
	return ch, nil
}

// NoteRequest is the author's message about their open appeal (留言): a
// question, a reminder (催办), more detail.
type NoteRequest struct {
	Community string
	Ref       string
	OpenID    string // only the author may
	Text      string
	// Urgent: the words speak of danger now: passed on whatever the count,
	// marked 【紧急】.
	Urgent bool
	// Answer: the words answer the handler's question (MaxAnswerNotes).
	Answer bool
	// Building places an appeal filed with none (an urgent one: 着火了, then
	// 5栋2单元3楼): its building and grid are set, and a public matter
	// waiting with a role goes to that grid's worker.
	Building string
}

// place sets the building (and its grid) of an appeal filed with none and
// sends a public matter that waits with a role — the committee's pool, a
// grid with no worker known then — to the grid's worker, told of it as of
// any task (found by a first user: a fire placed by the next message stayed
// 楼栋未登记 in the committee's pool, its grid's worker never told).
func (s *Appeals) place(ctx context.Context, ch *Change, building string) error {
	a := ch.Appeal
	a.Building = building
	if g := s.directory.Community(a.CommunityID).GridOf(building); g != nil {
		a.GridID = g.ID
	}
	ch.Update.Place = true
	if a.Kind == models.KindPrivate || a.GridID == "" {
		return nil
	}
	if _, waiting := models.PlaceholderRole(a.Assignee); !waiting && a.Assignee != "" {
		return nil // a person handles it already
	}
	to, err := s.route(ctx, a)
	if err != nil || to == a.Assignee {
		return err
	}
	act, ok := assignAction(a)
	if !ok {
		return nil
	}
	if err := s.apply(ch, models.Step{Action: act, Assignee: to}, models.Actor{Kind: models.ActorSystem}, s.sm.PlacedReason); err != nil {
		return err
	}
	return s.pushAssigned(ctx, &ch.Outbox, a, a.Ref, ch.events()+len(ch.Update.Events))
}

// residentWords keeps a resident's words from wearing the system's
// brackets in a push (【系统通知】 reads as the account's own).
var residentWords = strings.NewReplacer("【", "〔", "】", "〕")

// ErrNotOpen: the appeal named is not open (resolved, closed, guided,
// withdrawn): a note on it would reach no one.
var ErrNotOpen = errors.New("ops: the appeal is not open")

// ErrTooManyNotes: the author has left MaxNotesPerDay notes on the appeal in
// the last 24 hours with no word from its handler since; the handler has
// them all.
var ErrTooManyNotes = errors.New("ops: too many notes on the appeal today")

// MaxNotesPerDay bounds one author's notes on one appeal in 24 hours since
// its handler last wrote to them (进展): each is a push to its handler, and
// 2,000 of them spent a worker's pushes so that a neighbour's task reached
// them as a bare card (found by an attacker). A handler's progress note
// starts the count again, so that answering the handler's questions is
// never refused.
const MaxNotesPerDay = 3

// MaxAnswerNotes bounds the notes that answer a handler's question since
// they asked (NoteRequest.Answer): residents answer in several short
// messages (found by a second user: the fourth was held).
const MaxAnswerNotes = 8

// noteLimit is how many notes an author may leave since the handler last
// wrote: more when they answer the handler's question.
func noteLimit(answer bool) int {
	if answer {
		return MaxAnswerNotes
	}
	return MaxNotesPerDay
}

// PlanNote records the author's message on their open appeal and passes it
// to its handler(s); it changes no status. The handlers' openids come back
// with the change so the chat can say who was told.
func (s *Appeals) PlanNote(ctx context.Context, r NoteRequest) (*Change, int, error) {
	ch, err := s.loadOwn(ctx, r.Community, r.Ref, r.OpenID)
	if err != nil {
		return nil, 0, err
	}
	a := ch.Appeal
	if !a.Status.Open() {
		return nil, 0, ErrNotOpen
	}
	actor, now := models.Actor{Kind: models.ActorResident, OpenID: r.OpenID}.String(), s.now().UTC()
	notes := 0
	for _, e := range ch.history {
		switch {
		case e.Action == string(models.ActProgress):
			notes = 0
		case e.Action == string(models.ActNote) && e.Actor == actor && e.At.After(now.Add(-24*time.Hour)):
			notes++
		}
	}
	if limit := noteLimit(r.Answer); notes >= limit && !r.Urgent {
		return nil, 0, ErrTooManyNotes
	}
	// One line, as the resident's words: a note cannot lay out a message that
	// reads as the system's (【系统通知】… on lines of its own; found by an
	// attacker), nor borrow the system's 【】 or reverse the text's direction
	// (U+202E; found by a second attacker).
	text := messages.Clip(strings.Join(strings.FieldsFunc(residentWords.Replace(models.TrimText(r.Text)), func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsControl(c)
	}), " "), maxNoteRunes)
	text = strings.Map(func(c rune) rune {
		if unicode.Is(unicode.Cf, c) {
			return -1
		}
		return c
	}, text)
	ch.Update.Events = append(ch.Update.Events, &models.AppealEvent{AppealID: a.ID,
		Actor: actor, Action: string(models.ActNote), FromStatus: a.Status, ToStatus: a.Status, Reason: text, At: now})
	if r.Building != "" && a.Building == "" {
		if err := s.place(ctx, ch, r.Building); err != nil {
			return nil, 0, err
		}
	}
	hs, err := s.handlers(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	// Keyed by the count of events read and the time: by the count alone two
	// notes at once (on two replicas) would share a key and one push would
	// be dropped (found by an attacker); by the time alone, two in one tick.
	stamp := strconv.Itoa(ch.events()) + "." + strconv.FormatInt(now.UnixNano(), 36)
	msg := fmt.Sprintf(s.sm.PushNoteF, a.Ref, a.Topic, text, a.Ref)
	if r.Urgent {
		msg = s.sm.UrgentMark + msg
	}
	push(&ch.Outbox, a.CommunityID, models.PushProgress, func(o string) string { return "appeal:" + a.Ref + ":note:" + stamp + ":" + o },
		msg, s.card(a, a.Ref, models.ActNote, text), hs)
	return ch, len(hs), nil
}
