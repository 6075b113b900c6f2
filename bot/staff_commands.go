package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// senderStaff returns the sender's active staff role, nil for a resident:
// the one the service read with the resident, or looked up when the caller
// did not read it.
func senderStaff(ctx context.Context, st interface {
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
}, in Input) (*models.Staff, error) {
	if in.StaffKnown {
		return in.Staff, nil
	}
	s, err := st.StaffByOpenID(ctx, in.Msg.CommunityID, in.Msg.OpenID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil, nil
	}
	return s, err
}

// StaffReader is what the staff commands read besides the operations.
type StaffReader interface {
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
	OpenTasks(ctx context.Context, s *models.Staff, now time.Time, limit int) ([]*models.Appeal, error)
	LastResolvedBy(ctx context.Context, communityID, actor string, since time.Time) (*models.Appeal, error)
	ProcessedReply(ctx context.Context, communityID, key string) (string, error)
	ListAppeals(ctx context.Context, f models.AppealFilter) ([]*models.Appeal, error)
	FollowedAppeals(ctx context.Context, communityID, openID string, limit int) ([]*models.Appeal, error)
}

// workerWords are the commands that act on one appeal; the bool says a
// text after the reference is required.
var workerWords = []struct {
	word     string
	needText bool
}{{chat.Accept, false}, {chat.Progress, true}, {chat.Resolve, true}, {chat.Escalate, false}, {chat.Return, true},
	{chat.Reassign, true}, {chat.Reclassify, true}}

// cutWorkerWord finds the worker command text starts with: the word and
// what follows it.
func cutWorkerWord(text string) (word, rest string, ok bool) {
	for _, ww := range workerWords {
		if r, found := strings.CutPrefix(text, ww.word); found {
			return ww.word, r, true
		}
	}
	return "", "", false
}

// DefaultPhotoWindow is how long after 办结 a staff member's photo is
// attached to the resolution.
const DefaultPhotoWindow = 10 * time.Minute

// maxTasksListed keeps 我的任务 within one readable message.
const maxTasksListed = 10

// StaffCommands is the CommandHandler of staff (绑定, 接单, 进展, 办结, 上报,
// 退回, 我的任务, 改派, 改类, a role-aware 帮助) and of residents' ratings
// (满意, 不满意, ratings.go). It parses the words, calls the operations
// (ops) and says the outcome: every command is one Turn with the appeal's
// change, its pushes and the dedupe row, in one transaction.
type StaffCommands struct {
	appeals     *ops.Appeals
	staff       *ops.Staff
	store       StaffReader
	photoWindow time.Duration
	msg         *messages.Messages
	sm          *messages.StaffMessages
}

// StaffCommandsConfig is what NewStaffCommands needs.
type StaffCommandsConfig struct {
	Appeals     *ops.Appeals  // required
	Staff       *ops.Staff    // required
	Store       StaffReader   // required
	PhotoWindow time.Duration // 0: DefaultPhotoWindow
}

// NewStaffCommands builds the staff commands; a missing requirement is an error.
func NewStaffCommands(c StaffCommandsConfig) (*StaffCommands, error) {
	if c.Appeals == nil || c.Staff == nil || c.Store == nil {
		return nil, errors.New("bot: staff commands need the appeal and staff operations and a store")
	}
	if c.PhotoWindow <= 0 {
		c.PhotoWindow = DefaultPhotoWindow
	}
	return &StaffCommands{appeals: c.Appeals, staff: c.Staff, store: c.Store, photoWindow: c.PhotoWindow,
		msg: &messages.ZhCN, sm: &messages.ZhCNStaff}, nil
}

var _ MediaHandler = (*StaffCommands)(nil)

var refAtStart = regexp.MustCompile(`^([A-Za-z]{2})?([0-9]{10,})(.*)$`)

// splitRef reads "<ref> <rest>" with or without spaces, any letter case,
// the code in half- or full-width letters. The text after it is the
// writer's own, punctuation as typed (full-width stays full-width).
func splitRef(rest string) (ref, text string, ok bool) {
	raw := strings.TrimSpace(rest)
	m := refAtStart.FindStringSubmatch(width.Fold.String(raw))
	if m == nil {
		return "", "", false
	}
	head := m[1] + m[2]
	text = m[3]
	if rr, n := []rune(raw), utf8.RuneCountInString(head); len(rr) == utf8.RuneCountInString(head+m[3]) {
		text = string(rr[n:]) // folding keeps one rune per rune: cut the original at the same place
	}
	text = strings.TrimLeftFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	prefix := strings.ToUpper(m[1])
	if prefix == "" {
		prefix = models.RefPrefix // 接单 2612020003: the number without its letters (found by a second user)
	}
	return prefix + m[2], strings.TrimSpace(text), true
}

