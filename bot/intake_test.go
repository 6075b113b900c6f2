package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestIntake creates appeals through ops.Appeals.Intake on both databases: the
// same routing, events and pushes as a confirmed chat appeal.
func TestIntake(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newStaffWorld(t, db)
		ctx := context.Background()
		in := w.appeals
		lat, long := 29.5631, 106.5517
		committee := models.RolePlaceholder(models.RoleCommittee)
		cases := []struct {
			name     string
			req      ops.IntakeRequest
			status   models.Status
			level    models.Level
			assignee string
			grid     string
			pushTo   []string
			due      string // local date of the deadline, "" for none
			notice   []string
		}{
			{"small with a building routes to its grid worker", ops.IntakeRequest{ServiceCode: "corridor-light", Description: "3栋2单元楼道灯坏了",
				Address: "3栋2单元", Lat: &lat, Long: &long}, models.StatusAssigned, models.LevelCommunity,
				w.staff["worker-g1"].Ref(), "g1", []string{"worker-g1"}, "2026-11-29", []string{"网格一", "11月29日"}},
			{"small without an address goes to the committee", ops.IntakeRequest{ServiceCode: "corridor-light", Description: "楼道灯坏了"},
				models.StatusAssigned, models.LevelCommunity, committee, "", []string{"admin", "committee"}, "2026-11-29",
				[]string{"社区两委"}},
			{"major counts working days", ops.IntakeRequest{ServiceCode: "social-security", Description: "社保卡补办要带什么材料"},
				// No liaison bound yet: the committee hears of it, to forward it (found by a first user).
				models.StatusAssigned, models.LevelStreet, models.RolePlaceholder(models.RoleLiaison), "", []string{"admin", "committee"}, "2026-12-07",
				[]string{"街道社会保障服务所", "7个工作日", "12月7日"}},
			{"private is guided", ops.IntakeRequest{ServiceCode: "home-repair", Description: "家里水龙头坏了"},
				models.StatusGuided, models.LevelSelf, "", "", nil, "", []string{"私事"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tc.req.CommunityID, tc.req.Source = "c1", "city-app"
				res, err := in.Intake(ctx, tc.req)
				if err != nil {
					t.Fatal(err)
				}
				a, err := db.AppealByRef(ctx, res.Appeal.CommunityID, res.Appeal.Ref)
				if err != nil {
					t.Fatal(err)
				}
				if a.Status != tc.status || a.Level != tc.level || a.Assignee != tc.assignee || a.GridID != tc.grid || a.TopicID != tc.req.ServiceCode || a.OpenID != "" {
					t.Fatalf("appeal = %+v", a)
				}
				due := ""
				if a.DueAt != nil {
					due = a.DueAt.In(shanghai).Format(time.DateOnly)
				}
				if due != tc.due {
					t.Errorf("due %q, want %q", due, tc.due)
				}
				evs, err := db.AppealEvents(ctx, a.ID)
				if err != nil || len(evs) != 2 || evs[0].Actor != "open311:city-app" || evs[0].Action != string(models.ActSubmit) || evs[1].ToStatus != tc.status {
					for _, ev := range evs {
						t.Logf("event %+v", *ev)
					}
					t.Fatalf("events: %d, %v", len(evs), err)
				}
				var out []*models.OutboxMessage
				if err := db.Gorm().Where("text LIKE ?", "%"+a.Ref+"%").Order("open_id").Find(&out).Error; err != nil {
					t.Fatal(err)
				}
				var to []string
				for _, o := range out {
					to = append(to, o.OpenID)
					forwarded := strings.HasPrefix(o.Text, "【待转交】街道社会保障服务所还没有人绑定")
					if o.Type != models.PushTaskAssigned || strings.Contains(o.Text, models.RefPlaceholder(0)) ||
						forwarded != (tc.assignee == models.RolePlaceholder(models.RoleLiaison)) {
						t.Errorf("push = %+v", o)
					}
				}
				if strings.Join(to, ",") != strings.Join(tc.pushTo, ",") {
					t.Errorf("pushed to %v, want %v", to, tc.pushTo)
				}
				for _, f := range tc.notice {
					if !strings.Contains(res.Notice, f) {
						t.Errorf("notice %q lacks %q", res.Notice, f)
					}
				}
			})
		}
		t.Run("bad input stores nothing", func(t *testing.T) {
			var before int64
			db.Gorm().Model(&models.Appeal{}).Count(&before)
			far := 200.0
			for name, r := range map[string]ops.IntakeRequest{
				"no service_code":      {Description: "楼道灯坏了"},
				"unknown service_code": {ServiceCode: "nope", Description: "楼道灯坏了"},
				"empty description":    {ServiceCode: "corridor-light", Description: "  "},
				"long description":     {ServiceCode: "corridor-light", Description: strings.Repeat("灯", ops.MaxIntakeDescriptionRunes+1)},
				"lat without long":     {ServiceCode: "corridor-light", Description: "灯坏了", Lat: &lat},
				"long out of range":    {ServiceCode: "corridor-light", Description: "灯坏了", Lat: &lat, Long: &far},
				"media_url not http":   {ServiceCode: "corridor-light", Description: "灯坏了", MediaURL: "javascript:alert(1)"},
				"address too long":     {ServiceCode: "corridor-light", Description: "灯坏了", Address: strings.Repeat("路", 61)},
			} {
				r.CommunityID, r.Source = "c1", "city-app"
				if _, err := in.Intake(ctx, r); models.ErrorCode(err) != models.EINVALID {
					t.Errorf("%s: err %v, want EINVALID", name, err)
				}
			}
			var after int64
			db.Gorm().Model(&models.Appeal{}).Count(&after)
			if after != before {
				t.Fatalf("appeals %d → %d", before, after)
			}
		})
	})
}
