package handlers_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/handlers"
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

// newSecurityEnv is newEnv with a public URL and a second community.
func newSecurityEnv(t *testing.T, db *store.DB, publicURL string) *env {
	t.Helper()
	gin.SetMode(gin.TestMode)
	e := newEnv(t, db)
	if err := db.EnsureCommunity(context.Background(), &models.Community{ID: "c2", Name: "第二社区"}); err != nil {
		t.Fatal(err)
	}
	d := testDeps(t, db, &handlers.Webhook{}, handlers.NewMetrics(), slog.New(slog.DiscardHandler), token, func() time.Time { return e.now }, shanghai)
	d.PublicURL = publicURL
	r := mustRouter(t, d)
	e.srv = httptest.NewServer(r)
	t.Cleanup(e.srv.Close)
	return e
}

// TestRevokeInvite: an unused invite code can be revoked; it then binds
// nobody. Before, a code handed to the wrong person stayed good for days.
func TestRevokeInvite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		out := e.mustCall("POST", "/api/staff/invites", map[string]any{"role": "committee", "name": "王委员"}, http.StatusCreated)
		code := out["code"].(string)
		e.mustCall("DELETE", "/api/staff/invites/"+code, nil, http.StatusOK)
		if _, err := db.BindStaff(context.Background(), "c1", "o-would-be", code, e.now); err == nil {
			t.Fatal("a revoked code bound someone")
		}
		e.mustCall("DELETE", "/api/staff/invites/"+code, nil, http.StatusNotFound)
		e.mustCall("DELETE", "/api/staff/invites/NOSUCHCODE", nil, http.StatusNotFound)
		used := e.mustCall("POST", "/api/staff/invites", map[string]any{"role": "committee", "name": "李委员"}, http.StatusCreated)["code"].(string)
		if _, err := db.BindStaff(context.Background(), "c1", "o-bound", used, e.now); err != nil {
			t.Fatal(err)
		}
		if code, body := e.call("DELETE", "/api/staff/invites/"+used, "right", nil); code != http.StatusNotFound {
			t.Errorf("revoking a used code: %d %s, want 404", code, body)
		}
		if code, _ := e.call("DELETE", "/api/staff/invites/"+used, "none", nil); code != http.StatusUnauthorized {
			t.Errorf("without the token: %d, want 401", code)
		}
	})
}

// TestListAppealsCommunity: the list is one community's. With several and
// no default it asks which; an unknown community is 404, not an empty list.
func TestListAppealsCommunity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newSecurityEnv(t, db, "")
		a1 := e.newAppeal(&models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g1", Topic: "灯"}, dayT)
		a2 := &models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, Topic: "路", CommunityID: "c2", CreatedAt: dayT.UTC(), OpenID: "o-2"}
		if err := db.CommitTurn(context.Background(), &models.Turn{CommunityID: "c2", OpenID: "o-2", At: dayT,
			NewAppeals: []*models.NewAppeal{{Appeal: a2, Events: []*models.AppealEvent{{Actor: "resident", Action: "submitted", ToStatus: a2.Status, At: dayT.UTC()}}}}}); err != nil {
			t.Fatal(err)
		}
		if code, body := e.call("GET", "/api/appeals", "right", nil); code != http.StatusBadRequest || !strings.Contains(string(body), "community") {
			t.Errorf("no community among two: %d %s, want 400 asking for it", code, body)
		}
		if code, body := e.call("GET", "/api/appeals?community=nope", "right", nil); code != http.StatusNotFound {
			t.Errorf("unknown community: %d %s, want 404", code, body)
		}
		for c, want := range map[string]string{"c1": a1.Ref, "c2": a2.Ref} {
			list := e.mustCall("GET", "/api/appeals?community="+c, nil, http.StatusOK)["appeals"].([]any)
			if len(list) != 1 || list[0].(map[string]any)["ref"] != want {
				t.Errorf("community %s: %v, want only %s", c, list, want)
			}
		}
	})
}

// TestJSONErrorsNameNoGoTypes: a body of the wrong JSON shape is answered
// in JSON's words, never with a Go type name.
func TestJSONErrorsNameNoGoTypes(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	for _, body := range []string{`[1,2]`, `"x"`, `7`, `{"name":[1]}`, `{"role":{"a":1},"name":"x"}`, `{"name":"x","grid":true}`} {
		t.Run(body, func(t *testing.T) {
			code, out := e.call("POST", "/api/staff/invites", "right", body)
			if code != http.StatusBadRequest {
				t.Fatalf("= %d %s, want 400", code, out)
			}
			for _, leak := range []string{"handlers.", "struct", "[]", "map[", "int", "main."} {
				if strings.Contains(string(out), leak) {
					t.Errorf("answer %s names a Go type (%q)", out, leak)
				}
			}
		})
	}
}

// TestOpen311DiscoveryUsesPublicURL: discovery names the configured public
// URL whatever Host and X-Forwarded-Proto say (they are the client's).
func TestOpen311DiscoveryUsesPublicURL(t *testing.T) {
	for _, tc := range []struct{ public, want string }{
		{"https://gongzhi.example.cn", "https://gongzhi.example.cn/open311/v2"},
		{"", "/open311/v2"}, // not configured: a relative URL, never the Host header
	} {
		t.Run(tc.want, func(t *testing.T) {
			e := newSecurityEnv(t, storetest.Open(t, store.SQLite), tc.public)
			req, _ := http.NewRequest("GET", e.srv.URL+"/open311/v2/discovery.json", nil)
			req.Host = "evil.example"
			req.Header.Set("X-Forwarded-Proto", "gopher")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var d struct {
				Endpoints []struct {
					URL string `json:"url"`
				} `json:"endpoints"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || len(d.Endpoints) != 1 {
				t.Fatalf("discovery: %v %+v", err, d)
			}
			if d.Endpoints[0].URL != tc.want {
				t.Errorf("endpoint URL %q, want %q", d.Endpoints[0].URL, tc.want)
			}
		})
	}
}
