package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// load reads a meeting and its invitees for a change.
func (s *Meetings) load(ctx context.Context, communityID string, id uint64) (*models.Meeting, []*models.MeetingInvitee, error) {
	m, err := s.store.MeetingByID(ctx, communityID, id)
	if err != nil {
		return nil, nil, err
	}
	ivs, err := s.store.MeetingInvitees(ctx, m.ID)
	if err != nil {
		return nil, nil, err
	}
	return m, ivs, nil
}

// apply runs build on a fresh read of the meeting and stores its change,
// again from a fresh read when the meeting changed meanwhile.
func (s *Meetings) apply(ctx context.Context, communityID string, id uint64,
	build func(m *models.Meeting, ivs []*models.MeetingInvitee, ch *models.MeetingChange) (SendResult, error)) (*models.Meeting, SendResult, error) {
	for attempt := 1; ; attempt++ {
		m, ivs, err := s.load(ctx, communityID, id)
		if err != nil {
			return nil, SendResult{}, err
		}
		ch := &models.MeetingChange{Meeting: m, ExpectVersion: m.Version}
		res, err := build(m, ivs, ch)
		if err != nil {
			return nil, res, err
		}
		err = s.store.ApplyMeetingChange(ctx, ch)
		if errors.Is(err, models.ErrStale) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, res, err
		}
		if len(ch.Outbox) > 0 {
			s.notify()
		}
		return m, res, nil
	}
}

// Broadcast sends the invitations not sent yet (idempotent).
func (s *Meetings) Broadcast(ctx context.Context, by models.Actor, communityID string, id uint64) (*models.Meeting, SendResult, error) {
	if !organises(by) {
		return nil, SendResult{}, ErrNotOrganiser
	}
	return s.apply(ctx, communityID, id, func(m *models.Meeting, ivs []*models.MeetingInvitee, ch *models.MeetingChange) (SendResult, error) {
		if !m.Changeable() {
			return SendResult{}, ErrMeetingFixed
		}
		if !m.StartsAt.After(s.now()) {
			return SendResult{}, ErrMeetingPast
		}
		head := s.msg.InviteHead
		if m.Status == models.MeetingRescheduled {
			head = s.msg.RescheduleHead
		}
		return s.invite(ctx, ch, ivs, head, "")
	})
}

// Rescheduling is a reschedule: a new time and/or venue, with the reason.
type Rescheduling struct {
	StartsAt *time.Time
	Venue    *string
	Reason   string
}

// Reschedule moves a meeting; every invitee is told (a new card with the
// new revision), pending invitations and reminders of the old time are
// dropped, and reminders follow the new time.
func (s *Meetings) Reschedule(ctx context.Context, by models.Actor, communityID string, id uint64, c Rescheduling) (*models.Meeting, SendResult, error) {
	if !organises(by) {
		return nil, SendResult{}, ErrNotOrganiser
	}
	reason, err := Reason(c.Reason)
	if err != nil {
		return nil, SendResult{}, err
	}
	if c.StartsAt == nil && c.Venue == nil {
		return nil, SendResult{}, models.Errorf(models.EINVALID, "give starts_at and/or venue to change")
	}
	return s.apply(ctx, communityID, id, func(m *models.Meeting, ivs []*models.MeetingInvitee, ch *models.MeetingChange) (SendResult, error) {
		if !m.Changeable() {
			return SendResult{}, ErrMeetingFixed
		}
		changed := false
		if c.StartsAt != nil {
			if !c.StartsAt.After(s.now()) {
				return SendResult{}, ErrMeetingPast
			}
			changed = changed || !c.StartsAt.Equal(m.StartsAt)
			m.StartsAt = c.StartsAt.UTC()
		}
		if c.Venue != nil {
			v := models.TrimText(*c.Venue)
			if v == "" || utf8.RuneCountInString(v) > MaxVenueRunes {
				return SendResult{}, models.Errorf(models.EINVALID, "venue: want 1 to %d characters", MaxVenueRunes)
			}
			changed = changed || v != m.Venue
			m.Venue = v
		}
		if !changed {
			return SendResult{}, models.Errorf(models.ECONFLICT, "the meeting already has this time and venue")
		}
		ch.DropPending = []string{fmt.Sprintf("meeting:%d:invite:", m.ID), fmt.Sprintf("meet:%s:", ReminderID(m))}
		m.Revision++
		m.Reason = reason
		if m.Status == models.MeetingDraft {
			return SendResult{}, nil // nobody was told yet: the broadcast will carry the new time
		}
		m.Status = models.MeetingRescheduled
		return s.invite(ctx, ch, ivs, s.msg.RescheduleHead, reason)
	})
}

// ReminderID is the meeting's id for reminder keys: its revision is part of
// it, so reminders of an old time never count for the new one.
func ReminderID(m *models.Meeting) string { return fmt.Sprintf("%d.r%d", m.ID, m.Revision) }

