package ops_test

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

// TestRelapseIsMarked: a matter raised again in the same building within
// RelapseWindow of the last one on it being resolved is marked as come back,
// on both databases: the new appeal's record names the earlier one and its
// task push starts with it. Another building, a catch-all matter, or a
// resolution older than the window is a new problem.
func TestRelapseIsMarked(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 9, 0, 0, 0, cst)
		cat, appeals := reviseWorld(t, db, now, func() {})
		committee := bindCommittee(t, db, now)
		intake := func(service, building string) *models.Appeal {
			t.Helper()
			res, err := appeals.Intake(ctx, ops.IntakeRequest{CommunityID: "c1", Source: "test", ServiceCode: service,
				Description: "灯又不亮了", Address: building + "栋"})
			if err != nil {
				t.Fatal(err)
			}
			return res.Appeal
		}
		marked := func(a *models.Appeal) (onRecord, onTask bool) {
			t.Helper()
			evs, err := db.AppealEvents(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			onRecord = strings.Contains(evs[0].Reason, "再次反映")
			var pushes []models.OutboxMessage
			if err := db.Gorm().Where("type = ? AND idem_key LIKE ?", models.PushTaskAssigned, "%"+a.Ref+"%").Find(&pushes).Error; err != nil {
				t.Fatal(err)
			}
			for _, p := range pushes {
				onTask = onTask || strings.HasPrefix(p.Text, "【再次反映")
			}
			return onRecord, onTask
		}
		first := intake("corridor-light", "3")
		if r, k := marked(first); r || k {
			t.Fatalf("a first appeal is marked as come back (record %v, task %v)", r, k)
		}
		if _, err := appeals.Resolve(ctx, ops.StepRequest{Community: "c1", Ref: first.Ref,
			Actor: models.Actor{Kind: models.ActorStaff, Staff: committee}, Note: "已换灯泡"}); err != nil {
			t.Fatal(err)
		}
		again := intake("corridor-light", "3")
		evs, err := db.AppealEvents(ctx, again.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(evs[0].Reason, "再次反映：本楼栋同一事项 "+first.Ref+" 已于11月26日") {
			t.Fatalf("submit event %q; want the earlier appeal named", evs[0].Reason)
		}
		if r, k := marked(again); !r || !k {
			t.Fatalf("a matter come back: record %v, task %v; want both", r, k)
		}
		if r, k := marked(intake("corridor-light", "4")); r || k {
			t.Fatalf("another building's appeal is marked (record %v, task %v)", r, k)
		}
		db.Now = func() time.Time { return now.Add(ops.RelapseWindow + time.Hour) }
		later, err := ops.NewAppeals(ops.AppealsConfig{Store: db, Staff: db, Calendar: models.DefaultCalendar(cst), Location: cst,
			Now: func() time.Time { return now.Add(ops.RelapseWindow + time.Hour) }, Catalog: cat})
		if err != nil {
			t.Fatal(err)
		}
		res, err := later.Intake(ctx, ops.IntakeRequest{CommunityID: "c1", Source: "test", ServiceCode: "corridor-light",
			Description: "灯又不亮了", Address: "3栋"})
		if err != nil {
			t.Fatal(err)
		}
		if r, k := marked(res.Appeal); r || k {
			t.Fatalf("an appeal after the window is marked (record %v, task %v)", r, k)
		}
	})
}
