package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/handlers/console"
	"github.com/gongzhi/gongzhi/models"
)

// setupConsole builds the committee's console and its chat word (登录).
func (a *App) setupConsole(deps *handlers.Deps) error {
	cfg := a.Config
	// The console's revisions tell a new handler of the task, as the chat's 改派 does.
	revise := console.ReviseFunc(func(ctx context.Context, ref string, r bot.Revision, actor models.Actor, now time.Time) (*models.Appeal, error) {
		ap, err := a.Engine.Revise(ctx, a.Store, ref, r, actor, now)
		if err == nil {
			a.Jobs.Dispatcher.Notify()
		}
		return ap, err
	})
	c, err := console.New(console.Deps{Store: a.Store, Revise: revise, AdminToken: cfg.AdminToken, PublicURL: cfg.PublicURL,
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