// Cancel cancels a meeting; everyone already invited is told.
func (s *Meetings) Cancel(ctx context.Context, by models.Actor, communityID string, id uint64, reason string) (*models.Meeting, SendResult, error) {
	if !organises(by) {
		return nil, SendResult{}, ErrNotOrganiser
	}
	reason, err := Reason(reason)
	if err != nil {
		return nil, SendResult{}, err
	}
	return s.apply(ctx, communityID, id, func(m *models.Meeting, ivs []*models.MeetingInvitee, ch *models.MeetingChange) (SendResult, error) {
		return s.cancel(ctx, m, ivs, ch, reason)
	})
}

func (s *Meetings) cancel(ctx context.Context, m *models.Meeting, ivs []*models.MeetingInvitee, ch *models.MeetingChange, reason string) (SendResult, error) {
	if !m.Changeable() {
		return SendResult{}, ErrMeetingFixed
	}
	ch.DropPending = []string{fmt.Sprintf("meeting:%d:", m.ID), fmt.Sprintf("meet:%d.r", m.ID)}
	m.Status, m.Reason = models.MeetingCancelled, reason
	text := fmt.Sprintf(s.msg.CancelledF, m.Code, m.Topic, s.When(m.StartsAt), reason)
	var ps []meetingPush
	for _, iv := range ivs {
		if iv.InvitedRev > 0 && iv.OpenID != "" {
			ps = append(ps, meetingPush{iv: iv, text: text})
		}
	}
	return s.queue(ctx, ch, "cancel", ps, map[string]string{"thing1": m.Topic,
		// The card says it is cancelled, not only why (found by a first user).
		"thing2": messages.Clip(fmt.Sprintf(s.msg.CancelCardF, reason), cardLine)})
}

// OutcomeRequest is the decision recorded after a meeting.
type OutcomeRequest struct {
	Minutes     string
	Measures    string
	Assignments []models.Assignment
	Funding     []models.Funding
	AppealsNext string // keep (default), assign, resolve
	Assignee    string // for assign: a staff id or a bound openid
	Actor       models.Actor
}

// Outcome records the decision, sends it to every invitee and moves the
// linked appeals on (an event each; assigned or resolved as decided).
func (s *Meetings) Outcome(ctx context.Context, communityID string, id uint64, r OutcomeRequest) (*models.Meeting, SendResult, error) {
	r.Minutes, r.Measures = models.TrimText(r.Minutes), models.TrimText(r.Measures)
	switch {
	case r.Minutes == "" || utf8.RuneCountInString(r.Minutes) > 2000:
		return nil, SendResult{}, models.Errorf(models.EINVALID, "minutes: required, at most 2000 characters")
	case r.Measures == "" || utf8.RuneCountInString(r.Measures) > 500:
		return nil, SendResult{}, models.Errorf(models.EINVALID, "measures: required, at most 500 characters")
	}
	for _, a := range r.Assignments {
		if models.TrimText(a.Who) == "" || models.TrimText(a.What) == "" {
			return nil, SendResult{}, models.Errorf(models.EINVALID, "assignments: each needs who and what")
		}
	}
	for _, f := range r.Funding {
		if models.TrimText(f.Source) == "" || f.Amount < 0 {
			return nil, SendResult{}, models.Errorf(models.EINVALID, "funding: each needs a source and an amount ≥ 0")
		}
	}
	switch r.AppealsNext {
	case "":
		r.AppealsNext = models.AppealsKeep
	case models.AppealsKeep, models.AppealsResolve:
	case models.AppealsAssign:
		if r.Assignee == "" {
			return nil, SendResult{}, models.Errorf(models.EINVALID, "appeals_next assign needs an assignee (staff id or bound openid)")
		}
		a, err := s.store.ResolveAssignee(ctx, communityID, r.Assignee)
		if err != nil {
			return nil, SendResult{}, err
		}
		r.Assignee = a
	default:
		return nil, SendResult{}, models.Errorf(models.EINVALID, "appeals_next %q: want keep, assign or resolve", r.AppealsNext)
	}
	if !organises(r.Actor) {
		return nil, SendResult{}, ErrNotOrganiser
	}
	return s.apply(ctx, communityID, id, func(m *models.Meeting, ivs []*models.MeetingInvitee, ch *models.MeetingChange) (SendResult, error) {
		now := s.now()
		if m.Status != models.MeetingInvited && m.Status != models.MeetingRescheduled {
			if m.Status == models.MeetingDraft {
				return SendResult{}, models.Errorf(models.ECONFLICT, "the meeting was never broadcast: nobody was invited")
			}
			return SendResult{}, ErrMeetingFixed
		}
		if now.Before(m.StartsAt) {
			return SendResult{}, ErrMeetingNotBegun
		}
		out := models.MeetingOutcome{Minutes: r.Minutes, Measures: r.Measures, Assignments: r.Assignments,
			Funding: r.Funding, AppealsNext: r.AppealsNext, Assignee: r.Assignee, RecordedAt: now.UTC(), RecordedBy: r.Actor.String()}
		b, err := json.Marshal(out)
		if err != nil {
			return SendResult{}, fmt.Errorf("outcome: %w", err)
		}
		m.Outcome, m.Status = string(b), models.MeetingHeld
		if err := s.moveAppeals(ctx, m, r, ch, now); err != nil {
			return SendResult{}, err
		}
		text := s.outcomeText(m, out)
		var ps []meetingPush
		for _, iv := range ivs {
			if iv.OpenID != "" {
				ps = append(ps, meetingPush{iv: iv, text: text})
			}
		}
		return s.queue(ctx, ch, "outcome", ps, map[string]string{"thing1": m.Topic, "thing2": messages.Clip(r.Measures, 20)})
	})
}

