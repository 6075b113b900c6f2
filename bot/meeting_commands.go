package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// MeetingCommands is the CommandHandler of the meeting chat words:
//
//	参加 [编号] / 不参加 [编号]            invitees answer (the code may be left out when one invitation is open)
//	开会 <范围> <时间> <地点> <议题>       committee members and admins call and broadcast a meeting
//	会议 <编号>                            the organiser's counts (an invitee sees the card)
//	取消会议 <编号> <原因>                 committee members and admins cancel
type MeetingCommands struct {
	meetings *ops.Meetings
	store    MeetingReader
	msg      *messages.MeetingMessages
	sm       *messages.StaffMessages
}

// MeetingReader is what the meeting commands read besides the operations.
type MeetingReader interface {
	MeetingByCode(ctx context.Context, communityID, code string) (*models.Meeting, error)
	MeetingInvitees(ctx context.Context, meetingID uint64) ([]*models.MeetingInvitee, error)
	// Invited reports whether openID is on the meeting's list.
	Invited(ctx context.Context, communityID string, meetingID uint64, openID string) (bool, error)
	Invitations(ctx context.Context, communityID, openID string, now time.Time) ([]*models.Invitation, error)
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
	// OrganisedMeetings returns the meetings an organiser called that are still to come.
	OrganisedMeetings(ctx context.Context, communityID, organiser string, now time.Time) ([]*models.Meeting, error)
}

// maxInviteesListed keeps 会议 <编号> within one readable message.
const maxInviteesListed = 30

// NewMeetingCommands builds the meeting commands; a missing requirement is an error.
func NewMeetingCommands(m *ops.Meetings, store MeetingReader) (*MeetingCommands, error) {
	if m == nil || store == nil {
		return nil, errors.New("bot: meeting commands need the meeting operations and a store")
	}
	return &MeetingCommands{meetings: m, store: store, msg: &messages.ZhCNMeetings, sm: &messages.ZhCNStaff}, nil
}

var _ CommandHandler = (*MeetingCommands)(nil)

// HandleCommand implements CommandHandler.
func (c *MeetingCommands) HandleCommand(ctx context.Context, in Input, out *Output) (bool, error) {
	raw := strings.TrimSpace(in.Msg.Content)
	w := normWord(raw)
	if rest, ok := cutWord(w, chat.MeetingCancel); ok {
		return true, c.cancel(ctx, in, out, raw, rest)
	}
	if _, ok := cutWord(w, chat.MeetingCall...); ok {
		st, err := senderStaff(ctx, c.store, in)
		if err != nil || st == nil {
			return false, err // from a resident it is just words, perhaps an appeal
		}
		if st.Role != models.RoleCommittee && st.Role != models.RoleAdmin {
			c.say(out, c.msg.StaffOnly) // a grid worker's 开会 is no appeal (found by a first user)
			return true, nil
		}
		return true, c.call(ctx, in, out, raw, st)
	}
	if rest, ok := cutWord(w, chat.MeetingShow...); ok {
		if code, ok := models.NormalizeMeetingCode(trimPunct(rest)); ok {
			return true, c.show(ctx, in, out, code)
		}
		return false, nil
	}
	for _, set := range []struct {
		words  []string
		accept bool
	}{{chat.MeetingDecline, false}, {chat.MeetingAccept, true}} {
		if rest, ok := cutWord(w, set.words...); ok {
			rest = trimPunct(rest)
			code, isCode := models.NormalizeMeetingCode(rest)
			if rest != "" && !isCode {
				// "来不了，那天要上夜班" answers a waiting invitation: the word is a
				// clause of its own; "参加社区活动的场地太小" is an appeal.
				if !clauseOf(w, set.words) || !c.awaitingAnswer(ctx, in) {
					return false, nil
				}
			}
			if !isCode {
				code = ""
			}
			if rest == "" && set.accept && c.projectSignUp(ctx, in, w) {
				return false, nil // a bare 报名 with no invitation is for the projects
			}
			return true, c.answer(ctx, in, out, code, set.accept)
		}
	}
	// "要得" / "好的" while an invitation waits for an answer: coming.
	if slices.Contains(chat.MeetingYes, w) && c.awaitingAnswer(ctx, in) {
		return true, c.answer(ctx, in, out, "", true)
	}
	// In clauses of their own, with particles: "来不了哦", "那天要上班 来不了哦"
	// (a reason, then the answer) and "要得，我来" (found by a first user,
	// told 没太明白). A decline clause answers; a yes needs every clause to
	// be one, so that "好的，楼道灯还是不亮" stays words.
	if accept, ok := clauseAnswer(raw); ok && c.awaitingAnswer(ctx, in) {
		return true, c.answer(ctx, in, out, "", accept)
	}
	return false, nil
}

