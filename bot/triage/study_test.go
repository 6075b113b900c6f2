package triage

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The round-4 held-out set (testdata/heldout/) was scored once at the end of
// round 4 and is spent: since round 5 it is a study set, like fresh.tsv. Its
// lines may be listed (TRIAGE_SHOW=1) to see which matters and phrasings lack
// words; no catalog word may come from its lines (TestCatalogWordsHaveSources).

// readSpent returns one of the spent round-4 held-out sets (chat or letters).
func readSpent(t testing.TB, name string) []devLine { return readSpentRound(t, 4, name) }

// readSpentRound returns one of the spent held-out sets of a round (chat or
// letters): round 4's is testdata/heldout/, a later round's
// testdata/heldout<round>/. Each was scored once at the end of its round and
// studied from the next.
func readSpentRound(t testing.TB, round int, name string) []devLine {
	t.Helper()
	dir := "testdata/heldout"
	if round != 4 {
		dir += strconv.Itoa(round)
	}
	return readLabelled(t, dir+"/"+name+".tsv")
}

// spentSets are the spent held-out sets, studied like fresh.tsv.
var spentSets = []struct {
	name  string
	round int
	part  string
}{
	{"spent chat", 4, "chat"}, {"spent letters", 4, "letters"},
	{"spent5 chat", 5, "chat"}, {"spent5 letters", 5, "letters"},
	{"spent6 chat", 6, "chat"}, {"spent6 letters", 6, "letters"},
	{"spent7 chat", 7, "chat"}, {"spent7 letters", 7, "letters"},
	{"spent8 chat", 8, "chat"}, {"spent8 letters", 8, "letters"},
	{"spent9 chat", 9, "chat"}, {"spent9 letters", 9, "letters"},
	{"spent10 chat", 10, "chat"}, {"spent10 letters", 10, "letters"},
	{"spent11 chat", 11, "chat"}, {"spent11 letters", 11, "letters"},
	{"spent12 chat", 12, "chat"}, {"spent12 letters", 12, "letters"},
	{"spent13 chat", 13, "chat"}, {"spent13 letters", 13, "letters"},
	{"spent14 chat", 14, "chat"}, {"spent14 letters", 14, "letters"},
	{"spent15 chat", 15, "chat"}, {"spent15 letters", 15, "letters"},
	{"spent16 chat", 16, "chat"}, {"spent16 letters", 16, "letters"},
	{"spent17 chat", 17, "chat"}, {"spent17 letters", 17, "letters"},
	{"spent18 chat", 18, "chat"}, {"spent18 letters", 18, "letters"},
	{"spent19 chat", 19, "chat"}, {"spent19 letters", 19, "letters"},
	{"spent20 chat", 20, "chat"}, {"spent20 letters", 20, "letters"},
	{"spent21 chat", 21, "chat"}, {"spent21 letters", 21, "letters"},
	{"spent22 chat", 22, "chat"}, {"spent22 letters", 22, "letters"},
	{"spent23 chat", 23, "chat"}, {"spent23 letters", 23, "letters"},
	{"spent24 chat", 24, "chat"}, {"spent24 letters", 24, "letters"},
	{"spent25 chat", 25, "chat"}, {"spent25 letters", 25, "letters"},
	{"spent26 chat", 26, "chat"}, {"spent26 letters", 26, "letters"},
	{"spent27 chat", 27, "chat"}, {"spent27 letters", 27, "letters"},
	{"spent28 chat", 28, "chat"}, {"spent28 letters", 28, "letters"},
	{"spent29 chat", 29, "chat"}, {"spent29 letters", 29, "letters"},
	{"spent30 chat", 30, "chat"}, {"spent30 letters", 30, "letters"},
}

