package ops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// MaxReasonRunes bounds the reason of a revision and of a meeting's change.
const MaxReasonRunes = 200

// Reason refusals, the same for every surface.
var (
	ErrReasonRequired  = &models.Error{Code: models.EINVALID, Message: "reason is required: say why"}
	ErrReasonTooLong   = &models.Error{Code: models.EINVALID, Message: "reason is too long: at most 200 characters"}
	ErrNothingToRevise = &models.Error{Code: models.EINVALID,
		Message: "nothing to change: give kind, level, topic, assignee or due_at"}
	// ErrSameKind: the appeal is of that kind and level already.
	ErrSameKind = &models.Error{Code: models.ECONFLICT, Message: "the appeal is of this kind and level already"}
	// ErrTopicKind: the matter chosen is of another kind than the one given.
	ErrTopicKind = &models.Error{Code: models.EINVALID, Message: "the matter is of another kind"}
)

// Reason checks a reason by the one rule: required, trimmed, at most
// MaxReasonRunes characters. A longer one is refused, never clipped.
func Reason(s string) (string, error) {
	s = models.TrimText(s)
	switch {
	case s == "":
		return "", ErrReasonRequired
	case utf8.RuneCountInString(s) > MaxReasonRunes:
		return "", ErrReasonTooLong
	}
	return s, nil
}

// Revision is the committee's change of an appeal; nil or empty fields keep
// what the appeal has.
type Revision struct {
	Community string
	Ref       string
	Actor     models.Actor // a committee member or an administrator
	Kind      models.Kind
	Level     models.Level
	// Assignee is a staff id, a bound staff member's openid or a role
	// placeholder; nil keeps the handler (but see Reroute).
	Assignee *string
	// Reroute sends a reclassified appeal where its new kind goes when no
	// Assignee is given: a private matter is guided, any other assigned to
	// the new kind's handler (the chat's 改类). Without it the handler stays.
	Reroute bool
	// TopicID is the matter the committee chose (a catalog item's id; ""
	// lets the new kind pick one, retopic). Its kind is the kind: a Kind
	// given with it must be the same.
	TopicID string
	DueAt   *time.Time
	Reason  string // required: see Reason
}

// LevelFor is the level a reclassification to kind implies: private is the
// resident's own, small the community's, major the street's (a district
// matter stays at the district).
func LevelFor(kind models.Kind, current models.Level) models.Level {
	switch kind {
	case models.KindPrivate:
		return models.LevelSelf
	case models.KindMajor:
		if current == models.LevelDistrict {
			return current
		}
		return models.LevelStreet
	}
	return models.LevelCommunity
}

