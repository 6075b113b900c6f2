package ops

import (
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/models"
)

// Learner is what a committee's change of kind needs of the classifier
// (*triage.Classifier): the phrases of a text a community can teach, and
// the matter of the new kind the text names.
type Learner interface {
	Phrases(text string) []string
	TopicFor(text string, kind models.Kind) *triage.Item
}

// correctionVotes is what a committee correction of an appeal's kind
// teaches: the appeal's phrases with the new kind (and its topic, chosen by
// retopic, when the topic is a named matter of that kind). The chat's 改类, PATCH and the console all
// revise through PlanRevise, so they teach alike; nil when learning is off.
func (s *Appeals) correctionVotes(a *models.Appeal, kind models.Kind) []*models.LearningVote {
	if s.learner == nil || a == nil || !kind.Valid() {
		return nil
	}
	topic := ""
	if s.catalog != nil {
		if it := s.catalog.Item(a.TopicID); it != nil && it.Kind == kind && !it.Fallback {
			topic = it.ID
		}
	}
	var out []*models.LearningVote
	for _, p := range s.learner.Phrases(a.Description) {
		out = append(out, &models.LearningVote{CommunityID: a.CommunityID, Phrase: p, Voter: models.CommitteeVoter(),
			Committee: true, Kind: kind, TopicID: topic})
	}
	return out
}
