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
	Topics(text string) []*triage.Item
	Classify(text string) triage.Decision
}

// SameMatter reports whether a resident's words may be about appeal a:
// they name no matter of the catalog, or a's. "电梯又关人了" after a 低保
// answer names the lift: a new appeal, not a rating of the answer (found by
// a second user); "修了个铲铲，今天早上又关了人" names none and may rate it.
func (s *Appeals) SameMatter(a *models.Appeal, text string) bool {
	if s.learner == nil {
		return true
	}
	named := s.learner.Topics(text)
	for _, it := range named {
		if it.ID == a.TopicID {
			return true
		}
	}
	return len(named) == 0
}

// clearlyAnother is the confidence from which a decided matter is clearly
// what a text is about (a new appeal is decided at 0.88 or more; a reason
// such as "今天晚上还是黑的", which names 黑的 of 公共交通, at 0.5).
const clearlyAnother = 0.75

// ClearlyAnother reports whether words a resident was asked for (the reason
// of a bare 不满意) are clearly an appeal about another matter: decided,
// without a question, confidently, on a named matter other than a's. Words
// that only mention one are taken as the answer they were asked for.
func (s *Appeals) ClearlyAnother(a *models.Appeal, text string) bool {
	if s.learner == nil {
		return false
	}
	d := s.learner.Classify(text)
	return d.Item != nil && !d.Item.Fallback && d.Item.ID != a.TopicID && d.Question == "" && d.Confidence >= clearlyAnother
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
