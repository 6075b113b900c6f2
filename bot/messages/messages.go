// Package messages is the message catalog: every sentence the service says
// to people (chat replies, pushes, Open311 notices) and the chat words they
// type, zh-CN first, with the helpers that say dates and clip texts. The
// chat, the operations and the jobs render through it; it imports nothing
// of ours.
package messages

import "time"

// Messages is the catalog of everything the bot says. Every user-facing
// string lives here (zh-CN first); code refers to fields, never to literals,
// so a wording change or a second language is one place. Fields ending in F
// are fmt formats; their verbs are documented beside them.
type Messages struct {
	Welcome           string
	HelpResident      string
	Cancelled         string
	NothingToCancel   string
	NothingWithdrawn  string // 取消 after words were passed on or an urgent appeal filed
	HotlineF          string // the community's phone, asked for
	RateCancelled     string // 取消 while a bare 不满意 waits for its reason
	Unsupported       string // unknown message types
	VoiceNoText       string
	VideoReceived     string
	LinkReceived      string
	EmptyText         string
	TooLong           string
	NoAppeals         string
	MyAppealsHead     string
	MyAppealsLine     string // ref, topic, status, deadline
	MyAppealsLineDone string // ref, topic, status: a finished appeal
	NoLongerTimed     string // the deadline of a finished appeal in its details
	MyAppealsMore     string
	NoDeadline        string
	MenuAppeal        string
	MenuMeetings      string
	Failure           string // the message could not be handled
	StatusNames       map[string]string
	KindNames         map[string]string

	// TemplateLayouts name the fields of the account's template messages
	// as a phone shows them (README "Templates"), by layout; the simulator
	// shows a template push with them. TemplateHead starts such a push.
	TemplateLayouts []map[string]string
	TemplateHead    string

	// Menu button labels (contract.md keys APPEAL, MY_APPEALS, MEETINGS, HELP).
	MenuButtonAppeal, MenuButtonMyAppeals, MenuButtonMore, MenuButtonMeetings, MenuButtonHelp string

	// Conversation.
	Expired string // prefixed to the reply when an unfinished appeal timed out
	// Emergency is what to do at once when a message speaks of danger to
	// someone (Words.Emergencies, same keys): it goes before the reply, and
	// the appeal goes on as usual. EmergencyOrder is the order of the
	// advice when a message names several.
	Emergency           map[string]string
	EmergencyOrder      []string
	NoWords             string // emoji, stickers or punctuation only
	Greeting            string
	Thanks              string
	NotUnderstood       string // a short text with no problem in it
	AddressAloneF       string // an address and nothing else, with nothing in progress: the address as understood
	InProgressF         string // %s: the current step's question
	StillWaiting        string // prefix of a re-asked question
	HelpInConversationF string // %s: the current step's question

	// Address registration.
	AskAddressForAppeal   string
	AddressForAppealFound string // before ConfirmAddressF when the appeal itself holds a home address
	AskAddressChange      string
	AddressUnreadable     string
	AddressPrompt         string // where the address step stands (after StillWaiting, or after 帮助)
	ConfirmAddressF       string // %s: the address
	AddressSavedF         string // %s: the grid's name
	AddressThenProblem    string // after an address registered with nothing in progress
	AddressNoGridF        string // %s: the building
	AddressFormatF        string // building, unit, room
	AddressNoUnitF        string // building, room
	AddressBuildingF      string // building
	AddressUnitF          string // building, unit (no room given)
	YesNoHint             string

	// Raising an appeal.
	AskDescribe     string
	PhotoAskText    string
	PhotoAdded      string
	LocationAskText string
	LocationAdded   string
	LocationFarF    string // %.1f: distance in km
	LocationDropped string
	DescribeMore    string
	ClarifyHint     string
	SummaryHead     string
	SummaryTextF    string // %s: the description
	SummaryPlaceF   string // %s: the place
	// SummaryProblemPlaceF: %s the building the text names, not the resident's own
	SummaryProblemPlaceF string
	// SummaryOutsidePlaceF: %s a building the text names that no grid holds
	SummaryOutsidePlaceF string
	SummaryMajorPlaceF   string // %s: the building a government matter's text names
	SummaryLocationF     string // %s: the location label
	SummaryPhotosF       string // %d: number of photos
	SummaryKindF         string // %s: kind explained
	SummaryTopicF        string // %s: topic
	SummaryActions       string
	EnquiryAnswerF       string // the catalog's answer, ref, unit: an enquiry answered at once
	KindExplain          map[string]string
	KindHint             map[string]string // words of each kind put before the text, to find a topic after the triage question; they name no matter
	EditAsk              string
	TooManyPhotos        string
	DescriptionFull      string
	MeTooOfferF          string // ref, topic, status
	MeTooDoneF           string // ref
	MeTooAlreadyF        string // ref

	// After submitting.
	SubmittedSmallGridF      string // ref, grid name, unit, due
	SubmittedSmallCommitteeF string // ref, unit, due
	SubmittedMajorF          string // ref, unit, time limit, due
	GuidedF                  string // ref, guide, hotline
	GuideDefault             string
	HotlineUnknown           string
	TooManyAppealsF          string // the limit, the hotline
	NotedF                   string // ref, who: the author's message on their appeal was passed on
	NotedNobody              string // who, when no handler is bound yet
	AnsweredF                string // ref, who, words: the author's answer to their handler's question was passed on
	AnsweredMoreF            string // words: more of the answer passed on
	AnsweredInPassingF       string // ref, who, words, the current step's question: an answer sent while another appeal is being raised
	PhotoNote                string // before a photo's address in the handler's note
	PhotoAnsweredF           string // ref, who: a photo sent in answer was passed on
	DescribeNew              string // 新问题 with no words kept: say what it is
	AnswerHeldF              string // ref, count, hotline: the note limit held these words back
	NotesEnoughF             string // ref, count, hotline: the author's notes on the appeal today reached the limit
	UrgeWhichF               string // lines, ref: 催办 without a number, several appeals open
	UrgeLineF                string // ref, topic
	UrgentFiled              string // before the submission's reply of an urgent appeal
	UrgentWhere              string // after it, when no place is known
	StaffDraftHint           string // before a draft started by a staff member's words
	DueDateF                 string // Go time layout of deadlines: month, day, weekday
	Weekdays                 [7]string
	DaysLimitF               string // %d calendar days
	WorkingDaysLimitF        string // %d working days
	HoursLimitF              string // %d hours
	UnitDefault              map[string]string

	// Withdrawing one's own appeal (撤回 编号 原因).
	WithdrawDoneF    string // ref, topic
	WithdrawUsage    string
	WithdrawWhichF   string // lines (ref and topic), a ref for the example
	WithdrawNotNowF  string // ref, status
	WithdrawRateHint string // added when the appeal is resolved
	WithdrawReason   string // the reason recorded when the resident gives none

	// Not private (不是私事).
	DisputeDoneF     string // ref
	DisputeNoReason  string // the reason recorded when the resident gives none
	DisputeNothing   string
	DisputeNotGuided string

	// My appeals and details.
	FollowedMark    string
	AppealNotFound  string
	DetailF         string // ref, topic, kind, status, unit, deadline, last event
	DetailStaffF    string // appended for staff: description, place, contact
	DetailNotesHead string // before the author's latest notes, for staff
	DetailNoteLineF string // time, words
	NoteTimeF       string // Go layout of a note's time
	DetailNoEvent   string
	EventLineF      string // date, what
	EventNoteF      string // a handler's note after the last event
	ActionNames     map[string]string
	NoTopic         string
}