// cmdCtx is one command's work.
type cmdCtx struct {
	c     *StaffCommands
	ctx   context.Context
	in    Input
	out   *Output
	staff *models.Staff // nil for residents
	now   time.Time
}

func (x *cmdCtx) say(format string, args ...any) {
	x.out.Replies = append(x.out.Replies, fmt.Sprintf(format, args...))
}

// HandleCommand implements CommandHandler.
func (c *StaffCommands) HandleCommand(ctx context.Context, in Input, out *Output) (bool, error) {
	// The words are matched as typed (they are Chinese: folding changes
	// none); what follows keeps the writer's punctuation.
	text := strings.TrimSpace(in.Msg.Content)
	w := normWord(text)
	x := &cmdCtx{c: c, ctx: ctx, in: in, out: out, now: in.Now.UTC()}
	if rest, ok := strings.CutPrefix(text, chat.Bind); ok {
		return true, x.bind(strings.TrimSpace(width.Fold.String(rest)))
	}
	// Ratings are the resident's (only the author may rate).
	if rest, ok := strings.CutPrefix(text, chat.Unsatisfied); ok {
		return x.rate(false, rest)
	}
	if rest, ok := strings.CutPrefix(text, chat.Satisfied); ok {
		if _, _, isRef := splitRef(rest); strings.TrimSpace(rest) == "" || isRef {
			return x.rate(true, rest)
		}
		// 满意 修得快, 满意了 谢谢: a remark after it, while an appeal of
		// theirs waits for a rating (found by a second user: 没太明白, or a
		// new appeal of the remark); 满意度… is other words.
		if !strings.HasPrefix(strings.TrimSpace(rest), "度") {
			waiting, err := x.c.store.ListAppeals(x.ctx, models.AppealFilter{CommunityID: x.in.Msg.CommunityID,
				OpenID: x.in.Msg.OpenID, Status: models.StatusResolved, Limit: 1})
			if err != nil {
				return false, fmt.Errorf("resolved appeals: %w", err)
			}
			if len(waiting) > 0 {
				return x.rate(true, rest)
			}
			if conv := x.in.Conversation; conv == nil || !x.in.Now.Before(conv.ExpiresAt) || !unfinished(State(conv.State)) {
				x.say("%s", x.c.sm.RateNothing) // a rating with nothing to rate: said so, not drafted as an appeal
				return true, nil
			}
		}
		return false, nil
	}
	word, rest, _ := cutWorkerWord(text)
	isTasks := w == chat.MyTasks
	isHelp := slices.Contains(chat.Help, w)
	if word == "" && !isTasks && !isHelp {
		if handled, err := x.rateReason(text); handled || err != nil {
			return handled, err
		}
		return x.rateInWords(text)
	}
	staff, err := senderStaff(ctx, c.store, in)
	if err != nil {
		return false, fmt.Errorf("staff: %w", err)
	}
	x.staff = staff
	if staff == nil {
		_, _, hasRef := splitRef(rest)
		if isTasks || (word != "" && hasRef) {
			x.say("%s", c.sm.StaffOnly) // a polite refusal; nothing changes
			return true, nil
		}
		return false, nil // a resident's sentence that starts with one of the words
	}
	switch {
	case isHelp:
		if in.Conversation != nil && in.Now.Before(in.Conversation.ExpiresAt) && unfinished(State(in.Conversation.State)) {
			return false, nil // the conversation's own help: its question
		}
		x.help()
		return true, nil
	case isTasks:
		return true, x.tasks()
	}
	return true, x.act(word, rest)
}

// help is the role-aware 帮助: the staff commands, then the resident's.
func (x *cmdCtx) help() {
	sm := x.c.sm
	lines := []string{fmt.Sprintf(sm.HelpStaffF, sm.RoleNames[string(x.staff.Role)]), sm.HelpWorker}
	if x.staff.Role == models.RoleCommittee || x.staff.Role == models.RoleAdmin {
		lines = append(lines, sm.HelpCommittee) // the committee re-dispatches with 改派: 退回 would return to itself
	} else {
		lines = append(lines, sm.HelpReturn)
	}
	lines = append(lines, x.c.msg.HelpResident)
	x.say("%s", strings.Join(lines, "\n"))
}

