package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gongzhi/gongzhi/models"
)

// ApplyMeetingChange stores one change of a meeting in one transaction.
func (db *DB) ApplyMeetingChange(ctx context.Context, ch *models.MeetingChange) error {
	return db.transact(ctx, func(tx *gorm.DB) error {
		return applyMeetingChange(tx, ch, db.now())
	}, nil)
}

// applyMeetingChanges applies a turn's meeting changes inside its transaction.
func applyMeetingChanges(tx *gorm.DB, chs []*models.MeetingChange, at time.Time) error {
	for _, ch := range chs {
		if err := applyMeetingChange(tx, ch, at); err != nil {
			return err
		}
	}
	return nil
}

func applyMeetingChange(tx *gorm.DB, ch *models.MeetingChange, at time.Time) error {
	m := ch.Meeting
	if m == nil {
		return models.Errorf(models.EINVALID, "meeting change without a meeting")
	}
	m.StartsAt = m.StartsAt.UTC().Truncate(time.Microsecond) // SQLite compares times as text
	m.UpdatedAt = at
	if ch.AnswerOnly {
		var n int64
		err := openMeeting(tx, m, at).Count(&n).Error
		if err != nil {
			return fmt.Errorf("check meeting: %w", err)
		}
		if n == 0 {
			return models.ErrStale
		}
	} else if ch.ExpectVersion == 0 {
		// A rerun after a deadlock starts afresh: the id of a rolled-back insert is void.
		m.ID, m.Version = 0, 1
		if m.Revision == 0 {
			m.Revision = 1
		}
		m.CreatedAt = at
		if err := tx.Create(m).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return models.ErrStale // another meeting took the code: compute again
			}
			return fmt.Errorf("create meeting: %w", err)
		}
	} else {
		res := tx.Model(&models.Meeting{}).Where("id = ? AND version = ?", m.ID, ch.ExpectVersion).Updates(map[string]any{
			"topic": m.Topic, "level": m.Level, "starts_at": m.StartsAt, "venue": m.Venue, "capacity": m.Capacity,
			"status": m.Status, "revision": m.Revision, "version": ch.ExpectVersion + 1, "appeal_refs": m.AppealRefs,
			"buildings": m.Buildings, "grids": m.Grids, "reason": m.Reason, "outcome": m.Outcome, "updated_at": at,
		})
		if res.Error != nil {
			return fmt.Errorf("update meeting: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return models.ErrStale
		}
		m.Version = ch.ExpectVersion + 1
	}
	for _, iv := range ch.Invitees {
		stampInvitee(iv, m, at)
		if iv.ID == 0 || (ch.ExpectVersion == 0 && !ch.AnswerOnly) {
			iv.ID, iv.CreatedAt = 0, at
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(iv).Error; err != nil {
				return fmt.Errorf("add invitee: %w", err)
			}
			continue
		}
		if err := inviteeUpdate(tx, iv).Error; err != nil {
			return fmt.Errorf("update invitee: %w", err)
		}
	}
	for _, p := range ch.DropPending {
		p = strings.ReplaceAll(p, models.MeetingIDPlaceholder, fmt.Sprint(m.ID))
		err := tx.Where("status = ? AND idem_key LIKE ?", models.OutboxPending, escapeLike(p)+"%").
			Delete(&models.OutboxMessage{}).Error
		if err != nil {
			return fmt.Errorf("drop stale pushes: %w", err)
		}
	}
	if len(ch.Outbox) > 0 {
		// Copies: a rerun after a deadlock must see the placeholders again.
		msgs := make([]*models.OutboxMessage, len(ch.Outbox))
		id := fmt.Sprint(m.ID)
		for i, o := range ch.Outbox {
			cp := *o
			cp.Key = strings.ReplaceAll(cp.Key, models.MeetingIDPlaceholder, id)
			msgs[i] = &cp
		}
		if _, err := insertOutbox(tx, msgs, at); err != nil {
			return err
		}
	}
	if err := applyAppealUpdates(tx, ch.AppealUpdates, at); err != nil {
		return err
	}
	return insertEvents(tx, ch.Events, at)
}

