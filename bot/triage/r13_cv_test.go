package triage

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Round 13: the request rule. In a long text the request cue group a letter
// names most (the party it asks to act: the property company, a city
// department, a seller under contract) adds its weight × requestWeight to its
// kind. cvRequest are the weights compared out of fold; 0 is the rule off.
var cvRequest = []float64{0, 0.5, 1, 1.5, 2, 3, 4}

// chooseRequest picks, among the weights of cvRequest, the one with the
// smallest goal gap on the letter folds of the texts at each weight (ts[i]
// for cvRequest[i], every fold but the one left out), the chat folds losing
// nothing against the rule off (no more wrong decisions, no more questions);
// ties go to the lower weight (leastGap).
func chooseRequest(ts [][]oofText, long longRules, skip string) int {
	return leastGap(len(ts), func(i int) (figures, figures) {
		l, c := splitFolds(ts[i], skip)
		return tallyLong(l, long), tallyLong(c, long)
	})
}

// TestRequestCV: out of fold (the model trained without the fold), the
// request rule at each weight per fold and per group of folds, and the weight
// chosen without the fold (nested). TRIAGE_R13=1; about two minutes.
func TestRequestCV(t *testing.T) {
	if os.Getenv("TRIAGE_R13") == "" {
		t.Skip("set TRIAGE_R13=1")
	}
	shipped := longRules{longTextRunes, modelVetoLeadLong, modelVetoLong, modelSettleLong}
	ts := make([][]oofText, len(cvRequest))
	var folds []string
	for i, w := range cvRequest {
		ts[i], folds = oofTexts(t, func(c *Classifier) { c.requestWeight = w })
	}
	row := func(b *strings.Builder, name, state string, f figures) {
		fmt.Fprintf(b, "| %s | %d | %s | %.1f%% (%d/%d) | %.1f%% (%d) | %.1f%% |\n", name, f.n, state,
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
	}
	nested := map[string]int{}
	for _, fold := range folds {
		nested[fold] = chooseRequest(ts, shipped, fold)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nChosen on all folds: %g; shipped: %g\n", cvRequest[chooseRequest(ts, shipped, "")], requestWeight)
	b.WriteString("\nPer fold, right among decided / decided, asked, at each request weight:\n\n| left-out set |")
	for _, w := range cvRequest {
		fmt.Fprintf(&b, " %g |", w)
	}
	b.WriteString(" nested |\n|---|" + strings.Repeat("---|", len(cvRequest)+1) + "\n")
	for _, fold := range folds {
		fmt.Fprintf(&b, "| %s |", fold)
		for i := range cvRequest {
			f := tallyLong(keepFolds(ts[i], func(g string) bool { return g == fold }), shipped)
			fmt.Fprintf(&b, " %d/%d, %d |", f.rightDecided, f.decided, f.asked)
		}
		fmt.Fprintf(&b, " %g |\n", cvRequest[nested[fold]])
	}
	groups := eachFold(folds, []foldGroup{
		{"**letter folds**", isLetterFold}, {"**mixed letter folds (5–12)**", isMixedLetters},
		{"**letters 9–12**", func(f string) bool {
			return f == "spent9 letters" || f == "spent10 letters" || f == "spent11 letters" || f == "spent12 letters"
		}},
		{"**chat folds**", func(f string) bool { return !isLetterFold(f) }},
	})
	b.WriteString("\n| folds | n | weight | among decided | asked | informative |\n|---|---|---|---|---|---|\n")
	for _, g := range groups {
		for i, w := range cvRequest {
			row(&b, g.name, fmt.Sprint(w), tallyLong(keepFolds(ts[i], g.keep), shipped))
		}
		var in []oofText
		for i := range ts[0] {
			if x := ts[0][i]; g.keep(x.fold) {
				in = append(in, ts[nested[x.fold]][i])
			}
		}
		row(&b, g.name, "nested", tallyLong(in, shipped))
	}
	t.Log(b.String())
}

// keepFolds are the texts of the folds keep accepts.
func keepFolds(ts []oofText, keep func(string) bool) []oofText {
	var out []oofText
	for _, x := range ts {
		if keep(x.fold) {
			out = append(out, x)
		}
	}
	return out
}