// particles are the modal particles a short answer ends with (来不了哦).
const particles = "哦啊呀嘛哈啦呢了嘞噢撒哟吧"

// clauseAnswer reads an answer to an invitation from the clauses of a
// message (split at punctuation and spaces, particles trimmed): any clause
// that is a decline word declines; clauses that are all yes or accept words
// accept.
func clauseAnswer(raw string) (accept, ok bool) {
	parts := strings.FieldsFunc(raw, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r) })
	yes := len(parts) > 0
	for _, p := range parts {
		switch p = normWord(p); {
		case strings.Trim(p, particles) == "":
		case particled(p, chat.MeetingDecline):
			return false, true
		case !particled(p, chat.MeetingYes) && !particled(p, chat.MeetingAccept):
			yes = false
		}
	}
	return true, yes
}

// particled reports whether p is one of words, with particles after it
// taken off one by one (来不了哦 is 来不了; 了 is a particle too).
func particled(p string, words []string) bool {
	for {
		if slices.Contains(words, p) {
			return true
		}
		r, n := utf8.DecodeLastRuneInString(p)
		if n == 0 || !strings.ContainsRune(particles, r) {
			return false
		}
		p = p[:len(p)-n]
	}
}

// projectSignUp reports whether w is a bare project sign-up word (报名)
// from someone invited to no meeting: the project commands then say which
// projects recruit, not only that no meeting awaits them (found by a user).
func (c *MeetingCommands) projectSignUp(ctx context.Context, in Input, w string) bool {
	rest, ok := cutWord(w, messages.ZhCNCampaigns.SignUpWords...)
	if !ok || trimPunct(rest) != "" {
		return false
	}
	invs, err := c.store.Invitations(ctx, in.Msg.CommunityID, in.Msg.OpenID, in.Now)
	return err == nil && len(invs) == 0
}

// clauseOf reports whether w starts with one of the words followed by
// punctuation: the word is a whole answer, the rest its explanation.
func clauseOf(w string, words []string) bool {
	for _, word := range words {
		if rest, ok := strings.CutPrefix(w, word); ok && rest != "" {
			r, _ := utf8.DecodeRuneInString(rest)
			return unicode.IsPunct(r)
		}
	}
	return false
}

// awaitingAnswer reports whether the sender, outside any conversation of
// their own, has an invitation waiting for an answer: a free reply is then
// read as one.
func (c *MeetingCommands) awaitingAnswer(ctx context.Context, in Input) bool {
	if conv := in.Conversation; conv != nil && in.Now.Before(conv.ExpiresAt) && unfinished(State(conv.State)) {
		return false
	}
	invs, err := c.store.Invitations(ctx, in.Msg.CommunityID, in.Msg.OpenID, in.Now)
	if err != nil {
		return false
	}
	for _, x := range invs {
		if x.Invitee.Answer == models.AnswerPending {
			return true
		}
	}
	return false
}

func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) })
}

func (c *MeetingCommands) say(out *Output, text string) { out.Replies = append(out.Replies, text) }

