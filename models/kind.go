// Package models holds Gongzhi's domain: appeals and their kinds, levels and
// lifecycle, residents, communities, the store interfaces and the error codes.
// It imports nothing of ours and no transport or storage library.
package models

import "fmt"

// Kind is the "three things diversion" (三事分流) class of an appeal.
type Kind string

// The three kinds of domain.md.
const (
	KindMajor   Kind = "major"   // 大事: government administration and basic public services
	KindSmall   Kind = "small"   // 小事: community self-government and public welfare
	KindPrivate Kind = "private" // 私事: personal affairs and market services
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{KindMajor, KindSmall, KindPrivate}

// Valid reports whether k is one of the three kinds.
func (k Kind) Valid() bool { return k == KindMajor || k == KindSmall || k == KindPrivate }

// ParseKind turns the contract's spelling into a Kind.
func ParseKind(s string) (Kind, error) {
	k := Kind(s)
	if !k.Valid() {
		return "", fmt.Errorf("kind %q: want major, small or private", s)
	}
	return k, nil
}

// Level is the handling level of an appeal (list-based management).
type Level string

// Handling levels: community (社区即办), street/department (街镇部门限时办),
// district (区级统筹办), and self for private matters the resident settles.
const (
	LevelCommunity Level = "community"
	LevelStreet    Level = "street"
	LevelDistrict  Level = "district"
	LevelSelf      Level = "self"
)

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	switch l {
	case LevelCommunity, LevelStreet, LevelDistrict, LevelSelf:
		return true
	}
	return false
}

// ParseLevel turns the contract's spelling into a Level.
func ParseLevel(s string) (Level, error) {
	l := Level(s)
	if !l.Valid() {
		return "", fmt.Errorf("level %q: want community, street, district or self", s)
	}
	return l, nil
}

// Next is the level an overdue or escalated appeal moves up to; ok is false at the top.
func (l Level) Next() (Level, bool) {
	switch l {
	case LevelCommunity:
		return LevelStreet, true
	case LevelStreet:
		return LevelDistrict, true
	}
	return l, false
}
