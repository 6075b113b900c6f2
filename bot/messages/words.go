package messages

import (
	"strings"

	"golang.org/x/text/width"
)

// Words are the chat words people type (contract.md "Chat words") with
// the synonyms the bot also takes. Lists are compared after the bot's
// normalisation (full-width folded, Latin upper-cased, no spaces or
// trailing punctuation); the first of a list is the contract's word.
type Words struct {
	// Words of every state.
	Cancel, Help, ChangeAddress, MyAppeals, NotPrivate, Withdraw []string
	// WithdrawLoose starts words that withdraw one's one open appeal with
	// no number (撤回吧 已经修好了).
	WithdrawLoose string
	// CancelLeads start a sentence that lets a draft go at its confirmation
	// ("算了我还是先自己去跟她们说说吧"); Softeners are the words around a
	// yes or no that do not change it ("还是提交吧", "那就确认吧").
	CancelLeads, Softeners []string
	// Urge start a note on one's open appeal without its number (催办, 补充一下).
	Urge []string
	// AddressIntent are the phrases of a plain-words wish to register or
	// change the home address ("我想登记一下住址"): a short message that is
	// one of them once the AddressFiller words (polite and filler words,
	// longest first) are taken out starts the address step; anything else
	// left over is another matter and goes to the conversation.
	AddressIntent, AddressFiller []string

	// Staff commands, each followed by an appeal's reference.
	Bind, Accept, Progress, Resolve, Escalate, Return, Reassign, Reclassify string
	MyTasks                                                                 string
	// Kinds names the kinds of 改类 (kind values: major, small, private).
	Kinds map[string]string

	// Ratings of a resolved appeal.
	Satisfied, Unsatisfied string
	// Unhappy and Happy are how people rate in their own words while an
	// appeal of theirs waits for a rating (unhappy is read first: "没修好"
	// contains "修好").
	Unhappy, Happy []string

	// Meetings: answers (decline first: 不参加 contains 参加), calling,
	// showing and cancelling one, and the scopes of a meeting called by chat.
	MeetingDecline, MeetingAccept []string
	MeetingCall, MeetingShow      []string
	// MeetingYes are plain yeses read as "coming" while an invitation waits for an answer.
	MeetingYes                 []string
	MeetingCancel              string
	ScopeCommunity, ScopeGroup []string

	// Emergencies are the words of a message that speaks of danger to
	// someone now, by kind of help (Messages.Emergency): the advice is given
	// whatever else the message is. Compared after normalisation; "A+B"
	// matches a text holding both A and B.
	Emergencies map[string][]string

	// ProgressAsks are how residents ask about their appeals' progress in
	// their own words ("我反映的垃圾那个事情进展怎么样了"): answered with 我的诉求.
	ProgressAsks, HotlineAsks []string
	// ProgressBare are progress questions only as a whole message (进度: a
	// complaint may speak of a road's 施工进度).
	ProgressBare []string

	// EnquiryCues mark a question about how to get something done (an
	// enquiry, answered at once when its item has an answer).
	EnquiryCues []string

	// ReportLeads are the words of a message that only says the resident
	// wants to report something (有个事想反映一下, 我要投诉): with ReportFiller
	// they make the whole message, and it is answered like the menu's
	// 我要反映, not with a kind question about nothing.
	ReportLeads, ReportFiller []string

	// StaffQuestions mark a handler's progress note that asks the resident
	// something (请问是几楼？): the resident's next words are read as the
	// answer (Asks). Compared on the note as typed, width-folded.
	StaffQuestions []string
	// NewMatter are the words after such an answer that say it was another
	// matter after all, to be taken as a new appeal; NewMatterLeads start
	// words that are another matter (对了还有个事，…), never an answer.
	NewMatter, NewMatterLeads []string

	// Small talk that is no appeal, and yes / no answers.
	Greetings, Thanks []string
	Yes, No           []string
	Follow            string // "me too" on a duplicate appeal
	// KindHints let a resident answer the triage question in words, by kind value.
	KindHints map[string][]string
	// Option numbers: prefixes and suffixes around a digit, and numerals.
	OptionPrefixes, OptionSuffixes []string
	Numerals                       map[string]int
	// Placeholders WeChat substitutes for stickers and other messages it does not forward.
	Unsupported []string

	// Meeting times typed by chat (召开会议 明天下午3点 …): days counted from
	// today, and the parts of the day before a clock hour (an hour under 12
	// after an afternoon word is in the afternoon).
	RelativeDays map[string]int
	// DayShorthands say a day and a part of it in one word (明晚 is 明天晚上).
	DayShorthands    map[string]string
	Morning, Evening []string
}