// bind runs 绑定 <code>. The binding is its own transaction (ops.Staff.Bind);
// a redelivered message finds its recorded reply first and binds nothing
// twice, so a retry never counts as a second wrong try.
func (x *cmdCtx) bind(code string) error {
	sm := x.c.sm
	if code == "" {
		x.say("%s", sm.BindUsage)
		return nil
	}
	if reply, err := x.c.store.ProcessedReply(x.ctx, x.in.Msg.CommunityID, x.in.Msg.DedupeKey()); err == nil {
		x.say("%s", reply)
		return nil
	} else if models.ErrorCode(err) != models.ENOTFOUND {
		return fmt.Errorf("bind: %w", err)
	}
	s, err := x.c.staff.Bind(x.ctx, x.in.Msg.CommunityID, x.in.Msg.OpenID, code)
	var be *ops.BindError
	switch {
	case err == nil:
		reply := fmt.Sprintf(sm.BoundF, s.Name, sm.RoleNames[string(s.Role)])
		// The binding stands even if a hand-over fails; what was handed is said.
		if handed, _ := x.c.appeals.HandOver(x.ctx, s); len(handed) > 0 {
			refs := make([]string, len(handed))
			for i, a := range handed {
				refs[i] = a.Ref
			}
			reply += fmt.Sprintf(sm.HandedOverF, len(handed), strings.Join(refs, "、"))
		}
		x.say("%s", reply)
	case !errors.As(err, &be):
		return fmt.Errorf("bind: %w", err)
	case errors.Is(err, models.ErrAlreadyBound):
		role := ""
		if be.Bound != nil {
			role = sm.RoleNames[string(be.Bound.Role)]
		}
		x.say(sm.AlreadyBoundF, role)
	case errors.Is(err, models.ErrInviteExpired):
		x.say("%s", sm.BindExpired)
	case errors.Is(err, models.ErrInviteUsed):
		x.say("%s", sm.BindUsed)
	case errors.Is(err, models.ErrBindLocked):
		x.say("%s", sm.BindLocked)
	default: // unknown, or not a code at all
		x.say("%s", sm.BindUnknown)
	}
	return nil
}

// tasks lists the staff member's open tasks, overdue first.
func (x *cmdCtx) tasks() error {
	sm := x.c.sm
	list, err := x.c.store.OpenTasks(x.ctx, x.staff, x.now, maxTasksListed+50)
	if err != nil {
		return fmt.Errorf("my tasks: %w", err)
	}
	if len(list) == 0 {
		x.say("%s", sm.NoTasks)
		return nil
	}
	// Tasks whose words speak of danger now come first, marked (a user
	// found a gas smell listed last); then the store's order (overdue first).
	urgent := make(map[uint64]bool, len(list))
	for _, a := range list {
		urgent[a.ID] = messages.Urgent(a.Description)
	}
	slices.SortStableFunc(list, func(a, b *models.Appeal) int {
		switch {
		case urgent[a.ID] && !urgent[b.ID]:
			return -1
		case urgent[b.ID] && !urgent[a.ID]:
			return 1
		}
		return 0
	})
	lines := []string{fmt.Sprintf(sm.TasksHeadF, len(list))}
	for _, a := range list[:min(len(list), maxTasksListed)] {
		due := x.c.appeals.Due(a.DueAt)
		if a.Overdue(x.now) {
			due = sm.OverdueMark + due
		}
		topic := a.Topic
		if it := x.c.appeals.Item(a.TopicID); it == nil || it.Fallback {
			// A catch-all says nothing of the task: its words do (five
			// "【紧急】其他社区事务" could not be told apart; found by a second user).
			topic = messages.Clip(a.Description, 14)
		}
		line := fmt.Sprintf(sm.TaskLineF, a.Ref, topic, x.c.appeals.TaskPlace(x.ctx, a),
			x.c.msg.StatusNames[string(a.Status)], due)
		if urgent[a.ID] {
			line = sm.UrgentMark + line
		}
		lines = append(lines, line)
	}
	if len(list) > maxTasksListed {
		lines = append(lines, fmt.Sprintf(sm.TasksMoreF, len(list)-maxTasksListed))
	}
	x.say("%s", strings.Join(lines, "\n"))
	return nil
}

