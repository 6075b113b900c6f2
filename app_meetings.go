package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/jobs"
	"github.com/gongzhi/gongzhi/models/store"
)

// newMeetings builds the meetings service on the App's store and clock.
func (a *App) newMeetings() *bot.Meetings {
	return &bot.Meetings{Store: a.Store, Msg: messages.ZhCNMeetings, Directory: directory(a.Config), Location: a.Config.Location,
		Now: a.Now, TemplateQuota: a.Config.PushDailyTemplateQuota, RemindUndecided: a.Config.MeetingRemindUndecided}
}

// meetingSource lets MEETING_REMINDER find meetings about to start. The
// reminder key carries the meeting's revision, so a reschedule starts the
// reminders afresh and none is ever sent for the old time.
type meetingSource struct {
	db *store.DB
	m  *bot.Meetings
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
		who := s.m.Reminded(ivs)
		if len(who) == 0 {
			continue
		}
		out = append(out, jobs.Meeting{ID: bot.ReminderID(m), CommunityID: m.CommunityID, Topic: m.Topic,
			Venue: m.Venue, StartsAt: m.StartsAt, Invitees: who})
	}
	return out, nil
}
