package ops

import (
	"context"
	"errors"
	"slices"
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
	// AnswerCounts and FirstWaitlisted read what an answer needs of a
	// meeting without its whole list (a community's meeting may invite thousands).
	AnswerCounts(ctx context.Context, meetingID uint64) (map[models.Answer]int, error)
	FirstWaitlisted(ctx context.Context, meetingID uint64) (*models.MeetingInvitee, error)
	Invitations(ctx context.Context, communityID, openID string, now time.Time) ([]*models.Invitation, error)
	NextMeetingCode(ctx context.Context, communityID string) (string, error)
	ResidentOpenIDs(ctx context.Context, communityID string, buildings, grids []string, all bool) ([]string, error)
	OpenWindows(ctx context.Context, communityID string, openIDs []string, since time.Time) (map[string]bool, error)
	TemplateLoad(ctx context.Context, communityID string, from, to time.Time) (int, error)
	MeetingFailedPushes(ctx context.Context, meetingID uint64) ([]string, error)
	StakeholderByID(ctx context.Context, communityID string, id uint64) (*models.Stakeholder, error)
	ApplyMeetingChange(ctx context.Context, ch *models.MeetingChange) error
	AppealByRef(ctx context.Context, communityID, ref string) (*models.Appeal, error)
	Followers(ctx context.Context, appealID uint64) ([]*models.Follower, error)
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
	ResolveAssignee(ctx context.Context, communityID, s string) (string, error)
}

// DefaultTemplateQuota is the template messages one account may send a day
// (GONGZHI_TEMPLATE_DAILY_QUOTA once config holds it).
const DefaultTemplateQuota = 100000

// Limits of what a meeting holds.
const (
	MaxTopicRunes = 60
	MaxVenueRunes = 60
	MaxInvitees   = 5000
)

// Meeting errors the chat and the API tell apart (each with a safe message).
var (
	ErrMeetingPast     = &models.Error{Code: models.EINVALID, Message: "starts_at is in the past: a meeting must start later than now"}
	ErrNoInvitees      = &models.Error{Code: models.EINVALID, Message: "the invitees resolve to nobody: name buildings or grids with registered residents, openids, stakeholders or appeals"}
	ErrMeetingFixed    = &models.Error{Code: models.ECONFLICT, Message: "the meeting is cancelled or held: it cannot change any more"}
	ErrMeetingNotBegun = &models.Error{Code: models.ECONFLICT, Message: "the meeting has not started yet: record its outcome afterwards"}
)

// Meetings calls, broadcasts, reschedules, cancels and closes consultation
// meetings, for the admin API, the console and the chat commands alike. It
// builds each change as one models.MeetingChange; the API applies it at
// once, the chat commits it in the message's Turn.
type Meetings struct {
	store           MeetingStore
	msg             *messages.MeetingMessages
	directory       Directory
	loc             *time.Location
	now             func() time.Time
	quota           int
	remindUndecided bool
	notify          func()
}

// MeetingsConfig is what NewMeetings needs.
type MeetingsConfig struct {
	Store     MeetingStore // required
	Directory Directory
	Location  *time.Location
	Now       func() time.Time // nil: time.Now
	// TemplateQuota is the template pushes a community may get a day
	// (0: DefaultTemplateQuota); invitations beyond it wait for the next day.
	TemplateQuota int
	// RemindUndecided also reminds invitees who have not answered.
	RemindUndecided bool
	// Notify wakes the outbox dispatcher after pushes were stored (nil: nobody).
	Notify func()
}

// NewMeetings builds the meeting operations; a missing store is an error.
func NewMeetings(c MeetingsConfig) (*Meetings, error) {
	if c.Store == nil {
		return nil, errors.New("ops: meetings need a store")
	}
	c.Location, c.Now, c.Notify, c.TemplateQuota = broadcastDefaults(c.Location, c.Now, c.Notify, c.TemplateQuota)
	return &Meetings{store: c.Store, msg: &messages.ZhCNMeetings, directory: c.Directory, loc: c.Location, now: c.Now,
		quota: c.TemplateQuota, remindUndecided: c.RemindUndecided, notify: c.Notify}, nil
}

// Location is the time zone meeting times are said in.
func (s *Meetings) Location() *time.Location { return s.loc }

