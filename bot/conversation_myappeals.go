package bot

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// maxListed keeps the reply within one readable message.
const maxListed = 5

// myAppeals lists the resident's own and followed appeals, newest first.
func (s *step) myAppeals() error {
	m := &s.e.Msg
	c, o := s.in.Msg.CommunityID, s.in.Msg.OpenID
	own, err := s.e.Reader.ListAppeals(s.ctx, models.AppealFilter{CommunityID: c, OpenID: o, Limit: maxListed + 1})
	if err != nil {
		return fmt.Errorf("my appeals: %w", err)
	}
	followed, err := s.e.Reader.FollowedAppeals(s.ctx, c, o, maxListed+1)
	if err != nil {
		return fmt.Errorf("my appeals: %w", err)
	}
	isFollowed := map[uint64]bool{}
	list := append([]*models.Appeal(nil), own...)
	for _, a := range followed {
		isFollowed[a.ID] = true
		list = append(list, a)
	}
	if len(list) == 0 {
		s.sayWithPrompt(m.NoAppeals)
		return nil
	}
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].CreatedAt.Equal(list[j].CreatedAt) {
			return list[i].CreatedAt.After(list[j].CreatedAt)
		}
		return list[i].ID > list[j].ID
	})
	var b strings.Builder
	shown := min(len(list), maxListed)
	b.WriteString(m.MyAppealsHead)
	for _, a := range list[:shown] {
		due := m.NoDeadline
		if a.DueAt != nil && a.Status.Open() {
			due = s.dueText(a.DueAt) + "前"
		}
		topic := a.Topic
		if isFollowed[a.ID] {
			topic += m.FollowedMark
		}
		b.WriteString("\n")
		if !a.Status.Open() { // a finished appeal has no deadline to speak of
			fmt.Fprintf(&b, m.MyAppealsLineDone, a.Ref, topic, m.StatusNames[string(a.Status)])
			continue
		}
		fmt.Fprintf(&b, m.MyAppealsLine, a.Ref, topic, m.StatusNames[string(a.Status)], due)
	}
	if len(list) > shown {
		b.WriteString("\n" + m.MyAppealsMore)
	}
	s.sayWithPrompt(b.String())
	return nil
}

// visibleAppeal returns the appeal with ref if this resident raised or
// follows it; anyone else's appeal is "not found", exactly like a missing one.
func (s *step) visibleAppeal(ref string) (*models.Appeal, bool, error) {
	a, err := s.e.Reader.AppealByRef(s.ctx, s.in.Msg.CommunityID, ref)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("appeal by ref: %w", err)
	}
	if a.OpenID == s.in.Msg.OpenID {
		return a, true, nil
	}
	if st := s.in.Staff; st != nil && st.Active && st.CommunityID == a.CommunityID {
		return a, false, nil // staff read their community's appeals by number (as the console shows them)
	}
	following, err := s.follows(a.ID)
	if err != nil || !following {
		return nil, false, err
	}
	return a, false, nil
}

// appealDetail shows one appeal: topic, status, handler, deadline, last event.
func (s *step) appealDetail(ref string) error {
	m := &s.e.Msg
	a, _, err := s.visibleAppeal(ref)
	if err != nil {
		return err
	}
	if a == nil {
		s.sayWithPrompt(m.AppealNotFound)
		return nil
	}
	evs, err := s.e.Reader.AppealEvents(s.ctx, a.ID)
	if err != nil {
		return fmt.Errorf("appeal events: %w", err)
	}
	last := m.DetailNoEvent
	if n := len(evs); n > 0 {
		ev := evs[n-1]
		what := m.ActionNames[ev.Action]
		if what == "" {
			what = m.StatusNames[string(ev.ToStatus)]
		}
		last = fmt.Sprintf(m.EventLineF, ev.At.In(s.e.loc()).Format(m.DueDateF), what)
		// A handler's own words say what was done (进展, 办结): the resident
		// reads them here when the notice came as a template without them
		// (found by a second user).
		// A note (留言) is the author's own words: they and its handlers read them.
		if act := models.Action(ev.Action); (act == models.ActProgress || act == models.ActResolve || act == models.ActNote) &&
			ev.Actor != string(models.ActorSystem) && (act != models.ActNote || a.OpenID == s.in.Msg.OpenID || s.handlesIt(a)) {
			if note := models.TrimText(ev.Reason); note != "" {
				last += fmt.Sprintf(m.EventNoteF, messages.Clip(note, 100))
			}
		}
	}
	due := m.NoDeadline
	switch {
	case !a.Status.Open():
		due = m.NoLongerTimed
	case a.DueAt != nil:
		due = s.dueText(a.DueAt)
	}
	detail := fmt.Sprintf(m.DetailF, a.Ref, a.Topic, m.KindNames[string(a.Kind)],
		m.StatusNames[string(a.Status)], a.Unit, due, last)
	// Its handlers and the console's roles read what a task is and where (a
	// first user's grid worker saw only the resident's view): the words, the
	// place, how to reach the resident. Other staff see what residents see:
	// the words may hold a phone number.
	if s.handlesIt(a) && a.OpenID != s.in.Msg.OpenID {
		detail += fmt.Sprintf(m.DetailStaffF, messages.Clip(a.Description, 200), s.e.Appeals.TaskPlace(s.ctx, a),
			s.e.Appeals.TaskContact(a, a.Ref, evs...))
		// The author's latest notes in full, oldest first: a push that came
		// as a template cut them to a few characters (found by an attacker).
		var notes []string
		for i := len(evs) - 1; i >= 0 && len(notes) < maxNotesShown; i-- {
			if evs[i].Action == string(models.ActNote) {
				notes = append(notes, fmt.Sprintf(m.DetailNoteLineF, evs[i].At.In(s.e.loc()).Format(m.NoteTimeF), messages.Clip(evs[i].Reason, 200)))
			}
		}
		if len(notes) > 0 {
			slices.Reverse(notes)
			detail += m.DetailNotesHead + strings.Join(notes, "\n")
		}
	}
	s.sayWithPrompt(detail)
	return nil
}

