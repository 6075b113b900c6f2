package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// FuzzWebhookQuery sends a fixed, valid message under arbitrary query
// parameters (signed correctly or not, on either account): it is refused
// with a known status and nothing stored, or answered properly.
func FuzzWebhookQuery(f *testing.F) {
	now := time.Now().Unix()
	ts := func(d int64) string { return strconv.FormatInt(now+d, 10) }
	f.Add(ts(0), "123456", true, "", "", "", false)
	f.Add(ts(0), "123456", true, "aes", "", "", false)
	f.Add(ts(0), "123456", true, "", "", "oFuzzQuery", true)
	f.Add(ts(-400), "1", true, "", "", "", true)
	f.Add("soon", "", false, "raw", "0000", "o", false)
	f.Add(ts(0), strings.Repeat("9", 70), true, "", "", "", true)
	f.Add("-9999999999999999999", "n", true, "aes", "x", "", false)
	h := fuzzHarness(f)
	body := []byte(textMsg("oFuzzQuery", "帮助", 1))
	f.Fuzz(func(t *testing.T, timestamp, nonce string, sign bool, encType, msgSig, openID string, plainAccount bool) {
		h := h.with(t)
		q := url.Values{}
		q.Set("timestamp", timestamp)
		q.Set("nonce", nonce)
		q.Set("signature", "0000")
		if sign {
			q.Set("signature", refSign(h.Account.Token, timestamp, nonce))
		}
		for k, v := range map[string]string{"encrypt_type": encType, "msg_signature": msgSig, "openid": openID} {
			if v != "" {
				q.Set(k, v)
			}
		}
		r := request{Method: http.MethodPost, Query: q, Body: body}
		if plainAccount {
			r.Path = h.plainPath
		}
		before := h.counts().Processed
		status, resp := h.do(r)
		checkFuzzAnswer(t, h, before, status, resp, http.StatusOK, http.StatusBadRequest, http.StatusForbidden)
	})
}

// adminRouter is the admin API on a fresh SQLite database with one
// community, one grid, one appeal, for fuzzing without a network.
func adminRouter(f *testing.F) (http.Handler, *store.DB, string) {
	gin.SetMode(gin.ReleaseMode)
	ctx := context.Background()
	db := storetest.Open(f, store.SQLite)
	if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "测试社区"}); err != nil {
		f.Fatal(err)
	}
	if _, err := db.SeedGrids(ctx, "c1", []models.GridSpec{{ID: "g1", Buildings: []string{"1", "2"}}}); err != nil {
		f.Fatal(err)
	}
	at := dayT.UTC()
	a := &models.Appeal{CommunityID: "c1", OpenID: "o-fuzz", Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted,
		GridID: "g1", Topic: "灯", CreatedAt: at}
	if err := db.CommitTurn(ctx, &models.Turn{CommunityID: "c1", OpenID: "o-fuzz", At: at, NewAppeals: []*models.NewAppeal{{Appeal: a,
		Events: []*models.AppealEvent{{Actor: "resident", Action: "submitted", ToStatus: a.Status, At: at}}}}}); err != nil {
		f.Fatal(err)
	}
	now := dayT.Add(10 * 24 * time.Hour)
	d := testDeps(f, db, &handlers.Webhook{}, handlers.NewMetrics(), slog.New(slog.DiscardHandler), token, func() time.Time { return now }, shanghai)
	d.PublicURL = "https://gongzhi.example.cn"
	r := mustRouter(f, d)
	return r, db, a.Ref
}

// serve runs one request through h in process.
func serve(h http.Handler, method, target, ctype, body string) *httptest.ResponseRecorder {
	path, query, _ := strings.Cut(target, "?")
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.URL.RawQuery = query // as sent: fuzzed queries need not parse
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// FuzzAdminJSON sends arbitrary bodies to every admin route that reads
// JSON: never a 500, never a Go type name, always an error object on 4xx.
func FuzzAdminJSON(f *testing.F) {
	h, _, ref := adminRouter(f)
	routes := []struct{ method, path string }{
		{"POST", "/api/staff/invites"}, {"PATCH", "/api/appeals/" + ref}, {"PUT", "/api/grids"},
		{"POST", "/api/departments"}, {"POST", "/api/open311/keys"},
	}
	for _, s := range []string{`{"role":"committee","name":"王"}`, `{"role":"grid_worker","grid":"g1","name":"李"}`,
		`{"kind":"major","level":"street","reason":"x"}`, `{"due_at":"9999-12-31T23:59:59-12:00","reason":"x"}`,
		`{"due_at":"2026-12-05T18:00:00+08:00","reason":"约定"}`, `{"grids":[{"id":"g1","buildings":["1"]}]}`,
		`{"name":"街道办"}`, `[1,2]`, `"x"`, `null`, `{"name":[1]}`, `{}`, `{"a":1}`, `{"name":"x"} {}`, ``} {
		for i := range routes {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		rt := routes[int(route)%len(routes)]
		w := serve(h, rt.method, rt.path, "application/json", body)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q = %d %s", rt.method, rt.path, body, w.Code, w.Body)
		}
		out := w.Body.String()
		if w.Code >= 400 && !strings.Contains(out, `"error"`) {
			t.Fatalf("%s %s %q = %d without an error object: %s", rt.method, rt.path, body, w.Code, out)
		}
		for _, leak := range []string{"handlers.", "struct {", "models.", "bot.", "map[", "[]string", "[]int", "[]uint", "time.Time"} {
			if w.Code >= 400 && strings.Contains(out, leak) {
				t.Fatalf("%s %s %q: answer names a Go type: %s", rt.method, rt.path, body, out)
			}
		}
	})
}

// FuzzOpen311Params sends arbitrary query strings and forms to the Open311
// endpoints: never a 500, and no personal data of the seeded appeal.
func FuzzOpen311Params(f *testing.F) {
	h, _, ref := adminRouter(f)
	paths := []string{"/open311/v2/requests.json", "/open311/v2/requests.xml", "/open311/v2/services.json",
		"/open311/v2/requests/" + ref + ".json", "/open311/v2/services/000.xml", "/open311/v2/discovery.json"}
	for _, q := range []string{"", "status=open", "service_code=001&start_date=2026-11-01T00:00:00Z&end_date=2026-12-01T00:00:00Z",
		"start_date=9999-12-31T23:59:59-12:00", "service_request_id=" + ref, "page_size=100000", "lat=999&long=-999",
		"jurisdiction_id=x&status=closed,open", "%zz", "start_date=tomorrow"} {
		for i := range paths {
			f.Add(uint8(i), q, "")
		}
	}
	f.Add(uint8(0), "", "api_key=nope&service_code=001&description=灯坏了&lat=29.5&long=106.5")
	f.Fuzz(func(t *testing.T, path uint8, query, form string) {
		p := paths[int(path)%len(paths)]
		method, ctype := "GET", ""
		if form != "" {
			method, ctype = "POST", "application/x-www-form-urlencoded"
		}
		w := serve(h, method, p+"?"+query, ctype, form)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s?%s = %d %s", method, p, query, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), "o-fuzz") {
			t.Fatalf("%s %s?%s shows an openid: %s", method, p, query, w.Body)
		}
	})
}