// openMeeting selects m if it still takes answers at its revision.
func openMeeting(tx *gorm.DB, m *models.Meeting, at time.Time) *gorm.DB {
	return tx.Model(&models.Meeting{}).Where("id = ? AND revision = ? AND status IN ? AND starts_at > ?", m.ID, m.Revision,
		[]models.MeetingStatus{models.MeetingInvited, models.MeetingRescheduled}, at)
}

// stampInvitee sets an invitee's meeting, community and times.
func stampInvitee(iv *models.MeetingInvitee, m *models.Meeting, at time.Time) {
	iv.MeetingID, iv.CommunityID = m.ID, m.CommunityID
	iv.UpdatedAt = at
	if iv.AnsweredAt != nil {
		t := iv.AnsweredAt.UTC().Truncate(time.Microsecond)
		iv.AnsweredAt = &t
	}
}

// inviteeUpdate runs (or, in a dry-run session, builds) the UPDATE of a
// stamped invitee's answer.
func inviteeUpdate(tx *gorm.DB, iv *models.MeetingInvitee) *gorm.DB {
	return tx.Model(&models.MeetingInvitee{}).Where("id = ? AND meeting_id = ?", iv.ID, iv.MeetingID).Updates(map[string]any{
		"answer": iv.Answer, "answered_at": iv.AnsweredAt, "invited_rev": iv.InvitedRev,
		"unreachable": iv.Unreachable, "updated_at": iv.UpdatedAt,
	})
}

// escapeLike escapes LIKE's wildcards (keys hold none today, but ids might one day).
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// MeetingByID returns a community's meeting or ENOTFOUND.
func (db *DB) MeetingByID(ctx context.Context, communityID string, id uint64) (*models.Meeting, error) {
	var m models.Meeting
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND id = ?", communityID, id).Take(&m).Error; err != nil {
		return nil, notFound(err, "meeting")
	}
	return &m, nil
}

// MeetingByCode returns a community's meeting by its code or ENOTFOUND.
func (db *DB) MeetingByCode(ctx context.Context, communityID, code string) (*models.Meeting, error) {
	var m models.Meeting
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND code = ?", communityID, code).Take(&m).Error; err != nil {
		return nil, notFound(err, "meeting")
	}
	return &m, nil
}

// MeetingInvitees returns a meeting's invitees in the order they were added.
func (db *DB) MeetingInvitees(ctx context.Context, meetingID uint64) ([]*models.MeetingInvitee, error) {
	var out []*models.MeetingInvitee
	if err := db.gorm.WithContext(ctx).Where("meeting_id = ?", meetingID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("meeting invitees: %w", err)
	}
	return out, nil
}

// Invited reports whether openID is on the meeting's list: one probe of
// the resident's invitations, never the whole list.
func (db *DB) Invited(ctx context.Context, communityID string, meetingID uint64, openID string) (bool, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&models.MeetingInvitee{}).
		Where("community_id = ? AND open_id = ? AND meeting_id = ?", communityID, openID, meetingID).Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("meeting invitee: %w", err)
	}
	return n > 0, nil
}

// AnswerCounts counts a meeting's invitees by answer (every answer
// present, zero when none), as models.CountAnswers does over the list.
func (db *DB) AnswerCounts(ctx context.Context, meetingID uint64) (map[models.Answer]int, error) {
	var rows []struct {
		Answer models.Answer
		N      int
	}
	err := db.gorm.WithContext(ctx).Model(&models.MeetingInvitee{}).Select("answer, count(*) AS n").
		Where("meeting_id = ?", meetingID).Group("answer").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("meeting answers: %w", err)
	}
	out := models.CountAnswers(nil)
	for _, r := range rows {
		out[r.Answer] = r.N
	}
	return out, nil
}

