package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// The hostile-input suite of the admin API.

// TestPatchDeadlineRange: a deadline outside now … a year ahead is refused
// with a 400 naming due_at, and nothing is written. Before, year 10000 was
// stored (with a 500) and broke every list, job and Open311 answer after.
func TestPatchDeadlineRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.newAppeal(&models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g2", Topic: "停车"}, dayT)
		for _, due := range []string{"9999-12-31T23:59:59-12:00", "2027-12-31T18:00:00+08:00", "2026-11-29T18:00:00+08:00", "0001-01-01T00:00:00Z"} {
			t.Run(due, func(t *testing.T) {
				before := snapshot(t, db)
				code, body := e.call("PATCH", "/api/appeals/"+a.Ref, "right", map[string]any{"due_at": due, "reason": "x"})
				if code != http.StatusBadRequest || !strings.Contains(string(body), "due_at") {
					t.Fatalf("= %d %s; want 400 naming due_at", code, body)
				}
				if snapshot(t, db) != before {
					t.Fatal("a refused deadline changed the database")
				}
			})
		}
		// The appeal and the lists still read.
		e.mustCall("GET", "/api/appeals/"+a.Ref, nil, http.StatusOK)
		e.mustCall("GET", "/api/appeals?community=c1", nil, http.StatusOK)
		e.mustCall("PATCH", "/api/appeals/"+a.Ref, map[string]any{"due_at": "2027-06-01T18:00:00+08:00", "reason": "约定时间"}, http.StatusOK)
	})
}
