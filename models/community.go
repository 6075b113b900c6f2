package models

import "time"

// Community is one urban community (社区) with its own official account,
// grids and list. Every record belongs to exactly one community.
type Community struct {
	ID        string `gorm:"primaryKey;size:64"`
	Name      string `gorm:"size:128;not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Resident is a follower of a community's official account, identified by
// the OpenID WeChat gives them for that account. Building, Unit and Room are
// personal data: they never appear in logs or public output.
type Resident struct {
	ID          uint64 `gorm:"primaryKey"`
	CommunityID string `gorm:"size:64;not null;uniqueIndex:ux_resident_openid,priority:1"`
	OpenID      string `gorm:"column:open_id;size:64;not null;uniqueIndex:ux_resident_openid,priority:2"`
	Building    string `gorm:"size:16"`
	Unit        string `gorm:"size:16"`
	Room        string `gorm:"size:16"`
	GridID      string `gorm:"size:64;index"`
	Subscribed  bool   `gorm:"not null;default:false"`
	// LastMessageAt opens WeChat's 48-hour customer-service window.
	LastMessageAt *time.Time
	// AskedRef is the appeal whose handler last asked this resident a
	// question (进展 SQ… 请问是几楼？) that they have not answered yet, and
	// AskedAt when: the resident's next words are their answer (Turn.Asks).
	// Written only through Turn.Asks, never by the resident's upsert.
	AskedRef  string `gorm:"size:24"`
	AskedAt   *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Registered reports whether the resident has given a home address.
func (r *Resident) Registered() bool { return r != nil && r.Building != "" }
