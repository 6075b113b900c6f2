package models

import (
	"sort"
	"time"
)

// MinResidentVoters is how many distinct residents must agree before a
// phrase of their community teaches the classifier a kind: one resident
// alone cannot teach.
const MinResidentVoters = 2

// MaxPhraseRunes bounds a learned phrase: a local word or short expression,
// never a sentence.
const MaxPhraseRunes = 16

// LearningVote is one person's word for a phrase of their community: a
// resident who answered the kind question for an appeal containing it, or a
// committee member (or the admin console) who corrected the appeal's kind.
// A voter has one vote per phrase; a later vote replaces the earlier one.
type LearningVote struct {
	ID          uint64    `gorm:"primaryKey"`
	CommunityID string    `gorm:"size:64;not null;uniqueIndex:ux_learning_vote,priority:1"`
	Phrase      string    `gorm:"size:64;not null;uniqueIndex:ux_learning_vote,priority:2"`
	Voter       string    `gorm:"size:80;not null;uniqueIndex:ux_learning_vote,priority:3"` // resident openid, or "committee:<who>"
	Committee   bool      `gorm:"not null"`
	Kind        Kind      `gorm:"size:16;not null"`
	TopicID     string    `gorm:"size:64"`
	CreatedAt   time.Time `gorm:"not null"`
}

// TableName keeps the table name stable whatever gorm's naming.
func (LearningVote) TableName() string { return "learning_votes" }

// CommitteeVoter is the voter name of a correction by the committee or the
// console, so that all corrections of a phrase count as one voice: the
// latest correction wins.
func CommitteeVoter() string { return "committee" }

// LearnedWord is what a community has taught about one phrase: its kind,
// the topic if one was given, and where the knowledge came from.
type LearnedWord struct {
	Phrase    string    `json:"phrase"`
	Kind      Kind      `json:"kind"`
	TopicID   string    `json:"topic_id,omitempty"`
	Committee bool      `json:"committee"` // taught by a committee correction
	Voters    int       `json:"voters"`    // residents who agreed (0 for a correction)
	Since     time.Time `json:"since"`     // when the last vote that taught it came in
}

// Learned derives a community's knowledge from its votes: a committee
// correction teaches at once and outweighs residents; otherwise a kind is
// learned when at least MinResidentVoters distinct residents gave it and no
// other kind got as many. Phrases are listed in order.
func Learned(votes []LearningVote) []LearnedWord {
	type tally struct {
		committee *LearningVote
		byKind    map[Kind][]LearningVote
	}
	by := map[string]*tally{}
	for i := range votes {
		v := votes[i]
		if !v.Kind.Valid() || v.Phrase == "" {
			continue
		}
		t := by[v.Phrase]
		if t == nil {
			t = &tally{byKind: map[Kind][]LearningVote{}}
			by[v.Phrase] = t
		}
		if v.Committee {
			if t.committee == nil || v.CreatedAt.After(t.committee.CreatedAt) {
				t.committee = &v
			}
			continue
		}
		t.byKind[v.Kind] = append(t.byKind[v.Kind], v)
	}
	var out []LearnedWord
	for phrase, t := range by {
		if c := t.committee; c != nil {
			out = append(out, LearnedWord{Phrase: phrase, Kind: c.Kind, TopicID: c.TopicID, Committee: true, Since: c.CreatedAt})
			continue
		}
		var best Kind
		bestN, tie := 0, false
		for _, k := range Kinds {
			n := len(t.byKind[k])
			switch {
			case n > bestN:
				best, bestN, tie = k, n, false
			case n == bestN && n > 0:
				tie = true
			}
		}
		if tie || bestN < MinResidentVoters {
			continue
		}
		w := LearnedWord{Phrase: phrase, Kind: best, Voters: bestN}
		// The topic most residents' appeals had, and the latest vote's time.
		topics := map[string]int{}
		for _, v := range t.byKind[best] {
			topics[v.TopicID]++
			if v.CreatedAt.After(w.Since) {
				w.Since = v.CreatedAt
			}
		}
		topN := 0
		for id, n := range topics {
			if id != "" && (n > topN || (n == topN && id < w.TopicID)) {
				w.TopicID, topN = id, n
			}
		}
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Phrase < out[j].Phrase })
	return out
}
