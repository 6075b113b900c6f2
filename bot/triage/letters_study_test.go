package triage

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestLettersStudy lists, out of fold (the model trained without the set),
// the wrong and asked lines of the letter sets (TRIAGE_LETTERS=1; a study aid,
// round 9); TRIAGE_LETTERS=chat lists the chat sets instead, =all every set
// (round 10).
func TestLettersStudy(t *testing.T) {
	which := os.Getenv("TRIAGE_LETTERS")
	if which == "" {
		t.Skip("set TRIAGE_LETTERS=1 (letters), chat or all")
	}
	base := testClassifier(t)
	sets := modelSets(t)
	for _, s := range sets {
		if which != "all" && isLetterFold(s.name) != (which != "chat") {
			continue
		}
		cc := withModel(t, base, trainingDocs(t, sets, s.name), modelDecide)
		for _, l := range s.lines {
			d := cc.Classify(l.text)
			if d.Question == "" && d.Kind == l.kind {
				continue
			}
			e := cc.evidence(l.text)
			_, lr, _ := cc.model.posterior(e.norm)
			r := []rune(l.text)
			if len(r) > 160 {
				r = r[:160]
			}
			t.Logf("%s %s truth %s → %s %v [%s] | p %.1f s %.1f m %.1f %v | lr %.2f | len %d | %s", s.name, l.id, l.kind, d.Kind, d.Choices, cc.askedBy(e),
				e.score[0], e.score[1], e.score[2], itemIDs(e.bestItem), lr, len([]rune(l.text)), string(r))
		}
	}
}

func isLetterFold(name string) bool { return strings.Contains(name, "letters") }

// longRules are the round-9 thresholds for long texts (at least runes
// characters after normalisation); shorter texts keep the round-8 ones.
type longRules struct {
	runes              int
	lead, veto, settle float64
}

func (r longRules) outcome(x oofText) (int, []int) {
	if x.runes >= r.runes {
		return x.outcome(r.lead, r.veto, r.settle)
	}
	return x.outcome(modelVetoLead, modelVeto, modelSettle)
}

func tallyLong(ts []oofText, r longRules) figures { return tallyBy(ts, r.outcome) }

var (
	cvLongRunes = []int{60, 80, 100, 120, 150}
	cvLongLeads = []float64{5, 6, 7, 8, 10, 99}
	cvLongVetos = []float64{0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8}
)

// splitFolds parts out-of-fold texts into the letter folds' and the chat
// folds', leaving out the fold named skip ("" leaves none out).
func splitFolds(ts []oofText, skip string) (letters, chat []oofText) {
	for _, x := range ts {
		switch {
		case skip != "" && x.fold == skip:
		case isLetterFold(x.fold):
			letters = append(letters, x)
		default:
			chat = append(chat, x)
		}
	}
	return letters, chat
}

// chooseLong picks the long-text thresholds on ts, with the letter folds
// weighed separately: for each length bound the lowest settle threshold
// whose band on long texts is right 98% or more, then the lead and veto with
// the highest right among decided on the letter folds at asked 12% or less
// there, provided the chat folds lose nothing against the round-8 rules
// (no fewer right among decided, asked no more than one text in 200 higher).
func chooseLong(ts []oofText) longRules {
	letters, chat := splitFolds(ts, "")
	none := longRules{runes: 1 << 30}
	c0 := tallyLong(chat, none)
	best, bestAsked, out := tallyLong(letters, none).amongDecided(), 1.0, none
	for _, T := range cvLongRunes {
		settle := 2.0
		for _, q := range cvSettles {
			var n, right int
			for _, x := range ts {
				if x.runes >= T && len(x.choices) == 2 && x.known >= modelMinGrams {
					rl := ranked(x.lr)
					if x.lr[rl[0]] >= q && slices.Contains(x.choices, rl[0]) {
						n, right = n+1, right+b2i(rl[0] == x.truth)
					}
				}
			}
			if n > 0 && ratio(right, n) >= 0.98 {
				settle = q
				break
			}
		}
		for _, l := range cvLongLeads {
			for _, p := range cvLongVetos {
				r := longRules{T, l, p, settle}
				f, c := tallyLong(letters, r), tallyLong(chat, r)
				if f.askedShare() > 0.12 || c.amongDecided() < c0.amongDecided() || c.askedShare() > c0.askedShare()+0.005 {
					continue
				}
				if a := f.amongDecided(); a > best || (a == best && f.askedShare() < bestAsked) {
					best, bestAsked, out = a, f.askedShare(), r
				}
			}
		}
	}
	return out
}