// FirstWaitlisted returns who is next for a freed seat (models.NextWaitlisted's
// order: earliest answer, then id), or nil.
func (db *DB) FirstWaitlisted(ctx context.Context, meetingID uint64) (*models.MeetingInvitee, error) {
	var out []*models.MeetingInvitee
	err := db.gorm.WithContext(ctx).Where("meeting_id = ? AND answer = ? AND answered_at IS NOT NULL", meetingID, models.AnswerWaitlisted).
		Order("answered_at, id").Limit(1).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("meeting waiting list: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out[0], nil
}

// Invitations returns the meetings openID is invited to that start after
// now and are neither drafts, cancelled nor held, soonest first.
func (db *DB) Invitations(ctx context.Context, communityID, openID string, now time.Time) ([]*models.Invitation, error) {
	var ivs []*models.MeetingInvitee
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND open_id = ?", communityID, openID).Find(&ivs).Error
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	if len(ivs) == 0 {
		return nil, nil
	}
	byMeeting := map[uint64]*models.MeetingInvitee{}
	ids := make([]uint64, 0, len(ivs))
	for _, iv := range ivs {
		byMeeting[iv.MeetingID] = iv
		ids = append(ids, iv.MeetingID)
	}
	var ms []*models.Meeting
	err = db.gorm.WithContext(ctx).Where("id IN ? AND status IN ? AND starts_at > ?", ids,
		[]models.MeetingStatus{models.MeetingInvited, models.MeetingRescheduled}, now.UTC()).
		Order("starts_at, id").Find(&ms).Error
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	out := make([]*models.Invitation, 0, len(ms))
	for _, m := range ms {
		out = append(out, &models.Invitation{Meeting: m, Invitee: byMeeting[m.ID]})
	}
	return out, nil
}

// NextMeetingCode returns a random code no meeting of the community has;
// two meetings created at once may still get the same one, and the second
// insert fails with ErrStale (the unique index decides).
func (db *DB) NextMeetingCode(ctx context.Context, communityID string) (string, error) {
	next := db.MeetingCode
	if next == nil {
		next = models.RandomMeetingCode
	}
	for range 8 {
		code := next()
		var n int64
		if err := db.gorm.WithContext(ctx).Model(&models.Meeting{}).Where("community_id = ? AND code = ?", communityID, code).
			Count(&n).Error; err != nil {
			return "", fmt.Errorf("next meeting code: %w", err)
		}
		if n == 0 {
			return code, nil
		}
	}
	return "", fmt.Errorf("next meeting code: eight random codes taken")
}

// ResidentOpenIDs returns the registered residents living in any of the
// buildings or grids; all registered residents when all is set.
func (db *DB) ResidentOpenIDs(ctx context.Context, communityID string, buildings, grids []string, all bool) ([]string, error) {
	q := db.gorm.WithContext(ctx).Model(&models.Resident{}).Where("community_id = ? AND building <> ''", communityID)
	switch {
	case all:
	case len(buildings) > 0 && len(grids) > 0:
		q = q.Where("building IN ? OR grid_id IN ?", buildings, grids)
	case len(buildings) > 0:
		q = q.Where("building IN ?", buildings)
	case len(grids) > 0:
		q = q.Where("grid_id IN ?", grids)
	default:
		return nil, nil
	}
	var out []string
	if err := q.Order("id").Pluck("open_id", &out).Error; err != nil {
		return nil, fmt.Errorf("residents of buildings: %w", err)
	}
	return out, nil
}

// OpenWindows returns which of the openids wrote to the account since t
// (their customer-service window is open).
func (db *DB) OpenWindows(ctx context.Context, communityID string, openIDs []string, since time.Time) (map[string]bool, error) {
	out := map[string]bool{}
	for i := 0; i < len(openIDs); i += outboxBatch {
		var got []string
		err := db.gorm.WithContext(ctx).Model(&models.Resident{}).
			Where("community_id = ? AND open_id IN ? AND last_message_at >= ?", communityID,
				openIDs[i:min(i+outboxBatch, len(openIDs))], since.UTC()).Pluck("open_id", &got).Error
		if err != nil {
			return nil, fmt.Errorf("open windows: %w", err)
		}
		for _, o := range got {
			out[o] = true
		}
	}
	return out, nil
}

// TemplateLoad counts a community's pushes that go, or went, by template
// and are due in [from, to): the day's use of the template quota.
func (db *DB) TemplateLoad(ctx context.Context, communityID string, from, to time.Time) (int, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Model(&models.OutboxMessage{}).
		Where("community_id = ? AND next_attempt_at >= ? AND next_attempt_at < ? AND (channel = ? OR force_template = ?)",
			communityID, from.UTC(), to.UTC(), models.ChannelTemplate, true).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("template load: %w", err)
	}
	return int(n), nil
}

