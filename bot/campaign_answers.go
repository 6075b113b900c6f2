package bot

import (
	"context"

	"github.com/gongzhi/gongzhi/bot/ops"
)

// CampaignAnswers is the Engine's step hook that records a resident's
// appeal (new, or "me too" on an open one) as an answer to every campaign
// that asked them and is taking answers (ops.Campaigns.PlanAnswers): the
// appeal itself went through the conversation like any other, so it is
// triaged, routed and on the list. The resident is thanked in the reply.
type CampaignAnswers struct{ C *ops.Campaigns }

var _ StepHook = (*CampaignAnswers)(nil)

// AfterStep implements StepHook.
func (h *CampaignAnswers) AfterStep(ctx context.Context, in Input, out *Output) error {
	thanks, err := h.C.PlanAnswers(ctx, &out.Turn, in.Msg.CommunityID, in.Msg.OpenID, in.Now)
	if err == nil && thanks != "" && len(out.Replies) > 0 {
		out.Replies[0] += thanks
	}
	return err
}
