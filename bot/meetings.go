package bot

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

// MeetingStore is what consultation meetings read and write; *store.DB implements it.
type MeetingStore interface {
	MeetingByID(ctx context.Context, communityID string, id uint64) (*models.Meeting, error)
	MeetingByCode(ctx context.Context, communityID, code string) (*models.Meeting, error)
	MeetingInvitees(ctx context.Context, meetingID uint64) ([]*models.MeetingInvitee, error)
	Invitations(ctx context.Context, communityID, openID string, now time.Time) ([]*models.Invitation, error)
	NextMeetingCode(ctx context.Context, communityID string) (string, error)
	ResidentOpenIDs(ctx context.Context, communityID string, buildings, grids []string, all bool) ([]string, error)
	OpenWindows(ctx context.Context, communityID string, openIDs []string, since time.Time) (map[string]bool, error)
	TemplateLoad(ctx context.Context, communityID string, from, to time.Time) (int, error)
	MeetingFailedPushes(ctx context.Context, meetingID uint64) ([]string, error)
	StakeholderByID(ctx context.Context, communityID string, id uint64) (*models.Stakeholder, error)
	ApplyMeetingChange(ctx context.Context, ch *models.MeetingChange) error
	AppealByRef(ctx context.Context, ref string) (*models.Appeal, error)
	Followers(ctx context.Context, appealID uint64) ([]*models.Follower, error)
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
	ResolveAssignee(ctx context.Context, communityID, s string) (string, error)
}

// DefaultTemplateQuota is the template messages one account may send a day
// (GONGZHI_TEMPLATE_DAILY_QUOTA once config holds it).
const DefaultTemplateQuota = 100000

// Limits of what a meeting holds.
const (
	MaxTopicRunes  = 60
	MaxVenueRunes  = 60
	MaxReasonRunes = 200
	MaxInvitees    = 5000
)

// Meeting errors the chat and the API tell apart (each with a safe message).
var (
	ErrMeetingPast     = &models.Error{Code: models.EINVALID, Message: "starts_at is in the past: a meeting must start later than now"}
	ErrNoInvitees      = &models.Error{Code: models.EINVALID, Message: "the invitees resolve to nobody: name buildings or grids with registered residents, openids, stakeholders or appeals"}
	ErrMeetingFixed    = &models.Error{Code: models.ECONFLICT, Message: "the meeting is cancelled or held: it cannot change any more"}
	ErrMeetingNotBegun = &models.Error{Code: models.ECONFLICT, Message: "the meeting has not started yet: record its outcome afterwards"}
)

// Meetings calls, broadcasts, reschedules, cancels and closes consultation
// meetings, for the admin API and the chat commands alike. It builds each
// change as one models.MeetingChange; the API applies it at once, the chat
// commits it in the message's Turn.
type Meetings struct {
	Store     MeetingStore
	Msg       messages.MeetingMessages
	Directory Directory
	Location  *time.Location
	Now       func() time.Time
	// TemplateQuota is the template pushes a community may get a day
	// (0: DefaultTemplateQuota); invitations beyond it wait for the next day.
	TemplateQuota int
	// RemindUndecided also reminds invitees who have not answered.
	RemindUndecided bool
	// Notify wakes the outbox dispatcher (may be nil).
	Notify func()
}

func (s *Meetings) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

func (s *Meetings) quota() int {
	if s.TemplateQuota <= 0 {
		return DefaultTemplateQuota
	}
	return s.TemplateQuota
}

// When formats a meeting time for residents: date, weekday, hour.
func (s *Meetings) When(t time.Time) string {
	t = t.In(s.loc())
	return t.Format(s.Msg.TimeLayout) + "（" + s.Msg.Weekdays[t.Weekday()] + "）"
}

// InviteeSpec says whom to invite.
type InviteeSpec struct {
	OpenIDs      []string `json:"openids,omitempty"`
	Buildings    []string `json:"buildings,omitempty"`
	Grids        []string `json:"grids,omitempty"`
	Stakeholders []uint64 `json:"stakeholders,omitempty"`
	// Community invites every registered resident (community level by chat).
	Community bool `json:"community,omitempty"`
}

