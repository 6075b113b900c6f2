package models

import (
	"testing"
	"time"
)

func TestLearned(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	v := func(phrase, voter string, committee bool, k Kind, topic string, min int) LearningVote {
		return LearningVote{CommunityID: "c1", Phrase: phrase, Voter: voter, Committee: committee, Kind: k, TopicID: topic,
			CreatedAt: t0.Add(time.Duration(min) * time.Minute)}
	}
	got := Learned([]LearningVote{
		// one resident alone cannot teach
		v("晒坝", "r1", false, KindSmall, "public-space", 1),
		// two distinct residents agreeing teach
		v("黄葛树", "r1", false, KindSmall, "greenery", 1),
		v("黄葛树", "r2", false, KindSmall, "", 2),
		// residents who disagree teach nothing
		v("步道", "r1", false, KindSmall, "", 1),
		v("步道", "r2", false, KindMajor, "", 2),
		// a committee correction outweighs residents; the latest one counts
		v("滨江", "r1", false, KindSmall, "", 1),
		v("滨江", "r2", false, KindSmall, "", 2),
		v("滨江", "committee", true, KindPrivate, "", 3),
		v("滨江", "committee2", true, KindMajor, "municipal-roads", 4),
		// invalid votes are ignored
		v("坏", "r1", false, Kind("huge"), "", 1),
		v("", "r2", false, KindSmall, "", 1),
	})
	want := []LearnedWord{
		{Phrase: "滨江", Kind: KindMajor, TopicID: "municipal-roads", Committee: true, Since: t0.Add(4 * time.Minute)},
		{Phrase: "黄葛树", Kind: KindSmall, TopicID: "greenery", Voters: 2, Since: t0.Add(2 * time.Minute)},
	}
	if len(got) != len(want) {
		t.Fatalf("Learned = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Learned[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if Learned(nil) != nil {
		t.Error("Learned(nil) is not empty")
	}
}
