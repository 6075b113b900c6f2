package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
)

// TestSandboxWithStaffWarnsLoudly: a sandbox started on a database where
// real staff are bound (someone pointed it at production's data) says so
// at start, at WARN, with the count; a fresh sandbox does not.
func TestSandboxWithStaffWarnsLoudly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		staff int
	}{{"no staff", 0}, {"two staff bound", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "gongzhi.db")
			ctx := context.Background()
			db, err := store.Open(ctx, store.SQLite, dsn, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.EnsureCommunity(ctx, &models.Community{ID: "sample", Name: "示例社区"}); err != nil {
				t.Fatal(err)
			}
			for i := range tc.staff {
				code, _, err := db.CreateInvite(ctx, models.InviteRequest{CommunityID: "sample", Role: models.RoleCommittee, Name: "委员"}, time.Now(), time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.BindStaff(ctx, "sample", "o-real-staff-"+string(rune('a'+i)), code, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()

			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			out := &stopAfter{marker: "sandbox mode", stop: cancel} // start, log, stop
			var errb bytes.Buffer
			code := run(cctx, []string{"serve"}, nil, out, &errb, []string{"GONGZHI_DB_DSN=" + dsn, "GONGZHI_HTTP_ADDR=127.0.0.1:0"})
			if code != 0 {
				t.Fatalf("serve exited %d: %s", code, errb.String())
			}
			var warned bool
			for _, line := range strings.Split(out.String(), "\n") {
				if strings.Contains(line, `"level":"WARN"`) && strings.Contains(line, "SANDBOX") && strings.Contains(line, `"staff_bound":2`) {
					warned = true
				}
			}
			if warned != (tc.staff > 0) {
				t.Errorf("warned=%v with %d staff bound; logs:\n%s", warned, tc.staff, out.String())
			}
		})
	}
}

// stopAfter collects output and calls stop once a line holds marker.
type stopAfter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	stop   func()
}

func (s *stopAfter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.Contains(p, []byte(s.marker)) {
		s.stop()
	}
	return s.buf.Write(p)
}

func (s *stopAfter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