// MeetingRequest is a meeting to call.
type MeetingRequest struct {
	CommunityID     string
	Topic           string
	Level           string
	StartsAt        time.Time
	Venue           string
	Capacity        int
	AppealRefs      []string
	Invitees        InviteeSpec
	Organiser       string // actor string
	OrganiserOpenID string
	ParentID        uint64
}

// create validates a request and builds the new meeting with its invitees.
func (s *Meetings) create(ctx context.Context, r MeetingRequest) (*models.MeetingChange, error) {
	now := s.Now()
	lvl, err := models.ParseMeetingLevel(r.Level)
	if err != nil {
		return nil, err
	}
	topic, venue := strings.TrimSpace(r.Topic), strings.TrimSpace(r.Venue)
	switch {
	case topic == "" || utf8.RuneCountInString(topic) > MaxTopicRunes:
		return nil, models.Errorf(models.EINVALID, "topic: want 1 to %d characters", MaxTopicRunes)
	case venue == "" || utf8.RuneCountInString(venue) > MaxVenueRunes:
		return nil, models.Errorf(models.EINVALID, "venue: want 1 to %d characters", MaxVenueRunes)
	case r.StartsAt.IsZero():
		return nil, models.Errorf(models.EINVALID, "starts_at: want an RFC 3339 time with a zone")
	case !r.StartsAt.After(now):
		return nil, ErrMeetingPast
	case r.Capacity < 0:
		return nil, models.Errorf(models.EINVALID, "capacity: want a positive number of seats, or leave it out for no limit")
	}
	m := &models.Meeting{CommunityID: r.CommunityID, Topic: topic, Level: lvl, StartsAt: r.StartsAt.UTC(), Venue: venue,
		Capacity: r.Capacity, Status: models.MeetingDraft, Revision: 1, Organiser: r.Organiser,
		OrganiserOpenID: r.OrganiserOpenID, ParentID: r.ParentID}
	if r.Organiser == "" {
		m.Organiser = string(models.ActorAdmin)
	}
	var refs []string
	for _, ref := range r.AppealRefs {
		ref = strings.ToUpper(strings.TrimSpace(ref))
		if ref == "" || slices.Contains(refs, ref) {
			continue
		}
		if !models.ValidRef(ref) {
			return nil, models.Errorf(models.EINVALID, "appeal_ref %q is not a reference code (e.g. SQ2611260007)", ref)
		}
		refs = append(refs, ref)
	}
	m.AppealRefs = strings.Join(refs, ",")
	ivs, err := s.resolve(ctx, m, r.Invitees, refs)
	if err != nil {
		return nil, err
	}
	if len(ivs) == 0 {
		return nil, ErrNoInvitees
	}
	code, err := s.Store.NextMeetingCode(ctx, r.CommunityID)
	if err != nil {
		return nil, err
	}
	m.Code = code
	return &models.MeetingChange{Meeting: m, Invitees: ivs}, nil
}

