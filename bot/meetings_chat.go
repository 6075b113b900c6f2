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

// MeetingCommands is the CommandHandler of the meeting chat words:
//
//	参加 [编号] / 不参加 [编号]            invitees answer (the code may be left out when one invitation is open)
//	开会 <范围> <时间> <地点> <议题>       committee members and admins call and broadcast a meeting
//	会议 <编号>                            the organiser's counts (an invitee sees the card)
//	取消会议 <编号> <原因>                 committee members and admins cancel
type MeetingCommands struct{ M *Meetings }

var _ CommandHandler = (*MeetingCommands)(nil)

// Synonyms of the answer words; the decline words are tried first (不参加 contains 参加).
var (
	declineWords = []string{"不参加", "不参会", "不能参加", "不去了", "不去", "来不了", "请假", "取消报名"}
	acceptWords  = []string{"参加", "参会", "报名", "我参加", "出席"}
)

// HandleCommand implements CommandHandler.
func (c *MeetingCommands) HandleCommand(ctx context.Context, in Input, out *Output) (bool, error) {
	raw := strings.TrimSpace(in.Msg.Content)
	w := normWord(raw)
	if rest, ok := cutWord(w, "取消会议"); ok {
		return true, c.cancel(ctx, in, out, raw, rest)
	}
	if strings.HasPrefix(w, "开会") || strings.HasPrefix(w, "召开会议") {
		st, err := c.organiser(ctx, in)
		if err != nil || st == nil {
			return false, err // from a resident it is just words, perhaps an appeal
		}
		return true, c.call(ctx, in, out, raw, st)
	}
	if rest, ok := cutWord(w, "会议", "查会议"); ok {
		if code, ok := models.NormalizeMeetingCode(trimPunct(rest)); ok {
			return true, c.show(ctx, in, out, code)
		}
		return false, nil
	}
	for _, set := range []struct {
		words  []string
		accept bool
	}{{declineWords, false}, {acceptWords, true}} {
		if rest, ok := cutWord(w, set.words...); ok {
			rest = trimPunct(rest)
			code, isCode := models.NormalizeMeetingCode(rest)
			if rest != "" && !isCode {
				return false, nil // "参加社区活动的场地太小" is an appeal, not an answer
			}
			if !isCode {
				code = ""
			}
			return true, c.answer(ctx, in, out, code, set.accept)
		}
	}
	return false, nil
}

func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) })
}

func (c *MeetingCommands) say(out *Output, text string) { out.Replies = append(out.Replies, text) }

// answer records 参加 / 不参加.
func (c *MeetingCommands) answer(ctx context.Context, in Input, out *Output, code string, accept bool) error {
	s, msg := c.M, &c.M.Msg
	community, openID := in.Msg.CommunityID, in.Msg.OpenID
	invs, err := s.Store.Invitations(ctx, community, openID, in.Now)
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
			c.say(out, msg.WhichMeeting+"\n"+s.listLines(list))
			return nil
		}
	}
	ch, reply, err := s.answerChange(ctx, inv, accept, in.Now)
	if err != nil {
		return err
	}
	c.say(out, reply)
	if ch != nil {
		out.Turn.Meetings = append(out.Turn.Meetings, ch)
	}
	return nil
}