// PlanRevise builds a revision: reclassify (and with Reroute guide a
// private matter or route any other to its new handler), reassign, set the
// deadline; each change is an event with the reason, and
// a new handler is told. Bad input is an EINVALID error; a refused step a
// *StepError.
func (s *Appeals) PlanRevise(ctx context.Context, r Revision) (*Change, error) {
	reason, err := Reason(r.Reason)
	if err != nil {
		return nil, err
	}
	if r.Kind == "" && r.Level == "" && r.Assignee == nil && r.DueAt == nil && r.TopicID == "" {
		return nil, ErrNothingToRevise
	}
	var topic *triage.Item
	kindOfTopic := false // the kind is the chosen matter's: its level follows
	if r.TopicID != "" {
		if topic = s.Item(r.TopicID); topic == nil {
			return nil, models.Errorf(models.EINVALID, "matter %q is not in the catalog", r.TopicID)
		}
		switch {
		case r.Kind == "":
			r.Kind, kindOfTopic = topic.Kind, true
		case r.Kind != topic.Kind:
			return nil, fmt.Errorf("%w: %s is %s, not %s", ErrTopicKind, topic.ID, topic.Kind, r.Kind)
		}
	}
	if r.DueAt != nil {
		if err := models.CheckDeadline(*r.DueAt, s.now()); err != nil {
			return nil, err
		}
	}
	ch, err := s.load(ctx, r.Community, r.Ref)
	if err != nil {
		return nil, err
	}
	a := ch.Appeal
	if kindOfTopic && r.Level == "" {
		r.Level = LevelFor(r.Kind, a.Level)
	}
	var assignee string
	if r.Assignee != nil {
		if s.staff == nil {
			return nil, models.Errorf(models.EINVALID, "assignee %q: no staff are known", *r.Assignee)
		}
		if assignee, err = s.staff.ResolveAssignee(ctx, a.CommunityID, *r.Assignee); err != nil {
			return nil, err
		}
	}
	assigned := false
	if a.Status == models.StatusReview && a.Kind == models.KindPrivate && r.Kind == models.KindPrivate &&
		(r.Level == "" || r.Level == a.Level) && r.Assignee == nil && r.DueAt == nil {
		// The committee keeps a disputed private matter private (the review's
		// other answer; before, "it is private already" left it in review for
		// good; found by a second user): guided again, the resident told why.
		if err := s.apply(ch, models.Step{Action: models.ActGuide}, r.Actor, reason); err != nil {
			return nil, err
		}
		if err := s.tellRevised(ctx, ch, reason); err != nil {
			return nil, err
		}
		return ch, nil
	}
	if r.Kind != "" || r.Level != "" {
		newTopic := topic != nil && topic.ID != a.TopicID
		if (r.Kind == "" || r.Kind == a.Kind) && (r.Level == "" || r.Level == a.Level) && !newTopic {
			return nil, &StepError{Ref: a.Ref, Status: a.Status, Action: models.ActReclassify, Err: ErrSameKind}
		}
		step := models.Step{Action: models.ActReclassify, Kind: r.Kind, Level: r.Level}
		if newTopic {
			step.TopicID = topic.ID
		}
		if err := s.apply(ch, step, r.Actor, reason); err != nil {
			return nil, err
		}
		if newTopic {
			s.setTopic(ch, topic)
		} else if r.Kind != "" && r.Kind != ch.Before.Kind {
			s.retopic(ch)
		}
		if r.Kind != "" && r.Kind != ch.Before.Kind {
			ch.Update.LearningVotes = s.correctionVotes(a, r.Kind) // a correction teaches the community's words
			s.noteLearned(ch)
		}
		// A new kind goes where that kind goes; a new matter of the same
		// kind where its unit is (a major matter's department).
		if r.Reroute && r.Assignee == nil && (r.Kind != ch.Before.Kind || a.Unit != ch.Before.Unit) {
			if assigned, err = s.reroute(ctx, ch, r.Actor, reason); err != nil {
				return nil, err
			}
		}
	}
	if r.Assignee != nil {
		act := models.ActReassign
		if models.Allowed(a.Status, models.ActAssign) {
			act = models.ActAssign
		}
		if err := s.apply(ch, models.Step{Action: act, Assignee: assignee}, r.Actor, reason); err != nil {
			return nil, err
		}
		assigned = true
	}
	if r.DueAt != nil {
		if err := s.apply(ch, models.Step{Action: models.ActSetDeadline, DueAt: r.DueAt}, r.Actor, reason); err != nil {
			return nil, err
		}
	}
	if assigned {
		ch.AssigneeName = s.assigneeName(ctx, a)
		if err := s.pushAssigned(ctx, &ch.Outbox, a, a.Ref, ch.events()); err != nil {
			return nil, err
		}
		if r.Actor.Staff != nil { // who gives a task to themselves needs no push of it (found by a user)
			ch.Outbox = slices.DeleteFunc(ch.Outbox, func(o *models.OutboxMessage) bool {
				return o.Type == models.PushTaskAssigned && o.OpenID == r.Actor.Staff.OpenID
			})
		}
	}
	if err := s.tellRelieved(ctx, ch, r.Actor, reason); err != nil {
		return nil, err
	}
	if err := s.tellRevised(ctx, ch, reason); err != nil {
		return nil, err
	}
	return ch, nil
}