// resolve turns an invitee spec and the linked appeals into invitees,
// deduplicated (the first source wins).
func (s *Meetings) resolve(ctx context.Context, m *models.Meeting, spec InviteeSpec, refs []string) ([]*models.MeetingInvitee, error) {
	var out []*models.MeetingInvitee
	seen := map[string]bool{}
	add := func(iv *models.MeetingInvitee) {
		iv.Who = models.InviteeWho(iv.OpenID, iv.StakeholderID)
		if seen[iv.Who] {
			return
		}
		seen[iv.Who] = true
		iv.CommunityID, iv.Answer = m.CommunityID, models.AnswerPending
		out = append(out, iv)
	}
	var buildings, grids []string
	for _, b := range spec.Buildings {
		if b = normBuilding(b); b != "" && !slices.Contains(buildings, b) {
			buildings = append(buildings, b)
		}
	}
	c := s.Directory.Community(m.CommunityID)
	for _, g := range spec.Grids {
		g = strings.TrimSpace(g)
		if g == "" || slices.Contains(grids, g) {
			continue
		}
		if c != nil && len(c.Grids) > 0 && !slices.ContainsFunc(c.Grids, func(x Grid) bool { return x.ID == g }) {
			return nil, models.Errorf(models.EINVALID, "grid %q is not a grid of community %s", g, m.CommunityID)
		}
		grids = append(grids, g)
	}
	m.Buildings, m.Grids = strings.Join(buildings, ","), strings.Join(grids, ",")
	if len(buildings) > 0 || len(grids) > 0 || spec.Community {
		// A grid's residents: by their stored grid, and by the grid's buildings
		// (registrations made before the grid was drawn have no grid id).
		query := append([]string(nil), buildings...)
		if c != nil {
			for _, g := range c.Grids {
				if slices.Contains(grids, g.ID) {
					query = append(query, g.Buildings...)
				}
			}
		}
		ids, err := s.Store.ResidentOpenIDs(ctx, m.CommunityID, query, grids, spec.Community)
		if err != nil {
			return nil, err
		}
		src := models.SourceBuilding
		if len(buildings) == 0 {
			src = models.SourceGrid
		}
		for _, o := range ids {
			add(&models.MeetingInvitee{OpenID: o, Source: src})
		}
	}
	for _, o := range spec.OpenIDs {
		if o = strings.TrimSpace(o); o == "" || len(o) > 64 {
			return nil, models.Errorf(models.EINVALID, "openids: each must be 1 to 64 characters")
		}
		add(&models.MeetingInvitee{OpenID: o, Source: models.SourceOpenID})
	}
	for _, id := range spec.Stakeholders {
		sh, err := s.Store.StakeholderByID(ctx, m.CommunityID, id)
		if err != nil {
			if models.ErrorCode(err) == models.ENOTFOUND {
				return nil, models.Errorf(models.EINVALID, "stakeholder %d is not in the directory", id)
			}
			return nil, err
		}
		add(&models.MeetingInvitee{OpenID: sh.OpenID, StakeholderID: sh.ID, Name: sh.Name, Phone: sh.Phone,
			Source: models.SourceStakeholder})
	}
	for _, ref := range refs {
		a, err := s.Store.AppealByRef(ctx, ref)
		if err != nil || a.CommunityID != m.CommunityID {
			if err == nil || models.ErrorCode(err) == models.ENOTFOUND {
				return nil, models.Errorf(models.EINVALID, "appeal %s does not exist in community %s", ref, m.CommunityID)
			}
			return nil, err
		}
		add(&models.MeetingInvitee{OpenID: a.OpenID, Source: models.SourceAuthor})
		fs, err := s.Store.Followers(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			add(&models.MeetingInvitee{OpenID: f.OpenID, Source: models.SourceFollower})
		}
	}
	if len(out) > MaxInvitees {
		return nil, models.Errorf(models.EINVALID, "%d invitees: at most %d per meeting", len(out), MaxInvitees)
	}
	return out, nil
}

// normBuilding keeps a building's number: "3栋", "3号楼", " 3 " → "3".
func normBuilding(b string) string {
	b = strings.TrimSpace(b)
	for _, suf := range []string{"号楼", "栋", "幢", "号", "楼"} {
		b = strings.TrimSuffix(b, suf)
	}
	return strings.TrimSpace(b)
}

// Create calls a meeting (a draft until it is broadcast).
func (s *Meetings) Create(ctx context.Context, r MeetingRequest) (*models.Meeting, error) {
	for attempt := 1; ; attempt++ {
		ch, err := s.create(ctx, r)
		if err != nil {
			return nil, err
		}
		err = s.Store.ApplyMeetingChange(ctx, ch)
		if errors.Is(err, models.ErrStale) && attempt < 5 {
			continue // another meeting took the code
		}
		if err != nil {
			return nil, err
		}
		return ch.Meeting, nil
	}
}

// SendResult counts what a change queued.
type SendResult struct {
	Queued      int `json:"queued"`      // pushes queued now
	Deferred    int `json:"deferred"`    // pushes queued for a later day (template quota)
	Unreachable int `json:"unreachable"` // invitees without an openid, or whose day came too late
}

// meetingPush is one planned push of a meeting.
type meetingPush struct {
	iv   *models.MeetingInvitee
	text string
}

