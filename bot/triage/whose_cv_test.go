package triage

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// r11Variant is one setting compared out of fold (round 11).
type r11Variant struct {
	name  string
	setup func() func() // sets package settings, returns the undo
	opts  []func(*Classifier)
	rules *longRules // nil: the shipped long-text rules
}

func r11Tally(ts []oofText, r longRules, keep func(string) bool) figures {
	var in []oofText
	for _, x := range ts {
		if keep(x.fold) {
			in = append(in, x)
		}
	}
	return tallyLong(in, r)
}

// TestWhoseCV: out of fold (the model trained without the fold), round 10
// against the round-11 whose rule, with the shipped long-text thresholds and
// with thresholds chosen without the fold (chooseLong, nested), per group of
// folds (TRIAGE_R11=1; about 25 s).
func TestWhoseCV(t *testing.T) {
	if os.Getenv("TRIAGE_R11") == "" {
		t.Skip("set TRIAGE_R11=1")
	}
	noop := func() func() { return func() {} }
	nowhose := func(c *Classifier) { c.whoseItems = false }
	vs := []r11Variant{{name: "round 10", setup: noop, opts: []func(*Classifier){nowhose}}, {name: "whose", setup: noop}}
	shipped := longRules{longTextRunes, modelVetoLeadLong, modelVetoLong, modelSettleLong}
	var b strings.Builder
	groups := []struct {
		name string
		keep func(string) bool
	}{
		{"letter folds", isLetterFold}, {"chat folds", func(f string) bool { return !isLetterFold(f) }},
		{"spent9 letters", func(f string) bool { return f == "spent9 letters" }}, {"spent10 letters", func(f string) bool { return f == "spent10 letters" }},
		{"spent9 chat", func(f string) bool { return f == "spent9 chat" }}, {"spent10 chat", func(f string) bool { return f == "spent10 chat" }},
		{"mixed letter folds (5–10)", func(f string) bool { return isLetterFold(f) && strings.HasPrefix(f, "spent") && f != "spent letters" }},
	}
	b.WriteString("\n| folds | variant | among decided | asked | informative |\n|---|---|---|---|---|\n")
	res := make([][]oofText, len(vs))
	for i, v := range vs {
		undo := v.setup()
		res[i], _ = oofTexts(t, v.opts...)
		undo()
	}
	// nested: each fold's long-text thresholds chosen on the other folds.
	nestedOut := make([][]oofText, len(vs))
	for i := range vs {
		all := chooseLong(res[i])
		t.Logf("%s: chosen on all folds %+v", vs[i].name, all)
		folds := map[string]bool{}
		for _, x := range res[i] {
			folds[x.fold] = true
		}
		for fold := range folds {
			var in, out []oofText
			for _, x := range res[i] {
				if x.fold == fold {
					in = append(in, x)
				} else {
					out = append(out, x)
				}
			}
			r := chooseLong(out)
			for _, x := range in {
				k, ch := r.outcome(x)
				y := x
				// Freeze the nested outcome as a decided/asked text.
				y.known, y.kind, y.choices = 0, k, ch
				nestedOut[i] = append(nestedOut[i], y)
			}
		}
	}
	for _, g := range groups {
		for i, v := range vs {
			for j, st := range []string{"shipped thresholds", "nested thresholds"} {
				ts := res[i]
				if j == 1 {
					ts = nestedOut[i]
				}
				f := r11Tally(ts, shipped, g.keep)
				fmt.Fprintf(&b, "| %s | %s, %s | %.1f%% (%d/%d) | %.1f%% (%d) | %.1f%% |\n", g.name, v.name, st, 100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
			}
		}
	}
	t.Log(b.String())
}

// TestR11VetoCV: the long-text veto only when the Naive Bayes' best kind is
// the regression's other kind too (round 11 experiment), against the shipped
// rule, at several veto thresholds.
func TestVetoBayesCV(t *testing.T) {
	if os.Getenv("TRIAGE_R11") == "" {
		t.Skip("set TRIAGE_R11=1")
	}
	ts, _ := oofTexts(t)
	var b strings.Builder
	b.WriteString("\n| folds | rule | among decided | asked |\n|---|---|---|---|\n")
	groups := []struct {
		name string
		keep func(string) bool
	}{
		{"letter folds", isLetterFold}, {"chat folds", func(f string) bool { return !isLetterFold(f) }},
		{"spent9 letters", func(f string) bool { return f == "spent9 letters" }}, {"spent10 letters", func(f string) bool { return f == "spent10 letters" }},
	}
	for _, agree := range []bool{false, true} {
		for _, v := range []float64{0.55, 0.65, 0.75} {
			r := longRules{longTextRunes, modelVetoLeadLong, v, modelSettleLong}
			out := func(x oofText) (int, []int) {
				k, ch := r.outcome(x)
				if agree && x.runes >= r.runes && x.choices == nil && ch != nil {
					if rn := ranked(x.nb); rn[0] == x.kind || (ch[1] != rn[0]) {
						return x.kind, nil
					}
				}
				return k, ch
			}
			for _, g := range groups {
				var in []oofText
				for _, x := range ts {
					if g.keep(x.fold) {
						in = append(in, x)
					}
				}
				f := tallyBy(in, out)
				fmt.Fprintf(&b, "| %s | veto %g, Bayes agrees %v | %.1f%% (%d/%d) | %.1f%% (%d) |\n", g.name, v, agree, 100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked)
			}
		}
	}
	t.Log(b.String())
}