// whyNot explains why a code cannot be answered.
func (c *MeetingCommands) whyNot(ctx context.Context, community, openID, code string, now time.Time) string {
	msg := &c.M.Msg
	m, err := c.M.Store.MeetingByCode(ctx, community, code)
	if err != nil || !c.invited(ctx, m, openID) {
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
func (c *MeetingCommands) invited(ctx context.Context, m *models.Meeting, openID string) bool {
	ivs, err := c.M.Store.MeetingInvitees(ctx, m.ID)
	if err != nil {
		return false
	}
	for _, iv := range ivs {
		if iv.OpenID == openID {
			return true
		}
	}
	return false
}

func (s *Meetings) listLines(invs []*models.Invitation) string {
	var lines []string
	for _, x := range invs {
		lines = append(lines, fmt.Sprintf(s.Msg.ListLineF, x.Meeting.Code, x.Meeting.Topic, s.When(x.Meeting.StartsAt),
			s.Msg.AnswerNames[string(x.Invitee.Answer)]))
	}
	return strings.Join(lines, "\n")
}

// answerChange builds an answer's change and reply; nil change when the
// answer is the one recorded already.
func (s *Meetings) answerChange(ctx context.Context, inv *models.Invitation, accept bool, now time.Time) (*models.MeetingChange, string, error) {
	m, me := inv.Meeting, *inv.Invitee
	msg := &s.Msg
	was := me.Answer
	if (accept && (was == models.AnswerAccepted || was == models.AnswerWaitlisted)) || (!accept && was == models.AnswerDeclined) {
		return nil, fmt.Sprintf(msg.AlreadyF, m.Code, msg.AnswerNames[string(was)]), nil
	}
	t := now.UTC()
	me.AnsweredAt = &t
	ch := &models.MeetingChange{Meeting: m, Invitees: []*models.MeetingInvitee{&me}}
	if m.Capacity <= 0 {
		ch.AnswerOnly = true
		if accept {
			me.Answer = models.AnswerAccepted
			return ch, fmt.Sprintf(msg.AcceptedF, m.Code, m.Topic, s.When(m.StartsAt), m.Venue), nil
		}
		me.Answer = models.AnswerDeclined
		return ch, fmt.Sprintf(msg.DeclinedF, m.Code, m.Topic), nil
	}
	// Seats are counted on what was read; the version guard makes a
	// concurrent answer recompute this one.
	ch.ExpectVersion = m.Version
	ivs, err := s.Store.MeetingInvitees(ctx, m.ID)
	if err != nil {
		return nil, "", err
	}
	counts := models.CountAnswers(ivs)
	if accept {
		me.Answer = models.Seat(m.Capacity, counts[models.AnswerAccepted])
		if me.Answer == models.AnswerWaitlisted {
			return ch, fmt.Sprintf(msg.WaitlistedF, m.Code, m.Topic, counts[models.AnswerWaitlisted]+1), nil
		}
		return ch, fmt.Sprintf(msg.AcceptedF, m.Code, m.Topic, s.When(m.StartsAt), m.Venue), nil
	}
	me.Answer = models.AnswerDeclined
	if was == models.AnswerAccepted {
		if next := models.NextWaitlisted(ivs); next != nil {
			p := *next
			p.Answer = models.AnswerAccepted
			ch.Invitees = append(ch.Invitees, &p)
			text := fmt.Sprintf(msg.PromotedF, m.Code, m.Topic, s.When(m.StartsAt), m.Venue)
			if _, err := s.queue(ctx, ch, "seat", []meetingPush{{iv: &p, text: text}}, s.cardData(m)); err != nil {
				return nil, "", err
			}
		}
	}
	return ch, fmt.Sprintf(msg.DeclinedF, m.Code, m.Topic), nil
}

// organiser returns the sender when they may organise meetings (committee, admin).
func (c *MeetingCommands) organiser(ctx context.Context, in Input) (*models.Staff, error) {
	st, err := senderStaff(ctx, c.M.Store, in)
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
	s, msg := c.M, &c.M.Msg
	fields := strings.Fields(width.Fold.String(raw))
	if len(fields) > 0 && (fields[0] == "开会" || fields[0] == "召开会议") {
		fields = fields[1:]
	} else if len(fields) > 0 {
		fields[0] = strings.TrimPrefix(strings.TrimPrefix(fields[0], "召开会议"), "开会")
	}
	if len(fields) < 4 {
		c.say(out, msg.CallUsage)
		return nil
	}
	level, spec, ok := parseScope(fields[0])
	if !ok {
		c.say(out, msg.CallBadScope+"\n"+msg.CallUsage)
		return nil
	}
	when, used, ok := parseWhen(fields[1:], in.Now, s.loc())
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
	req := MeetingRequest{CommunityID: in.Msg.CommunityID, Level: string(level), StartsAt: when, Venue: rest[0],
		Topic: strings.Join(rest[1:], " "), Invitees: spec, Organiser: st.Ref(), OrganiserOpenID: in.Msg.OpenID}
	ch, err := s.create(ctx, req)
	if err != nil {
		if errors.Is(err, ErrNoInvitees) {
			c.say(out, msg.CallNobody)
			return nil
		}
		if models.ErrorCode(err) == models.EINVALID {
			c.say(out, msg.CallUsage)
			return nil
		}
		return err
	}
	res, err := s.invite(ctx, ch, ch.Invitees, msg.InviteHead, "")
	if err != nil {
		return err
	}
	m := ch.Meeting
	c.say(out, fmt.Sprintf(msg.CallDoneF, m.Code, msg.LevelNames[string(m.Level)], m.Topic, s.When(m.StartsAt), m.Venue,
		len(ch.Invitees), res.Queued+res.Deferred, res.Unreachable))
	out.Turn.Meetings = append(out.Turn.Meetings, ch)
	return nil
}

// meeting looks up a meeting by code; an unknown code is answered and
// gives nil with no error.
func (c *MeetingCommands) meeting(ctx context.Context, in Input, out *Output, code string) (*models.Meeting, error) {
	m, err := c.M.Store.MeetingByCode(ctx, in.Msg.CommunityID, code)
	if models.ErrorCode(err) == models.ENOTFOUND {
		c.say(out, fmt.Sprintf(c.M.Msg.UnknownCodeF, code))
		return nil, nil
	}
	return m, err
}

// show handles 会议 <编号>: counts for organisers, the card for invitees.
func (c *MeetingCommands) show(ctx context.Context, in Input, out *Output, code string) error {
	s, msg := c.M, &c.M.Msg
	m, err := c.meeting(ctx, in, out, code)
	if m == nil {
		return err
	}
	st, err := c.organiser(ctx, in)
	if err != nil {
		return err
	}
	ivs, err := s.Store.MeetingInvitees(ctx, m.ID)
	if err != nil {
		return err
	}
	if st == nil {
		for _, iv := range ivs {
			if iv.OpenID == in.Msg.OpenID && m.Status != models.MeetingDraft {
				c.say(out, s.card(m, "", "")+"\n"+msg.AnswerNames[string(iv.Answer)])
				return nil
			}
		}
		c.say(out, fmt.Sprintf(msg.UnknownCodeF, code))
		return nil
	}
	v, err := s.view(ctx, m, ivs)
	if err != nil {
		return err
	}
	c.say(out, fmt.Sprintf(msg.CountsF, m.Code, m.Topic, msg.StatusNames[string(m.Status)], s.When(m.StartsAt), m.Venue,
		len(ivs), v.Counts[models.AnswerAccepted], v.Counts[models.AnswerDeclined], v.Counts[models.AnswerWaitlisted],
		v.Counts[models.AnswerPending], len(v.Unreachable)))
	return nil
}

// cancel handles 取消会议 <编号> <原因>.
func (c *MeetingCommands) cancel(ctx context.Context, in Input, out *Output, raw, rest string) error {
	s, msg := c.M, &c.M.Msg
	st, err := c.organiser(ctx, in)
	if err != nil {
		return err
	}
	if st == nil {
		c.say(out, msg.StaffOnly)
		return nil
	}
	fields := strings.Fields(width.Fold.String(raw))
	if len(fields) > 0 && fields[0] == "取消会议" {
		fields = fields[1:]
	} else if len(fields) > 0 {
		fields[0] = strings.TrimPrefix(fields[0], "取消会议")
	}
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
	ivs, err := s.Store.MeetingInvitees(ctx, m.ID)
	if err != nil {
		return err
	}
	ch := &models.MeetingChange{Meeting: m, ExpectVersion: m.Version}
	res, err := s.cancel(ctx, m, ivs, ch, strings.Join(fields[1:], " "))
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
func parseScope(s string) (models.MeetingLevel, InviteeSpec, bool) {
	s = strings.TrimSpace(s)
	switch {
	case s == "社区" || s == "全社区":
		return models.MeetingCommunity, InviteeSpec{Community: true}, true
	case buildingScope.MatchString(s):
		return models.MeetingBuilding, InviteeSpec{Buildings: numbers.FindAllString(s, -1)}, true
	}
	for _, p := range []string{"居民小组", "小组", "网格"} {
		if g, ok := strings.CutPrefix(s, p); ok && g != "" {
			return models.MeetingGroup, InviteeSpec{Grids: strings.FieldsFunc(g, func(r rune) bool { return r == ',' || r == '，' || r == '、' })}, true
		}
	}
	return "", InviteeSpec{}, false
}

var (
	dateTimeRe = regexp.MustCompile(`^(?:([0-9]{4})[-/年.])?([0-9]{1,2})[-/月.]([0-9]{1,2})[日号]?(?:T)?(?:(上午|下午|晚上)?([0-9]{1,2})(?:[:：点时]([0-9]{1,2}|半)?分?)?)$`)
	relDayRe   = regexp.MustCompile(`^(今天|明天|后天)(上午|下午|晚上)?([0-9]{1,2})(?:[:：点时]([0-9]{1,2}|半)?分?)?$`)
)

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
		day := local.AddDate(0, 0, map[string]int{"今天": 0, "明天": 1, "后天": 2}[m[1]])
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
	if (ampm == "下午" || ampm == "晚上") && h < 12 {
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
func (s *Meetings) InvitationsText(ctx context.Context, communityID, openID string, now time.Time) (string, error) {
	invs, err := s.Store.Invitations(ctx, communityID, openID, now)
	if err != nil {
		return "", err
	}
	if len(invs) == 0 {
		return s.Msg.NoInvitation, nil
	}
	return s.Msg.InvitationsHead + "\n" + s.listLines(invs) + "\n" + s.Msg.AnswerHint, nil
}