// refused says why an operation refused, or returns the error when it is
// not a refusal: not found, not theirs, not now, a bad reason or usage.
func (x *cmdCtx) refused(err error, ref, word string) error {
	sm := x.c.sm
	var se *ops.StepError
	switch {
	case x.staff == nil && (models.ErrorCode(err) == models.ENOTFOUND || models.ErrorCode(err) == models.EFORBIDDEN):
		x.say(sm.NotFoundResidentF, ref) // a resident has no 我的任务 (found by a first user)
	case models.ErrorCode(err) == models.ENOTFOUND:
		x.say(sm.NotFoundF, ref)
	case errors.Is(err, ops.ErrReasonTooLong):
		x.say("%s", sm.ReasonTooLong)
	case models.ErrorCode(err) == models.EINVALID && !errors.As(err, &se):
		x.say(sm.NeedRefF, sm.Usage[word])
	case !errors.As(err, &se):
		return err
	case ops.IsSameKind(err):
		return nil // said by the caller, which knows the kind
	case models.ErrorCode(err) == models.EFORBIDDEN:
		x.say(sm.NotYoursF, ref)
	case models.ErrorCode(err) == models.ECONFLICT:
		x.say(sm.NotNowF, ref, x.c.msg.StatusNames[string(se.Status)], sm.Verbs[word])
	default:
		x.say(sm.NeedRefF, sm.Usage[word])
	}
	return nil
}

// act runs a command on one appeal.
func (x *cmdCtx) act(word, rest string) error {
	sm := x.c.sm
	ref, arg, ok := splitRef(rest)
	needsText := false
	for _, ww := range workerWords {
		if ww.word == word {
			needsText = ww.needText
		}
	}
	committee := x.staff.Role == models.RoleCommittee || x.staff.Role == models.RoleAdmin
	if (word == chat.Reassign || word == chat.Reclassify) && !committee {
		x.say("%s", sm.CommitteeOnly)
		return nil
	}
	if !ok || (needsText && arg == "") || (word == chat.Escalate && arg == "" && !committee) {
		x.say(sm.NeedRefF, sm.Usage[word])
		if !ok && strings.TrimSpace(rest) == "" {
			return x.tasks() // which numbers there are to name (a second user's bare 接单)
		}
		return nil
	}
	if word == chat.Escalate && arg == "" {
		arg = chat.Escalate // the committee may escalate without a reason
	}
	actor := models.Actor{Kind: models.ActorStaff, Staff: x.staff}
	r := ops.StepRequest{Community: x.in.Msg.CommunityID, Ref: ref, Actor: actor, Note: arg}
	a := x.c.appeals
	var (
		ch  *ops.Change
		err error
	)
	switch word {
	case chat.Accept:
		ch, err = a.PlanAccept(x.ctx, r)
	case chat.Progress:
		ch, err = a.PlanProgress(x.ctx, r)
	case chat.Resolve:
		ch, err = a.PlanResolve(x.ctx, r)
	case chat.Return:
		ch, err = a.PlanReturn(x.ctx, r)
	case chat.Escalate:
		ch, err = a.PlanEscalate(x.ctx, r)
	case chat.Reassign:
		who, reason := arg, ""
		if i := strings.IndexFunc(arg, unicode.IsSpace); i >= 0 {
			who, reason = arg[:i], strings.TrimSpace(arg[i:])
		}
		who = width.Fold.String(who)
		ch, err = a.PlanRevise(x.ctx, ops.Revision{Community: r.Community, Ref: ref, Actor: actor, Assignee: &who, Reason: reason})
		var se *ops.StepError
		if errors.Is(err, models.ErrStaffAmbiguous) {
			x.say(sm.AmbiguousStaffF, messages.Clip(who, 20))
			return nil
		}
		if errors.Is(err, models.ErrSameAssignee) { // not "不能改派 now" (found by a user)
			x.say(sm.SameAssigneeF, ref)
			return nil
		}
		if models.ErrorCode(err) == models.EINVALID && !errors.As(err, &se) && !errors.Is(err, ops.ErrReasonRequired) &&
			!errors.Is(err, ops.ErrReasonTooLong) {
			x.say(sm.UnknownStaffF, messages.Clip(who, 20)) // names nobody active
			return nil
		}
	case chat.Reclassify:
		return x.reclassify(r, arg)
	}
	if err != nil {
		return x.refused(err, ref, word)
	}
	ap := ch.Appeal
	switch word {
	case chat.Accept:
		x.say(sm.AcceptedF, ap.Ref, ap.Topic, a.Due(ap.DueAt))
	case chat.Progress:
		x.say(sm.ProgressF, ap.Ref)
	case chat.Resolve:
		x.say(sm.ResolvedF, ap.Ref)
	case chat.Return:
		x.say(sm.ReturnedF, ap.Ref)
	case chat.Escalate:
		x.say(sm.EscalatedF, ap.Ref, messages.ZhCNPush.LevelNames[string(ap.Level)], a.Due(ap.DueAt))
	case chat.Reassign:
		x.say(sm.ReassignedF, ap.Ref, ch.AssigneeName)
	}
	ch.AddTo(&x.out.Turn)
	return nil
}