// tellRelieved tells the staff who handled the appeal before a revision,
// and no longer do, that they need not go on with it (their 我的任务 no
// longer lists it; found by a second user: tasks just disappeared).
func (s *Appeals) tellRelieved(ctx context.Context, ch *Change, actor models.Actor, reason string) error {
	a, b := ch.Appeal, &ch.Before
	if b.Assignee == "" || b.Assignee == a.Assignee {
		return nil
	}
	before, err := s.handlers(ctx, b)
	if err != nil {
		return err
	}
	now, err := s.handlers(ctx, a)
	if err != nil {
		return err
	}
	self := ""
	if actor.Staff != nil {
		self = actor.Staff.OpenID // who made the change needs no notice of it (found by a first user)
	}
	var gone []string
	for _, o := range before {
		if o != self && !slices.Contains(now, o) {
			gone = append(gone, o)
		}
	}
	format := s.sm.PushRelievedF
	if a.Status == models.StatusGuided {
		format = s.sm.PushRelievedGuidedF // nobody else handles it: it became the resident's own matter
	}
	s.pushTo(ch, models.ActReassign, models.PushTaskAssigned,
		fmt.Sprintf(format, a.Ref, a.Topic, messages.Clip(reason, 200)), reason, gone)
	return nil
}

// tellRevised tells the resident (and those who said "me too") in plain
// words what a revision changed: the kind, the handler, the deadline.
func (s *Appeals) tellRevised(ctx context.Context, ch *Change, reason string) error {
	a, b, sm := ch.Appeal, &ch.Before, s.sm
	var parts []string
	switch {
	case a.Status == models.StatusGuided && b.Status == models.StatusReview && a.Kind == b.Kind:
		parts = append(parts, sm.ReviewKeptPrivate)
	case a.Status == models.StatusGuided && b.Status != models.StatusGuided:
		parts = append(parts, sm.RevisedGuided)
		// The guidance itself, as a private appeal gets it at intake (a
		// first user was told to follow a guide that never came).
		if g := strings.TrimRight(s.guideFor(a), "。"); g != "" {
			parts = append(parts, fmt.Sprintf(sm.RevisedGuideF, g)) // the push ends the part with 。
		}
	case a.Kind != b.Kind || a.Level != b.Level:
		parts = append(parts, fmt.Sprintf(sm.RevisedKindF, s.msg.KindNames[string(a.Kind)], s.pm.LevelNames[string(a.Level)]))
	}
	if a.Topic != b.Topic && a.Kind == b.Kind {
		parts = append(parts, fmt.Sprintf(sm.RevisedTopicF, a.Topic))
	}
	if a.Assignee != b.Assignee && a.Assignee != "" {
		parts = append(parts, fmt.Sprintf(sm.RevisedHandlerF, s.assigneeName(ctx, a)))
	}
	if a.DueAt != nil && (b.DueAt == nil || !a.DueAt.Equal(*b.DueAt)) {
		parts = append(parts, fmt.Sprintf(sm.RevisedDueF, s.Due(a.DueAt)))
	}
	if len(parts) == 0 {
		return nil
	}
	fs, err := s.followers(ctx, a)
	if err != nil {
		return err
	}
	s.pushTo(ch, models.ActReclassify, models.PushProgress,
		fmt.Sprintf(sm.PushRevisedF, a.Ref, a.Topic, strings.Join(parts, sm.RevisedSep), messages.Clip(reason, 200)),
		strings.Join(parts, sm.RevisedSep), fs)
	return nil
}

