package messages

// --- campaigns, the monthly topic and service projects ---

// CampaignMessages is the part of the catalog about asking the residents
// (问需于民), the monthly topic (每月一题) and community service projects.
type CampaignMessages struct {
	TimeLayout string // Go layout of end dates and times

	QuestionF     string // code, question, ends
	AnswerThanksF string // code: appended to the reply that registers an answer

	MonthlyTopicF string // month, topic, mentions, refs count, refs

	NeedNames   map[string]string // safety, health, …
	SourceNames map[string]string // residents, social_units, government

	// Chat words of projects (compared after the bot's normalisation): sign
	// up, withdraw (取消报名 is tried first; 报名 alone answers a meeting).
	SignUpWords, WithdrawWords []string

	SignedUpF      string // code, name, volunteers
	AlreadySignedF string // code, name
	WithdrawnF     string // code, name
	NotSignedF     string // code
	UnknownProjF   string // code
	ActiveProjsF   string // after UnknownProjF: the active projects, "XM101 名称、…"
	NoActiveProjs  string // after UnknownProjF: none is recruiting
	// NothingToSignUp: a bare 报名 with no meeting invitation and no project recruiting.
	NothingToSignUp string
	ProjectDoneF    string // code, name: a sign-up after completion
	MilestoneF      string // code, name, title, progress line, note
	ProgressLineF   string // percent
	CompletedF      string // code, name, outcome: volunteers and residents whose appeal could not be resolved
	AppealOutcomeF  string // project code, name, outcome: the linked appeals' event reason

	// gongzhi report --campaign labels.
	ReportHeadF       string // code, question, status, ends
	ReportRecipientsF string // asked, reached, unreached
	ReportTotalF      string // answers, residents, appeals
	ReportLevels      string
	ReportLevelNames  map[string]string
	ReportKinds       string
	ReportKindNames   map[string]string
	ReportRowF        string // name, count
	ReportImmediateF  string // community-level settled
	ReportResolvedF   string // resolved, on time
	ReportGuidedF     string // guided
	ReportTopics      string
	ReportTopicF      string // rank, topic, count
	ReportNoTopics    string
	StatusNames       map[string]string // draft, open, ended
}

// ZhCNCampaigns is the simplified-Chinese catalog of campaigns and projects.
var ZhCNCampaigns = CampaignMessages{
	TimeLayout: "2006年1月2日 15:04",

	QuestionF: "【问需于民 %s】%s\n请在%s前直接回复您最希望社区解决的问题（例如：3栋楼道灯坏了），" +
		"我们会登记并告诉您由谁办理、何时办结。",
	AnswerThanksF: "\n感谢您参与社区问需（%s），您的意见已计入本次问需。",

	MonthlyTopicF: "【每月一题】%s居民反映最多的问题是“%s”（%d次）。建议作为下次社区议事会的议题，相关诉求%d件：%s\n" +
		"可在管理后台据此发起社区议事会。",

	NeedNames: map[string]string{"safety": "平安", "health": "健康", "mutual_aid": "互助", "convenience": "便民",
		"recreation": "文娱", "culture_education": "文化教育"},
	SourceNames: map[string]string{"residents": "居民自筹", "social_units": "驻区单位", "government": "政府补贴"},

	SignUpWords:   []string{"我要报名", "志愿报名", "报名"},
	WithdrawWords: []string{"取消报名", "退出报名", "退出项目"},

	SignedUpF:       "已为您报名社区项目 %s（%s）志愿者，目前共%d人报名。项目有进展会通知您。如需退出，回复“取消报名 %[1]s”。",
	AlreadySignedF:  "您已报名社区项目 %s（%s），不需要重复报名。",
	WithdrawnF:      "已取消您在社区项目 %s（%s）的报名。",
	NotSignedF:      "您没有报名社区项目 %s，不需要取消。",
	UnknownProjF:    "没有找到编号为 %s 的社区项目。",
	ActiveProjsF:    "正在招募志愿者的项目：%s。回复“报名 编号”报名。",
	NoActiveProjs:   "社区目前没有正在招募志愿者的项目，有新项目时会通知大家。",
	NothingToSignUp: "目前没有邀请您参加的议事会议，也没有正在招募志愿者的社区项目。有新的会议或项目时会通知您。",
	ProjectDoneF:    "社区项目 %s（%s）已完成，不再招募志愿者。谢谢您的热心！",
	MilestoneF:      "【社区项目进展】%s（%s）\n%s%s\n%s",
	ProgressLineF:   "（进度%d%%）",
	CompletedF:      "【社区项目完成】%s（%s）已完成：%s\n感谢大家的参与和支持！",
	AppealOutcomeF:  "社区项目 %s（%s）完成：%s",

	ReportHeadF:       "问需 %s：%s\n状态：%s，截止：%s",
	ReportRecipientsF: "征询%d人，已发出%d人，无法通知%d人",
	ReportTotalF:      "收到意见%d条（%d位居民），列入台账诉求%d件",
	ReportLevels:      "按办理层级：",
	ReportLevelNames:  map[string]string{"community": "社区即办", "street": "街镇部门限时办", "district": "区级统筹办", "self": "个人事项（引导自办）"},
	ReportKinds:       "按类别：",
	ReportKindNames:   map[string]string{"major": "大事", "small": "小事", "private": "私事"},
	ReportRowF:        "  %s：%d",
	ReportImmediateF:  "即时办结（社区层级已办结）：%d",
	ReportResolvedF:   "已办结：%d（按时%d）",
	ReportGuidedF:     "已引导自办：%d",
	ReportTopics:      "反映最多的问题：",
	ReportTopicF:      "  %d. %s：%d",
	ReportNoTopics:    "  （暂无）",
	StatusNames:       map[string]string{"draft": "草稿（未发出）", "open": "征询中", "ended": "已结束"},
}

// --- end campaigns ---
