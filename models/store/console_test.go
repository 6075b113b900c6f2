package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

func TestConsoleLoginsAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedCommunity(t, db)
		member := bind(t, db, models.InviteRequest{Role: models.RoleCommittee, Name: "周委员"}, "o-c")
		now := day0.Add(time.Hour)

		tok, _ := models.NewConsoleToken()
		hash := models.HashConsoleToken(tok)
		if err := db.CreateConsoleLogin(ctx, &models.ConsoleLogin{TokenHash: hash, CommunityID: "c1", StaffID: member.ID,
			ExpiresAt: now.Add(models.ConsoleLinkTTL)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UseConsoleLogin(ctx, models.HashConsoleToken("other"), now); !errors.Is(err, models.ErrLinkInvalid) {
			t.Fatalf("unknown token: %v, want ErrLinkInvalid", err)
		}
		// Two browsers racing on one link: exactly one gets it.
		var wg sync.WaitGroup
		wins := make(chan *models.ConsoleLogin, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if l, err := db.UseConsoleLogin(ctx, hash, now); err == nil {
					wins <- l
				} else if !errors.Is(err, models.ErrLinkUsed) {
					t.Errorf("racing use: %v", err)
				}
			}()
		}
		wg.Wait()
		close(wins)
		if n := len(wins); n != 1 {
			t.Fatalf("%d uses of one link succeeded, want 1", n)
		}
		if l := <-wins; l.StaffID != member.ID || l.CommunityID != "c1" {
			t.Fatalf("link %+v", l)
		}

		late, _ := models.NewConsoleToken()
		_ = db.CreateConsoleLogin(ctx, &models.ConsoleLogin{TokenHash: models.HashConsoleToken(late), CommunityID: "c1",
			StaffID: member.ID, ExpiresAt: now.Add(models.ConsoleLinkTTL)})
		if _, err := db.UseConsoleLogin(ctx, models.HashConsoleToken(late), now.Add(models.ConsoleLinkTTL)); !errors.Is(err, models.ErrLinkExpired) {
			t.Fatalf("expired link: %v", err)
		}

		s := &models.ConsoleSession{TokenHash: "h1", CSRFToken: "c1", CommunityID: "c1", StaffID: member.ID, ExpiresAt: now.Add(time.Hour)}
		if err := db.CreateConsoleSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		v, err := db.ConsoleViewer(ctx, "h1", now)
		if err != nil || v.Staff == nil || v.Staff.ID != member.ID || v.Session.CSRFToken != "c1" {
			t.Fatalf("viewer %+v, %v", v, err)
		}
		if _, err := db.ConsoleViewer(ctx, "h1", now.Add(time.Hour)); !errors.Is(err, models.ErrSessionEnded) {
			t.Fatalf("expired session: %v", err)
		}
		if err := db.EndConsoleSession(ctx, "h1", now); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConsoleViewer(ctx, "h1", now); !errors.Is(err, models.ErrSessionEnded) {
			t.Fatalf("ended session: %v", err)
		}
		// A deactivated member's sessions end at once.
		_ = db.CreateConsoleSession(ctx, &models.ConsoleSession{TokenHash: "h2", CSRFToken: "c2", CommunityID: "c1", StaffID: member.ID, ExpiresAt: now.Add(time.Hour)})
		if _, err := db.DeactivateStaff(ctx, "c1", member.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConsoleViewer(ctx, "h2", now); !errors.Is(err, models.ErrSessionEnded) {
			t.Fatalf("deactivated member's session: %v", err)
		}
		// The admin token's session has no staff member.
		_ = db.CreateConsoleSession(ctx, &models.ConsoleSession{TokenHash: "h3", CSRFToken: "c3", CommunityID: "c1", ExpiresAt: now.Add(time.Hour)})
		if v, err := db.ConsoleViewer(ctx, "h3", now); err != nil || v.Staff != nil || !v.AllCommunities() {
			t.Fatalf("admin session %+v, %v", v, err)
		}
		if n, err := db.DeleteConsoleBefore(ctx, now.Add(2*time.Hour)); err != nil || n != 5 {
			t.Fatalf("DeleteConsoleBefore = %d, %v; want 5", n, err)
		}
	})
}

func TestConsoleAppeals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedCommunity(t, db)
		at := day0
		mk := func(desc string, kind models.Kind, level models.Level, status models.Status, assignee, grid string, due *time.Time) string {
			na := newAppeal("o1", "t")
			na.Appeal.Description, na.Appeal.Kind, na.Appeal.Level, na.Appeal.Status = desc, kind, level, status
			na.Appeal.Assignee, na.Appeal.GridID, na.Appeal.DueAt = assignee, grid, due
			at = at.Add(time.Minute)
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o1", At: at, NewAppeals: []*models.NewAppeal{na}}); err != nil {
				t.Fatal(err)
			}
			return na.Appeal.Ref
		}
		past, later := day0.Add(-time.Hour), day0.Add(48*time.Hour)
		late := mk("灯坏了 100%", models.KindSmall, models.LevelCommunity, models.StatusAssigned, "staff:1", "g1", &past)
		soon := mk("路灯", models.KindMajor, models.LevelStreet, models.StatusAssigned, "role:liaison", "g2", &later)
		review := mk("我家漏水", models.KindPrivate, models.LevelSelf, models.StatusReview, "", "g1", nil)
		returned := mk("电梯", models.KindSmall, models.LevelCommunity, models.StatusSubmitted, "role:committee", "g1", nil)
		_ = mk("已办结", models.KindSmall, models.LevelCommunity, models.StatusClosed, "staff:1", "g1", &past)

		refs := func(q models.ListQuery) []string {
			t.Helper()
			q.Now = day0
			list, total, err := db.ConsoleAppeals(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range list {
				out = append(out, a.Ref)
			}
			if q.Limit == 0 && total != len(out) {
				t.Fatalf("total %d, rows %d", total, len(out))
			}
			return out
		}
		same := func(name string, got []string, want ...string) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s: %v, want %v", name, got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s: %v, want %v", name, got, want)
				}
			}
		}
		same("overdue", refs(models.ListQuery{Overdue: true}), late)
		same("by deadline first", refs(models.ListQuery{Status: models.StatusAssigned}), late, soon)
		same("grid", refs(models.ListQuery{GridID: "g2"}), soon)
		same("text with a wildcard", refs(models.ListQuery{Text: "100%"}), late)
		// No liaison is bound: the street's appeal waits for nobody, so the
		// committee sees it; once a liaison is bound it is theirs.
		same("review queue, no liaison bound", refs(models.ListQuery{Review: true}), soon, returned, review)
		if err := db.Gorm().Create(&models.Staff{CommunityID: "c1", OpenID: "o-liaison", Role: models.RoleLiaison, Name: "李联络",
			Department: "区住房城乡建委", Active: true}).Error; err != nil {
			t.Fatal(err)
		}
		same("review queue", refs(models.ListQuery{Review: true}), returned, review)
		same("other community", refs(models.ListQuery{Communities: []string{"c9"}}))
		same("no community", refs(models.ListQuery{Communities: []string{}}))
		if _, total, _ := db.ConsoleAppeals(ctx, models.ListQuery{Limit: 2, Offset: 2}); total != 5 {
			t.Fatalf("total with paging %d, want 5", total)
		}
		same("date range", refs(models.ListQuery{From: day0.Add(2 * time.Minute), To: day0.Add(3*time.Minute + time.Second)}), soon, review)
	})
}
