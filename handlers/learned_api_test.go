package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestLearnedAPI: a kind changed by PATCH teaches the appeal's local words;
// the committee lists what was learned and removes it.
func TestLearnedAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := mustRouter(t, testDeps(t, db, &handlers.Webhook{}, handlers.NewMetrics(), slog.New(slog.DiscardHandler), token,
			func() time.Time { return e.now }, shanghai))
		e.srv = httptest.NewServer(r)
		t.Cleanup(e.srv.Close)

		a := e.newAppeal(&models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, Topic: "其他社区事务"}, e.now)
		if err := db.Gorm().Model(&models.Appeal{}).Where("id = ?", a.ID).Update("description", "滨江步道的栏杆松了").Error; err != nil {
			t.Fatal(err)
		}
		// Nothing learned yet: an empty list, not null.
		out := e.mustCall("GET", "/api/learned", nil, http.StatusOK)
		if l, ok := out["learned"].([]any); !ok || len(l) != 0 {
			t.Fatalf("GET /api/learned = %v, want an empty list", out)
		}
		// A kind change teaches the appeal's local words.
		e.mustCall("PATCH", "/api/appeals/"+a.Ref, map[string]any{"kind": "major", "level": "street", "reason": "步道归市政管"}, http.StatusOK)
		out = e.mustCall("GET", "/api/learned", nil, http.StatusOK)
		l, _ := out["learned"].([]any)
		found := false
		for _, x := range l {
			w := x.(map[string]any)
			if w["phrase"] == "滨江步道" && w["kind"] == "major" && w["committee"] == true {
				found = true
			}
		}
		if !found {
			t.Fatalf("after PATCH: %v, want 滨江步道 major by the committee", out)
		}
		// Bad input: a clear answer, nothing changed.
		if code, _ := e.call("GET", "/api/learned", "none", nil); code != http.StatusUnauthorized {
			t.Errorf("GET without token = %d", code)
		}
		if code, _ := e.call("DELETE", "/api/learned/"+url.PathEscape("从来没学过"), "right", nil); code != http.StatusNotFound {
			t.Errorf("DELETE unknown phrase = %d, want 404", code)
		}
		if code, _ := e.call("GET", "/api/learned?community=nope", "right", nil); code != http.StatusNotFound {
			t.Errorf("GET unknown community = %d, want 404", code)
		}
		// Removal.
		if code, b := e.call("DELETE", "/api/learned/"+url.PathEscape("滨江步道"), "right", nil); code != http.StatusNoContent {
			t.Fatalf("DELETE = %d %s", code, b)
		}
		words, err := db.Learned(context.Background(), "c1")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range words {
			if w.Phrase == "滨江步道" {
				t.Fatalf("still learned after DELETE: %+v", words)
			}
		}
	})
}
