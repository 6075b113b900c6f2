package handlers

import (
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/models"
)

// patchAppeal: PATCH /api/appeals/{ref} {kind?, level?, assignee?, due_at?, reason}
// — the committee's reclassify, reassign and set-deadline. Each change is an
// event by "admin"; all of them are stored together or none is.
func (a *staffAPI) patchAppeal(c *gin.Context) {
	ref := c.Param("ref")
	if !models.ValidRef(ref) {
		writeError(c, a.log, models.Errorf(models.EINVALID, "%q is not a reference code (letters then digits, e.g. SQ2611260007)", ref))
		return
	}
	var in struct {
		Kind     *string `json:"kind"`
		Level    *string `json:"level"`
		Assignee *string `json:"assignee"`
		DueAt    *string `json:"due_at"`
		Reason   string  `json:"reason"`
	}
	if err := decode(c, &in); err != nil {
		writeError(c, a.log, err)
		return
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		writeError(c, a.log, models.Errorf(models.EINVALID, "reason is required: say why the appeal is changed"))
		return
	}
	if len([]rune(reason)) > 500 {
		writeError(c, a.log, models.Errorf(models.EINVALID, "reason is too long (at most 500 characters)"))
		return
	}
	if in.Kind == nil && in.Level == nil && in.Assignee == nil && in.DueAt == nil {
		writeError(c, a.log, models.Errorf(models.EINVALID, "nothing to change: give kind, level, assignee or due_at"))
		return
	}
	var reclass models.Step
	reclass.Action = models.ActReclassify
	if in.Kind != nil {
		k, err := models.ParseKind(*in.Kind)
		if err != nil {
			writeError(c, a.log, models.Errorf(models.EINVALID, "%v", err))
			return
		}
		reclass.Kind = k
	}
	if in.Level != nil {
		l, err := models.ParseLevel(*in.Level)
		if err != nil {
			writeError(c, a.log, models.Errorf(models.EINVALID, "%v", err))
			return
		}
		reclass.Level = l
	}
	var due *time.Time
	if in.DueAt != nil {
		t, err := time.Parse(time.RFC3339, *in.DueAt)
		if err != nil {
			writeError(c, a.log, models.Errorf(models.EINVALID, "due_at %q: want RFC 3339 with a zone, e.g. 2026-12-01T18:00:00+08:00", *in.DueAt))
			return
		}
		if err := models.CheckDeadline(t, a.now()); err != nil {
			writeError(c, a.log, err)
			return
		}
		due = &t
	}
	ctx := c.Request.Context()
	ap, err := a.db.AppealByRef(ctx, ref)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	var assignee string
	if in.Assignee != nil {
		if assignee, err = a.db.ResolveAssignee(ctx, ap.CommunityID, *in.Assignee); err != nil {
			writeError(c, a.log, err)
			return
		}
	}
	expect := ap.Status
	now := a.now()
	actor := models.Actor{Kind: models.ActorAdmin}
	var steps []models.Step
	if in.Kind != nil || in.Level != nil {
		steps = append(steps, reclass)
	}
	if in.Assignee != nil {
		act := models.ActReassign
		if models.Allowed(ap.Status, models.ActAssign) {
			act = models.ActAssign
		}
		steps = append(steps, models.Step{Action: act, Assignee: assignee})
	}
	if due != nil {
		steps = append(steps, models.Step{Action: models.ActSetDeadline, DueAt: due})
	}
	upd := &models.AppealUpdate{Appeal: ap, ExpectStatus: expect}
	for _, s := range steps {
		ev, err := models.Apply(ap, s, actor, reason, now)
		if err != nil {
			writeError(c, a.log, err)
			return
		}
		upd.Events = append(upd.Events, ev)
	}
	if err := a.db.UpdateAppeal(ctx, upd); err != nil {
		writeError(c, a.log, err)
		return
	}
	a.getAppeal(c)
}
