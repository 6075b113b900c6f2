package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// JobCloseUnrated (config.JobCloseUnrated) is the name of the job that closes resolved appeals the
// resident did not rate (GONGZHI_JOB_CLOSE_UNRATED_SCHEDULE).
const JobCloseUnrated = "CLOSE_UNRATED"

// CloseUnrated closes appeals resolved more than Window ago without a
// rating, as close_unrated (never counted as satisfied), and tells the author.
type CloseUnrated struct {
	Store      UnratedStore
	Recipients Recipients
	Window     time.Duration // GONGZHI_RATING_WINDOW
	Msg        messages.StaffMessages
	Now        func() time.Time
	Notify     func()
}

// Run implements Job.
func (j *CloseUnrated) Run(ctx context.Context) error { _, err := j.RunCounts(ctx); return err }

// RunCounts implements CountingJob: closed, pushes, skipped (rated meanwhile).
func (j *CloseUnrated) RunCounts(ctx context.Context) (Counts, error) {
	c := Counts{"closed": 0, "pushes": 0, "skipped": 0}
	now := j.Now()
	before := now.Add(-j.Window)
	seen := map[uint64]bool{}
	for range maxBatches {
		list, err := j.Store.ResolvedBefore(ctx, before, batchSize)
		if err != nil {
			return c, err
		}
		progress := false
		for _, a := range list {
			if seen[a.ID] {
				continue
			}
			seen[a.ID], progress = true, true
			expect := a.Status
			ev, err := models.Transition(a, models.ActCloseUnrated, models.Actor{Kind: models.ActorSystem},
				fmt.Sprintf(models.ReasonUnratedF, j.Window), now)
			if err != nil {
				return c, fmt.Errorf("close unrated %s: %w", a.Ref, err)
			}
			to, err := j.Recipients.Followers(ctx, a)
			if err != nil {
				return c, fmt.Errorf("close unrated: followers: %w", err)
			}
			var pushes []*models.OutboxMessage
			if len(to) > 0 && to[0] != "" { // the author: only they were asked to rate
				pushes = append(pushes, &models.OutboxMessage{CommunityID: a.CommunityID, OpenID: to[0],
					Type: models.PushProgress, Text: fmt.Sprintf(j.Msg.PushClosedUnratedF, a.Ref, a.Topic),
					Key: "appeal:" + a.Ref + ":" + string(models.ActCloseUnrated) + ":" + to[0]})
			}
			err = j.Store.CloseUnrated(ctx, &models.AppealUpdate{Appeal: a, ExpectStatus: expect,
				Events: []*models.AppealEvent{ev}}, pushes)
			if errors.Is(err, models.ErrAppealChanged) {
				c["skipped"]++
				continue
			}
			if err != nil {
				return c, fmt.Errorf("close unrated %s: %w", a.Ref, err)
			}
			c["closed"]++
			c["pushes"] += len(pushes)
		}
		if len(list) < batchSize || !progress {
			break
		}
	}
	if c["pushes"] > 0 && j.Notify != nil {
		j.Notify()
	}
	return c, nil
}

// UnratedStore is what CloseUnrated reads and writes.
type UnratedStore interface {
	ResolvedBefore(ctx context.Context, before time.Time, limit int) ([]*models.Appeal, error)
	CloseUnrated(ctx context.Context, upd *models.AppealUpdate, pushes []*models.OutboxMessage) error
}