var spentFloors = map[string]struct{ overall, amongDecided, askedMax, informative float64 }{
	"spent chat":      {0.96, 0.965, 0.13, 0.93},
	"spent letters":   {0.95, 0.95, 0.13, 0.93},
	"spent5 chat":     {0.97, 0.97, 0.17, 0.97}, // round 8: the second opinion and the settle rule (a fit: the model was trained on it); round 17: retrained with the round-16 set, a line asked before is decided wrong (97.4 % among decided)
	"spent5 letters":  {0.95, 0.97, 0.23, 0.95}, // round 8: the second opinion asks 4 more (ceiling 21 → 23%), right among decided 90.9 → 98.4%
	"spent6 chat":     {0.98, 0.985, 0.17, 0.975},
	"spent6 letters":  {0.97, 0.97, 0.19, 0.97},   // round 8: the second opinion asks 3 more (ceiling 15 → 19%), right among decided 92.3 → 98.0%
	"spent7 chat":     {0.975, 0.98, 0.17, 0.975}, // studied since round 8 (a fit: the model was trained on it)
	"spent7 letters":  {0.92, 0.97, 0.18, 0.92},   // round 9: the long-text second opinion asks 1 more (ceiling 16 → 18%), right among decided 97.4 → 100%
	"spent8 chat":     {0.975, 0.99, 0.10, 0.975}, // studied since round 9 (a fit: the model was trained on it)
	"spent8 letters":  {0.95, 0.95, 0.19, 0.95},
	"spent9 chat":     {0.97, 0.975, 0.15, 0.97}, // studied since round 10 (a fit: the model was trained on it)
	"spent9 letters":  {0.92, 0.92, 0.25, 0.92},  // round 17: retrained with the round-16 set, a letter asked before is decided wrong (94.4 % among decided); round 26: the veto looks only at leads under 6, so u022 (lead 7.4), asked before, is decided wrong, fitted as out of fold (36/38, 2 asked → 36/39, 1: 92.3 % among decided, 92.5 % overall and informative)
	"spent10 chat":    {0.97, 0.98, 0.16, 0.97},  // studied since round 11 (a fit: the model was trained on it)
	"spent10 letters": {0.90, 0.92, 0.22, 0.90},
	"spent11 chat":    {0.97, 0.97, 0.09, 0.97}, // studied since round 12 (a fit: the model was trained on it)
	"spent11 letters": {0.92, 0.92, 0.24, 0.92}, // round 13: one wrong decision (of 52) now asked (23.9 %), the model retrained with the round-13 words
	"spent12 chat":    {0.97, 0.97, 0.13, 0.97}, // studied since round 13 (a fit: the model was trained on it)
	"spent12 letters": {0.94, 0.95, 0.26, 0.94},
	"spent13 chat":    {0.96, 0.97, 0.18, 0.96}, // studied since round 14 (a fit: the model was trained on it)
	"spent13 letters": {0.95, 0.94, 0.26, 0.95}, // round 14: retrained with the round-14 words, one letter asked before is decided wrong (out of fold unchanged)
	"spent14 chat":    {0.98, 0.98, 0.12, 0.98}, // studied since round 15 (a fit: the model was trained on it)
	"spent14 letters": {0.94, 0.92, 0.29, 0.94}, // round 16: retrained with the round-15 set, a letter decided wrong before is asked (27.8 %)
	"spent15 chat":    {0.98, 0.98, 0.09, 0.98}, // studied since round 16 (a fit: the model was trained on it)
	"spent15 letters": {0.85, 0.86, 0.21, 0.85}, // round 17: retrained with the round-16 set, a letter decided right before is asked (19.4 %)
	"spent16 chat":    {0.97, 0.98, 0.08, 0.97}, // studied since round 17 (a fit: the model was trained on it)
	"spent16 letters": {0.87, 0.89, 0.25, 0.87}, // round 18: retrained with the round-17 set, a letter decided wrong before is asked (24.1 %)
	"spent17 chat":    {0.97, 0.98, 0.08, 0.97}, // studied since round 18 (a fit: the model was trained on it)
	"spent17 letters": {0.96, 0.95, 0.20, 0.96},
	"spent18 chat":    {0.98, 0.98, 0.09, 0.98}, // studied since round 19 (a fit: the model was trained on it)
	"spent18 letters": {0.91, 0.90, 0.20, 0.91}, // round 21: retrained with the round-20 set, a letter decided right before is asked (19.2 %)
	"spent19 chat":    {0.96, 0.97, 0.12, 0.96}, // studied since round 20 (a fit: the model was trained on it)
	"spent19 letters": {0.96, 0.96, 0.08, 0.96},
	"spent20 chat":    {0.98, 0.98, 0.09, 0.98}, // studied since round 21 (a fit: the model was trained on it)
	"spent20 letters": {0.80, 0.80, 0.25, 0.80},
	"spent21 chat":    {0.98, 0.98, 0.12, 0.98}, // studied since round 22 (a fit: the model was trained on it)
	"spent21 letters": {0.93, 0.93, 0.18, 0.93}, // asked 0.16 → 0.18 in round 30 (the place words: dl003, a private letter about a salon card "小区外的理发店", fitted right → asked private or major)
	"spent22 chat":    {0.98, 0.98, 0.10, 0.98}, // studied since round 23 (a fit: the model was trained on it)
	"spent22 letters": {0.86, 0.95, 0.30, 0.86},
	"spent23 chat":    {0.97, 0.96, 0.14, 0.97}, // studied since round 24 (a fit: the model was trained on it); round 25: retrained with the round-24 set and the snapshot's refund words, a line asked before is decided wrong (96.9 % among decided)
	"spent23 letters": {0.93, 0.93, 0.19, 0.93},
	"spent24 chat":    {0.98, 0.98, 0.14, 0.98}, // studied since round 25 (a fit: the model was trained on it)
	"spent24 letters": {0.83, 0.83, 0.06, 0.83},
	"spent25 chat":    {0.98, 0.98, 0.10, 0.98}, // studied since round 26 (a fit: the model was trained on it)
	"spent25 letters": {0.84, 0.88, 0.16, 0.84},
	"spent26 chat":    {0.98, 0.97, 0.13, 0.98}, // studied since round 27 (a fit: the model was trained on it)
	"spent26 letters": {0.94, 0.93, 0.12, 0.94},
	"spent27 chat":    {0.98, 0.98, 0.05, 0.98}, // studied since round 28 (a fit: the model was trained on it)
	"spent27 letters": {0.80, 0.66, 0.60, 0.80}, // 5 letters: one letter moves a figure by 20 points
	"spent28 chat":    {0.98, 0.97, 0.08, 0.98}, // studied since round 29 (a fit: the model was trained on it)
	"spent28 letters": {0.95, 0.95, 0.15, 0.95}, // 22 letters: one letter moves a figure by 4.5 points; asked 0.10 → 0.15 in round 29 (round 28's veto settle reverted: fitted 1 → 3 asked, both major, asked small or major)
	"spent29 chat":    {0.98, 0.98, 0.08, 0.98}, // studied since round 30 (a fit: the model was trained on it)
	"spent29 letters": {0.90, 0.88, 0.10, 0.90}, // 10 letters: one letter moves a figure by 10 points
	"spent30 chat":    {0.97, 0.96, 0.13, 0.97}, // studied since round 31 (a fit: the model was trained on it)
	"spent30 letters": {0.90, 0.87, 0.30, 0.90}, // 11 letters: one letter moves a figure by 9 points
}

