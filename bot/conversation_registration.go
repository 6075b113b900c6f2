package bot

import (
	"fmt"

	"github.com/gongzhi/gongzhi/bot/address"
)

// askAddress starts registration; a draft in progress is kept and resumed
// once the address is confirmed.
func (s *step) askAddress(text string) {
	s.data.Address = nil
	s.goTo(StateAddress)
	s.say(text)
}

// addressText parses the address the resident sent.
func (s *step) addressText(text string) {
	a, ok := address.Parse(text)
	// A building inside other words with no room ("6栋楼下化粪池很臭") is a
	// description, not a home (a user's was offered as the address "6栋").
	if !ok || a.Building == "" || (a.Room == "" && otherRunes(normWord(text)) > maxAddressWords) {
		s.say(s.e.Msg.AddressUnreadable)
		return
	}
	s.data.Address = &addrDraft{Building: a.Building, Unit: a.Unit, Room: a.Room}
	s.goTo(StateAddressConfirm)
	s.sayf(s.e.Msg.ConfirmAddressF, s.formatAddress(a.Building, a.Unit, a.Room))
}

// addressConfirm stores the confirmed address with its grid, then resumes
// the appeal that needed it, if any.
func (s *step) addressConfirm(text string) error {
	m := &s.e.Msg
	a := s.data.Address
	if a == nil { // cannot happen with our own data; ask afresh
		s.askAddress(m.AskAddressChange)
		return nil
	}
	switch yesNo(text) {
	case 1:
	case 2:
		s.askAddress(m.AskAddressChange)
		return nil
	default:
		// A resident may simply send the corrected address.
		if b, ok := address.Parse(text); ok && b.Building != "" {
			s.addressText(text)
			return nil
		}
		s.say(m.YesNoHint + "\n" + s.prompt())
		return nil
	}
	s.res.Building, s.res.Unit, s.res.Room = a.Building, a.Unit, a.Room
	s.res.GridID = ""
	var saved string
	if g := s.community().GridOf(a.Building); g != nil {
		s.res.GridID = g.ID
		saved = fmt.Sprintf(m.AddressSavedF, g.Name)
	} else {
		saved = fmt.Sprintf(m.AddressNoGridF, a.Building)
	}
	s.data.Address = nil
	if s.data.Draft == nil {
		s.goTo(StateIdle)
		s.say(saved + m.AddressThenProblem)
		return nil
	}
	// Resume the appeal: its routing and duplicates depend on the address.
	s.say(saved)
	return s.continueDraft()
}
