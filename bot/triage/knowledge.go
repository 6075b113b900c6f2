package triage

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/models"
)

// Knowledge is what one community has taught the classifier: its residents'
// own words for matters the catalog does not know (晒坝, a local landmark),
// each with a kind and, when known, a topic. It is a read-only snapshot; the
// storage derives it from votes (models.Learned).
type Knowledge struct {
	words map[string]models.LearnedWord
}

// NewKnowledge builds a snapshot from learned words. Phrases are matched on
// the normalised text, as Phrases produces them.
func NewKnowledge(words []models.LearnedWord) *Knowledge {
	k := &Knowledge{words: make(map[string]models.LearnedWord, len(words))}
	for _, w := range words {
		if w.Phrase != "" && w.Kind.Valid() {
			k.words[w.Phrase] = w
		}
	}
	return k
}

// Len is the number of phrases known.
func (k *Knowledge) Len() int {
	if k == nil {
		return 0
	}
	return len(k.words)
}

// maxPhrases bounds the phrases one text teaches.
const maxPhrases = 8

// stopRunes are function characters (and 人, as in 被人占了), numerals
// and 事 that never start, end or join a local word: they split the runs of
// characters the dictionary does not know (a first user's corrections taught
// 两万 of 借了两万 and 事闹 of 为了房子过户的事闹得很僵).
var stopRunes = map[rune]bool{}

// partRunes are the stop runes that often begin a longer word (天花板,
// 一辆车, 后门): a run right after one may be the rest of that word, and is
// not taught (a locative after a run, 晒坝上, is the common case and stays) (a first user's corrections taught 花板 of 天花板 and 辆车停 of 有辆
// 车停了). 求 is Chongqing's intensifier (坏求了): a stop rune, never a word.
var partRunes = map[rune]bool{}

func init() {
	for _, r := range "的了是在我你他她它们这那有和就都也很被把给让从到对向跟与及或还又再才吗呢吧啊呀哦嘛啦个些一不没么啥哪谁怎几多少好太最更已要会能可想说去来过着得地上下里外中前后边头处天年月日号点次间块每人零〇二两三四五六七八九十百千万亿元事求辆条只张位台棵根盏座" {
		stopRunes[r] = true
	}
	for _, r := range "上下里外中前后边头处天年月日号点次间块辆条只张位台棵根盏座" {
		partRunes[r] = true
	}
}

// Phrases returns the candidate local words of a text: runs of two to six
// characters that neither the catalog nor the common-word dictionary knows
// (the segmenter leaves them as single characters), split at function
// characters. These are what a resident's answer or a committee correction
// teaches about; catalog and common words are already known.
func (c *Classifier) Phrases(text string) []string {
	norm := c.normalise(text)
	if r := []rune(norm); len(r) > maxTextRunes {
		norm = string(r[:maxTextRunes])
	}
	// Cue words are matched on the text, not in the dictionary: their
	// characters split runs as function characters do, so that no fragment
	// of one is taken for a local word (门修 of 上门修一下, 上门 a service
	// cue; found by a first user) and 我家晒坝 teaches 晒坝, not 家晒坝.
	runes := []rune(norm)
	inCue := make([]bool, len(runes))
	for _, m := range c.cueMatches(runes) {
		for i := range utf8.RuneCountInString(m.word) {
			inCue[m.pos+i] = true
		}
	}
	var out []string
	var run []rune
	partBefore := false // the run follows one of partRunes
	flush := func() {
		p := string(run)
		if n := len(run); n >= 2 && n <= 6 && !partBefore && !slices.Contains(out, p) && len(out) < maxPhrases {
			out = append(out, p)
		}
		run = run[:0]
	}
	pos := 0
	for _, tok := range c.seg.cut(norm) {
		r, size := utf8.DecodeRuneInString(tok)
		if size == len(tok) && unicode.Is(unicode.Han, r) && !stopRunes[r] && !inCue[pos] {
			if len(run) == 0 {
				partBefore = pos > 0 && partRunes[runes[pos-1]]
			}
			run = append(run, r)
		} else if len(run) > 0 {
			flush()
		}
		pos += utf8.RuneCountInString(tok)
	}
	if len(run) > 0 {
		flush()
	}
	return out
}

// ClassifyKnowing classifies a text with a community's knowledge. The
// catalog comes first: when it decides, its decision stands (its explicit
// rules outrank what was learned). When it would ask, a learned phrase in
// the text decides instead, if every learned phrase found agrees and the
// kind is among the question's choices; a text with nothing learned in it is
// still asked, with the statistical back-off's two choices when the catalog
// had nothing to go on (learned words rank above the model).
func (c *Classifier) ClassifyKnowing(text string, k *Knowledge) Decision {
	e := c.evidence(text)
	d := c.decideEvidence(e)
	if d.Question == "" || k.Len() == 0 {
		return c.backoff(d, e)
	}
	norm := e.norm
	var found []models.LearnedWord
	for phrase, w := range k.words {
		if strings.Contains(norm, phrase) {
			found = append(found, w)
		}
	}
	if len(found) == 0 {
		return c.backoff(d, e)
	}
	// Longest phrase first: its topic is the most specific.
	sort.Slice(found, func(i, j int) bool {
		li, lj := utf8.RuneCountInString(found[i].Phrase), utf8.RuneCountInString(found[j].Phrase)
		return li > lj || (li == lj && found[i].Phrase < found[j].Phrase)
	})
	kind := found[0].Kind
	for _, w := range found {
		if w.Kind != kind {
			return c.backoff(d, e) // what was learned disagrees: ask
		}
	}
	if !slices.Contains(d.Choices, kind) {
		return c.backoff(d, e) // the catalog's evidence rules that kind out
	}
	out := Decision{Kind: kind, Level: defaultLevel[kind], Confidence: 0.5, Learned: found[0].Phrase}
	it := c.cat.Item(found[0].TopicID)
	if it == nil || it.Kind != kind {
		it = e.bestItem[kindIndex(kind)]
	}
	if it == nil {
		it = c.cat.Fallback(kind)
	}
	if it != nil {
		out.Item, out.Topic, out.Level = it, it.Name, it.Level
	}
	return out
}
