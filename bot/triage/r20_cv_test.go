package triage

import (
	"os"
	"slices"
	"testing"
)

// Round 20: catalog additions for the chat lines of rounds 9–19 decided
// wrong out of fold. A cueVariant is the built-in catalog with words added
// to cue groups (cue name → words) and items (item id → words), and (round
// 21's yields, since round 23 here too) yields_to relations added to cue
// groups (cue name → the cue names it yields to); each variant's model is
// trained from its own catalog's words without the fold, as
// TestWordRemovalCV does, and variantReport gives the nested estimate.
type cueVariant struct {
	name   string
	cues   map[string][]string
	items  map[string][]string
	yields map[string][]string
}

var cvCueVariants = []cueVariant{
	{"shipped", nil, nil, nil},
	// The road or ground just outside the compound (小区外, cited in
	// vocabulary.txt): a place outside, which the longest-first match keeps
	// from counting as the compound's 小区.
	{"outside += 小区外", map[string][]string{"outside": {"小区外"}}, nil, nil},
	// Underpasses that flood (涵洞, 立交桥: a 衡阳 news page; 下穿隧道:
	// a 泸州 news page, both of residents reporting water under a bridge).
	{"outside += 涵洞, 立交桥, 下穿隧道", map[string][]string{"outside": {"涵洞", "立交桥", "下穿隧道"}}, nil, nil},
	// A shop's service gone wrong is a consumer dispute (干洗店, 洗坏:
	// qlwb.com.cn and cnnb.com.cn pages on dry-cleaning disputes); a scrape
	// settled between drivers (私了: a page on scraped cars) is theirs.
	{"consumer += 干洗店, 洗坏; personal_dispute += 私了", map[string][]string{"consumer": {"干洗店", "洗坏"}, "personal_dispute": {"私了"}}, nil, nil},
}

// catalogWith is the built-in catalog with v's words and yields_to
// relations added (round 20's cue words, round 21's yields, round 22's
// refund words).
func catalogWith(t testing.TB, v cueVariant) *Classifier {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	cue := func(name string) int {
		i := slices.IndexFunc(cat.Cues, func(c Cue) bool { return c.Name == name })
		if i < 0 {
			t.Fatalf("%s: no cue %s", v.name, name)
		}
		return i
	}
	for name, words := range v.cues {
		i := cue(name)
		cat.Cues[i].Words = append(slices.Clone(cat.Cues[i].Words), words...)
	}
	for name, to := range v.yields {
		i := cue(name)
		for _, y := range to {
			cue(y)
		}
		cat.Cues[i].YieldsTo = append(slices.Clone(cat.Cues[i].YieldsTo), to...)
	}
	for id, words := range v.items {
		it := cat.Item(id)
		if it == nil {
			t.Fatalf("%s: no item %s", v.name, id)
		}
		it.Words = append(slices.Clone(it.Words), words...)
	}
	c, err := New(cat)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCueAdditionCV: out of fold, the classifier with each cueVariant (its
// model trained without the fold from its own catalog), reported as
// variantCV does. TRIAGE_R20=1; about a minute.
func TestCueAdditionCV(t *testing.T) {
	if os.Getenv("TRIAGE_R20") == "" {
		t.Skip("set TRIAGE_R20=1")
	}
	names := make([]string, len(cvCueVariants))
	for i, v := range cvCueVariants {
		names[i] = v.name
	}
	t.Log(catalogVariantCV(t, names, func(i int) *Classifier { return catalogWith(t, cvCueVariants[i]) }))
}
