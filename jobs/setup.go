package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/models"
)

// Settings are the push settings, from config (App.setupJobs fills them).
type Settings struct {
	Templates       map[string]string // push type → template id; "*" for the rest
	CustomPerWindow int
	HolidaysFile    string
	Lease           time.Duration
}

// Deps is what Build needs.
type Deps struct {
	Config     *config.Config
	Store      Store
	Sender     Sender
	Recipients Recipients    // nil: DefaultRecipients
	Meetings   MeetingSource // nil: MEETING_REMINDER is not scheduled
	Settings   Settings
	Log        *slog.Logger
	Now        func() time.Time
}

// Runner is the dispatcher and the scheduler of one process.
type Runner struct {
	Dispatcher *Dispatcher
	Scheduler  *Scheduler
	Calendar   *models.Calendar
	// Jobs are the jobs built, by name, scheduled or not, for tests and
	// for running one by hand.
	Jobs map[string]Job
}

// jobTimeout bounds one run of any job.
const jobTimeout = 5 * time.Minute

// Build wires the dispatcher and every job the config schedules.
func Build(d Deps) (*Runner, error) {
	cfg := d.Config
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Recipients == nil {
		d.Recipients = DefaultRecipients{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	cal, err := models.LoadCalendar(d.Settings.HolidaysFile, cfg.Location)
	if err != nil {
		return nil, fmt.Errorf("GONGZHI_HOLIDAYS: %w", err)
	}
	r := &Runner{Calendar: cal, Jobs: map[string]Job{}}
	r.Dispatcher = NewDispatcher(d.Store, d.Sender, DispatchSettings{Rate: cfg.PushRate,
		Templates: d.Settings.Templates, CustomPerWindow: d.Settings.CustomPerWindow, Lease: d.Settings.Lease, Location: cfg.Location},
		d.Log, d.Now)
	notify := r.Dispatcher.Notify
	msg := messages.ZhCNPush
	var names []CommunityName
	for _, c := range cfg.Communities {
		names = append(names, CommunityName{ID: c.ID, Name: c.Name})
	}
	r.Jobs[config.JobDeadlineReminder] = &DeadlineReminder{Store: d.Store, Recipients: d.Recipients,
		Leads: cfg.DeadlineReminders, Msg: msg, Location: cfg.Location, Now: d.Now, Notify: notify, Log: d.Log}
	r.Jobs[config.JobOverdueEscalation] = &OverdueEscalation{Store: d.Store, Recipients: d.Recipients,
		Calendar: cal, Msg: msg, StreetUnit: messages.ZhCN.UnitDefault[string(models.KindMajor)], Now: d.Now, Notify: notify, Log: d.Log}
	r.Jobs[config.JobDailyDigest] = &DailyDigest{Store: d.Store, Recipients: d.Recipients, Communities: names,
		Msg: msg, Location: cfg.Location, Now: d.Now, Notify: notify}
	r.Jobs[config.JobConversationExpiry] = &ConversationExpiry{Store: d.Store, Now: d.Now}
	r.Jobs[config.JobDedupeCleanup] = &DedupeCleanup{Store: d.Store, TTL: cfg.DedupeTTL, Now: d.Now}
	r.Jobs[config.JobRetentionPurge] = &RetentionPurge{Store: d.Store, Retention: cfg.Retention(), ReplayWindow: cfg.ClockSkew, Now: d.Now}
	if d.Meetings != nil {
		r.Jobs[config.JobMeetingReminder] = &MeetingReminder{Source: d.Meetings, Outbox: d.Store,
			Leads: cfg.MeetingReminders, Msg: msg, Location: cfg.Location, Now: d.Now, Notify: notify}
	}
	r.Jobs[JobMonthlyTopic] = &MonthlyTopic{Store: d.Store, Recipients: d.Recipients, Communities: names,
		Msg: messages.ZhCNCampaigns, Location: cfg.Location, Now: d.Now, Notify: notify}
	r.Jobs[JobCloseUnrated] = &CloseUnrated{Store: d.Store, Recipients: d.Recipients, Window: cfg.RatingWindow,
		Msg: messages.ZhCNStaff, Now: d.Now, Notify: notify}
	r.Scheduler = NewScheduler(d.Store, cfg.Location, d.Log, d.Now)
	for name, job := range r.Jobs {
		spec, on := cfg.Schedule(name)
		if !on {
			continue
		}
		if err := r.Scheduler.Add(name, spec, jobTimeout, job); err != nil {
			return nil, fmt.Errorf("GONGZHI_JOB_%s_SCHEDULE: %w", name, err)
		}
	}
	return r, nil
}

// Start starts the dispatcher, then the scheduler.
func (r *Runner) Start(ctx context.Context) {
	r.Dispatcher.Start(ctx)
	r.Scheduler.Start()
}

// Stop stops in reverse: the scheduler (waiting for running jobs), then the
// dispatcher (waiting for the sends in flight).
func (r *Runner) Stop() {
	r.Scheduler.Stop()
	r.Dispatcher.Stop()
}

// Store is everything the dispatcher and the jobs read and write
// (models/store's DB implements it).
type Store interface {
	OutboxStore
	ReminderStore
	EscalationStore
	UnratedStore
	DigestStore
	ConversationStore
	DedupeStore
	RetentionStore
	TopicStore
	Locker
}
