// Package ops owns the operations every surface calls: intake of an appeal
// (chat, Open311), revising one (reclassify, reassign, deadline), the
// lifecycle steps (accept, progress, resolve, return, escalate, rate),
// consultation meetings, and staff with their invitations. The chat (bot),
// the HTTP API and console (handlers) and the jobs only parse, call and
// render: the rules and the pushes they cause live here, once.
//
// Each operation takes an actor (who acts) and returns typed errors
// (*models.Error codes, *StepError for a refused lifecycle step) that a
// surface can render. Most have two forms: Plan… builds the change for the
// chat to commit within a message's turn (with its dedupe row); the plain
// form commits it at once, in one transaction with its pushes.
//
// It knows no HTTP, no SQL and no WeChat SDK: it reads and writes through
// the narrow interfaces below, which models/store implements.
package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// AppealStore is what the appeal operations read and write.
type AppealStore interface {
	// AppealByRef returns the community's appeal or ENOTFOUND.
	AppealByRef(ctx context.Context, communityID, ref string) (*models.Appeal, error)
	// AppealEvents returns an appeal's events, oldest first.
	AppealEvents(ctx context.Context, appealID uint64) ([]*models.AppealEvent, error)
	// CommitTurn stores new appeals, appeal updates and pushes atomically.
	CommitTurn(ctx context.Context, t *models.Turn) error
	// LastResolvedLike returns the latest appeal of the community on the
	// matter topicID in the building that was resolved at or after since
	// (resolved or closed since), or ENOTFOUND.
	LastResolvedLike(ctx context.Context, communityID, topicID, building string, since time.Time) (*models.Appeal, error)
}

// StaffDirectory is what the operations read about staff: who handles an
// appeal and whom to tell.
type StaffDirectory interface {
	// RouteAppeal chooses the handler with models.Route (a staff ref or a role placeholder).
	RouteAppeal(ctx context.Context, a *models.Appeal) (string, error)
	// HandlerOpenIDs returns the openids of whoever handles a.
	HandlerOpenIDs(ctx context.Context, a *models.Appeal) ([]string, error)
	// CommitteeOpenIDs returns the openids of the committee and administrators.
	CommitteeOpenIDs(ctx context.Context, communityID string) ([]string, error)
	// FollowerOpenIDs returns the author, then the residents who said "me too".
	FollowerOpenIDs(ctx context.Context, a *models.Appeal) ([]string, error)
	// ResolveAssignee turns a staff id, a bound openid or a role placeholder
	// into an assignee; EINVALID when it names nobody active.
	ResolveAssignee(ctx context.Context, communityID, s string) (string, error)
	// StaffByID returns the staff member or ENOTFOUND.
	StaffByID(ctx context.Context, communityID string, id uint64) (*models.Staff, error)
}

// Catalog looks up catalog items by id (the appeal's topic), and each
// kind's catch-all item.
type Catalog interface {
	Item(id string) *triage.Item
	Fallback(k models.Kind) *triage.Item
}

// AppealsConfig is what NewAppeals needs.
type AppealsConfig struct {
	Store AppealStore // required
	// Staff routes appeals and finds whom to push to; nil routes to role
	// placeholders and pushes nothing (a conversation tested alone).
	Staff     StaffDirectory
	Catalog   Catalog   // nil: no topics (every appeal is "other")
	Directory Directory // the communities and their grids
	Calendar  Deadliner // required: every deadline counts on it
	Location  *time.Location
	Now       func() time.Time // nil: time.Now
	// Notify wakes the outbox dispatcher after pushes were stored (nil: nobody).
	Notify func()
	// Learner lets a committee's change of kind teach the community's words
	// and find the matter the text names for the new kind (nil: corrections
	// teach nothing, and a changed kind keeps a named topic).
	Learner Learner
}

// Appeals is the one place where appeals are created, revised and moved
// along their lifecycle. It is safe for concurrent use.
type Appeals struct {
	store     AppealStore
	staff     StaffDirectory
	catalog   Catalog
	directory Directory
	calendar  Deadliner
	loc       *time.Location
	now       func() time.Time
	notify    func()
	learner   Learner
	msg       *messages.Messages
	sm        *messages.StaffMessages
	im        *messages.IntakeMessages
	pm        *messages.PushMessages
}