// reroute sends a reclassified appeal where its new kind goes: a private
// matter is guided, any other is assigned to the new kind's handler.
func (s *Appeals) reroute(ctx context.Context, ch *Change, actor models.Actor, reason string) (bool, error) {
	a := ch.Appeal
	if a.Kind == models.KindPrivate {
		if models.Allowed(a.Status, models.ActGuide) {
			return false, s.apply(ch, models.Step{Action: models.ActGuide}, actor, reason)
		}
		return false, nil
	}
	to, err := s.route(ctx, a)
	if err != nil {
		return false, err
	}
	urgent := messages.Urgent(a.Description)
	if _, nobody := models.PlaceholderRole(to); urgent && nobody && a.Assignee != "" {
		if _, waiting := models.PlaceholderRole(a.Assignee); !waiting {
			// Danger now: the person on it stays rather than a role nobody
			// holds (found by a second user: a gas leak made 大事 left its
			// grid worker for "any liaison", with none bound).
			return false, nil
		}
	}
	act, ok := assignAction(a)
	if !ok || (act == models.ActReassign && to == a.Assignee) {
		return false, nil
	}
	if err := s.apply(ch, models.Step{Action: act, Assignee: to}, actor, reason); err != nil {
		return false, err
	}
	// A time limit runs from now, set by the system as on escalation; an
	// urgent appeal keeps a sooner one (it was due within a day).
	if due, why, ok := s.rerouteDue(a); ok && !(urgent && a.DueAt != nil && due.After(*a.DueAt)) {
		if err := s.apply(ch, models.Step{Action: models.ActSetDeadline, DueAt: &due}, models.Actor{Kind: models.ActorSystem},
			why); err != nil {
			return false, err
		}
	}
	// The residents learn where it went from tellRevised: one message for
	// the whole revision (kind, handler, deadline, reason).
	return true, nil
}

// rerouteDue is the deadline of a rerouted appeal, from now, and the
// reason the system gives: its matter's own time limit when the matter is
// of the new kind and at the new level (消防通道 made small is 24 hours, as
// at intake), else the new level's.
func (s *Appeals) rerouteDue(a *models.Appeal) (time.Time, string, bool) {
	now := s.now()
	if it := s.Item(a.TopicID); it != nil && it.Kind == a.Kind && (it.Duration > 0 || it.Days > 0) {
		if r := s.plan(a.Kind, it, nil, now); r.level == a.Level && r.due != nil {
			return *r.due, models.ReasonMatterLimit, true
		}
	}
	days, working, ok := models.TimeLimit(a.Level)
	if !ok {
		return time.Time{}, "", false
	}
	return s.calendar.Due(now, days, working).UTC(), fmt.Sprintf(models.ReasonTimeLimitF, a.Level), true
}

// HandlerName names who handles a for a resident: the staff member's
// name, or the role's when a role holds it.
func (s *Appeals) HandlerName(ctx context.Context, a *models.Appeal) string {
	return s.assigneeName(ctx, a)
}

// assigneeName names an appeal's handler as people know them.
func (s *Appeals) assigneeName(ctx context.Context, a *models.Appeal) string {
	if id, ok := models.ParseStaffRef(a.Assignee); ok && s.staff != nil {
		if st, err := s.staff.StaffByID(ctx, a.CommunityID, id); err == nil {
			return st.Name
		}
	} else if r, ok := models.PlaceholderRole(a.Assignee); ok {
		return s.sm.RoleNames[string(r)]
	}
	return a.Assignee
}

// Revise revises an appeal and stores it at once with its pushes.
func (s *Appeals) Revise(ctx context.Context, r Revision) (*Change, error) {
	ch, err := s.PlanRevise(ctx, r)
	return s.commit(ctx, ch, err)
}

// IsSameKind reports a revision refused because nothing would change.
func IsSameKind(err error) bool { return errors.Is(err, ErrSameKind) }

