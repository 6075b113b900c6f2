package main

import (
	"github.com/gongzhi/gongzhi/bot/ops"
)

// setupCampaigns builds campaigns (问需于民) and community service projects
// on the App's store and clock; setupChat hooks them into the chat (answers
// to a campaign, 报名/取消报名 a project) and NewApp hands them to the admin API.
func (a *App) setupCampaigns(notify func()) error {
	cfg := a.Config
	var err error
	if a.Campaigns, err = ops.NewCampaigns(ops.CampaignsConfig{Store: a.Store, Directory: a.Directory,
		Location: cfg.Location, Now: a.Now, TemplateQuota: cfg.PushDailyTemplateQuota, Notify: notify}); err != nil {
		return err
	}
	a.Projects, err = ops.NewProjects(ops.ProjectsConfig{Store: a.Store, Appeals: a.Appeals, Location: cfg.Location,
		Now: a.Now, TemplateQuota: cfg.PushDailyTemplateQuota, Notify: notify})
	return err
}