func (s *Meetings) outcomeText(m *models.Meeting, o models.MeetingOutcome) string {
	var as, fs []string
	for _, a := range o.Assignments {
		as = append(as, fmt.Sprintf(s.msg.AssignmentF, a.Who, a.What))
	}
	for _, f := range o.Funding {
		fs = append(fs, fmt.Sprintf(s.msg.FundingF, f.Source, strconv.FormatFloat(f.Amount, 'f', -1, 64)))
	}
	join := func(xs []string) string {
		if len(xs) == 0 {
			return s.msg.NoneLine
		}
		return strings.Join(xs, "；")
	}
	return fmt.Sprintf(s.msg.OutcomeF, m.Code, m.Topic, o.Minutes, o.Measures, join(as), join(fs))
}

// moveAppeals adds the decision to each linked appeal and takes the step decided.
func (s *Meetings) moveAppeals(ctx context.Context, m *models.Meeting, r OutcomeRequest, ch *models.MeetingChange, now time.Time) error {
	reason := fmt.Sprintf(s.msg.AppealDecisionF, m.Code, messages.Clip(r.Minutes, 200), r.Measures)
	for _, ref := range m.LinkedAppeals() {
		a, err := s.store.AppealByRef(ctx, m.CommunityID, ref)
		if err != nil {
			if models.ErrorCode(err) == models.ENOTFOUND {
				continue // a linked appeal that is gone has nothing to move
			}
			return err
		}
		before := a.Status
		ev := &models.AppealEvent{AppealID: a.ID, Actor: r.Actor.String(), Action: string(models.ActMeetingDecision),
			FromStatus: before, ToStatus: before, Reason: reason, At: now.UTC()}
		var step *models.AppealEvent
		switch r.AppealsNext {
		case models.AppealsAssign:
			act := models.ActAssign
			if !models.Allowed(a.Status, act) {
				act = models.ActReassign
			}
			if models.Allowed(a.Status, act) && a.Assignee != r.Assignee {
				step, err = models.Apply(a, models.Step{Action: act, Assignee: r.Assignee}, r.Actor, reason, now)
			}
		case models.AppealsResolve:
			if models.Allowed(a.Status, models.ActResolve) {
				step, err = models.Transition(a, models.ActResolve, r.Actor, reason, now)
			}
		}
		if err != nil {
			return err
		}
		evs := []*models.AppealEvent{ev}
		if step != nil {
			evs = append(evs, step)
		}
		ch.AppealUpdates = append(ch.AppealUpdates, &models.AppealUpdate{Appeal: a, ExpectStatus: before, Events: evs})
		if a.Status == models.StatusResolved && before != models.StatusResolved {
			// Resolved by the meeting: its author hears the decision and is
			// asked to rate, as after a handler's 办结 (found by a first
			// user: the author got only the measures, and no rating asked).
			if err := s.tellResolved(ctx, ch, m, a, r.Minutes); err != nil {
				return err
			}
		}
	}
	return nil
}

// tellResolved pushes a meeting's decision on an appeal it resolved to the
// appeal's author (asked to rate) and those who said "me too".
func (s *Meetings) tellResolved(ctx context.Context, ch *models.MeetingChange, m *models.Meeting, a *models.Appeal, decision string) error {
	fs, err := s.store.Followers(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("followers: %w", err)
	}
	var others []string
	for _, f := range fs {
		if f.OpenID != a.OpenID {
			others = append(others, f.OpenID)
		}
	}
	sm, note := &messages.ZhCNStaff, messages.Clip(decision, 200)
	key := func(o string) string { return "appeal:" + a.Ref + ":meeting:" + m.Code + ":resolve:" + o }
	at := s.now().In(s.loc).Format(messages.ZhCNPush.TimeLayout)
	// The template card, when the chat window is closed: resolved, the decision's start, and how to rate.
	card := models.AppealCard(a.Topic, a.Ref, sm.CardPhrases[string(models.ActResolve)], rateLine(sm, decision), at)
	push(&ch.Outbox, a.CommunityID, models.PushProgress, key, fmt.Sprintf(sm.PushResolvedAuthorF, a.Ref, a.Topic, note), card, []string{a.OpenID})
	push(&ch.Outbox, a.CommunityID, models.PushProgress, key, fmt.Sprintf(sm.PushResolvedFollowerF, a.Ref, a.Topic, note),
		models.AppealCard(a.Topic, a.Ref, sm.CardPhrases[string(models.ActResolve)], messages.Clip(decision, cardLine), at), others)
	return nil
}

