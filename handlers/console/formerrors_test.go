package console

import (
	"errors"
	"fmt"
	"testing"
	"time"
	"unicode"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// TestFormError: every refusal a form meets is said in Chinese, with no
// English detail of the domain error, wrapped or not.
func TestFormError(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{ops.ErrReasonRequired, "请写明原因：每项调整都会记入台账。"},
		{&ops.StepError{Ref: "SQ1", Action: models.ActReclassify, Err: ops.ErrSameKind}, "这件诉求已经是这个类别和层级了。"},
		{fmt.Errorf("revise: %w", models.Errorf(models.EINVALID, "due_at is in the past: want a time from now to a year ahead")), "办结时限不能早于现在。"},
		{models.Errorf(models.EINVALID, `grid "g9" does not exist in community sample`), "所选网格不属于本社区，请从列表中选择。"},
		{models.Errorf(models.EINVALID, `role "boss": want grid_worker, committee, liaison, district_coordinator or admin`), "请选择身份。"},
		{models.Errorf(models.ECONFLICT, "something new and unforeseen"), failLead[models.ECONFLICT] + "。"},
		{errors.New("sql: connection refused"), "系统出错了，请稍后再试。"},
	} {
		got := formError(c.err)
		if got != c.want {
			t.Errorf("formError(%v) = %q, want %q", c.err, got, c.want)
		}
		for _, r := range got {
			if r < unicode.MaxASCII && unicode.IsLetter(r) {
				t.Errorf("formError(%v) = %q shows Latin letters", c.err, got)
				break
			}
		}
	}
}

// TestGrantable: a committee member is offered neither 管理员 nor 区级统筹人员;
// an administrator and the admin token every role.
func TestGrantable(t *testing.T) {
	committee := &models.Viewer{Staff: &models.Staff{Role: models.RoleCommittee}}
	for _, r := range grantable(committee) {
		if r == models.RoleAdmin || r == models.RoleDistrictCoordinator {
			t.Errorf("a committee member is offered %s", r)
		}
	}
	if n := len(grantable(committee)); n != len(models.Roles)-2 {
		t.Errorf("a committee member is offered %d roles, want %d", n, len(models.Roles)-2)
	}
	for _, v := range []*models.Viewer{{Staff: &models.Staff{Role: models.RoleAdmin}}, {}} {
		if n := len(grantable(v)); n != len(models.Roles) {
			t.Errorf("%+v is offered %d roles, want all %d", v.Staff, n, len(models.Roles))
		}
	}
}

// TestFreshInvites: an issued code is shown once, to its session, and not
// after its time.
func TestFreshInvites(t *testing.T) {
	var f freshInvites
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	mine := &models.Viewer{Session: &models.ConsoleSession{TokenHash: "a"}}
	other := &models.Viewer{Session: &models.ConsoleSession{TokenHash: "b"}}
	f.put(freshKey(mine, 7), map[string]any{"Code": "ABCD2345"}, now)
	if f.take(freshKey(other, 7), now) != nil {
		t.Fatal("another session got the code")
	}
	if d := f.take(freshKey(mine, 7), now); d == nil || d["Code"] != "ABCD2345" {
		t.Fatalf("first take: %v", d)
	}
	if f.take(freshKey(mine, 7), now) != nil {
		t.Fatal("the code was shown twice")
	}
	f.put(freshKey(mine, 8), map[string]any{"Code": "EFGH6789"}, now)
	if f.take(freshKey(mine, 8), now.Add(freshTTL+time.Second)) != nil {
		t.Fatal("an expired code was shown")
	}
}