// withdraw ends one of the resident's open appeals at their word (撤回 编号
// 原因): the handler stops, those who said "me too" are told.
func (s *step) withdraw(ref, reason string) error {
	m := &s.e.Msg
	if ref == "" {
		// Which ones may be withdrawn, with their numbers to copy (found by
		// a first user: 撤回 with one open appeal still asked for the number).
		open, err := s.openOwn()
		if err != nil {
			return err
		}
		if len(open) == 0 {
			s.sayWithPrompt(m.WithdrawUsage)
			return nil
		}
		lines := make([]string, 0, len(open))
		for _, a := range open {
			lines = append(lines, fmt.Sprintf(m.UrgeLineF, a.Ref, a.Topic))
		}
		s.sayWithPrompt(fmt.Sprintf(m.WithdrawWhichF, strings.Join(lines, "\n"), open[0].Ref))
		return nil
	}
	a, own, err := s.visibleAppeal(ref)
	if err != nil {
		return err
	}
	if a == nil || !own {
		s.sayWithPrompt(m.AppealNotFound)
		return nil
	}
	ch, err := s.e.Appeals.PlanWithdraw(s.ctx, ops.WithdrawRequest{Community: s.in.Msg.CommunityID, Ref: a.Ref,
		OpenID: s.in.Msg.OpenID, Reason: reason})
	if err != nil {
		var se *ops.StepError
		if errors.As(err, &se) {
			msg := fmt.Sprintf(m.WithdrawNotNowF, a.Ref, m.StatusNames[string(a.Status)])
			if a.Status == models.StatusResolved {
				msg += m.WithdrawRateHint
			}
			s.sayWithPrompt(msg)
			return nil
		}
		return err
	}
	ch.AddTo(&s.out.Turn)
	s.sayf(m.WithdrawDoneF, a.Ref, a.Topic)
	return nil
}

// disputePrivate sends a guided appeal to the committee for review: the
// resident says it is not a private matter (不是私事).
func (s *step) disputePrivate(rest, raw string) error {
	m := &s.e.Msg
	var a *models.Appeal
	if ref, ok := findRef(rest); ok {
		got, own, err := s.visibleAppeal(ref)
		if err != nil {
			return err
		}
		if got == nil || !own {
			s.sayWithPrompt(m.AppealNotFound)
			return nil
		}
		a = got
	} else {
		// Right after guidance, or later: the resident's latest guided appeal.
		list, err := s.e.Reader.ListAppeals(s.ctx, models.AppealFilter{CommunityID: s.in.Msg.CommunityID,
			OpenID: s.in.Msg.OpenID, Status: models.StatusGuided, Limit: 1})
		if err != nil {
			return fmt.Errorf("guided appeals: %w", err)
		}
		if len(list) == 0 {
			s.sayWithPrompt(m.DisputeNothing)
			return nil
		}
		a = list[0]
	}
	if a.Status != models.StatusGuided {
		s.sayWithPrompt(m.DisputeNotGuided)
		return nil
	}
	reason := cutRef(raw, a.Ref) // as typed: 灯在楼道里，不是我家的 keeps its full-width comma
	if reason == "" {
		reason = m.DisputeNoReason
	}
	ch, err := s.e.Appeals.PlanDispute(s.ctx, ops.DisputeRequest{Community: s.in.Msg.CommunityID, Ref: a.Ref,
		OpenID: s.in.Msg.OpenID, Reason: reason})
	if err != nil {
		var se *ops.StepError
		if errors.As(err, &se) {
			s.sayWithPrompt(m.DisputeNotGuided)
			return nil
		}
		return err
	}
	ch.AddTo(&s.out.Turn)
	if s.state == StateGuided {
		s.goTo(StateIdle)
	}
	s.sayf(m.DisputeDoneF, a.Ref)
	return nil
}

