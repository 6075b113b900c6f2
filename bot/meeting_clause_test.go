package bot

import "testing"

// TestClauseAnswer: an invitation's answer in clauses of their own, with
// particles (来不了哦, 那天要上班 来不了哦, 要得，我来; found by a first user);
// a yes with other words in it is no answer.
func TestClauseAnswer(t *testing.T) {
	for text, want := range map[string]struct{ accept, ok bool }{
		"来不了哦":         {false, true},
		"那天要上班 来不了哦":   {false, true},
		"要得，我来":        {true, true},
		"好的，我会来的":      {true, true},
		"好的，楼道灯还是不亮":   {true, false},
		"参加社区活动的场地太小了": {true, false},
		"":             {true, false},
	} {
		accept, ok := clauseAnswer(text)
		if ok != want.ok || (ok && accept != want.accept) {
			t.Errorf("clauseAnswer(%q) = %v, %v; want %v, %v", text, accept, ok, want.accept, want.ok)
		}
	}
}