// ZhCN is the simplified-Chinese catalog.
var ZhCN = Messages{
	Welcome: "欢迎关注！这里是社区的“共治”服务号。\n" +
		"小区里遇到问题（楼道灯坏了、消防通道被占、邻里纠纷……），直接发文字、语音或照片告诉我们，" +
		"我们会分类登记、派给负责的人，并告诉您谁来办、何时办结。\n" +
		"下方菜单：我要反映、我的诉求、更多（议事会议、帮助）。回复“帮助”查看全部功能。",
	HelpResident: "您可以：\n1. 直接描述问题，反映诉求（文字、语音、照片、位置都可以）\n" +
		"2. 回复“我的诉求”查看办理进度，发诉求编号查看详情；“催办 编号 您的话”或“补充一下：……”转给承办人\n3. 回复“修改地址”更改住址\n" +
		"4. 回复“撤回 编号 原因”撤回不再需要办理的诉求；办结后回复“满意”或“不满意 原因”评价\n" +
		"5. 社区发布项目后，回复“报名 项目编号”当志愿者（编号见项目通知）\n6. 回复“取消”退出当前操作\n也可以点下方菜单“我要反映”“我的诉求”。",
	Cancelled:         "已取消，刚才的内容没有提交。有问题随时再发给我们。",
	RateCancelled:     "好的，这次不评价。问题如果还在，随时告诉我们。",
	NothingToCancel:   "当前没有进行中的操作。直接描述问题即可反映诉求，回复“帮助”查看功能。",
	NothingWithdrawn:  "好的。已经提交的诉求和已转给承办人的话都还在，不会撤回；要撤回诉求请回复“撤回 编号”。",
	HotlineF:          "社区电话：%s（工作时间有人接听）。也可以直接在这里说明遇到的问题，我们会转给负责的工作人员。",
	Unsupported:       "暂时无法识别这类消息。请用文字或语音描述您的问题，回复“帮助”查看功能。",
	VoiceNoText:       "没有听清您的语音，请再说一遍，或直接发文字。",
	VideoReceived:     "视频暂时无法保存。请改发照片，并用文字说明是什么问题、在哪里。",
	LinkReceived:      "链接已收到。请用文字说明您想反映的问题。",
	EmptyText:         "没有收到文字内容。请描述您遇到的问题，或回复“帮助”。",
	TooLong:           "内容太长了，请用几句话（500字以内）说明问题，细节可以之后补充。",
	NoAppeals:         "您还没有提交过诉求。直接描述问题即可反映。",
	MyAppealsHead:     "您最近的诉求：",
	MyAppealsLine:     "%s %s：%s，%s",
	MyAppealsLineDone: "%s %s：%s",
	NoLongerTimed:     "已结束，不再计时",
	MyAppealsMore:     "……更早的诉求未显示。发送编号可查看详情。",
	NoDeadline:        "无办结时限",
	MenuAppeal:        "请用一两句话描述您遇到的问题和地点，可以发文字、语音、照片或位置。回复“取消”放弃。",
	MenuMeetings:      "目前没有邀请您参加的议事会议。有会议时我们会通知您。",
	Failure:           "抱歉，系统暂时繁忙，您的消息没有保存成功，请稍后再发一次。急事请拨打社区电话。",
	StatusNames: map[string]string{
		"submitted": "已提交", "assigned": "已派单", "accepted": "已接单", "in_progress": "办理中",
		"resolved": "已办结", "closed": "已评价", "guided": "已引导自行办理", "review": "社区复核中",
		"reopened": "重新办理", "escalated": "已上报", "withdrawn": "已撤回",
	},
	KindNames: map[string]string{"major": "大事", "small": "小事", "private": "私事"},

	TemplateLayouts: []map[string]string{
		{"thing1": "事项", "character_string2": "编号", "phrase3": "状态", "thing4": "说明", "time5": "时间"},
		{"thing1": "议题", "time2": "时间", "thing3": "地点", "character_string4": "编号"},
		{"thing1": "问题", "time2": "截止时间", "character_string3": "编号"},
	},
	TemplateHead: "【模板消息】",

	MenuButtonAppeal: "我要反映", MenuButtonMyAppeals: "我的诉求", MenuButtonMore: "更多",
	MenuButtonMeetings: "议事会议", MenuButtonHelp: "帮助",

	Expired: "（您之前没有提交的诉求已超时作废，需要的话请重新反映。）",
	Emergency: map[string]string{
		"fire":    "【紧急】如果现在着火或冒烟：请立即拨打119，先离开到安全的地方，不要乘电梯。",
		"gas":     "【紧急】如果闻到燃气味：请关闭燃气阀门、打开门窗，不要开关电器或打火，到室外再拨打燃气公司抢修电话或119。",
		"lift":    "【紧急】如果现在有人被困在电梯里：请按轿厢内的警铃或拨打轿厢内张贴的救援电话；无人应答请拨96333（电梯应急救援）或119。被困的人不要扒门。",
		"medical": "【紧急】如果有人受伤、晕倒或呼吸困难：请立即拨打120急救电话。",
		"police":  "【紧急】如果有人正面临危险：请立即拨打110报警。",
	},
	EmergencyOrder:      []string{"fire", "gas", "lift", "medical", "police"},
	NoWords:             "收到您的表情啦。请用文字或语音说说遇到了什么问题，回复“帮助”查看功能。",
	Greeting:            "您好！遇到问题请直接描述，例如“3栋楼道灯坏了”。回复“帮助”查看全部功能。",
	Thanks:              "不客气！有问题随时告诉我们。",
	NotUnderstood:       "没太明白您的意思。请说说遇到了什么问题、在哪里，例如“3栋楼道灯坏了”。回复“帮助”查看功能。",
	AddressAloneF:       "收到地址：%s。请把遇到的问题连同地址一起发给我，例如“%s楼道灯坏了”。",
	InProgressF:         "您有一条诉求还没提交完。\n%s",
	StillWaiting:        "没看懂您的回复。",
	HelpInConversationF: "正在填写诉求，您可以按提示回复，或回复“取消”放弃。\n%s",

	AskAddressForAppeal:   "这件事由社区安排您所在网格的工作人员处理，请先告诉我您的住址，例如“3栋2单元501”。回复“取消”放弃。",
	AddressForAppealFound: "这件事由社区安排您所在网格的工作人员处理。",
	AskAddressChange:      "请发送新的住址，例如“3栋2单元501”或“3-2-501”。回复“取消”放弃。",
	AddressPrompt:         "请发送您家的住址，例如“3栋2单元501”或“3-2-501”（发送位置无法代替住址），回复“取消”放弃。",
	AddressUnreadable:     "没看懂这个地址。请按“3栋2单元501”或“3-2-501”的样子发送，回复“取消”放弃。",
	ConfirmAddressF:       "您的住址是：%s，对吗？\n回复 1 对，2 不对（重新填写）。",
	AddressSavedF:         "住址已登记，您属于%s。",
	AddressThenProblem:    "遇到什么问题，直接发给我就行。",
	AddressNoGridF:        "住址已登记。%s栋暂不在社区的网格名单里，我们先这样登记，社区工作人员会核实。",
	AddressFormatF:        "%s栋%s单元%s",
	AddressNoUnitF:        "%s栋%s",
	AddressBuildingF:      "%s栋",
	AddressUnitF:          "%s栋%s单元",
	YesNoHint:             "请回复 1（对）或 2（不对）。",

	AskDescribe:          "请用一两句话说明是什么问题、在哪里。回复“取消”放弃。",
	PhotoAskText:         "照片已收到。请再用一两句话说明是什么问题、在哪里。",
	PhotoAdded:           "照片已添加。",
	LocationAskText:      "位置已收到。请再用一两句话说明那里出了什么问题。",
	LocationAdded:        "位置已添加。",
	LocationFarF:         "这个位置离本社区约%.1f公里，好像不在社区范围内。问题确实在这里吗？\n回复 1 是，2 不是（位置不保存）。",
	LocationDropped:      "好的，位置不保存。",
	DescribeMore:         "内容已补充。",
	ClarifyHint:          "（回复“取消”放弃）",
	SummaryHead:          "请确认您的诉求：",
	SummaryTextF:         "问题：%s",
	SummaryPlaceF:        "住址：%s",
	SummaryProblemPlaceF: "地点：%s（由该楼栋的网格员办理）",
	SummaryMajorPlaceF:   "地点：%s",
	SummaryOutsidePlaceF: "地点：%s（不在本社区登记的楼栋中，先由您所在网格的网格员核实）",
	SummaryLocationF:     "位置：%s",
	SummaryPhotosF:       "照片：%d张",
	SummaryKindF:         "类别：%s",
	SummaryTopicF:        "事项：%s",
	SummaryActions:       "回复 1 确认提交，2 修改，“取消”放弃。",
	EnquiryAnswerF: "%s\n（以上为办事指引，具体以当地窗口为准，办理前请先电话核实。）\n" +
		"已记为咨询即时办结，编号 %s。如果看了还是不会或办不成，回复“没用”或“还是不会”，我们转%s办理。",
	KindExplain: map[string]string{
		"small":   "小事（小区公共事务，由社区办理）",
		"major":   "大事（需政府部门办理，社区帮您转交）",
		"private": "私事（您个人的事，我们提供办理指引）",
	},
	KindHint:        map[string]string{"small": "小区里的", "major": "外面街上的", "private": "自己家的"},
	EditAsk:         "好的，请重新描述问题（照片和位置会保留）。回复“取消”放弃。",
	TooManyPhotos:   "照片最多9张，这张没有保存。",
	DescriptionFull: "描述已经够长了，这段没有再添加。",
	MeTooOfferF:     "附近邻居已反映过同样的问题：%s %s（%s）。\n回复 1 附议（我也遇到了，一起跟进），2 仍单独提交，“取消”放弃。",
	MeTooDoneF:      "已附议诉求 %s，办理进展和结果会同样通知您。回复“我的诉求”可查看。",
	MeTooAlreadyF:   "您已经附议过诉求 %s，有进展会通知您。",

	SubmittedSmallGridF:      "已提交，编号 %s。\n由%s的网格员负责（%s），最迟%s办结。\n有进展和办结时会在这里通知您，回复“我的诉求”可查看进度。",
	SubmittedSmallCommitteeF: "已提交，编号 %s。\n由社区两委安排专人处理（%s），最迟%s办结。\n有进展和办结时会在这里通知您，回复“我的诉求”可查看进度。",
	SubmittedMajorF:          "已提交，编号 %s。\n这件事需要政府部门办理，由社区转交%s，时限%s，最迟%s答复。\n办理进展和结果会在这里通知您，回复“我的诉求”可查看进度。",
	GuidedF:                  "已记录，编号 %s。\n这是您个人的事（私事），社区不派单，建议：%s\n需要帮助可拨打社区电话 %s。\n如果您认为这不是私事，回复“不是私事”，社区会复核。",
	GuideDefault:             "可联系物业或正规家政维修服务；不清楚找谁，可拨打社区电话咨询。",
	HotlineUnknown:           "（请到社区居委会咨询）",
	NotedF:                   "已把您的留言转给诉求 %s 的承办人（%s），有答复会在这里通知您。回复“我的诉求”可查看进度。",
	NotedNobody:              "社区两委",
	AnsweredF:                "已把您的回复转给诉求 %s 的承办人（%s）：「%s」\n如果这是另一件新的事情，请回复“新问题”，我帮您登记。",
	AnsweredMoreF:            "已转给承办人：「%s」",
	AnsweredInPassingF:       "已把这句话转给诉求 %s 的承办人（%s）：「%s」\n您正在反映的新问题还没提交完：\n%s",
	PhotoNote:                "（居民发来一张照片）",
	PhotoAnsweredF:           "照片已转给诉求 %s 的承办人（%s），也附在诉求记录里。还想补充什么，直接回复文字即可。",
	DescribeNew:              "好的，请说说新的问题是什么、在哪里。",
	AnswerHeldF:              "承办人还没答复您关于诉求 %s 的前%d条留言，这句话先没有转过去。\n如果这是一件新的事情，请回复“新问题”，我帮您登记；急事请拨打社区电话 %s。",
	UrgeWhichF:               "您有几件诉求正在办理：\n%s\n请带上编号发送，例如“催办 %s”，您的话会转给那件诉求的承办人。",
	UrgeLineF:                "%s（%s）",
	NotesEnoughF:             "您今天已就诉求 %s 留言%d次，承办人都已收到，请耐心等待答复。急事请拨打社区电话 %s。",
	StaffDraftHint:           "（这句话不是工作指令，下面按您自己反映的新诉求处理；如果是要答复居民，请回复“取消”，再发“进展 编号 内容”。）",
	UrgentWhere:              "请马上回复具体位置（几栋几单元、哪一层）和现场情况，我们会立即转告处置人员。",
	UrgentFiled:              "情况紧急，已直接为您提交，不用再确认，社区会尽快处置：",
	TooManyAppealsF:          "您24小时内已提交了%d件还在办理的诉求，社区正在逐件处理，这一件暂时没有提交。急事请拨打社区电话 %s；遇到危险请直接拨打110、119或120。回复“我的诉求”可查看进度。",
	DueDateF:                 "1月2日",
	Weekdays:                 [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"},
	DaysLimitF:               "%d天",
	WorkingDaysLimitF:        "%d个工作日",
	HoursLimitF:              "%d小时",
	UnitDefault: map[string]string{
		"small": "社区居委会", "major": "街道办事处", "private": "本人",
	},

	WithdrawDoneF:    "已撤回诉求 %s（%s），不再办理。如有新的问题，直接告诉我就行。",
	WithdrawUsage:    "请发送“撤回 编号 原因”，例如：撤回 SQ2612010001 已经修好了。编号可在“我的诉求”里查看。",
	WithdrawWhichF:   "您正在办理的诉求：\n%s\n要撤回哪一件，请发送“撤回 编号 原因”，例如：撤回 %s 已经修好了。",
	WithdrawNotNowF:  "诉求 %s 当前状态为“%s”，不能撤回。",
	WithdrawRateHint: "已办结的诉求请回复“满意”或“不满意 原因”评价。",
	WithdrawReason:   "居民不再需要办理",
	DisputeNoReason:  "居民未说明理由",
	DisputeDoneF:     "已转社区复核，编号 %s。社区两委会重新研究这件事，并在这里告诉您结果。",
	DisputeNothing:   "没有找到可以复核的私事诉求。请回复“不是私事 编号”，编号可在“我的诉求”里查看。",
	DisputeNotGuided: "这条诉求不是按私事处理的，不需要复核。回复“我的诉求”查看进度。",

	FollowedMark:    "（附议）",
	AppealNotFound:  "没有找到这个编号的诉求。回复“我的诉求”查看您的诉求。",
	DetailStaffF:    "\n内容：%s\n地点：%s\n联系居民：%s",
	DetailNotesHead: "\n居民留言：\n",
	DetailNoteLineF: "%s「%s」",
	NoteTimeF:       "1月2日15:04 ",
	DetailF:         "诉求 %s\n事项：%s（%s）\n状态：%s\n负责：%s\n时限：%s\n最新进展：%s",
	DetailNoEvent:   "暂无",
	EventLineF:      "%s %s",
	EventNoteF:      "：%s",
	// Keyed by the lifecycle's Action values (models.Act*).
	ActionNames: map[string]string{
		"submit": "已提交", "assign": "已派单", "reassign": "已改派", "accept": "已接单", "progress": "有新进展",
		"resolve": "已办结", "rate_satisfied": "居民评价满意", "rate_unsatisfied": "居民不满意，重新办理",
		"escalate": "已上报", "reclassify": "已重新分类", "return": "已退回社区重新派单", "withdraw": "已撤回",
		"guide": "已引导自行办理", "dispute_private": "居民申请复核", "set_deadline": "办结时限已调整",
		"close_unrated": "超期未评价，已关闭", "answer": "咨询已当场答复", "follow": "有邻居附议", "attachment": "补充了现场照片",
		"meeting_decision": "议事会议已作出决定", "project_outcome": "社区项目已完成", "note": "居民留言",
	},
	NoTopic: "其他",
}

// PushMessages is the part of the catalog that scheduled jobs push (jobs
// package): reminders, escalations, digests. Template keyword values are
// built from the same parts and cut to WeChat's field limits when sent.
type PushMessages struct {
	DeadlineReminder    string // ref, topic, deadline
	EscalatedResident   string // ref, topic, new level, new deadline
	EscalatedOldHandler string // ref, topic, new level
	EscalatedNewHandler string // ref, topic, old level, new deadline
	EscalatedCommittee  string // ref, topic, old level, new level, new deadline
	Digest              string // community, new, overdue, unrated
	MeetingReminder     string // topic, start, venue
	EscalatedPhrase     string // template "phrase" field: ≤ 5 characters
	ReminderPhrase      string // template "phrase" field of a deadline reminder: ≤ 5 characters
	DueNoteF            string // template "thing" field: a deadline (≤ 20 characters)
	TimeLayout          string // meeting times and template time fields
	DueDateF            string // Go layout of deadlines said in a sentence (weekday appended)
	Weekdays            [7]string
	LevelNames          map[string]string
}

// Due says a deadline in a sentence as residents and staff read it
// ("12月4日（周五）"): a date, never a clock time.
func (m *PushMessages) Due(t time.Time, loc *time.Location) string {
	return WithWeekday(t, loc, m.DueDateF, m.Weekdays)
}

// ZhCNPush is the simplified-Chinese push catalog.
var ZhCNPush = PushMessages{
	DeadlineReminder:    "【办理提醒】诉求 %s（%s）将于%s到期，请抓紧办理并及时反馈进度。",
	EscalatedResident:   "您的诉求 %s（%s）未能在时限内办结，已上报%s继续办理，新的办结时限为%s。我们会继续跟进。",
	EscalatedOldHandler: "诉求 %s（%s）已超过办结时限，系统已将其上报%s。",
	EscalatedNewHandler: "诉求 %s（%s）在%s超期未办结，已上报给您办理，办结时限为%s。",
	EscalatedCommittee:  "诉求 %s（%s）超期未办结，已由%s上报%s，新的办结时限为%s。",
	Digest:              "【每日汇总】%s：近24小时新增诉求%d件，超期未办结%d件，已办结待评价%d件。",
	MeetingReminder:     "【会议提醒】议事会议“%s”将于%s在%s召开，请准时参加。",
	EscalatedPhrase:     "已上报",
	ReminderPhrase:      "即将到期",
	DueNoteF:            "办结时限%s",
	TimeLayout:          "1月2日 15:04",
	DueDateF:            "1月2日",
	Weekdays:            [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"},
	LevelNames:          map[string]string{"community": "社区", "street": "街镇部门", "district": "区级统筹"},
}

// StaffMessages is what staff commands and lifecycle pushes say. Fields
// ending in F are fmt formats; their verbs are documented beside them.
type StaffMessages struct {
	HelpStaffF    string // %s: the role's name; the staff commands and the resident's help follow
	HelpWorker    string // commands of grid workers, liaisons and coordinators
	HelpReturn    string // 退回, for those who are not the committee: the committee re-dispatches with 改派
	HelpCommittee string // extra commands of committee members and administrators
	RoleNames     map[string]string

	BoundF        string // name, role name
	BindUnknown   string
	BindExpired   string
	BindUsed      string
	BindLocked    string
	AlreadyBoundF string // role name
	BindUsage     string

	StaffOnly         string // a resident sent a staff command
	CommitteeOnly     string // a worker sent a committee command
	NotFoundF         string // ref
	NotFoundResidentF string // ref: a resident rating an appeal not theirs or unknown
	SameAssigneeF     string // ref: 改派 to the appeal's own handler
	NotYoursF         string // ref
	NotNowF           string // ref, status, command
	NeedRefF          string // usage of the command
	ChangedF          string // ref: someone else changed it meanwhile
	UnknownStaffF     string // what was typed
	AmbiguousStaffF   string // the name typed: several staff members bear it
	SameKindF         string // ref, kind
	KeptPrivateF      string // ref: a disputed private matter kept private
	ReasonTooLong     string // a reason over the limit (200 characters)
	// Usage is each command's format line, by command word; Verbs name what
	// a command does, for "cannot … now".
	Usage map[string]string
	Verbs map[string]string

	AcceptedF      string // ref, topic, due
	ProgressF      string // ref
	ResolvedF      string // ref
	EscalatedF     string // ref, level, due
	ReturnedF      string // ref
	ReassignedF    string // ref, staff
	ReclassifiedF  string // ref, kind
	PhotoAttachedF string // ref
	NoTasks        string
	TasksHeadF     string // count
	TaskLineF      string // ref, topic, place, status, due
	OverdueMark    string
	TasksMoreF     string // how many more

	RatedSatisfiedF   string // ref
	RatedUnsatisfiedF string // ref
	RateNothing       string
	RateFollowedF     string // ref, topic: a followed appeal, rated by its author only
	UnderstoodF       string // what was understood, before the rating's reply: the resident's words, the rating
	RateNotResolvedF  string // ref, status
	RateNeedReasonF   string // ref, topic
	RateClosedF       string // ref: rated (closed) already
	RateWhichF        string // count, lines, ref, ref: several appeals wait for a rating
	RateChoiceLineF   string // ref, topic

	// Pushes.
	PushAssignedF          string // ref, topic, kind, place, description, due, how to reach the resident, ref, ref
	UrgentTask             string // before PushAssignedF when the description speaks of danger now
	NoHandlerF             string // unit: before a task push sent to the committee because nobody holds its role
	UrgentMark             string // before such a task in 我的任务
	PlaceUnitF             string // building, unit
	ContactPhoneF          string // the phone the resident gave, ref
	ContactChatF           string // ref: no phone given, reach them through the account
	PushAcceptedF          string // ref, topic, handler
	PushProgressF          string // ref, topic, text
	PushAskedF             string // ref, topic, text: a progress note that asks the author something
	RelapseF               string // ref, date: the same matter in the same building was resolved lately
	RelapseMarkF           string // RelapseF's words, before a task push
	PlacedReason           string // the reason of an assignment when the author said where it is
	PushResolvedAuthorF    string // ref, topic, note
	PushResolvedFollowerF  string // ref, topic, note
	PushUnsatisfiedF       string // ref, topic, reason
	PushSatisfiedF         string // ref, topic
	PushReturnedF          string // ref, topic, who, reason, ref
	PushEscalatedResidentF string // ref, topic, level, due
	PushClosedUnratedF     string // ref, topic
	NoPlace                string
	Handler                string // how a resident reads an unnamed handler

	// A revision told to the resident: the head, then one clause per change, then the reason.
	PushRevisedF      string // ref, topic, the changes (joined by "；"), reason
	RevisedKindF      string // kind name, level name
	RevisedTopicF     string // the matter's name, when only the matter changed
	RevisedGuided     string // a private matter: pointed to self-help
	RevisedGuideF     string // the guide itself
	ReviewKeptPrivate string // a disputed private matter the committee keeps private
	RevisedHandlerF   string // handler name
	RevisedDueF       string // new deadline
	RevisedSep        string
	TakenOverF        string // the relieved handler's reason when a committee member takes over: name
	HandOverReason    string // the event's reason when a newly bound worker takes the grid's waiting appeals
	LearnedNoteF      string // added to a correction's event: the phrases it taught (、-joined) and their kind
	TopicChangedF     string // added to a correction's event: the old topic, the new
	// The template card of an appeal push (ops.Appeals.card): phrase3 by
	// action (≤ 5 characters), and thing4 notes (≤ 20).
	CardPhrases            map[string]string
	CardRateHint           string
	CardUrgent             string // the card's phrase (≤ 5 characters) of an urgent task
	CardRaiseAgain         string
	HandedOverF            string // count, refs: added to the bind reply
	EnquiryAnswered        string // the event's reason of an enquiry answered on the spot
	PushReviewF            string // ref, topic, reason, ref, ref: to the committee when a resident disputes "private"
	PushWithdrawnF         string // ref, topic, reason: to the handler when the resident withdraws
	PushNoteF              string // ref, topic, words, ref: the author's message about their open appeal, to its handler
	PushRelievedF          string // ref, topic, reason: to a handler whose task went to someone else
	PushRelievedGuidedF    string // ref, topic, reason: the task became a private matter
	PushWithdrawnFollowerF string // ref, topic: to those who said "me too"
}

// ZhCNStaff is the simplified-Chinese staff catalog.
var ZhCNStaff = StaffMessages{
	HelpStaffF: "您是本社区的%s。工作指令：",
	HelpWorker: "接单 编号 —— 接下派给您的诉求\n进展 编号 内容 —— 告诉居民办理进展\n办结 编号 说明 —— 办结（可随后发一张现场照片）\n" +
		"上报 编号 原因 —— 本级办不了，上报上一级\n我的任务 —— 未办结的任务，超期的在前",
	HelpReturn: "退回 编号 原因 —— 派错了，退回社区两委重新派单",
	HelpCommittee: "改派 编号 姓名或人员编号 原因 —— 改派给另一位工作人员\n改类 编号 大事|小事|私事 原因 —— 重新分类（会告知居民）\n" +
		"开会 范围 时间 地点 议题 —— 发起议事会议并通知参会人\n会议 编号 —— 查看会议的参会名单和回复\n取消会议 编号 原因 —— 取消会议并通知参会人\n" +
		"登录 —— 打开管理后台（发来一次性链接，10分钟内有效）",
	RoleNames: map[string]string{"grid_worker": "网格员", "committee": "两委成员", "liaison": "部门联络员",
		"district_coordinator": "区级统筹人员", "admin": "管理员"},

	BoundF:        "绑定成功：%s，身份为%s。有任务派给您时会在这里通知。回复“帮助”查看工作指令。",
	BindUnknown:   "绑定码不对，请核对后重新发送“绑定 绑定码”（8位字母数字）。多次输错会被暂时锁定。",
	BindExpired:   "这个绑定码已过期，请联系管理员重新生成。",
	BindUsed:      "这个绑定码已经用过了，请联系管理员重新生成。",
	BindLocked:    "绑定码输错次数太多，请一小时后再试，或联系管理员。",
	AlreadyBoundF: "您已绑定为%s，无需再次绑定。回复“帮助”查看工作指令。",
	BindUsage:     "请发送“绑定 绑定码”，绑定码由社区管理员提供。",

	StaffOnly:         "这是社区工作人员的指令，您还没有绑定工作人员身份，无法使用。反映问题请直接描述，回复“帮助”查看功能。",
	CommitteeOnly:     "这是社区两委的指令，您的身份无法使用。回复“帮助”查看您的工作指令。",
	SameAssigneeF:     "诉求 %s 已经由这位人员办理，无需改派。",
	NotFoundResidentF: "没有找到您反映的诉求 %s。回复“我的诉求”查看您反映和附议的诉求。",
	NotFoundF:         "没有找到诉求 %s，请核对编号。回复“我的任务”查看您的任务。",
	NotYoursF:         "诉求 %s 不由您办理，无法操作。如有疑问请联系社区两委。",
	NotNowF:           "诉求 %s 当前状态为“%s”，现在不能%s。",
	NeedRefF:          "格式：%s",
	ChangedF:          "诉求 %s 刚刚被其他人更新了，请回复编号查看最新状态后再操作。",
	UnknownStaffF:     "没有找到工作人员“%s”，请发送工作人员的姓名或人员编号（管理后台“工作人员”列表中的编号）。",
	AmbiguousStaffF:   "有不止一位工作人员叫“%s”，请改用人员编号（管理后台“工作人员”列表中的编号）。",
	SameKindF:         "诉求 %s 已经是%s了。",
	KeptPrivateF:      "已维持私事：诉求 %s 按私事处理，已把理由告知居民。",
	ReasonTooLong:     "原因请控制在200字以内。",
	Usage: map[string]string{"接单": "接单 编号", "进展": "进展 编号 内容", "办结": "办结 编号 说明",
		"上报": "上报 编号 原因（原因必填，会记入台账）", "退回": "退回 编号 原因（原因必填，会记入台账）",
		"改派": "改派 编号 姓名或人员编号 原因（原因必填，会记入台账）", "改类": "改类 编号 大事|小事|私事 原因（原因必填，会记入台账并告知居民）"},
	Verbs: map[string]string{"接单": "接单", "进展": "报告进展", "办结": "办结", "上报": "上报",
		"退回": "退回", "改派": "改派", "改类": "改类", "满意": "评价", "不满意": "评价"},

	AcceptedF:      "已接单：%s（%s），最迟%s办结。有进展请回复“进展 编号 内容”，办结请回复“办结 编号 说明”。",
	ProgressF:      "进展已记录并告知居民：%s。",
	ResolvedF:      "已办结：%s，已通知居民评价。可以再发一张现场照片附在办结记录上。",
	EscalatedF:     "已上报：%s 转%s办理，新的办结时限为%s。",
	ReturnedF:      "已退回：%s 交社区两委重新派单。",
	ReassignedF:    "已改派：%s 交给%s。",
	ReclassifiedF:  "已重新分类：%s 现为%s。",
	PhotoAttachedF: "照片已附在诉求 %s 的办结记录上。",
	NoTasks:        "您目前没有未办结的任务。",
	TasksHeadF:     "您的未办结任务（%d件）：",
	TaskLineF:      "%s %s（%s）：%s，%s",
	OverdueMark:    "【已超期】",
	TasksMoreF:     "……另有%d件未显示，请在管理后台查看。",

	RatedSatisfiedF:   "感谢评价！诉求 %s 已关闭。",
	RatedUnsatisfiedF: "收到，诉求 %s 已重新交办，负责人和社区两委会继续处理，有进展会通知您。",
	RateFollowedF:     "您附议的诉求 %s（%s）已办结，由最先反映的邻居评价。如果问题还在，请直接描述现在的情况，我们会重新登记处理。",
	RateNothing:       "没有待评价的诉求。如果问题又出现了，请直接描述现在的情况，我们会重新登记；回复“我的诉求”查看进度。",
	UnderstoodF:       "您说“%s”，我们记为对办理结果%s。",
	RateNotResolvedF:  "诉求 %s 当前状态为“%s”，办结后才能评价。",
	RateWhichF:        "您有%d件诉求待评价：\n%s\n请带上编号回复，例如“满意 %s”或“不满意 %s 原因”。",
	RateChoiceLineF:   "%s（%s）",
	RateClosedF:       "诉求 %s 已经评价并关闭。如果问题又出现了，请直接描述现在的情况，我们会重新登记处理。",
	RateNeedReasonF:   "请直接回复对诉求 %s（%s）不满意的原因，例如“灯还是不亮”；回复“取消”不评价。",

	UrgentMark:             "【紧急】",
	NoHandlerF:             "【待转交】%s还没有人绑定本系统，请两委转交或邀请联络人绑定（人员与网格）。\n",
	UrgentTask:             "【紧急】居民反映的情况可能危及人身安全，请立即到场处置，必要时联系救援（119/120/110，电梯96333）。\n",
	PushAssignedF:          "【新任务】诉求 %s\n事项：%s（%s）\n地点：%s\n内容：%s\n办结时限：%s\n联系居民：%s\n回复“接单 %s”接单；办结后回复“办结 %s 说明”。",
	PlaceUnitF:             "%s栋%s单元",
	ContactPhoneF:          "电话 %s（居民留的）；也可回复“进展 %s 内容”，居民会在公众号收到",
	ContactChatF:           "回复“进展 %s 内容”，居民会在公众号收到（居民未留电话）",
	PushAcceptedF:          "您的诉求 %s（%s）已由%s接单，正在办理。",
	PushProgressF:          "您的诉求 %s（%s）有新进展：%s",
	PushAskedF:             "您的诉求 %s（%s）的承办人问您：%s\n直接在这里回复文字即可，会转给承办人。",
	RelapseF:               "再次反映：本楼栋同一事项 %s 已于%s办结",
	RelapseMarkF:           "【%s】",
	PlacedReason:           "居民补充了地点，交所在网格办理",
	PushResolvedAuthorF:    "您的诉求 %s（%s）已办结：%s\n请评价：回复“满意”，或“不满意 原因”。",
	PushResolvedFollowerF:  "您附议的诉求 %s（%s）已办结：%s",
	PushUnsatisfiedF:       "诉求 %s（%s）居民不满意：%s。已重新打开，请继续办理（回复“接单 编号”）。",
	PushSatisfiedF:         "诉求 %s（%s）居民评价：满意，已关闭。",
	PushReturnedF:          "诉求 %s（%s）被%s退回：%s。请重新派单：回复“改派 %s 人员编号 原因”。",
	PushEscalatedResidentF: "您的诉求 %s（%s）已上报%s继续办理，新的办结时限为%s。",
	PushClosedUnratedF:     "您的诉求 %s（%s）办结后未收到评价，已关闭（记为未评价）。如问题仍在，请重新反映。",
	NoPlace:                "未登记",
	Handler:                "工作人员",

	PushRevisedF:      "您的诉求 %s（%s）有调整：%s。原因：%s。有疑问请回复“我的诉求”查看，或发送诉求编号加上您的话，给承办人留言。",
	RevisedKindF:      "已重新分类为%s（%s办理）",
	RevisedTopicF:     "事项改为“%s”",
	RevisedGuided:     "按私事处理，请按指引自行办理；如不同意，回复“不是私事”申请复核",
	RevisedGuideF:     "指引：%s",
	ReviewKeptPrivate: "社区两委复核后，维持按私事处理，请按指引自行办理",
	RevisedHandlerF:   "改由%s办理",
	RevisedDueF:       "办结时限调整为%s前",
	RevisedSep:        "；",
	TakenOverF:        "%s已接手办理",
	HandOverReason:    "本网格的网格员已到岗，由网格员接手办理",
	LearnedNoteF:      "本社区学到：%s → %s（可在管理后台“学到的词”中查看和删除）",
	TopicChangedF:     "事项：%s → %s",
	CardPhrases: map[string]string{"assign": "新任务", "accept": "已接单", "progress": "有进展", "resolve": "已办结",
		"return": "已退回", "escalate": "已上报", "rate_satisfied": "满意", "rate_unsatisfied": "不满意", "withdraw": "已撤回",
		"dispute_private": "待复核", "reclassify": "有调整", "reassign": "已改派", "note": "居民留言",
		"ask": "承办人提问"}, // a 进展 that asks the author something (the card of PushAskedF)
	CardRateHint:           "回复满意或不满意",
	CardUrgent:             "紧急任务",
	CardRaiseAgain:         "问题仍在请重新反映",
	HandedOverF:            "\n本网格此前由社区两委代管的%d件诉求已移交给您：%s。回复“我的任务”查看，“接单 编号”接单。",
	EnquiryAnswered:        "咨询事项，已按事项指引当场答复",
	PushWithdrawnF:         "诉求 %s（%s）已由居民撤回：%s。不用再办理了。",
	PushRelievedGuidedF:    "诉求 %s（%s）已改为私事，由居民按指引自行办理，您无需再处理。原因：%s。",
	PushNoteF:              "【居民留言】诉求 %s（%s）的居民说：「%s」\n回复“进展 %s 内容”答复居民。",
	PushRelievedF:          "诉求 %s（%s）已改由其他人员办理，您无需再处理。原因：%s。",
	PushWithdrawnFollowerF: "您附议的诉求 %s（%s）已由发起人撤回。如果问题仍在，请直接重新反映。",
	PushReviewF:            "【待复核】居民认为诉求 %s（%s）不是私事：%s。请复核：回复“改类 %s 小事|大事 原因”重新派单，或“改类 %s 私事 理由”维持私事（居民会收到理由）；管理后台也可以。",
}

// MeetingMessages is the part of the catalog about consultation meetings:
// invitation cards, answers, the organiser's commands. WeChat shows no
// calendar attachments, so every push is one text card with every detail.
type MeetingMessages struct {
	LevelNames  map[string]string // building, group, community
	AnswerNames map[string]string // pending, accepted, declined, waitlisted
	TimeLayout  string            // Go layout of meeting times (weekday appended)
	Weekdays    [7]string

	CardF          string // header, code, topic, level, time, venue, extra lines; how to answer follows
	HowToAnswerF   string // code, code
	InviteHead     string
	RescheduleHead string
	ReasonLineF    string // reason
	CapacityLineF  string // capacity
	CancelledF     string // code, topic, time, reason
	CancelCardF    string // reason: the template's line of a cancellation
	// TopicTakenReason cancels a draft meeting called on a monthly topic
	// that another request gave its meeting meanwhile.
	TopicTakenReason string
	OutcomeF         string // code, topic, minutes, measures, assignments, funding
	AssignmentF      string // who, what
	FundingF         string // source, amount (yuan)
	NoneLine         string
	PromotedF        string // code, topic, time, venue

	AcceptedF       string // code, topic, time, venue
	WaitlistedF     string // code, topic, position
	DeclinedF       string // code, topic
	AlreadyF        string // code, answer
	WhichMeeting    string // followed by the list
	ListLineF       string // code, topic, time, answer
	OrganisedHead   string // the organiser's own meetings in the MEETINGS menu, lines follow
	OrganisedLineF  string // code, topic, time, status
	OrganisedHint   string
	InviteeLineF    string // name, answer (and why unreachable)
	UnnamedInvitee  string
	UnreachableMark string
	InviteesMoreF   string // how many more
	NoInvitation    string
	UnknownCodeF    string // code
	NotInvitedF     string // code
	NotYoursF       string // code: unknown, or not this person's (nothing more is told)
	CancelledMeetF  string // code
	OverMeetingF    string // code
	InvitationsHead string
	AnswerHint      string

	// Organiser (committee members and administrators by chat).
	StaffOnly        string
	CallUsage        string
	CallBadScope     string
	CallUnknownGridF string // the word, the community's grids
	CallBadTimeF     string // what was typed
	CallPastTime     string
	CallTooFar       string
	CallNobody       string
	CallDoneF        string // code, level, topic, time, venue, invitees, queued, unreachable
	CountsF          string // code, topic, status, time, venue, invitees, accepted, declined, waitlisted, pending, unreachable
	StatusNames      map[string]string
	CancelUsage      string
	CancelDoneF      string // code, told
	NotChangeableF   string // code, status
	AppealDecisionF  string // code, decision, measures: the appeal event's reason
}

// ZhCNMeetings is the simplified-Chinese meetings catalog.
var ZhCNMeetings = MeetingMessages{
	LevelNames:  map[string]string{"building": "楼栋（院落）议事会", "group": "居民小组议事会", "community": "社区议事会"},
	AnswerNames: map[string]string{"pending": "未回复", "accepted": "参加", "declined": "不参加", "waitlisted": "候补"},
	TimeLayout:  "2006年1月2日 15:04",
	Weekdays:    [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"},

	CardF:            "%s\n会议编号：%s\n议题：%s\n层级：%s\n时间：%s\n地点：%s%s\n",
	HowToAnswerF:     "请回复“参加 %s”或“不参加 %s”。",
	InviteHead:       "【议事会议邀请】",
	RescheduleHead:   "【议事会议改期】以下为新的时间和地点：",
	ReasonLineF:      "\n说明：%s",
	CapacityLineF:    "\n名额：%d人，报满后为候补",
	CancelCardF:      "会议已取消：%s",
	CancelledF:       "【议事会议取消】会议 %s（%s，原定%s）已取消。原因：%s。给您带来不便，敬请谅解。",
	TopicTakenReason: "每月一题已由他人召集会议",
	OutcomeF:         "【议事结果】会议 %s（%s）\n会议纪要：%s\n议定措施：%s\n分工：%s\n经费：%s",
	AssignmentF:      "%s负责%s",
	FundingF:         "%s %s元",
	NoneLine:         "无",
	PromotedF:        "【候补转正】会议 %s（%s）有人让出名额，您已转为正式参加。时间：%s，地点：%s。",

	AcceptedF:       "已登记您参加会议 %s（%s）。\n时间：%s\n地点：%s\n会前会提醒您。如有变化请回复“不参加 %[1]s”。",
	WaitlistedF:     "会议 %s（%s）名额已满，您已登记为候补第%d位，有空位时会通知您。",
	DeclinedF:       "已登记您不参加会议 %s（%s）。如改变主意，回复“参加 %[1]s”。",
	AlreadyF:        "您已回复过会议 %s：%s。",
	WhichMeeting:    "您有多个会议邀请，请回复“参加 编号”或“不参加 编号”：",
	ListLineF:       "%s %s，%s（%s）",
	NoInvitation:    "目前没有邀请您参加的议事会议。有会议时我们会通知您。",
	UnknownCodeF:    "没有找到编号为 %s 的会议，请核对邀请里的会议编号。",
	NotInvitedF:     "会议 %s 的邀请名单里没有您。如想参加，请联系社区居委会。",
	NotYoursF:       "没有找到邀请您的会议 %s。请核对邀请里的会议编号；如想参加，请联系社区居委会。",
	CancelledMeetF:  "会议 %s 已取消，不需要回复。",
	OverMeetingF:    "会议 %s 已经开始或结束，不能再回复了。",
	InvitationsHead: "邀请您参加的议事会议：",
	AnswerHint:      "回复“参加 编号”或“不参加 编号”。",
	OrganisedHead:   "您发起的议事会议：",
	OrganisedLineF:  "%s %s，%s（%s）",
	OrganisedHint:   "回复“会议 编号”查看参会名单和回复，“取消会议 编号 原因”取消。",
	InviteeLineF:    "· %s：%s",
	UnnamedInvitee:  "居民（未留姓名）",
	UnreachableMark: "，无法通过公众号通知",
	InviteesMoreF:   "……另有%d人，请在管理后台查看。",

	StaffOnly: "只有社区两委成员可以发起和管理议事会议。",
	CallUsage: "发起会议请按格式发送：开会 范围 时间 地点 议题\n" +
		"范围：3栋（可写多栋，如3,4栋）、网格一（网格的名称或编号）或 社区\n时间：如 11月28日19:00、明天19点、2026-11-28 19:00\n" +
		"例：开会 3栋 11月28日19:00 3栋架空层 加装监控",
	CallBadScope:     "没看懂会议范围。请写“3栋”（可写多栋，如3,4栋）、“网格一”（网格名称或编号）或“社区”。",
	CallUnknownGridF: "没有找到网格“%s”。本社区的网格：%s。",
	CallBadTimeF:     "没看懂会议时间“%s”。请写成 11月28日19:00、明天19点 或 2026-11-28 19:00。",
	CallPastTime:     "会议时间已经过去了，请换一个以后的时间。",
	CallTooFar:       "会议时间太远了，请定在一年以内。",
	CallNobody:       "按这个范围找不到可以邀请的人（没有已登记住址的居民）。请换一个范围，或在管理后台指定邀请名单。",
	CallDoneF:        "已发起会议 %s（%s）\n议题：%s\n时间：%s\n地点：%s\n邀请%d人，已发出通知%d人；%d人无法通过公众号通知，请电话或上门告知（管理后台可查名单）。\n回复“会议 %[1]s”查看回复情况。",
	CountsF:          "会议 %s（%s）%s\n时间：%s\n地点：%s\n邀请%d人：参加%d，不参加%d，候补%d，未回复%d；无法通知%d人。",
	StatusNames:      map[string]string{"draft": "草稿（未发通知）", "invited": "已发通知", "rescheduled": "已改期", "cancelled": "已取消", "held": "已召开"},
	CancelUsage:      "取消会议请发送：取消会议 编号 原因，例如“取消会议 YS101 下雨改期另行通知”。",
	CancelDoneF:      "会议 %s 已取消，已通知%d人。",
	NotChangeableF:   "会议 %s %s，不能再更改。",
	AppealDecisionF:  "议事决定（会议 %s）：%s；措施：%s",
}

// IntakeMessages are the service_notice texts of requests posted through
// Open311: who handles the request and by when (no chat hints: the client
// follows the request through GET requests/{id}).
type IntakeMessages struct {
	SmallGridF      string // grid name, unit, due
	SmallCommitteeF string // unit, due
	MajorF          string // unit, time limit, due
	PrivateF        string // guide
}

// ZhCNIntake is the zh-CN Open311 notice catalog.
var ZhCNIntake = IntakeMessages{
	SmallGridF:      "由%s的网格员负责（%s），最迟%s办结。",
	SmallCommitteeF: "由社区两委安排专人处理（%s），最迟%s办结。",
	MajorF:          "需要政府部门办理，由社区转交%s，时限%s，最迟%s答复。",
	PrivateF:        "这是个人的事（私事），社区不派单，建议：%s",
}