// handles reports whether staff member st works on appeal a: one of the
// console's roles (committee, district coordinator, administrator), its
// handler as the lifecycle says (models.IsHandler: the assignee, or the
// placeholder role's member of the right grid or department), or the
// worker of its grid while it is an open public matter.
func handles(st *models.Staff, a *models.Appeal) bool {
	if slices.Contains(models.ConsoleRoles, st.Role) || models.IsHandler(st, a) {
		return true
	}
	return st.Role == models.RoleGridWorker && st.GridID != "" && st.GridID == a.GridID &&
		a.Kind != models.KindPrivate && a.Status.Open()
}

// note passes the author's words about their open appeal named by ref
// (SQ… 怎么还没人管, 催办 SQ…) to its handler, recorded on the appeal; a
// push had promised them a way to write to the handler (found by a first
// user, whose follow-ups became new appeals). Anyone else's number, or an
// appeal no longer open, is not a note: the words go on as they would.
func (s *step) note(ref, text string) (bool, error) {
	ch, told, ok, err := s.planNote(ref, text, false, false)
	switch {
	case errors.Is(err, ops.ErrTooManyNotes):
		s.goTo(StateIdle)
		s.sayf(s.e.Msg.NotesEnoughF, ref, ops.MaxNotesPerDay, s.hotline())
		return true, nil
	case err != nil || !ok:
		return false, err
	}
	ch.AddTo(&s.out.Turn)
	who := s.e.Msg.UnitDefault[string(ch.Appeal.Kind)]
	if ch.Appeal.Unit != "" {
		who = ch.Appeal.Unit
	}
	if told == 0 {
		who = s.e.Msg.NotedNobody
	}
	s.goTo(StateIdle)
	s.sayf(s.e.Msg.NotedF, ref, who)
	return true, nil
}

// planNote plans the sender's note on their appeal ref (ops.PlanNote);
// ok is false, with no error, when there is none to take — the appeal is
// not theirs or no longer open — and the words go on as they would.
// ErrTooManyNotes comes back as the error.
func (s *step) planNote(ref, text string, urgent, answer bool) (ch *ops.Change, told int, ok bool, err error) {
	ch, told, err = s.e.Appeals.PlanNote(s.ctx, ops.NoteRequest{Community: s.in.Msg.CommunityID, Ref: ref,
		OpenID: s.in.Msg.OpenID, Text: text, Urgent: urgent, Answer: answer, Building: s.placing})
	if errors.Is(err, ops.ErrNotOpen) || models.ErrorCode(err) == models.ENOTFOUND {
		return nil, 0, false, nil
	}
	return ch, told, err == nil, err
}

// maxNotesShown: a handler's view of an appeal shows this many of its
// author's latest notes.
const maxNotesShown = 5

// askedWindow is how long a handler's question waits for the resident's
// answer (models.Resident.AskedRef): a day and a half covers an evening's
// question answered the next morning.
const askedWindow = 36 * time.Hour

// answerAsked takes a resident's words as the answer to the question their
// handler asked them (进展 SQ… 请问是几楼？, ops.PlanProgress marks it):
// passed on as a note, not read as a new appeal or an address (found by a
// first user: "4楼和5楼之间那盏" was asked whether it was inside the
// compound). Words of danger reach the handler who asked and go on as an
// urgent appeal too (found by an attacker: 里面的人晕倒了 reached only
// another grid's worker); an appeal no longer open takes no answer, and the
// words go on as any would.
func (s *step) answerAsked(text string) (bool, error) {
	ref := s.waitingQuestion()
	if ref == "" || otherIntent(normWord(text)) {
		return false, nil
	}
	if s.alert != "" {
		return false, s.forwardUrgent(ref, text)
	}
	return s.passAnswer(ref, text, true)
}

// waitingQuestion is the sender's appeal whose handler's question waits
// for their answer: "" when none was asked, or longer than askedWindow ago.
func (s *step) waitingQuestion() string {
	r := s.res
	if r == nil || r.AskedRef == "" || r.AskedAt == nil || s.now.Sub(*r.AskedAt) > askedWindow {
		return ""
	}
	return r.AskedRef
}

