package handlers_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
)

// testOps builds the operations the App builds, on db and the clock, with
// no community directory (grid-less, as an App without grids configured).
func testOps(t testing.TB, db *store.DB, now func() time.Time, loc *time.Location) (*ops.Appeals, *ops.Staff, *ops.Meetings) {
	t.Helper()
	cat, err := triage.Default()
	if err != nil {
		t.Fatal(err)
	}
	c, err := triage.New(cat)
	if err != nil {
		t.Fatal(err)
	}
	appeals, err := ops.NewAppeals(ops.AppealsConfig{Store: db, Staff: db, Catalog: cat, Directory: ops.Directory{},
		Calendar: models.DefaultCalendar(loc), Location: loc, Now: now, Learner: c})
	if err != nil {
		t.Fatal(err)
	}
	staff, err := ops.NewStaff(ops.StaffConfig{Store: db, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	meetings, err := ops.NewMeetings(ops.MeetingsConfig{Store: db, Location: loc, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return appeals, staff, meetings
}

// testDeps is every dependency of the router on db: the admin API and
// Open311 reads on the store, the operations built by testOps. Open311 POST
// requests are off (501) unless the caller sets Open311Intake.
func testDeps(t testing.TB, db *store.DB, wh *handlers.Webhook, m *handlers.Metrics, log *slog.Logger,
	token string, now func() time.Time, loc *time.Location) handlers.Deps {
	t.Helper()
	appeals, staff, meetings := testOps(t, db, now, loc)
	return handlers.Deps{Log: log, Metrics: m, Webhook: wh, AdminToken: token, Now: now, Location: loc,
		Store: db, Keys: db, Stakeholders: db, FailedPushes: db, Appeals: appeals, Staff: staff, Meetings: meetings, Learned: db}
}

// mustRouter builds the router or fails the test.
func mustRouter(t testing.TB, d handlers.Deps) *gin.Engine {
	t.Helper()
	r, err := handlers.NewRouter(d)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRouterNeedsEveryDependency: a missing dependency fails at start with
// its name, instead of its routes silently missing.
func TestRouterNeedsEveryDependency(t *testing.T) {
	t.Parallel()
	d := handlers.Deps{Log: slog.New(slog.DiscardHandler), Metrics: handlers.NewMetrics(), Webhook: &handlers.Webhook{},
		Now: time.Now, Location: time.UTC}
	_, err := handlers.NewRouter(d)
	if err == nil || err.Error() != "handlers: the router needs Deps.Store" {
		t.Fatalf("NewRouter without a store: %v; want the missing Deps.Store named", err)
	}
}