// answer records 参加 / 不参加.
func (c *MeetingCommands) answer(ctx context.Context, in Input, out *Output, code string, accept bool) error {
	msg := c.msg
	community, openID := in.Msg.CommunityID, in.Msg.OpenID
	invs, err := c.store.Invitations(ctx, community, openID, in.Now)
	if err != nil {
		return err
	}
	var inv *models.Invitation
	if code != "" {
		for _, x := range invs {
			if x.Meeting.Code == code {
				inv = x
			}
		}
		if inv == nil {
			c.say(out, c.whyNot(ctx, community, openID, code, in.Now))
			return nil
		}
	} else {
		var pending []*models.Invitation
		for _, x := range invs {
			if x.Invitee.Answer == models.AnswerPending {
				pending = append(pending, x)
			}
		}
		switch {
		case len(pending) == 1:
			inv = pending[0]
		case len(pending) == 0 && len(invs) == 1:
			inv = invs[0]
		case len(invs) == 0:
			c.say(out, msg.NoInvitation)
			return nil
		default:
			list := pending
			if len(list) == 0 {
				list = invs
			}
			c.say(out, msg.WhichMeeting+"\n"+c.listLines(list))
			return nil
		}
	}
	res, err := c.meetings.PlanAnswer(ctx, inv, accept)
	if err != nil {
		return err
	}
	m, when := inv.Meeting, c.meetings.When(inv.Meeting.StartsAt)
	switch res.Outcome {
	case ops.AnswerUnchanged:
		c.say(out, fmt.Sprintf(msg.AlreadyF, m.Code, msg.AnswerNames[string(res.Was)]))
	case ops.AnswerAccepted:
		c.say(out, fmt.Sprintf(msg.AcceptedF, m.Code, m.Topic, when, m.Venue))
	case ops.AnswerWaitlisted:
		c.say(out, fmt.Sprintf(msg.WaitlistedF, m.Code, m.Topic, res.Position))
	case ops.AnswerDeclined:
		c.say(out, fmt.Sprintf(msg.DeclinedF, m.Code, m.Topic))
	}
	if res.Change != nil {
		out.Turn.Meetings = append(out.Turn.Meetings, res.Change)
	}
	return nil
}

// whyNot explains why a code cannot be answered.
func (c *MeetingCommands) whyNot(ctx context.Context, community, openID, code string, now time.Time) string {
	msg := c.msg
	m, err := c.store.MeetingByCode(ctx, community, code)
	if err != nil || !c.invited(ctx, m, community, openID) {
		// Whether the code exists, and its meeting's state, is the
		// invitees' business: anyone else learns nothing from a guess.
		return fmt.Sprintf(msg.NotYoursF, code)
	}
	switch {
	case m.Status == models.MeetingCancelled:
		return fmt.Sprintf(msg.CancelledMeetF, code)
	case m.Status == models.MeetingHeld || !m.StartsAt.After(now):
		return fmt.Sprintf(msg.OverMeetingF, code)
	case m.Status == models.MeetingDraft:
		return fmt.Sprintf(msg.UnknownCodeF, code)
	}
	return fmt.Sprintf(msg.NotInvitedF, code)
}

// invited reports whether openID is on the meeting's list (false when it
// cannot be read: then nothing is told).
func (c *MeetingCommands) invited(ctx context.Context, m *models.Meeting, community, openID string) bool {
	ok, err := c.store.Invited(ctx, community, m.ID, openID)
	return err == nil && ok
}

func (c *MeetingCommands) listLines(invs []*models.Invitation) string {
	var lines []string
	for _, x := range invs {
		lines = append(lines, fmt.Sprintf(c.msg.ListLineF, x.Meeting.Code, x.Meeting.Topic, c.meetings.When(x.Meeting.StartsAt),
			c.msg.AnswerNames[string(x.Invitee.Answer)]))
	}
	return strings.Join(lines, "\n")
}

// organiser returns the sender when they may organise meetings (committee, admin).
func (c *MeetingCommands) organiser(ctx context.Context, in Input) (*models.Staff, error) {
	st, err := senderStaff(ctx, c.store, in)
	if err != nil || st == nil {
		return nil, err
	}
	if st.Role != models.RoleCommittee && st.Role != models.RoleAdmin {
		return nil, nil
	}
	return st, nil
}

