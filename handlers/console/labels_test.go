package console

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// hasLatin reports whether a label shows English to the committee.
func hasLatin(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) })
}

// TestEveryEventActionHasALabel walks every action an appeal event can
// record: each has a Chinese label in the catalog, so no raw event name
// reaches the console's timeline (or the chat's appeal details).
func TestEveryEventActionHasALabel(t *testing.T) {
	for _, a := range models.EventActions {
		l, ok := messages.ZhCN.ActionNames[string(a)]
		if !ok || l == "" || hasLatin(l) || !strings.ContainsFunc(l, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("action %q: label %q, want Chinese", a, l)
		}
	}
}

// TestSystemReasonsInChinese walks every reason the system writes on an
// event (models.Reason…F and the recorded changes of routing, escalation,
// reclassification and deadlines) through the console's reading of it:
// none shows English. A person's own reason is shown as written.
func TestSystemReasonsInChinese(t *testing.T) {
	c := &Console{d: Deps{Location: time.FixedZone("CST", 8*3600)}}
	p := people{"staff:3": "周委员"}
	levels := []models.Level{models.LevelCommunity, models.LevelStreet, models.LevelDistrict, models.LevelSelf}
	kinds := []models.Kind{models.KindMajor, models.KindSmall, models.KindPrivate}
	reasons := []string{models.ReasonMatterLimit}
	for _, l := range levels {
		reasons = append(reasons, fmt.Sprintf(models.ReasonTimeLimitF, l))
		for _, k := range kinds {
			reasons = append(reasons, string(k)+"/"+string(l), "major/street → "+string(k)+"/"+string(l))
		}
		for _, up := range levels {
			reasons = append(reasons, fmt.Sprintf(models.ReasonOverdueF, "2026-11-30 18:00", l, up),
				"level "+string(l)+" → "+string(up)+"; assignee role:committee → staff:3; 需要街道协调")
		}
	}
	for _, r := range models.Roles {
		reasons = append(reasons, "assignee none → "+models.RolePlaceholder(r), "assignee "+models.RolePlaceholder(r)+" → staff:3")
	}
	reasons = append(reasons, fmt.Sprintf(models.ReasonUnratedF, 7*24*time.Hour), fmt.Sprintf(models.ReasonUnratedF, 36*time.Hour),
		fmt.Sprintf(models.ReasonEnquiryF, "residence-permit"), "due none → 2026-12-01T10:00:00Z; 居民要求延期",
		"due 2026-11-30T10:00:00Z → 2026-12-01T10:00:00Z")
	for _, r := range reasons {
		if got := c.reason(p, r); hasLatin(got) {
			t.Errorf("reason %q shown as %q", r, got)
		}
	}
	if got := c.reason(p, "灯泡已更换，LED 灯"); got != "灯泡已更换，LED 灯" {
		t.Errorf("a person's reason changed: %q", got)
	}
}

// TestHandlerOfFinishedAppeal: an appeal still waiting for a role says
// 待…接单; one finished while assigned to the role (an enquiry answered on
// the spot) names the role, not a wait (found by a third user).
func TestHandlerOfFinishedAppeal(t *testing.T) {
	p := people{"staff:3": "周委员"}
	for _, tc := range []struct {
		a    models.Appeal
		want string
	}{
		{models.Appeal{Assignee: "role:committee", Status: models.StatusAssigned}, "待两委成员接单"},
		{models.Appeal{Assignee: "role:committee", Status: models.StatusResolved}, "两委成员"},
		{models.Appeal{Assignee: "staff:3", Status: models.StatusClosed}, "周委员"},
	} {
		if got := handler(&tc.a, p.name); got != tc.want {
			t.Errorf("handler of %s %s = %q, want %q", tc.a.Assignee, tc.a.Status, got, tc.want)
		}
	}
}
