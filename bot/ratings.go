package bot

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// rate is the resident's 满意 / 不满意 <原因>, on the appeal named or their
// latest resolved one. Only the author rates; 不满意 reopens the appeal and
// tells its handler and the committee (ops.Appeals.PlanRate).
func (x *cmdCtx) rate(satisfied bool, rest string) (bool, error) {
	sm := x.c.sm
	ref, reason, hasRef := splitRef(rest)
	if !hasRef {
		reason = strings.TrimSpace(strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }))
		list, err := x.c.store.ListAppeals(x.ctx, models.AppealFilter{CommunityID: x.in.Msg.CommunityID,
			OpenID: x.in.Msg.OpenID, Status: models.StatusResolved, Limit: 1})
		if err != nil {
			return false, fmt.Errorf("resolved appeals: %w", err)
		}
		if len(list) == 0 {
			if !satisfied {
				return false, nil // 不满意… with nothing to rate: maybe a new appeal
			}
			x.say("%s", sm.RateNothing)
			return true, nil
		}
		ref = list[0].Ref
	}
	word := chat.Satisfied
	if !satisfied {
		word = chat.Unsatisfied
	}
	ch, err := x.c.appeals.PlanRate(x.ctx, ops.RateRequest{Community: x.in.Msg.CommunityID, Ref: ref,
		OpenID: x.in.Msg.OpenID, Satisfied: satisfied, Reason: reason})
	var se *ops.StepError
	switch {
	case err == nil:
	case errors.Is(err, ops.ErrNotResolved) && errors.As(err, &se):
		x.say(sm.RateNotResolvedF, ref, x.c.msg.StatusNames[string(se.Status)])
		return true, nil
	case errors.Is(err, ops.ErrRatingReason):
		x.say("%s", sm.RateNeedReason)
		return true, nil
	default:
		return true, x.refused(err, ref, word)
	}
	if satisfied {
		x.say(sm.RatedSatisfiedF, ch.Appeal.Ref)
	} else {
		x.say(sm.RatedUnsatisfiedF, ch.Appeal.Ref)
	}
	ch.AddTo(&x.out.Turn)
	return true, nil
}
