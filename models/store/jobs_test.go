package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

func pushes(n int, prefix string) []*models.OutboxMessage {
	out := make([]*models.OutboxMessage, n)
	for i := range out {
		out[i] = &models.OutboxMessage{CommunityID: "c1", OpenID: fmt.Sprintf("o%04d", i), Type: models.PushReply,
			Text: "t", Key: fmt.Sprintf("%s:%d", prefix, i)}
	}
	return out
}

func TestEnqueueSkipsExistingKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if n, err := db.Enqueue(ctx, pushes(3, "k")...); err != nil || n != 3 {
			t.Fatalf("Enqueue = %d, %v; want 3", n, err)
		}
		if n, err := db.Enqueue(ctx, pushes(5, "k")...); err != nil || n != 2 {
			t.Fatalf("Enqueue again = %d, %v; want 2 new", n, err)
		}
		bad := &models.OutboxMessage{CommunityID: "c1", OpenID: "o", Type: models.PushReply}
		if _, err := db.Enqueue(ctx, bad); models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("Enqueue without key: %v, want invalid", err)
		}
		counts, _ := db.OutboxCounts(ctx)
		if counts[models.OutboxPending] != 5 {
			t.Errorf("pending = %d, want 5", counts[models.OutboxPending])
		}
	})
}