// NewAppeals builds the appeal operations; a missing requirement is an error.
func NewAppeals(c AppealsConfig) (*Appeals, error) {
	switch {
	case c.Store == nil:
		return nil, errors.New("ops: appeals need a store")
	case c.Calendar == nil:
		return nil, errors.New("ops: appeals need a calendar for deadlines")
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Notify == nil {
		c.Notify = func() {}
	}
	if c.Directory == nil {
		c.Directory = Directory{}
	}
	return &Appeals{store: c.Store, staff: c.Staff, catalog: c.Catalog, directory: c.Directory, calendar: c.Calendar,
		loc: c.Location, now: c.Now, notify: c.Notify, learner: c.Learner,
		msg: &messages.ZhCN, sm: &messages.ZhCNStaff, im: &messages.ZhCNIntake, pm: &messages.ZhCNPush}, nil
}

// Directory returns the communities the operations know.
func (s *Appeals) Directory() Directory { return s.directory }

// Location is the time zone deadlines are said in.
func (s *Appeals) Location() *time.Location { return s.loc }

// Due says a deadline as people read it ("12月5日（周五）"), or "no deadline".
func (s *Appeals) Due(t *time.Time) string { return s.msg.Due(t, s.loc) }

// Item returns the catalog item with the id, or nil.
func (s *Appeals) Item(id string) *triage.Item {
	if id == "" || s.catalog == nil {
		return nil
	}
	return s.catalog.Item(id)
}

// Fallback returns the catch-all item of a kind (its topic when no matter
// of the kind is named), or nil when the catalog has none.
func (s *Appeals) Fallback(k models.Kind) *triage.Item {
	if s.catalog == nil {
		return nil
	}
	return s.catalog.Fallback(k)
}

// Change is one appeal's change being built: the appeal as changed, the
// update (its events, applied only if the appeal is still in the status it
// was read in) and the pushes it causes.
type Change struct {
	Appeal *models.Appeal
	Before models.Appeal // as read
	Update *models.AppealUpdate
	Outbox []*models.OutboxMessage
	// AssigneeName names the new handler after an assignment ("" otherwise).
	AssigneeName string
	// Asks mark or clear residents' questions waiting for an answer.
	Asks []*models.Ask
	// Learned says what a correction taught the community's words ("" when nothing).
	Learned string
	history []*models.AppealEvent // the events stored before this change, oldest first
}

// events is how many events were stored before this change (push keys).
func (ch *Change) events() int { return len(ch.history) }

// AddTo puts the change into a message's turn (the chat commits it there).
func (ch *Change) AddTo(t *models.Turn) {
	t.AppealUpdates = append(t.AppealUpdates, ch.Update)
	t.Outbox = append(t.Outbox, ch.Outbox...)
	t.Asks = append(t.Asks, ch.Asks...)
}

// load reads the appeal ref names in community; ENOTFOUND when it is not
// there (another community's appeal is not found either).
func (s *Appeals) load(ctx context.Context, community, ref string) (*Change, error) {
	a, err := s.Appeal(ctx, community, ref)
	if err != nil {
		return nil, err
	}
	evs, err := s.store.AppealEvents(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("appeal events: %w", err)
	}
	return &Change{Appeal: a, Before: *a, Update: &models.AppealUpdate{Appeal: a, ExpectStatus: a.Status}, history: evs}, nil
}

// Appeal returns the appeal ref names in community, or ENOTFOUND.
func (s *Appeals) Appeal(ctx context.Context, community, ref string) (*models.Appeal, error) {
	return s.store.AppealByRef(ctx, community, ref)
}

// Commit stores a planned change with its pushes in one transaction.
func (s *Appeals) Commit(ctx context.Context, ch *Change) error {
	t := &models.Turn{CommunityID: ch.Appeal.CommunityID, At: s.now().UTC()}
	ch.AddTo(t)
	if err := s.store.CommitTurn(ctx, t); err != nil {
		return fmt.Errorf("commit %s: %w", ch.Appeal.Ref, err)
	}
	if len(t.Outbox) > 0 {
		s.notify()
	}
	return nil
}

// route chooses the handler of an appeal; without a staff directory it is
// the role placeholder models.Route gives with nobody bound.
func (s *Appeals) route(ctx context.Context, a *models.Appeal) (string, error) {
	if s.staff == nil {
		return models.Route(a, nil), nil
	}
	to, err := s.staff.RouteAppeal(ctx, a)
	if err != nil {
		return "", fmt.Errorf("route appeal: %w", err)
	}
	return to, nil
}