// forwardUrgent passes words of danger to the handler who asked the
// resident something, as a note, before they go on as an urgent appeal.
func (s *step) forwardUrgent(ref, text string) error {
	ch, _, ok, err := s.planNote(ref, text, true, true)
	if err != nil || !ok {
		return err
	}
	ch.AddTo(&s.out.Turn)
	s.clearAsked()
	return nil
}

// clearAsked clears the sender's question mark, once a turn.
func (s *step) clearAsked() {
	if s.res == nil || s.res.AskedRef == "" {
		return
	}
	s.res.AskedRef = ""
	s.out.Turn.Asks = append(s.out.Turn.Asks, &models.Ask{OpenID: s.in.Msg.OpenID})
}

// passAnswer passes text on to the handler of the sender's appeal ref as
// their answer, and waits a while for more of it (StateAnswered). Words
// the note limit holds back are not lost: they wait in the state, and
// 新问题 files them.
func (s *step) passAnswer(ref, text string, first bool) (bool, error) {
	ch, _, ok, err := s.planNote(ref, text, false, true)
	switch {
	case errors.Is(err, ops.ErrTooManyNotes):
		s.goTo(StateAnswered)
		s.data = convData{Answer: &answer{Ref: ref, Text: text, First: first, Held: true}}
		s.sayf(s.e.Msg.AnswerHeldF, ref, ops.MaxAnswerNotes, s.hotline())
		return true, nil
	case err != nil || !ok:
		return false, err
	}
	ch.AddTo(&s.out.Turn)
	s.clearAsked()
	s.goTo(StateAnswered)
	s.data = convData{Answer: &answer{Ref: ref, Text: text, First: first}}
	words := messages.Clip(strings.TrimSpace(text), 60)
	if first {
		s.sayf(s.e.Msg.AnsweredF, ref, s.e.Appeals.HandlerName(s.ctx, ch.Appeal), words)
	} else {
		s.sayf(s.e.Msg.AnsweredMoreF, words)
	}
	return true, nil
}

// answeredMore reads the words after an answer was passed on: 新问题 takes
// that answer as a new appeal after all (and the handler's question, if it
// was the first answer, waits again); a newer question from a handler takes
// the words (found by an attacker: answers went on to the first appeal);
// greetings, thanks and words of danger go on as any would; other words are
// more of the answer.
func (s *step) answeredMore(text string) error {
	a, w := s.data.Answer, normWord(text)
	s.goTo(StateIdle)
	switch {
	case a == nil:
	case slices.Contains(chat.NewMatter, w) && a.Text == "":
		s.say(s.e.Msg.DescribeNew) // the photo was all: say what the new matter is
		return nil
	case slices.Contains(chat.NewMatter, w):
		asked := s.res != nil && s.res.AskedRef != ""
		if s.res != nil {
			s.res.AskedRef = "" // these words were no answer: not to be taken as one again
		}
		if a.First && !asked {
			s.out.Turn.Asks = append(s.out.Turn.Asks, &models.Ask{OpenID: s.in.Msg.OpenID, Ref: a.Ref})
		}
		return s.idleText(a.Text)
	case s.res != nil && s.res.AskedRef != "" && s.res.AskedRef != a.Ref:
		// A newer question from another appeal's handler.
	case s.alert != "":
		if err := s.forwardUrgent(a.Ref, text); err != nil {
			return err
		}
	case !slices.Contains(chat.Greetings, w) && !slices.Contains(chat.Thanks, w) && !otherIntent(w):
		if passed, err := s.passAnswer(a.Ref, text, false); passed || err != nil {
			return err
		}
	}
	return s.idleText(text)
}

