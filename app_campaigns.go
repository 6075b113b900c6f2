package main

import (
	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/handlers"
)

// setupCampaigns builds campaigns, projects and the monthly topics on the
// App's store and clock, hooks them into the chat (answers to a campaign,
// 报名/取消报名 a project) and hands them to the admin API.
func (a *App) setupCampaigns(deps *handlers.Deps) {
	cfg := a.Config
	notify := a.Jobs.Dispatcher.Notify
	a.Campaigns = &bot.Campaigns{Store: a.Store, Msg: bot.ZhCNCampaigns, Directory: directory(cfg), Location: cfg.Location,
		Now: a.Now, TemplateQuota: cfg.PushDailyTemplateQuota, Notify: notify}
	a.Projects = &bot.Projects{Store: a.Store, Msg: bot.ZhCNCampaigns, Location: cfg.Location, Now: a.Now,
		TemplateQuota: cfg.PushDailyTemplateQuota, Notify: notify}
	a.Engine.After = append(a.Engine.After, &bot.CampaignAnswers{C: a.Campaigns})
	a.Engine.Commands = append(a.Engine.Commands, &bot.ProjectCommands{P: a.Projects})
	deps.Campaigns, deps.Projects = a.Campaigns, a.Projects
	deps.Topics = &bot.Topics{Store: a.Store, Meetings: a.Meetings}
}
