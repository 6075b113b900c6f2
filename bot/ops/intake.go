package ops

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/address"
	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// UrgentDue bounds the deadline of an appeal whose words speak of danger now.
const UrgentDue = 24 * time.Hour

// AppealDraft is a confirmed appeal before routing: what the chat has after
// "1 提交" and what an Open311 client posts. BuildAppeal turns it into the
// rows to commit.
type AppealDraft struct {
	CommunityID string
	OpenID      string // the author's openid; "" when the appeal came from outside the chat
	Actor       string // actor of the submit event: "resident" or "open311:<key name>"
	Kind        models.Kind
	TopicID     string // catalog item id, "" when none matched
	Text        string
	GridID      string
	Building    string
	MediaIDs    string // one "id url" a line
	Location    string // "lat,lng label"; clipped to fit
	// Index is the appeal's position among its turn's new appeals, for
	// models.RefPlaceholder in replies and pushes.
	Index int
	Now   time.Time
}

// BuiltAppeal is a routed appeal ready to commit, with the pushes to its
// handler and what the author is told.
type BuiltAppeal struct {
	New    *models.NewAppeal
	Outbox []*models.OutboxMessage
	Ref    string // models.RefPlaceholder(Index) until the turn is committed
	Grid   *Grid  // the grid of a small matter, nil when none is known
	Limit  string // the time limit in words ("5个工作日")
	Guide  string // what to do, for a private matter
}

// GridWorker reports whether a grid's worker handles the appeal: it has a
// grid and routing gave it to a person, not to a role waiting for one (a
// grid with no bound worker falls back to the committee: models.Route).
func (b *BuiltAppeal) GridWorker() bool {
	if b.Grid == nil || b.New == nil || b.New.Appeal == nil || b.New.Appeal.Assignee == "" {
		return false
	}
	_, placeholder := models.PlaceholderRole(b.New.Appeal.Assignee)
	return !placeholder
}

// routing is where a confirmed appeal goes.
type routing struct {
	level  models.Level
	status models.Status
	unit   string
	due    *time.Time
	limit  string // the time limit in words
	grid   *Grid
	guide  string
}

// unit is who handles an appeal of kind on item it: the item's unit when
// the item is of that kind and names one, else the kind's default.
func (s *Appeals) unit(kind models.Kind, it *triage.Item) string {
	if it != nil && it.Kind == kind && it.Unit != "" {
		return it.Unit
	}
	return s.msg.UnitDefault[string(kind)]
}

// plan decides level, unit and deadline from the kind and the catalog item,
// with defaults per kind when no item matched.
func (s *Appeals) plan(kind models.Kind, it *triage.Item, grid *Grid, now time.Time) routing {
	m := s.msg
	r := routing{unit: s.unit(kind, it)}
	days, working, dur := 0, false, time.Duration(0)
	switch kind {
	case models.KindPrivate:
		r.level, r.status = models.LevelSelf, models.StatusGuided
		r.guide = s.privateGuide(it)
		return r
	case models.KindSmall:
		r.level, r.status, days = models.LevelCommunity, models.StatusAssigned, 3
		r.grid = grid
	default:
		r.level, r.status, days, working = models.LevelStreet, models.StatusAssigned, 7, true
	}
	if it != nil && it.Kind == kind {
		if it.Level.Valid() && kind == models.KindMajor {
			r.level = it.Level
		}
		switch {
		case it.Duration > 0:
			days, working, dur = 0, false, it.Duration
		case it.Days > 0:
			days, working = it.Days, it.WorkingDays
		}
	}
	var due time.Time
	switch {
	case dur > 0:
		due = now.Add(dur)
		r.limit = fmt.Sprintf(m.HoursLimitF, int(dur.Hours()))
	case working:
		due = s.calendar.Due(now, days, true)
		r.limit = fmt.Sprintf(m.WorkingDaysLimitF, days)
	default:
		due = s.calendar.Due(now, days, false)
		r.limit = fmt.Sprintf(m.DaysLimitF, days)
	}
	due = due.UTC()
	r.due = &due
	return r
}