func TestClaimOutboxNeverSharesRows(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Enqueue(ctx, pushes(300, "k")...); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		var mu sync.Mutex
		got := map[uint64]string{}
		var wg sync.WaitGroup
		for w := range 4 {
			owner := fmt.Sprintf("owner-%d", w)
			wg.Go(func() {
				for range 10 {
					rows, err := db.ClaimOutbox(ctx, owner, now, time.Minute, 40)
					if err != nil {
						t.Errorf("ClaimOutbox: %v", err)
						return
					}
					mu.Lock()
					for _, r := range rows {
						if prev, dup := got[r.ID]; dup {
							t.Errorf("row %d claimed by %s and %s", r.ID, prev, owner)
						}
						got[r.ID] = owner
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(got) != 300 {
			t.Errorf("%d rows claimed, want all 300", len(got))
		}
	})
}

func TestLeaseExpiryHandsRowOver(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Enqueue(ctx, pushes(1, "k")...); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		a, err := db.ClaimOutbox(ctx, "a", now, time.Minute, 10)
		if err != nil || len(a) != 1 {
			t.Fatalf("claim a = %d, %v", len(a), err)
		}
		if b, _ := db.ClaimOutbox(ctx, "b", now.Add(30*time.Second), time.Minute, 10); len(b) != 0 {
			t.Fatalf("b claimed a leased row")
		}
		if ok, err := db.MarkSending(ctx, a[0].ID, "a", models.ChannelTemplate, now, time.Minute); err != nil || !ok {
			t.Fatalf("MarkSending a = %v, %v", ok, err)
		}
		later := now.Add(2 * time.Minute)
		b, err := db.ClaimOutbox(ctx, "b", later, time.Minute, 10)
		if err != nil || len(b) != 1 || b[0].Status != models.OutboxSending || b[0].Attempts != 1 {
			t.Fatalf("claim b after expiry = %+v, %v", b, err)
		}
		if err := db.MarkSent(ctx, a[0].ID, "a", later); models.ErrorCode(err) != models.ECONFLICT {
			t.Errorf("MarkSent by the old owner = %v, want conflict", err)
		}
		if ok, _ := db.MarkSending(ctx, a[0].ID, "a", models.ChannelTemplate, later, time.Minute); ok {
			t.Error("MarkSending by the old owner succeeded")
		}
		if err := db.MarkSent(ctx, b[0].ID, "b", later); err != nil {
			t.Fatalf("MarkSent b: %v", err)
		}
		if rows, _ := db.ClaimOutbox(ctx, "c", later.Add(time.Hour), time.Minute, 10); len(rows) != 0 {
			t.Errorf("a sent row was claimed again")
		}
	})
}

func TestFailedPushesAndWindow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Now().UTC()
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o0000", At: at,
			Resident: &models.Resident{LastMessageAt: &at}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Enqueue(ctx, pushes(3, "k")...); err != nil {
			t.Fatal(err)
		}
		rows, _ := db.ClaimOutbox(ctx, "a", at.Add(time.Second), time.Minute, 10)
		for _, r := range rows {
			if _, err := db.MarkSending(ctx, r.ID, "a", models.ChannelCustom, at.Add(time.Second), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.MarkFailed(ctx, rows[0].ID, "a", "43004"); err != nil {
			t.Fatal(err)
		}
		opened, used, err := db.CustomWindow(ctx, "c1", "o0000")
		if err != nil || opened == nil || used != 1 {
			t.Errorf("CustomWindow = %v, %d, %v; want opened, 1 used", opened, used, err)
		}
		if opened, used, _ := db.CustomWindow(ctx, "c1", "nobody"); opened != nil || used != 0 {
			t.Errorf("CustomWindow(unknown) = %v, %d", opened, used)
		}
		// A window closed 50 hours ago: its time, nothing counted. Pushes
		// sent before the last message do not count against the new window.
		old := at.Add(-50 * time.Hour)
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o-old", At: at,
			Resident: &models.Resident{LastMessageAt: &old}}); err != nil {
			t.Fatal(err)
		}
		if opened, used, err := db.CustomWindow(ctx, "c1", "o-old"); err != nil || opened == nil || opened.Sub(old).Abs() > time.Millisecond || used != 0 {
			t.Errorf("CustomWindow(closed) = %v, %d, %v; want %v, 0", opened, used, err, old)
		}
		later := at.Add(time.Hour)
		if err := db.TouchResident(ctx, "c1", "o0000", later); err != nil {
			t.Fatal(err)
		}
		if opened, used, err := db.CustomWindow(ctx, "c1", "o0000"); err != nil || opened == nil || used != 0 {
			t.Errorf("CustomWindow after a new message = %v, %d, %v; want a new window with nothing used", opened, used, err)
		}
		failed, err := db.FailedPushes(ctx, "c1", at.Add(-time.Hour))
		if err != nil || len(failed) != 1 || failed[0].Error != "43004" || failed[0].OpenID != "o0000" {
			t.Fatalf("FailedPushes = %+v, %v", failed, err)
		}
		if other, _ := db.FailedPushes(ctx, "c2", at.Add(-time.Hour)); len(other) != 0 {
			t.Errorf("FailedPushes of another community = %d rows", len(other))
		}
	})
}

func TestCommitTurnStoresOutboxAtomically(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		turn := func() *models.Turn {
			return &models.Turn{CommunityID: "c1", OpenID: "o1", DedupeKey: "m:9", Reply: "好",
				NewAppeals: []*models.NewAppeal{newAppeal("o1", "t")},
				Outbox: []*models.OutboxMessage{{CommunityID: "c1", OpenID: "w1", Type: models.PushTaskAssigned,
					Text: "新任务", Key: "task:m:9"}}}
		}
		if err := db.CommitTurn(ctx, turn()); err != nil {
			t.Fatal(err)
		}
		if err := db.CommitTurn(ctx, turn()); err != models.ErrDuplicate {
			t.Fatalf("second CommitTurn = %v, want ErrDuplicate", err)
		}
		bad := turn()
		bad.DedupeKey = "m:10"
		bad.Outbox[0].Key = "" // invalid push: the whole turn must roll back
		if err := db.CommitTurn(ctx, bad); err == nil {
			t.Fatal("CommitTurn with an invalid push succeeded")
		}
		if _, err := db.ProcessedReply(ctx, "c1", "m:10"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Errorf("rolled-back turn left its dedupe row: %v", err)
		}
		counts, _ := db.OutboxCounts(ctx)
		if counts[models.OutboxPending] != 1 {
			t.Errorf("pending pushes = %d, want 1", counts[models.OutboxPending])
		}
	})
}

