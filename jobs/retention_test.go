package jobs

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestRetentionPurge: past the retention, a closed appeal keeps what the
// statistics need (kind, level, topic, grid, building, times, the audit
// trail's who/what/when, a hash of the resident) and loses the rest; a
// resident not heard from since, with nothing open, is forgotten; old bind
// attempts and signed-request records go. Nothing newer or open is touched.
func TestRetentionPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 30, 3, 40, 0, 0, time.UTC)
		old, recent := now.AddDate(-4, 0, 0), now.AddDate(-1, 0, 0)
		g := db.Gorm()
		appeal := func(openID string, status models.Status, at time.Time) *models.Appeal {
			t.Helper()
			a := &models.Appeal{CommunityID: "c1", OpenID: openID, Kind: models.KindSmall, Level: models.LevelCommunity, Status: status,
				Topic: "路灯", GridID: "g1", Building: "3", Description: "3栋2单元501 王阿姨 13800138000", MediaIDs: "m1 http://x/p.jpg",
				Location: "29.56,106.55 家门口", CreatedAt: at}
			err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: openID, At: at,
				Resident: &models.Resident{Building: "3", Unit: "2", Room: "501", LastMessageAt: &at},
				NewAppeals: []*models.NewAppeal{{Appeal: a, Events: []*models.AppealEvent{
					{Actor: "resident", Action: "submitted", ToStatus: status, Reason: "我叫王芳，电话13800138000", At: at}}}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Model(&models.Appeal{}).Where("id = ?", a.ID).UpdateColumn("updated_at", at).Error; err != nil {
				t.Fatal(err)
			}
			if err := g.Create(&models.Follower{AppealID: a.ID, CommunityID: "c1", OpenID: openID + "-neighbour", CreatedAt: at}).Error; err != nil {
				t.Fatal(err)
			}
			return a
		}
		gone := appeal("o-old", models.StatusClosed, old)
		kept := appeal("o-recent", models.StatusClosed, recent)
		open := appeal("o-open", models.StatusEscalated, old)
		for _, at := range []time.Time{old, now.Add(-time.Minute)} {
			g.Create(&models.BindAttempt{CommunityID: "c1", OpenID: "o-guess", At: at})
			if err := db.UseNonce(ctx, models.SignedRequest{AppID: "wx1", Timestamp: at.Unix(), Nonce: "n", Digest: "d", SeenAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		for i, exp := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} {
			tok := fmt.Sprintf("t%d", i)
			if err := db.CreateConsoleLogin(ctx, &models.ConsoleLogin{TokenHash: "l" + tok, CommunityID: "c1", StaffID: 1, ExpiresAt: exp, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateConsoleSession(ctx, &models.ConsoleSession{TokenHash: "s" + tok, CSRFToken: "x" + tok, CommunityID: "c1", StaffID: 0, ExpiresAt: exp, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}

		// Pushes: delivered and failed 31 days ago lose their text; one
		// delivered yesterday and one still waiting keep it.
		push := func(key string, status models.OutboxStatus, at time.Time) uint64 {
			t.Helper()
			m := &models.OutboxMessage{CommunityID: "c1", OpenID: "o-worker", Type: "task_assigned", Key: key, Status: status,
				Text: "【新任务】联系居民：电话 13800138000", Data: `{"thing1":"楼道灯"}`, NextAttemptAt: at, CreatedAt: at, UpdatedAt: at}
			if err := g.Create(m).Error; err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		month := now.Add(-31 * 24 * time.Hour)
		pushGone := []uint64{push("p-sent-old", models.OutboxSent, month), push("p-failed-old", models.OutboxFailed, month)}
		pushKept := []uint64{push("p-sent-new", models.OutboxSent, now.Add(-24*time.Hour)), push("p-pending-old", models.OutboxPending, month)}

		j := &RetentionPurge{Store: db, Retention: 3 * 365 * 24 * time.Hour, ReplayWindow: 5 * time.Minute, Now: func() time.Time { return now }}
		c, err := j.RunCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c["appeals"] != 1 || c["residents"] != 1 || c["bind_attempts"] != 1 || c["signed_requests"] != 1 || c["console"] != 2 {
			t.Errorf("counts %v, want 1 appeal, 1 resident, 1 bind attempt, 1 signed request, 2 console rows (the expired link and session)", c)
		}
		if c["push_texts"] != 2 {
			t.Errorf("push_texts = %d, want 2", c["push_texts"])
		}
		for _, id := range append(append([]uint64(nil), pushGone...), pushKept...) {
			var m models.OutboxMessage
			g.Take(&m, id)
			if masked := m.Text == "" && m.Data == ""; masked != slices.Contains(pushGone, id) || m.Key == "" {
				t.Errorf("push %s (%s): text %q data %q", m.Key, m.Status, m.Text, m.Data)
			}
		}
		// The live session still opens; the expired one's row is gone.
		if _, err := db.ConsoleViewer(ctx, "st1", now); err != nil {
			t.Errorf("live console session lost: %v", err)
		}

		var a models.Appeal
		g.Take(&a, gone.ID)
		if a.Description != "" || a.MediaIDs != "" || a.Location != "" || a.OpenID != models.HashOpenID("o-old") || a.OpenID == "o-old" {
			t.Errorf("purged appeal still holds personal data: %+v", a)
		}
		if a.Kind != gone.Kind || a.Topic != "路灯" || a.GridID != "g1" || a.Building != "3" || a.Status != models.StatusClosed || !a.UpdatedAt.Equal(old) {
			t.Errorf("purged appeal lost what statistics need: %+v", a)
		}
		var ev models.AppealEvent
		g.Where("appeal_id = ?", gone.ID).Take(&ev)
		if ev.Reason != "" || ev.Action != "submitted" || ev.Actor != "resident" {
			t.Errorf("purged event = %+v", ev)
		}
		var f models.Follower
		g.Where("appeal_id = ?", gone.ID).Take(&f)
		if f.OpenID != models.HashOpenID("o-old-neighbour") {
			t.Errorf("follower kept its openid: %q", f.OpenID)
		}
		for _, id := range []uint64{kept.ID, open.ID} {
			var x models.Appeal
			g.Take(&x, id)
			if x.Description == "" || x.OpenID == models.HashOpenID("o-recent") || x.OpenID == models.HashOpenID("o-open") {
				t.Errorf("appeal %s was purged: %+v", x.Ref, x)
			}
		}
		for openID, want := range map[string]bool{"o-old": false, "o-recent": true, "o-open": true} {
			_, err := db.Resident(ctx, "c1", openID)
			if (err == nil) != want {
				t.Errorf("resident %s kept=%v, want %v", openID, err == nil, want)
			}
		}
		// Hashes count residents as the raw ids did: one per person.
		if models.HashOpenID("o-old") != models.HashOpenID("o-old") || models.HashOpenID("o-old") == models.HashOpenID("o-recent") {
			t.Error("HashOpenID is not a stable, distinct pseudonym")
		}

		if c, err := j.RunCounts(ctx); err != nil || c["appeals"] != 0 || c["residents"] != 0 {
			t.Errorf("second run = %v, %v; want nothing left to purge", c, err)
		}
		if _, err := (&RetentionPurge{Store: db, Now: j.Now}).RunCounts(ctx); err == nil {
			t.Error("a purge with no retention ran")
		}
	})
}
