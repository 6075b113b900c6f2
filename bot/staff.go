package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"github.com/gongzhi/gongzhi/models"
)

// StaffDirectory is what the engine reads about staff: who handles an
// appeal and whom to tell. *store.DB implements it.
type StaffDirectory interface {
	// RouteAppeal chooses the handler with models.Route (a staff ref or a role placeholder).
	RouteAppeal(ctx context.Context, a *models.Appeal) (string, error)
	// HandlerOpenIDs returns the openids of whoever handles a.
	HandlerOpenIDs(ctx context.Context, a *models.Appeal) ([]string, error)
	// CommitteeOpenIDs returns the openids of the committee and administrators.
	CommitteeOpenIDs(ctx context.Context, communityID string) ([]string, error)
	// FollowerOpenIDs returns the author, then the residents who said "me too".
	FollowerOpenIDs(ctx context.Context, a *models.Appeal) ([]string, error)
}

func (e *Engine) staffMsg() *StaffMessages {
	if e.StaffMsg.RoleNames == nil {
		return &ZhCNStaff
	}
	return &e.StaffMsg
}

// route chooses the handler of a confirmed appeal; without a staff
// directory it is the role placeholder models.Route gives with nobody bound.
func (e *Engine) route(ctx context.Context, a *models.Appeal) (string, error) {
	if e.Staff == nil {
		return models.Route(a, nil), nil
	}
	to, err := e.Staff.RouteAppeal(ctx, a)
	if err != nil {
		return "", fmt.Errorf("route appeal: %w", err)
	}
	return to, nil
}

// pushKey is a push's idempotency key: one per appeal, action, number of
// events before it (which makes a second accept after a reopen a new push)
// and recipient.
func pushKey(ref string, act models.Action, n int, openID string) string {
	return "appeal:" + ref + ":" + string(act) + ":" + strconv.Itoa(n) + ":" + openID
}

// push adds one push per distinct openid to the turn.
func push(t *models.Turn, communityID, typ string, key func(openID string) string, text string, openIDs ...[]string) {
	seen := map[string]bool{}
	for _, o := range t.Outbox {
		seen[o.Key] = true
	}
	for _, list := range openIDs {
		for _, o := range list {
			k := key(o)
			if o == "" || seen[k] {
				continue
			}
			seen[k] = true
			t.Outbox = append(t.Outbox, &models.OutboxMessage{CommunityID: communityID, OpenID: o, Type: typ,
				Text: text, Key: k})
		}
	}
}

// pushAssigned tells a's handler(s) about a new task: reference, summary,
// deadline and how to answer. ref may be a models.RefPlaceholder.
func (e *Engine) pushAssigned(ctx context.Context, t *models.Turn, a *models.Appeal, ref string, now time.Time, n int) error {
	if e.Staff == nil || a.Assignee == "" {
		return nil
	}
	to, err := e.Staff.HandlerOpenIDs(ctx, a)
	if err != nil {
		return fmt.Errorf("handlers: %w", err)
	}
	sm, m := e.staffMsg(), &e.Msg
	place := sm.NoPlace
	switch {
	case a.Building != "":
		place = fmt.Sprintf(m.AddressBuildingF, a.Building)
	case a.Location != "":
		if _, label, ok := strings.Cut(a.Location, " "); ok && strings.TrimSpace(label) != "" {
			place = strings.TrimSpace(label)
		}
	}
	due := m.NoDeadline
	if a.DueAt != nil {
		due = a.DueAt.In(e.loc()).Format(m.DueDateF) + "（" + m.Weekdays[a.DueAt.In(e.loc()).Weekday()] + "）"
	}
	text := fmt.Sprintf(sm.PushAssignedF, ref, a.Topic, m.KindNames[string(a.Kind)], place, clip(a.Description, 80), due, ref, ref)
	push(t, a.CommunityID, models.PushTaskAssigned, func(o string) string { return pushKey(ref, models.ActAssign, n, o) }, text, to)
	return nil
}

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