// BuildAppeal is the one path from a confirmed appeal to its rows: the
// appeal (kind, level, unit, topic, deadline from the catalog item), its
// submit event, the lifecycle's first step (guide a private matter, else
// assign with the same routing as every appeal) and the push to the
// assignee. Chat's submit and Open311's intake both call it.
func (s *Appeals) BuildAppeal(ctx context.Context, d AppealDraft) (*BuiltAppeal, error) {
	m := s.msg
	// Stored times are UTC: SQLite compares them as text.
	d.Now = d.Now.UTC()
	it := s.Item(d.TopicID)
	r := s.plan(d.Kind, it, s.directory.Community(d.CommunityID).Grid(d.GridID), d.Now)
	if d.Kind != models.KindPrivate && r.due != nil && messages.Urgent(d.Text) {
		// Danger now (marked 紧急 on the task and the list): due within a day,
		// not the matter's days like a broken light (found by a first user).
		if u := d.Now.Add(UrgentDue); r.due.After(u) {
			r.due, r.limit = &u, fmt.Sprintf(m.HoursLimitF, int(UrgentDue.Hours()))
		}
	}
	a := &models.Appeal{
		CommunityID: d.CommunityID, OpenID: d.OpenID, Kind: d.Kind, Level: r.level, Status: models.StatusSubmitted,
		TopicID: d.TopicID, Topic: m.NoTopic, Unit: messages.Clip(r.unit, 40), Description: d.Text,
		GridID: d.GridID, Building: d.Building, DueAt: r.due, CreatedAt: d.Now, MediaIDs: d.MediaIDs,
	}
	if it != nil {
		a.Topic = it.Name
	}
	if d.Location != "" {
		a.Location = messages.Clip(d.Location, 80)
	}
	actor := d.Actor
	if actor == "" {
		actor = string(models.ActorResident)
	}
	// The appeal starts submitted; routing is the lifecycle's first step.
	events := []*models.AppealEvent{{Actor: actor, Action: string(models.ActSubmit),
		ToStatus: models.StatusSubmitted, Reason: fmt.Sprintf("%s/%s", d.Kind, r.level), At: d.Now}}
	system := models.Actor{Kind: models.ActorSystem}
	var ev *models.AppealEvent
	var err error
	if d.Kind == models.KindPrivate {
		ev, err = models.Transition(a, models.ActGuide, system, "", d.Now)
	} else {
		assignee, rerr := s.route(ctx, a)
		if rerr != nil {
			return nil, rerr
		}
		ev, err = models.Apply(a, models.Step{Action: models.ActAssign, Assignee: assignee}, system, "", d.Now)
	}
	if err != nil {
		return nil, fmt.Errorf("route appeal: %w", err)
	}
	events = append(events, ev)
	b := &BuiltAppeal{New: &models.NewAppeal{Appeal: a, Events: events}, Ref: models.RefPlaceholder(d.Index),
		Grid: r.grid, Limit: r.limit, Guide: r.guide}
	if d.Kind != models.KindPrivate {
		if err := s.pushAssigned(ctx, &b.Outbox, a, b.Ref, 0); err != nil {
			return nil, err
		}
		if err := s.markRelapse(ctx, b, it); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// RelapseWindow: a public matter raised again in the same building this
// long after the last one on it was resolved is that problem come back.
const RelapseWindow = 30 * 24 * time.Hour

// markRelapse says, on the new appeal's record and its task push, that the
// same matter in the same building was resolved lately (SQ… 12月1日办结):
// the handler and the committee see a problem come back, not a new one
// (found by a first user: a light fixed and broken again was a fresh task).
// A catch-all matter or an appeal with no building says too little to tell.
func (s *Appeals) markRelapse(ctx context.Context, b *BuiltAppeal, it *triage.Item) error {
	a := b.New.Appeal
	if it == nil || it.Fallback || a.Building == "" {
		return nil
	}
	prev, err := s.store.LastResolvedLike(ctx, a.CommunityID, a.TopicID, a.Building, a.CreatedAt.Add(-RelapseWindow))
	if models.ErrorCode(err) == models.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	note := fmt.Sprintf(s.sm.RelapseF, prev.Ref, s.Due(prev.ResolvedAt))
	ev := b.New.Events[0]
	ev.Reason = messages.Clip(ev.Reason+"；"+note, maxNoteRunes)
	for _, o := range b.Outbox {
		if o.Type == models.PushTaskAssigned {
			o.Text = fmt.Sprintf(s.sm.RelapseMarkF, note) + o.Text
		}
	}
	return nil
}

// MaxIntakeDescriptionRunes bounds an Open311 request's description.
const MaxIntakeDescriptionRunes = 2000

// IntakeRequest is one service request as an Open311 client posts it. It
// holds no contact data: the caller drops email, names and phone.
type IntakeRequest struct {
	CommunityID string
	Source      string // the API key's name: the submit event's actor is "open311:<Source>"
	ServiceCode string // a catalog item id
	Description string
	Lat, Long   *float64
	Address     string
	MediaURL    string
}

// IntakeResult is the stored appeal and what the client is told.
type IntakeResult struct {
	Appeal *models.Appeal
	Notice string // who handles it, by when (zh-CN)
}

// Limits of an Open311 request's free-text fields.
const (
	maxIntakeAddressRunes = 60
	maxIntakeMediaURL     = 512
)

// Intake creates an appeal that arrives from outside the chat (Open311
// GeoReport v2 clients) exactly as a confirmed chat appeal is created:
// BuildAppeal, then one commit with its events and pushes. Bad input is an
// EINVALID error and stores nothing.
func (s *Appeals) Intake(ctx context.Context, r IntakeRequest) (*IntakeResult, error) {
	code := strings.TrimSpace(r.ServiceCode)
	if code == "" {
		return nil, models.Errorf(models.EINVALID, "service_code is required")
	}
	it := s.Item(code)
	if it == nil {
		return nil, models.Errorf(models.EINVALID, "service_code %q is not a service of this jurisdiction (see services.json)", messages.Clip(code, 64))
	}
	text := models.TrimText(r.Description)
	switch n := utf8.RuneCountInString(text); {
	case !utf8.ValidString(text):
		return nil, models.Errorf(models.EINVALID, "description is not valid UTF-8")
	case n == 0:
		return nil, models.Errorf(models.EINVALID, "description is required")
	case n > MaxIntakeDescriptionRunes:
		return nil, models.Errorf(models.EINVALID, "description is %d characters long: at most %d", n, MaxIntakeDescriptionRunes)
	}
	if (r.Lat == nil) != (r.Long == nil) {
		return nil, models.Errorf(models.EINVALID, "lat and long go together")
	}
	if r.Lat != nil && (math.IsNaN(*r.Lat) || math.IsNaN(*r.Long) || math.Abs(*r.Lat) > 90 || math.Abs(*r.Long) > 180) {
		return nil, models.Errorf(models.EINVALID, "lat must lie in [-90, 90] and long in [-180, 180]")
	}
	addr := strings.TrimSpace(r.Address)
	if n := utf8.RuneCountInString(addr); !utf8.ValidString(addr) || n > maxIntakeAddressRunes {
		return nil, models.Errorf(models.EINVALID, "address_string: at most %d characters of UTF-8", maxIntakeAddressRunes)
	}
	media := strings.TrimSpace(r.MediaURL)
	if media != "" {
		u, err := url.Parse(media)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(media) > maxIntakeMediaURL {
			return nil, models.Errorf(models.EINVALID, "media_url: want an http(s) URL of at most %d bytes", maxIntakeMediaURL)
		}
	}
	now := s.now()
	d := AppealDraft{CommunityID: r.CommunityID, Actor: "open311:" + r.Source, Kind: it.Kind, TopicID: it.ID,
		Text: text, MediaIDs: media, Now: now}
	// A building in the address finds the grid of a small matter, as a
	// resident's registered address does in the chat.
	if a, ok := address.Parse(addr); ok && it.Kind == models.KindSmall {
		if g := s.directory.Community(r.CommunityID).GridOf(a.Building); g != nil {
			d.GridID, d.Building = g.ID, a.Building
		}
	}
	switch {
	case r.Lat != nil:
		d.Location = strings.TrimSpace(fmt.Sprintf("%.6f,%.6f %s", *r.Lat, *r.Long, addr))
	case addr != "":
		d.Location = "- " + addr // no position given ("-"): the label alone tells the handler where
	}
	b, err := s.BuildAppeal(ctx, d)
	if err != nil {
		return nil, err
	}
	t := &models.Turn{CommunityID: r.CommunityID, At: now, NewAppeals: []*models.NewAppeal{b.New}, Outbox: b.Outbox}
	if err := s.store.CommitTurn(ctx, t); err != nil {
		return nil, fmt.Errorf("commit open311 request: %w", err)
	}
	if len(t.Outbox) > 0 {
		s.notify()
	}
	return &IntakeResult{Appeal: b.New.Appeal, Notice: s.notice(b)}, nil
}

// notice says who handles the appeal and by when.
func (s *Appeals) notice(b *BuiltAppeal) string {
	m, a := s.im, b.New.Appeal
	due := s.Due(a.DueAt)
	switch {
	case a.Kind == models.KindPrivate:
		return fmt.Sprintf(m.PrivateF, b.Guide)
	case a.Kind == models.KindSmall && b.GridWorker():
		return fmt.Sprintf(m.SmallGridF, b.Grid.Name, a.Unit, due)
	case a.Kind == models.KindSmall:
		return fmt.Sprintf(m.SmallCommitteeF, a.Unit, due)
	}
	return fmt.Sprintf(m.MajorF, a.Unit, b.Limit, due)
}
