package triage

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Round 16: letters. A request variant says where the request rule counts
// (the whole text as round 13, or the letter's request sentences) and what a
// request sentence's group weighs.
type requestVariant struct {
	name   string
	scope  int
	weight float64
}

var cvRequestVariants = []requestVariant{
	{"whole text (round 13)", 0, 0},
	{"last request sentence, 2", 1, 2}, {"last request sentence, 3", 1, 3}, {"last request sentence, 4", 1, 4}, {"last request sentence, 5", 1, 5}, {"last request sentence, 6", 1, 6},
	{"all request sentences, 2", 2, 2}, {"all request sentences, 3", 2, 3}, {"all request sentences, 4", 2, 4},
}

// foldFigures are one variant's figures per fold.
type foldFigures map[string]figures

func (ff foldFigures) sum(keep func(string) bool) figures {
	var a figures
	for name, f := range ff {
		if keep(name) {
			a = addFigures(a, f)
		}
	}
	return a
}

// chooseVariant picks, without the fold skip, the variant with the smallest
// goal gap on the other letter folds, the other chat folds losing nothing
// against the first variant (no more wrong decisions, no more questions);
// ties go to the earlier variant (leastGap).
func chooseVariant(per []foldFigures, skip string) int {
	letters := func(f string) bool { return f != skip && isLetterFold(f) }
	chat := func(f string) bool { return f != skip && !isLetterFold(f) }
	return leastGap(len(per), func(i int) (figures, figures) { return per[i].sum(letters), per[i].sum(chat) })
}

// recentGroups are the groups of folds a variant table reports.
func recentGroups() []foldGroup {
	return []foldGroup{
		{"**letter folds**", isLetterFold}, {fmt.Sprintf("**letters 9–%d**", recentLast), isRecentLetters},
		{"**chat folds**", func(f string) bool { return !isLetterFold(f) }}, {fmt.Sprintf("**chat 9–%d**", recentLast), isRecentChat},
	}
}

// variantCV scores each named variant out of fold — classify(cc, i, text)
// is variant i on cc, the shipped classifier with the model trained without
// the fold — and reports the variant chosen on all folds, each group of
// folds per variant and nested (the variant chosen without the fold,
// chooseVariant), and per fold with its nested pick. The round-16 to -18
// cross-validations share it.
func variantCV(t *testing.T, names []string, classify func(cc *Classifier, i int, text string) Decision) string {
	base := testClassifier(t)
	sets := modelSets(t)
	per := make([]foldFigures, len(names))
	for i := range per {
		per[i] = foldFigures{}
	}
	var folds []string
	for _, s := range sets {
		folds = append(folds, s.name)
		cc := withModel(t, base, trainingDocs(t, sets, s.name), modelDecide)
		for i := range names {
			per[i][s.name] = scoreWith(func(text string) Decision { return classify(cc, i, text) }, s.lines, nil)
		}
	}
	return variantReport(names, per, folds)
}

// variantReport is variantCV's report on figures per variant and fold
// (round 19: also for catalog variants, each with a model of its own).
func variantReport(names []string, per []foldFigures, folds []string) string {
	nested := foldFigures{}
	picks := map[string]string{}
	for _, f := range folds {
		i := chooseVariant(per, f)
		nested[f], picks[f] = per[i][f], names[i]
	}
	var b strings.Builder
	row := func(name, state string, f figures) {
		fmt.Fprintf(&b, "| %s | %d | %s | %.1f %% (%d/%d) | %.1f %% (%d) | %.1f %% |\n", name, f.n, state,
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
	}
	fmt.Fprintf(&b, "\nChosen on all folds: %s\n", names[chooseVariant(per, "")])
	b.WriteString("\n| folds | n | variant | among decided | asked | informative |\n|---|---|---|---|---|---|\n")
	for _, g := range recentGroups() {
		for i, name := range names {
			row(g.name, name, per[i].sum(g.keep))
		}
		row(g.name, "nested", nested.sum(g.keep))
	}
	b.WriteString("\nPer fold, right / decided and asked:\n\n| left-out set |")
	for _, name := range names {
		fmt.Fprintf(&b, " %s |", name)
	}
	b.WriteString(" nested pick |\n|---|" + strings.Repeat("---|", len(names)+1) + "\n")
	for _, f := range folds {
		fmt.Fprintf(&b, "| %s |", f)
		for i := range names {
			x := per[i][f]
			fmt.Fprintf(&b, " %d/%d, %d |", x.rightDecided, x.decided, x.asked)
		}
		fmt.Fprintf(&b, " %s |\n", picks[f])
	}
	return b.String()
}

// TestRequestSentenceCV: out of fold (the model trained without the fold),
// the shipped classifier with each request variant, per group of folds and
// per recent letter fold, and the variant chosen without each fold (nested).
// TRIAGE_R16=1; about half a minute.
func TestRequestSentenceCV(t *testing.T) {
	if os.Getenv("TRIAGE_R16") == "" {
		t.Skip("set TRIAGE_R16=1")
	}
	names := make([]string, len(cvRequestVariants))
	for i, v := range cvRequestVariants {
		names[i] = v.name
	}
	t.Log(variantCV(t, names, func(cc *Classifier, i int, text string) Decision {
		cv := *cc
		cv.requestScope, cv.requestSentenceWeight = cvRequestVariants[i].scope, cvRequestVariants[i].weight
		return cv.Classify(text)
	}))
}
