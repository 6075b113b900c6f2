package ops

import (
	"context"
	"fmt"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// BuildEnquiry records an enquiry answered on the spot (即时办结): the
// catalog item of d.TopicID carries the answer, so no task and no deadline
// are made; the appeal is small, at the community level, and resolved at
// once by the system — the list's "solved immediately" column. The author
// may still say the answer did not help (a bad rating), which makes it an
// ordinary appeal (PlanRate). It returns the rows and the answer to say.
func (s *Appeals) BuildEnquiry(ctx context.Context, d AppealDraft) (*BuiltAppeal, string, error) {
	it := s.Item(d.TopicID)
	if it == nil || it.Answer == "" {
		return nil, "", models.Errorf(models.EINVALID, "topic %q has no answer to give", d.TopicID)
	}
	d.Now = d.Now.UTC()
	a := &models.Appeal{
		CommunityID: d.CommunityID, OpenID: d.OpenID, Kind: models.KindSmall, Level: models.LevelCommunity,
		Status: models.StatusSubmitted, TopicID: it.ID, Topic: it.Name, Unit: messages.Clip(it.Unit, 40),
		Description: d.Text, GridID: d.GridID, Building: d.Building, CreatedAt: d.Now,
	}
	events := []*models.AppealEvent{{Actor: string(models.ActorResident), Action: string(models.ActSubmit),
		ToStatus: models.StatusSubmitted, Reason: fmt.Sprintf(models.ReasonEnquiryF, it.ID), At: d.Now}}
	assignee, err := s.route(ctx, a)
	if err != nil {
		return nil, "", err
	}
	system := models.Actor{Kind: models.ActorSystem}
	for _, st := range []models.Step{{Action: models.ActAssign, Assignee: assignee}, {Action: models.ActAnswer}} {
		ev, err := models.Apply(a, st, system, s.sm.EnquiryAnswered, d.Now)
		if err != nil {
			return nil, "", fmt.Errorf("enquiry: %w", err)
		}
		events = append(events, ev)
	}
	return &BuiltAppeal{New: &models.NewAppeal{Appeal: a, Events: events}, Ref: models.RefPlaceholder(d.Index)}, it.Answer, nil
}

// isAnsweredEnquiry reports whether a is an enquiry answered on the spot
// whose item is handled higher up when the answer is not enough.
func (s *Appeals) isAnsweredEnquiry(a *models.Appeal) bool {
	it := s.Item(a.TopicID)
	return it != nil && it.Answer != "" && a.Level == models.LevelCommunity && it.Level != models.LevelCommunity &&
		it.Level != models.LevelSelf
}