// StaffStore is what the staff commands read and write besides the engine's Reader.
type StaffStore interface {
	StaffDirectory
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
	StaffByID(ctx context.Context, communityID string, id uint64) (*models.Staff, error)
	BindStaff(ctx context.Context, communityID, openID, code string, now time.Time) (*models.Staff, error)
	OpenTasks(ctx context.Context, s *models.Staff, now time.Time, limit int) ([]*models.Appeal, error)
	ResolveAssignee(ctx context.Context, communityID, s string) (string, error)
	LastResolvedBy(ctx context.Context, communityID, actor string, since time.Time) (*models.Appeal, error)
	ProcessedReply(ctx context.Context, communityID, key string) (string, error)
}

// Staff command words (contract.md "Chat words" plus issue 5).
const (
	WordBind        = "绑定"
	WordAccept      = "接单"
	WordProgress    = "进展"
	WordResolve     = "办结"
	WordEscalate    = "上报"
	WordReturn      = "退回"
	WordMyTasks     = "我的任务"
	WordReassign    = "改派"
	WordReclassify  = "改类"
	WordSatisfied   = "满意"
	WordUnsatisfied = "不满意"
)

// workerWords are the commands that act on one appeal; the bool says a
// text after the reference is required.
var workerWords = []struct {
	word     string
	needText bool
}{{WordAccept, false}, {WordProgress, true}, {WordResolve, true}, {WordEscalate, false}, {WordReturn, true},
	{WordReassign, true}, {WordReclassify, true}}

// DefaultPhotoWindow is how long after 办结 a staff member's photo is
// attached to the resolution.
const DefaultPhotoWindow = 10 * time.Minute

// maxTasksListed keeps 我的任务 within one readable message.
const maxTasksListed = 10

// StaffCommands is the CommandHandler of staff (绑定, 接单, 进展, 办结, 上报,
// 退回, 我的任务, 改派, 改类, a role-aware 帮助) and of residents' ratings
// (满意, 不满意). Every command is one Turn: the appeal's change with its
// events (AppealUpdates, committed only if the appeal is still as read), the
// pushes (Outbox) and the dedupe row, in one transaction.
type StaffCommands struct {
	Engine      *Engine
	Store       StaffStore
	PhotoWindow time.Duration // default DefaultPhotoWindow
}

var _ MediaHandler = (*StaffCommands)(nil)

var refAtStart = regexp.MustCompile(`^([A-Za-z]{2}[0-9]{10,})(.*)$`)