// Grids are a community's grids as the directory knows them (nil when it
// knows none).
func (s *Meetings) Grids(community string) []Grid {
	return s.directory.Community(community).GridList()
}

// When formats a meeting time for residents: date, weekday, hour.
func (s *Meetings) When(t time.Time) string {
	return messages.WithWeekday(t, s.loc, s.msg.TimeLayout, s.msg.Weekdays)
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
	CommunityID string
	Topic       string
	Level       string
	StartsAt    time.Time
	Venue       string
	Capacity    int
	AppealRefs  []string
	Invitees    InviteeSpec
	// By calls the meeting: a committee member, an administrator or the
	// admin API (see ErrNotOrganiser).
	By       models.Actor
	ParentID uint64
}

// ErrNotOrganiser: only the committee and administrators call and run meetings.
var ErrNotOrganiser = &models.Error{Code: models.EFORBIDDEN, Message: "only committee members and administrators organise meetings"}

// organises reports whether actor may call, change and close meetings.
func organises(a models.Actor) bool { return manages(a) }

// create validates a request and builds the new meeting with its invitees.
func (s *Meetings) create(ctx context.Context, r MeetingRequest) (*models.MeetingChange, error) {
	if !organises(r.By) {
		return nil, ErrNotOrganiser
	}
	now := s.now()
	lvl, err := models.ParseMeetingLevel(r.Level)
	if err != nil {
		return nil, err
	}
	topic, venue := models.TrimText(r.Topic), models.TrimText(r.Venue)
	switch {
	case topic == "" || utf8.RuneCountInString(topic) > MaxTopicRunes:
		return nil, models.Errorf(models.EINVALID, "topic: want 1 to %d characters", MaxTopicRunes)
	case venue == "" || utf8.RuneCountInString(venue) > MaxVenueRunes:
		return nil, models.Errorf(models.EINVALID, "venue: want 1 to %d characters", MaxVenueRunes)
	case r.StartsAt.IsZero():
		return nil, models.Errorf(models.EINVALID, "starts_at: want an RFC 3339 time with a zone")
	case !r.StartsAt.After(now):
		return nil, ErrMeetingPast
	case models.CheckMeetingStart(r.StartsAt, now) != nil: // more than a year ahead
		return nil, models.CheckMeetingStart(r.StartsAt, now)
	case r.Capacity < 0:
		return nil, models.Errorf(models.EINVALID, "capacity: want a positive number of seats, or leave it out for no limit")
	}
	m := &models.Meeting{CommunityID: r.CommunityID, Topic: topic, Level: lvl, StartsAt: r.StartsAt.UTC(), Venue: venue,
		Capacity: r.Capacity, Status: models.MeetingDraft, Revision: 1, Organiser: r.By.String(), ParentID: r.ParentID}
	if r.By.Staff != nil {
		m.OrganiserOpenID = r.By.Staff.OpenID
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
	code, err := s.store.NextMeetingCode(ctx, r.CommunityID)
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
	c := s.directory.Community(m.CommunityID)
	for _, g := range spec.Grids {
		g = strings.TrimSpace(g)
		if g == "" || slices.Contains(grids, g) {
			continue
		}
		if len(c.GridList()) > 0 && c.Grid(g) == nil {
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
			for _, g := range c.GridList() {
				if slices.Contains(grids, g.ID) {
					query = append(query, g.Buildings...)
				}
			}
		}
		ids, err := s.store.ResidentOpenIDs(ctx, m.CommunityID, query, grids, spec.Community)
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
		sh, err := s.store.StakeholderByID(ctx, m.CommunityID, id)
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
		a, err := s.store.AppealByRef(ctx, m.CommunityID, ref)
		if err != nil {
			if models.ErrorCode(err) == models.ENOTFOUND {
				return nil, models.Errorf(models.EINVALID, "appeal %s does not exist in community %s", ref, m.CommunityID)
			}
			return nil, err
		}
		add(&models.MeetingInvitee{OpenID: a.OpenID, Source: models.SourceAuthor})
		fs, err := s.store.Followers(ctx, a.ID)
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
		err = s.store.ApplyMeetingChange(ctx, ch)
		if errors.Is(err, models.ErrStale) && attempt < 5 {
			continue // another meeting took the code
		}
		if err != nil {
			return nil, err
		}
		return ch.Meeting, nil
	}
}
