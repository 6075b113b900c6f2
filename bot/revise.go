package bot

import (
	"context"
	"strings"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// Revision is the committee's change of an appeal: reclassify (Kind,
// Level), reassign (Assignee: a staff id, "staff:<id>", a bound openid or a
// role placeholder) and set the deadline (DueAt); nil fields do not change.
type Revision struct {
	Kind     *models.Kind
	Level    *models.Level
	Assignee *string
	DueAt    *time.Time
	Reason   string
}

// ReviseStore is what Revise reads and writes.
type ReviseStore interface {
	AppealByRef(ctx context.Context, ref string) (*models.Appeal, error)
	ResolveAssignee(ctx context.Context, communityID, s string) (string, error)
	UpdateAppeal(ctx context.Context, upd *models.AppealUpdate) error
}

// Revise applies a revision as actor: each change is one event with the
// reason, and all of them are stored together, only if the appeal is still
// in the status it was read in, or none is. The admin API's PATCH and the
// console both call it.
func Revise(ctx context.Context, st ReviseStore, ref string, r Revision, actor models.Actor, now time.Time) (*models.Appeal, error) {
	ap, upd, err := revise(ctx, st, ref, r, actor, now)
	if err != nil {
		return nil, err
	}
	if err := st.UpdateAppeal(ctx, upd); err != nil {
		return nil, err
	}
	return ap, nil
}

// ReviseTurnStore is what Engine.Revise reads and writes.
type ReviseTurnStore interface {
	ReviseStore
	AppealEvents(ctx context.Context, appealID uint64) ([]*models.AppealEvent, error)
	CommitTurn(ctx context.Context, t *models.Turn) error
}

// Revise is bot.Revise that also tells a new handler of their task, as the
// chat's 改派 does: the change and the push are one transaction.
func (e *Engine) Revise(ctx context.Context, st ReviseTurnStore, ref string, r Revision, actor models.Actor, now time.Time) (*models.Appeal, error) {
	before, err := st.AppealByRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	evs, err := st.AppealEvents(ctx, before.ID)
	if err != nil {
		return nil, err
	}
	ap, upd, err := revise(ctx, st, ref, r, actor, now)
	if err != nil {
		return nil, err
	}
	t := &models.Turn{CommunityID: ap.CommunityID, At: now, AppealUpdates: []*models.AppealUpdate{upd}}
	if ap.Assignee != before.Assignee {
		if err := e.pushAssigned(ctx, t, ap, ap.Ref, now, len(evs)); err != nil {
			return nil, err
		}
	}
	if err := st.CommitTurn(ctx, t); err != nil {
		return nil, err
	}
	return ap, nil
}

// revise checks a revision and applies it to the appeal as read; the
// caller stores the update.
func revise(ctx context.Context, st ReviseStore, ref string, r Revision, actor models.Actor, now time.Time) (*models.Appeal, *models.AppealUpdate, error) {
	reason := strings.TrimSpace(r.Reason)
	if reason == "" {
		return nil, nil, models.Errorf(models.EINVALID, "reason is required: say why the appeal is changed")
	}
	if len([]rune(reason)) > 500 {
		return nil, nil, models.Errorf(models.EINVALID, "reason is too long (at most 500 characters)")
	}
	if r.Kind == nil && r.Level == nil && r.Assignee == nil && r.DueAt == nil {
		return nil, nil, models.Errorf(models.EINVALID, "nothing to change: give kind, level, assignee or due_at")
	}
	ap, err := st.AppealByRef(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	var steps []models.Step
	if r.Kind != nil || r.Level != nil {
		s := models.Step{Action: models.ActReclassify}
		if r.Kind != nil {
			s.Kind = *r.Kind
		}
		if r.Level != nil {
			s.Level = *r.Level
		}
		steps = append(steps, s)
	}
	if r.Assignee != nil {
		assignee, err := st.ResolveAssignee(ctx, ap.CommunityID, *r.Assignee)
		if err != nil {
			return nil, nil, err
		}
		act := models.ActReassign
		if models.Allowed(ap.Status, models.ActAssign) {
			act = models.ActAssign
		}
		steps = append(steps, models.Step{Action: act, Assignee: assignee})
	}
	if r.DueAt != nil {
		steps = append(steps, models.Step{Action: models.ActSetDeadline, DueAt: r.DueAt})
	}
	upd := &models.AppealUpdate{Appeal: ap, ExpectStatus: ap.Status}
	for _, s := range steps {
		ev, err := models.Apply(ap, s, actor, reason, now)
		if err != nil {
			return nil, nil, err
		}
		upd.Events = append(upd.Events, ev)
	}
	return ap, upd, nil
}
