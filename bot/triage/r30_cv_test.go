package triage

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestSpent29AsScored (TRIAGE_R30=spend): the round-29 set scored by the
// model trained without either of its halves, the model the lead scored it
// with at 1106d07 (chat 137/138, 10 asked; letters 9/9, 1 asked). The
// "spent29 chat" and "spent29 letters" folds of TestChatStudyCV each train on
// the other half, so they need not reproduce the lead's score (round 30, as
// round 29's TestSpent28AsScored).
func TestSpent29AsScored(t *testing.T) {
	if os.Getenv("TRIAGE_R30") != "spend" {
		t.Skip("set TRIAGE_R30=spend")
	}
	base := testClassifier(t)
	var keep, held []modelSet
	for _, s := range modelSets(t) {
		if s.name == "spent29 chat" || s.name == "spent29 letters" {
			held = append(held, s)
		} else {
			keep = append(keep, s)
		}
	}
	cc := withModel(t, base, trainingDocs(t, keep, ""), modelDecide)
	var b strings.Builder
	for _, s := range held {
		f := score(cc, s.lines, nil)
		fmt.Fprintf(&b, "\n%s without either half: %.1f %% (%d/%d) among decided, %.1f %% (%d) asked, %.1f %% informative",
			s.name, 100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
	}
	t.Log(b.String())
}
