package triage

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestSpent28AsScored (TRIAGE_R29=spend): the round-28 set scored by the
// model trained without either of its halves, the model the lead scored it
// with at d172a19 (chat 133/137, 13 asked; letters 18/19, 3 asked). The
// "spent28 chat" and "spent28 letters" folds of TestChatStudyCV each train on
// the other half, so each differs from the lead's score by a line (round 29).
func TestSpent28AsScored(t *testing.T) {
	if os.Getenv("TRIAGE_R29") != "spend" {
		t.Skip("set TRIAGE_R29=spend")
	}
	base := testClassifier(t)
	sets := modelSets(t)
	var keep, held []modelSet
	for _, s := range sets {
		if s.name == "spent28 chat" || s.name == "spent28 letters" {
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