// TestSpentHeldOutQuality reports the figures on the spent round-4 held-out
// sets; TRIAGE_SHOW=1 lists their wrong and asked lines.
func TestSpentHeldOutQuality(t *testing.T) {
	c := testClassifier(t)
	for _, set := range spentSets {
		name, lines := set.name, readSpentRound(t, set.round, set.part)
		f := score(c, lines, showWrong(t))
		if os.Getenv("TRIAGE_SHOW") == "asked" {
			for _, l := range lines {
				if d := c.Classify(l.text); d.Question != "" {
					t.Logf("ASKED %s %s/%s %q → %v %s %.2f", l.id, l.kind, l.topic, l.text, d.Choices, d.Topic, d.Confidence)
				}
			}
		}
		t.Logf("%s (study): %s\n%s", name, f, f.matrix())
		// Floors a little under the round-5 figures (chat 97.3 / 97.5 /
		// 11.7% / 95.1, letters 97.1 / 96.7 / 11.5% / 95.7) and, for the
		// round-5 set, the round-6 ones (chat 95.4 / 94.1 / 21.5% / 86.2,
		// letters 90.0 / 90.6 / 20.0% / 87.5): a drop is a regression on
		// studied lines, not a measure of unseen ones.
		fl := spentFloors[name]
		if f.overall() < fl.overall || f.amongDecided() < fl.amongDecided || f.askedShare() > fl.askedMax || f.informative() < fl.informative {
			t.Errorf("%s below its floors %+v: %s", name, fl, f)
		}
	}
}

