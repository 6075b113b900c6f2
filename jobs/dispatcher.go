package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/models"
)

// DispatchSettings tune the dispatcher. Zero fields take the defaults noted.
type DispatchSettings struct {
	Rate float64 // pushes per second over all accounts (cfg.PushRate); default 20
	// Templates maps a push type (models.Push*) to its template id; "*" is
	// the template for types without their own.
	Templates map[string]string
	// CustomPerWindow is how many customer-service messages one person may get
	// per 48-hour window before pushes fall back to templates; default 5.
	CustomPerWindow int
	Workers         int           // concurrent sends; default rate/20, 8 to 64
	Lease           time.Duration // how long a claimed row is ours; default 60s
	RetryBase       time.Duration // first backoff; default 2s
	RetryMax        time.Duration // longest backoff; default 10m
	MaxAttempts     int           // transient failures before giving up; default 15
	Poll            time.Duration // pause when nothing is due; default 250ms
	Location        *time.Location
}

func (s *DispatchSettings) defaults() {
	if s.Rate <= 0 {
		s.Rate = 20
	}
	if s.CustomPerWindow <= 0 {
		s.CustomPerWindow = 5
	}
	if s.Workers <= 0 {
		// Enough sends in flight to hold the rate while each waits ~50 ms
		// on the network and the database.
		s.Workers = min(max(8, int(s.Rate/20)), 64)
	}
	if s.Lease <= 0 {
		s.Lease = 60 * time.Second
	}
	if s.RetryBase <= 0 {
		s.RetryBase = 2 * time.Second
	}
	if s.RetryMax <= 0 {
		s.RetryMax = 10 * time.Minute
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 15
	}
	if s.Poll <= 0 {
		s.Poll = 250 * time.Millisecond
	}
	if s.Location == nil {
		s.Location = time.UTC
	}
}

// customWindow is WeChat's customer-service window after a person's message.
const customWindow = 48 * time.Hour

// Dispatcher sends the outbox. Several dispatchers (replicas) may run on one
// database: rows are leased, so no two hold the same row.
type Dispatcher struct {
	store    OutboxStore
	sender   Sender
	set      DispatchSettings
	log      *slog.Logger
	now      func() time.Time
	owner    string
	limiter  *rate.Limiter
	wake     chan struct{}
	cancel   context.CancelFunc
	done     chan struct{}
	mu       sync.Mutex
	seq      uint64
	lastWarn time.Time
}

// NewDispatcher builds a dispatcher; now is the clock (time.Now when nil).
func NewDispatcher(db OutboxStore, sender Sender, set DispatchSettings, log *slog.Logger, now func() time.Time) *Dispatcher {
	set.defaults()
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &Dispatcher{store: db, sender: sender, set: set, log: log, now: now,
		owner:   messages.Clip(host, 40) + "-" + hex.EncodeToString(b),
		limiter: rate.NewLimiter(rate.Limit(set.Rate), 1), wake: make(chan struct{}, 1)}
}

// Owner is this dispatcher's lease name.
func (d *Dispatcher) Owner() string { return d.owner }

// Notify wakes the dispatcher: something was queued.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Start runs the dispatcher in the background until Stop.
func (d *Dispatcher) Start(ctx context.Context) {
	ctx, d.cancel = context.WithCancel(ctx)
	d.done = make(chan struct{})
	go func() {
		defer close(d.done)
		d.Run(ctx)
	}()
}

// Stop lets the sends in flight finish, hands back unstarted rows and returns.
func (d *Dispatcher) Stop() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	<-d.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.store.ReleaseOutbox(ctx, d.owner); err != nil {
		d.log.Warn("outbox: release leases", "err", err)
	}
}

// Run claims and sends due pushes until ctx ends. A database outage is
// logged and waited out; nothing is lost because nothing is marked before
// it is done.
func (d *Dispatcher) Run(ctx context.Context) {
	queue := make(chan *models.OutboxMessage, max(2*int(math.Ceil(d.set.Rate)), 4*d.set.Workers))
	var wg sync.WaitGroup
	for range d.set.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range queue {
				if err := d.limiter.Wait(ctx); err != nil {
					continue // shutting down: the lease is released by Stop
				}
				d.process(m)
			}
		}()
	}
	defer wg.Wait()
	defer close(queue)
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		free := cap(queue) - len(queue)
		if free < cap(queue)/2 {
			sleep(ctx, 10*time.Millisecond)
			continue
		}
		rows, err := d.store.ClaimOutbox(ctx, d.owner, d.now(), d.set.Lease, free)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = min(max(2*backoff, 200*time.Millisecond), 5*time.Second)
			d.warn("outbox: claim failed; retrying", "err", err, "retry_in", backoff)
			sleep(ctx, backoff)
			continue
		}
		backoff = 0
		for _, m := range rows {
			queue <- m
		}
		if len(rows) == 0 {
			select {
			case <-ctx.Done():
			case <-d.wake:
			case <-time.After(d.set.Poll):
			}
		}
	}
}

