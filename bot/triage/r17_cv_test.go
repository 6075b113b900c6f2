package triage

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/models"
)

// Round 17: a decision no item names, resting on a place cue or two (小区,
// 家里, 街上), on a thin score. A placeOnly variant says below which best
// score, from which text length, and whether the back-off asks (as for a
// text with nothing to go on) or the regression decides.
type placeOnlyVariant struct {
	name  string
	below float64
	runes int
	model bool
}

// classifyPlaceOnly is Classify with the place-only rule (round 17, not
// shipped; round 18 moved it out of classify.go): a decision that no item
// names (cues alone, a catch-all topic) on a best score under v.below, in a
// text of v.runes characters or more, goes to the statistical back-off as if
// there were nothing to go on (v.model false), or is decided by the
// regression's best kind (true); v.below 0 is the shipped classifier.
func classifyPlaceOnly(c *Classifier, v placeOnlyVariant, text string) Decision {
	e := c.evidence(text)
	d := c.decideEvidence(e)
	if v.below <= 0 || d.Question != "" || (d.Item != nil && !d.Item.Fallback) ||
		e.score[kindIndex(d.Kind)] >= v.below || utf8.RuneCountInString(e.norm) < v.runes {
		return c.backoff(d, e)
	}
	if v.model {
		if c.model == nil {
			return c.backoff(d, e)
		}
		_, lr, known := c.model.posterior(e.norm)
		if known < modelMinGrams {
			return c.backoff(d, e)
		}
		k := ranked(lr)[0]
		return c.backoff(c.decided(kindOrder[k], e.bestItem[k], math.Min(0.5, lr[k]-lr[ranked(lr)[1]])), e)
	}
	return c.backoff(c.ask(d, []models.Kind{models.KindPrivate, models.KindSmall, models.KindMajor}, nil), e)
}

var cvPlaceOnlyVariants = []placeOnlyVariant{
	{"off (round 16)", 0, 0, false},
	{"back-off, < 2, all texts", 2, 0, false}, {"back-off, < 2, ≥ 40", 2, 40, false}, {"back-off, < 2, ≥ 80", 2, 80, false},
	{"back-off, < 2.5, all texts", 2.5, 0, false}, {"back-off, < 2.5, ≥ 40", 2.5, 40, false}, {"back-off, < 2.5, ≥ 80", 2.5, 80, false},
	{"regression, < 2, all texts", 2, 0, true}, {"regression, < 2, ≥ 40", 2, 40, true}, {"regression, < 2, ≥ 80", 2, 80, true},
	{"regression, < 2.5, all texts", 2.5, 0, true}, {"regression, < 2.5, ≥ 40", 2.5, 40, true}, {"regression, < 2.5, ≥ 80", 2.5, 80, true},
}

// TestPlaceOnlyCV: out of fold (the model trained without the fold), the
// shipped classifier with each place-only variant, per group of folds and
// per recent fold, and the variant chosen without each fold (nested,
// chooseVariant). TRIAGE_R17=1; about half a minute.
func TestPlaceOnlyCV(t *testing.T) {
	if os.Getenv("TRIAGE_R17") == "" {
		t.Skip("set TRIAGE_R17=1")
	}
	base := testClassifier(t)
	sets := modelSets(t)
	per := make([]foldFigures, len(cvPlaceOnlyVariants))
	for i := range per {
		per[i] = foldFigures{}
	}
	var folds []string
	for _, s := range sets {
		folds = append(folds, s.name)
		cc := withModel(t, base, trainingDocs(t, base, sets, s.name), modelDecide)
		for i, v := range cvPlaceOnlyVariants {
			per[i][s.name] = scoreWith(func(text string) Decision { return classifyPlaceOnly(cc, v, text) }, s.lines, nil)
		}
	}
	nested := foldFigures{}
	picks := map[string]string{}
	for _, f := range folds {
		i := chooseVariant(per, f)
		nested[f], picks[f] = per[i][f], cvPlaceOnlyVariants[i].name
	}
	row := func(b *strings.Builder, name, state string, f figures) {
		fmt.Fprintf(b, "| %s | %d | %s | %.1f %% (%d/%d) | %.1f %% (%d) | %.1f %% |\n", name, f.n, state,
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nChosen on all folds: %s\n", cvPlaceOnlyVariants[chooseVariant(per, "")].name)
	b.WriteString("\n| folds | n | variant | among decided | asked | informative |\n|---|---|---|---|---|---|\n")
	for _, g := range []foldGroup{
		{"**letter folds**", isLetterFold}, {"**letters 9–17**", isRecentLetters},
		{"**chat folds**", func(f string) bool { return !isLetterFold(f) }}, {"**chat 9–17**", isRecentChat},
	} {
		for i, v := range cvPlaceOnlyVariants {
			row(&b, g.name, v.name, per[i].sum(g.keep))
		}
		row(&b, g.name, "nested", nested.sum(g.keep))
	}
	b.WriteString("\nPer fold, right / decided and asked:\n\n| left-out set |")
	for _, v := range cvPlaceOnlyVariants {
		fmt.Fprintf(&b, " %s |", v.name)
	}
	b.WriteString(" nested pick |\n|---|" + strings.Repeat("---|", len(cvPlaceOnlyVariants)+1) + "\n")
	for _, f := range folds {
		fmt.Fprintf(&b, "| %s |", f)
		for i := range cvPlaceOnlyVariants {
			x := per[i][f]
			fmt.Fprintf(&b, " %d/%d, %d |", x.rightDecided, x.decided, x.asked)
		}
		fmt.Fprintf(&b, " %s |\n", picks[f])
	}
	t.Log(b.String())
}
