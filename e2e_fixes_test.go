package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestConsoleCampaignNobodyYet: on a fresh install nobody has registered
// an address; a campaign for everyone is refused with a sentence about
// everyone that says how residents register (not about buildings or grids
// nobody picked), one for a building nobody lives in says so, and once a
// resident registers the same campaign is saved.
func TestConsoleCampaignNobodyYet(t *testing.T) {
	eachDriver(t, func(t *testing.T, h *harness) {
		b := simBrowser(t, h)
		ends := h.clock().In(h.app.Config.Location).Add(48 * time.Hour).Format("2006-01-02T15:04")
		form := func(audience string) url.Values {
			return url.Values{"question": {"小区里最需要解决的问题是什么？"}, "audience": {audience}, "buildings": {"9"}, "ends_at": {ends}}
		}
		code, _, page := b.post("/console/campaigns", form("all"))
		msg := formError(page)
		if code != http.StatusBadRequest || !strings.Contains(msg, "还没有居民登记住址") || !strings.Contains(msg, "修改地址") ||
			strings.Contains(msg, "楼栋") || strings.Contains(msg, "网格") {
			t.Fatalf("everyone, nobody registered: %d %q", code, msg)
		}
		code, _, page = b.post("/console/campaigns", form("buildings"))
		if msg = formError(page); code != http.StatusBadRequest || !strings.Contains(msg, "所选楼栋或网格") || !strings.Contains(msg, "修改地址") {
			t.Fatalf("building 9, nobody there: %d %q", code, msg)
		}
		register(h.persona("o-first"), "3栋1单元101")
		if code, _, page = b.post("/console/campaigns", form("all")); code != http.StatusSeeOther {
			t.Fatalf("everyone, one registered: %d %q", code, formError(page))
		}
	})
}
