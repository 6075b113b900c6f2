package main

import (
	"fmt"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/handlers/console"
)

// setupConsole builds the committee's console and its chat word (登录).
func (a *App) setupConsole(deps *handlers.Deps) error {
	cfg := a.Config
	c, err := console.New(console.Deps{Store: a.Store, Revise: a.Appeals, Staff: a.StaffOps, AdminToken: cfg.AdminToken, PublicURL: cfg.PublicURL,
		Community: cfg.Communities[0].ID, Sandbox: cfg.Sandbox(), Now: a.Now, Location: cfg.Location, Log: a.Log,
		People: a.Store, Meetings: a.Meetings, Figures: a.Store})
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	a.Console = c
	a.Engine.Commands = append(a.Engine.Commands, &bot.ConsoleCommands{Links: c, Staff: a.Store})
	deps.Console = c
	return nil
}
