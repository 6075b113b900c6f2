package bot

import (
	"context"
	"fmt"
	"regexp"

	"github.com/gongzhi/gongzhi/models"
)

// ProjectCommands is the CommandHandler of the project chat words:
//
//	报名 <项目编号>       a resident signs up as a volunteer (XM101)
//	取消报名 <项目编号>   and withdraws
//
// It comes after MeetingCommands: "报名 YS101" and a bare "报名" answer a
// meeting invitation; text after 报名 that is no code is left to the conversation.
type ProjectCommands struct{ P *Projects }

var _ CommandHandler = (*ProjectCommands)(nil)

var (
	signUpWords   = []string{"我要报名", "志愿报名", "报名"}
	withdrawWords = []string{"取消报名", "退出报名", "退出项目"}
	// codeLike is anything typed where a code belongs: letters then digits.
	codeLike = regexp.MustCompile(`^[A-Z]{1,4}[0-9]{1,8}$`)
)

// HandleCommand implements CommandHandler.
func (c *ProjectCommands) HandleCommand(ctx context.Context, in Input, out *Output) (bool, error) {
	w := normWord(in.Msg.Content)
	for _, set := range []struct {
		words []string
		join  bool
	}{{withdrawWords, false}, {signUpWords, true}} {
		rest, ok := cutWord(w, set.words...)
		if !ok {
			continue
		}
		rest = trimPunct(rest)
		if !codeLike.MatchString(rest) {
			return false, nil // "报名参加社区活动的场地太小" is for the conversation
		}
		if _, isMeeting := models.NormalizeMeetingCode(rest); isMeeting {
			return false, nil
		}
		return true, c.volunteer(ctx, in, out, rest, set.join)
	}
	return false, nil
}

// volunteer signs the sender up for a project, or withdraws them.
func (c *ProjectCommands) volunteer(ctx context.Context, in Input, out *Output, code string, join bool) error {
	s, msg := c.P, &c.P.Msg
	say := func(f string, args ...any) { out.Replies = append(out.Replies, fmt.Sprintf(f, args...)) }
	p, err := s.Store.ProjectByCode(ctx, in.Msg.CommunityID, code)
	if models.ErrorCode(err) == models.ENOTFOUND {
		say(msg.UnknownProjF, code)
		return nil
	}
	if err != nil {
		return err
	}
	v, err := s.Store.ProjectVolunteer(ctx, p.ID, in.Msg.OpenID)
	if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
		return err
	}
	active := v != nil && v.Active
	switch {
	case join && p.Status == models.ProjectCompleted:
		say(msg.ProjectDoneF, p.Code, p.Name)
	case join && active:
		say(msg.AlreadySignedF, p.Code, p.Name)
	case join:
		t, err := s.Store.ProjectTotals(ctx, p.ID)
		if err != nil {
			return err
		}
		out.Turn.Volunteers = append(out.Turn.Volunteers, &models.ProjectVolunteer{ProjectID: p.ID, Active: true})
		say(msg.SignedUpF, p.Code, p.Name, t.Volunteers+1)
	case active:
		out.Turn.Volunteers = append(out.Turn.Volunteers, &models.ProjectVolunteer{ProjectID: p.ID, Active: false})
		say(msg.WithdrawnF, p.Code, p.Name)
	default:
		say(msg.NotSignedF, p.Code)
	}
	return nil
}
