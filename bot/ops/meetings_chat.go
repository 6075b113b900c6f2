package ops

import (
	"context"

	"github.com/gongzhi/gongzhi/models"
)

// PlanCall builds a meeting called by chat and its invitations at once
// (no draft): the chat commits the change in the message's turn.
func (s *Meetings) PlanCall(ctx context.Context, r MeetingRequest) (*models.MeetingChange, SendResult, error) {
	ch, err := s.create(ctx, r)
	if err != nil {
		return nil, SendResult{}, err
	}
	res, err := s.invite(ctx, ch, ch.Invitees, s.msg.InviteHead, "")
	if err != nil {
		return nil, SendResult{}, err
	}
	return ch, res, nil
}

// PlanCancel builds the cancellation of a meeting read with its invitees;
// everyone already invited is told. The reason follows Reason's rule.
func (s *Meetings) PlanCancel(ctx context.Context, by models.Actor, m *models.Meeting, ivs []*models.MeetingInvitee, reason string) (*models.MeetingChange, SendResult, error) {
	if !organises(by) {
		return nil, SendResult{}, ErrNotOrganiser
	}
	reason, err := Reason(reason)
	if err != nil {
		return nil, SendResult{}, err
	}
	ch := &models.MeetingChange{Meeting: m, ExpectVersion: m.Version}
	res, err := s.cancel(ctx, m, ivs, ch, reason)
	if err != nil {
		return nil, res, err
	}
	return ch, res, nil
}

// AnswerOutcome says what an invitee's answer came to.
type AnswerOutcome int

// The outcomes of an answer.
const (
	AnswerUnchanged  AnswerOutcome = iota // the answer recorded already (Was says which)
	AnswerAccepted                        // a seat is taken
	AnswerWaitlisted                      // full: on the waiting list at Position
	AnswerDeclined
)

// AnswerResult is an answer's outcome; Change is nil when nothing changes.
type AnswerResult struct {
	Change   *models.MeetingChange
	Outcome  AnswerOutcome
	Was      models.Answer
	Position int // place on the waiting list, from 1
}

// PlanAnswer builds an invitee's 参加 / 不参加. Seats are counted on what
// was read; the version guard makes a concurrent answer recompute this one.
// A declined seat goes to the first on the waiting list, who is told.
func (s *Meetings) PlanAnswer(ctx context.Context, inv *models.Invitation, accept bool) (AnswerResult, error) {
	m, me := inv.Meeting, *inv.Invitee
	was := me.Answer
	if (accept && (was == models.AnswerAccepted || was == models.AnswerWaitlisted)) || (!accept && was == models.AnswerDeclined) {
		return AnswerResult{Outcome: AnswerUnchanged, Was: was}, nil
	}
	t := s.now().UTC()
	me.AnsweredAt = &t
	ch := &models.MeetingChange{Meeting: m, Invitees: []*models.MeetingInvitee{&me}}
	if m.Capacity <= 0 {
		ch.AnswerOnly = true
		if accept {
			me.Answer = models.AnswerAccepted
			return AnswerResult{Change: ch, Outcome: AnswerAccepted}, nil
		}
		me.Answer = models.AnswerDeclined
		return AnswerResult{Change: ch, Outcome: AnswerDeclined}, nil
	}
	ch.ExpectVersion = m.Version
	counts, err := s.store.AnswerCounts(ctx, m.ID)
	if err != nil {
		return AnswerResult{}, err
	}
	if accept {
		me.Answer = models.Seat(m.Capacity, counts[models.AnswerAccepted])
		if me.Answer == models.AnswerWaitlisted {
			return AnswerResult{Change: ch, Outcome: AnswerWaitlisted, Position: counts[models.AnswerWaitlisted] + 1}, nil
		}
		return AnswerResult{Change: ch, Outcome: AnswerAccepted}, nil
	}
	me.Answer = models.AnswerDeclined
	if was == models.AnswerAccepted {
		next, err := s.store.FirstWaitlisted(ctx, m.ID)
		if err != nil {
			return AnswerResult{}, err
		}
		if next != nil {
			p := *next
			p.Answer = models.AnswerAccepted
			ch.Invitees = append(ch.Invitees, &p)
			text := s.promoted(m)
			if _, err := s.queue(ctx, ch, "seat", []meetingPush{{iv: &p, text: text}}, s.cardData(m)); err != nil {
				return AnswerResult{}, err
			}
		}
	}
	return AnswerResult{Change: ch, Outcome: AnswerDeclined}, nil
}

// ViewOf is the organiser's view of a meeting read with its invitees.
func (s *Meetings) ViewOf(ctx context.Context, m *models.Meeting, ivs []*models.MeetingInvitee) (*View, error) {
	return s.view(ctx, m, ivs)
}

// Card is the one text with every detail of the meeting, under head.
func (s *Meetings) Card(m *models.Meeting, head, reason string) string {
	return s.card(m, head, reason)
}
