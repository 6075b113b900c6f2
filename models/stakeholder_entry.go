package models

import (
	"strings"
	"unicode/utf8"
)

// StakeholderEntry is a directory entry as someone typed it (admin API or console).
type StakeholderEntry struct {
	Kind, Name, Contact, OpenID, Phone string
	Buildings                          []string // normalised building numbers
}

// Stakeholder validates the entry: a kind, a name, and a way to reach them
// (an openid that follows the account, or a phone).
func (b StakeholderEntry) Stakeholder(community string) (*Stakeholder, error) {
	k := StakeholderKind(b.Kind)
	name := TrimText(b.Name)
	phone := strings.TrimSpace(b.Phone)
	openID := strings.TrimSpace(b.OpenID)
	switch {
	case !k.Valid():
		return nil, Errorf(EINVALID, "kind %q: want property, owners_committee, social_org, social_worker or social_unit", b.Kind)
	case name == "" || utf8.RuneCountInString(name) > 64:
		return nil, Errorf(EINVALID, "name: want 1 to 64 characters")
	case openID == "" && phone == "":
		return nil, Errorf(EINVALID, "give an openid (if they follow the account) or a phone for the organiser's call list")
	case len(openID) > 64 || len(phone) > 32 || utf8.RuneCountInString(b.Contact) > 64:
		return nil, Errorf(EINVALID, "openid, phone or contact too long")
	}
	var bs []string
	for _, x := range b.Buildings {
		if x != "" {
			bs = append(bs, x)
		}
	}
	return &Stakeholder{CommunityID: community, Kind: k, Name: name, Contact: TrimText(b.Contact),
		OpenID: openID, Phone: phone, Buildings: strings.Join(bs, ",")}, nil
}
