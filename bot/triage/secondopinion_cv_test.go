package triage

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gongzhi/gongzhi/models"
)

// oofText is one out-of-fold text: what the catalog (with the round-7
// back-off) made of it and what the model trained without its set says.
type oofText struct {
	fold    string
	truth   int
	kind    int   // the catalog's (or round-7 back-off's) kind
	choices []int // nil when decided
	catalog bool  // decided by the catalog itself (not by the back-off)
	lead    float64
	lr      [3]float64
	nb      [3]float64 // the Naive Bayes (round 11)
	known   int
	runes   int // length of the normalised text (cut to maxTextRunes)
}

// outcome applies the round-8 rules with the given thresholds to t: the
// decided kind (-1 when asked) and the choices.
func (t oofText) outcome(vetoLead, veto, settle float64) (int, []int) {
	if t.known < modelMinGrams {
		if t.choices == nil {
			return t.kind, nil
		}
		return -1, t.choices
	}
	rl := ranked(t.lr)
	switch {
	case t.choices == nil:
		if !t.catalog || t.lead >= vetoLead {
			return t.kind, nil
		}
		y := rl[0]
		if y == t.kind {
			y = rl[1]
		}
		if t.lr[y] >= veto {
			return -1, []int{t.kind, y}
		}
		return t.kind, nil
	case len(t.choices) == 2 && t.lr[rl[0]] >= settle && slices.Contains(t.choices, rl[0]):
		return rl[0], nil
	}
	return -1, t.choices
}

// tally scores texts under thresholds.
func tally(ts []oofText, vetoLead, veto, settle float64) figures {
	return tallyBy(ts, func(t oofText) (int, []int) { return t.outcome(vetoLead, veto, settle) })
}

// tallyBy scores texts by the kind decided or the choices asked that
// outcome gives each.
func tallyBy(ts []oofText, outcome func(oofText) (int, []int)) figures {
	var f figures
	for _, t := range ts {
		k, ch := outcome(t)
		f.n++
		if ch == nil {
			f.decided++
			f.rightDecided += b2i(k == t.truth)
			continue
		}
		f.asked++
		f.nothing += b2i(len(ch) == 3)
		if slices.Contains(ch, t.truth) {
			f.rightAsked++
			f.rightAskedNarrow += b2i(len(ch) <= 2)
		}
	}
	return f
}

// oofTexts trains the model without each set in turn and records what the
// catalog and the model make of that set's texts; opts adjust each fold's
// classifier (TestLongCuesCV).
func oofTexts(t *testing.T, opts ...func(*Classifier)) ([]oofText, []string) {
	base := testClassifier(t)
	sets := modelSets(t)
	var out []oofText
	var folds []string
	for _, s := range sets {
		folds = append(folds, s.name)
		cc := withModel(t, base, trainingDocs(t, sets, s.name), modelDecide)
		cc.modelVeto, cc.modelSettle, cc.modelVetoLong, cc.modelSettleLong = 2, 2, 2, 2 // round 7: the model only on three-way questions
		for _, o := range opts {
			o(cc)
		}
		for _, l := range s.lines {
			e := cc.evidence(l.text)
			d0 := cc.decide(e.score, e.bestItem, e.whoseSaid, e.anyCue)
			d := cc.backoff(d0, e)
			sr := ranked(e.score)
			o := oofText{fold: s.name, truth: kindIndex(l.kind), kind: kindIndex(d.Kind), catalog: d0.Question == "",
				lead: e.score[sr[0]] - e.score[sr[1]]}
			for _, k := range d.Choices {
				o.choices = append(o.choices, kindIndex(k))
			}
			o.nb, o.lr, o.known = cc.model.posterior(e.norm)
			o.runes = len([]rune(e.norm))
			out = append(out, o)
		}
	}
	return out, folds
}

var (
	cvVetoLeads = []float64{2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 99}
	cvVetos     = []float64{0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9}
	cvSettles   = []float64{0.85, 0.9, 0.95, 0.97, 0.99}
)

// settleBand: how often the regression's best kind is right on the two-choice
// questions it would settle at threshold q.
func settleBand(ts []oofText, q float64) (n, right int) {
	for _, t := range ts {
		if len(t.choices) == 2 && t.known >= modelMinGrams {
			rl := ranked(t.lr)
			if t.lr[rl[0]] >= q && slices.Contains(t.choices, rl[0]) {
				n, right = n+1, right+b2i(rl[0] == t.truth)
			}
		}
	}
	return
}