// call handles 开会 <范围> <时间> <地点> <议题>.
func (c *MeetingCommands) call(ctx context.Context, in Input, out *Output, raw string, st *models.Staff) error {
	msg := c.msg
	fields, typed := foldedFields(raw, chat.MeetingCall...)
	if len(fields) < 4 {
		c.say(out, msg.CallUsage)
		return nil
	}
	level, spec, ok := parseScope(fields[0])
	if !ok {
		// A grid's own name without the scope's word (第一网格, 幸福里).
		if ids, unknown := c.gridIDs(in.Msg.CommunityID, "", []string{fields[0]}); unknown == "" && len(c.meetings.Grids(in.Msg.CommunityID)) > 0 {
			level, spec, ok = models.MeetingGroup, ops.InviteeSpec{Grids: ids}, true
		}
	}
	if !ok {
		c.say(out, msg.CallBadScope+"\n"+msg.CallUsage)
		return nil
	}
	if len(spec.Grids) > 0 {
		// Grids as the committee knows them: 网格一 by its name, g1 by its id.
		var unknown string
		if spec.Grids, unknown = c.gridIDs(in.Msg.CommunityID, fields[0], spec.Grids); unknown != "" {
			c.say(out, fmt.Sprintf(msg.CallUnknownGridF, unknown, c.gridNames(in.Msg.CommunityID))+"\n"+msg.CallUsage)
			return nil
		}
	}
	when, used, ok := parseWhen(fields[1:], in.Now, c.meetings.Location())
	if !ok {
		c.say(out, fmt.Sprintf(msg.CallBadTimeF, fields[1]))
		return nil
	}
	rest := fields[1+used:]
	if len(rest) < 2 {
		c.say(out, msg.CallUsage)
		return nil
	}
	if !when.After(in.Now) {
		c.say(out, msg.CallPastTime)
		return nil
	}
	if models.CheckMeetingStart(when, in.Now) != nil { // past a year ahead
		c.say(out, msg.CallTooFar)
		return nil
	}
	rest = typed[len(typed)-len(rest):] // venue and topic as typed, punctuation kept
	req := ops.MeetingRequest{CommunityID: in.Msg.CommunityID, Level: string(level), StartsAt: when, Venue: rest[0],
		Topic: strings.Join(rest[1:], " "), Invitees: spec, By: models.Actor{Kind: models.ActorStaff, Staff: st}}
	ch, res, err := c.meetings.PlanCall(ctx, req)
	if err != nil {
		if errors.Is(err, ops.ErrNoInvitees) {
			c.say(out, msg.CallNobody)
			return nil
		}
		if models.ErrorCode(err) == models.EINVALID {
			c.say(out, msg.CallUsage)
			return nil
		}
		return err
	}
	m := ch.Meeting
	c.say(out, fmt.Sprintf(msg.CallDoneF, m.Code, msg.LevelNames[string(m.Level)], m.Topic, c.meetings.When(m.StartsAt), m.Venue,
		len(ch.Invitees), res.Queued+res.Deferred, res.Unreachable))
	out.Turn.Meetings = append(out.Turn.Meetings, ch)
	return nil
}

// gridIDs reads the grids a scope names: each by its id or by its name,
// with or without the scope's word (网格一 is "网格" + "一"); the first word
// that names no grid comes back as unknown. A community whose grids the
// directory does not know keeps the words as typed.
func (c *MeetingCommands) gridIDs(community, scope string, words []string) ([]string, string) {
	grids := c.meetings.Grids(community)
	if len(grids) == 0 {
		return words, ""
	}
	prefix := ""
	for _, p := range chat.ScopeGroup {
		if strings.HasPrefix(scope, p) {
			prefix = p
			break
		}
	}
	out := make([]string, 0, len(words))
	for _, w := range words {
		id := ""
		for _, g := range grids {
			// 网格1 is 网格一 (found by a second user).
			if name := numerals.Replace(g.Name); strings.EqualFold(g.ID, w) || name == numerals.Replace(w) || name == numerals.Replace(prefix+w) {
				id = g.ID
				break
			}
		}
		if id == "" {
			return nil, prefix + w
		}
		out = append(out, id)
	}
	return out, ""
}

