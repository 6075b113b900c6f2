package main

import (
	"fmt"
	"net/http"
	"strconv"
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

// TestMeetingCodesTellOutsidersNothing: someone not invited who answers a
// code learns nothing: an unknown, a cancelled and a live meeting's code
// get the same answer. Codes are not sequential, so one code does not
// lead to the next. Before, "not invited", "cancelled" and "over" were
// told apart and codes ran YS101, YS102, …
func TestMeetingCodesTellOutsidersNothing(t *testing.T) {
	h := newMeetingHarness(t, storetest.Drivers(t)[0])
	h.persona("o-invited").say("修改地址")
	h.persona("o-invited").say("3栋1单元201")
	h.persona("o-invited").say("1")
	var codes []string
	for i := range 3 {
		st, out := h.call("POST", "/api/meetings", map[string]any{"topic": fmt.Sprintf("议题%d", i), "level": "building",
			"starts_at": start.Add(48 * time.Hour).Format(time.RFC3339), "venue": "架空层", "invitees": map[string]any{"buildings": []string{"3"}}, "broadcast": true})
		if st != http.StatusCreated {
			t.Fatalf("create: %d %v", st, out)
		}
		codes = append(codes, out["code"].(string))
	}
	if st, out := h.call("POST", "/api/meetings/2/cancel", map[string]any{"reason": "下雨"}); st != http.StatusOK {
		t.Fatalf("cancel: %d %v", st, out)
	}
	n := func(code string) int {
		v, _ := strconv.Atoi(strings.TrimPrefix(code, "YS"))
		return v
	}
	if n(codes[1]) == n(codes[0])+1 && n(codes[2]) == n(codes[1])+1 {
		t.Errorf("codes %v are sequential", codes)
	}
	outsider := h.persona("o-outsider")
	unknown := "YS1" + strings.Repeat("0", 5)
	if unknown == codes[0] || unknown == codes[1] || unknown == codes[2] {
		unknown = "YS1" + strings.Repeat("0", 4) + "1"
	}
	want := strings.ReplaceAll(outsider.say("参加 "+unknown), unknown, "#")
	for _, code := range codes[:2] { // a live meeting, a cancelled one
		if got := strings.ReplaceAll(outsider.say("参加 "+code), code, "#"); got != want {
			t.Errorf("outsider answering %s got %q; an unknown code got %q", code, got, want)
		}
	}
	if got := h.persona("o-invited").say("参加 " + codes[1]); !strings.Contains(got, "已取消") {
		t.Errorf("an invitee of the cancelled meeting got %q, want that it is cancelled", got)
	}
}
