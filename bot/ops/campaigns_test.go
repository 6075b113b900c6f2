package ops_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestCampaignTemplateQuota: residents outside the customer-service window
// are asked by template within the day's quota; the rest wait for the next
// morning, and when the campaign ends before that they are listed to phone
// or visit. A later broadcast asks only residents not asked yet.
func TestCampaignTemplateQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c", Name: "C"}); err != nil {
			t.Fatal(err)
		}
		old := now.Add(-72 * time.Hour).UTC() // windows closed: templates
		resident := func(o, b string) {
			if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c", OpenID: o, At: old,
				Resident: &models.Resident{Building: b, LastMessageAt: &old}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, o := range []string{"o-1", "o-2", "o-3"} {
			resident(o, "3")
		}
		db.Now = func() time.Time { return now }
		c, err := ops.NewCampaigns(ops.CampaignsConfig{Store: db, Location: cst, Now: func() time.Time { return now }, TemplateQuota: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			name string
			ends time.Duration
			want ops.SendResult
		}{
			{"the next morning is in time", 48 * time.Hour, ops.SendResult{Queued: 1, Deferred: 2}},
			{"the campaign ends before the next morning", 10 * time.Hour, ops.SendResult{Unreachable: 3}},
		} {
			t.Run(x.name, func(t *testing.T) {
				cp, err := c.Create(ctx, ops.CampaignRequest{CommunityID: "c", Question: "最需要解决什么？",
					Audience: ops.Audience{Buildings: []string{"3号楼"}}, EndsAt: now.Add(x.ends)})
				if err != nil {
					t.Fatal(err)
				}
				if n, err := c.Pending(ctx, "c", cp.ID); err != nil || n != 3 {
					t.Fatalf("pending before the broadcast: %d, %v; want 3", n, err)
				}
				_, res, err := c.Broadcast(ctx, "c", cp.ID)
				if err != nil || res != x.want {
					t.Fatalf("broadcast %+v, %v; want %+v", res, err, x.want)
				}
				v, err := c.Get(ctx, "c", cp.ID)
				if err != nil || v.Recipients != 3 || len(v.Unreachable) != x.want.Unreachable {
					t.Fatalf("view %+v, %v", v, err)
				}
				for _, r := range v.Unreachable {
					// By address, never by openid.
					if r.Why != "quota" || r.Building != "3" || r.RecipientID == 0 {
						t.Fatalf("unreachable %+v, want quota in building 3", r)
					}
				}
			})
		}
		resident("o-4", "3") // registered after the broadcast
		cps, err := c.List(ctx, "c")
		if err != nil || len(cps) != 2 {
			t.Fatalf("campaigns %d, %v", len(cps), err)
		}
		first := cps[1]
		if n, err := c.Pending(ctx, "c", first.ID); err != nil || n != 1 {
			t.Fatalf("pending after a new registration: %d, %v; want 1", n, err)
		}
		// Only the new resident is asked; the quota of the days before the end is taken.
		if _, res, err := c.Broadcast(ctx, "c", first.ID); err != nil || res != (ops.SendResult{Unreachable: 1}) {
			t.Fatalf("second broadcast %+v, %v; want the new resident alone, unreachable", res, err)
		}
		rep, err := db.CampaignReport(ctx, first.ID, 5)
		if err != nil || rep.Recipients != 4 || rep.Total != 0 {
			t.Fatalf("report %+v, %v", rep, err)
		}
		if got := c.ReportText(first, rep); !strings.Contains(got, "征询4人") || !strings.Contains(got, "（暂无）") {
			t.Fatalf("report text %q", got)
		}
	})
}

// TestCampaignAudienceBounded: a list of buildings longer than the stored
// column is refused as such, whatever its length, and nothing is stored;
// duplicates count once (a list repeating one building is fine).
func TestCampaignAudienceBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		if err := db.EnsureCommunity(ctx, &models.Community{ID: "c", Name: "C"}); err != nil {
			t.Fatal(err)
		}
		if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c", OpenID: "o-1", At: now,
			Resident: &models.Resident{Building: "3"}}); err != nil {
			t.Fatal(err)
		}
		c, err := ops.NewCampaigns(ops.CampaignsConfig{Store: db, Location: cst, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		many := make([]string, 80000)
		for i := range many {
			many[i] = strconv.Itoa(i + 1)
		}
		_, err = c.Create(ctx, ops.CampaignRequest{CommunityID: "c", Question: "最需要解决什么？",
			Audience: ops.Audience{Buildings: many}, EndsAt: now.Add(48 * time.Hour)})
		if !errors.Is(err, ops.ErrAudienceTooLong) {
			t.Fatalf("80,000 buildings: %v; want ErrAudienceTooLong", err)
		}
		if cps, err := c.List(ctx, "c"); err != nil || len(cps) != 0 {
			t.Fatalf("campaigns after a refusal: %d, %v", len(cps), err)
		}
		same := make([]string, 80000)
		for i := range same {
			same[i] = "3"
		}
		cp, err := c.Create(ctx, ops.CampaignRequest{CommunityID: "c", Question: "最需要解决什么？",
			Audience: ops.Audience{Buildings: same}, EndsAt: now.Add(48 * time.Hour)})
		if err != nil || cp.Buildings != "3" {
			t.Fatalf("one building 80,000 times: %+v, %v; want building 3 once", cp, err)
		}
	})
}
