package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// stepTurn is a conversation step as the engine makes it: dedupe row,
// resident, guarded conversation.
func stepTurn(openID, key string, version int64, at time.Time) *models.Turn {
	return &models.Turn{CommunityID: "c1", OpenID: openID, DedupeKey: key, Reply: "回复" + key, At: at,
		Resident:          &models.Resident{Subscribed: true, LastMessageAt: &at},
		Conversation:      &models.Conversation{State: "describe", Data: `{"draft":{"text":"` + key + `"}}`, ExpiresAt: at.Add(30 * time.Minute)},
		GuardConversation: true, ConversationVersion: version}
}

// Turns committed at once from many goroutines (grouped into shared
// transactions) each get the outcome they would get alone: new senders are
// stored, a retry of a stored message is ErrDuplicate, two steps of one
// conversation from the same version commit once and the other is ErrStale,
// and a bad turn never takes its group's other turns down with it.
func TestConcurrentTurnsKeepTheirOwnOutcome(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "示例社区"}); err != nil {
			t.Fatal(err)
		}
		// Stored before: a message (retried below) and a conversation at version 1.
		if err := db.CommitTurn(ctx, stepTurn("oOld", "m:old", 0, at)); err != nil {
			t.Fatal(err)
		}

		const newcomers = 60
		var turns []*models.Turn
		for i := range newcomers {
			turns = append(turns, stepTurn(fmt.Sprintf("oNew%02d", i), fmt.Sprintf("m:%d", i), 0, at))
		}
		retry := stepTurn("oOld", "m:old", 1, at) // WeChat's retry of the stored message
		storm := []*models.Turn{                  // one new message delivered three times at once
			stepTurn("oStorm", "m:storm", 0, at), stepTurn("oStorm", "m:storm", 0, at), stepTurn("oStorm", "m:storm", 0, at)}
		raceA := stepTurn("oOld", "m:a", 1, at) // two messages of oOld computed on version 1
		raceB := stepTurn("oOld", "m:b", 1, at)
		turns = append(turns, retry, raceA, raceB)
		turns = append(turns, storm...)

		g0, n0, f0 := db.GroupStats()
		errs := make([]error, len(turns))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, tn := range turns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = db.CommitTurn(ctx, tn)
			}()
		}
		close(start)
		wg.Wait()

		// How the turns fell into groups depends on the scheduler (with one
		// CPU each turn may be a group of its own); groups of several are
		// made deterministically by TestGroupCommitsWholeOrNothing. What
		// holds always: the retry's and the storm's groups failed.
		g1, n1, f1 := db.GroupStats()
		groups, grouped, failed := g1-g0, n1-n0, f1-f0
		t.Logf("%d turns in %d groups, %d failed", grouped, groups, failed)
		if failed == 0 {
			t.Errorf("%d turns in %d groups, none failed: want the retry's group failed", grouped, groups)
		}
		for i := range newcomers {
			if errs[i] != nil {
				t.Errorf("newcomer %d: %v", i, errs[i])
			}
		}
		if !errors.Is(errs[newcomers], models.ErrDuplicate) {
			t.Errorf("retry of a stored message: %v, want ErrDuplicate", errs[newcomers])
		}
		a, b := errs[newcomers+1], errs[newcomers+2]
		if (a == nil) == (b == nil) || !(errors.Is(a, models.ErrStale) || errors.Is(b, models.ErrStale)) {
			t.Errorf("two steps from one version: %v and %v, want one nil and one ErrStale", a, b)
		}
		if ok, dup := commitOutcomes(t, errs[newcomers+3:]); ok != 1 || dup != 2 {
			t.Errorf("storm: %d committed, %d duplicates; want 1 and 2", ok, dup)
		}

		count := func(model any, where string, args ...any) int64 { return countRows(t, db, model, where, args...) }
		if n := count(&models.ProcessedMessage{}, "community_id = ?", "c1"); n != 1+newcomers+1+1 {
			t.Errorf("%d dedupe rows, want %d (old, newcomers, one of a/b, storm)", n, 1+newcomers+2)
		}
		if n := count(&models.Resident{}, "community_id = ?", "c1"); n != 1+newcomers+1 {
			t.Errorf("%d residents, want %d", n, 1+newcomers+1)
		}
		if n := count(&models.Conversation{}, "community_id = ? AND version = 1", "c1"); n != newcomers+1 {
			t.Errorf("%d conversations at version 1, want %d", n, newcomers+1)
		}
		// oOld's conversation moved on exactly once, to the winner's state.
		conv, err := db.Conversation(ctx, "c1", "oOld")
		if err != nil {
			t.Fatal(err)
		}
		winner := "m:a"
		if a != nil {
			winner = "m:b"
		}
		if conv.Version != 2 || conv.Data != `{"draft":{"text":"`+winner+`"}}` {
			t.Errorf("oOld's conversation = v%d %s, want v2 from %s", conv.Version, conv.Data, winner)
		}
		// Each stored reply is the one of the turn that committed.
		if r, err := db.ProcessedReply(ctx, "c1", "m:7"); err != nil || r != "回复m:7" {
			t.Errorf("reply of m:7 = %q, %v", r, err)
		}
	})
}

