package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestMeetingStartRange: a meeting's start outside now … a year ahead is
// refused with a 400 naming starts_at and no meeting is stored; before, year
// 10000 was stored and broke the meeting, its reminders and the chat.
func TestMeetingStartRange(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newMeetingHarness(t, d)
			h.persona("o-range").say("修改地址")
			h.persona("o-range").say("3栋1单元201")
			h.persona("o-range").say("1")
			body := func(at string) map[string]any {
				return map[string]any{"topic": "议题", "level": "building", "starts_at": at, "venue": "架空层",
					"invitees": map[string]any{"buildings": []string{"3"}}}
			}
			for _, at := range []string{"9999-12-31T23:59:59-12:00", start.AddDate(1, 0, 1).Format(time.RFC3339), start.Add(-time.Minute).Format(time.RFC3339)} {
				t.Run(at, func(t *testing.T) {
					st, out := h.call("POST", "/api/meetings", body(at))
					if st != http.StatusBadRequest || !strings.Contains(fmt.Sprint(out["error"]), "starts_at") {
						t.Fatalf("= %d %v, want 400 naming starts_at", st, out)
					}
					if st, _ := h.call("GET", "/api/meetings/1", nil); st != http.StatusNotFound {
						t.Fatalf("a refused meeting was stored: GET answered %d", st)
					}
				})
			}
			st, out := h.call("POST", "/api/meetings", body(start.Add(48*time.Hour).Format(time.RFC3339)))
			if st != http.StatusCreated {
				t.Fatalf("a meeting in two days: %d %v", st, out)
			}
			id := fmt.Sprint(out["id"])
			if st, out := h.call("PATCH", "/api/meetings/"+id, map[string]any{"starts_at": "9999-12-31T23:59:59-12:00", "reason": "改期"}); st != http.StatusBadRequest ||
				!strings.Contains(fmt.Sprint(out["error"]), "starts_at") {
				t.Fatalf("PATCH to year 10000: %d %v", st, out)
			}
			if st, out := h.call("GET", "/api/meetings/"+id, nil); st != http.StatusOK {
				t.Fatalf("the meeting no longer reads: %d %v", st, out)
			}
		})
	}
}
