package bot

import (
	"context"
	"fmt"

	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// KnowledgeSource reads what a community has taught the classifier (the
// store: every replica reads the same rows).
type KnowledgeSource interface {
	Learned(ctx context.Context, communityID string) ([]models.LearnedWord, error)
}

// Learner is a classifier that can use and gather a community's knowledge
// (*triage.Classifier).
type Learner interface {
	ClassifyKnowing(text string, k *triage.Knowledge) triage.Decision
	Phrases(text string) []string
}

// learner returns the classifier as a Learner when learning is on: the
// engine has a knowledge source and the classifier can learn.
func (e *Engine) learner() Learner {
	if e.Knowledge == nil {
		return nil
	}
	l, _ := e.Classifier.(Learner)
	return l
}

// classify sorts a text with the community's knowledge when learning is on;
// the community's words are read once per step.
func (s *step) classify(text string) (triage.Decision, error) {
	l := s.e.learner()
	if l == nil {
		return s.e.Classifier.Classify(text), nil
	}
	if s.knowledge == nil {
		words, err := s.e.Knowledge.Learned(s.ctx, s.in.Msg.CommunityID)
		if err != nil {
			return triage.Decision{}, fmt.Errorf("learned words: %w", err)
		}
		s.knowledge = triage.NewKnowledge(words)
	}
	return l.ClassifyKnowing(text, s.knowledge), nil
}

// votes turns a text's candidate phrases into one voter's votes.
func (e *Engine) votes(communityID, voter string, committee bool, text string, kind models.Kind, topicID string) []*models.LearningVote {
	l := e.learner()
	if l == nil || !kind.Valid() {
		return nil
	}
	var out []*models.LearningVote
	for _, p := range l.Phrases(text) {
		out = append(out, &models.LearningVote{CommunityID: communityID, Phrase: p, Voter: voter,
			Committee: committee, Kind: kind, TopicID: topicID})
	}
	return out
}
