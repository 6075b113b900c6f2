package triage

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestSpent29AsScored (TRIAGE_R30=spend): the round-29 set scored by the
// model trained without either of its halves, the model the lead scored it
// with at 1106d07 (chat 137/138, 10 asked; letters 9/9, 1 asked), with the
// catalog as it was then (without round 30's place words, r30PlaceWords) —
// the lead's score — and with the shipped catalog. The "spent29 chat" and
// "spent29 letters" folds of TestChatStudyCV each train on the other half,
// so they need not reproduce the lead's score (round 30, as round 29's
// TestSpent28AsScored).
func TestSpent29AsScored(t *testing.T) {
	if os.Getenv("TRIAGE_R30") != "spend" {
		t.Skip("set TRIAGE_R30=spend")
	}
	base := testClassifier(t)
	var keep, held []modelSet
	for _, s := range modelSets(t) {
		if s.name == "spent29 chat" || s.name == "spent29 letters" {
			held = append(held, s)
		} else {
			keep = append(keep, s)
		}
	}
	shipped := withModel(t, base, trainingDocs(t, keep, ""), modelDecide)
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for i := range cat.Cues {
		if cat.Cues[i].Name == "outside" {
			cat.Cues[i].Words = slices.DeleteFunc(slices.Clone(cat.Cues[i].Words), func(w string) bool { return slices.Contains(r30PlaceWords, w) })
		}
	}
	asScored, err := New(cat)
	if err != nil {
		t.Fatal(err)
	}
	asScored.model, asScored.modelDecide = shipped.model, modelDecide
	var b strings.Builder
	for _, v := range []struct {
		name string
		c    *Classifier
	}{{"the catalog at 1106d07", asScored}, {"the shipped catalog", shipped}} {
		for _, s := range held {
			f := score(v.c, s.lines, nil)
			fmt.Fprintf(&b, "\n%s without either half, %s: %.1f %% (%d/%d) among decided, %.1f %% (%d) asked, %.1f %% informative",
				s.name, v.name, 100*f.amongDecided(), f.rightDecided, f.decided, 100*f.askedShare(), f.asked, 100*f.informative())
		}
	}
	t.Log(b.String())
}

// r30PlaceWords are the outside cue's words shipped in round 30.
var r30PlaceWords = []string{"小区外", "小区附近", "小区周边"}