// queue plans the pushes of tag for the invitees: customer-service messages
// to those who wrote within 48 hours, templates to the rest while the
// day's quota lasts, later days after that; invitations that could only go
// out after the meeting starts are not queued, and the invitee is marked
// unreachable.
func (s *Meetings) queue(ctx context.Context, ch *models.MeetingChange, tag string, ps []meetingPush, data map[string]string) (SendResult, error) {
	var res SendResult
	m := ch.Meeting
	now := s.Now()
	var ids []string
	for _, p := range ps {
		if p.iv.OpenID != "" {
			ids = append(ids, p.iv.OpenID)
		}
	}
	open, err := s.Store.OpenWindows(ctx, m.CommunityID, ids, now.Add(-47*time.Hour))
	if err != nil {
		return res, err
	}
	day := startOfDay(now, s.loc())
	used, err := s.Store.TemplateLoad(ctx, m.CommunityID, day, day.AddDate(0, 0, 1))
	if err != nil {
		return res, err
	}
	free := s.quota() - used
	at := now
	id := models.MeetingIDPlaceholder
	if m.ID != 0 {
		id = strconv.FormatUint(m.ID, 10)
	}
	b, _ := json.Marshal(data)
	for _, p := range ps {
		iv := p.iv
		if iv.OpenID == "" {
			iv.Unreachable = "no_openid"
			res.Unreachable++
			continue
		}
		msg := &models.OutboxMessage{CommunityID: m.CommunityID, OpenID: iv.OpenID, Type: models.PushMeetingInvite,
			Text: p.text, Data: string(b), Key: fmt.Sprintf("meeting:%s:%s:%s:%d", id, tag, iv.OpenID, m.Revision)}
		if !open[iv.OpenID] {
			msg.ForceTemplate = true
			for free <= 0 {
				// The day's quota is used up: the next day, from 08:00.
				day = day.AddDate(0, 0, 1)
				at = day.Add(8 * time.Hour)
				n, err := s.Store.TemplateLoad(ctx, m.CommunityID, day, day.AddDate(0, 0, 1))
				if err != nil {
					return res, err
				}
				free = s.quota() - n
			}
			if tag == "invite" && !at.Before(m.StartsAt) {
				iv.Unreachable = "quota"
				res.Unreachable++
				continue
			}
			free--
			if at.After(now) {
				msg.NextAttemptAt = at
				res.Deferred++
			} else {
				res.Queued++ // zero NextAttemptAt: due when stored
			}
		} else {
			res.Queued++
		}
		iv.Unreachable = ""
		ch.Outbox = append(ch.Outbox, msg)
	}
	return res, nil
}

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, mo, d := t.In(loc).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, loc)
}

// card is the one text with every detail of the meeting.
func (s *Meetings) card(m *models.Meeting, head, reason string) string {
	extra := ""
	if m.Capacity > 0 {
		extra += fmt.Sprintf(s.Msg.CapacityLineF, m.Capacity)
	}
	if reason != "" {
		extra += fmt.Sprintf(s.Msg.ReasonLineF, reason)
	}
	return fmt.Sprintf(s.Msg.CardF, head, m.Code, m.Topic, s.Msg.LevelNames[string(m.Level)], s.When(m.StartsAt), m.Venue, extra) +
		fmt.Sprintf(s.Msg.HowToAnswerF, m.Code, m.Code)
}

func (s *Meetings) cardData(m *models.Meeting) map[string]string {
	return map[string]string{"thing1": m.Topic, "time2": m.StartsAt.In(s.loc()).Format(s.Msg.TimeLayout),
		"thing3": m.Venue, "character_string4": m.Code}
}

// invite adds to ch the invitations of every invitee not yet invited at the
// meeting's revision, and marks the meeting invited.
func (s *Meetings) invite(ctx context.Context, ch *models.MeetingChange, ivs []*models.MeetingInvitee, head, reason string) (SendResult, error) {
	m := ch.Meeting
	text := s.card(m, head, reason)
	var ps []meetingPush
	for _, iv := range ivs {
		if iv.InvitedRev < m.Revision {
			iv.InvitedRev = m.Revision
			ps = append(ps, meetingPush{iv: iv, text: text})
		}
	}
	res, err := s.queue(ctx, ch, "invite", ps, s.cardData(m))
	if err != nil {
		return res, err
	}
	for _, p := range ps {
		if !slices.Contains(ch.Invitees, p.iv) {
			ch.Invitees = append(ch.Invitees, p.iv)
		}
	}
	if m.Status == models.MeetingDraft {
		m.Status = models.MeetingInvited
	}
	return res, nil
}

