package jobs

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// staffRecipients is a Recipients with fixed people, standing in for the staff package.
type staffRecipients struct {
	DefaultRecipients
	committee, street []string
}

func (s staffRecipients) Committee(context.Context, string) ([]string, error) {
	return s.committee, nil
}

// Assignee gives the street people for the liaison placeholder the escalation routes to.
func (s staffRecipients) Assignee(ctx context.Context, a *models.Appeal) ([]string, error) {
	if r, ok := models.PlaceholderRole(a.Assignee); ok && r == models.RoleLiaison {
		return s.street, nil
	}
	return s.DefaultRecipients.Assignee(ctx, a)
}

func (s staffRecipients) LevelHandlers(_ context.Context, _ string, l models.Level) ([]string, error) {
	if l == models.LevelStreet {
		return s.street, nil
	}
	return nil, nil
}

func seedAppeal(t testing.TB, db *store.DB, author, assignee string, level models.Level, due time.Time) *models.Appeal {
	t.Helper()
	a := &models.Appeal{CommunityID: "c1", OpenID: author, Kind: models.KindSmall, Level: level,
		Status: models.StatusAssigned, Topic: "楼道灯不亮", Assignee: assignee, DueAt: &due}
	if err := db.CommitTurn(context.Background(), &models.Turn{CommunityID: "c1", OpenID: author,
		NewAppeals: []*models.NewAppeal{{Appeal: a}}}); err != nil {
		t.Fatal(err)
	}
	return a
}

func queued(t testing.TB, db *store.DB) []models.OutboxMessage {
	t.Helper()
	var rows []models.OutboxMessage
	if err := db.Gorm().Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestDeadlineReminder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		clock := now
		toWorker := seedAppeal(t, db, "oResident1", "oWorker0001", models.LevelCommunity, now.Add(2*time.Hour))
		toCommittee := seedAppeal(t, db, "oResident2", "区住建委", models.LevelStreet, now.Add(20*time.Hour))
		seedAppeal(t, db, "oResident3", "oWorker0001", models.LevelCommunity, now.Add(48*time.Hour)) // not yet
		j := &DeadlineReminder{Store: db, Recipients: staffRecipients{committee: []string{"oCommittee1"}},
			Leads: []time.Duration{24 * time.Hour, time.Hour}, Msg: messages.ZhCNPush, Location: time.UTC,
			Now: func() time.Time { return clock }}
		c, err := j.RunCounts(ctx)
		if err != nil || c["queued"] != 2 || c["pushes"] != 2 {
			t.Fatalf("first run = %v, %v; want 2 queued, 2 pushes", c, err)
		}
		rows := queued(t, db)
		want := map[string]string{"oWorker0001": toWorker.Ref, "oCommittee1": toCommittee.Ref}
		for _, r := range rows {
			if ref := want[r.OpenID]; ref == "" || r.Type != models.PushDeadlineReminder || !contains(r.Text, ref) {
				t.Errorf("push to %s: %q", r.OpenID, r.Text)
			}
		}
		if c, _ := j.RunCounts(ctx); c["queued"] != 0 {
			t.Errorf("second run at the same time queued %d, want 0", c["queued"])
		}
		clock = now.Add(90 * time.Minute) // inside the 1 h lead of the first appeal
		if c, _ := j.RunCounts(ctx); c["queued"] != 1 || c["pushes"] != 1 {
			t.Errorf("run in the 1 h window = %v, want 1 queued", c)
		}
		if n := len(queued(t, db)); n != 3 {
			t.Errorf("%d pushes queued in all, want 3", n)
		}
		// An appeal created 30 minutes before its deadline gets one reminder, not two.
		late := seedAppeal(t, db, "oResident4", "oWorker0002", models.LevelCommunity, clock.Add(30*time.Minute))
		if c, _ := j.RunCounts(ctx); c["pushes"] != 1 {
			t.Errorf("late appeal: %v, want one push", c)
		}
		var n int64
		db.Gorm().Table("reminders_sent").Where("appeal_id = ?", late.ID).Count(&n)
		if n != 2 {
			t.Errorf("late appeal has %d reminder records, want both leads recorded", n)
		}
	})
}

func contains(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && (s == sub || index(s, sub) >= 0)
}