// splitRef reads "<ref> <rest>" with or without spaces, any letter case.
func splitRef(rest string) (ref, text string, ok bool) {
	m := refAtStart.FindStringSubmatch(strings.TrimSpace(rest))
	if m == nil {
		return "", "", false
	}
	text = strings.TrimLeftFunc(m[2], func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	return strings.ToUpper(m[1]), strings.TrimSpace(text), true
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
	text := strings.TrimSpace(width.Fold.String(in.Msg.Content))
	w := normWord(text)
	x := &cmdCtx{c: c, ctx: ctx, in: in, out: out, now: in.Now.UTC()}
	sm := c.Engine.staffMsg()
	if rest, ok := strings.CutPrefix(text, WordBind); ok {
		return true, x.bind(strings.TrimSpace(rest))
	}
	// Ratings are the resident's (only the author may rate).
	if rest, ok := strings.CutPrefix(text, WordUnsatisfied); ok {
		return x.rate(false, rest)
	}
	if rest, ok := strings.CutPrefix(text, WordSatisfied); ok {
		if _, _, isRef := splitRef(rest); strings.TrimSpace(rest) == "" || isRef {
			return x.rate(true, rest)
		}
		return false, nil
	}
	var word, rest string
	for _, ww := range workerWords {
		if r, ok := strings.CutPrefix(text, ww.word); ok {
			word, rest = ww.word, r
			break
		}
	}
	isTasks := w == WordMyTasks
	isHelp := w == WordHelp || w == "菜单" || w == "?" || strings.EqualFold(w, "help")
	if word == "" && !isTasks && !isHelp {
		return false, nil
	}
	staff, err := senderStaff(ctx, c.Store, in)
	if err != nil {
		return false, fmt.Errorf("staff: %w", err)
	}
	x.staff = staff
	if staff == nil {
		_, _, hasRef := splitRef(rest)
		if isTasks || (word != "" && hasRef) {
			x.say("%s", sm.StaffOnly) // a polite refusal; nothing changes
			return true, nil
		}
		return false, nil // a resident's sentence that starts with one of the words
	}
	switch {
	case isHelp:
		if in.Conversation != nil && in.Now.Before(in.Conversation.ExpiresAt) && unfinished(in.Conversation.State) {
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
	sm, m := x.c.Engine.staffMsg(), &x.c.Engine.Msg
	lines := []string{fmt.Sprintf(sm.HelpStaffF, sm.RoleNames[string(x.staff.Role)]), sm.HelpWorker}
	if x.staff.Role == models.RoleCommittee || x.staff.Role == models.RoleAdmin {
		lines = append(lines, sm.HelpCommittee)
	}
	lines = append(lines, m.HelpResident)
	x.say("%s", strings.Join(lines, "\n"))
}

// bind runs 绑定 <code>. The binding is its own transaction (store.BindStaff);
// a redelivered message finds its recorded reply first and binds nothing
// twice, so a retry never counts as a second wrong try.
func (x *cmdCtx) bind(code string) error {
	sm := x.c.Engine.staffMsg()
	if code == "" {
		x.say("%s", sm.BindUsage)
		return nil
	}
	if reply, err := x.c.Store.ProcessedReply(x.ctx, x.in.Msg.CommunityID, x.in.Msg.DedupeKey()); err == nil {
		x.say("%s", reply)
		return nil
	} else if models.ErrorCode(err) != models.ENOTFOUND {
		return fmt.Errorf("bind: %w", err)
	}
	// Someone bound already is told so, whatever code they send (and no try is counted).
	if s, err := x.c.Store.StaffByOpenID(x.ctx, x.in.Msg.CommunityID, x.in.Msg.OpenID); err == nil {
		x.say(sm.AlreadyBoundF, sm.RoleNames[string(s.Role)])
		return nil
	} else if models.ErrorCode(err) != models.ENOTFOUND {
		return fmt.Errorf("bind: %w", err)
	}
	s, err := x.c.Store.BindStaff(x.ctx, x.in.Msg.CommunityID, x.in.Msg.OpenID, code, x.now)
	switch {
	case err == nil:
		x.say(sm.BoundF, s.Name, sm.RoleNames[string(s.Role)])
	case errors.Is(err, models.ErrInviteUnknown):
		x.say("%s", sm.BindUnknown)
	case errors.Is(err, models.ErrInviteExpired):
		x.say("%s", sm.BindExpired)
	case errors.Is(err, models.ErrInviteUsed):
		x.say("%s", sm.BindUsed)
	case errors.Is(err, models.ErrBindLocked):
		x.say("%s", sm.BindLocked)
	case errors.Is(err, models.ErrAlreadyBound):
		role := ""
		if s, serr := x.c.Store.StaffByOpenID(x.ctx, x.in.Msg.CommunityID, x.in.Msg.OpenID); serr == nil {
			role = sm.RoleNames[string(s.Role)]
		}
		x.say(sm.AlreadyBoundF, role)
	case models.ErrorCode(err) == models.EINVALID:
		x.say("%s", sm.BindUnknown)
	default:
		return fmt.Errorf("bind: %w", err)
	}
	return nil
}

// tasks lists the staff member's open tasks, overdue first.
func (x *cmdCtx) tasks() error {
	sm, e := x.c.Engine.staffMsg(), x.c.Engine
	list, err := x.c.Store.OpenTasks(x.ctx, x.staff, x.now, maxTasksListed+50)
	if err != nil {
		return fmt.Errorf("my tasks: %w", err)
	}
	if len(list) == 0 {
		x.say("%s", sm.NoTasks)
		return nil
	}
	lines := []string{fmt.Sprintf(sm.TasksHeadF, len(list))}
	for _, a := range list[:min(len(list), maxTasksListed)] {
		due := e.Msg.NoDeadline
		if a.DueAt != nil {
			due = e.dueText(a.DueAt)
		}
		if a.Overdue(x.now) {
			due = sm.OverdueMark + due
		}
		lines = append(lines, fmt.Sprintf(sm.TaskLineF, a.Ref, a.Topic, e.Msg.StatusNames[string(a.Status)], due))
	}
	if len(list) > maxTasksListed {
		lines = append(lines, fmt.Sprintf(sm.TasksMoreF, len(list)-maxTasksListed))
	}
	x.say("%s", strings.Join(lines, "\n"))
	return nil
}

// dueText says a deadline as the engine does.
func (e *Engine) dueText(t *time.Time) string {
	l := t.In(e.loc())
	return l.Format(e.Msg.DueDateF) + "（" + e.Msg.Weekdays[l.Weekday()] + "）"
}

// usage is each command's format line.
var usage = map[string]string{
	WordAccept: "接单 编号", WordProgress: "进展 编号 内容", WordResolve: "办结 编号 说明",
	WordEscalate: "上报 编号 原因", WordReturn: "退回 编号 原因",
	WordReassign: "改派 编号 人员编号 原因", WordReclassify: "改类 编号 大事|小事|私事 原因",
}

// verbs name what a command does, for "cannot … now".
var verbs = map[string]string{WordAccept: "接单", WordProgress: "报告进展", WordResolve: "办结", WordEscalate: "上报",
	WordReturn: "退回", WordReassign: "改派", WordReclassify: "改类", WordSatisfied: "评价", WordUnsatisfied: "评价"}

// change is one appeal's update being built.
type change struct {
	a      *models.Appeal
	before models.Appeal
	upd    *models.AppealUpdate
	n      int // events stored before this command
}

// load reads the appeal a command names; nil (with the reply said) when it
// does not exist in the sender's community.
func (x *cmdCtx) load(ref string) (*change, error) {
	a, err := x.c.Engine.Reader.AppealByRef(x.ctx, ref)
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && a.CommunityID != x.in.Msg.CommunityID) {
		x.say(x.c.Engine.staffMsg().NotFoundF, ref)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("appeal by ref: %w", err)
	}
	evs, err := x.c.Engine.Reader.AppealEvents(x.ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("appeal events: %w", err)
	}
	return &change{a: a, before: *a, upd: &models.AppealUpdate{Appeal: a, ExpectStatus: a.Status}, n: len(evs)}, nil
}

// apply takes one lifecycle step; on refusal it says why and returns false.
func (x *cmdCtx) apply(ch *change, st models.Step, actor models.Actor, reason, word string) bool {
	sm := x.c.Engine.staffMsg()
	ev, err := models.Apply(ch.a, st, actor, clip(reason, 500), x.now)
	switch models.ErrorCode(err) {
	case "":
		ch.upd.Events = append(ch.upd.Events, ev)
		return true
	case models.EFORBIDDEN:
		x.say(sm.NotYoursF, ch.a.Ref)
	case models.ECONFLICT:
		x.say(sm.NotNowF, ch.a.Ref, x.c.Engine.Msg.StatusNames[string(ch.a.Status)], verbs[word])
	default:
		x.say(sm.NeedRefF, usage[word])
	}
	return false
}

// commit puts the change into the turn.
func (x *cmdCtx) commit(ch *change) {
	x.out.Turn.AppealUpdates = append(x.out.Turn.AppealUpdates, ch.upd)
}

func (x *cmdCtx) pushTo(ch *change, act models.Action, typ, text string, to ...[]string) {
	push(&x.out.Turn, ch.a.CommunityID, typ, func(o string) string { return pushKey(ch.a.Ref, act, ch.n, o) }, text, to...)
}

func (x *cmdCtx) followers(a *models.Appeal) ([]string, error) {
	if x.c.Store == nil {
		return nil, nil
	}
	fs, err := x.c.Store.FollowerOpenIDs(x.ctx, a)
	if err != nil {
		return nil, fmt.Errorf("followers: %w", err)
	}
	return fs, nil
}

func (x *cmdCtx) committee(communityID string) ([]string, error) {
	cs, err := x.c.Store.CommitteeOpenIDs(x.ctx, communityID)
	if err != nil {
		return nil, fmt.Errorf("committee: %w", err)
	}
	return cs, nil
}

func (x *cmdCtx) handlers(a *models.Appeal) ([]string, error) {
	hs, err := x.c.Store.HandlerOpenIDs(x.ctx, a)
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	return hs, nil
}

// act runs a command on one appeal.
func (x *cmdCtx) act(word, rest string) error {
	sm, e := x.c.Engine.staffMsg(), x.c.Engine
	ref, arg, ok := splitRef(rest)
	needsText := false
	for _, ww := range workerWords {
		if ww.word == word {
			needsText = ww.needText
		}
	}
	committee := x.staff.Role == models.RoleCommittee || x.staff.Role == models.RoleAdmin
	if (word == WordReassign || word == WordReclassify) && !committee {
		x.say("%s", sm.CommitteeOnly)
		return nil
	}
	if !ok || (needsText && arg == "") || (word == WordEscalate && arg == "" && !committee) {
		x.say(sm.NeedRefF, usage[word])
		return nil
	}
	ch, err := x.load(ref)
	if err != nil || ch == nil {
		return err
	}
	a := ch.a
	actor := models.Actor{Kind: models.ActorStaff, Staff: x.staff}
	followers, err := x.followers(a)
	if err != nil {
		return err
	}
	switch word {
	case WordAccept:
		if !x.apply(ch, models.Step{Action: models.ActAccept}, actor, "", word) {
			return nil
		}
		due := e.Msg.NoDeadline
		if a.DueAt != nil {
			due = e.dueText(a.DueAt)
		}
		x.say(sm.AcceptedF, a.Ref, a.Topic, due)
		x.pushTo(ch, models.ActAccept, models.PushProgress, fmt.Sprintf(sm.PushAcceptedF, a.Ref, a.Topic, x.staff.Name), followers)
	case WordProgress:
		// Progress on a task not yet accepted accepts it first.
		if models.Allowed(a.Status, models.ActAccept) && !x.apply(ch, models.Step{Action: models.ActAccept}, actor, "", word) {
			return nil
		}
		if !x.apply(ch, models.Step{Action: models.ActProgress}, actor, arg, word) {
			return nil
		}
		x.say(sm.ProgressF, a.Ref)
		x.pushTo(ch, models.ActProgress, models.PushProgress, fmt.Sprintf(sm.PushProgressF, a.Ref, a.Topic, clip(arg, 200)), followers)
	case WordResolve:
		if !x.apply(ch, models.Step{Action: models.ActResolve}, actor, arg, word) {
			return nil
		}
		x.say(sm.ResolvedF, a.Ref)
		note := clip(arg, 200)
		x.pushTo(ch, models.ActResolve, models.PushProgress, fmt.Sprintf(sm.PushResolvedAuthorF, a.Ref, a.Topic, note), followers[:min(1, len(followers))])
		x.pushTo(ch, models.ActResolve, models.PushProgress, fmt.Sprintf(sm.PushResolvedFollowerF, a.Ref, a.Topic, note), followers[min(1, len(followers)):])
	case WordReturn:
		if !x.apply(ch, models.Step{Action: models.ActReturn}, actor, arg, word) {
			return nil
		}
		cs, err := x.committee(a.CommunityID)
		if err != nil {
			return err
		}
		x.say(sm.ReturnedF, a.Ref)
		x.pushTo(ch, models.ActReturn, models.PushTaskAssigned,
			fmt.Sprintf(sm.PushReturnedF, a.Ref, a.Topic, x.staff.Name, clip(arg, 200), a.Ref), cs)
	case WordEscalate:
		return x.escalate(ch, actor, arg, committee, followers)
	case WordReassign:
		return x.reassign(ch, actor, arg)
	case WordReclassify:
		return x.reclassify(ch, actor, arg)
	}
	x.commit(ch)
	return nil
}

// escalate moves the appeal one level up, to the next level's handler and
// time limit, and tells the new handler and the residents.
func (x *cmdCtx) escalate(ch *change, actor models.Actor, reason string, committee bool, followers []string) error {
	sm, e := x.c.Engine.staffMsg(), x.c.Engine
	a := ch.a
	if reason == "" && committee {
		reason = WordEscalate
	}
	up, ok := a.Level.Next()
	if !ok {
		x.say(sm.NotNowF, a.Ref, e.Msg.StatusNames[string(a.Status)], verbs[WordEscalate])
		return nil
	}
	next := *a
	next.Level = up
	assignee, err := e.route(x.ctx, &next)
	if err != nil {
		return err
	}
	if !x.apply(ch, models.Step{Action: models.ActEscalate, Assignee: assignee}, actor, reason, WordEscalate) {
		return nil
	}
	// The new level's time limit runs from now (else the overdue job would
	// escalate it again at once); set by the system, as the job does.
	if days, working, ok := models.TimeLimit(up); ok && e.Deadliner != nil {
		due := e.Deadliner.Due(x.now, days, working).UTC()
		if !x.apply(ch, models.Step{Action: models.ActSetDeadline, DueAt: &due}, models.Actor{Kind: models.ActorSystem},
			"time limit of the "+string(up)+" level", WordEscalate) {
			return nil
		}
	}
	due := e.Msg.NoDeadline
	if a.DueAt != nil {
		due = e.dueText(a.DueAt)
	}
	level := ZhCNPush.LevelNames[string(up)]
	x.say(sm.EscalatedF, a.Ref, level, due)
	if err := e.pushAssigned(x.ctx, &x.out.Turn, a, a.Ref, x.now, ch.n); err != nil {
		return err
	}
	x.pushTo(ch, models.ActEscalate, models.PushEscalation, fmt.Sprintf(sm.PushEscalatedResidentF, a.Ref, a.Topic, level, due), followers)
	x.commit(ch)
	return nil
}

// reassign is the committee's 改派 <ref> <staff> [原因].
func (x *cmdCtx) reassign(ch *change, actor models.Actor, arg string) error {
	sm := x.c.Engine.staffMsg()
	who, reason, _ := strings.Cut(arg, " ")
	who, reason = strings.TrimSpace(who), strings.TrimSpace(reason)
	if reason == "" {
		reason = WordReassign
	}
	assignee, err := x.c.Store.ResolveAssignee(x.ctx, ch.a.CommunityID, who)
	if models.ErrorCode(err) == models.EINVALID {
		x.say(sm.UnknownStaffF, clip(who, 20))
		return nil
	}
	if err != nil {
		return fmt.Errorf("reassign: %w", err)
	}
	act := models.ActReassign
	if models.Allowed(ch.a.Status, models.ActAssign) {
		act = models.ActAssign
	}
	if !x.apply(ch, models.Step{Action: act, Assignee: assignee}, actor, reason, WordReassign) {
		return nil
	}
	name := assignee
	if id, ok := models.ParseStaffRef(assignee); ok {
		if s, err := x.c.Store.StaffByID(x.ctx, ch.a.CommunityID, id); err == nil {
			name = s.Name
		}
	} else if r, ok := models.PlaceholderRole(assignee); ok {
		name = sm.RoleNames[string(r)]
	}
	x.say(sm.ReassignedF, ch.a.Ref, name)
	if err := x.c.Engine.pushAssigned(x.ctx, &x.out.Turn, ch.a, ch.a.Ref, x.now, ch.n); err != nil {
		return err
	}
	x.commit(ch)
	return nil
}

// kindWords of 改类.
var reclassKinds = map[string]models.Kind{"大事": models.KindMajor, "小事": models.KindSmall, "私事": models.KindPrivate}

// reclassify is the committee's 改类 <ref> 大事|小事|私事 <原因>: the kind
// (and the level it implies) changes, then the appeal is guided (private)
// or routed to the new kind's handler.
func (x *cmdCtx) reclassify(ch *change, actor models.Actor, arg string) error {
	sm, e := x.c.Engine.staffMsg(), x.c.Engine
	a := ch.a
	var kind models.Kind
	var reason string
	for w, k := range reclassKinds {
		if r, ok := strings.CutPrefix(arg, w); ok {
			kind, reason = k, strings.TrimSpace(r)
		}
	}
	if kind == "" || reason == "" {
		x.say(sm.NeedRefF, usage[WordReclassify])
		return nil
	}
	if kind == a.Kind {
		x.say(sm.SameKindF, a.Ref, e.Msg.KindNames[string(kind)])
		return nil
	}
	level := models.LevelCommunity
	switch kind {
	case models.KindPrivate:
		level = models.LevelSelf
	case models.KindMajor:
		level = models.LevelStreet
		if a.Level == models.LevelDistrict {
			level = a.Level
		}
	}
	if !x.apply(ch, models.Step{Action: models.ActReclassify, Kind: kind, Level: level}, actor, reason, WordReclassify) {
		return nil
	}
	ch.upd.LearningVotes = e.CorrectionVotes(a, kind) // a correction teaches the community's words
	switch {
	case kind == models.KindPrivate:
		if models.Allowed(a.Status, models.ActGuide) && !x.apply(ch, models.Step{Action: models.ActGuide}, actor, reason, WordReclassify) {
			return nil
		}
	default:
		to, err := e.route(x.ctx, a)
		if err != nil {
			return err
		}
		act := models.Action("")
		switch {
		case models.Allowed(a.Status, models.ActAssign):
			act = models.ActAssign
		case to != a.Assignee && models.Allowed(a.Status, models.ActReassign):
			act = models.ActReassign
		}
		if act != "" {
			if !x.apply(ch, models.Step{Action: act, Assignee: to}, actor, reason, WordReclassify) {
				return nil
			}
			if err := e.pushAssigned(x.ctx, &x.out.Turn, a, a.Ref, x.now, ch.n); err != nil {
				return err
			}
		}
	}
	x.say(sm.ReclassifiedF, a.Ref, e.Msg.KindNames[string(kind)])
	x.commit(ch)
	return nil
}

// rate is the resident's 满意 / 不满意 <原因>, on the appeal named or their
// latest resolved one. Only the author rates; 不满意 reopens the appeal and
// tells its handler and the committee.
func (x *cmdCtx) rate(satisfied bool, rest string) (bool, error) {
	sm, e := x.c.Engine.staffMsg(), x.c.Engine
	ref, reason, hasRef := splitRef(rest)
	if !hasRef {
		reason = strings.TrimSpace(strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }))
	}
	var ch *change
	if hasRef {
		c, err := x.load(ref)
		if err != nil || c == nil {
			return true, err
		}
		if c.a.OpenID != x.in.Msg.OpenID { // someone else's appeal is "not found"
			x.say(sm.NotFoundF, ref)
			return true, nil
		}
		ch = c
	} else {
		list, err := e.Reader.ListAppeals(x.ctx, models.AppealFilter{CommunityID: x.in.Msg.CommunityID,
			OpenID: x.in.Msg.OpenID, Status: models.StatusResolved, Limit: 1})
		if err != nil {
			return false, fmt.Errorf("resolved appeals: %w", err)
		}
		if len(list) == 0 {
			if !satisfied {
				return false, nil // 不满意… with nothing to rate: maybe a new appeal
			}
			x.say("%s", sm.RateNothing)
			return true, nil
		}
		if ch, err = x.load(list[0].Ref); err != nil || ch == nil {
			return true, err
		}
	}
	a := ch.a
	if a.Status != models.StatusResolved {
		x.say(sm.RateNotResolvedF, a.Ref, e.Msg.StatusNames[string(a.Status)])
		return true, nil
	}
	if !satisfied && reason == "" {
		x.say("%s", sm.RateNeedReason)
		return true, nil
	}
	actor := models.Actor{Kind: models.ActorResident, OpenID: x.in.Msg.OpenID}
	act, word := models.ActRateSatisfied, WordSatisfied
	if !satisfied {
		act, word = models.ActRateUnsatisfied, WordUnsatisfied
	}
	if !x.apply(ch, models.Step{Action: act}, actor, reason, word) {
		return true, nil
	}
	hs, err := x.handlers(a)
	if err != nil {
		return false, err
	}
	if satisfied {
		x.say(sm.RatedSatisfiedF, a.Ref)
		x.pushTo(ch, act, models.PushProgress, fmt.Sprintf(sm.PushSatisfiedF, a.Ref, a.Topic), hs)
	} else {
		cs, err := x.committee(a.CommunityID)
		if err != nil {
			return false, err
		}
		x.say(sm.RatedUnsatisfiedF, a.Ref)
		x.pushTo(ch, act, models.PushProgress, fmt.Sprintf(sm.PushUnsatisfiedF, a.Ref, a.Topic, clip(reason, 200)), hs, cs)
	}
	x.commit(ch)
	return true, nil
}

