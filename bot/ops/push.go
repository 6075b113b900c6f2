package ops

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// pushKey is a push's idempotency key: one per appeal, action, number of
// events before it (which makes a second accept after a reopen a new push)
// and recipient.
func pushKey(ref string, act models.Action, n int, openID string) string {
	return "appeal:" + ref + ":" + string(act) + ":" + strconv.Itoa(n) + ":" + openID
}

// cardLine is the longest value of a template's thing field (WeChat's 2023 rules).
const cardLine = 20

// card is an appeal push's template data (models.AppealCard): what act did
// to a, now.
func (s *Appeals) card(a *models.Appeal, ref string, act models.Action, note string) string {
	return s.cardOf(a, ref, s.sm.CardPhrases[string(act)], note)
}

// cardOf is an appeal push's template data with the phrase given (紧急任务,
// 承办人提问), now.
func (s *Appeals) cardOf(a *models.Appeal, ref, phrase, note string) string {
	return models.AppealCard(a.Topic, ref, phrase, note, s.now().In(s.loc).Format(s.pm.TimeLayout))
}

// rateLine is a resolution card's one line: what was done, then how to rate.
func rateLine(sm *messages.StaffMessages, note string) string {
	return messages.Clip(note, cardLine-1-utf8.RuneCountInString(sm.CardRateHint)) + "·" + sm.CardRateHint
}

// assignAction is the step that gives appeal a to another handler: assign
// while it waits for one, reassign while handled; false when neither may be
// taken now.
func assignAction(a *models.Appeal) (models.Action, bool) {
	switch {
	case models.Allowed(a.Status, models.ActAssign):
		return models.ActAssign, true
	case models.Allowed(a.Status, models.ActReassign):
		return models.ActReassign, true
	}
	return "", false
}

// push adds one push per distinct openid to out.
func push(out *[]*models.OutboxMessage, communityID, typ string, key func(openID string) string, text, data string, openIDs ...[]string) {
	seen := map[string]bool{}
	for _, o := range *out {
		seen[o.Key] = true
	}
	for _, list := range openIDs {
		for _, o := range list {
			k := key(o)
			if o == "" || seen[k] {
				continue
			}
			seen[k] = true
			*out = append(*out, &models.OutboxMessage{CommunityID: communityID, OpenID: o, Type: typ, Text: text, Data: data, Key: k})
		}
	}
}

// pushTo adds ch's pushes of act to the given openids: text for a
// customer-service message, note for the template's card.
func (s *Appeals) pushTo(ch *Change, act models.Action, typ, text, note string, to ...[]string) {
	a := ch.Appeal
	push(&ch.Outbox, a.CommunityID, typ, func(o string) string { return pushKey(a.Ref, act, ch.events(), o) }, text,
		s.card(a, a.Ref, act, note), to...)
}

// pushAssigned tells a's handler(s) about a new task: reference, summary,
// deadline and how to answer. ref may be a models.RefPlaceholder.
func (s *Appeals) pushAssigned(ctx context.Context, out *[]*models.OutboxMessage, a *models.Appeal, ref string, n int) error {
	if s.staff == nil || a.Assignee == "" {
		return nil
	}
	to, err := s.staff.HandlerOpenIDs(ctx, a)
	if err != nil {
		return fmt.Errorf("handlers: %w", err)
	}
	sm, m := s.sm, s.msg
	place, contact := s.TaskPlace(ctx, a), s.TaskContact(a, ref)
	text := fmt.Sprintf(sm.PushAssignedF, ref, a.Topic, m.KindNames[string(a.Kind)], place,
		messages.Clip(a.Description, 80), s.Due(a.DueAt), contact, ref, ref)
	if len(to) == 0 && a.Assignee != models.RolePlaceholder(models.RoleCommittee) {
		// Waiting for a role nobody holds yet (no liaison of the department,
		// no coordinator bound): the committee hears of it, to forward it or
		// to invite that person, so the task is not left with no one told
		// (found by a first user). The assignee stays: whoever binds takes it.
		if to, err = s.committee(ctx, a.CommunityID); err != nil {
			return err
		}
		text = fmt.Sprintf(sm.NoHandlerF, a.Unit) + text
	}
	// A task whose words speak of danger now (电梯关人, 煤气味) says so first:
	// the resident was told to call for help, the handler should go at once.
	card := s.card(a, ref, models.ActAssign, place)
	if messages.Urgent(a.Description) {
		text = sm.UrgentTask + text
		// A template says it too, with the words of danger, not only the place.
		card = s.cardOf(a, ref, sm.CardUrgent, messages.Clip(a.Description, cardLine))
		if n == 0 {
			// A new urgent appeal reaches the committee too, whoever handles
			// it (found by a second user: only the grid worker heard of a gas leak).
			cs, err := s.committee(ctx, a.CommunityID)
			if err != nil {
				return err
			}
			to = append(slices.Clip(to), cs...)
		}
	}
	push(out, a.CommunityID, models.PushTaskAssigned, func(o string) string { return pushKey(ref, models.ActAssign, n, o) }, text, card, to)
	return nil
}

