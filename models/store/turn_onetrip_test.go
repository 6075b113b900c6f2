package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// The turns that commit alone — a staff command, a meeting answer, a me
// too — write the same rows on both databases; on MySQL they travel in one
// trip (two when a write must be checked), and any turn whose guarded write
// misses (an appeal that moved on, a closed meeting, a stale conversation)
// or whose message is stored already gets the outcome the transaction gives,
// with nothing of it written.
func TestTurnsAloneWriteWholeOrNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedCommunity(t, db)
		w := bind(t, db, models.InviteRequest{Role: models.RoleGridWorker, GridID: "g1", Name: "一网格员"}, "o-w1")
		a := createAppeal(t, db, &models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g1", Topic: "楼道灯"}, day0)
		rows := func(model any, where string, args ...any) int64 { return countRows(t, db, model, where, args...) }
		trips, fellBack := db.OneTripStats()
		at := day0.Add(time.Hour)

		// A staff command: the appeal moves, its event and a push to the
		// resident are written, the push text as written.
		cur, _ := db.AppealByRef(ctx, "c1", a.Ref)
		ev, err := models.Apply(cur, models.Step{Action: models.ActAssign, Assignee: w.Ref()}, models.Actor{Kind: models.ActorSystem}, "", at)
		if err != nil {
			t.Fatal(err)
		}
		text := "进展 it's \\ \"引号\" 😀\n'); DROP TABLE appeals; --"
		push := &models.OutboxMessage{CommunityID: "c1", OpenID: "o-res", Type: models.PushProgress, Text: text, Key: "t:assign:" + a.Ref}
		assign := &models.Turn{CommunityID: "c1", OpenID: "o-w1", DedupeKey: "m:s1", Reply: "已派", At: at,
			AppealUpdates: []*models.AppealUpdate{{Appeal: cur, ExpectStatus: models.StatusSubmitted, Events: []*models.AppealEvent{ev}}},
			Outbox:        []*models.OutboxMessage{push}}
		if err := db.CommitTurn(ctx, assign); err != nil {
			t.Fatalf("staff command: %v", err)
		}
		if got, _ := db.AppealByRef(ctx, "c1", a.Ref); got.Status != models.StatusAssigned || got.Assignee != w.Ref() {
			t.Errorf("after the staff command the appeal is %s by %q", got.Status, got.Assignee)
		}
		var stored models.OutboxMessage
		if err := db.Gorm().Where("idem_key = ?", push.Key).Take(&stored).Error; err != nil || stored.Text != text {
			t.Errorf("push %q, %v; want %q", stored.Text, err, text)
		}
		if n := rows(&models.AppealEvent{}, "appeal_id = ?", a.ID); n != 2 {
			t.Errorf("%d events, want 2", n)
		}

		// The same command computed on the old status: the appeal moved on.
		stale := *cur
		stale.Status, stale.Assignee = models.StatusAssigned, "staff:99"
		evStale := &models.AppealEvent{Actor: w.Ref(), Action: "assign", FromStatus: "submitted", ToStatus: "assigned", At: at}
		again := &models.Turn{CommunityID: "c1", OpenID: "o-w1", DedupeKey: "m:s2", Reply: "已派", At: at,
			AppealUpdates: []*models.AppealUpdate{{Appeal: &stale, ExpectStatus: models.StatusSubmitted, Events: []*models.AppealEvent{evStale}}},
			Outbox:        []*models.OutboxMessage{{CommunityID: "c1", OpenID: "o-res", Type: models.PushProgress, Text: "x", Key: "t:again"}}}
		if err := db.CommitTurn(ctx, again); !errors.Is(err, models.ErrAppealChanged) {
			t.Fatalf("a command on a moved appeal: %v, want ErrAppealChanged", err)
		}
		if n := rows(&models.ProcessedMessage{}, "dedupe_key = ?", "m:s2") + rows(&models.OutboxMessage{}, "idem_key = ?", "t:again") +
			rows(&models.AppealEvent{}, "appeal_id = ?", a.ID) - 2; n != 0 {
			t.Errorf("a refused command left %d rows", n)
		}
		if got, _ := db.AppealByRef(ctx, "c1", a.Ref); got.Assignee != w.Ref() {
			t.Errorf("a refused command changed the assignee to %q", got.Assignee)
		}

		// A retry of the stored command.
		retry := &models.Turn{CommunityID: "c1", OpenID: "o-w1", DedupeKey: "m:s1", Reply: "已派", At: at,
			Events: []*models.AppealEvent{{AppealID: a.ID, Actor: w.Ref(), Action: "note", At: at}}}
		if err := db.CommitTurn(ctx, retry); !errors.Is(err, models.ErrDuplicate) {
			t.Fatalf("a retry: %v, want ErrDuplicate", err)
		}
		if n := rows(&models.AppealEvent{}, "appeal_id = ?", a.ID); n != 2 {
			t.Errorf("a retry left %d events, want 2", n)
		}

		// A meeting answer, then one on a revision the meeting no longer has.
		m := &models.Meeting{CommunityID: "c1", Code: "YS201", Topic: "灯", Level: models.MeetingBuilding, StartsAt: at.Add(48 * time.Hour),
			Venue: "架空层", Status: models.MeetingInvited, Organiser: "admin"}
		if err := db.ApplyMeetingChange(ctx, &models.MeetingChange{Meeting: m,
			Invitees: []*models.MeetingInvitee{{Who: "o:o-res", OpenID: "o-res", Answer: models.AnswerPending, Source: models.SourceBuilding}}}); err != nil {
			t.Fatal(err)
		}
		ivs, err := db.MeetingInvitees(ctx, m.ID)
		if err != nil || len(ivs) != 1 {
			t.Fatalf("invitees %v, %v", ivs, err)
		}
		answer := func(key string, meeting *models.Meeting, ans models.Answer) error {
			iv := *ivs[0]
			iv.Answer, iv.AnsweredAt = ans, &at
			return db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o-res", DedupeKey: key, Reply: "好", At: at,
				Meetings: []*models.MeetingChange{{Meeting: meeting, AnswerOnly: true, Invitees: []*models.MeetingInvitee{&iv}}}})
		}
		if err := answer("m:r1", m, models.AnswerAccepted); err != nil {
			t.Fatalf("meeting answer: %v", err)
		}
		old := *m
		old.Revision = 9
		if err := answer("m:r2", &old, models.AnswerDeclined); !errors.Is(err, models.ErrStale) {
			t.Fatalf("an answer to an old revision: %v, want ErrStale", err)
		}
		if got, _ := db.MeetingInvitees(ctx, m.ID); got[0].Answer != models.AnswerAccepted || rows(&models.ProcessedMessage{}, "dedupe_key = ?", "m:r2") != 0 {
			t.Errorf("after a stale answer: %s", got[0].Answer)
		}

		// A me too: the conversation cleared at the version read, the follower
		// and its event written; then the same at a version that moved on.
		if err := db.CommitTurn(ctx, stepTurn("o-f", "m:f0", 0, at)); err != nil { // o-f's conversation at version 1
			t.Fatal(err)
		}
		metoo := func(key string, version int64) error {
			return db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o-f", DedupeKey: key, Reply: "已关注", At: at,
				ClearConversation: true, GuardConversation: true, ConversationVersion: version,
				NewFollowers: []*models.Follower{{AppealID: a.ID, OpenID: "o-f"}},
				Events:       []*models.AppealEvent{{AppealID: a.ID, Actor: "resident", Action: "follow", At: at}}})
		}
		if err := metoo("m:f1", 3); !errors.Is(err, models.ErrStale) {
			t.Fatalf("a me too on a moved conversation: %v, want ErrStale", err)
		}
		if n := rows(&models.Follower{}, "appeal_id = ?", a.ID); n != 0 {
			t.Errorf("a stale me too left %d followers", n)
		}
		if err := metoo("m:f2", 1); err != nil {
			t.Fatalf("me too: %v", err)
		}
		if n := rows(&models.Follower{}, "appeal_id = ?", a.ID) + rows(&models.Conversation{}, "open_id = ?", "o-f"); n != 1 {
			t.Errorf("after a me too: followers + conversations = %d, want the follower only", n)
		}

		// Submissions: the reference code is the day's next, the reply and
		// the push carry it, the events the appeal's id; two at once get two
		// codes.
		submit := func(key, openID string) *models.Turn {
			return &models.Turn{CommunityID: "c1", OpenID: openID, DedupeKey: key, At: at,
				Reply: "已提交，编号 " + models.RefPlaceholder(0),
				NewAppeals: []*models.NewAppeal{{Appeal: &models.Appeal{CommunityID: "c1", OpenID: openID, Kind: models.KindSmall,
					Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g1", Topic: "垃圾清运", Description: "楼下垃圾桶满了"},
					Events: []*models.AppealEvent{{Actor: "resident", Action: "submit", ToStatus: "submitted"}}}},
				Outbox: []*models.OutboxMessage{{CommunityID: "c1", OpenID: "o-w1", Type: models.PushProgress,
					Text: "新任务 " + models.RefPlaceholder(0), Key: "t:new:" + models.RefPlaceholder(0)}}}
		}
		s1 := submit("m:n1", "o-n1")
		if err := db.CommitTurn(ctx, s1); err != nil {
			t.Fatalf("submission: %v", err)
		}
		a1 := s1.NewAppeals[0].Appeal
		if a1.ID == 0 || a1.Ref != models.FormatRef(at.In(time.FixedZone("CST", 8*3600)), 2) {
			t.Fatalf("submission stored as id %d, ref %s; want the day's second code", a1.ID, a1.Ref)
		}
		if r, err := db.ProcessedReply(ctx, "c1", "m:n1"); err != nil || r != "已提交，编号 "+a1.Ref {
			t.Errorf("stored reply %q, %v", r, err)
		}
		if n := rows(&models.AppealEvent{}, "appeal_id = ?", a1.ID) + rows(&models.OutboxMessage{}, "idem_key = ? AND text = ?", "t:new:"+a1.Ref, "新任务 "+a1.Ref); n != 2 {
			t.Errorf("the submission's event and push: %d rows, want 2", n)
		}
		if err := db.CommitTurn(ctx, submit("m:n1", "o-n1")); !errors.Is(err, models.ErrDuplicate) {
			t.Errorf("a retried submission: %v, want ErrDuplicate", err)
		}
		pair := []*models.Turn{submit("m:n2", "o-n2"), submit("m:n3", "o-n3")}
		errs := make(chan error, 2)
		for _, s := range pair {
			go func() { errs <- db.CommitTurn(ctx, s) }()
		}
		for range pair {
			if err := <-errs; err != nil {
				t.Fatalf("submissions at once: %v", err)
			}
		}
		if r1, r2 := pair[0].NewAppeals[0].Appeal.Ref, pair[1].NewAppeals[0].Appeal.Ref; r1 == r2 || r1 == a1.Ref || r2 == a1.Ref {
			t.Errorf("codes %s, %s after %s", r1, r2, a1.Ref)
		}
		if n := rows(&models.Appeal{}, "community_id = ?", "c1"); n != 4 {
			t.Errorf("%d appeals, want 4", n)
		}

		// On MySQL six turns went in batches, and the five refused or retried
		// went back to the transaction, which gave them their outcome.
		got, back := db.OneTripStats()
		if want := map[string][2]int64{store.MySQL: {6, 5}, store.SQLite: {0, 0}}[db.Driver()]; [2]int64{got - trips, back - fellBack} != want {
			t.Errorf("%s: %d turns committed in batches and %d fell back, want %v", db.Driver(), got-trips, back-fellBack, want)
		}
	})
}