// load reads a meeting and its invitees for a change.
func (s *Meetings) load(ctx context.Context, communityID string, id uint64) (*models.Meeting, []*models.MeetingInvitee, error) {
	m, err := s.Store.MeetingByID(ctx, communityID, id)
	if err != nil {
		return nil, nil, err
	}
	ivs, err := s.Store.MeetingInvitees(ctx, m.ID)
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
		err = s.Store.ApplyMeetingChange(ctx, ch)
		if errors.Is(err, models.ErrStale) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, res, err
		}
		if len(ch.Outbox) > 0 && s.Notify != nil {
			s.Notify()
		}
		return m, res, nil
	}
}

// Broadcast sends the invitations not sent yet (idempotent).
func (s *Meetings) Broadcast(ctx context.Context, communityID string, id uint64) (*models.Meeting, SendResult, error) {
	return s.apply(ctx, communityID, id, func(m *models.Meeting, ivs []*models.MeetingInvitee, ch *models.MeetingChange) (SendResult, error) {
		if !m.Changeable() {
			return SendResult{}, ErrMeetingFixed
		}
		if !m.StartsAt.After(s.Now()) {
			return SendResult{}, ErrMeetingPast
		}
		head := s.Msg.InviteHead
		if m.Status == models.MeetingRescheduled {
			head = s.Msg.RescheduleHead
		}
		return s.invite(ctx, ch, ivs, head, "")
	})
}

// Change is a reschedule: a new time and/or venue, with the reason.
type Change struct {
	StartsAt *time.Time
	Venue    *string
	Reason   string
}

// Reschedule moves a meeting; every invitee is told (a new card with the
// new revision), pending invitations and reminders of the old time are
// dropped, and reminders follow the new time.
func (s *Meetings) Reschedule(ctx context.Context, communityID string, id uint64, c Change) (*models.Meeting, SendResult, error) {
	reason := strings.TrimSpace(c.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReasonRunes {
		return nil, SendResult{}, models.Errorf(models.EINVALID, "reason: required, at most %d characters", MaxReasonRunes)
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
			if !c.StartsAt.After(s.Now()) {
				return SendResult{}, ErrMeetingPast
			}
			changed = changed || !c.StartsAt.Equal(m.StartsAt)
			m.StartsAt = c.StartsAt.UTC()
		}
		if c.Venue != nil {
			v := strings.TrimSpace(*c.Venue)
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
		return s.invite(ctx, ch, ivs, s.Msg.RescheduleHead, reason)
	})
}

// ReminderID is the meeting's id for reminder keys: its revision is part of
// it, so reminders of an old time never count for the new one.
func ReminderID(m *models.Meeting) string { return fmt.Sprintf("%d.r%d", m.ID, m.Revision) }

