package store

import (
	"context"
	"fmt"
	"strings"
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
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return insertLearningVotes(tx, votes, at)
	})
}

// Learned returns what a community has taught the classifier (see
// models.Learned): every replica reads the same rows, so what one learns all
// know. It is read on every classified message, so it is cached per
// community (learned_cache.go): this replica sees its own writes at once and
// another replica's within a few seconds.
func (db *DB) Learned(ctx context.Context, communityID string) ([]models.LearnedWord, error) {
	return db.learned(ctx, communityID)
}

// ForgetLearned removes everything a community taught about a phrase (the
// committee's removal): all votes on it, so it is learned again only from
// new votes. ENOTFOUND when there were none.
func (db *DB) ForgetLearned(ctx context.Context, communityID, phrase string) error {
	res := db.gorm.WithContext(ctx).Where("community_id = ? AND phrase = ?", communityID, phrase).
		Delete(&models.LearningVote{CommunityID: communityID}) // the community tells the cache (learned_cache.go)
	if res.Error != nil {
		return fmt.Errorf("forget learned phrase: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ENOTFOUND, "nothing learned about %q", phrase)
	}
	return nil
}
