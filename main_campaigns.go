package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
)

// printCampaignReport writes a campaign's table (gongzhi report --campaign)
// with the catalog's Chinese labels.
func printCampaignReport(ctx context.Context, e *env, cfg *config.Config, db *store.DB, community, codeOrID string) error {
	if community == "" {
		community = cfg.Communities[0].ID
	}
	s, err := ops.NewCampaigns(ops.CampaignsConfig{Store: db, Directory: directory(cfg), Location: cfg.Location, Now: time.Now})
	if err != nil {
		return err
	}
	c, err := s.Find(ctx, community, codeOrID)
	if err != nil {
		return fmt.Errorf("%s", models.ErrorMessage(err))
	}
	_, rep, err := s.Report(ctx, community, c.ID)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.stdout, s.ReportText(c, rep))
	return err
}
