package console

import (
	"html/template"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// roleNames are the staff roles' names.
var roleNames = messages.ZhCNStaff.RoleNames

// Labels of campaigns and projects come from the catalog (bot/messages).
var (
	needNames           = messages.ZhCNCampaigns.NeedNames
	sourceNames         = messages.ZhCNCampaigns.SourceNames
	campaignStatusNames = messages.ZhCNCampaigns.StatusNames
)

// audienceSourceNames name whom a campaign asked, per recipient.
var audienceSourceNames = map[string]string{"all": "全体居民", "building": "按楼栋", "grid": "按网格"}

// unreachableNames say why a question did not reach a resident.
var unreachableNames = map[string]string{"quota": "截止前无法发出（模板消息额度已满）", "no_openid": "未关注公众号"}

// learnedHow says on the learned-words page what is learned, when, and why
// a correction or an answer may teach nothing (docs/classification.md,
// "Learning a community's own words"); %d is models.MinResidentVoters.
var learnedHow = []string{
	"学什么：只学词库里还没有的本地说法，例如“晒坝”“滨江步道”这类地名和叫法（两到六个字）。词库和常用词里已经有的词（如“楼道”“路灯”“漏水”）不会再学。",
	"什么时候学：系统拿不准类别时会追问居民（例如“是在小区里面，还是小区外面”），居民回答后提交诉求或附议邻居的诉求，这次回答算一票，至少 %d 位居民说法一致才会学到；两委在台账或用“改类”纠正类别（包括系统已直接分好类的诉求），纠正一次就学到，之后的纠正会改写它。",
	"为什么改类或回答后这里可能还是空的：如果诉求里的词词库都认识，就没有新词可学，改类只改变这件诉求的类别，不会在这里增加词；居民回答的说法不一致、或只有一位居民回答，也不会学到。",
	"怎么用：词库中的明确规则始终优先；词库没有明确规则可依的诉求（系统本来要追问，或只能大致判断的），按本社区学到的说法直接分类。",
}

// learnedNone is said when nothing has been learned yet.
const learnedNone = "还没有学到本社区的说法。诉求里的词词库都认识时，改类和居民的回答不会在这里留下新词，这是正常的。"

// LevelNames are the seed's names of the handling levels (console, CSV, report).
var LevelNames = map[string]string{"community": "社区即办", "street": "街镇部门限时办", "district": "区级统筹办", "self": "自行办理"}

func (c *Console) funcs() template.FuncMap {
	return template.FuncMap{
		"kind":      func(k models.Kind) string { return orRaw(messages.ZhCN.KindNames, string(k)) },
		"level":     func(l models.Level) string { return orRaw(LevelNames, string(l)) },
		"status":    func(s models.Status) string { return orRaw(messages.ZhCN.StatusNames, string(s)) },
		"action":    func(a string) string { return orRaw(messages.ZhCN.ActionNames, a) },
		"role":      func(r models.Role) string { return orRaw(messages.ZhCNStaff.RoleNames, string(r)) },
		"when":      c.when,
		"rows":      func(r []row, gn gridNames) map[string]any { return map[string]any{"Rows": r, "GridNames": gn} },
		"community": func(id string) string { return c.communityName(id) },
		"mlevel":    func(l models.MeetingLevel) string { return orRaw(messages.ZhCNMeetings.LevelNames, string(l)) },
		"mstatus":   func(s models.MeetingStatus) string { return orRaw(messages.ZhCNMeetings.StatusNames, string(s)) },
		"whenp": func(t *time.Time) string {
			if t == nil {
				return "—"
			}
			return c.when(*t)
		},
		"inputTime": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(c.d.Location).Format("2006-01-02T15:04")
		},
		"overdue": func(a *models.Appeal) bool { return a.Overdue(c.d.Now()) },
		"clip": func(s string, n int) string {
			r := []rune(s)
			if len(r) <= n {
				return s
			}
			return string(r[:n]) + "…"
		},
		"kinds": func() []models.Kind { return []models.Kind{models.KindMajor, models.KindSmall, models.KindPrivate} },
		"levels": func() []models.Level {
			return []models.Level{models.LevelCommunity, models.LevelStreet, models.LevelDistrict, models.LevelSelf}
		},
		"statuses": func() []models.Status { return models.Statuses },
		"roles":    func() []models.Role { return models.Roles },
		"need":     func(n models.Need) string { return orRaw(needNames, string(n)) },
		"source":   func(s models.PledgeSource) string { return orRaw(sourceNames, string(s)) },
		"cstatus":  func(s string) string { return orRaw(campaignStatusNames, s) },
		"asource":  func(s string) string { return orRaw(audienceSourceNames, s) },
		"whyNot":   func(s string) string { return orRaw(unreachableNames, s) },
		"yuan":     yuan,
		"has":      func(list []string, s string) bool { return slices.Contains(list, s) },
		"navIs":    func(nav string, names ...string) bool { return slices.Contains(names, nav) },
		"address":  address,
		"pct": func(r models.Ratio) string {
			if r.Den == 0 {
				return "暂无数据"
			}
			return strconv.FormatFloat(100*r.Rate(), 'f', 1, 64) + "%（" + strconv.Itoa(r.Num) + "/" + strconv.Itoa(r.Den) + "）"
		},
	}
}

