package bot

// Messages is the catalog of everything the bot says. Every user-facing
// string lives here (zh-CN first); code refers to fields, never to literals,
// so a wording change or a second language is one place.
type Messages struct {
	Welcome         string
	HelpResident    string
	Placeholder     string // text the engine cannot act on yet
	Cancelled       string
	NothingToCancel string
	Unsupported     string // unknown message types
	ImageReceived   string
	VoiceNoText     string
	VideoReceived   string
	LinkReceived    string
	LocationGot     string
	EmptyText       string
	TooLong         string
	NoAppeals       string
	MyAppealsHead   string
	MyAppealsLine   string // ref, topic, status, deadline
	MyAppealsMore   string
	NoDeadline      string
	MenuAppeal      string
	MenuMeetings    string
	Busy            string // the reply is late: it comes as a separate message
	Failure         string // the message could not be handled
	StatusNames     map[string]string
	KindNames       map[string]string
}

// ZhCN is the simplified-Chinese catalog.
var ZhCN = Messages{
	Welcome: "欢迎关注！这里是社区的\"共治\"服务号。\n" +
		"小区里遇到问题（楼道灯坏了、消防通道被占、邻里纠纷……），直接发文字、语音或照片告诉我们，" +
		"我们会分类登记、派给负责的人，并告诉您谁来办、何时办结。\n回复\"帮助\"查看全部功能。",
	HelpResident: "您可以：\n1. 直接描述问题，反映诉求（文字、语音、照片都可以）\n" +
		"2. 回复\"我的诉求\"查看办理进度\n3. 回复\"取消\"退出当前操作\n" +
		"也可以点下方菜单\"我要反映\"\"我的诉求\"\"议事会议\"。",
	Placeholder:     "收到您的留言，谢谢！诉求登记功能即将开通，急事请拨打社区电话。回复\"帮助\"查看可用功能。",
	Cancelled:       "已取消，刚才的内容没有提交。有问题随时再发给我们。",
	NothingToCancel: "当前没有进行中的操作。直接描述问题即可反映诉求，回复\"帮助\"查看功能。",
	Unsupported:     "暂时无法识别这类消息。请用文字或语音描述您的问题，回复\"帮助\"查看功能。",
	ImageReceived:   "照片已收到。请再用一两句话说明是什么问题、在哪里，我们好及时处理。",
	VoiceNoText:     "没有听清您的语音，请再说一遍，或直接发文字。",
	VideoReceived:   "视频已收到。请再用文字说明是什么问题、在哪里。",
	LinkReceived:    "链接已收到。请用文字说明您想反映的问题。",
	LocationGot:     "位置已收到。请再用文字说明那里出了什么问题。",
	EmptyText:       "没有收到文字内容。请描述您遇到的问题，或回复\"帮助\"。",
	TooLong:         "内容太长了，请用几句话（500字以内）说明问题，细节可以之后补充。",
	NoAppeals:       "您还没有提交过诉求。直接描述问题即可反映。",
	MyAppealsHead:   "您最近的诉求：",
	MyAppealsLine:   "%s %s：%s，%s",
	MyAppealsMore:   "……更早的诉求未显示。",
	NoDeadline:      "无办结时限",
	MenuAppeal:      "请用一两句话描述您遇到的问题和地点，可以发文字、语音或照片。",
	MenuMeetings:    "目前没有邀请您参加的议事会议。有会议时我们会通知您。",
	Busy:            "正在处理，请稍候，结果会另行发送给您。",
	Failure:         "抱歉，系统暂时繁忙，您的消息没有保存成功，请稍后再发一次。急事请拨打社区电话。",
	StatusNames: map[string]string{
		"submitted": "已提交", "assigned": "已派单", "accepted": "已接单", "in_progress": "办理中",
		"resolved": "已办结", "closed": "已评价", "guided": "已引导自行办理", "review": "社区复核中",
		"reopened": "重新办理", "escalated": "已上报", "withdrawn": "已撤回",
	},
	KindNames: map[string]string{"major": "大事", "small": "小事", "private": "私事"},
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
	TimeLayout          string // deadlines and meeting times
	LevelNames          map[string]string
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
	TimeLayout:          "1月2日 15:04",
	LevelNames:          map[string]string{"community": "社区", "street": "街镇部门", "district": "区级统筹"},
}
