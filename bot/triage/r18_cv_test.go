package triage

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// Round 18: the long-text model thresholds re-chosen on the ~900 letters of
// the folds (round 9 and round 12 chose them on far fewer). A longVariant is
// the second opinion's thresholds on texts of runes characters or more
// (longText; it also decides where the long-text cue counting and the request
// rule apply, as in production). Every variant has runes ≥ 80, so a text
// under 80 characters — almost every chat message — is classified as shipped
// by construction.
type longVariant struct {
	runes                int
	settle, veto, vetoLd float64
}

func (v longVariant) String() string {
	return fmt.Sprintf("≥ %d: settle %g, veto %g, lead < %g", v.runes, v.settle, v.veto, v.vetoLd)
}

// r17Long are the long-text thresholds before round 18 (round 9's, kept
// through round 17): the baseline every variant is compared with.
var r17Long = longVariant{80, 0.85, 0.55, 8}

// cvLongVariants: round 17's thresholds first, then the grid (2 = off);
// round 18 shipped "≥ 80: settle 0.7, veto 0.5, lead < 8".
var cvLongVariants = func() []longVariant {
	shipped := r17Long
	out := []longVariant{shipped}
	for _, r := range []int{80, 120, 200} {
		for _, s := range []float64{0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 2} {
			for _, v := range []float64{0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 2} {
				for _, l := range []float64{4, 6, 8, 10, 12, 99} {
					if x := (longVariant{r, s, v, l}); x != shipped {
						out = append(out, x)
					}
				}
			}
		}
	}
	return out
}()

// addFigures adds the counts of b to a.
func addFigures(a, b figures) figures {
	a.n += b.n
	a.decided += b.decided
	a.rightDecided += b.rightDecided
	a.asked += b.asked
	a.rightAsked += b.rightAsked
	a.rightAskedNarrow += b.rightAskedNarrow
	a.nothing += b.nothing
	return a
}