// MeetingFailedPushes returns the openids whose pushes about the meeting
// failed for good: people to phone or visit.
func (db *DB) MeetingFailedPushes(ctx context.Context, meetingID uint64) ([]string, error) {
	var out []string
	err := db.gorm.WithContext(ctx).Model(&models.OutboxMessage{}).Distinct("open_id").
		Where("status = ? AND idem_key LIKE ?", models.OutboxFailed, fmt.Sprintf("meeting:%d:%%", meetingID)).
		Pluck("open_id", &out).Error
	if err != nil {
		return nil, fmt.Errorf("failed meeting pushes: %w", err)
	}
	return out, nil
}

// MeetingsStarting returns invited or rescheduled meetings starting in (from, to].
func (db *DB) MeetingsStarting(ctx context.Context, from, to time.Time) ([]*models.Meeting, error) {
	var out []*models.Meeting
	err := db.gorm.WithContext(ctx).Where("starts_at > ? AND starts_at <= ? AND status IN ?", from.UTC(), to.UTC(),
		[]models.MeetingStatus{models.MeetingInvited, models.MeetingRescheduled}).Order("starts_at, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("meetings starting: %w", err)
	}
	return out, nil
}

// Stakeholders lists a community's active stakeholders by id.
func (db *DB) Stakeholders(ctx context.Context, communityID string) ([]*models.Stakeholder, error) {
	var out []*models.Stakeholder
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND active = ?", communityID, true).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("stakeholders: %w", err)
	}
	return out, nil
}

// StakeholderByID returns an active stakeholder or ENOTFOUND.
func (db *DB) StakeholderByID(ctx context.Context, communityID string, id uint64) (*models.Stakeholder, error) {
	var s models.Stakeholder
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND id = ? AND active = ?", communityID, id, true).Take(&s).Error
	if err != nil {
		return nil, notFound(err, "stakeholder")
	}
	return &s, nil
}

// SaveStakeholder creates (ID 0) or replaces a stakeholder.
func (db *DB) SaveStakeholder(ctx context.Context, s *models.Stakeholder) error {
	at := db.now()
	s.UpdatedAt = at
	if s.ID == 0 {
		s.CreatedAt, s.Active = at, true
		if err := db.gorm.WithContext(ctx).Create(s).Error; err != nil {
			return fmt.Errorf("create stakeholder: %w", err)
		}
		return nil
	}
	res := db.gorm.WithContext(ctx).Model(&models.Stakeholder{}).
		Where("community_id = ? AND id = ? AND active = ?", s.CommunityID, s.ID, true).Updates(map[string]any{
		"kind": s.Kind, "name": s.Name, "contact": s.Contact, "open_id": s.OpenID, "phone": s.Phone,
		"buildings": s.Buildings, "updated_at": at})
	if res.Error != nil {
		return fmt.Errorf("update stakeholder: %w", res.Error)
	}
	if _, err := db.StakeholderByID(ctx, s.CommunityID, s.ID); err != nil {
		return err
	}
	return nil
}

// DeactivateStakeholder removes a stakeholder from the directory (kept for
// the meetings that invited them).
func (db *DB) DeactivateStakeholder(ctx context.Context, communityID string, id uint64) error {
	if _, err := db.StakeholderByID(ctx, communityID, id); err != nil {
		return err
	}
	err := db.gorm.WithContext(ctx).Model(&models.Stakeholder{}).Where("community_id = ? AND id = ?", communityID, id).
		Updates(map[string]any{"active": false, "updated_at": db.now()}).Error
	if err != nil {
		return fmt.Errorf("deactivate stakeholder: %w", err)
	}
	return nil
}

// OrganisedMeetings returns the meetings organiser (an actor string,
// "staff:<id>") called in the community that are still to come and may
// change (draft, invited, rescheduled), soonest first: the organiser's
// 议事会议 menu.
func (db *DB) OrganisedMeetings(ctx context.Context, communityID, organiser string, now time.Time) ([]*models.Meeting, error) {
	var out []*models.Meeting
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND organiser = ? AND starts_at > ? AND status IN ?",
		communityID, organiser, now.UTC(),
		[]models.MeetingStatus{models.MeetingDraft, models.MeetingInvited, models.MeetingRescheduled}).
		Order("starts_at, id").Limit(20).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("organised meetings: %w", err)
	}
	return out, nil
}