func TestJobLockOncePerTick(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tick := time.Now().Truncate(time.Second).Add(-time.Second)
		tests := []struct {
			name  string
			owner string
			tick  time.Time
			until time.Time
			want  bool
		}{
			{"first takes it", "a", tick, time.Now().Add(time.Minute), true},
			{"same tick while held", "b", tick, time.Now().Add(time.Minute), false},
			{"next tick while held", "b", tick.Add(time.Second), time.Now().Add(time.Minute), false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.AcquireJobLock(ctx, "J", tt.owner, tt.tick, tt.until)
				if err != nil || got != tt.want {
					t.Fatalf("AcquireJobLock = %v, %v; want %v", got, err, tt.want)
				}
			})
		}
		if err := db.ReleaseJobLock(ctx, "J", "a"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.AcquireJobLock(ctx, "J", "b", tick, time.Now().Add(time.Minute)); ok {
			t.Error("the tick that ran was taken again after release")
		}
		if ok, _ := db.AcquireJobLock(ctx, "J", "b", tick.Add(time.Second), time.Now().Add(time.Minute)); !ok {
			t.Error("the next tick could not be taken after release")
		}
	})
}

func TestRemindersAndEscalationOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		na := newAppeal("o1", "t")
		due := now.Add(time.Hour)
		na.Appeal.DueAt = &due
		closed := newAppeal("o1", "t")
		closed.Appeal.Status, closed.Appeal.DueAt = models.StatusClosed, &due
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o1", NewAppeals: []*models.NewAppeal{na, closed}}); err != nil {
			t.Fatal(err)
		}
		list, err := db.DueForReminder(ctx, now, now.Add(2*time.Hour), 2*time.Hour, 10)
		if err != nil || len(list) != 1 || list[0].ID != na.Appeal.ID {
			t.Fatalf("DueForReminder = %d, %v; want the open appeal", len(list), err)
		}
		r := models.Reminder{AppealID: na.Appeal.ID, Lead: 2 * time.Hour, Outbox: pushes(1, "r")}
		for i, want := range []int{1, 0} {
			if n, err := db.CommitReminders(ctx, []models.Reminder{r}); err != nil || n != want {
				t.Fatalf("CommitReminders #%d = %d, %v; want %d", i+1, n, err, want)
			}
		}
		if list, _ := db.DueForReminder(ctx, now, now.Add(2*time.Hour), 2*time.Hour, 10); len(list) != 0 {
			t.Errorf("reminded appeal still due for the same lead")
		}
		later := now.Add(2 * time.Hour)
		over, err := db.OverdueForEscalation(ctx, later, 10)
		if err != nil || len(over) != 1 {
			t.Fatalf("OverdueForEscalation = %d, %v", len(over), err)
		}
		e := func() *models.Escalation {
			return &models.Escalation{Appeal: over[0], ToLevel: models.LevelStreet, NewDueAt: later.Add(72 * time.Hour),
				Event: &models.AppealEvent{Actor: "system", Action: "escalated", At: later}}
		}
		for i, want := range []bool{true, false} {
			if ok, err := db.Escalate(ctx, e()); err != nil || ok != want {
				t.Fatalf("Escalate #%d = %v, %v; want %v", i+1, ok, err, want)
			}
		}
		a, _ := db.AppealByRef(ctx, na.Appeal.CommunityID, na.Appeal.Ref)
		if a.Level != models.LevelStreet || a.Status != models.StatusEscalated {
			t.Errorf("after escalation level=%s status=%s", a.Level, a.Status)
		}
		evs, _ := db.AppealEvents(ctx, a.ID)
		if last := evs[len(evs)-1]; last.Actor != "system" || last.Action != "escalated" {
			t.Errorf("last event = %+v", last)
		}
	})
}
