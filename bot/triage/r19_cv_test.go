package triage

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Round 19: letters under 80 characters. Round 18 found that 45 of the 84
// asked and 22 of the 37 wrong letters of rounds 9–17 (out of fold) are
// under longTextRunes: excerpts of a letter, which get the chat thresholds
// of the model's second opinion. A shortVoiceVariant gives a text under
// longTextRunes the long-text thresholds (or some of them) when it is at
// least minRunes characters long and, if markers is not empty, says one of
// the letter-voice markers (尊敬的, 领导, 您好, 恳请 …); the cue counting and
// the request rule of long texts are not applied. A chat message that says
// no marker and is shorter than minRunes is classified as shipped by
// construction; the chat folds show what the rest cost.
type shortVoiceVariant struct {
	markers  []string
	minRunes int
	settle   bool // the long text's settle threshold
	veto     bool // the long text's veto threshold and lead
}

var (
	letterVoiceNarrow = []string{"尊敬的", "领导", "您好", "恳请"}
	letterVoiceWide   = []string{"尊敬的", "领导", "您好", "恳请", "反映", "希望", "请求", "相关部门", "有关部门"}
)

func (v shortVoiceVariant) String() string {
	if !v.settle && !v.veto {
		return "off (round 18)"
	}
	m := "any text"
	switch len(v.markers) {
	case len(letterVoiceNarrow):
		m = "narrow markers"
	case len(letterVoiceWide):
		m = "wide markers"
	}
	th := "settle and veto"
	if !v.veto {
		th = "settle"
	} else if !v.settle {
		th = "veto"
	}
	return fmt.Sprintf("%s, ≥ %d: %s", m, v.minRunes, th)
}

// cvShortVoiceVariants: off first, then markers × length × thresholds.
var cvShortVoiceVariants = func() []shortVoiceVariant {
	out := []shortVoiceVariant{{}}
	for _, th := range [][2]bool{{true, true}, {true, false}, {false, true}} {
		for _, m := range [][]string{letterVoiceNarrow, letterVoiceWide} {
			for _, r := range []int{0, 30, 50} {
				out = append(out, shortVoiceVariant{m, r, th[0], th[1]})
			}
		}
		for _, r := range []int{40, 50, 60} {
			out = append(out, shortVoiceVariant{nil, r, th[0], th[1]})
		}
	}
	return out
}()

// classifyShortVoice is Classify with the variant v on the round-18
// classifier (letterVoice off). Round 19 shipped "wide markers, ≥ 0: settle
// and veto" (letterVoice in model.go), the nested pick of the marker family.
func classifyShortVoice(shipped *Classifier, v shortVoiceVariant, text string) Decision {
	c := *shipped
	c.letterVoice = nil // the round-18 classifier; the variant alone decides
	if !v.settle && !v.veto {
		return c.Classify(text)
	}
	norm := c.normalise(text)
	n := utf8.RuneCountInString(norm)
	if n >= c.longText || n < v.minRunes {
		return c.Classify(text)
	}
	if len(v.markers) > 0 {
		said := false
		for _, m := range v.markers {
			said = said || strings.Contains(norm, c.normalise(m))
		}
		if !said {
			return c.Classify(text)
		}
	}
	cv := c
	if v.settle {
		cv.modelSettle = c.modelSettleLong
	}
	if v.veto {
		cv.modelVeto, cv.modelVetoLead = c.modelVetoLong, c.modelVetoLeadLong
	}
	return cv.Classify(text)
}

// TestShortVoiceCV: out of fold (the model trained without the fold), the
// shipped classifier with each short letter-voice variant (variantCV).
// TRIAGE_R19=1 (or markers); about half a minute.
func TestShortVoiceCV(t *testing.T) {
	if os.Getenv("TRIAGE_R19") == "" {
		t.Skip("set TRIAGE_R19=1")
	}
	// TRIAGE_R19=markers: the family the brief named, letter-voice markers
	// only (off and the narrow and wide markers: chat messages that say none
	// are classified as shipped); otherwise the whole grid.
	variants := cvShortVoiceVariants
	if os.Getenv("TRIAGE_R19") == "markers" {
		variants = nil
		for _, v := range cvShortVoiceVariants {
			if len(v.markers) > 0 || (!v.settle && !v.veto) {
				variants = append(variants, v)
			}
		}
	}
	names := make([]string, len(variants))
	for i, v := range variants {
		names[i] = v.String()
	}
	t.Log(variantCV(t, names, func(cc *Classifier, i int, text string) Decision {
		return classifyShortVoice(cc, variants[i], text)
	}))
}

// A catalogVariant is the catalog with some item words removed (round 19:
// words that misfire in chat and letters of the recent rounds — 黑的, an
// unlicensed taxi, in "一大片黑的" (mould); 结冰, a fridge's ice, on a frozen
// stair pipe; 采光 of a tree's shade when a tower blocks the light). Each
// variant's model is trained from its own catalog's words without the fold.
type catalogVariant struct {
	name   string
	remove map[string][]string // item id → words removed
}

var cvCatalogVariants = []catalogVariant{
	{"shipped", nil},
	{"without 黑的", map[string][]string{"public-transport": {"黑的"}}},
	{"without 结冰", map[string][]string{"appliance-repair": {"结冰"}}},
	{"without 采光", map[string][]string{"greenery": {"采光"}}},
	{"without 黑的, 结冰, 采光", map[string][]string{"public-transport": {"黑的"}, "appliance-repair": {"结冰"}, "greenery": {"采光"}}},
}

// catalogWithout is the built-in catalog with v's words removed.
func catalogWithout(t testing.TB, v catalogVariant) *Classifier {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for id, words := range v.remove {
		it := cat.Item(id)
		if it == nil {
			t.Fatalf("%s: no item %s", v.name, id)
		}
		for _, w := range words {
			i := slices.Index(it.Words, w)
			if i < 0 {
				t.Fatalf("%s: %s has no word %s", v.name, id, w)
			}
			it.Words = slices.Delete(slices.Clone(it.Words), i, i+1)
		}
	}
	c, err := New(cat)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// catalogVariantCV scores catalog variants out of fold: build(i) is variant
// i's classifier, whose model is trained without each fold from its own
// catalog; reported as variantCV does.
func catalogVariantCV(t *testing.T, names []string, build func(i int) *Classifier) string {
	sets := modelSets(t)
	per := make([]foldFigures, len(names))
	for i := range names {
		per[i] = foldFigures{}
		base := build(i)
		for _, s := range sets {
			cc := withModel(t, base, ownTrainingDocs(base, sets, s.name), modelDecide)
			per[i][s.name] = score(cc, s.lines, nil)
		}
	}
	var folds []string
	for _, s := range sets {
		folds = append(folds, s.name)
	}
	return variantReport(names, per, folds)
}

// TestWordRemovalCV: out of fold, the classifier with each catalog variant
// (its model trained without the fold from its own catalog), reported as
// variantCV does. TRIAGE_R19=1; about two minutes.
func TestWordRemovalCV(t *testing.T) {
	if os.Getenv("TRIAGE_R19") == "" {
		t.Skip("set TRIAGE_R19=1")
	}
	names := make([]string, len(cvCatalogVariants))
	for i, v := range cvCatalogVariants {
		names[i] = v.name
	}
	t.Log(catalogVariantCV(t, names, func(i int) *Classifier { return catalogWithout(t, cvCatalogVariants[i]) }))
}
