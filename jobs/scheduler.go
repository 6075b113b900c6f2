package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/config"
)

// Job is one scheduled task. Jobs are plain structs with an injected clock,
// so tests call Run directly.
type Job interface {
	Run(ctx context.Context) error
}

// Counts are what one run did, for the "job run" log line.
type Counts map[string]int

// CountingJob is a Job that reports counts; the scheduler logs them.
type CountingJob interface {
	RunCounts(ctx context.Context) (Counts, error)
}

// Locker keeps a job's scheduled run to one replica (store.DB implements it).
type Locker interface {
	// AcquireJobLock takes name's lock for the run scheduled at tick until
	// until; false when another run holds it or this tick ran already.
	AcquireJobLock(ctx context.Context, name, owner string, tick, until time.Time) (bool, error)
	// ReleaseJobLock ends owner's hold.
	ReleaseJobLock(ctx context.Context, name, owner string) error
}

// Scheduler runs jobs on cron schedules (seconds field optional, "@every
// 1s"), each wrapped: panics recovered, a run skipped while the previous one
// is still going, a timeout, a database lock across replicas, one log line.
type Scheduler struct {
	cron    *cron.Cron
	locker  Locker
	log     *slog.Logger
	now     func() time.Time
	owner   string
	base    context.Context
	cancel  context.CancelFunc
	names   []string
	started bool
}

// NewScheduler returns a scheduler in loc whose runs take locker's locks.
func NewScheduler(locker Locker, loc *time.Location, log *slog.Logger, now func() time.Time) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	if loc == nil {
		loc = time.UTC
	}
	cl := cronLogger{log}
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	s := &Scheduler{locker: locker, log: log, now: now, owner: messages.Clip(host, 40) + "-" + hex.EncodeToString(b)}
	s.base, s.cancel = context.WithCancel(context.Background())
	s.cron = cron.New(cron.WithParser(config.ScheduleParser()), cron.WithLocation(loc), cron.WithLogger(cl),
		cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	return s
}

// Add schedules job under name with a cron spec; timeout bounds each run.
func (s *Scheduler) Add(name, spec string, timeout time.Duration, job Job) error {
	if _, err := config.ParseSchedule(spec); err != nil {
		return fmt.Errorf("job %s: schedule %q: %w", name, spec, err)
	}
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	if _, err := s.cron.AddFunc(spec, func() { s.RunOnce(s.base, name, timeout, job) }); err != nil {
		return fmt.Errorf("job %s: %w", name, err)
	}
	s.names = append(s.names, name)
	sort.Strings(s.names)
	return nil
}

// Jobs lists the names of the scheduled jobs.
func (s *Scheduler) Jobs() []string { return append([]string(nil), s.names...) }

// Start starts the timers.
func (s *Scheduler) Start() {
	s.started = true
	s.cron.Start()
}

// Stop stops the timers, cancels running jobs and waits for them to return.
func (s *Scheduler) Stop() {
	if !s.started {
		return
	}
	ctx := s.cron.Stop()
	s.cancel()
	<-ctx.Done()
}

// RunOnce runs job now as its schedule would: behind the lock for the
// current tick (the second), with the timeout, logged.
func (s *Scheduler) RunOnce(ctx context.Context, name string, timeout time.Duration, job Job) {
	start := s.now()
	tick := start.Truncate(time.Second)
	lctx, lcancel := context.WithTimeout(ctx, 10*time.Second)
	ok, err := s.locker.AcquireJobLock(lctx, name, s.owner, tick, start.Add(timeout+time.Minute))
	lcancel()
	if err != nil {
		s.log.Warn("job lock failed; run skipped", "job", name, "err", err)
		return
	}
	if !ok {
		s.log.Debug("job run taken by another replica", "job", name)
		return
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	var counts Counts
	if cj, ok := job.(CountingJob); ok {
		counts, err = cj.RunCounts(rctx)
	} else {
		err = job.Run(rctx)
	}
	cancel()
	rel, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
	if rerr := s.locker.ReleaseJobLock(rel, name, s.owner); rerr != nil {
		s.log.Warn("job lock release failed", "job", name, "err", rerr)
	}
	rcancel()
	attrs := []any{"job", name, "tick", tick.UTC().Format(time.RFC3339), "duration", time.Since(start).Round(time.Millisecond).String()}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		attrs = append(attrs, k, counts[k])
	}
	if err != nil {
		s.log.Error("job run", append(attrs, "err", err.Error())...)
		return
	}
	s.log.Info("job run", attrs...)
}

// cronLogger routes robfig/cron's messages (panics, skipped runs) to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	// cron logs every wake-up at Info; keep them at debug.
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
