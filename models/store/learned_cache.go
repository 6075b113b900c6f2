package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// The classifier reads a community's learned words on every message it
// classifies, so DB.Learned keeps them in memory per community:
//
//   - for learnedTTL a snapshot is served without asking the database;
//   - after that one small query (the community's number of votes and the
//     latest vote's time, over the community_id index) says whether anything
//     changed; unchanged, the snapshot is served again for learnedTTL;
//   - a snapshot older than learnedMaxAge is read afresh whatever the stamp
//     says (a change the stamp cannot see: one vote replaced by another with
//     an older time while another was removed);
//   - a vote written or removed by this process drops the community's
//     snapshot at once and keeps its reads on the database for
//     learnedSettle, long enough for the writing transaction to commit
//     (the drop happens inside it, before the commit).
//
// So this replica sees its own writes at once and another replica's within
// learnedTTL; a message classified meanwhile is asked as before.
const (
	learnedTTL    = 5 * time.Second
	learnedMaxAge = time.Minute
	learnedSettle = 5 * time.Second
)

// learnedStamp is what the cheap query reads: enough to see an added,
// removed or replaced vote.
type learnedStamp struct {
	votes  int64
	latest string // the latest created_at as the driver gives it: only compared
}

type learnedEntry struct {
	words   []models.LearnedWord
	stamp   learnedStamp
	loaded  time.Time // when words were read
	checked time.Time // when the stamp was last found unchanged
}

// learnedCache holds the snapshots of one DB handle (one replica).
type learnedCache struct {
	mu      sync.Mutex
	entries map[string]*learnedEntry
	settle  map[string]time.Time // community → read from the database until then
	gen     map[string]uint64    // community → local writes so far
}

func newLearnedCache() *learnedCache {
	return &learnedCache{entries: map[string]*learnedEntry{}, settle: map[string]time.Time{}, gen: map[string]uint64{}}
}

// wrote drops a community's snapshot after a local write.
func (c *learnedCache) wrote(community string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, community)
	c.settle[community] = now.Add(learnedSettle)
	c.gen[community]++
}

// learned returns a community's learned words, from memory when it may.
func (db *DB) learned(ctx context.Context, community string) ([]models.LearnedWord, error) {
	c, now := db.learnedMem, db.Now()
	c.mu.Lock()
	e, gen := c.entries[community], c.gen[community]
	settling := now.Before(c.settle[community])
	if !settling {
		delete(c.settle, community)
	}
	if e != nil && !settling && now.Sub(e.checked) < learnedTTL && now.Sub(e.loaded) < learnedMaxAge {
		words := slices.Clone(e.words)
		c.mu.Unlock()
		return words, nil
	}
	c.mu.Unlock()

	stamp, err := db.learnedStamp(ctx, community)
	if err != nil {
		return nil, err
	}
	if e != nil && !settling && stamp == e.stamp && now.Sub(e.loaded) < learnedMaxAge {
		c.mu.Lock()
		if c.entries[community] == e {
			e.checked = now
		}
		c.mu.Unlock()
		return slices.Clone(e.words), nil
	}
	var votes []models.LearningVote
	if err := db.gorm.WithContext(ctx).Where("community_id = ?", community).Find(&votes).Error; err != nil {
		return nil, fmt.Errorf("learned words: %w", err)
	}
	words := models.Learned(votes)
	if settling {
		return words, nil // a local write may not be committed yet
	}
	c.mu.Lock()
	// Keep it unless this process wrote meanwhile (the snapshot may predate
	// that write). The stamp was read before the votes: if another replica
	// wrote in between, the next check after learnedTTL sees a new stamp
	// and reads again.
	if c.gen[community] == gen {
		c.entries[community] = &learnedEntry{words: slices.Clone(words), stamp: stamp, loaded: now, checked: now}
	}
	c.mu.Unlock()
	return words, nil
}

// learnedStamp reads the number of a community's votes and the latest one's time.
func (db *DB) learnedStamp(ctx context.Context, community string) (learnedStamp, error) {
	var row struct {
		N      int64
		Latest sql.NullString
	}
	err := db.gorm.WithContext(ctx).Model(&models.LearningVote{}).Select("COUNT(*) AS n, MAX(created_at) AS latest").
		Where("community_id = ?", community).Scan(&row).Error
	if err != nil {
		return learnedStamp{}, fmt.Errorf("learned words: %w", err)
	}
	return learnedStamp{votes: row.N, latest: row.Latest.String}, nil
}

// watchLearningVotes drops a community's snapshot whenever this handle
// creates or deletes its votes, on every path that writes them (a turn, an
// appeal update, a meeting or project change, the committee's removal).
func (db *DB) watchLearningVotes(g *gorm.DB) error {
	drop := func(tx *gorm.DB) {
		if tx.Error != nil || tx.Statement == nil || tx.Statement.Table != (models.LearningVote{}).TableName() {
			return
		}
		now := db.Now()
		switch v := tx.Statement.Dest.(type) {
		case *models.LearningVote:
			if v.CommunityID != "" {
				db.learnedMem.wrote(v.CommunityID, now)
				return
			}
		case []*models.LearningVote:
			for _, x := range v {
				db.learnedMem.wrote(x.CommunityID, now)
			}
			return
		}
		// A write that names no community: every snapshot goes.
		db.learnedMem.mu.Lock()
		communities := make([]string, 0, len(db.learnedMem.entries))
		for k := range db.learnedMem.entries {
			communities = append(communities, k)
		}
		db.learnedMem.mu.Unlock()
		for _, k := range communities {
			db.learnedMem.wrote(k, now)
		}
	}
	if err := g.Callback().Create().After("gorm:create").Register("gongzhi:learned_create", drop); err != nil {
		return err
	}
	return g.Callback().Delete().After("gorm:delete").Register("gongzhi:learned_delete", drop)
}
