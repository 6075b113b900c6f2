package ops

import (
	"context"
	"fmt"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// StepError is a lifecycle step the lifecycle refused: Err carries the
// code (EFORBIDDEN: not this actor's; ECONFLICT: not in this status;
// EINVALID: a step that makes no sense), Status the appeal's status then.
type StepError struct {
	Ref    string
	Status models.Status
	Action models.Action
	Err    error
}

func (e *StepError) Error() string { return e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// StepRequest is a lifecycle step asked by someone.
type StepRequest struct {
	Community string
	Ref       string
	Actor     models.Actor
	// Note is what the step says: progress, the resolution, the reason of a
	// return, an escalation or a bad rating (stored with the event).
	Note string
}

// maxNoteRunes bounds what an event keeps of a note; the chat refuses
// longer messages before they get here.
const maxNoteRunes = 500

// apply takes one lifecycle step on the change's appeal.
func (s *Appeals) apply(ch *Change, st models.Step, actor models.Actor, note string) error {
	ev, err := models.Apply(ch.Appeal, st, actor, messages.Clip(note, maxNoteRunes), s.now())
	if err != nil {
		return &StepError{Ref: ch.Appeal.Ref, Status: ch.Appeal.Status, Action: st.Action, Err: err}
	}
	ch.Update.Events = append(ch.Update.Events, ev)
	return nil
}

// staffName is the acting staff member's name for pushes ("" otherwise).
func staffName(a models.Actor) string {
	if a.Staff != nil {
		return a.Staff.Name
	}
	return ""
}

// PlanAccept is the handler's 接单: the residents are told who took it.
func (s *Appeals) PlanAccept(ctx context.Context, r StepRequest) (*Change, error) {
	ch, err := s.load(ctx, r.Community, r.Ref)
	if err != nil {
		return nil, err
	}
	if err := s.accept(ctx, ch, r.Actor); err != nil {
		return nil, err
	}
	fs, err := s.followers(ctx, ch.Appeal)
	if err != nil {
		return nil, err
	}
	a := ch.Appeal
	s.pushTo(ch, models.ActAccept, models.PushProgress, fmt.Sprintf(s.sm.PushAcceptedF, a.Ref, a.Topic, staffName(r.Actor)), staffName(r.Actor), fs)
	return ch, nil
}

// accept takes the task for actor; a committee member who takes over a
// worker's task thereby relieves the worker, who is told.
func (s *Appeals) accept(ctx context.Context, ch *Change, actor models.Actor) error {
	if err := s.apply(ch, models.Step{Action: models.ActAccept}, actor, ""); err != nil {
		return err
	}
	return s.tellRelieved(ctx, ch, actor, fmt.Sprintf(s.sm.TakenOverF, staffName(actor)))
}

// stepAccepted loads the appeal and takes act on it with the note,
// accepting the task first when it was not yet (both steps are recorded);
// it returns the change and whom to tell (the author first).
func (s *Appeals) stepAccepted(ctx context.Context, r StepRequest, act models.Action) (*Change, []string, error) {
	ch, err := s.load(ctx, r.Community, r.Ref)
	if err != nil {
		return nil, nil, err
	}
	if models.Allowed(ch.Appeal.Status, models.ActAccept) {
		if err := s.accept(ctx, ch, r.Actor); err != nil {
			return nil, nil, err
		}
	}
	if err := s.apply(ch, models.Step{Action: act}, r.Actor, r.Note); err != nil {
		return nil, nil, err
	}
	fs, err := s.followers(ctx, ch.Appeal)
	if err != nil {
		return nil, nil, err
	}
	return ch, fs, nil
}

// PlanProgress records progress (accepting the task first when it was not
// yet); the residents are told.
func (s *Appeals) PlanProgress(ctx context.Context, r StepRequest) (*Change, error) {
	ch, fs, err := s.stepAccepted(ctx, r, models.ActProgress)
	if err != nil {
		return nil, err
	}
	a, note := ch.Appeal, messages.Clip(r.Note, 200)
	if messages.ZhCNWords.Asks(r.Note) && a.OpenID != "" && len(fs) > 0 && fs[0] == a.OpenID {
		// A note that asks the author something (请问是几楼？) says they
		// may simply answer, and marks their next words as the answer (a
		// first user's answer became a new appeal with a kind question).
		// Its template card says it is a question, not 有进展 (found by a second user).
		card := s.cardOf(a, a.Ref, s.sm.CardPhrases["ask"], messages.Clip(r.Note, cardLine))
		push(&ch.Outbox, a.CommunityID, models.PushProgress, func(o string) string { return pushKey(a.Ref, models.ActProgress, ch.events(), o) },
			fmt.Sprintf(s.sm.PushAskedF, a.Ref, a.Topic, note), card, fs[:1])
		ch.Asks = append(ch.Asks, &models.Ask{OpenID: a.OpenID, Ref: a.Ref})
		fs = fs[1:]
	} else if a.OpenID != "" {
		// A note that asks nothing supersedes this appeal's question.
		ch.Asks = append(ch.Asks, &models.Ask{OpenID: a.OpenID, Was: a.Ref})
	}
	s.pushTo(ch, models.ActProgress, models.PushProgress, fmt.Sprintf(s.sm.PushProgressF, a.Ref, a.Topic, note), r.Note, fs)
	return ch, nil
}

// PlanResolve marks the appeal resolved (accepting the task first when it
// was not yet: both steps are recorded); the author is asked to rate it and
// the followers are told.
func (s *Appeals) PlanResolve(ctx context.Context, r StepRequest) (*Change, error) {
	ch, fs, err := s.stepAccepted(ctx, r, models.ActResolve)
	if err != nil {
		return nil, err
	}
	a, note := ch.Appeal, messages.Clip(r.Note, 200)
	// The card's one line says what was done, then how to rate (a first
	// user was asked to rate with nothing said of the work).
	card := rateLine(s.sm, r.Note)
	s.pushTo(ch, models.ActResolve, models.PushProgress, fmt.Sprintf(s.sm.PushResolvedAuthorF, a.Ref, a.Topic, note), card, fs[:min(1, len(fs))])
	s.pushTo(ch, models.ActResolve, models.PushProgress, fmt.Sprintf(s.sm.PushResolvedFollowerF, a.Ref, a.Topic, note), note, fs[min(1, len(fs)):])
	return ch, nil
}

// PlanReturn hands a wrongly assigned task back to the committee, who are told.
func (s *Appeals) PlanReturn(ctx context.Context, r StepRequest) (*Change, error) {
	ch, err := s.load(ctx, r.Community, r.Ref)
	if err != nil {
		return nil, err
	}
	if err := s.apply(ch, models.Step{Action: models.ActReturn}, r.Actor, r.Note); err != nil {
		return nil, err
	}
	a := ch.Appeal
	cs, err := s.committee(ctx, a.CommunityID)
	if err != nil {
		return nil, err
	}
	s.pushTo(ch, models.ActReturn, models.PushTaskAssigned,
		fmt.Sprintf(s.sm.PushReturnedF, a.Ref, a.Topic, staffName(r.Actor), messages.Clip(r.Note, 200), a.Ref), r.Note, cs)
	return ch, nil
}

// PlanEscalate moves the appeal one level up, to the next level's handler
// and time limit, and tells the new handler and the residents.
func (s *Appeals) PlanEscalate(ctx context.Context, r StepRequest) (*Change, error) {
	ch, err := s.load(ctx, r.Community, r.Ref)
	if err != nil {
		return nil, err
	}
	if err := s.escalate(ctx, ch, r.Actor, r.Note); err != nil {
		return nil, err
	}
	a := ch.Appeal
	up := a.Level
	fs, err := s.followers(ctx, a)
	if err != nil {
		return nil, err
	}
	s.pushTo(ch, models.ActEscalate, models.PushEscalation,
		fmt.Sprintf(s.sm.PushEscalatedResidentF, a.Ref, a.Topic, s.pm.LevelNames[string(up)], s.Due(a.DueAt)),
		fmt.Sprintf(s.pm.DueNoteF, s.Due(a.DueAt)), fs)
	return ch, nil
}

// escalate moves the change's appeal one level up: the next level's
// handler, its time limit from now, and the push to the new handler.
func (s *Appeals) escalate(ctx context.Context, ch *Change, actor models.Actor, note string) error {
	a := ch.Appeal
	up, ok := a.Level.Next()
	if !ok {
		return &StepError{Ref: a.Ref, Status: a.Status, Action: models.ActEscalate,
			Err: models.Errorf(models.ECONFLICT, "appeal %s is at the %s level: it cannot go higher", a.Ref, a.Level)}
	}
	next := *a
	next.Level = up
	unit := models.EscalatedUnit(a, up, s.msg.UnitDefault[string(models.KindMajor)])
	if unit != "" {
		next.Unit = unit
	}
	assignee, err := s.route(ctx, &next)
	if err != nil {
		return err
	}
	if err := s.apply(ch, models.Step{Action: models.ActEscalate, Assignee: assignee}, actor, note); err != nil {
		return err
	}
	if unit != "" {
		a.Unit = unit
		ch.Update.Retopic = true // the unit is written with the topic's columns
	}
	// The new level's time limit runs from now (else the overdue job would
	// escalate it again at once); set by the system, as the job does.
	if days, working, ok := models.TimeLimit(up); ok {
		due := s.calendar.Due(s.now(), days, working).UTC()
		if err := s.apply(ch, models.Step{Action: models.ActSetDeadline, DueAt: &due}, models.Actor{Kind: models.ActorSystem},
			fmt.Sprintf(models.ReasonTimeLimitF, up)); err != nil {
			return err
		}
	}
	if err := s.pushAssigned(ctx, &ch.Outbox, a, a.Ref, ch.events()); err != nil {
		return err
	}
	return nil
}

// RateRequest is the author's rating of a resolved appeal.
type RateRequest struct {
	Community string
	Ref       string
	OpenID    string // the resident rating: only the author may
	Satisfied bool
	Reason    string // required when not satisfied
}

// Rating refusals the chat words apart.
var (
	ErrNotResolved  = &models.Error{Code: models.ECONFLICT, Message: "only a resolved appeal can be rated"}
	ErrRatingReason = &models.Error{Code: models.EINVALID, Message: "say what is not right: a reason is required"}
)

// PlanRate is the resident's 满意 / 不满意: satisfied closes the appeal,
// unsatisfied reopens it and tells its handler and the committee. Someone
// else's appeal is not found.
func (s *Appeals) PlanRate(ctx context.Context, r RateRequest) (*Change, error) {
	ch, err := s.loadOwn(ctx, r.Community, r.Ref, r.OpenID)
	if err != nil {
		return nil, err
	}
	a := ch.Appeal
	switch {
	case a.Status != models.StatusResolved:
		return nil, &StepError{Ref: a.Ref, Status: a.Status, Action: models.ActRateSatisfied, Err: ErrNotResolved}
	case !r.Satisfied && models.TrimText(r.Reason) == "":
		return nil, ErrRatingReason
	}
	act := models.ActRateSatisfied
	if !r.Satisfied {
		act = models.ActRateUnsatisfied
	}
	if err := s.apply(ch, models.Step{Action: act}, models.Actor{Kind: models.ActorResident, OpenID: r.OpenID}, r.Reason); err != nil {
		return nil, err
	}
	hs, err := s.handlers(ctx, a)
	if err != nil {
		return nil, err
	}
	if r.Satisfied {
		s.pushTo(ch, act, models.PushProgress, fmt.Sprintf(s.sm.PushSatisfiedF, a.Ref, a.Topic), "", hs)
		return ch, nil
	}
	// An answered enquiry whose answer did not help becomes an ordinary
	// appeal: it goes to the level its item is handled at, with its limit.
	if s.isAnsweredEnquiry(a) {
		if err := s.escalate(ctx, ch, models.Actor{Kind: models.ActorSystem}, r.Reason); err != nil {
			return nil, err
		}
		if hs, err = s.handlers(ctx, a); err != nil {
			return nil, err
		}
	}
	cs, err := s.committee(ctx, a.CommunityID)
	if err != nil {
		return nil, err
	}
	s.pushTo(ch, act, models.PushProgress, fmt.Sprintf(s.sm.PushUnsatisfiedF, a.Ref, a.Topic, messages.Clip(r.Reason, 200)), r.Reason, hs, cs)
	return ch, nil
}

// commit stores a planned change at once (the API's and the console's form).
func (s *Appeals) commit(ctx context.Context, ch *Change, err error) (*Change, error) {
	if err != nil {
		return nil, err
	}
	if err := s.Commit(ctx, ch); err != nil {
		return nil, err
	}
	return ch, nil
}

// Accept takes a task and stores it at once.
func (s *Appeals) Accept(ctx context.Context, r StepRequest) (*Change, error) {
	ch, err := s.PlanAccept(ctx, r)
	return s.commit(ctx, ch, err)
}

// Progress records progress and stores it at once.
func (s *Appeals) Progress(ctx context.Context, r StepRequest) (*Change, error) {
	ch, err := s.PlanProgress(ctx, r)
	return s.commit(ctx, ch, err)
}

// Resolve marks an appeal resolved and stores it at once.
func (s *Appeals) Resolve(ctx context.Context, r StepRequest) (*Change, error) {
	ch, err := s.PlanResolve(ctx, r)
	return s.commit(ctx, ch, err)
}

// Return hands a task back to the committee and stores it at once.
func (s *Appeals) Return(ctx context.Context, r StepRequest) (*Change, error) {
	ch, err := s.PlanReturn(ctx, r)
	return s.commit(ctx, ch, err)
}

// Escalate moves an appeal one level up and stores it at once.
func (s *Appeals) Escalate(ctx context.Context, r StepRequest) (*Change, error) {
	ch, err := s.PlanEscalate(ctx, r)
	return s.commit(ctx, ch, err)
}

// Rate records the author's rating and stores it at once.
func (s *Appeals) Rate(ctx context.Context, r RateRequest) (*Change, error) {
	ch, err := s.PlanRate(ctx, r)
	return s.commit(ctx, ch, err)
}
