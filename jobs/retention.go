package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// RetentionStore is what RetentionPurge deletes and masks with.
type RetentionStore interface {
	PurgeClosedAppeals(ctx context.Context, before time.Time) (int64, error)
	ForgetResidents(ctx context.Context, before time.Time) (int64, error)
	PurgeBindAttempts(ctx context.Context, before time.Time) (int64, error)
	ForgetNonces(ctx context.Context, before time.Time) (int64, error)
	DeleteConsoleBefore(ctx context.Context, before time.Time) (int64, error)
	ForgetPushTexts(ctx context.Context, before time.Time) (int64, error)
}

// PushTextRetention is how long a delivered or failed push keeps its text
// (the failed-push lists look back 7 days by default).
const PushTextRetention = 30 * 24 * time.Hour

// RetentionPurge keeps personal data no longer than needed: closed appeals
// past Retention are masked (PurgeClosedAppeals), residents silent
// that long with nothing open are forgotten, failed binding tries past the
// lockout window, signed-request records past the replay window, and console
// login links and sessions that have expired go; pushes delivered or failed
// more than PushTextRetention ago lose their text.
type RetentionPurge struct {
	Store        RetentionStore
	Retention    time.Duration // cfg.Retention()
	ReplayWindow time.Duration // cfg.ClockSkew: how long a signed request is remembered
	Now          func() time.Time
}

// Run implements Job.
func (j *RetentionPurge) Run(ctx context.Context) error { _, err := j.RunCounts(ctx); return err }

// RunCounts implements CountingJob: appeals, residents, bind_attempts,
// signed_requests, console (expired login links and sessions), push_texts.
func (j *RetentionPurge) RunCounts(ctx context.Context) (Counts, error) {
	c := Counts{}
	if j.Retention <= 0 {
		return c, fmt.Errorf("retention purge: retention must be positive")
	}
	now := j.Now()
	window := max(j.ReplayWindow, time.Minute)
	var errs []error
	for _, step := range []struct {
		name string
		run  func() (int64, error)
	}{
		{"appeals", func() (int64, error) { return j.Store.PurgeClosedAppeals(ctx, now.Add(-j.Retention)) }},
		{"residents", func() (int64, error) { return j.Store.ForgetResidents(ctx, now.Add(-j.Retention)) }},
		{"bind_attempts", func() (int64, error) { return j.Store.PurgeBindAttempts(ctx, now.Add(-models.BindWindow)) }},
		// Twice the window: a timestamp may be off by it either way.
		{"signed_requests", func() (int64, error) { return j.Store.ForgetNonces(ctx, now.Add(-2*window)) }},
		{"console", func() (int64, error) { return j.Store.DeleteConsoleBefore(ctx, now) }},
		{"push_texts", func() (int64, error) { return j.Store.ForgetPushTexts(ctx, now.Add(-PushTextRetention)) }},
	} {
		n, err := step.run()
		c[step.name] = int(n)
		if err != nil {
			errs = append(errs, fmt.Errorf("retention purge: %s: %w", step.name, err))
		}
	}
	return c, errors.Join(errs...)
}
