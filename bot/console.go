package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// Console chat words (contract.md: 登录, also 后台).
const (
	WordLogin   = "登录"
	WordConsole = "后台"
)

// ConsoleLinks issues one-time login links to the committee's console.
type ConsoleLinks interface {
	// LoginLink stores a fresh link for s and returns its URL; ErrNoConsoleURL
	// when the deployment has no public URL to put in it.
	LoginLink(ctx context.Context, s *models.Staff, now time.Time) (string, error)
}

// ErrNoConsoleURL: GONGZHI_PUBLIC_URL is not set, so no link can be sent.
var ErrNoConsoleURL = errors.New("console: no public URL configured")

// ConsoleMessages is the console's part of the message catalog.
type ConsoleMessages struct {
	LinkF    string // the link, its lifetime in minutes
	NotStaff string // anyone who may not use the console
	// NotStaffWorker: a grid worker or liaison, whose work is done by chat.
	NotStaffWorker string
	NoURL          string // the deployment has no public URL
	// LinkLate replaces the link when the reply misses WeChat's deadline:
	// a later push would be stored in the outbox, and a link never is.
	LinkLate string
}

// ZhCNConsole is the zh-CN console catalog.
var ZhCNConsole = ConsoleMessages{
	LinkF: "管理后台登录链接（%d分钟内有效，只能使用一次，请勿转发）：\n%s\n" +
		"在电脑或手机浏览器中打开即可进入台账。",
	NotStaff:       "管理后台只对社区两委成员、区级统筹和管理员开放。如需办理事项，直接发送文字描述即可；查看自己的诉求请发“我的诉求”。",
	NotStaffWorker: "管理后台只对社区两委成员、区级统筹和管理员开放。您的任务在这里办理：发送“我的任务”查看，回复“帮助”查看工作指令。",
	NoURL:          "管理后台的访问地址还没有配置（GONGZHI_PUBLIC_URL），请联系管理员。",
	LinkLate:       "刚才系统较忙，登录链接没能及时发出，为安全起见不再补发。请重新发送“登录”获取新的链接。",
}

// ConsoleCommands answers 登录 and 后台: a committee member, district
// coordinator or administrator gets a one-time link; anyone else a clear
// refusal and no link. The link is written when it is issued, outside the
// turn: a WeChat retry may issue a second link, which is harmless (each is
// short-lived and single-use), and the reply then carries the newer one.
type ConsoleCommands struct {
	Links ConsoleLinks
	Staff interface {
		StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
	}
	Msg ConsoleMessages // zero: ZhCNConsole
}

var _ CommandHandler = (*ConsoleCommands)(nil)

// HandleCommand implements CommandHandler.
func (c *ConsoleCommands) HandleCommand(ctx context.Context, in Input, out *Output) (bool, error) {
	if in.Msg.MsgType != models.MsgText {
		return false, nil
	}
	w := normWord(in.Msg.Content)
	if w != WordLogin && w != WordConsole && w != WordLogin+WordConsole && w != WordConsole+WordLogin {
		return false, nil
	}
	m := c.Msg
	if m.LinkF == "" {
		m = ZhCNConsole
	}
	out.ReadOnly = true // nothing of the conversation or the list changes
	staff, err := senderStaff(ctx, c.Staff, in)
	if err != nil {
		return false, fmt.Errorf("console login: %w", err)
	}
	if !models.MayUseConsole(staff) {
		if staff != nil && staff.Active && m.NotStaffWorker != "" {
			out.Replies = append(out.Replies, m.NotStaffWorker) // 我的任务, not 我的诉求 (found by a first user)
		} else {
			out.Replies = append(out.Replies, m.NotStaff)
		}
		return true, nil
	}
	link, err := c.Links.LoginLink(ctx, staff, in.Now)
	if errors.Is(err, ErrNoConsoleURL) {
		out.Replies = append(out.Replies, m.NoURL)
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("console login link: %w", err)
	}
	out.Replies = append(out.Replies, fmt.Sprintf(m.LinkF, int(models.ConsoleLinkTTL/time.Minute), link))
	out.LateReply = m.LinkLate
	return true, nil
}
