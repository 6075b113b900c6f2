package bot

import (
	"context"
	"regexp"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// ProjectCommands is the CommandHandler of the project chat words:
//
//	报名 <项目编号>       a resident signs up as a volunteer (XM101)
//	取消报名 <项目编号>   and withdraws
//
// It comes after the meeting commands: "报名 YS101" and a bare "报名" answer
// a meeting invitation; a bare "报名" from someone invited to none lists the
// projects that recruit; text after 报名 that is no code is left to the conversation.
type ProjectCommands struct{ P *ops.Projects }

var _ CommandHandler = (*ProjectCommands)(nil)

// codeLike is anything typed where a code belongs: letters then digits.
var codeLike = regexp.MustCompile(`^[A-Z]{1,4}[0-9]{1,8}$`)

// HandleCommand implements CommandHandler.
func (c *ProjectCommands) HandleCommand(ctx context.Context, in Input, out *Output) (bool, error) {
	w := normWord(in.Msg.Content)
	m := &messages.ZhCNCampaigns
	for _, set := range []struct {
		words []string
		join  bool
	}{{m.WithdrawWords, false}, {m.SignUpWords, true}} {
		rest, ok := cutWord(w, set.words...)
		if !ok {
			continue
		}
		rest = trimPunct(rest)
		if rest == "" && set.join {
			// A bare 报名 the meeting commands left here: no invitation waits.
			reply, err := c.P.Recruiting(ctx, in.Msg.CommunityID)
			if err != nil {
				return true, err
			}
			out.Replies = append(out.Replies, reply)
			return true, nil
		}
		if !codeLike.MatchString(rest) {
			return false, nil // "报名参加社区活动的场地太小" is for the conversation
		}
		if _, isMeeting := models.NormalizeMeetingCode(rest); isMeeting {
			return false, nil
		}
		reply, err := c.P.PlanVolunteer(ctx, &out.Turn, in.Msg.CommunityID, in.Msg.OpenID, rest, set.join)
		if err != nil {
			return true, err
		}
		out.Replies = append(out.Replies, reply)
		return true, nil
	}
	return false, nil
}