// TestExplain prints what the classifier makes of the texts in TRIAGE_EXPLAIN
// (one per line): the scores per kind and the decision. A study aid.
func TestExplain(t *testing.T) {
	in := os.Getenv("TRIAGE_EXPLAIN")
	if in == "" {
		t.Skip("set TRIAGE_EXPLAIN to texts, one per line")
	}
	c := testClassifier(t)
	for _, text := range strings.Split(in, "\n") {
		if strings.TrimSpace(text) == "" {
			continue
		}
		e := c.evidence(text)
		d := c.Classify(text)
		norm := c.normalise(text)
		t.Logf("%q\n  norm %q tokens %v\n  words %s\n  private %.1f small %.1f major %.1f items %v → %s %s %v", text, norm,
			c.seg.cut(norm), c.matchedWords(e.norm), e.score[0], e.score[1], e.score[2], itemIDs(e.bestItem), d.Kind, d.Topic, d.Choices)
	}
}

// matchedWords lists the item words (with their items) and the cue words
// (with their cues) a normalised text matches: a study aid (round 10).
func (c *Classifier) matchedWords(norm string) string {
	var out []string
	for _, m := range c.itemMatches(c.seg.cut(norm)) {
		var ids []string
		for _, it := range c.items[m.word] {
			ids = append(ids, it.ID)
		}
		out = append(out, m.word+"→"+strings.Join(ids, ","))
	}
	for _, m := range c.cueMatches([]rune(norm)) {
		var names []string
		for _, ci := range c.cues[m.word] {
			names = append(names, c.cat.Cues[ci].Name)
		}
		out = append(out, m.word+"⇒"+strings.Join(names, ","))
	}
	return strings.Join(out, " ")
}

func itemIDs(items [3]*Item) []string {
	var out []string
	for _, it := range items {
		if it == nil {
			out = append(out, "-")
		} else {
			out = append(out, it.ID)
		}
	}
	return out
}