// HandleMedia implements MediaHandler: a staff member's photo within
// PhotoWindow of their 办结 is attached to that resolution (MediaId and
// PicUrl kept as an "attachment" event); any other photo is not handled.
func (c *StaffCommands) HandleMedia(ctx context.Context, in Input, out *Output) (bool, error) {
	if in.Msg.MsgType != models.MsgImage {
		return false, nil
	}
	if conv := in.Conversation; conv != nil && in.Now.Before(conv.ExpiresAt) && unfinished(conv.State) {
		return false, nil // a photo for an appeal they are raising themselves
	}
	staff, err := senderStaff(ctx, c.Store, in)
	if err != nil {
		return false, fmt.Errorf("staff: %w", err)
	}
	if staff == nil {
		return false, nil
	}
	win := c.PhotoWindow
	if win <= 0 {
		win = DefaultPhotoWindow
	}
	a, err := c.Store.LastResolvedBy(ctx, in.Msg.CommunityID, staff.Ref(), in.Now.Add(-win))
	if models.ErrorCode(err) == models.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("last resolved: %w", err)
	}
	media := strings.TrimSpace(clip(in.Msg.MediaID, 128) + " " + clip(in.Msg.PicURL, 512))
	out.Turn.Events = append(out.Turn.Events, &models.AppealEvent{AppealID: a.ID, Actor: staff.Ref(),
		Action: string(models.ActAttachment), FromStatus: a.Status, ToStatus: a.Status, Reason: media, At: in.Now.UTC()})
	out.Replies = append(out.Replies, fmt.Sprintf(c.Engine.staffMsg().PhotoAttachedF, a.Ref))
	return true, nil
}
