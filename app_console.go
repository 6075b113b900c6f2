package main

import (
	"fmt"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/handlers/console"
)

// setupConsole builds the committee's console; its chat word (登录) is
// given to the engine by setupChat, and its routes to the router by NewApp.
func (a *App) setupConsole() error {
	cfg := a.Config
	names := map[string]string{}
	for _, cm := range cfg.Communities {
		names[cm.ID] = cm.Name
	}
	c, err := console.New(console.Deps{Store: a.Store, Revise: a.Appeals, Staff: a.StaffOps, AdminToken: cfg.AdminToken, PublicURL: cfg.PublicURL,
		Community: cfg.Communities[0].ID, CommunityNames: names, Sandbox: cfg.Sandbox(), Now: a.Now, Location: cfg.Location, Log: a.Log,
		People: a.Store, Meetings: a.Meetings, Figures: a.Store, Campaigns: a.Campaigns, Projects: a.Projects,
		Topics: &ops.Topics{Store: a.Store, Meetings: a.Meetings}, Learned: a.Store, TopicName: topicName(a.Classifier.Catalog()),
		Matters: matters(a.Classifier.Catalog())})
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	a.Console = c
	return nil
}

// matters lists the catalog's matters for the console's reclassify form.
func matters(cat *triage.Catalog) []console.Matter {
	var out []console.Matter
	for _, it := range cat.Items() {
		out = append(out, console.Matter{ID: it.ID, Name: it.Name, Kind: it.Kind})
	}
	return out
}

// topicName names a catalog topic by id for the console ("" if unknown).
func topicName(cat *triage.Catalog) func(string) string {
	return func(id string) string {
		if it := cat.Item(id); it != nil {
			return it.Name
		}
		return ""
	}
}
