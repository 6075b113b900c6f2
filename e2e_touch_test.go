package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// A pure query (帮助) writes no turn, but it is a message: it opens WeChat's
// 48-hour customer-service window, so the resident's last-message time is
// recorded, at most once every five minutes.
func TestPureQueryRecordsLastMessageTime(t *testing.T) {
	eachDriver(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		community := h.app.Config.Communities[0].ID
		long := h.clock().Add(-72 * time.Hour).UTC()
		if err := h.app.Store.Gorm().Create(&models.Resident{CommunityID: community, OpenID: "oTouch", Building: "3", Unit: "1",
			Room: "201", Subscribed: true, LastMessageAt: &long, CreatedAt: long, UpdatedAt: long}).Error; err != nil {
			t.Fatal(err)
		}
		last := func() time.Time {
			t.Helper()
			r, err := h.app.Store.Resident(ctx, community, "oTouch")
			if err != nil || r.LastMessageAt == nil {
				t.Fatalf("resident: %+v, %v", r, err)
			}
			return r.LastMessageAt.UTC()
		}
		p := h.persona("oTouch")

		expect(t, "help", p.say("帮助"), "我的诉求")
		first := h.clock().UTC()
		if got := last(); !got.Equal(first) {
			t.Fatalf("after 帮助 the last message is %v, want %v", got, first)
		}
		h.advance(2 * time.Minute)
		expect(t, "help again", p.say("帮助"), "我的诉求")
		if got := last(); !got.Equal(first) {
			t.Errorf("2 minutes later: %v, want it kept at %v (recorded at most every five minutes)", got, first)
		}
		h.advance(10 * time.Minute)
		expect(t, "help ten minutes later", p.say("帮助"), "我的诉求")
		if got, want := last(), h.clock().UTC(); !got.Equal(want) {
			t.Errorf("ten minutes later: %v, want %v", got, want)
		}
		// The first 帮助 and the later one were recorded; nothing went
		// through the group commit (pure queries write no turn).
		if g, n, _ := h.app.Store.GroupStats(); g != 0 || n != 0 {
			t.Errorf("group commit saw %d turns in %d groups, want none", n, g)
		}
		// The dispatcher sees the window open.
		opened, _, err := h.app.Store.CustomWindow(ctx, community, "oTouch")
		if err != nil || opened == nil || h.clock().Sub(*opened) > 5*time.Minute {
			t.Errorf("customer-service window opened at %v, %v", opened, err)
		}
	})
}

// A conversation step goes through the group commit, and /metrics says so.
func TestGroupCommitCountedInMetrics(t *testing.T) {
	eachDriver(t, func(t *testing.T, h *harness) {
		p := h.persona("oMetrics")
		if reply := p.say("小区东门的路灯坏了"); reply == "" {
			t.Fatal("no reply to an appeal's first words")
		}
		resp, err := http.Get(h.srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		for _, line := range []string{"gongzhi_turn_groups_total 1", "gongzhi_turn_group_turns_total 1", "gongzhi_turn_groups_failed_total 0",
			"gongzhi_turns_one_trip_total 0", "gongzhi_turns_one_trip_fallback_total 0"} {
			if !strings.Contains(string(body), "\n"+line+"\n") {
				t.Errorf("/metrics lacks %q", line)
			}
		}
	})
}
