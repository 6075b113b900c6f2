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
// The set was scored with round 28's long-text veto settle (0.7), which
// round 29 reverted: it is set here as a number, and the figures with the
// shipped classifier follow.
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
	for _, v := range []struct {
		name       string
		vetoSettle float64
	}{{"as scored at d172a19 (veto settled 0.7)", 0.7}, {"shipped", modelVetoSettleLong}} {
		cc.modelVetoSettleLong = v.vetoSettle
		for _, s := range held {
			f := score(cc, s.lines, nil)
			fmt.Fprintf(&b, "\n%s without either half, %s: %.1f %% (%d/%d) among decided, %.1f %% (%d) asked, %.1f %% informative",
				s.name, v.name, 100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
		}
	}
	t.Log(b.String())
}

// Round 29: letters again. The family and the rule are fixed here (and in
// docs/classification.md, "Round 29") before any figure of a variant was
// seen.
//
// The study (TRIAGE_R14=letters, after the round-28 set was spent): of the
// 654 letters of rounds 9–28, out of fold, 571 are decided (517 right, 54
// wrong) and 83 asked. Of the 54 wrong, 39 are the catalog's own decision
// not vetoed, 6 a two-choice question settled by the model and 9 decided by
// round 28's veto settle (modelVetoSettleLong 0.7) — 8 of the 9 for major
// (6 small letters about the compound: its street lights, a shed, trees,
// greenery, the refuse station, a 5G mast on the roof; 2 private: a
// fridge, a hair salon's card), one for small (a square dance's noise,
// major). Round 28 measured its setting over letters 9–27 only; over every
// letter fold it lowered right among decided (962/1021 → 988/1058).
//
// The family: round 28's setting is itself a variant, judged against the
// classifier without it.
//
//   - off: the long-text veto always asks (round 28's setting reverted; the
//     reference);
//   - veto settled 0.7 (shipped since round 28);
//   - veto settled 0.8;
//   - veto settled 0.9;
//   - veto settled 0.7, agreed: only when the Naive Bayes' best kind is the
//     regression's kind Y too (modelVetoSettleAgree), as the model's own
//     three-way decision asks the two models to agree;
//   - veto settled 0.8, agreed.
//
// The rule (r29Choose): a variant is eligible when, against off, (a) the
// chat folds (every one) have no more lines decided wrong and no more asked
// and (b) right among decided over every letter fold (26 folds, 1,175
// letters pooled: the odd letters and rounds 4–28) is not lower. Among the eligible
// (off always is), ship the one with the least letter goal gap out of fold
// over the letters of rounds 9–28 pooled (r26Gap); ties go to the earlier
// variant, off first. Off chosen reverts round 28's setting; veto settled
// 0.7 chosen ships nothing; any other ships its threshold. The nested
// estimate is reported, not part of the rule.
//
// The rule picked off: every other variant lowers right among decided over
// every letter fold (off 979/1035; 0.7 1006/1077, 0.8 998/1059, 0.9
// 990/1048, 0.7 agreed 1003/1070, 0.8 agreed 997/1058), so round 28's
// setting was reverted (modelVetoSettleLong 0.7 → 0). The variants name the
// thresholds of the run as numbers, so that a rerun reproduces the table.
var r29Variants = []struct {
	name       string
	vetoSettle float64
	agree      bool
}{
	{"off (round 28 reverted)", 0, false},
	{"veto settled 0.7 (shipped)", 0.7, false},
	{"veto settled 0.8", 0.8, false},
	{"veto settled 0.9", 0.9, false},
	{"veto settled 0.7, agreed", 0.7, true},
	{"veto settled 0.8, agreed", 0.8, true},
}

// r29Choose is round 29's rule over the folds but skip ("" for none): the
// variant with the least letter goal gap over letters 9–28 among those that
// cost the chat folds nothing against variant 0 (off) and do not lower right
// among decided over every letter fold against it.
func r29Choose(per []foldFigures, skip string) int {
	recent := func(f string) bool { return f != skip && isRecentLetters(f) }
	letters := func(f string) bool { return f != skip && isLetterFold(f) }
	chat := func(f string) bool { return f != skip && !isLetterFold(f) }
	wrong := func(f figures) int { return f.decided - f.rightDecided }
	c0, l0 := per[0].sum(chat), per[0].sum(letters)
	best, bestGap := 0, r26Gap(per[0].sum(recent))
	for i := 1; i < len(per); i++ {
		c, l := per[i].sum(chat), per[i].sum(letters)
		if wrong(c) > wrong(c0) || c.asked > c0.asked {
			continue
		}
		if l.rightDecided*l0.decided < l0.rightDecided*l.decided {
			continue
		}
		if g := r26Gap(per[i].sum(recent)); g < bestGap-1e-9 {
			best, bestGap = i, g
		}
	}
	return best
}

// TestLetterVetoSettleAgainCV: out of fold, round 29's family
// (r29Variants), each group of folds per variant with the letter goal gap,
// the rule's choice and the nested estimate; TRIAGE_R29=show also lists the
// lines whose outcome differs from variant 0's. TRIAGE_R29=1; about a
// minute.
func TestLetterVetoSettleAgainCV(t *testing.T) {
	mode := os.Getenv("TRIAGE_R29")
	if mode != "1" && mode != "show" {
		t.Skip("set TRIAGE_R29=1")
	}
	sets := modelSets(t)
	per, moves, folds := runVariants(t, sets, len(r29Variants), func(i int, vc, cc *Classifier) {
		vc.model, vc.modelDecide = cc.model, modelDecide
		vc.modelVetoSettleLong, vc.modelVetoSettleAgree = r29Variants[i].vetoSettle, r29Variants[i].agree
	})
	names := make([]string, len(r29Variants))
	for i, v := range r29Variants {
		names[i] = v.name
	}
	var b strings.Builder
	chosen, picks := variantTable(&b, names, per, folds, r29Choose)
	fmt.Fprintf(&b, "\nThe rule (letters 9–%d; against off: chat folds no worse, right among decided over every letter fold no lower): %s\n", recentLast, r29Variants[chosen].name)
	variantTail(&b, names, per, folds, picks, moves, sets, mode == "show")
	t.Log(b.String())
}
