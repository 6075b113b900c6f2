package triage

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Round 14: chat. TestChatStudyCV trains the model without each set in turn
// and scores that set with the shipped classifier (every rule and threshold
// as shipped): the per-fold figures out of fold, and (TRIAGE_R14=show) the
// chat lines of rounds 9–29 decided wrong or asked all three kinds, with
// what the catalog alone made of them and what the regression said;
// TRIAGE_R14=letters lists the letters of rounds 9–29 decided wrong or asked
// (round 16); TRIAGE_R14=asked lists the chat lines of rounds 9–29 decided
// wrong or asked, two choices or three (round 27). TRIAGE_R14=1; about a
// minute.
func TestChatStudyCV(t *testing.T) {
	mode := os.Getenv("TRIAGE_R14")
	if mode == "" {
		t.Skip("set TRIAGE_R14=1 (or show)")
	}
	base := testClassifier(t)
	sets := modelSets(t)
	var b strings.Builder
	b.WriteString("\n| left-out set | n | among decided | asked | informative |\n|---|---|---|---|---|\n")
	var chat, letters, recent, recentLetters figures
	add := func(a *figures, f figures) { *a = addFigures(*a, f) }
	for _, s := range sets {
		cc := withModel(t, base, trainingDocs(t, sets, s.name), modelDecide)
		f := score(cc, s.lines, nil)
		fmt.Fprintf(&b, "| %s | %d | %.1f %% (%d/%d) | %.1f %% (%d) | %.1f %% |\n", s.name, f.n,
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
		if isLetterFold(s.name) {
			add(&letters, f)
		} else {
			add(&chat, f)
		}
		study := isRecentChat(s.name)
		if study {
			add(&recent, f)
		}
		if isRecentLetters(s.name) {
			add(&recentLetters, f)
		}
		// show: the recent chat folds' wrong and three-way lines; letters
		// (round 16): the recent letter folds' wrong and asked lines.
		letterShow := mode == "letters" && isRecentLetters(s.name)
		chatAsked := mode == "asked" && study
		if !(mode == "show" && study) && !letterShow && !chatAsked {
			continue
		}
		for _, l := range s.lines {
			d := cc.Classify(l.text)
			wrong := d.Question == "" && d.Kind != l.kind
			if !wrong && len(d.Choices) != 3 && !((letterShow || chatAsked) && d.Question != "") {
				continue
			}
			e := cc.evidence(l.text)
			d0 := cc.decide(e.score, e.bestItem, e.whoseSaid, e.anyCue)
			_, lr, known := cc.model.posterior(e.norm)
			t.Logf("%s %s %s/%s %q\n  → %s %s %v | catalog %s %v p%.1f s%.1f m%.1f | lr %.2f %.2f %.2f known %d\n  words %s",
				map[bool]string{true: "WRONG", false: "ASKED"}[wrong], l.id, l.kind, l.topic, l.text, d.Kind, d.Topic, d.Choices,
				d0.Kind, d0.Choices, e.score[0], e.score[1], e.score[2], lr[0], lr[1], lr[2], known, cc.matchedWords(e.norm))
		}
	}
	for _, g := range []struct {
		name string
		f    figures
	}{{"**chat folds**", chat}, {fmt.Sprintf("**chat 9–%d**", recentLast), recent}, {"**letter folds**", letters}, {fmt.Sprintf("**letters 9–%d**", recentLast), recentLetters}} {
		fmt.Fprintf(&b, "| %s | %d | %.1f %% (%d/%d) | %.1f %% (%d) | %.1f %% |\n", g.name, g.f.n,
			100*g.f.amongDecided(), g.f.rightDecided, g.f.decided, 100*g.f.askedShare(), g.f.asked, 100*g.f.informative())
	}
	t.Log(b.String())
}

// isRecentChat: the chat folds of rounds 9–29 (rounds 9–13 were the study
// set of round 14; since round 16 every round from 9 on).
func isRecentChat(f string) bool { return isRecentFold(f, "chat") }

// isRecentLetters: the letter folds of rounds 9–29 (9–15 were the study set
// of round 16; 9–16 round 17's; 9–17 round 18's; 9–18 round 19's; 9–19 round 20's; 9–20 round 21's; 9–21 round 22's; 9–22 round 23's; 9–23 round 24's; 9–24 round 25's; 9–25 round 26's; 9–26 round 27's; 9–27 round 28's; 9–28 round 29's; 9–29 round 30's).
func isRecentLetters(f string) bool { return isRecentFold(f, "letters") }

// recentLast is the last round of the recent folds (isRecentChat,
// isRecentLetters); each round that spends a set moves it on.
const recentLast = 30

func isRecentFold(f, part string) bool {
	for r := 9; r <= recentLast; r++ {
		if f == fmt.Sprintf("spent%d %s", r, part) {
			return true
		}
	}
	return false
}