// DispatchOnce claims up to limit due pushes and sends them one by one at
// the configured rate; tests and benchmarks use it.
func (d *Dispatcher) DispatchOnce(ctx context.Context, limit int) (int, error) {
	rows, err := d.store.ClaimOutbox(ctx, d.owner, d.now(), d.set.Lease, limit)
	if err != nil {
		return 0, err
	}
	for _, m := range rows {
		if err := d.limiter.Wait(ctx); err != nil {
			return 0, err
		}
		d.process(m)
	}
	return len(rows), nil
}

// warn logs at most once a second, so that an outage does not flood the log.
func (d *Dispatcher) warn(msg string, args ...any) {
	d.mu.Lock()
	now := time.Now()
	skip := now.Sub(d.lastWarn) < time.Second
	if !skip {
		d.lastWarn = now
	}
	d.mu.Unlock()
	if !skip {
		d.log.Warn(msg, args...)
	}
}

// process sends one leased row and records the outcome. It uses its own
// context: a shutdown lets the call in flight finish and be recorded.
func (d *Dispatcher) process(m *models.OutboxMessage) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A customer-service attempt that was started and never recorded may have
	// reached the person: never send it again (at most once).
	if m.Status == models.OutboxSending && m.Channel == models.ChannelCustom {
		d.record(ctx, m, func() error { return d.store.MarkFailed(ctx, m.ID, d.owner, models.PushUncertain) })
		return
	}
	channel, templateID, err := d.channel(ctx, m)
	if err != nil {
		d.warn("outbox: choose channel", "id", m.ID, "err", err)
		d.record(ctx, m, func() error {
			return d.store.Reschedule(ctx, m.ID, d.owner, d.now().Add(d.set.RetryBase), "db", m.ForceTemplate)
		})
		return
	}
	if channel == "" {
		d.record(ctx, m, func() error { return d.store.MarkFailed(ctx, m.ID, d.owner, models.PushNoTemplate) })
		return
	}
	if channel == models.ChannelCustom {
		// The attempt marker: recorded before the call, so that a crash
		// between the call and its record never leads to a second call.
		// While the database is away, keep trying for as long as the lease
		// may still hold, so the rows claimed go out as soon as it is back.
		var ok bool
		wait := 100 * time.Millisecond
		for {
			ok, err = d.store.MarkSending(ctx, m.ID, d.owner, channel, d.now(), d.set.Lease)
			if err == nil || d.now().After(leaseEnd(m, d.now().Add(d.set.Lease))) {
				break
			}
			d.warn("outbox: mark sending failed; retrying", "id", m.ID, "err", err)
			time.Sleep(wait)
			wait = min(2*wait, 2*time.Second)
		}
		if err != nil || !ok {
			return // lease lost or database away: the row is claimed again later
		}
		m.Attempts++
		err = d.sender.SendCustom(ctx, m.CommunityID, m.OpenID, m.Text)
	} else {
		// Templates need no marker: a repeat after a crash carries the same
		// client_msg_id and WeChat drops it. A lapsed lease means the row may
		// be someone else's now: leave it.
		if m.LeaseUntil != nil && d.now().After(*m.LeaseUntil) {
			return
		}
		m.Attempts++
		err = d.sender.SendTemplate(ctx, m.CommunityID, m.OpenID, templateID, templateData(m.Data, m.Text), m.Key)
	}
	d.outcome(ctx, m, channel, err)
}

// leaseEnd is when the lease on m runs out (or def when unknown).
func leaseEnd(m *models.OutboxMessage, def time.Time) time.Time {
	if m.LeaseUntil == nil {
		return def
	}
	return *m.LeaseUntil
}

// channel picks customer service inside the window while the window's
// allowance lasts, else the type's template ("" when none is configured).
func (d *Dispatcher) channel(ctx context.Context, m *models.OutboxMessage) (channel, templateID string, err error) {
	if !m.ForceTemplate {
		opened, used, err := d.store.CustomWindow(ctx, m.CommunityID, m.OpenID)
		if err != nil {
			return "", "", err
		}
		if opened != nil && d.now().Sub(*opened) < customWindow-time.Minute && used < d.set.CustomPerWindow {
			return models.ChannelCustom, "", nil
		}
	}
	id := d.set.Templates[m.Type]
	if id == "" {
		id = d.set.Templates["*"]
	}
	if id == "" {
		return "", "", nil
	}
	return models.ChannelTemplate, id, nil
}

// Errcodes the dispatcher acts on.
const (
	codeBusy          = -1
	codeQuota         = 45009
	codeOutOfWindow   = 45015
	codeOutOfCount    = 45047
	codeUnsubscribed  = 43004
	codeBadOpenID     = 40003
	codeBadTemplateID = 40037
	codeBadData       = 47001
)

