package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/jobs"
	"github.com/gongzhi/gongzhi/models/store"
)

// setupOps builds the operations every surface calls, on the App's store
// and clock; notify wakes the outbox dispatcher after they stored pushes.
func (a *App) setupOps(notify func()) error {
	cfg := a.Config
	a.Directory = directory(cfg)
	dir := a.Directory
	var err error
	if a.Appeals, err = ops.NewAppeals(ops.AppealsConfig{Store: a.Store, Staff: a.Store, Catalog: a.Classifier.Catalog(),
		Directory: dir, Calendar: a.Jobs.Calendar, Location: cfg.Location, Now: a.Now, Notify: notify,
		// A committee's change of kind teaches the community's words.
		Learner: a.Classifier}); err != nil {
		return err
	}
	if a.Meetings, err = ops.NewMeetings(ops.MeetingsConfig{Store: a.Store, Directory: dir, Location: cfg.Location,
		Now: a.Now, TemplateQuota: cfg.PushDailyTemplateQuota, RemindUndecided: cfg.MeetingRemindUndecided,
		Notify: notify}); err != nil {
		return err
	}
	if a.StaffOps, err = ops.NewStaff(ops.StaffConfig{Store: a.Store, Now: a.Now, InviteTTL: cfg.InviteTTL}); err != nil {
		return err
	}
	return a.setupCampaigns(notify)
}

// setupChat builds the chat: the staff and meeting commands, the engine
// that tries them before the conversation, and the service around it.
func (a *App) setupChat(pusher bot.Pusher) error {
	cfg := a.Config
	staff, err := bot.NewStaffCommands(bot.StaffCommandsConfig{Appeals: a.Appeals, Staff: a.StaffOps, Store: a.Store})
	if err != nil {
		return err
	}
	// 参加/不参加/开会/会议/取消会议, and the MEETINGS menu.
	meetings, err := bot.NewMeetingCommands(a.Meetings, a.Store)
	if err != nil {
		return err
	}
	if a.Engine, err = bot.NewEngine(bot.EngineConfig{Reader: a.Store, Classifier: a.Classifier, Appeals: a.Appeals,
		// 报名 <项目编号> after the meeting commands: "报名 YS101" answers a meeting.
		// 登录/后台 gives the committee a one-time link to the console.
		Commands: []bot.CommandHandler{staff, meetings, &bot.ProjectCommands{P: a.Projects},
			&bot.ConsoleCommands{Links: a.Console, Staff: a.Store}}, Invitations: meetings,
		// A reply during a campaign is also recorded as its answer.
		After:           []bot.StepHook{&bot.CampaignAnswers{C: a.Campaigns}},
		ConversationTTL: cfg.ConversationTTL, MeTooWindow: cfg.MeTooWindow,
		// Residents' answers and committee corrections, read back by every replica.
		Knowledge: a.Store}); err != nil {
		return err
	}
	a.Service = &bot.Service{Store: a.Store, Engine: a.Engine, Pusher: pusher, Log: a.Log,
		Now: a.Now, ConversationTTL: cfg.ConversationTTL}
	return nil
}

// meetingSource lets MEETING_REMINDER find meetings about to start. The
// reminder key carries the meeting's revision, so a reschedule starts the
// reminders afresh and none is ever sent for the old time.
type meetingSource struct {
	db              *store.DB
	remindUndecided bool
}

var _ jobs.MeetingSource = (*meetingSource)(nil)

// MeetingsStarting implements jobs.MeetingSource.
func (s *meetingSource) MeetingsStarting(ctx context.Context, from, to time.Time) ([]jobs.Meeting, error) {
	ms, err := s.db.MeetingsStarting(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]jobs.Meeting, 0, len(ms))
	for _, m := range ms {
		ivs, err := s.db.MeetingInvitees(ctx, m.ID)
		if err != nil {
			return nil, fmt.Errorf("meeting reminder: %w", err)
		}
		who := ops.Reminded(ivs, s.remindUndecided)
		if len(who) == 0 {
			continue
		}
		out = append(out, jobs.Meeting{ID: ops.ReminderID(m), CommunityID: m.CommunityID, Topic: m.Topic,
			Venue: m.Venue, StartsAt: m.StartsAt, Invitees: who})
	}
	return out, nil
}
