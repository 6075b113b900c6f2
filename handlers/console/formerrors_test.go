package console

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
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
		{&ops.StepError{Ref: "SQ1", Action: models.ActReclassify, Err: ops.ErrSameKind}, "这件诉求已经是这个类别、层级和事项了。"},
		{fmt.Errorf("revise: %w", models.Errorf(models.EINVALID, "due_at is in the past: want a time from now to a year ahead")), "办结时限不能早于现在。"},
		{models.Errorf(models.EINVALID, `grid "g9" does not exist in community sample`), "所选网格不属于本社区，请从列表中选择。"},
		{models.Errorf(models.EINVALID, `role "boss": want grid_worker, committee, liaison, district_coordinator or admin`), "请选择身份。"},
		{models.GridSpec{ID: "g1", Buildings: make([]string, models.MaxGridBuildings+1)}.Validate(), "一个网格最多300个楼栋。"},
		{models.GridSpec{ID: "g1", Buildings: []string{strings.Repeat("1", models.MaxBuildingNameRunes+1)}}.Validate(), "楼栋号不对：每个楼栋号最多16个字，楼栋之间用逗号分隔。"},
		{models.GridSpec{ID: "g1", Name: strings.Repeat("网", models.MaxGridNameRunes+1)}.Validate(), "网格名称最多64个字。"},
		{models.GridSpec{ID: "g 1"}.Validate(), "网格编号不对：最多64个字符，不能有空格或逗号，不能以 = + - @ 开头。"},
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

// TestFormErrorFrom: a form's own sentences come before the common ones
// (an end in the past is the campaign's end, not an appeal's deadline),
// and every sentence of the new forms is Chinese.
func TestFormErrorFrom(t *testing.T) {
	for _, c := range []struct {
		err  error
		own  []errText
		want string
	}{
		{models.Errorf(models.EINVALID, "ends_at is in the past: a campaign must end later than now"), campaignErrors, "截止时间必须晚于现在。"},
		{ops.ErrAudienceNobody, campaignErrors, noResidentsThere},
		{ops.ErrNoResidents, campaignErrors, noResidentsYet},
		{fmt.Errorf("broadcast: %w", ops.ErrCampaignEnded), campaignErrors, "问需已经截止，不能再发送问题。"},
		{models.Errorf(models.EINVALID, "amount_yuan 0: want a whole number of yuan from 1 to 100000000"), projectErrors, "金额请填写1至100000000之间的整数（元）。"},
		{ops.ErrProjectDone, projectErrors, "项目已经完成，不能再修改。"},
		{models.Errorf(models.EINVALID, "starts_at is more than a year ahead: want a time from now to a year ahead"), topicErrors, "会议时间不能超过一年。"},
		{ops.ErrNotCommittee, nil, committeeOnly},
		{models.Errorf(models.EINVALID, "due_at is in the past: want a time from now to a year ahead"), nil, "办结时限不能早于现在。"},
	} {
		if got := formErrorFrom(c.err, c.own); got != c.want {
			t.Errorf("formErrorFrom(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	for _, list := range [][]errText{campaignErrors, projectErrors, topicErrors} {
		for _, k := range list {
			for _, r := range exampleRef.ReplaceAllString(k.msg, "") { // an example reference code is no English
				if r < unicode.MaxASCII && unicode.IsLetter(r) {
					t.Errorf("%q shows Latin letters", k.msg)
					break
				}
			}
		}
	}
}

var exampleRef = regexp.MustCompile(`SQ[0-9]+`)

// TestYuanAndAddress: amounts with thousands separators; addresses as the
// committee writes them.
func TestYuanAndAddress(t *testing.T) {
	for n, want := range map[int64]string{0: "0 元", 999: "999 元", 1000: "1,000 元", 250000: "250,000 元", 100000000: "100,000,000 元", -1500: "-1,500 元"} {
		if got := yuan(n); got != want {
			t.Errorf("yuan(%d) = %q, want %q", n, got, want)
		}
	}
	if got := address("3", "2", "501"); got != "3栋2单元501" {
		t.Errorf("address = %q", got)
	}
	if got := address("", "", ""); got != "未登记住址" {
		t.Errorf("address of nobody = %q", got)
	}
}

// TestParseYuan: the pledge form takes whole yuan, with commas only between
// groups of three; anything else is refused rather than read another way.
func TestParseYuan(t *testing.T) {
	for in, want := range map[string]int64{"250000": 250000, " 250,000 ": 250000, "1,000,000": 1000000, "7": 7, "0": 0} {
		if got, ok := parseYuan(in); !ok || got != want {
			t.Errorf("parseYuan(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"12,5", "1,,0", "12.5", "+5", "-5", "1 000", "2500,00", ",250", "250,", "１２", "1e9", "", "99999999999999999999"} {
		if got, ok := parseYuan(in); ok {
			t.Errorf("parseYuan(%q) = %d; want refused", in, got)
		}
	}
}
