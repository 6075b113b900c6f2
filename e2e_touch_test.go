package main

import (
	"context"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// A pure query (帮助) writes no turn, but it is a message: it opens WeChat's
// 48-hour customer-service window, so the resident's last-message time is
// recorded, at most once an hour.
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
		h.advance(10 * time.Minute)
		expect(t, "help again", p.say("帮助"), "我的诉求")
		if got := last(); !got.Equal(first) {
			t.Errorf("10 minutes later: %v, want it kept at %v (recorded at most hourly)", got, first)
		}
		h.advance(time.Hour)
		expect(t, "help an hour later", p.say("帮助"), "我的诉求")
		if got, want := last(), h.clock().UTC(); !got.Equal(want) {
			t.Errorf("an hour later: %v, want %v", got, want)
		}
		// The dispatcher sees the window open.
		opened, _, err := h.app.Store.CustomWindow(ctx, community, "oTouch")
		if err != nil || opened == nil || h.clock().Sub(*opened) > time.Hour {
			t.Errorf("customer-service window opened at %v, %v", opened, err)
		}
	})
}