func (s *Appeals) followers(ctx context.Context, a *models.Appeal) ([]string, error) {
	if s.staff == nil {
		return nil, nil
	}
	fs, err := s.staff.FollowerOpenIDs(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("followers: %w", err)
	}
	return fs, nil
}

func (s *Appeals) committee(ctx context.Context, communityID string) ([]string, error) {
	if s.staff == nil {
		return nil, nil
	}
	cs, err := s.staff.CommitteeOpenIDs(ctx, communityID)
	if err != nil {
		return nil, fmt.Errorf("committee: %w", err)
	}
	return cs, nil
}

func (s *Appeals) handlers(ctx context.Context, a *models.Appeal) ([]string, error) {
	if s.staff == nil {
		return nil, nil
	}
	hs, err := s.staff.HandlerOpenIDs(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	return hs, nil
}

// residentReader is the store's read of a resident's registered address.
type residentReader interface {
	Resident(ctx context.Context, communityID, openID string) (*models.Resident, error)
}

// residentUnit is the unit (单元) of the author's registered home when it
// is in the appeal's building ("" when unknown).
func (s *Appeals) residentUnit(ctx context.Context, a *models.Appeal) string {
	rr, ok := s.staff.(residentReader)
	if !ok || a.OpenID == "" {
		return ""
	}
	r, err := rr.Resident(ctx, a.CommunityID, a.OpenID)
	if err != nil || r == nil || r.Building != a.Building {
		return ""
	}
	return r.Unit
}

// TaskPlace is where a handler goes for appeal a, as its task says: the
// building (with the resident's unit when it is their home), else the
// place of a location sent, else 未登记.
func (s *Appeals) TaskPlace(ctx context.Context, a *models.Appeal) string {
	sm, m := s.sm, s.msg
	unit := ""
	if a.Building != "" {
		unit = s.residentUnit(ctx, a)
	}
	switch {
	case unit != "":
		return fmt.Sprintf(sm.PlaceUnitF, a.Building, unit)
	case a.Building != "":
		return fmt.Sprintf(m.AddressBuildingF, a.Building)
	case a.Location != "":
		if _, label, ok := strings.Cut(a.Location, " "); ok && strings.TrimSpace(label) != "" {
			return strings.TrimSpace(label)
		}
	}
	return sm.NoPlace
}

// TaskContact is how a handler reaches the resident of appeal a (ref may
// be a placeholder): the phone they wrote, else a chat reply.
func (s *Appeals) TaskContact(a *models.Appeal, ref string, evs ...*models.AppealEvent) string {
	phone := models.PhoneIn(a.Description)
	// Else the latest the author gave in a note (方便留个电话吗？ answered;
	// found by a second user: the task still said 居民未留电话).
	for i := len(evs) - 1; i >= 0 && phone == ""; i-- {
		if evs[i].Action == string(models.ActNote) {
			phone = models.PhoneIn(evs[i].Reason)
		}
	}
	if phone != "" {
		return fmt.Sprintf(s.sm.ContactPhoneF, phone, ref)
	}
	return fmt.Sprintf(s.sm.ContactChatF, ref)
}