// numerals writes a name's single Chinese digits as Arabic ones, so that
// 网格1 and 网格一 are one name.
var numerals = strings.NewReplacer("〇", "0", "零", "0", "一", "1", "二", "2", "三", "3", "四", "4", "五", "5", "六", "6", "七", "7", "八", "8", "九", "9")

// gridNames lists a community's grids for a reply: 网格一（g1）、…
func (c *MeetingCommands) gridNames(community string) string {
	var names []string
	for _, g := range c.meetings.Grids(community) {
		if g.Name != "" && g.Name != g.ID {
			names = append(names, g.Name+"（"+g.ID+"）")
		} else {
			names = append(names, g.ID)
		}
	}
	return strings.Join(names, "、")
}

// meeting looks up a meeting by code; an unknown code is answered and
// gives nil with no error.
func (c *MeetingCommands) meeting(ctx context.Context, in Input, out *Output, code string) (*models.Meeting, error) {
	m, err := c.store.MeetingByCode(ctx, in.Msg.CommunityID, code)
	if models.ErrorCode(err) == models.ENOTFOUND {
		c.say(out, fmt.Sprintf(c.msg.UnknownCodeF, code))
		return nil, nil
	}
	return m, err
}

// show handles 会议 <编号>: counts for organisers, the card for invitees.
func (c *MeetingCommands) show(ctx context.Context, in Input, out *Output, code string) error {
	msg := c.msg
	m, err := c.meeting(ctx, in, out, code)
	if m == nil {
		return err
	}
	st, err := c.organiser(ctx, in)
	if err != nil {
		return err
	}
	ivs, err := c.store.MeetingInvitees(ctx, m.ID)
	if err != nil {
		return err
	}
	if st == nil {
		for _, iv := range ivs {
			if iv.OpenID == in.Msg.OpenID && m.Status != models.MeetingDraft {
				c.say(out, c.meetings.Card(m, "", "")+"\n"+msg.AnswerNames[string(iv.Answer)])
				return nil
			}
		}
		c.say(out, fmt.Sprintf(msg.UnknownCodeF, code))
		return nil
	}
	v, err := c.meetings.ViewOf(ctx, m, ivs)
	if err != nil {
		return err
	}
	lines := []string{fmt.Sprintf(msg.CountsF, m.Code, m.Topic, msg.StatusNames[string(m.Status)], c.meetings.When(m.StartsAt), m.Venue,
		len(ivs), v.Counts[models.AnswerAccepted], v.Counts[models.AnswerDeclined], v.Counts[models.AnswerWaitlisted],
		v.Counts[models.AnswerPending], len(v.Unreachable))}
	for i, iv := range ivs {
		if i == maxInviteesListed {
			lines = append(lines, fmt.Sprintf(msg.InviteesMoreF, len(ivs)-i))
			break
		}
		name := iv.Name
		if name == "" {
			name = msg.UnnamedInvitee
		}
		answer := msg.AnswerNames[string(iv.Answer)]
		if iv.Unreachable != "" {
			answer += msg.UnreachableMark
		}
		lines = append(lines, fmt.Sprintf(msg.InviteeLineF, name, answer))
	}
	c.say(out, strings.Join(lines, "\n"))
	return nil
}