// choose picks thresholds on ts: the lowest settle threshold whose band is
// right on 98% or more, then the veto thresholds with the highest right
// among decided at asked 12% or less.
func choose(ts []oofText) (vetoLead, veto, settle float64) {
	settle = 2
	for _, q := range cvSettles {
		if n, r := settleBand(ts, q); n > 0 && ratio(r, n) >= 0.98 {
			settle = q
			break
		}
	}
	best := -1.0
	for _, l := range cvVetoLeads {
		for _, p := range cvVetos {
			if f := tally(ts, l, p, settle); f.askedShare() <= 0.12 && f.amongDecided() > best {
				best, vetoLead, veto = f.amongDecided(), l, p
			}
		}
	}
	return
}

// TestSecondOpinionCV cross-validates the round-8 rules leave one set out
// (TRIAGE_CV=1 prints the tables): per fold the round-7 classifier and the
// round-8 one with the shipped thresholds; the bands the thresholds were
// chosen from (pooled out of fold); and a nested check in which each fold's
// thresholds are chosen on the other folds only.
func TestSecondOpinionCV(t *testing.T) {
	if os.Getenv("TRIAGE_CV") == "" {
		t.Skip("set TRIAGE_CV=1")
	}
	ts, folds := oofTexts(t)
	row := func(b *strings.Builder, name, state string, f figures) {
		fmt.Fprintf(b, "| %s | %d | %s | %.1f%% | %.1f%% (%d/%d) | %.1f%% (%d) | %d | %.1f%% |\n", name, f.n, state, 100*f.overall(),
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, f.nothing, 100*f.informative())
	}
	var b strings.Builder
	b.WriteString("\n| left-out set | n | state | overall | among decided | asked | three-way | informative |\n|---|---|---|---|---|---|---|---|\n")
	var nested [2]figures
	for _, fold := range append(slices.Clone(folds), "") {
		var in, out []oofText
		for _, x := range ts {
			if fold == "" || x.fold == fold {
				in = append(in, x)
			} else {
				out = append(out, x)
			}
		}
		name := fold
		if fold == "" {
			name = "all folds"
		}
		row(&b, name, "round 7", tally(in, 0, 2, 2))
		row(&b, name, "**round 8**", tally(in, modelVetoLead, modelVeto, modelSettle))
		if fold != "" {
			l, p, q := choose(out)
			f := tally(in, l, p, q)
			row(&b, name, fmt.Sprintf("nested (lead < %g, veto %g, settle %g)", l, p, q), f)
			nested[0].n, nested[0].decided, nested[0].rightDecided = nested[0].n+f.n, nested[0].decided+f.decided, nested[0].rightDecided+f.rightDecided
			nested[0].asked, nested[0].rightAsked, nested[0].rightAskedNarrow = nested[0].asked+f.asked, nested[0].rightAsked+f.rightAsked, nested[0].rightAskedNarrow+f.rightAskedNarrow
			nested[0].nothing += f.nothing
		}
	}
	row(&b, "all folds", "nested", nested[0])

	b.WriteString("\nSettle band (two-choice questions; the regression's best kind among the choices at ≥ q):\n\n| q | n | right |\n|---|---|---|\n")
	for _, q := range []float64{0.7, 0.8, 0.85, 0.9, 0.95, 0.97} {
		n, r := settleBand(ts, q)
		fmt.Fprintf(&b, "| %g | %d | %d (%.1f%%) |\n", q, n, r, 100*ratio(r, n))
	}
	b.WriteString("\nVeto grid, pooled, settle at the shipped threshold: right among decided / asked\n\n| lead < | " +
		strings.Trim(strings.Join(strings.Fields(fmt.Sprint(cvVetos)), " | "), "[]") + " |\n|---|" + strings.Repeat("---|", len(cvVetos)) + "\n")
	for _, l := range cvVetoLeads {
		fmt.Fprintf(&b, "| %g |", l)
		for _, p := range cvVetos {
			f := tally(ts, l, p, modelSettle)
			fmt.Fprintf(&b, " %.1f / %.1f |", 100*f.amongDecided(), 100*f.askedShare())
		}
		b.WriteString("\n")
	}
	var caught, lost int
	for _, x := range ts {
		if k, ch := x.outcome(modelVetoLead, modelVeto, 2); x.choices == nil && ch != nil {
			caught, lost = caught+b2i(x.kind != x.truth), lost+b2i(x.kind == x.truth)
			_ = k
		}
	}
	fmt.Fprintf(&b, "\nShipped veto, pooled: %d wrong decisions and %d right ones turned into two-choice questions\n", caught, lost)
	t.Log(b.String())
	_ = models.KindSmall
}