func index(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestOverdueEscalation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Date(2026, 9, 30, 10, 0, 0, 0, sh) // before the National Day week
		a := seedAppeal(t, db, "oResident1", "oWorker0001", models.LevelCommunity, now.Add(-time.Minute))
		top := seedAppeal(t, db, "oResident2", "oWorker0001", models.LevelDistrict, now.Add(-time.Minute))
		j := &OverdueEscalation{Store: db, Calendar: models.DefaultCalendar(sh), Msg: messages.ZhCNPush,
			Recipients: staffRecipients{committee: []string{"oCommittee1"}, street: []string{"oLiaison01"}},
			StreetUnit: "街道办事处", Now: func() time.Time { return now }}
		c, err := j.RunCounts(ctx)
		if err != nil || c["escalated"] != 1 {
			t.Fatalf("run = %v, %v; want 1 escalated (district is the top)", c, err)
		}
		got, _ := db.AppealByRef(ctx, a.CommunityID, a.Ref)
		// 7 working days after the National Day week, to the end of the day: a Thursday.
		wantDue := time.Date(2026, 10, 15, 23, 59, 59, 0, sh)
		if got.Level != models.LevelStreet || got.Status != models.StatusEscalated || !got.DueAt.Equal(wantDue) || got.Assignee != models.RolePlaceholder(models.RoleLiaison) {
			t.Errorf("escalated appeal: level=%s status=%s due=%v assignee=%s; want street escalated %v role:liaison (nobody bound)",
				got.Level, got.Status, got.DueAt, got.Assignee, wantDue)
		}
		// A community matter at the street is the street office's.
		if got.Unit != "街道办事处" {
			t.Errorf("escalated appeal's unit %q; want 街道办事处", got.Unit)
		}
		evs, _ := db.AppealEvents(ctx, a.ID)
		if ev := evs[len(evs)-1]; ev.Actor != "system" || ev.ToStatus != models.StatusEscalated || ev.Reason == "" {
			t.Errorf("event = %+v", ev)
		}
		told := map[string]bool{}
		for _, r := range queued(t, db) {
			told[r.OpenID] = true
			// The deadline is said as a working day in words, never a clock time.
			if r.OpenID == "oResident1" && !strings.Contains(r.Text, "10月15日（周四）") {
				t.Errorf("resident told %q; want the deadline as 10月15日（周四）", r.Text)
			}
		}
		for _, who := range []string{"oResident1", "oWorker0001", "oLiaison01", "oCommittee1"} {
			if !told[who] {
				t.Errorf("%s was not told", who)
			}
		}
		if c, _ := j.RunCounts(ctx); c["escalated"] != 0 {
			t.Errorf("second run escalated %d", c["escalated"])
		}
		if got, _ := db.AppealByRef(ctx, top.CommunityID, top.Ref); got.Level != models.LevelDistrict || got.Status != models.StatusAssigned {
			t.Errorf("district appeal changed: %s %s", got.Level, got.Status)
		}
	})
}

type meetings []Meeting

func (m meetings) MeetingsStarting(_ context.Context, from, to time.Time) ([]Meeting, error) {
	var out []Meeting
	for _, x := range m {
		if x.StartsAt.After(from) && !x.StartsAt.After(to) {
			out = append(out, x)
		}
	}
	return out, nil
}

func TestMeetingReminderAndDigest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
		src := meetings{{ID: "m1", CommunityID: "c1", Topic: "加装电梯", Venue: "社区会议室", StartsAt: now.Add(30 * time.Minute),
			Invitees: []string{"oResident1", "oResident2", "oResident1"}}}
		mr := &MeetingReminder{Source: src, Outbox: db, Leads: []time.Duration{24 * time.Hour, time.Hour}, Msg: messages.ZhCNPush,
			Location: time.UTC, Now: func() time.Time { return now }}
		for i, want := range []int{2, 0} {
			if c, err := mr.RunCounts(ctx); err != nil || c["pushes"] != want {
				t.Errorf("meeting reminder run %d = %v, %v; want %d pushes", i+1, c, err, want)
			}
		}
		seedAppeal(t, db, "oResident1", "", models.LevelCommunity, now.Add(-time.Hour))
		dd := &DailyDigest{Store: db, Recipients: DefaultRecipients{}, Communities: []CommunityName{{"c1", "示例社区"}},
			Msg: messages.ZhCNPush, Location: time.UTC, Now: func() time.Time { return now.Add(time.Minute) }}
		if c, _ := dd.RunCounts(ctx); c["skipped"] != 1 || c["pushes"] != 0 {
			t.Errorf("digest with no committee = %v, want skipped", c)
		}
		dd.Recipients = staffRecipients{committee: []string{"oCommittee1", "oCommittee2"}}
		for i, want := range []int{2, 0} {
			if c, err := dd.RunCounts(ctx); err != nil || c["pushes"] != want {
				t.Errorf("digest run %d = %v, %v; want %d pushes", i+1, c, err, want)
			}
		}
		var digest models.OutboxMessage
		db.Gorm().Where("type = ?", models.PushDigest).Take(&digest)
		if want := fmt.Sprintf(messages.ZhCNPush.Digest, "示例社区", 1, 1, 0); digest.Text != want {
			t.Errorf("digest text %q, want %q", digest.Text, want)
		}
	})
}

func TestCleanupJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		for i, at := range []time.Time{now.Add(-100 * time.Hour), now.Add(-time.Hour)} {
			err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: fmt.Sprintf("o%d", i), DedupeKey: fmt.Sprintf("m:%d", i), At: at,
				Conversation: &models.Conversation{State: "s", ExpiresAt: at.Add(30 * time.Minute)}})
			if err != nil {
				t.Fatal(err)
			}
		}
		clock := func() time.Time { return now }
		if c, err := (&DedupeCleanup{Store: db, TTL: 72 * time.Hour, Now: clock}).RunCounts(ctx); err != nil || c["deleted"] != 1 {
			t.Errorf("dedupe cleanup = %v, %v; want 1 deleted", c, err)
		}
		if c, err := (&ConversationExpiry{Store: db, Now: clock}).RunCounts(ctx); err != nil || c["deleted"] != 2 {
			t.Errorf("conversation expiry = %v, %v; want 2 deleted", c, err)
		}
		if _, err := (&DedupeCleanup{Store: db, Now: clock}).RunCounts(ctx); err == nil {
			t.Error("dedupe cleanup with no TTL ran")
		}
	})
}

type countJob struct{ runs atomic.Int32 }

func (j *countJob) Run(context.Context) error {
	j.runs.Add(1)
	time.Sleep(20 * time.Millisecond)
	return nil
}

func TestSchedulerRunsEachTickOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		job := &countJob{}
		var scheds []*Scheduler
		for range 3 { // three replicas on one database
			s := NewScheduler(db, time.UTC, nil, nil)
			if err := s.Add("COUNT", "@every 1s", 10*time.Second, job); err != nil {
				t.Fatal(err)
			}
			scheds = append(scheds, s)
		}
		bad := NewScheduler(db, time.UTC, nil, nil)
		if err := bad.Add("BAD", "every second", time.Second, job); err == nil {
			t.Error("a bad schedule was accepted")
		}
		for _, s := range scheds {
			s.Start()
		}
		time.Sleep(3500 * time.Millisecond)
		for _, s := range scheds {
			s.Stop()
		}
		if n := job.runs.Load(); n < 3 || n > 4 {
			t.Errorf("%d runs in 3.5 s on three replicas, want one per tick (3 or 4)", n)
		}
	})
}

// TestDeadlineReminderShortLimit: an appeal whose whole time limit is
// shorter than the lead (a 24-hour urgent task) is not reminded minutes after
// its task push, but at half its time (found by a second user).
func TestDeadlineReminderShortLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		created := time.Now().UTC().Truncate(time.Second)
		db.Now = func() time.Time { return created }
		seedAppeal(t, db, "oResident1", "oWorker0001", models.LevelCommunity, created.Add(20*time.Hour))
		clock := created.Add(time.Hour)
		j := &DeadlineReminder{Store: db, Recipients: staffRecipients{}, Leads: []time.Duration{24 * time.Hour},
			Msg: messages.ZhCNPush, Location: time.UTC, Now: func() time.Time { return clock }}
		if c, err := j.RunCounts(ctx); err != nil || c["pushes"] != 0 {
			t.Fatalf("an hour after the task: %v, %v; want no reminder yet", c, err)
		}
		clock = created.Add(11 * time.Hour) // past half of its 20 hours
		if c, err := j.RunCounts(ctx); err != nil || c["pushes"] != 1 {
			t.Fatalf("past half its time: %v, %v; want the reminder", c, err)
		}
	})
}