// Cancel cancels a meeting; everyone already invited is told.
func (s *Meetings) Cancel(ctx context.Context, communityID string, id uint64, reason string) (*models.Meeting, SendResult, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReasonRunes {
		return nil, SendResult{}, models.Errorf(models.EINVALID, "reason: required, at most %d characters", MaxReasonRunes)
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
	text := fmt.Sprintf(s.Msg.CancelledF, m.Code, m.Topic, s.When(m.StartsAt), reason)
	var ps []meetingPush
	for _, iv := range ivs {
		if iv.InvitedRev > 0 && iv.OpenID != "" {
			ps = append(ps, meetingPush{iv: iv, text: text})
		}
	}
	return s.queue(ctx, ch, "cancel", ps, map[string]string{"thing1": m.Topic, "thing2": reason})
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
	r.Minutes, r.Measures = strings.TrimSpace(r.Minutes), strings.TrimSpace(r.Measures)
	switch {
	case r.Minutes == "" || utf8.RuneCountInString(r.Minutes) > 2000:
		return nil, SendResult{}, models.Errorf(models.EINVALID, "minutes: required, at most 2000 characters")
	case r.Measures == "" || utf8.RuneCountInString(r.Measures) > 500:
		return nil, SendResult{}, models.Errorf(models.EINVALID, "measures: required, at most 500 characters")
	}
	for _, a := range r.Assignments {
		if strings.TrimSpace(a.Who) == "" || strings.TrimSpace(a.What) == "" {
			return nil, SendResult{}, models.Errorf(models.EINVALID, "assignments: each needs who and what")
		}
	}
	for _, f := range r.Funding {
		if strings.TrimSpace(f.Source) == "" || f.Amount < 0 {
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
		a, err := s.Store.ResolveAssignee(ctx, communityID, r.Assignee)
		if err != nil {
			return nil, SendResult{}, err
		}
		r.Assignee = a
	default:
		return nil, SendResult{}, models.Errorf(models.EINVALID, "appeals_next %q: want keep, assign or resolve", r.AppealsNext)
	}
	if r.Actor.Kind == "" {
		r.Actor = models.Actor{Kind: models.ActorAdmin}
	}
	return s.apply(ctx, communityID, id, func(m *models.Meeting, ivs []*models.MeetingInvitee, ch *models.MeetingChange) (SendResult, error) {
		now := s.Now()
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
		return s.queue(ctx, ch, "outcome", ps, map[string]string{"thing1": m.Topic, "thing2": cut(r.Measures, 20)})
	})
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (s *Meetings) outcomeText(m *models.Meeting, o models.MeetingOutcome) string {
	var as, fs []string
	for _, a := range o.Assignments {
		as = append(as, fmt.Sprintf(s.Msg.AssignmentF, a.Who, a.What))
	}
	for _, f := range o.Funding {
		fs = append(fs, fmt.Sprintf(s.Msg.FundingF, f.Source, strconv.FormatFloat(f.Amount, 'f', -1, 64)))
	}
	join := func(xs []string) string {
		if len(xs) == 0 {
			return s.Msg.NoneLine
		}
		return strings.Join(xs, "；")
	}
	return fmt.Sprintf(s.Msg.OutcomeF, m.Code, m.Topic, o.Minutes, o.Measures, join(as), join(fs))
}

// moveAppeals adds the decision to each linked appeal and takes the step decided.
func (s *Meetings) moveAppeals(ctx context.Context, m *models.Meeting, r OutcomeRequest, ch *models.MeetingChange, now time.Time) error {
	reason := fmt.Sprintf(s.Msg.AppealDecisionF, m.Code, r.Measures)
	for _, ref := range m.LinkedAppeals() {
		a, err := s.Store.AppealByRef(ctx, ref)
		if err != nil {
			if models.ErrorCode(err) == models.ENOTFOUND {
				continue // a linked appeal that is gone has nothing to move
			}
			return err
		}
		before := a.Status
		ev := &models.AppealEvent{AppealID: a.ID, Actor: r.Actor.String(), Action: "meeting_decision",
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
	}
	return nil
}

// RaiseRequest takes a matter one level up.
type RaiseRequest struct {
	Level       string
	StartsAt    time.Time
	Venue       string
	Capacity    int
	Invitees    *InviteeSpec // nil: the first meeting's invitees and the residents of the new level
	Actor       string
	ActorOpenID string
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
		Venue: r.Venue, Capacity: r.Capacity, AppealRefs: parent.LinkedAppeals(), Organiser: r.Actor,
		OrganiserOpenID: r.ActorOpenID, ParentID: parent.ID}
	if r.Invitees != nil {
		req.Invitees = *r.Invitees
	} else {
		if lvl == models.MeetingCommunity {
			req.Invitees.Community = true
		} else if c := s.Directory.Community(communityID); c != nil {
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
	failed, err := s.Store.MeetingFailedPushes(ctx, m.ID)
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
// accepted, and the undecided when RemindUndecided is set.
func (s *Meetings) Reminded(ivs []*models.MeetingInvitee) []string {
	var out []string
	for _, iv := range ivs {
		if iv.OpenID != "" && (iv.Answer == models.AnswerAccepted || (s.RemindUndecided && iv.Answer == models.AnswerPending)) {
			out = append(out, iv.OpenID)
		}
	}
	return out
}
