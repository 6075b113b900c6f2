package triage

import (
	"slices"
	"testing"

	"github.com/gongzhi/gongzhi/models"
)

func TestPhrases(t *testing.T) {
	c := testClassifier(t)
	tests := []struct {
		text string
		want string // a phrase that must be among them
		not  []string
	}{
		{"晒坝被人占了", "晒坝", []string{"小区", "被", "人占"}},
		{"滨江步道的栏杆松了", "滨江步道", nil},
		{"我们小区的楼道灯坏了", "", []string{"楼道灯", "小区"}}, // catalog words only: nothing to learn
		// A cue's characters split runs: no fragment of 上门 or 我家.
		{"冰箱不制冷了，有没有师傅上门修一下", "", []string{"门修"}},
		{"我家晒坝被人占了", "晒坝", []string{"家晒坝"}},
		// Numerals and 事 split runs too (found by a first user's corrections).
		{"借了我两万块钱一直不还", "", []string{"两万"}},
		{"我和儿媳妇为了房子过户的事闹得很僵", "", []string{"事闹"}},
		// Nor a fragment of a longer word, nor the intensifier 求 (found by a first user's corrections).
		{"楼上装修把天花板弄得一直滴水", "滴水", []string{"花板"}},
		{"院坝头有辆车停了半年没动过", "", []string{"辆车停", "车停"}},
		{"勒个电梯又坏求了", "", []string{"坏求"}},
	}
	for _, tt := range tests {
		got := c.Phrases(tt.text)
		if tt.want != "" && !slices.Contains(got, tt.want) {
			t.Errorf("Phrases(%q) = %v, want %q among them", tt.text, got, tt.want)
		}
		if tt.want == "" && len(got) != 0 {
			t.Errorf("Phrases(%q) = %v, want none", tt.text, got)
		}
		for _, n := range tt.not {
			if slices.Contains(got, n) {
				t.Errorf("Phrases(%q) = %v holds %q", tt.text, got, n)
			}
		}
	}
	if got := c.Phrases(""); len(got) != 0 {
		t.Errorf("Phrases of nothing = %v", got)
	}
}

func TestClassifyKnowing(t *testing.T) {
	c := testClassifier(t)
	k := NewKnowledge([]models.LearnedWord{
		{Phrase: "晒坝", Kind: models.KindSmall, TopicID: "public-space"},
		{Phrase: "滨江步道", Kind: models.KindMajor, Committee: true},
		{Phrase: "栏杆松", Kind: models.KindSmall}, // disagrees with 滨江步道 in one text
	})
	// Asked without knowledge, decided with it.
	text := "晒坝那边能不能管一下"
	if d := c.Classify(text); d.Question == "" {
		t.Fatalf("%q decided without knowledge (%s): pick another text", text, d.Kind)
	}
	d := c.ClassifyKnowing(text, k)
	checkInvariants(t, d)
	if d.Question != "" || d.Kind != models.KindSmall || d.Topic != "公共空间占用" || d.Learned != "晒坝" {
		t.Errorf("with knowledge: %s %q asked=%v learned=%q, want small 公共空间占用 decided by 晒坝", d.Kind, d.Topic, d.Choices, d.Learned)
	}
	// A learned major without a topic gets the kind's best item or catch-all.
	d = c.ClassifyKnowing("滨江步道上好多人遛狗不牵绳", k)
	checkInvariants(t, d)
	if d.Question != "" && d.Learned != "" {
		t.Errorf("asked yet learned %q", d.Learned)
	}
	// The catalog's explicit rules come first: a decided text stays decided.
	plain := c.Classify("楼道灯坏了")
	if got := c.ClassifyKnowing("楼道灯坏了", NewKnowledge([]models.LearnedWord{{Phrase: "楼道灯", Kind: models.KindMajor}})); got.Kind != plain.Kind || got.Learned != "" {
		t.Errorf("learned word overrode the catalog: %s, want %s", got.Kind, plain.Kind)
	}
	// Learned phrases that disagree: still asked.
	if d := c.ClassifyKnowing("滨江步道的栏杆松了", k); d.Question == "" {
		t.Errorf("disagreeing phrases decided %s", d.Kind)
	}
	// Nothing learned in the text: still asked.
	if d := c.ClassifyKnowing("请问一下", k); d.Question == "" || len(d.Choices) != 3 { // "我想问个事" until round 19 (now narrowed to two by the model)
		t.Errorf("text with nothing to go on: %v", d.Choices)
	}
	// No knowledge at all is the plain classifier.
	if d := c.ClassifyKnowing(text, nil); d.Question == "" {
		t.Error("nil knowledge decided")
	}
}
