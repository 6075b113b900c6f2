package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gongzhi/gongzhi/models"
)

// insertLearningVotes stores votes in the caller's transaction; a voter's
// new vote on a phrase replaces their earlier one. Invalid votes are errors:
// nothing half-written.
func insertLearningVotes(tx *gorm.DB, votes []*models.LearningVote, at time.Time) error {
	for _, v := range votes {
		if v == nil {
			continue
		}
		phrase := strings.TrimSpace(v.Phrase)
		switch {
		case v.CommunityID == "" || v.Voter == "":
			return models.Errorf(models.EINVALID, "learning vote without a community or voter")
		case phrase == "" || utf8.RuneCountInString(phrase) > models.MaxPhraseRunes:
			return models.Errorf(models.EINVALID, "learning vote: phrase must have 1 to %d characters", models.MaxPhraseRunes)
		case !v.Kind.Valid():
			return models.Errorf(models.EINVALID, "learning vote: unknown kind %q", v.Kind)
		}
		row := models.LearningVote{CommunityID: v.CommunityID, Phrase: phrase, Voter: v.Voter, Committee: v.Committee,
			Kind: v.Kind, TopicID: v.TopicID, CreatedAt: at}
		if !v.CreatedAt.IsZero() {
			row.CreatedAt = v.CreatedAt.UTC().Truncate(time.Microsecond)
		}
		err := tx.Session(&gorm.Session{NewDB: true}).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "community_id"}, {Name: "phrase"}, {Name: "voter"}},
			DoUpdates: clause.AssignmentColumns([]string{"committee", "kind", "topic_id", "created_at"}),
		}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("record learning vote: %w", err)
		}
	}
	return nil
}

// AddLearningVotes stores votes in a transaction of their own.
func (db *DB) AddLearningVotes(ctx context.Context, votes []*models.LearningVote) error {
	at := db.now()
	defer db.learned.changed()
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return insertLearningVotes(tx, votes, at)
	})
}

// Learned returns what a community has taught the classifier (see
// models.Learned): every replica reads the same rows, so what one learns all
// know — at once on the replica that stored the votes, within LearnedTTL on
// the others. The words are read once per LearnedTTL per community and kept,
// not once per classified message.
func (db *DB) Learned(ctx context.Context, communityID string) ([]models.LearnedWord, error) {
	return db.learned.get(ctx, communityID, db.Now(), db.readLearned)
}

func (db *DB) readLearned(ctx context.Context, communityID string) ([]models.LearnedWord, error) {
	var votes []models.LearningVote
	if err := db.gorm.WithContext(ctx).Where("community_id = ?", communityID).Find(&votes).Error; err != nil {
		return nil, fmt.Errorf("learned words: %w", err)
	}
	return models.Learned(votes), nil
}

// LearnedTTL is how long another replica's votes may go unseen by this one.
const LearnedTTL = 2 * time.Second

// learnedCache keeps each community's learned words for LearnedTTL. A write
// of votes on this replica bumps gen after it committed: a read begun before
// that stores its words under the old gen, which no longer counts.
type learnedCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]learnedEntry
}

type learnedEntry struct {
	words []models.LearnedWord
	gen   uint64
	at    time.Time
}

// get returns community's words as read at most LearnedTTL before now (the
// store's clock), else reads them.
func (c *learnedCache) get(ctx context.Context, community string, now time.Time,
	read func(context.Context, string) ([]models.LearnedWord, error)) ([]models.LearnedWord, error) {
	c.mu.Lock()
	gen := c.gen
	e, ok := c.entries[community]
	c.mu.Unlock()
	if ok && e.gen == gen && now.Sub(e.at) < LearnedTTL && now.Sub(e.at) >= 0 {
		return slices.Clone(e.words), nil
	}
	words, err := read(ctx, community)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.entries == nil {
			c.entries = map[string]learnedEntry{}
		}
		c.entries[community] = learnedEntry{words: slices.Clone(words), gen: gen, at: now}
	}
	c.mu.Unlock()
	return words, nil
}

// changed is called after votes were written or removed on this replica.
func (c *learnedCache) changed() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

// teaches reports whether committing t writes learning votes.
func teaches(t *models.Turn) bool {
	if len(t.LearningVotes) > 0 || updatesTeach(t.AppealUpdates) {
		return true
	}
	for _, m := range t.Meetings {
		if m != nil && updatesTeach(m.AppealUpdates) {
			return true
		}
	}
	return false
}

func updatesTeach(ups []*models.AppealUpdate) bool {
	for _, u := range ups {
		if u != nil && len(u.LearningVotes) > 0 {
			return true
		}
	}
	return false
}

// ForgetLearned removes everything a community taught about a phrase (the
// committee's removal): all votes on it, so it is learned again only from
// new votes. ENOTFOUND when there were none.
func (db *DB) ForgetLearned(ctx context.Context, communityID, phrase string) error {
	defer db.learned.changed()
	res := db.gorm.WithContext(ctx).Where("community_id = ? AND phrase = ?", communityID, phrase).Delete(&models.LearningVote{})
	if res.Error != nil {
		return fmt.Errorf("forget learned phrase: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ENOTFOUND, "nothing learned about %q", phrase)
	}
	return nil
}