// countRows counts model's rows matching where.
func countRows(t *testing.T, db *store.DB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Model(model).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A group either commits whole or writes nothing: a stale conversation or a
// duplicate message in it rolls back the other turns' rows too (they are
// then committed one by one by CommitTurn), and the next group commits on
// the same pool. On MySQL the group goes in one round trip (batch_mysql.go);
// on SQLite through gorm's transaction: the same outcomes on both.
func TestGroupCommitsWholeOrNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "示例社区"}); err != nil {
			t.Fatal(err)
		}
		if err := db.CommitTurn(ctx, stepTurn("oA", "m:a0", 0, at)); err != nil { // oA's conversation at version 1
			t.Fatal(err)
		}
		rows := func(model any, where string, args ...any) int64 { return countRows(t, db, model, where, args...) }
		written := func(openID, key string) [3]int64 {
			return [3]int64{rows(&models.ProcessedMessage{}, "community_id = ? AND dedupe_key = ?", "c1", key),
				rows(&models.Resident{}, "community_id = ? AND open_id = ?", "c1", openID),
				rows(&models.Conversation{}, "community_id = ? AND open_id = ?", "c1", openID)}
		}
		trips := store.OneTripGroups(db)

		// oA's step computed on version 3, which never was: stale.
		if err := store.CommitGroupForTest(db, stepTurn("oNew", "m:n1", 0, at), stepTurn("oA", "m:a1", 3, at)); err == nil {
			t.Fatal("a group with a stale conversation committed")
		}
		if w := written("oNew", "m:n1"); w != [3]int64{} {
			t.Errorf("stale group: the newcomer's dedupe row, resident, conversation = %v, want none", w)
		}
		if c, err := db.Conversation(ctx, "c1", "oA"); err != nil || c.Version != 1 {
			t.Errorf("stale group: oA's conversation %+v, %v; want version 1 untouched", c, err)
		}

		// The same two turns, oA's on the version it has: both commit, the
		// text as written (quotes, a backslash, a line break, an emoji, and
		// SQL that would chain a statement if it were not escaped).
		newcomer := stepTurn("oNew", "m:n1", 0, at)
		newcomer.Reply = "已收到 it's \\ \"引号\" 😀\n第二行'); DROP TABLE residents; -- \\'; DELETE FROM processed_messages; #"
		if err := store.CommitGroupForTest(db, newcomer, stepTurn("oA", "m:a1", 1, at)); err != nil {
			t.Fatalf("group: %v", err)
		}
		if r, err := db.ProcessedReply(ctx, "c1", "m:n1"); err != nil || r != newcomer.Reply {
			t.Errorf("stored reply %q, %v; want %q", r, err, newcomer.Reply)
		}
		if w := written("oNew", "m:n1"); w != [3]int64{1, 1, 1} {
			t.Errorf("group: the newcomer's rows = %v, want one each", w)
		}
		if c, err := db.Conversation(ctx, "c1", "oA"); err != nil || c.Version != 2 || c.Data != `{"draft":{"text":"m:a1"}}` {
			t.Errorf("group: oA's conversation %+v, %v; want version 2 from m:a1", c, err)
		}

		// A message already stored (m:n1 again, a retry) takes its group down.
		if err := store.CommitGroupForTest(db, stepTurn("oB", "m:b", 0, at), stepTurn("oC", "m:n1", 0, at)); err == nil {
			t.Fatal("a group with a stored message committed")
		}
		if w := written("oB", "m:b"); w != [3]int64{} {
			t.Errorf("duplicate group: oB's rows = %v, want none", w)
		}

		// A clear of oA's conversation at the version it has, beside a newcomer.
		clear := stepTurn("oA", "m:a2", 2, at)
		clear.Conversation, clear.ClearConversation = nil, true
		if err := store.CommitGroupForTest(db, stepTurn("oB", "m:b", 0, at), clear); err != nil {
			t.Fatalf("group with a clear: %v", err)
		}
		if w := written("oB", "m:b"); w != [3]int64{1, 1, 1} {
			t.Errorf("group with a clear: oB's rows = %v", w)
		}
		if n := rows(&models.Conversation{}, "community_id = ? AND open_id = ?", "c1", "oA"); n != 0 {
			t.Errorf("oA's conversation not cleared")
		}

		// First messages only (nothing to check): on MySQL the COMMIT rides in
		// the same trip; then a group after it on the same pool.
		if err := store.CommitGroupForTest(db, stepTurn("oD", "m:d", 0, at), stepTurn("oE", "m:e", 0, at)); err != nil {
			t.Fatalf("first messages: %v", err)
		}
		if err := store.CommitGroupForTest(db, stepTurn("oF", "m:f", 0, at)); err != nil {
			t.Fatalf("the group after: %v", err)
		}
		for _, who := range [][2]string{{"oD", "m:d"}, {"oE", "m:e"}, {"oF", "m:f"}} {
			if w := written(who[0], who[1]); w != [3]int64{1, 1, 1} {
				t.Errorf("%s's rows = %v, want one each", who[0], w)
			}
		}

		got := store.OneTripGroups(db) - trips
		if want := map[string]int64{store.MySQL: 4, store.SQLite: 0}[db.Driver()]; got != want {
			t.Errorf("%s: %d groups committed in one round trip, want %d", db.Driver(), got, want)
		}
	})
}
