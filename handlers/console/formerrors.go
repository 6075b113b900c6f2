package console

import (
	"context"
	"errors"
	"strings"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// knownErrors are the domain refusals a form can meet, said in Chinese;
// the English detail of a domain error never reaches the page.
var knownErrors = []struct {
	err error
	msg string
}{
	{ops.ErrReasonRequired, "请写明原因：每项调整都会记入台账。"},
	{ops.ErrReasonTooLong, "原因太长了，最多200字。"},
	{ops.ErrNothingToRevise, "没有要调整的内容。"},
	{ops.ErrSameKind, "这件诉求已经是这个类别、层级和事项了。"},
	{ops.ErrTopicKind, "所选事项不属于所选类别：请选同一类别下的事项，或把事项设为“按类别自动”。"},
	{ops.ErrNotManager, managersOnly},
	{ops.ErrNotCommittee, committeeOnly},
	{ops.ErrMeetingNotBegun, "会议还没有开始，开完会后再记录会议结果。"},
	{ops.ErrMeetingFixed, "会议已取消或已记录结果，不能再修改。"},
}

// knownMessages match domain messages that carry values (ids, refs) by a
// fixed part of their text, most specific first.
var knownMessages = []struct{ part, msg string }{
	{"is not in the catalog", "所选事项不在事项目录中，请从列表中选择。"},
	{"is in the past", "办结时限不能早于现在。"},
	{"more than a year ahead", "办结时限不能超过一年。"},
	{"does not exist in community", "所选网格不属于本社区，请从列表中选择。"},
	{"is not a grid of community", "所选网格不属于本社区，请从列表中选择。"},
	{"a grid worker needs a grid", "网格员需要选择所负责的网格。"},
	{"still has an active grid worker", "这个网格还有在岗网格员，请先停用网格员再删除网格。"},
	{"buildings: at most", "一个网格最多300个楼栋。"},
	{"grids: at most", "一个社区最多100个网格。"},
	{"is not a building number", "楼栋号不对：每个楼栋号最多16个字，楼栋之间用逗号分隔。"},
	{"name is longer than", "网格名称最多64个字。"},
	{"grid id", "网格编号不对：最多64个字符，不能有空格或逗号，不能以 = + - @ 开头。"},
	{"appears twice", "同一个网格编号写了两次。"},
	{"is in grids", "一个楼栋只能属于一个网格。"},
	{"a liaison needs a department", "联络员需要选择所属部门。"},
	{"name is required", "请填写姓名（最多64个字）。"},
	{"role \"", "请选择身份。"},
	{"a private appeal has level self", "私事的层级只能是“居民自办”。"},
	{"level self is for private appeals only", "“居民自办”层级只用于私事。"},
	{"a small appeal is handled at the community level", "小事由社区层级办理，请把层级选为社区或按类别自动。"},
	{"a major appeal is handled at the street or district level", "大事由街道或区级办理，请把层级选为街道、区级或按类别自动。"},
	{"is assigned to", "这件诉求已经由这位承办人办理。"},
	{"assignee", "承办人不对，请从列表中选择。"},
	{"is not possible now", "诉求当前的状态不允许这项操作，请刷新页面后再看。"},
}

// formError says in Chinese why a form was refused.
func formError(err error) string {
	for _, k := range knownErrors {
		if errors.Is(err, k.err) {
			return k.msg
		}
	}
	m := models.ErrorMessage(err)
	for _, k := range knownMessages {
		if strings.Contains(m, k.part) {
			return k.msg
		}
	}
	if lead, ok := failLead[models.ErrorCode(err)]; ok {
		return lead + "。"
	}
	return "系统出错了，请稍后再试。"
}

// communityName is a community's name as people know it (its id if unnamed).
func (c *Console) communityName(id string) string {
	if n := c.d.CommunityNames[id]; n != "" {
		return n
	}
	return id
}

// gridNames names the grids of the communities shown, by community then id.
type gridNames map[string]map[string]string

// Name is a grid's name, its id when unnamed, "" for no grid.
func (n gridNames) Name(community, id string) string {
	if s := n[community][id]; s != "" {
		return s
	}
	return id
}

// gridNamesOf reads the grid names of the given communities.
func (c *Console) gridNamesOf(ctx context.Context, communities []string) (gridNames, error) {
	out := gridNames{}
	for _, cm := range communities {
		grids, err := c.d.Store.Grids(ctx, cm)
		if err != nil {
			return nil, err
		}
		out[cm] = map[string]string{}
		for _, g := range grids {
			out[cm][g.ID] = g.Name
		}
	}
	return out, nil
}

// errText is one refusal a particular form can meet: a domain error (by
// identity) or a fixed part of its message, said in Chinese.
type errText struct {
	err       error
	part, msg string
}

// formErrorFrom says why a form was refused, trying the form's own
// sentences first (the same English part can mean another field elsewhere),
// then the common ones.
func formErrorFrom(err error, own []errText) string {
	m := models.ErrorMessage(err)
	for _, k := range own {
		if (k.err != nil && errors.Is(err, k.err)) || (k.part != "" && strings.Contains(m, k.part)) {
			return k.msg
		}
	}
	return formError(err)
}

// committeeOnly is said when a district coordinator (who sees every
// community) tries to change one: the committee runs it.
// managersOnly refuses a change of staff, grids, departments or
// stakeholders to anyone but the committee and administrators.
const managersOnly = "只有两委成员和管理员可以管理工作人员、网格、部门和相关方；区级统筹人员可以查看。"

const committeeOnly = "只有两委成员和管理员可以发起问需、管理项目和每月一题、删除学到的词；区级统筹人员可以查看。"

// A campaign reaches only residents who registered their address: said when
// nobody the audience names has.
const (
	noResidentsYet = "社区里还没有居民登记住址，问题暂时发不出去。居民关注公众号后回复“修改地址”，或在反映问题时留下住址，就会登记；" +
		"有居民登记后再发起问需。"
	noResidentsThere = "所选楼栋或网格还没有居民登记住址，问题发不出去。居民回复“修改地址”或在反映问题时留下住址后才能收到；" +
		"可以换一个范围，或选择全体登记居民。"
)

// Refusals of the campaign, project, monthly-topic and learned-word forms.
var (
	campaignErrors = []errText{
		{err: ops.ErrNoAudience, msg: "请选择征询对象：全体居民、楼栋或网格。"},
		{err: ops.ErrNoResidents, msg: noResidentsYet},
		{err: ops.ErrAudienceNobody, msg: noResidentsThere},
		{err: ops.ErrAudienceTooLong, msg: "楼栋或网格太多，请分批发起问需（每次楼栋、网格各不超过255个字符）。"},
		{err: ops.ErrCampaignEnded, msg: "问需已经截止，不能再发送问题。"},
		{part: "question: want", msg: "请填写要征询的问题（1至200字）。"},
		{part: "ends_at is in the past", msg: "截止时间必须晚于现在。"},
		{part: "ends_at is more than a year ahead", msg: "截止时间不能超过一年。"},
		{part: "ends_at: want", msg: "请填写截止时间。"},
		{part: "is not a grid of community", msg: "所选网格不属于本社区，请从列表中选择。"},
		{part: "residents: at most", msg: "征询对象超过两万人，请分批发起。"},
	}
	projectErrors = []errText{
		{err: ops.ErrProjectDone, msg: "项目已经完成，不能再修改。"},
		{part: "name: want", msg: "请填写项目名称（1至60字）。"},
		{part: "need \"", msg: "请选择项目类别（平安、健康、互助、便民、文娱或文化教育）。"},
		{part: "lead_stakeholder", msg: "牵头方不在相关方名录中，请从列表中选择。"},
		{part: "campaign ", msg: "所选问需不存在，请从列表中选择。"},
		{part: "meeting ", msg: "所选会议不存在，请从列表中选择。"},
		{part: "is not a reference code", msg: "关联诉求的编号格式不对（例如 SQ2611260007）。"},
		{part: "does not exist in community", msg: "有关联诉求的编号不存在或不属于本社区，请核对。"},
		{part: "appeal_refs: at most", msg: "一个项目最多关联200件诉求。"},
		{part: "source \"", msg: "请选择资金来源。"},
		{part: "amount_yuan", msg: "金额请填写1至100000000之间的整数（元）。"},
		{part: "donor: at most", msg: "出资方名称最多40字。"},
		{part: "title: want", msg: "请填写进展标题（1至60字）。"},
		{part: "note: want", msg: "请填写进展说明（1至500字）。"},
		{part: "progress ", msg: "进度请填写0至100之间的整数，或不填。"},
		{part: "outcome: want", msg: "请填写项目成果（1至500字）。"},
		{part: "by \"", msg: "只有在职的两委成员或管理员可以记录项目成果。"},
	}
	topicErrors = []errText{
		{err: ops.ErrMeetingPast, msg: "会议时间必须晚于现在。"},
		{part: "more than a year ahead", msg: "会议时间不能超过一年。"},
		{part: "venue: want", msg: "请填写会议地点（最多60字）。"},
		{part: "capacity", msg: "人数上限请填写正整数，或填0表示不限。"},
		{part: "has a meeting already", msg: "这个议题已经召开过会议。"},
		{part: "invitees resolve to nobody", msg: "社区还没有登记住址的居民，无法召开社区议事会。"},
	}
)