// studySets are all the labelled sets that may be studied since round 5.
func studySets(t testing.TB) []struct {
	name  string
	lines []devLine
} {
	return []struct {
		name  string
		lines []devLine
	}{
		{"dev", readDev(t)}, {"fresh", readFresh(t)}, {"fresh2", readLabelled(t, "testdata/fresh2.tsv")},
		{"odd letters", readOddLetters(t)}, {"spent chat", readSpent(t, "chat")}, {"spent letters", readSpent(t, "letters")},
		{"spent5 chat", readSpentRound(t, 5, "chat")}, {"spent5 letters", readSpentRound(t, 5, "letters")},
		{"spent6 chat", readSpentRound(t, 6, "chat")}, {"spent6 letters", readSpentRound(t, 6, "letters")},
		{"spent7 chat", readSpentRound(t, 7, "chat")}, {"spent7 letters", readSpentRound(t, 7, "letters")},
		{"spent8 chat", readSpentRound(t, 8, "chat")}, {"spent8 letters", readSpentRound(t, 8, "letters")},
		{"spent9 chat", readSpentRound(t, 9, "chat")}, {"spent9 letters", readSpentRound(t, 9, "letters")},
		{"spent10 chat", readSpentRound(t, 10, "chat")}, {"spent10 letters", readSpentRound(t, 10, "letters")},
		{"spent11 chat", readSpentRound(t, 11, "chat")}, {"spent11 letters", readSpentRound(t, 11, "letters")},
		{"spent12 chat", readSpentRound(t, 12, "chat")}, {"spent12 letters", readSpentRound(t, 12, "letters")},
		{"spent13 chat", readSpentRound(t, 13, "chat")}, {"spent13 letters", readSpentRound(t, 13, "letters")},
		{"spent14 chat", readSpentRound(t, 14, "chat")}, {"spent14 letters", readSpentRound(t, 14, "letters")},
		{"spent15 chat", readSpentRound(t, 15, "chat")}, {"spent15 letters", readSpentRound(t, 15, "letters")},
		{"spent16 chat", readSpentRound(t, 16, "chat")}, {"spent16 letters", readSpentRound(t, 16, "letters")},
		{"spent17 chat", readSpentRound(t, 17, "chat")}, {"spent17 letters", readSpentRound(t, 17, "letters")},
		{"spent18 chat", readSpentRound(t, 18, "chat")}, {"spent18 letters", readSpentRound(t, 18, "letters")},
		{"spent19 chat", readSpentRound(t, 19, "chat")}, {"spent19 letters", readSpentRound(t, 19, "letters")},
		{"spent20 chat", readSpentRound(t, 20, "chat")}, {"spent20 letters", readSpentRound(t, 20, "letters")},
		{"spent21 chat", readSpentRound(t, 21, "chat")}, {"spent21 letters", readSpentRound(t, 21, "letters")},
		{"spent22 chat", readSpentRound(t, 22, "chat")}, {"spent22 letters", readSpentRound(t, 22, "letters")},
		{"spent23 chat", readSpentRound(t, 23, "chat")}, {"spent23 letters", readSpentRound(t, 23, "letters")},
		{"spent24 chat", readSpentRound(t, 24, "chat")}, {"spent24 letters", readSpentRound(t, 24, "letters")},
		{"spent25 chat", readSpentRound(t, 25, "chat")}, {"spent25 letters", readSpentRound(t, 25, "letters")},
		{"spent26 chat", readSpentRound(t, 26, "chat")}, {"spent26 letters", readSpentRound(t, 26, "letters")},
		{"spent27 chat", readSpentRound(t, 27, "chat")}, {"spent27 letters", readSpentRound(t, 27, "letters")},
		{"spent28 chat", readSpentRound(t, 28, "chat")}, {"spent28 letters", readSpentRound(t, 28, "letters")},
		{"spent29 chat", readSpentRound(t, 29, "chat")}, {"spent29 letters", readSpentRound(t, 29, "letters")},
		{"spent30 chat", readSpentRound(t, 30, "chat")}, {"spent30 letters", readSpentRound(t, 30, "letters")},
	}
}

// TestStudyTable prints one line of figures per set (TRIAGE_TABLE=1): how a
// change moves every set at once, so that no set is fitted alone.
func TestStudyTable(t *testing.T) {
	if os.Getenv("TRIAGE_TABLE") == "" {
		t.Skip("set TRIAGE_TABLE=1")
	}
	c := testClassifier(t)
	if m, o := os.Getenv("TRIAGE_MARGIN"), os.Getenv("TRIAGE_MINOBJ"); m != "" || o != "" {
		// Vary the asking constants on a classifier of its own.
		cc, err := New(c.Catalog())
		if err != nil {
			t.Fatal(err)
		}
		if m != "" {
			cc.askMargin, _ = strconv.ParseFloat(m, 64)
		}
		if o != "" {
			cc.minObject, _ = strconv.ParseFloat(o, 64)
		}
		c = cc
	}
	if os.Getenv("TRIAGE_ROUND7") == "1" {
		// The round-7 rules: the model only on three-way questions.
		cc, err := New(c.Catalog())
		if err != nil {
			t.Fatal(err)
		}
		cc.modelVeto, cc.modelSettle, cc.modelVetoLong, cc.modelSettleLong = 2, 2, 2, 2
		c = cc
	}
	var b strings.Builder
	b.WriteString("\n| set | n | overall | among decided | asked | nothing to go on | informative |\n|---|---|---|---|---|---|---|\n")
	for _, s := range studySets(t) {
		f := score(c, s.lines, nil)
		fmt.Fprintf(&b, "| %s | %d | %.1f%% | %.1f%% (%d/%d) | %.1f%% (%d) | %.1f%% (%d) | %.1f%% |\n", s.name, f.n, 100*f.overall(),
			100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*ratio(f.nothing, f.n), f.nothing, 100*f.informative())
	}
	t.Log(b.String())
}