// Round 30: letters, by the place and the party they name. The family and
// the rule are fixed here (and in docs/classification.md, "Round 30") before
// any figure of a variant was seen.
//
// The study (TRIAGE_R14=letters, after the round-29 set was spent): of the
// 664 letters of rounds 9–29, out of fold, 558 are decided (512 right, 46
// wrong) and 106 asked. Of the 46 wrong, 40 are the catalog's own decision
// (major decided small 12, small decided private 8, private decided major
// 6, major decided private 5, private decided small 5, small decided major
// 4) and 6 a two-choice question settled by the model; 30 of the 46 are
// under 80 characters (excerpts), where the request rule does not apply.
// Whom a letter asks to act is rarely the cause: over every letter fold a
// request sentence of a letter of 80 characters or more names a party in
// 156 letters, and the party's kind is the label's in 133 of them (the
// government 121 of 132, the compound 11 of 14, the person's own contract 1
// of 10; fitted, 8 of those 9 major letters are decided right by other
// evidence and one is asked). The place a letter names is a cause: a road, a sewer, a dog or
// a street light "by the compound" (小区附近, 小区外) counts as the
// compound's 小区, and a business the catalog does not name (a hotel,
// 酒店; a flue, 烟道) leaves its neighbours' words (楼下, 我家) to decide.
//
// The family (each the shipped classifier — rules, thresholds, the model
// trained on the snapshot's words and every labelled set but the fold —
// with cited catalog words added; the model's word snapshot does not move,
// so a word moves only the lines that contain it):
//
//   - shipped;
//   - place: the outside cue += 小区外 (vocabulary.txt, the 垃圾中转站
//     page), 小区附近 (odd letter 5331: a school planned near a compound),
//     小区周边 (odd letter 1309: pylons around a compound) — a place by
//     the compound, outside it; the longest-first match keeps their 小区
//     from counting as the compound's;
//   - business: the business cue += 酒店 (odd letters 34961, 100611: a
//     hotel), the restaurant-fumes item += 烟道 (odd letter 181619: a hot-pot
//     shop's flue);
//   - place and business.
//
// The rule (r30Choose, round 29's kind of rule with the shipped classifier
// as the reference): a variant is eligible when, against shipped, (a) the
// chat folds (every one) have no more lines decided wrong and no more asked
// and (b) right among decided over every letter fold (the odd letters and
// rounds 4–29 pooled, 1,185 letters) is not lower. Among the eligible
// (shipped always is), ship the one with the least letter goal gap out of
// fold over the letters of rounds 9–29 pooled (r26Gap); ties go to the
// earlier variant, shipped first; shipped chosen ships nothing. The nested
// estimate is reported, not part of the rule.
//
// The rule picked place (run once at ae139c2): against shipped it decides 5
// more chat lines right and asks 4 fewer (4233/4302, 389 → 4238/4306, 385),
// keeps every letter fold's right among decided (988/1045 → 989/1045: do033
// right, a001 asked instead of wrong, dl003 wrong instead of asked) and
// lowers the gap over letters 9–29 (0.0921 → 0.0903); business moved no
// letter and decided one chat line wrong (x150's 烟道 is a home's flue), so
// it failed (a); place and business passed (its chat wrong as shipped's, 69)
// with place's letter figures and lost the tie to the earlier variant. The
// place words shipped in
// catalog.yaml; the variants name their words, so a rerun reproduces the
// table (its shipped row is then the catalog with them).
var r30Variants = []cueVariant{
	{"shipped", nil, nil, nil},
	{"place: outside += 小区外, 小区附近, 小区周边", map[string][]string{"outside": {"小区外", "小区附近", "小区周边"}}, nil, nil},
	{"business: business += 酒店; restaurant-fumes += 烟道", map[string][]string{"business": {"酒店"}}, map[string][]string{"restaurant-fumes": {"烟道"}}, nil},
	{"place and business", map[string][]string{"outside": {"小区外", "小区附近", "小区周边"}, "business": {"酒店"}}, map[string][]string{"restaurant-fumes": {"烟道"}}, nil},
}

// r30Choose is round 30's rule over the folds but skip ("" for none): round
// 29's rule (r29Choose) with variant 0 the shipped classifier.
func r30Choose(per []foldFigures, skip string) int { return r29Choose(per, skip) }

// TestLetterPlaceWordsCV: out of fold, round 30's family (r30Variants), each
// group of folds per variant with the letter goal gap, the rule's choice
// and the nested estimate; TRIAGE_R30=show also lists the lines whose
// outcome differs from the shipped classifier's. TRIAGE_R30=1; about two
// minutes.
func TestLetterPlaceWordsCV(t *testing.T) {
	mode := os.Getenv("TRIAGE_R30")
	if mode != "1" && mode != "show" {
		t.Skip("set TRIAGE_R30=1")
	}
	sets := modelSets(t)
	variants := make([]*Classifier, len(r30Variants))
	for i, v := range r30Variants {
		variants[i] = catalogWith(t, v)
	}
	per, moves, folds := runVariants(t, sets, len(r30Variants), func(i int, vc, cc *Classifier) {
		*vc = *variants[i]
		vc.model, vc.modelDecide = cc.model, modelDecide
	})
	names := make([]string, len(r30Variants))
	for i, v := range r30Variants {
		names[i] = v.name
	}
	logVariants(t, names, per, moves, folds, sets, r30Choose, fmt.Sprintf("letters 9–%d; against shipped: chat folds no worse, right among decided over every letter fold no lower", recentLast), mode == "show")
}