// photoAnswer takes a photo sent while a handler's question waits (请拍张
// 照片发过来), or right after an answer, as part of the answer: attached to
// the appeal (its timeline shows it) and passed on to the handler with the
// picture's address; the words after it are more of the answer (found by
// a first user: the photo started a new appeal and never reached the
// handler). Any other photo goes on as one for an appeal being raised.
func (s *step) photoAnswer() (bool, error) {
	ref := ""
	switch {
	case s.state == StateAnswered && s.data.Answer != nil && (s.res == nil || s.res.AskedRef == ""):
		ref = s.data.Answer.Ref
	case s.resting():
		ref = s.waitingQuestion()
	}
	if ref == "" {
		return false, nil
	}
	pic := messages.Clip(s.in.Msg.PicURL, 512)
	ch, _, ok, err := s.planNote(ref, s.e.Msg.PhotoNote+pic, false, true)
	switch {
	case errors.Is(err, ops.ErrTooManyNotes):
		return false, nil // kept as a photo for an appeal instead
	case err != nil || !ok:
		return false, err
	}
	ch.AddTo(&s.out.Turn)
	a := ch.Appeal
	s.out.Turn.Events = append(s.out.Turn.Events, &models.AppealEvent{AppealID: a.ID, Actor: string(models.ActorResident),
		Action: string(models.ActAttachment), FromStatus: a.Status, ToStatus: a.Status,
		Reason: strings.TrimSpace(messages.Clip(s.in.Msg.MediaID, 128) + " " + pic), At: s.now.UTC()})
	s.clearAsked()
	s.goTo(StateAnswered)
	s.data = convData{Answer: &answer{Ref: ref}}
	s.sayf(s.e.Msg.PhotoAnsweredF, ref, s.e.Appeals.HandlerName(s.ctx, a))
	return true, nil
}

// otherIntent reports words that are not an answer to a handler's
// question whatever it asked: a progress question, the phone asked for, a
// wish to report or a new matter begun (found by a second user: 查一下进度
// and 社区电话多少 were held as answers, 对了还有个事… passed on as one).
func otherIntent(w string) bool {
	return containsAny(w, chat.ProgressAsks) || slices.Contains(chat.ProgressBare, w) ||
		asksHotline(w) ||
		onlyWantsToReport(w) || startsWithAny(w, chat.NewMatterLeads) ||
		(slices.Contains(chat.NewMatter, w) && w != "1")
}

// answerInPassing passes words the current step cannot read to the
// handler whose question came after the resident began that step, and asks
// the step's question again, the draft kept (found by a second user: the
// answer to a grid worker's question was read as a reply to the kind
// question, 没看懂, and lost).
func (s *step) answerInPassing(text string) bool {
	ref, c := s.waitingQuestion(), s.in.Conversation
	if ref == "" || c == nil || !s.res.AskedAt.After(c.UpdatedAt) || s.alert != "" {
		return false
	}
	if w := normWord(text); w == "" || otherIntent(w) {
		return false
	}
	ch, _, ok, err := s.planNote(ref, text, false, true)
	if err != nil || !ok {
		return false // the step's own question is asked again, as without it
	}
	ch.AddTo(&s.out.Turn)
	s.clearAsked()
	s.sayf(s.e.Msg.AnsweredInPassingF, ref, s.e.Appeals.HandlerName(s.ctx, ch.Appeal), messages.Clip(strings.TrimSpace(text), 60), s.prompt())
	return true
}

// resting reports a state where nothing is being prepared: the words that
// name an appeal of one's own (催办, a number) are notes on it.
func (s *step) resting() bool {
	return s.state == StateIdle || s.state == StateGuided || s.state == StateAnswered
}

// urge takes 催办 or 补充一下：… without a number: a note on the sender's one
// open appeal, or, with several, the list and how to name one (found by a
// second user: 催办 answered 没太明白, 补充… became a new appeal). With none
// it is not handled: the words go on as an appeal.
func (s *step) urge(text string) (bool, error) {
	open, err := s.openOwn()
	if err != nil {
		return false, err
	}
	switch len(open) {
	case 0:
		return false, nil
	case 1:
		return s.note(open[0].Ref, text)
	}
	lines := make([]string, 0, len(open))
	for _, a := range open {
		lines = append(lines, fmt.Sprintf(s.e.Msg.UrgeLineF, a.Ref, a.Topic))
	}
	s.goTo(StateIdle)
	s.sayf(s.e.Msg.UrgeWhichF, strings.Join(lines, "\n"), open[0].Ref)
	return true, nil
}

// openOwn returns the sender's open public appeals among their latest.
func (s *step) openOwn() ([]*models.Appeal, error) {
	own, err := s.e.Reader.ListAppeals(s.ctx, models.AppealFilter{CommunityID: s.in.Msg.CommunityID, OpenID: s.in.Msg.OpenID, Limit: maxListed})
	if err != nil {
		return nil, fmt.Errorf("appeals: %w", err)
	}
	var open []*models.Appeal
	for _, a := range own {
		if a.Status.Open() && a.Kind != models.KindPrivate {
			open = append(open, a)
		}
	}
	return open, nil
}

// handlesIt reports whether the sender is staff who handles a (its handler,
// the console's roles, or its grid's worker while it is open and public).
func (s *step) handlesIt(a *models.Appeal) bool {
	st := s.in.Staff
	return st != nil && st.Active && st.CommunityID == a.CommunityID && handles(st, a)
}
