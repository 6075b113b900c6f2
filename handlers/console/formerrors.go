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
	{ops.ErrSameKind, "这件诉求已经是这个类别和层级了。"},
	{ops.ErrNotManager, "只有两委成员和管理员可以管理工作人员。"},
}

// knownMessages match domain messages that carry values (ids, refs) by a
// fixed part of their text, most specific first.
var knownMessages = []struct{ part, msg string }{
	{"is in the past", "办结时限不能早于现在。"},
	{"more than a year ahead", "办结时限不能超过一年。"},
	{"does not exist in community", "所选网格不属于本社区，请从列表中选择。"},
	{"is not a grid of community", "所选网格不属于本社区，请从列表中选择。"},
	{"a grid worker needs a grid", "网格员需要选择所负责的网格。"},
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
