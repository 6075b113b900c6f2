package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// simBrowser is a console session of the simulator's committee member.
func simBrowser(t *testing.T, h *harness) *browser {
	t.Helper()
	b := h.browser()
	req, _ := http.NewRequest("POST", h.srv.URL+"/console/sim-login", nil)
	req.Header.Set("X-Gongzhi-Sim", "1")
	resp, err := b.c.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sim-login: %v %v", resp, err)
	}
	resp.Body.Close()
	if code, _, _ := b.do("GET", "/console/", nil); code != http.StatusOK {
		t.Fatalf("list after sim-login: %d", code)
	}
	return b
}

// disputedPrivate raises a private matter that its resident disputes: an
// appeal in 社区复核中 waiting for the committee.
func disputedPrivate(t *testing.T, h *harness, openID string) *models.Appeal {
	t.Helper()
	p := h.persona(openID)
	p.say("我家热水器坏了，想找个师傅上门修")
	ref := refIn(t, p.say("1"))
	expect(t, "dispute", p.say("不是私事"), "复核", ref)
	a, err := h.app.Store.AppealByRef(context.Background(), "sample", ref)
	if err != nil || a.Status != models.StatusReview {
		t.Fatalf("disputed appeal: %+v %v", a, err)
	}
	return a
}

// TestConsoleReclassifyReroutes: a disputed private matter reclassified
// to 小事 from the console goes where a small matter goes, as the chat's
// 改类 does: it leaves 社区复核中 with a handler and a deadline, and the
// resident is told.
func TestConsoleReclassifyReroutes(t *testing.T) {
	for _, d := range storetest.Drivers(t) {
		t.Run(d, func(t *testing.T) {
			h := newStaffHarness(t, d)
			a := disputedPrivate(t, h, "o-chen")
			b := simBrowser(t, h)
			code, hdr, page := b.do("POST", "/console/appeals/"+a.Ref+"/revise",
				url.Values{"csrf": {b.csrf}, "op": {"reclassify"}, "kind": {"small"}, "reason": {"热水器在公共管井里"}})
			if code != http.StatusSeeOther || hdr.Get("Location") != "/console/appeals/"+a.Ref+"?done=1" {
				t.Fatalf("reclassify: %d %q %s", code, hdr.Get("Location"), page)
			}
			got, _ := h.app.Store.AppealByRef(context.Background(), "sample", a.Ref)
			if got.Kind != models.KindSmall || got.Level != models.LevelCommunity || got.Status != models.StatusAssigned ||
				got.Assignee == "" || got.DueAt == nil {
				t.Fatalf("after reclassifying to 小事: kind %s level %s status %s assignee %q due %v, want assigned with a deadline",
					got.Kind, got.Level, got.Status, got.Assignee, got.DueAt)
			}
			evs, _ := h.app.Store.AppealEvents(context.Background(), got.ID)
			var acts []string
			for _, e := range evs {
				acts = append(acts, e.Action)
			}
			if n := len(acts); n < 3 || acts[n-3] != string(models.ActReclassify) || acts[n-2] != string(models.ActAssign) ||
				acts[n-1] != string(models.ActSetDeadline) {
				t.Fatalf("events %v: want a reclassification, an assignment, the new time limit", acts)
			}
			// The resident is told where the appeal went and by when.
			h.pushFor("o-chen", a.Ref, "经社区复核改为小事", "办结时限")
		})
	}
}
