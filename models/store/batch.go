package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// Group commit. Most messages are a step of a conversation: their turn
// writes the dedupe row, the resident and the conversation, nothing else.
// Such turns arriving together are committed by one goroutine in one
// transaction, with one multi-row INSERT per table: on SQLite this replaces
// a queue of writers waiting on the file lock, on MySQL it saves round trips
// and log flushes. Nothing about a turn's outcome changes: a group either
// commits whole, or rolls back whole and each of its turns is then committed
// on its own by CommitTurn (a retry's ErrDuplicate, a stale conversation's
// ErrStale are found there, turn by turn).

// maxGroup bounds the turns of one transaction.
const maxGroup = 64

// groupTimeout bounds one group's transaction.
const groupTimeout = 10 * time.Second

// errGroupFailed says the group rolled back: commit the turn alone.
var errGroupFailed = errors.New("group commit failed")

// groupable reports a turn that writes only its dedupe row, its resident
// and a guarded conversation.
func groupable(t *models.Turn) bool {
	return t.DedupeKey != "" && t.GuardConversation &&
		len(t.NewAppeals) == 0 && len(t.AppealUpdates) == 0 && len(t.Events) == 0 &&
		len(t.NewFollowers) == 0 && len(t.Outbox) == 0 && len(t.Meetings) == 0 && len(t.LearningVotes) == 0 &&
		len(t.CampaignAnswers) == 0 && len(t.Volunteers) == 0 && len(t.Asks) == 0
}

type groupedTurn struct {
	t    *models.Turn
	done chan error
}

// turnGroups queues groupable turns for the committing goroutine, which
// runs only while there is something to commit.
type turnGroups struct {
	db      *DB
	mu      sync.Mutex
	queue   []*groupedTurn
	running bool

	groups, turns, failed atomic.Int64 // GroupStats
	oneTrip               atomic.Int64 // groups committed in one round trip (MySQL)
}

// GroupStats counts the group commits so far: transactions, the turns they
// carried, and groups that rolled back (their turns then committed alone).
func (db *DB) GroupStats() (groups, turns, failed int64) {
	return db.batch.groups.Load(), db.batch.turns.Load(), db.batch.failed.Load()
}

// commit queues t and waits for its group: nil (committed) or
// errGroupFailed (nothing written).
func (g *turnGroups) commit(t *models.Turn) error {
	gt := &groupedTurn{t: t, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, gt)
	if !g.running {
		g.running = true
		go g.run()
	}
	g.mu.Unlock()
	return <-gt.done
}

func (g *turnGroups) run() {
	for {
		g.mu.Lock()
		group, rest := g.next()
		g.queue = rest
		if len(group) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		err := g.db.commitGroupSafely(group)
		g.groups.Add(1)
		g.turns.Add(int64(len(group)))
		if err != nil {
			g.failed.Add(1)
		}
		for _, gt := range group {
			gt.done <- err
		}
	}
}

// next takes up to maxGroup queued turns, one per sender and per dedupe
// key (two messages of one person in one INSERT would fail the group);
// the others wait for the next group.
func (g *turnGroups) next() (group, rest []*groupedTurn) {
	seen := map[string]bool{}
	for _, gt := range g.queue {
		who := gt.t.CommunityID + "\x00" + gt.t.OpenID
		key := gt.t.CommunityID + "\x00" + gt.t.DedupeKey
		if len(group) == maxGroup || seen[who] || seen[key] {
			rest = append(rest, gt)
			continue
		}
		seen[who], seen[key] = true, true
		group = append(group, gt)
	}
	return group, rest
}

// commitGroupSafely is commitGroup, with a panic turned into a failed group:
// this goroutine has no caller to recover it, and each turn will still be
// tried alone.
func (db *DB) commitGroupSafely(group []*groupedTurn) (err error) {
	defer func() {
		if v := recover(); v != nil {
			db.log.Error("group commit panicked; its turns are committed one by one", "panic", v, "turns", len(group))
			err = errGroupFailed
		}
	}()
	return db.commitGroup(group)
}

// groupWrites are a group's rows, by statement.
type groupWrites struct {
	processed []*models.ProcessedMessage
	residents []*models.Resident
	created   []*models.Conversation
	guarded   []*models.Turn // a conversation to update or delete
}

func (db *DB) groupWrites(group []*groupedTurn) *groupWrites {
	w := &groupWrites{}
	for _, gt := range group {
		t := gt.t
		at := db.turnTime(t)
		w.processed = append(w.processed, &models.ProcessedMessage{CommunityID: t.CommunityID, Key: t.DedupeKey, Reply: t.Reply, CreatedAt: at})
		if r := turnResident(t, at); r != nil {
			w.residents = append(w.residents, r)
		}
		switch {
		case createsConversation(t):
			w.created = append(w.created, stampConversation(t, at))
		case t.Conversation != nil || t.ClearConversation:
			w.guarded = append(w.guarded, t)
		}
	}
	return w
}

// commitGroup writes the group's turns in one transaction, or nothing: on
// MySQL in one round trip (batch_mysql.go), else through gorm.
func (db *DB) commitGroup(group []*groupedTurn) error {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	snaps := make([]turnSnapshot, len(group))
	for i, gt := range group {
		snaps[i] = snapshotTurn(gt.t)
	}
	w := db.groupWrites(group)
	err := errNotSent
	if db.groupPool != nil {
		err = db.commitGroupOneTrip(ctx, w)
		if err == nil {
			db.batch.oneTrip.Add(1)
		}
	}
	if errors.Is(err, errNotSent) {
		err = db.commitGroupTx(ctx, w)
	}
	if err != nil {
		for i, gt := range group {
			snaps[i].restore(gt.t)
		}
		// A retry or a stale conversation is expected (its turn alone gets
		// the outcome); anything else is worth a look.
		level := slog.LevelWarn
		if errors.Is(err, models.ErrDuplicate) || errors.Is(err, models.ErrStale) || errors.Is(err, gorm.ErrDuplicatedKey) {
			level = slog.LevelDebug
		}
		db.log.Log(ctx, level, "group commit rolled back; its turns are committed one by one", "turns", len(group), "err", err)
		return errGroupFailed
	}
	return nil
}

// commitGroupTx writes the group in a gorm transaction.
func (db *DB) commitGroupTx(ctx context.Context, w *groupWrites) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The dedupe rows first, as in a turn alone: a retry racing this
		// group waits on them and then fails.
		if err := tx.Session(&gorm.Session{NewDB: true}).Create(&w.processed).Error; err != nil {
			return fmt.Errorf("record messages: %w", err)
		}
		for _, t := range w.guarded { // each checks its version
			if err := saveGuardedConversation(tx, t, db.turnTime(t)); err != nil {
				return err
			}
		}
		if len(w.residents) > 0 {
			if err := upsertResidents(tx, w.residents); err != nil {
				return err
			}
		}
		if len(w.created) > 0 {
			if err := tx.Session(&gorm.Session{NewDB: true}).Create(&w.created).Error; err != nil {
				return fmt.Errorf("save conversations: %w", err)
			}
		}
		return nil
	})
}