// retopic gives an appeal whose kind changed a topic of its new kind: the
// matter of that kind its text names (楼下火锅店油烟 made major is 餐饮油烟);
// failing that, a named public matter keeps its name between small and major
// (it still says what the appeal is about) under the new kind's unit, and a
// catch-all, a matter moved to or from private (or no topic) becomes the
// new kind's catch-all: a government matter made small
// is no longer "其他政务事项" handled by the street. A new topic is noted on
// the correction's event.
func (s *Appeals) retopic(ch *Change) {
	a := ch.Appeal
	it := s.Item(a.TopicID)
	if it != nil && it.Kind == a.Kind {
		return // already a matter of the new kind
	}
	var named *triage.Item
	if s.learner != nil {
		named = s.learner.TopicFor(a.Description, a.Kind)
	}
	switch {
	case named != nil:
		a.TopicID, a.Topic = named.ID, named.Name
	case a.TopicID != "" && (it == nil || !it.Fallback && ch.Before.Kind != models.KindPrivate && a.Kind != models.KindPrivate):
		// A named public matter (small ↔ major), or one no longer in the
		// catalog: its stored name stands, handled where the new kind is.
		// A private matter's name (房屋买卖) said nothing true of the
		// dispute made small (found by a first user), nor a public one of a
		// private matter: those get the new kind's catch-all.
	default:
		a.TopicID, a.Topic = "", s.msg.NoTopic
		if fb := s.Fallback(a.Kind); fb != nil {
			a.TopicID, a.Topic = fb.ID, fb.Name
		}
	}
	a.Unit = messages.Clip(s.unit(a.Kind, s.Item(a.TopicID)), 40)
	ch.Update.Retopic = true
	if a.Topic != ch.Before.Topic {
		noteOnEvent(ch, fmt.Sprintf(s.sm.TopicChangedF, ch.Before.Topic, a.Topic))
	}
}

// setTopic gives the appeal the matter the committee chose, with its unit
// (as retopic does for the one a new kind picks).
func (s *Appeals) setTopic(ch *Change, it *triage.Item) {
	a := ch.Appeal
	a.TopicID, a.Topic = it.ID, it.Name
	a.Unit = messages.Clip(s.unit(a.Kind, it), 40)
	ch.Update.Retopic = true
	if a.Topic != ch.Before.Topic {
		noteOnEvent(ch, fmt.Sprintf(s.sm.TopicChangedF, ch.Before.Topic, a.Topic))
	}
}

// noteOnEvent adds a note to the reason of the change's last event (the
// correction's, on the appeal's timeline).
func noteOnEvent(ch *Change, note string) {
	if evs := ch.Update.Events; len(evs) > 0 {
		ev := evs[len(evs)-1]
		ev.Reason = messages.Clip(ev.Reason+"；"+note, maxNoteRunes)
	}
}

// noteLearned says on the correction's event (the appeal's timeline) which
// phrases it taught and as what kind, so the committee sees what its
// correction did to the community's words.
func (s *Appeals) noteLearned(ch *Change) {
	votes := ch.Update.LearningVotes
	if len(votes) == 0 {
		return
	}
	phrases := make([]string, 0, len(votes))
	for _, v := range votes {
		phrases = append(phrases, v.Phrase)
	}
	ch.Learned = fmt.Sprintf(s.sm.LearnedNoteF, strings.Join(phrases, "、"), s.msg.KindNames[string(votes[0].Kind)])
	noteOnEvent(ch, ch.Learned)
}

// guideFor is the self-help pointer of a private appeal (privateGuide of its matter).
func (s *Appeals) guideFor(a *models.Appeal) string { return s.privateGuide(s.Item(a.TopicID)) }

// privateGuide is the self-help pointer for a private matter on item it: the
// item's guide when it is a private item with one, else the private
// catch-all's, else the catalog-independent default. Intake and 改类 both use
// it, so a resident is pointed the same way whichever path made it private.
func (s *Appeals) privateGuide(it *triage.Item) string {
	if it != nil && it.Kind == models.KindPrivate && it.Guide != "" {
		return it.Guide
	}
	if fb := s.Fallback(models.KindPrivate); fb != nil && fb.Guide != "" {
		return fb.Guide
	}
	return s.msg.GuideDefault
}
