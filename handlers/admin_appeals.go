package handlers

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// patchAppeal: PATCH /api/appeals/{ref} {kind?, level?, assignee?, due_at?, reason}
// — the committee's reclassify, reassign and set-deadline, by ops.Revise:
// each change is an event by "admin"; all of them are stored together with
// the push to a new handler, or none is.
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
		Topic    *string `json:"topic"` // a catalog matter's id (its kind is the kind)
		Reason   string  `json:"reason"`
	}
	if err := decode(c, &in); err != nil {
		writeError(c, a.log, err)
		return
	}
	rev := ops.Revision{Reason: in.Reason, Actor: admin}
	if in.Kind != nil {
		k, err := models.ParseKind(*in.Kind)
		if err != nil {
			writeError(c, a.log, models.Errorf(models.EINVALID, "%v", err))
			return
		}
		rev.Kind = k
	}
	if in.Level != nil {
		l, err := models.ParseLevel(*in.Level)
		if err != nil {
			writeError(c, a.log, models.Errorf(models.EINVALID, "%v", err))
			return
		}
		rev.Level = l
	}
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
		rev.DueAt = &t
	}
	rev.Assignee = in.Assignee
	if in.Topic != nil {
		rev.TopicID = *in.Topic
	}
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	rev.Community, rev.Ref = community, ref
	if _, err := a.appeals.Revise(c.Request.Context(), rev); err != nil {
		writeError(c, a.log, err)
		return
	}
	a.getAppeal(c)
}