// TestLongThresholdsCV: out of fold (the model trained without the fold),
// the shipped classifier with each long-text variant, per group of folds; the
// variant chosen on all folds and without each fold (nested, chooseVariant:
// the smallest goal gap on the other letter folds, the other chat folds
// losing nothing). TRIAGE_R18=1 (TRIAGE_R18=show also lists the recent
// letters whose outcome the nested pick changes); a few minutes.
func TestLongThresholdsCV(t *testing.T) {
	mode := os.Getenv("TRIAGE_R18")
	if mode == "" {
		t.Skip("set TRIAGE_R18=1")
	}
	base := testClassifier(t)
	sets := modelSets(t)
	per := make([]foldFigures, len(cvLongVariants))
	for i := range per {
		per[i] = foldFigures{}
	}
	type cached struct {
		e  evidenceOf
		d0 Decision
	}
	var folds []string
	outcomes := map[string]map[int]map[string]Decision{} // fold → variant → text → decision (recent letters, for show)
	for _, s := range sets {
		folds = append(folds, s.name)
		cc := withModel(t, base, trainingDocs(t, sets, s.name), modelDecide)
		var short, long []devLine
		for _, l := range s.lines {
			if utf8.RuneCountInString(cc.evidence(l.text).norm) < 80 {
				short = append(short, l)
			} else {
				long = append(long, l)
			}
		}
		fs := score(cc, short, nil)
		byRunes := map[int]map[string]cached{}
		for i, v := range cvLongVariants {
			cv := *cc
			cv.longText = v.runes
			cache := byRunes[v.runes]
			if cache == nil {
				cache = map[string]cached{}
				for _, l := range long {
					e := cv.evidence(l.text)
					cache[l.text] = cached{e, cv.decideEvidence(e)}
				}
				byRunes[v.runes] = cache
			}
			cv.modelSettleLong, cv.modelVetoLong, cv.modelVetoLeadLong = v.settle, v.veto, v.vetoLd
			classify := func(text string) Decision { x := cache[text]; return cv.backoff(x.d0, x.e) }
			per[i][s.name] = addFigures(fs, scoreWith(classify, long, nil))
			if mode == "show" && isRecentLetters(s.name) {
				if outcomes[s.name] == nil {
					outcomes[s.name] = map[int]map[string]Decision{}
				}
				m := map[string]Decision{}
				for _, l := range long {
					m[l.text] = classify(l.text)
				}
				outcomes[s.name][i] = m
			}
		}
	}
	// Families of variants, each with the shipped thresholds first: the
	// whole grid, and the settle threshold alone (the one that decides
	// two-choice questions, i.e. that asks) at 80 characters. Each family's
	// nested estimate is its own selection's.
	families := []struct {
		name string
		keep func(longVariant) bool
	}{
		{"whole grid", func(longVariant) bool { return true }},
		{"settle only (≥ 80, veto and lead as shipped)", func(v longVariant) bool {
			return v.runes == r17Long.runes && v.veto == r17Long.veto && v.vetoLd == r17Long.vetoLd
		}},
		{"settle and veto (≥ 80, lead as shipped)", func(v longVariant) bool { return v.runes == r17Long.runes && v.vetoLd == r17Long.vetoLd }},
	}
	row := func(b *strings.Builder, name, state string, f figures) {
		fmt.Fprintf(b, "| %s | %d | %s | %.1f %% (%d/%d) | %.1f %% (%d) | %.1f %% |\n", name, f.n, state,
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
	}
	var b strings.Builder
	for _, fam := range families[1:] {
		var idx []int
		for i, v := range cvLongVariants {
			if fam.keep(v) {
				idx = append(idx, i)
			}
		}
		sub := make([]foldFigures, len(idx))
		for j, i := range idx {
			sub[j] = per[i]
		}
		nf := foldFigures{}
		var ps []string
		for _, f := range folds {
			j := chooseVariant(sub, f)
			nf[f] = sub[j][f]
			ps = append(ps, fmt.Sprintf("%s: %s", f, cvLongVariants[idx[j]]))
		}
		fmt.Fprintf(&b, "\nFamily %s (%d variants), chosen on all folds: %s\n\n| folds | n | variant | among decided | asked | informative |\n|---|---|---|---|---|---|\n",
			fam.name, len(idx), cvLongVariants[idx[chooseVariant(sub, "")]])
		for _, g := range recentGroups() {
			row(&b, g.name, "round 17", per[0].sum(g.keep))
			row(&b, g.name, "chosen on all folds", sub[chooseVariant(sub, "")].sum(g.keep))
			row(&b, g.name, "nested", nf.sum(g.keep))
		}
		b.WriteString("\nPicks: " + strings.Join(ps, "; ") + "\n")
		b.WriteString("\n| left-out set | n | round 17: among decided, asked, informative | nested: among decided, asked, informative |\n|---|---|---|---|\n")
		for _, f := range folds {
			x, y := per[0][f], nf[f]
			fmt.Fprintf(&b, "| %s | %d | %.1f %% (%d/%d), %d, %.1f %% | %.1f %% (%d/%d), %d, %.1f %% |\n", f, x.n,
				100*x.amongDecided(), x.rightDecided, x.decided, x.asked, 100*x.informative(),
				100*y.amongDecided(), y.rightDecided, y.decided, y.asked, 100*y.informative())
		}
	}
	nested := foldFigures{}
	picks := map[string]int{}
	for _, f := range folds {
		i := chooseVariant(per, f)
		nested[f], picks[f] = per[i][f], i
	}
	all := chooseVariant(per, "")
	b.WriteString("\nFamily whole grid:\n")
	fmt.Fprintf(&b, "\nChosen on all folds: %s\n", cvLongVariants[all])
	groups := recentGroups()
	b.WriteString("\n| folds | n | variant | among decided | asked | informative |\n|---|---|---|---|---|---|\n")
	for _, g := range groups {
		row(&b, g.name, "round 17", per[0].sum(g.keep))
		row(&b, g.name, "chosen on all folds", per[all].sum(g.keep))
		row(&b, g.name, "nested", nested.sum(g.keep))
	}
	// The best variants on the letter folds whose chat folds lose nothing.
	c0 := per[0].sum(func(f string) bool { return !isLetterFold(f) })
	var ok []int
	for i := range cvLongVariants {
		c := per[i].sum(func(f string) bool { return !isLetterFold(f) })
		if c.decided-c.rightDecided <= c0.decided-c0.rightDecided && c.asked <= c0.asked {
			ok = append(ok, i)
		}
	}
	sort.SliceStable(ok, func(x, y int) bool {
		return goalGap(per[ok[x]].sum(isLetterFold)) < goalGap(per[ok[y]].sum(isLetterFold))
	})
	b.WriteString("\nBest on the letter folds, chat losing nothing (all folds):\n\n| variant | letter folds | letters 9–17 | chat folds |\n|---|---|---|---|\n")
	for _, i := range ok[:min(15, len(ok))] {
		l, r, c := per[i].sum(isLetterFold), per[i].sum(isRecentLetters), per[i].sum(func(f string) bool { return !isLetterFold(f) })
		fmt.Fprintf(&b, "| %s | %d/%d, %d asked | %d/%d, %d asked | %d/%d, %d asked |\n", cvLongVariants[i],
			l.rightDecided, l.decided, l.asked, r.rightDecided, r.decided, r.asked, c.rightDecided, c.decided, c.asked)
	}
	b.WriteString("\nPer fold (before = round 17, after = nested pick, whole grid):\n\n| left-out set | n | before: among decided, asked, informative | after: among decided, asked, informative | pick |\n|---|---|---|---|---|\n")
	for _, f := range folds {
		x, y := per[0][f], nested[f]
		fmt.Fprintf(&b, "| %s | %d | %.1f %% (%d/%d), %d, %.1f %% | %.1f %% (%d/%d), %d, %.1f %% | %s |\n", f, x.n,
			100*x.amongDecided(), x.rightDecided, x.decided, x.asked, 100*x.informative(),
			100*y.amongDecided(), y.rightDecided, y.decided, y.asked, 100*y.informative(), cvLongVariants[picks[f]])
	}
	for _, g := range groups {
		x, y := per[0].sum(g.keep), nested.sum(g.keep)
		fmt.Fprintf(&b, "| %s | %d | %.1f %% (%d/%d), %.1f %% (%d), %.1f %% | %.1f %% (%d/%d), %.1f %% (%d), %.1f %% | |\n", g.name, x.n,
			100*x.amongDecided(), x.rightDecided, x.decided, 100*x.askedShare(), x.asked, 100*x.informative(),
			100*y.amongDecided(), y.rightDecided, y.decided, 100*y.askedShare(), y.asked, 100*y.informative())
	}
	if mode == "show" {
		b.WriteString("\nRecent letters whose outcome the nested pick changes:\n")
		for _, s := range sets {
			m := outcomes[s.name]
			if m == nil {
				continue
			}
			for _, l := range s.lines {
				d0, ok0 := m[0][l.text]
				d1 := m[picks[s.name]][l.text]
				if !ok0 || (d0.Question == "") == (d1.Question == "") && d0.Kind == d1.Kind {
					continue
				}
				fmt.Fprintf(&b, "%s %s %s/%s: %s %v → %s %v\n", s.name, l.id, l.kind, l.topic, d0.Kind, d0.Choices, d1.Kind, d1.Choices)
			}
		}
	}
	t.Log(b.String())
}

// Round 18, tried and not shipped: the "whose" signal for letters. In a text
// of longText characters or more, the catalog's small decision that the
// second opinion turns into "small or major?" is kept when the letter calls
// the compound its own (ownWords) and names no road or city place (the
// outside cue did not fire).
func classifyOwnCompound(c *Classifier, ownWords []string, text string) Decision {
	e := c.evidence(text)
	d0 := c.decideEvidence(e)
	d := c.backoff(d0, e)
	if len(ownWords) == 0 || d0.Question != "" || d0.Kind != "small" || d.Question == "" ||
		utf8.RuneCountInString(e.norm) < c.longText {
		return d
	}
	for _, m := range c.cueMatches([]rune(e.norm)) {
		for _, ci := range c.cues[m.word] {
			if c.cat.Cues[ci].Name == "outside" {
				return d
			}
		}
	}
	for _, w := range ownWords {
		if strings.Contains(e.norm, w) {
			return d0
		}
	}
	return d
}

var cvOwnCompound = []struct {
	name  string
	words []string
}{
	{"off", nil},
	{"我们小区, 本小区, 我小区", []string{"我们小区", "本小区", "我小区"}},
	{"…, 我们楼, 本楼, 我们单元, 我们院, 我们这个小区", []string{"我们小区", "本小区", "我小区", "我们楼", "本楼", "我们单元", "我们院", "我们这个小区"}},
}

// TestOwnCompoundCV: out of fold, the shipped classifier with each
// own-compound variant, and nested (chooseVariant). TRIAGE_R18=1.
func TestOwnCompoundCV(t *testing.T) {
	if os.Getenv("TRIAGE_R18") == "" {
		t.Skip("set TRIAGE_R18=1")
	}
	names := make([]string, len(cvOwnCompound))
	for i, v := range cvOwnCompound {
		names[i] = v.name
	}
	t.Log(variantCV(t, names, func(cc *Classifier, i int, text string) Decision {
		return classifyOwnCompound(cc, cvOwnCompound[i].words, text)
	}))
}