// permanent are errcodes that no retry will fix: the committee phones or visits.
var permanent = map[int]bool{codeUnsubscribed: true, codeBadOpenID: true, codeBadTemplateID: true, codeBadData: true,
	40008: true, 44004: true, 40013: true, 40125: true}

func (d *Dispatcher) outcome(ctx context.Context, m *models.OutboxMessage, channel string, err error) {
	now := d.now()
	tpl := channel == models.ChannelTemplate
	finish := func(o models.PushOutcome) {
		o.Channel, o.Attempted = channel, tpl
		d.record(ctx, m, func() error { return d.store.Finish(ctx, m.ID, d.owner, d.now(), o) })
	}
	if err == nil {
		finish(models.PushOutcome{Status: models.OutboxSent})
		return
	}
	code := wx.ErrCode(err)
	var notSent *NotSentError
	codeStr := errCodeString(code)
	switch {
	case errors.Is(err, ErrNoAccount):
		finish(models.PushOutcome{Status: models.OutboxFailed, Code: models.PushNoAccount})
	case channel == models.ChannelCustom && (code == codeOutOfWindow || code == codeOutOfCount):
		// The window closed or its allowance is used up: a template at once.
		finish(models.PushOutcome{Status: models.OutboxPending, Code: codeStr, Next: now, ForceTemplate: true})
	case code == codeQuota:
		next := nextDayAt(now, d.set.Location, 0, 5)
		finish(models.PushOutcome{Status: models.OutboxPending, Code: codeStr, Next: next, ForceTemplate: m.ForceTemplate})
	case permanent[code]:
		finish(models.PushOutcome{Status: models.OutboxFailed, Code: codeStr})
	case channel == models.ChannelCustom && code == 0 && !errors.As(err, &notSent):
		// No answer from WeChat: the message may have gone out. At most once.
		d.log.Warn("outbox: customer-service send without an answer; not resent", "id", m.ID, "err", wx.Scrub(err))
		finish(models.PushOutcome{Status: models.OutboxFailed, Code: models.PushUncertain})
	case m.Attempts >= d.set.MaxAttempts:
		d.log.Warn("outbox: giving up after transient errors", "id", m.ID, "attempts", m.Attempts, "err", wx.Scrub(err))
		finish(models.PushOutcome{Status: models.OutboxFailed, Code: models.PushGaveUp})
	default:
		// -1, 40001/42001 after bot/wx's one refresh, 5xx, network: back off.
		next := now.Add(d.backoff(m.Attempts))
		if code == 0 {
			codeStr = "network"
		}
		finish(models.PushOutcome{Status: models.OutboxPending, Code: codeStr, Next: next, ForceTemplate: m.ForceTemplate})
	}
}

// record retries a bookkeeping write while the database is away, for as
// long as the lease lasts; if it never succeeds the row is claimed again
// later, which resends a template (WeChat drops the repeat by
// client_msg_id) and never resends a customer-service message.
func (d *Dispatcher) record(ctx context.Context, m *models.OutboxMessage, write func() error) {
	deadline := time.Now().Add(d.set.Lease / 2)
	wait := 100 * time.Millisecond
	for {
		err := write()
		if err == nil || models.ErrorCode(err) == models.ECONFLICT {
			return
		}
		if time.Now().After(deadline) {
			d.warn("outbox: could not record a push's outcome; it will be retried", "id", m.ID, "err", err)
			return
		}
		d.warn("outbox: record outcome failed; retrying", "id", m.ID, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			d.warn("outbox: stopped before a push's outcome was recorded; it will be retried", "id", m.ID, "err", ctx.Err())
			return
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// backoff is exponential with jitter: base·2^(n-1), capped, then a random
// 50–100 % of it so that retries of many rows spread out.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	b := d.set.RetryBase << min(max(attempts-1, 0), 20)
	if b <= 0 || b > d.set.RetryMax {
		b = d.set.RetryMax
	}
	return b/2 + time.Duration(mrand.Int64N(int64(b/2)+1))
}

// nextDayAt is hh:mm of the day after now, in loc.
func nextDayAt(now time.Time, loc *time.Location, hh, mm int) time.Time {
	t := now.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day()+1, hh, mm, 0, 0, loc)
}

func errCodeString(code int) string {
	if code == 0 {
		return "error"
	}
	return strconv.Itoa(code)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// OutboxStore is what the dispatcher claims, marks and finishes.
type OutboxStore interface {
	ClaimOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]*models.OutboxMessage, error)
	MarkSending(ctx context.Context, id uint64, owner, channel string, now time.Time, lease time.Duration) (bool, error)
	Finish(ctx context.Context, id uint64, owner string, now time.Time, o models.PushOutcome) error
	Reschedule(ctx context.Context, id uint64, owner string, next time.Time, code string, forceTemplate bool) error
	MarkFailed(ctx context.Context, id uint64, owner, code string) error
	ReleaseOutbox(ctx context.Context, owner string) error
	CustomWindow(ctx context.Context, communityID, openID string) (*time.Time, int, error)
}