// TestLongTextCV: per fold, round 8 against the round-9 long-text rules
// (chosen on all folds, and nested: chosen without the fold).
func TestLongTextCV(t *testing.T) {
	if os.Getenv("TRIAGE_CV") == "" {
		t.Skip("set TRIAGE_CV=1")
	}
	ts, folds := oofTexts(t)
	all := chooseLong(ts)
	shipped := longRules{longTextRunes, modelVetoLeadLong, modelVetoLong, modelSettleLong}
	t.Logf("chosen on all folds: %+v; shipped: %+v", all, shipped)
	row := func(b *strings.Builder, name, state string, f figures) {
		fmt.Fprintf(b, "| %s | %d | %s | %.1f%% | %.1f%% (%d/%d) | %.1f%% (%d) | %.1f%% |\n", name, f.n, state, 100*f.overall(),
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
	}
	add := func(a *figures, f figures) {
		a.n, a.decided, a.rightDecided = a.n+f.n, a.decided+f.decided, a.rightDecided+f.rightDecided
		a.asked, a.rightAsked, a.rightAskedNarrow, a.nothing = a.asked+f.asked, a.rightAsked+f.rightAsked, a.rightAskedNarrow+f.rightAskedNarrow, a.nothing+f.nothing
	}
	var b strings.Builder
	b.WriteString("\n| left-out set | n | state | overall | among decided | asked | informative |\n|---|---|---|---|---|---|---|\n")
	var pool [2][3]figures // letters/chat × round 8, round 9, nested
	for _, fold := range folds {
		var in, out []oofText
		for _, x := range ts {
			if x.fold == fold {
				in = append(in, x)
			} else {
				out = append(out, x)
			}
		}
		g := 1
		if isLetterFold(fold) {
			g = 0
		}
		nr := chooseLong(out)
		fs := [3]figures{tallyLong(in, longRules{runes: 1 << 30}), tallyLong(in, shipped), tallyLong(in, nr)}
		row(&b, fold, "round 8", fs[0])
		row(&b, fold, "**round 9**", fs[1])
		row(&b, fold, fmt.Sprintf("nested (≥ %d runes, lead < %g, veto %g, settle %g)", nr.runes, nr.lead, nr.veto, nr.settle), fs[2])
		for i := range fs {
			add(&pool[g][i], fs[i])
		}
	}
	for g, name := range []string{"letter folds", "chat folds"} {
		for i, st := range []string{"round 8", "**round 9**", "nested"} {
			row(&b, "**"+name+"**", st, pool[g][i])
		}
	}
	for i, st := range []string{"round 8", "**round 9**", "nested"} {
		var a figures
		add(&a, pool[0][i])
		add(&a, pool[1][i])
		row(&b, "**all folds**", st, a)
	}
	t.Log(b.String())
}

// cuesSetting is one way of weighing cues in long texts (round 10).
type cuesSetting struct {
	on     bool
	weight float64
}

func (s cuesSetting) String() string {
	if !s.on {
		return "round 9 (cues once, yields on any mention)"
	}
	return fmt.Sprintf("counted, weight %g", s.weight)
}

var cvCueSettings = []cuesSetting{{false, 0}, {true, 0}, {true, 0.5}, {true, 1}, {true, 1.5}, {true, 2}, {true, 3}}

// chooseCues picks, among the settings, the one with the highest right among
// decided on the letter folds of res (the out-of-fold texts under each
// setting, the shipped second opinion), provided letters ask no more than
// under round 9 and the chat folds lose nothing: no more wrong decisions,
// asked no more than one text in 200 higher. (A right chat decision turned
// into a question moves right among decided by a thousandth of a point:
// wrong decisions are counted instead.)
func chooseCues(res [][]oofText, skip string) int {
	shipped := longRules{longTextRunes, modelVetoLeadLong, modelVetoLong, modelSettleLong}
	split := func(ts []oofText) (l, c figures) {
		ls, cs := splitFolds(ts, skip)
		return tallyLong(ls, shipped), tallyLong(cs, shipped)
	}
	l0, c0 := split(res[0])
	best, bestA := 0, l0.amongDecided()
	for i := 1; i < len(res); i++ {
		l, c := split(res[i])
		if l.asked > l0.asked || c.decided-c.rightDecided > c0.decided-c0.rightDecided || c.askedShare() > c0.askedShare()+0.005 {
			continue
		}
		if a := l.amongDecided(); a > bestA {
			best, bestA = i, a
		}
	}
	return best
}

// TestLongCuesCV: per fold and pooled, the round-9 cues against cues counted
// in long texts at several weights (TRIAGE_CV=1; about a minute): the model
// trained without the fold, the shipped second opinion; "nested" picks the
// setting on the other folds only (chooseCues).
func TestLongCuesCV(t *testing.T) {
	if os.Getenv("TRIAGE_CV") == "" {
		t.Skip("set TRIAGE_CV=1")
	}
	shipped := longRules{longTextRunes, modelVetoLeadLong, modelVetoLong, modelSettleLong}
	var res [][]oofText
	var folds []string
	for _, s := range cvCueSettings {
		ts, fs := oofTexts(t, func(c *Classifier) { c.longCues, c.cueCountWeight = s.on, s.weight })
		res, folds = append(res, ts), fs
	}
	row := func(b *strings.Builder, name, state string, f figures) {
		fmt.Fprintf(b, "| %s | %d | %s | %.1f%% | %.1f%% (%d/%d) | %.1f%% (%d) | %.1f%% |\n", name, f.n, state, 100*f.overall(),
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
	}
	var b strings.Builder
	b.WriteString("\nPooled out of fold, per setting:\n\n| folds | n | setting | overall | among decided | asked | informative |\n|---|---|---|---|---|---|---|\n")
	for g, name := range []string{"letter folds", "chat folds"} {
		for i, s := range cvCueSettings {
			var in []oofText
			for _, x := range res[i] {
				if isLetterFold(x.fold) == (g == 0) {
					in = append(in, x)
				}
			}
			row(&b, name, s.String(), tallyLong(in, shipped))
		}
	}
	b.WriteString("\nPer fold: round 9, the shipped setting, nested:\n\n| left-out set | n | state | overall | among decided | asked | informative |\n|---|---|---|---|---|---|---|\n")
	ship := slices.Index(cvCueSettings, cuesSetting{true, cueCountWeight})
	var nested [2]figures
	for _, fold := range folds {
		pick := func(i int) figures {
			var in []oofText
			for _, x := range res[i] {
				if x.fold == fold {
					in = append(in, x)
				}
			}
			return tallyLong(in, shipped)
		}
		n := chooseCues(res, fold)
		row(&b, fold, "round 9", pick(0))
		if ship >= 0 {
			row(&b, fold, "**round 10**", pick(ship))
		}
		f := pick(n)
		row(&b, fold, "nested ("+cvCueSettings[n].String()+")", f)
		g := 1
		if isLetterFold(fold) {
			g = 0
		}
		nested[g].n, nested[g].decided, nested[g].rightDecided = nested[g].n+f.n, nested[g].decided+f.decided, nested[g].rightDecided+f.rightDecided
		nested[g].asked, nested[g].rightAsked, nested[g].rightAskedNarrow = nested[g].asked+f.asked, nested[g].rightAsked+f.rightAsked, nested[g].rightAskedNarrow+f.rightAskedNarrow
	}
	row(&b, "**letter folds**", "nested", nested[0])
	row(&b, "**chat folds**", "nested", nested[1])
	t.Log(b.String())
}

// askedBy names the rule that shaped a text's outcome (round 11, a study
// aid): the catalog's own question (three-way, whose, margin) or decision,
// and what the model's second opinion made of it (veto, settle, back-off).
func (c *Classifier) askedBy(e evidenceOf) string {
	d0 := c.decide(e.score, e.bestItem, e.whoseSaid, e.anyCue)
	d := c.backoff(d0, e)
	var cat string
	switch {
	case d0.Question == "":
		cat = "decided"
	case len(d0.Choices) == 3:
		cat = "three-way"
	case d0.Item != nil && d0.Item.AskWhose && !e.whoseSaid:
		cat = "whose"
	default:
		cat = "margin"
	}
	switch {
	case d0.Question == "" && d.Question != "":
		return cat + "+veto"
	case d0.Question != "" && d.Question == "":
		return cat + "+settled"
	}
	return cat
}
