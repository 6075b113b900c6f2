package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/models"
)

type links struct {
	url    string
	err    error
	issued int
}

func (l *links) LoginLink(context.Context, *models.Staff, time.Time) (string, error) {
	l.issued++
	return l.url, l.err
}

func TestConsoleCommands(t *testing.T) {
	committee := &models.Staff{ID: 1, CommunityID: "c1", Role: models.RoleCommittee, Name: "周委员", Active: true}
	for _, tc := range []struct {
		name, text string
		staff      *models.Staff
		links      *links
		handled    bool
		want       string
		issued     int
	}{
		{"committee gets a link", "登录", committee, &links{url: "https://gz.example.cn/console/login?t=abc"}, true, "https://gz.example.cn/console/login?t=abc", 1},
		{"synonym with punctuation", " 后台。", committee, &links{url: "https://x/console/login?t=1"}, true, "10分钟", 1},
		{"coordinator", "登录", &models.Staff{ID: 2, CommunityID: "c1", Role: models.RoleDistrictCoordinator, Active: true}, &links{url: "u"}, true, "u", 1},
		{"grid worker refused", "登录", &models.Staff{ID: 3, CommunityID: "c1", Role: models.RoleGridWorker, Active: true}, &links{url: "u"}, true, "我的任务", 0},
		{"resident refused", "登录", nil, &links{url: "u"}, true, "只对社区两委成员", 0},
		{"deactivated refused", "登录", &models.Staff{ID: 4, CommunityID: "c1", Role: models.RoleCommittee}, &links{url: "u"}, true, "只对社区两委成员", 0},
		{"no public URL", "登录", committee, &links{err: bot.ErrNoConsoleURL}, true, "GONGZHI_PUBLIC_URL", 1},
		{"other words pass", "登录不了怎么办", committee, &links{url: "u"}, false, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &bot.ConsoleCommands{Links: tc.links}
			var out bot.Output
			in := bot.Input{Msg: models.Inbound{CommunityID: "c1", OpenID: "o1", MsgType: models.MsgText, Content: tc.text},
				Staff: tc.staff, StaffKnown: true, Now: time.Now()}
			handled, err := h.HandleCommand(context.Background(), in, &out)
			if err != nil || handled != tc.handled {
				t.Fatalf("HandleCommand = %v, %v; want handled %v", handled, err, tc.handled)
			}
			if tc.handled && (len(out.Replies) != 1 || !strings.Contains(out.Replies[0], tc.want) || !out.ReadOnly) {
				t.Fatalf("replies %q (read-only %v), want one containing %q", out.Replies, out.ReadOnly, tc.want)
			}
			// A link that misses WeChat's deadline is not pushed later (the
			// outbox would store it); the one who asked is told to ask again.
			if (tc.issued == 1 && tc.links.err == nil) != strings.Contains(out.LateReply, "重新发送“登录”") {
				t.Fatalf("late reply %q for %q", out.LateReply, tc.name)
			}
			if tc.links.issued != tc.issued {
				t.Fatalf("%d links issued, want %d", tc.links.issued, tc.issued)
			}
		})
	}
}