// cancel handles 取消会议 <编号> <原因>.
func (c *MeetingCommands) cancel(ctx context.Context, in Input, out *Output, raw, rest string) error {
	msg := c.msg
	st, err := c.organiser(ctx, in)
	if err != nil {
		return err
	}
	if st == nil {
		c.say(out, msg.StaffOnly)
		return nil
	}
	fields, typed := foldedFields(raw, chat.MeetingCancel)
	if len(fields) < 2 {
		c.say(out, msg.CancelUsage)
		return nil
	}
	code, ok := models.NormalizeMeetingCode(fields[0])
	if !ok {
		c.say(out, msg.CancelUsage)
		return nil
	}
	m, err := c.meeting(ctx, in, out, code)
	if m == nil {
		return err
	}
	if !m.Changeable() {
		c.say(out, fmt.Sprintf(msg.NotChangeableF, code, msg.StatusNames[string(m.Status)]))
		return nil
	}
	ivs, err := c.store.MeetingInvitees(ctx, m.ID)
	if err != nil {
		return err
	}
	ch, res, err := c.meetings.PlanCancel(ctx, models.Actor{Kind: models.ActorStaff, Staff: st}, m, ivs, strings.Join(typed[1:], " "))
	if errors.Is(err, ops.ErrReasonTooLong) {
		c.say(out, c.sm.ReasonTooLong)
		return nil
	}
	if err != nil {
		return err
	}
	c.say(out, fmt.Sprintf(msg.CancelDoneF, code, res.Queued+res.Deferred))
	out.Turn.Meetings = append(out.Turn.Meetings, ch)
	return nil
}

var (
	buildingScope = regexp.MustCompile(`^((?:[0-9]+[,，、和]?)+)(?:号楼|栋|幢|号)$`)
	numbers       = regexp.MustCompile(`[0-9]+`)
)

// parseScope reads the meeting's scope: "3栋" / "3,4栋" (building level),
// "小组g1" / "网格g1" (group level), "社区" (community level).
func parseScope(s string) (models.MeetingLevel, ops.InviteeSpec, bool) {
	s = strings.TrimSpace(s)
	switch {
	case slices.Contains(chat.ScopeCommunity, s):
		return models.MeetingCommunity, ops.InviteeSpec{Community: true}, true
	case buildingScope.MatchString(s):
		return models.MeetingBuilding, ops.InviteeSpec{Buildings: numbers.FindAllString(s, -1)}, true
	}
	for _, p := range chat.ScopeGroup {
		if g, ok := strings.CutPrefix(s, p); ok && g != "" {
			return models.MeetingGroup, ops.InviteeSpec{Grids: strings.FieldsFunc(g, func(r rune) bool { return r == ',' || r == '，' || r == '、' })}, true
		}
	}
	return "", ops.InviteeSpec{}, false
}

// The meeting-time patterns, built from the catalog's day words.
var dateTimeRe, relDayRe = whenPatterns(messages.ZhCNWords)

func whenPatterns(w messages.Words) (*regexp.Regexp, *regexp.Regexp) {
	quote := func(words []string) string {
		q := make([]string, len(words))
		for i, x := range words {
			q[i] = regexp.QuoteMeta(x)
		}
		return strings.Join(q, "|")
	}
	days := make([]string, 0, len(w.RelativeDays))
	for d := range w.RelativeDays {
		days = append(days, d)
	}
	slices.Sort(days)
	part := `(` + quote(append(append([]string{}, w.Morning...), w.Evening...)) + `)?`
	clock := part + `([0-9]{1,2})(?:[:：点时]([0-9]{1,2}|半)?分?)?`
	return regexp.MustCompile(`^(?:([0-9]{4})[-/年.])?([0-9]{1,2})[-/月.]([0-9]{1,2})[日号]?(?:T)?(?:` + clock + `)$`),
		regexp.MustCompile(`^(` + quote(days) + `)` + clock + `$`)
}

// parseWhen reads a meeting time from the first one or two fields (date and
// time may be apart); it returns the time and how many fields it used.
func parseWhen(fields []string, now time.Time, loc *time.Location) (time.Time, int, bool) {
	for n := 1; n <= 2 && n <= len(fields); n++ {
		if t, ok := parseWhenText(strings.Join(fields[:n], ""), now, loc); ok {
			// Prefer the longer reading when the second field is a time of day.
			if n == 1 && len(fields) > 1 {
				if t2, ok := parseWhenText(fields[0]+fields[1], now, loc); ok {
					return t2, 2, true
				}
			}
			return t, n, true
		}
	}
	return time.Time{}, 0, false
}