// ZhCNWords are the simplified-Chinese chat words.
var ZhCNWords = Words{
	Cancel:        []string{"取消", "算了", "不反映了", "QUIT"},
	Urge:          []string{"催办", "催一下", "催促一下", "催一催", "补充一下", "补充说明", "补充"},
	CancelLeads:   []string{"算了", "不用了", "不提交", "先不提交", "不反映了", "我不反映了"},
	Softeners:     []string{"还是", "那就", "那", "就", "吧", "啊", "呀", "哈", "了", "嘛", "哦"},
	Help:          []string{"帮助", "菜单", "?", "？", "HELP"},
	ChangeAddress: []string{"修改地址", "更改地址", "修改住址", "登记地址"},
	AddressIntent: []string{"登记住址", "登记地址", "住址登记", "地址登记", "改地址", "改住址", "修改地址", "修改住址",
		"更改地址", "更改住址", "更新地址", "更新住址", "换地址", "换住址", "填地址", "填住址", "填写地址", "填写住址",
		"留地址", "留住址", "留个地址", "换个地址", "换个住址", "改下地址", "改下住址", "登记家庭住址", "登记家庭地址", "修改家庭住址"},
	AddressFiller: []string{"我想要", "我想", "我要", "想要", "我需要", "需要", "请帮我", "帮我", "麻烦", "请问", "请", "你好", "您好",
		"一下", "我的", "我家的", "我家", "怎么", "如何", "可以", "能不能", "重新", "吗", "的"},
	MyAppeals:     []string{"我的诉求", "我的反映", "查询", "查看", "查进度"},
	NotPrivate:    []string{"不是私事", "不是私事儿", "这不是私事"},
	Withdraw:      []string{"撤回诉求", "撤销诉求", "撤回", "撤销"}, // only with an appeal's number after, or alone
	WithdrawLoose: "撤回",

	Bind: "绑定", Accept: "接单", Progress: "进展", Resolve: "办结", Escalate: "上报", Return: "退回",
	Reassign: "改派", Reclassify: "改类", MyTasks: "我的任务",
	Kinds: map[string]string{"大事": "major", "小事": "small", "私事": "private"},

	Satisfied: "满意", Unsatisfied: "不满意",
	Unhappy: []string{"铲铲", "没修好", "没有修好", "没弄好", "没搞好", "没解决", "没有解决", "没处理", "还是不行", "还是坏", "还是不亮",
		"还是漏", "还是没", "还是不会", "不会弄", "看不懂", "没看懂", "办不成", "办不了", "又坏", "又关", "又停", "又漏", "又不亮", "又堵", "根本没", "糊弄", "敷衍", "骗人", "假的", "不满意", "没用", "不得行"},
	Happy: []string{"修好了", "弄好了", "搞好了", "解决了", "处理好了", "可以了", "满意", "不错", "安逸", "巴适", "辛苦了"},

	MeetingDecline: []string{"不参加", "不参会", "不能参加", "参加不了", "参加不成", "不去了", "不去", "来不了", "去不了", "来不到", "去不到", "来不成", "去不成",
		"不来了", "没得空", "没空", "请假", "取消报名"},
	MeetingAccept:  []string{"参加", "参会", "报名", "我参加", "出席"},
	MeetingCall:    []string{"召开会议", "开会"},
	MeetingYes:     []string{"要得", "好", "好的", "来", "我来", "一定来", "准时来", "可以", "行", "没问题", "OK", "我会来", "会来", "我会来的", "会来的", "一定到", "准时到", "我去", "我会去"},
	MeetingShow:    []string{"会议", "查会议"},
	MeetingCancel:  "取消会议",
	ScopeCommunity: []string{"社区", "全社区"},
	ScopeGroup:     []string{"居民小组", "小组", "网格"},

	Emergencies: map[string][]string{
		"fire": {"着火", "起火", "失火", "火灾", "烧起来", "冒浓烟", "冒黑烟", "火很大"},
		"gas": {"煤气味", "燃气味", "天然气味", "煤气泄漏", "燃气泄漏", "天然气泄漏", "漏煤气", "漏燃气", "漏天然气", "煤气漏了",
			"燃气漏了", "天然气漏了",
			// the gas and its smell or leak apart: 燃气好大一股味道 是不是漏气了 (found by a first user)
			"燃气+味道", "煤气+味道", "天然气+味道", "燃气+漏", "煤气+漏", "天然气+漏"},
		"lift": {"困在电梯", "困电梯", "电梯困人", "电梯困住", "电梯里困", "被困电梯", "关在电梯", "电梯关人", "电梯关到人", "电梯里关",
			"电梯把人关", "电梯又关人", "电梯又困人", "卡在电梯", "电梯卡人", "电梯夹人", "电梯里出不来", "电梯里面出不来",
			// both parts, in either order: 电梯卡在5楼了，里面关着一个老人 (found by a first user)
			"电梯+关着", "电梯+困着", "电梯+被困", "电梯+里面有人", "电梯+人在里面", "电梯+出不来",
			// 电梯又坏求了，关了两个人在里头; 电梯卡在两层中间了，我老汉在里头 (found by a first user)
			"电梯+在里头", "电梯+关了人", "电梯+关了两个人", "电梯+关了一个人", "电梯+困了", "电梯+卡在两层", "电梯+卡在半"},
		"medical": {"晕倒", "昏倒", "昏迷", "不省人事", "摔倒起不来", "摔了起不来", "摔倒了起不来", "摔倒了爬不起来", "跌倒起不来",
			"跌倒了起不来", "摔了一跤起不来", "倒地不起", "倒在地上", "没有呼吸", "没呼吸", "大出血",
			"流了好多血", "流了很多血", "触电", "喘不上气", "喘不过气"},
		"police": {"持刀", "拿刀砍", "砍人", "正在打人", "在打人", "打人了", "家暴", "要跳楼", "想跳楼", "有人跳楼", "要自杀", "想自杀"},
	},
	ProgressAsks: []string{"进展怎么样", "进度怎么样", "进展如何", "进度如何", "进展咋样", "进度咋样", "有进展吗", "有没有进展",
		"有什么进展", "啥进展", "处理得怎么样", "处理得咋样", "处理到哪", "办得怎么样", "办到哪", "处理了没有", "处理了吗",
		"怎么还没处理", "咋还没处理", "怎么还没人处理", "查一下进度", "查下进度", "查进度", "查询进度", "看下进度", "看一下进度",
		"弄得怎么样", "搞得怎么样", "弄得咋样", "搞得咋样"},
	ProgressBare: []string{"进度", "进展", "查询", "查询一下", "查一下"},
	// HotlineAsks ask how to reach a person (社区电话多少, 转人工): answered
	// with the community's phone at once, not read as an appeal.
	HotlineAsks: []string{"社区电话", "社区的电话", "居委会电话", "居委会的电话", "电话多少", "电话是多少", "电话号码", "联系电话", "联系方式", "转人工", "人工客服", "找人工", "人工服务",
		"办公时间", "上班时间", "几点上班", "办公地点"},
	EnquiryCues: []string{"咋个", "咋办", "咋弄", "怎么", "怎样", "如何", "哪里", "哪儿", "在哪", "啥子", "什么", "要带", "需要带",
		"流程", "手续", "条件", "材料", "能不能", "可不可以", "办理", "申请", "申领", "?", "？", "吗", "嘛"},
	ReportLeads: []string{"反映", "反应", "投诉", "举报", "求助", "报修", "报个修"},
	ReportFiller: []string{"你好", "您好", "请问", "麻烦", "那个", "一个", "一件", "一下", "事情", "问题", "情况", "一点",
		"我", "有", "个", "件", "事", "想", "要", "下", "给", "跟", "向", "你们", "说", "点", "啊", "哈", "嘛", "哦", "呢", "哈", "的"},
	StaffQuestions: []string{"?", "请问", "吗", "是否", "能否", "能不能", "可不可以", "方便", "麻烦告诉", "麻烦告知", "请告诉",
		"请告知", "请提供", "请发", "请回复"},
	NewMatterLeads: []string{"还有个事", "还有一个事", "还有件事", "还有一件事", "另外还有", "另外一个事", "另外一件事", "另一件事",
		"对了还有", "顺便说一下", "顺便反映"},
	NewMatter: []string{"新问题", "新的问题", "是新问题", "另一件事", "是另一件事", "新的事", "新的事情", "不是回答", "重新反映", "1"},
	Greetings: []string{"你好", "您好", "在吗", "在不在", "有人吗", "HELLO", "HI", "哈喽", "嗨", "早上好", "晚上好"},
	Thanks:    []string{"谢谢", "谢谢你", "谢谢您", "多谢", "感谢", "好的谢谢", "THANKS", "THANKYOU"},
	Yes:       []string{"是", "是的", "对", "对的", "对头", "没错", "确认", "确定", "提交", "确认提交", "好", "好的", "可以", "要得", "嗯", "OK", "Y", "YES"},
	No:        []string{"否", "不是", "不对", "错了", "不", "修改", "改", "重新填", "重填", "N", "NO"},
	Follow:    "附议",
	KindHints: map[string][]string{
		"private": {"私事", "自己家", "我家", "家里", "自己的", "个人", "找人", "服务"},
		"small":   {"小事", "公共", "小区里", "楼道", "邻居", "楼上", "小区里面"},
		"major":   {"大事", "政府", "外面", "马路", "手续", "政策", "部门"},
	},
	OptionPrefixes: []string{"选", "第"},
	OptionSuffixes: []string{"个", "项", "号", "种"},
	Numerals:       map[string]int{"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9},
	Unsupported:    []string{"收到不支持的消息类型", "暂无法显示"},
	RelativeDays:   map[string]int{"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2},
	DayShorthands:  map[string]string{"今晚": "今天晚上", "明晚": "明天晚上", "后晚": "后天晚上", "明早": "明天早上", "今早": "今天早上"},
	Morning:        []string{"上午", "早上", "早晨"},
	Evening:        []string{"下午", "晚上"},
}

// EmergencyKinds are the kinds of danger (keys of Emergencies, in the order
// given) whose words text holds. Compare a normalised text (no spaces).
func (w *Words) EmergencyKinds(text string, order []string) []string {
	var kinds []string
	for _, k := range order {
		for _, cue := range w.Emergencies[k] {
			if containsAll(text, cue) {
				kinds = append(kinds, k)
				break
			}
		}
	}
	return kinds
}

// containsAll reports whether text holds every "+"-separated part of cue.
func containsAll(text, cue string) bool {
	for part := range strings.SplitSeq(cue, "+") {
		if !strings.Contains(text, part) {
			return false
		}
	}
	return true
}

// Urgent reports whether a resident's text speaks of danger now (the zh-CN
// words, spaces ignored): the task push and the console mark it 紧急.
func Urgent(text string) bool {
	return len(ZhCNWords.EmergencyKinds(strings.Join(strings.Fields(text), ""), ZhCN.EmergencyOrder)) > 0
}

// Asks reports whether a handler's note asks the resident something
// (StaffQuestions).
func (w *Words) Asks(note string) bool {
	note = width.Fold.String(note)
	for _, q := range w.StaffQuestions {
		if strings.Contains(note, q) {
			return true
		}
	}
	return false
}