// reclassify is the committee's 改类 <ref> 大事|小事|私事 <原因>: the kind
// (and the level it implies) changes, then the appeal is guided (private)
// or routed to the new kind's handler.
func (x *cmdCtx) reclassify(r ops.StepRequest, arg string) error {
	sm := x.c.sm
	var kind models.Kind
	var reason string
	for w, k := range chat.Kinds {
		if rest, ok := strings.CutPrefix(arg, w); ok {
			kind, reason = models.Kind(k), strings.TrimSpace(rest)
		}
	}
	if kind == "" || reason == "" {
		x.say(sm.NeedRefF, sm.Usage[chat.Reclassify])
		return nil
	}
	cur, err := x.c.appeals.Appeal(x.ctx, r.Community, r.Ref)
	if err != nil {
		return x.refused(err, r.Ref, chat.Reclassify)
	}
	// The same kind is refused by PlanRevise, except 私事 on a disputed
	// private matter: the review's answer "keep it private" (found by a
	// third user: this check refused it before PlanRevise could).
	ch, err := x.c.appeals.PlanRevise(x.ctx, ops.Revision{Community: r.Community, Ref: r.Ref, Actor: r.Actor,
		Kind: kind, Level: ops.LevelFor(kind, cur.Level), Reroute: true, Reason: reason})
	if err != nil {
		if ops.IsSameKind(err) {
			x.say(sm.SameKindF, cur.Ref, x.c.msg.KindNames[string(kind)])
			return nil
		}
		return x.refused(err, r.Ref, chat.Reclassify)
	}
	if kind == cur.Kind {
		x.say(sm.KeptPrivateF, ch.Appeal.Ref)
	} else {
		x.say(sm.ReclassifiedF, ch.Appeal.Ref, x.c.msg.KindNames[string(kind)])
	}
	if ch.Learned != "" { // what the correction taught, and where to undo it (found by a first user)
		x.say("%s", ch.Learned)
	}
	ch.AddTo(&x.out.Turn)
	return nil
}

// HandleMedia implements MediaHandler: a staff member's photo within the
// photo window of their 办结 is attached to that resolution (MediaId and
// PicUrl kept as an "attachment" event); any other photo is not handled.
func (c *StaffCommands) HandleMedia(ctx context.Context, in Input, out *Output) (bool, error) {
	if in.Msg.MsgType != models.MsgImage {
		return false, nil
	}
	if conv := in.Conversation; conv != nil && in.Now.Before(conv.ExpiresAt) && unfinished(State(conv.State)) {
		return false, nil // a photo for an appeal they are raising themselves
	}
	staff, err := senderStaff(ctx, c.store, in)
	if err != nil {
		return false, fmt.Errorf("staff: %w", err)
	}
	if staff == nil {
		return false, nil
	}
	a, err := c.store.LastResolvedBy(ctx, in.Msg.CommunityID, staff.Ref(), in.Now.Add(-c.photoWindow))
	if models.ErrorCode(err) == models.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("last resolved: %w", err)
	}
	media := strings.TrimSpace(messages.Clip(in.Msg.MediaID, 128) + " " + messages.Clip(in.Msg.PicURL, 512))
	out.Turn.Events = append(out.Turn.Events, &models.AppealEvent{AppealID: a.ID, Actor: staff.Ref(),
		Action: string(models.ActAttachment), FromStatus: a.Status, ToStatus: a.Status, Reason: media, At: in.Now.UTC()})
	out.Replies = append(out.Replies, fmt.Sprintf(c.sm.PhotoAttachedF, a.Ref))
	return true, nil
}