func parseWhenText(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	local := now.In(loc)
	for short, long := range messages.ZhCNWords.DayShorthands { // 明晚7点 (found by a second user)
		if rest, ok := strings.CutPrefix(s, short); ok {
			s = long + rest
			break
		}
	}
	var y, mo, d, h, mi int
	var half string
	var ampm string
	if m := dateTimeRe.FindStringSubmatch(s); m != nil && m[5] != "" {
		y = local.Year()
		if m[1] != "" {
			y, _ = strconv.Atoi(m[1])
		}
		mo, _ = strconv.Atoi(m[2])
		d, _ = strconv.Atoi(m[3])
		ampm = m[4]
		h, _ = strconv.Atoi(m[5])
		half = m[6]
		if m[1] == "" && time.Date(y, time.Month(mo), d, 23, 59, 0, 0, loc).Before(local.AddDate(0, -6, 0)) {
			y++ // "1月5日" typed in December is next year's
		}
	} else if m := relDayRe.FindStringSubmatch(s); m != nil {
		day := local.AddDate(0, 0, messages.ZhCNWords.RelativeDays[m[1]])
		y, mo, d = day.Year(), int(day.Month()), day.Day()
		ampm = m[2]
		h, _ = strconv.Atoi(m[3])
		half = m[4]
	} else {
		return time.Time{}, false
	}
	switch half {
	case "":
	case "半":
		mi = 30
	default:
		mi, _ = strconv.Atoi(half)
	}
	if slices.Contains(messages.ZhCNWords.Evening, ampm) && h < 12 {
		h += 12
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, 0, 0, loc)
	if t.Day() != d { // 2月30日
		return time.Time{}, false
	}
	return t, true
}

// InvitationsText lists a person's open invitations (the MEETINGS menu).
func (c *MeetingCommands) InvitationsText(ctx context.Context, communityID, openID string, now time.Time) (string, error) {
	invs, err := c.store.Invitations(ctx, communityID, openID, now)
	if err != nil {
		return "", err
	}
	var parts []string
	if len(invs) > 0 {
		parts = append(parts, c.msg.InvitationsHead+"\n"+c.listLines(invs)+"\n"+c.msg.AnswerHint)
	}
	// An organiser sees the meetings they called, with how to follow them.
	st, err := senderStaff(ctx, c.store, Input{Msg: models.Inbound{CommunityID: communityID, OpenID: openID}})
	if err != nil {
		return "", err
	}
	if st != nil && (st.Role == models.RoleCommittee || st.Role == models.RoleAdmin) {
		ms, err := c.store.OrganisedMeetings(ctx, communityID, st.Ref(), now)
		if err != nil {
			return "", err
		}
		if len(ms) > 0 {
			lines := []string{c.msg.OrganisedHead}
			for _, m := range ms {
				lines = append(lines, fmt.Sprintf(c.msg.OrganisedLineF, m.Code, m.Topic, c.meetings.When(m.StartsAt),
					c.msg.StatusNames[string(m.Status)]))
			}
			parts = append(parts, strings.Join(append(lines, c.msg.OrganisedHint), "\n"))
		}
	}
	if len(parts) == 0 {
		return c.msg.NoInvitation, nil
	}
	return strings.Join(parts, "\n\n"), nil
}

// foldedFields splits a command after its word twice: folded to half
// width (to read codes, scopes and times) and as typed (for the venue,
// topic and reason, which keep the writer's punctuation). Folding keeps
// one rune per rune, so both have the same fields.
func foldedFields(raw string, words ...string) (folded, typed []string) {
	folded = dropWord(strings.Fields(width.Fold.String(raw)), words...)
	typed = dropWord(strings.Fields(raw), words...)
	if len(typed) != len(folded) {
		typed = folded
	}
	return folded, typed
}

// dropWord removes the command word from the first field ("开会" alone, or
// glued to what follows: "开会3栋").
func dropWord(fields []string, words ...string) []string {
	if len(fields) == 0 {
		return fields
	}
	for _, w := range words {
		if fields[0] == w {
			return fields[1:]
		}
	}
	for _, w := range words {
		if rest, ok := strings.CutPrefix(fields[0], w); ok {
			fields[0] = rest
			break
		}
	}
	return fields
}