// RaiseRequest takes a matter one level up.
type RaiseRequest struct {
	Level    string
	StartsAt time.Time
	Venue    string
	Capacity int
	Invitees *InviteeSpec // nil: the first meeting's invitees and the residents of the new level
	By       models.Actor
}

// Raise calls a meeting at a higher level on the same matter, linked to the
// first (a draft; broadcast it to send the invitations).
func (s *Meetings) Raise(ctx context.Context, communityID string, id uint64, r RaiseRequest) (*models.Meeting, error) {
	parent, ivs, err := s.load(ctx, communityID, id)
	if err != nil {
		return nil, err
	}
	if parent.Status == models.MeetingCancelled {
		return nil, ErrMeetingFixed
	}
	lvl, err := models.ParseMeetingLevel(r.Level)
	if err != nil {
		return nil, err
	}
	if lvl.Rank() <= parent.Level.Rank() {
		return nil, models.Errorf(models.EINVALID, "level %s is not above the first meeting's level %s", lvl, parent.Level)
	}
	req := MeetingRequest{CommunityID: communityID, Topic: parent.Topic, Level: string(lvl), StartsAt: r.StartsAt,
		Venue: r.Venue, Capacity: r.Capacity, AppealRefs: parent.LinkedAppeals(), By: r.By,
		ParentID: parent.ID}
	if r.Invitees != nil {
		req.Invitees = *r.Invitees
	} else {
		if lvl == models.MeetingCommunity {
			req.Invitees.Community = true
		} else if c := s.directory.Community(communityID); c != nil {
			for _, b := range models.SplitList(parent.Buildings) {
				if g := c.GridOf(b); g != nil && !slices.Contains(req.Invitees.Grids, g.ID) {
					req.Invitees.Grids = append(req.Invitees.Grids, g.ID)
				}
			}
			req.Invitees.Grids = append(req.Invitees.Grids, models.SplitList(parent.Grids)...)
		}
		for _, iv := range ivs {
			if iv.OpenID != "" {
				req.Invitees.OpenIDs = append(req.Invitees.OpenIDs, iv.OpenID)
			} else if iv.StakeholderID != 0 {
				req.Invitees.Stakeholders = append(req.Invitees.Stakeholders, iv.StakeholderID)
			}
		}
	}
	return s.Create(ctx, req)
}

// View is a meeting with its invitees, the counts and whom to phone.
type View struct {
	Meeting     *models.Meeting
	Invitees    []*models.MeetingInvitee
	Counts      map[models.Answer]int
	Unreachable []*models.MeetingInvitee
	Outcome     *models.MeetingOutcome
}

// Get returns the organiser's view of a meeting.
func (s *Meetings) Get(ctx context.Context, communityID string, id uint64) (*View, error) {
	m, ivs, err := s.load(ctx, communityID, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, m, ivs)
}

func (s *Meetings) view(ctx context.Context, m *models.Meeting, ivs []*models.MeetingInvitee) (*View, error) {
	failed, err := s.store.MeetingFailedPushes(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	v := &View{Meeting: m, Invitees: ivs, Counts: models.CountAnswers(ivs)}
	for _, iv := range ivs {
		if iv.Unreachable != "" {
			v.Unreachable = append(v.Unreachable, iv)
		} else if iv.OpenID != "" && slices.Contains(failed, iv.OpenID) {
			cp := *iv
			cp.Unreachable = "push_failed"
			v.Unreachable = append(v.Unreachable, &cp)
		}
	}
	if m.Outcome != "" {
		var o models.MeetingOutcome
		if json.Unmarshal([]byte(m.Outcome), &o) == nil {
			v.Outcome = &o
		}
	}
	return v, nil
}

// Reminded returns the openids a reminder of the meeting goes to: those who
// accepted, and the undecided too when undecided is set.
func Reminded(ivs []*models.MeetingInvitee, undecided bool) []string {
	var out []string
	for _, iv := range ivs {
		if iv.OpenID != "" && (iv.Answer == models.AnswerAccepted || (undecided && iv.Answer == models.AnswerPending)) {
			out = append(out, iv.OpenID)
		}
	}
	return out
}
