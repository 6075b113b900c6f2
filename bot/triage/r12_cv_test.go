package triage

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Round 12: the long-text veto toward major. On long texts (letters) the
// regression leans major (most of its long training texts are letters to a
// city government); the veto then turns the catalog's small or private
// decisions into "small or major?" questions. vetoMajorRule keeps such a
// decision unless the regression gives major at least toMajor; every other
// veto is the shipped one.
type vetoMajorRule struct {
	long    longRules
	toMajor float64 // 0: the shipped rule
}

func (r vetoMajorRule) outcome(x oofText) (int, []int) {
	k, ch := r.long.outcome(x)
	if r.toMajor > 0 && x.runes >= r.long.runes && x.choices == nil && ch != nil &&
		x.kind != 2 && ch[1] == 2 && x.lr[2] < r.toMajor {
		return x.kind, nil
	}
	return k, ch
}

var cvToMajor = []float64{0, 0.65, 0.75, 0.85, 0.9, 0.95, 2}

// goalGap is how far figures are from the goals, both weighed alike: the
// shortfall of right among decided under 97 % plus the excess of asked over
// 12 % (round 12).
func goalGap(f figures) float64 {
	return max(0, 0.97-f.amongDecided()) + max(0, f.askedShare()-0.12)
}

// leastGap returns, of n variants, the one with the smallest goal gap on
// its letter figures among those whose chat figures lose nothing against
// variant 0 (no more wrong decisions, no more questions); ties go to the
// earlier variant. figs(i) are variant i's letter and chat figures. The
// threshold, weight and variant choices of rounds 12, 13 and 16–20 share it.
func leastGap(n int, figs func(i int) (letters, chat figures)) int {
	l0, c0 := figs(0)
	best, bestGap := 0, goalGap(l0)
	for i := 1; i < n; i++ {
		l, c := figs(i)
		if c.decided-c.rightDecided > c0.decided-c0.rightDecided || c.asked > c0.asked {
			continue
		}
		if g := goalGap(l); g < bestGap-1e-9 {
			best, bestGap = i, g
		}
	}
	return best
}

// chooseToMajor picks the toMajor threshold with the smallest goal gap on the
// letter folds of ts, the chat folds losing nothing (no more wrong decisions
// and no more questions than under the shipped rule, cvToMajor[0] = 0); ties
// go to the shipped rule, then to the lower threshold (leastGap).
func chooseToMajor(ts []oofText, long longRules) float64 {
	letters, chat := splitFolds(ts, "")
	return cvToMajor[leastGap(len(cvToMajor), func(i int) (figures, figures) {
		r := vetoMajorRule{long, cvToMajor[i]}
		return tallyBy(letters, r.outcome), tallyBy(chat, r.outcome)
	})]
}

// TestVetoMajorCV: out of fold (the model trained without the fold), the
// shipped long-text veto against vetoes toward major only when the regression
// gives major at least a threshold, per fold and per group of folds, and the
// threshold chosen without the fold (nested). TRIAGE_R12=1; about 30 s.
func TestVetoMajorCV(t *testing.T) {
	if os.Getenv("TRIAGE_R12") == "" {
		t.Skip("set TRIAGE_R12=1")
	}
	ts, folds := oofTexts(t)
	shipped := longRules{longTextRunes, modelVetoLeadLong, modelVetoLong, modelSettleLong}
	row := func(b *strings.Builder, name, state string, f figures) {
		fmt.Fprintf(b, "| %s | %d | %s | %.1f%% (%d/%d) | %.1f%% (%d) | %.1f%% |\n", name, f.n, state,
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
	}
	var b strings.Builder
	// The vetoes toward major on long texts, by the regression's major
	// probability: how many caught a wrong decision and how many lost a
	// right one.
	b.WriteString("\nLong-text vetoes of a small or private decision toward major, out of fold:\n\n| P(major) | letter folds: wrong caught / right lost | mixed letters (5–11) | chat folds |\n|---|---|---|---|\n")
	bands := []float64{0.55, 0.65, 0.75, 0.85, 0.9, 0.95, 1.01}
	for i := 0; i+1 < len(bands); i++ {
		var cnt [3][2]int
		for _, x := range ts {
			k, ch := shipped.outcome(x)
			_ = k
			if x.runes < shipped.runes || x.choices != nil || ch == nil || x.kind == 2 || ch[1] != 2 || x.lr[2] < bands[i] || x.lr[2] >= bands[i+1] {
				continue
			}
			g := 2
			if isLetterFold(x.fold) {
				g = 0
				if isMixedLetters(x.fold) {
					cnt[1][b2i(x.kind == x.truth)]++
				}
			}
			cnt[g][b2i(x.kind == x.truth)]++
		}
		fmt.Fprintf(&b, "| %g–%g | %d / %d | %d / %d | %d / %d |\n", bands[i], bands[i+1], cnt[0][0], cnt[0][1], cnt[1][0], cnt[1][1], cnt[2][0], cnt[2][1])
	}
	b.WriteString("\n| left-out set | n | rule | among decided | asked | informative |\n|---|---|---|---|---|---|\n")
	nested := map[string]float64{}
	for _, fold := range folds {
		var out []oofText
		for _, x := range ts {
			if x.fold != fold {
				out = append(out, x)
			}
		}
		nested[fold] = chooseToMajor(out, shipped)
	}
	groups := eachFold(folds, []foldGroup{
		{"**letter folds**", isLetterFold}, {"**mixed letter folds (5–11)**", isMixedLetters},
		{"**chat folds**", func(f string) bool { return !isLetterFold(f) }},
	})
	for _, g := range groups {
		var in []oofText
		for _, x := range ts {
			if g.keep(x.fold) {
				in = append(in, x)
			}
		}
		for _, v := range cvToMajor {
			state := "shipped (round 11)"
			if v == 2 {
				state = "no veto toward major"
			} else if v > 0 {
				state = fmt.Sprintf("toward major at P ≥ %g", v)
			}
			row(&b, g.name, state, tallyBy(in, vetoMajorRule{shipped, v}.outcome))
		}
		var picks []string
		f := tallyBy(in, func(x oofText) (int, []int) { return vetoMajorRule{shipped, nested[x.fold]}.outcome(x) })
		for _, fold := range folds {
			if g.keep(fold) {
				picks = append(picks, fmt.Sprint(nested[fold]))
			}
		}
		if len(picks) > 3 {
			picks = append(picks[:3], "…")
		}
		row(&b, g.name, "nested ("+strings.Join(picks, ", ")+")", f)
	}
	t.Log(b.String())
}

// isMixedLetters: the letter folds with small and private letters (rounds
// 5–11), not the odd letters and the round-4 letters (almost all major).
func isMixedLetters(f string) bool {
	return isLetterFold(f) && strings.HasPrefix(f, "spent") && f != "spent letters"
}

// foldGroup is a row of a per-fold CV table: the folds it pools.
type foldGroup struct {
	name string
	keep func(string) bool
}

// eachFold is groups followed by one group per fold.
func eachFold(folds []string, groups []foldGroup) []foldGroup {
	for _, f := range folds {
		groups = append(groups, foldGroup{f, func(g string) bool { return g == f }})
	}
	return groups
}
