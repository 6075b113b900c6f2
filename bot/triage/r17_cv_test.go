package triage

import (
	"math"
	"os"
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
	names := make([]string, len(cvPlaceOnlyVariants))
	for i, v := range cvPlaceOnlyVariants {
		names[i] = v.name
	}
	t.Log(variantCV(t, names, func(cc *Classifier, i int, text string) Decision {
		return classifyPlaceOnly(cc, cvPlaceOnlyVariants[i], text)
	}))
}
