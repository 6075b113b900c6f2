package ops

import "github.com/gongzhi/gongzhi/models"

// PhraseFinder finds the phrases of a text that a community can teach the
// classifier (*triage.Classifier).
type PhraseFinder interface {
	Phrases(text string) []string
}

// correctionVotes is what a committee correction of an appeal's kind
// teaches: the appeal's phrases with the new kind (and its topic when the
// topic belongs to that kind). The chat's 改类, PATCH and the console all
// revise through PlanRevise, so they teach alike; nil when learning is off.
func (s *Appeals) correctionVotes(a *models.Appeal, kind models.Kind) []*models.LearningVote {
	if s.phrases == nil || a == nil || !kind.Valid() {
		return nil
	}
	topic := ""
	if s.catalog != nil {
		if it := s.catalog.Item(a.TopicID); it != nil && it.Kind == kind && !it.Fallback {
			topic = it.ID
		}
	}
	var out []*models.LearningVote
	for _, p := range s.phrases.Phrases(a.Description) {
		out = append(out, &models.LearningVote{CommunityID: a.CommunityID, Phrase: p, Voter: models.CommitteeVoter(),
			Committee: true, Kind: kind, TopicID: topic})
	}
	return out
}