// yuan writes whole yuan with thousands separators: 250,000 元.
func yuan(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s + " 元"
}

// address is a registered home address as the committee writes it
// (3栋2单元501); "未登记住址" without a building. Never an openid.
func address(building, unit, room string) string {
	if building == "" {
		return "未登记住址"
	}
	s := building + "栋"
	if unit != "" {
		s += unit + "单元"
	}
	return s + room
}

func (c *Console) when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.d.Location).Format("2006-01-02 15:04")
}

func orRaw(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// people names staff refs and role placeholders for display.
type people map[string]string

// handler names an appeal's handler: a role it waited for, once the
// appeal is finished (an enquiry answered on the spot), is that role, not
// "待…接单" (found by a third user).
func handler(a *models.Appeal, name func(string) string) string {
	if r, ok := models.PlaceholderRole(a.Assignee); ok && !a.Status.Open() {
		return orRaw(messages.ZhCNStaff.RoleNames, string(r))
	}
	return name(a.Assignee)
}

func (p people) name(assignee string) string {
	if assignee == "" {
		return "未分派"
	}
	if n, ok := p[assignee]; ok {
		return n
	}
	if r, ok := models.PlaceholderRole(assignee); ok {
		return "待" + orRaw(messages.ZhCNStaff.RoleNames, string(r)) + "接单"
	}
	return assignee
}

var (
	staffToken = regexp.MustCompile(`staff:[0-9]+|role:[a-z_]+`)
	pairToken  = regexp.MustCompile(`\b(major|small|private)/(community|street|district|self)\b`)
	timeToken  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`)
	// The reasons the system writes (models.Reason…F), said in Chinese.
	limitReason   = regexp.MustCompile(`time limit of the (\w+) level`)
	overdueReason = regexp.MustCompile(`overdue since ([0-9-]+ [0-9:]+): (\w+) → (\w+)`)
	unratedReason = regexp.MustCompile(`no rating within (\S+)`)
	enquiryReason = regexp.MustCompile(`\benquiry/[\w-]+`)
	levelChange   = regexp.MustCompile(`\blevel (\w+) → (\w+)`)
)

// systemReason says a reason the system wrote in Chinese; any other text
// is returned as it is.
func systemReason(s string) string {
	lv := func(l string) string { return orRaw(LevelNames, l) }
	s = strings.ReplaceAll(s, models.ReasonMatterLimit, "按该事项的办结时限重新计时")
	s = limitReason.ReplaceAllStringFunc(s, func(m string) string {
		return "按" + lv(limitReason.FindStringSubmatch(m)[1]) + "的办结时限重新计时"
	})
	s = overdueReason.ReplaceAllStringFunc(s, func(m string) string {
		g := overdueReason.FindStringSubmatch(m)
		return "超过办结时限（" + g[1] + "），由" + lv(g[2]) + "自动上报至" + lv(g[3])
	})
	s = unratedReason.ReplaceAllStringFunc(s, func(m string) string {
		d, err := time.ParseDuration(unratedReason.FindStringSubmatch(m)[1])
		if err != nil {
			return "办结后居民在规定时间内未评价"
		}
		if d%(24*time.Hour) == 0 {
			return "办结后" + strconv.Itoa(int(d/(24*time.Hour))) + "天内居民未评价"
		}
		return "办结后" + strconv.Itoa(int(d.Hours())) + "小时内居民未评价"
	})
	s = enquiryReason.ReplaceAllString(s, "咨询事项")
	return levelChange.ReplaceAllStringFunc(s, func(m string) string {
		g := levelChange.FindStringSubmatch(m)
		return "层级：" + lv(g[1]) + " → " + lv(g[2])
	})
}

// reason makes an event's recorded change readable: names for staff refs,
// Chinese for kinds, levels and field names, local times.
func (c *Console) reason(p people, s string) string {
	s = systemReason(s)
	s = staffToken.ReplaceAllStringFunc(s, p.name)
	s = pairToken.ReplaceAllStringFunc(s, func(m string) string {
		k, l, _ := strings.Cut(m, "/")
		return orRaw(messages.ZhCN.KindNames, k) + "/" + orRaw(LevelNames, l)
	})
	s = timeToken.ReplaceAllStringFunc(s, func(m string) string {
		t, err := time.Parse(time.RFC3339, m)
		if err != nil {
			return m
		}
		return c.when(t)
	})
	r := strings.NewReplacer("assignee none →", "承办人：无 →", "assignee ", "承办人：", "due none →", "时限：无 →", "due ", "时限：", "level ", "层级：")
	return r.Replace(s)
}

// AssigneeName shows an assignee that names no known person: 未分派, or the
// role that will take it (a staff ref is shown as stored).
func AssigneeName(assignee string) string { return people{}.name(assignee) }

// actor names an event's actor: a staff member by name, never an openid.
func (p people) actor(a string) string {
	switch a {
	case "resident":
		return "居民"
	case "system":
		return "系统"
	case "admin":
		return "管理员"
	}
	if strings.HasPrefix(a, "staff:") {
		if n, ok := p[a]; ok {
			return n
		}
		return "工作人员"
	}
	return "居民" // an openid-like actor is a resident: never shown
}
