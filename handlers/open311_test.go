package handlers_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// newIntakeEnv is newEnv with Open311 POST requests served by the real
// ops.Appeals.Intake as the App builds it (grid-less directory).
func newIntakeEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := newEnv(t, db) // community c1, its grids, and the clock
	e.srv.Close()
	now := func() time.Time { return e.now }
	d := testDeps(t, db, &handlers.Webhook{}, handlers.NewMetrics(), slog.New(slog.DiscardHandler), token, now, shanghai)
	d.Open311Intake = d.Appeals.(*ops.Appeals)
	r := mustRouter(t, d)
	e.srv = httptest.NewServer(r)
	t.Cleanup(e.srv.Close)
	return e
}

// post sends a form-encoded POST requests call.
func (e *env) post(path string, form url.Values) (int, []byte) {
	e.t.Helper()
	code, body := e.callType("POST", path, "application/x-www-form-urlencoded", form.Encode())
	return code, body
}

func (e *env) callType(method, path, ctype, body string) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (e *env) appealCount() int64 {
	e.t.Helper()
	var n int64
	if err := e.db.Gorm().Model(&models.Appeal{}).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

// Personal data posted with requests: Open311 output must never show it.
var postedPersonal = []string{"13900139000", "张三丰", "zhang@example.com", "幸福路8号", "7栋", "29.5631", "secret-photo"}

func TestOpen311Keys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newIntakeEnv(t, db)
		if code, _ := e.call("POST", "/api/open311/keys", "none", map[string]any{"name": "city-app"}); code != http.StatusUnauthorized {
			t.Fatalf("POST keys without token = %d", code)
		}
		if code, _ := e.call("GET", "/api/open311/keys", "wrong", nil); code != http.StatusUnauthorized {
			t.Fatalf("GET keys with a wrong token = %d", code)
		}
		if code, _ := e.call("DELETE", "/api/open311/keys/1", "none", nil); code != http.StatusUnauthorized {
			t.Fatalf("DELETE key without token = %d", code)
		}
		k := e.mustCall("POST", "/api/open311/keys", map[string]any{"name": " city-app "}, http.StatusCreated)
		key, _ := k["key"].(string)
		if !strings.HasPrefix(key, "o311_") || len(key) < 40 || k["name"] != "city-app" || k["id"] == nil || k["created_at"] == nil {
			t.Fatalf("issued = %v", k)
		}
		var stored models.APIKey
		if err := db.Gorm().Take(&stored).Error; err != nil || stored.Hash != models.HashAPIKey(key) || strings.Contains(stored.Hash, key) {
			t.Fatalf("stored key = %+v %v", stored, err)
		}
		for name, body := range map[string]any{"empty name": map[string]any{"name": ""}, "long name": map[string]any{"name": strings.Repeat("x", 41)},
			"unknown field": map[string]any{"name": "a", "key": "mine"}} {
			if code, b := e.call("POST", "/api/open311/keys", "right", body); code != http.StatusBadRequest {
				t.Errorf("%s = %d %s", name, code, b)
			}
		}
		if code, b := e.call("POST", "/api/open311/keys", "right", map[string]any{"name": "city-app"}); code != http.StatusConflict {
			t.Errorf("second active key of the same name = %d %s", code, b)
		}
		code, body := e.call("GET", "/api/open311/keys", "right", nil)
		if code != 200 || strings.Contains(string(body), key) || strings.Contains(string(body), stored.Hash) || !strings.Contains(string(body), `"active":true`) {
			t.Fatalf("list = %d %s", code, body)
		}
		id := json.Number(mustJSON(k["id"])).String()
		out := e.mustCall("DELETE", "/api/open311/keys/"+id, nil, http.StatusOK)
		if kk, _ := out["key"].(map[string]any); kk["active"] != false || kk["revoked_at"] == nil {
			t.Fatalf("revoke = %v", out)
		}
		for _, p := range []string{"/api/open311/keys/9999", "/api/open311/keys/abc"} {
			if code, _ := e.call("DELETE", p, "right", nil); code/100 != 4 {
				t.Errorf("DELETE %s = %d", p, code)
			}
		}
		// A revoked key opens nothing; its name may be issued again.
		form := url.Values{"api_key": {key}, "service_code": {"corridor-light"}, "description": {"楼道灯坏了"}}
		if code, b := e.post("/open311/v2/requests.json", form); code != http.StatusForbidden || !strings.HasPrefix(string(b), `[{"code":403`) {
			t.Fatalf("revoked key = %d %s", code, b)
		}
		e.mustCall("POST", "/api/open311/keys", map[string]any{"name": "city-app"}, http.StatusCreated)
		if n := e.appealCount(); n != 0 {
			t.Fatalf("%d appeals after refused requests", n)
		}
	})
}

func TestOpen311Post(t *testing.T) {
	sc := schemas(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newIntakeEnv(t, db)
		ctx := context.Background()
		e.mustCall("POST", "/api/departments", map[string]any{"name": "街道社会保障服务所"}, http.StatusCreated)
		liaison := e.bindVia(map[string]any{"role": "liaison", "department": "街道社会保障服务所", "name": "李联络"}, "o-liaison")
		e.bindVia(map[string]any{"role": "committee", "name": "周委员"}, "o-committee")
		k := e.mustCall("POST", "/api/open311/keys", map[string]any{"name": "city-app"}, http.StatusCreated)
		key := k["key"].(string)
		form := func(code, desc string) url.Values {
			return url.Values{"api_key": {key}, "service_code": {code}, "description": {desc},
				"lat": {"29.5631"}, "long": {"106.5517"}, "address_string": {"幸福路8号7栋"}, "media_url": {"https://example.com/secret-photo.jpg"},
				"email": {"zhang@example.com"}, "first_name": {"三丰"}, "last_name": {"张"}, "phone": {"13900139000"},
				"attribute[WHISPER]": {"ignored"}}
		}
		refused := []struct {
			name string
			path string
			form url.Values
			code int
		}{
			{"no key", "/open311/v2/requests.json", url.Values{"service_code": {"corridor-light"}, "description": {"灯坏了"}}, 403},
			{"wrong key", "/open311/v2/requests.json", url.Values{"api_key": {"o311_nope"}, "service_code": {"corridor-light"}, "description": {"灯坏了"}}, 403},
			{"wrong key xml", "/open311/v2/requests.xml", url.Values{"api_key": {"o311_nope"}, "service_code": {"corridor-light"}, "description": {"灯坏了"}}, 403},
			{"unknown service_code", "/open311/v2/requests.json", form("nope", "灯坏了"), 400},
			{"empty description", "/open311/v2/requests.json", form("corridor-light", " "), 400},
			{"long description", "/open311/v2/requests.json", form("corridor-light", strings.Repeat("灯", 2001)), 400},
			{"bad lat", "/open311/v2/requests.json", url.Values{"api_key": {key}, "service_code": {"corridor-light"}, "description": {"灯坏了"}, "lat": {"north"}, "long": {"1"}}, 400},
			{"other jurisdiction", "/open311/v2/requests.json", url.Values{"api_key": {key}, "jurisdiction_id": {"c2"}, "service_code": {"corridor-light"}, "description": {"灯坏了"}}, 400},
		}
		for _, tc := range refused {
			t.Run(tc.name, func(t *testing.T) {
				code, b := e.post(tc.path, tc.form)
				if code != tc.code {
					t.Fatalf("= %d %s; want %d", code, b, tc.code)
				}
				if strings.HasSuffix(tc.path, ".xml") {
					var xe struct {
						Errors []struct {
							Code int `xml:"code"`
						} `xml:"error"`
					}
					if err := xml.Unmarshal(b, &xe); err != nil || len(xe.Errors) != 1 || xe.Errors[0].Code != tc.code {
						t.Fatalf("xml error = %s", b)
					}
				} else if !strings.HasPrefix(string(b), `[{"code":`) {
					t.Fatalf("error body = %s", b)
				}
				if n := e.appealCount(); n != 0 {
					t.Fatalf("%d appeals stored", n)
				}
			})
		}

		type created struct {
			ID     string  `json:"service_request_id"`
			Notice string  `json:"service_notice"`
			Acct   *string `json:"account_id"`
		}
		postJSON := func(t *testing.T, f url.Values) created {
			t.Helper()
			code, b := e.post("/open311/v2/requests.json", f)
			var out []created
			if code != 200 || json.Unmarshal(b, &out) != nil || len(out) != 1 || !models.ValidRef(out[0].ID) || out[0].Acct != nil ||
				!strings.Contains(string(b), `"account_id":null`) {
				t.Fatalf("POST = %d %s", code, b)
			}
			return out[0]
		}
		check := func(t *testing.T, ref string) (*models.Appeal, []*models.AppealEvent, []*models.OutboxMessage) {
			t.Helper()
			a, err := db.AppealByRef(ctx, "c1", ref)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := db.AppealEvents(ctx, a.ID)
			if err != nil || len(evs) != 2 || evs[0].Actor != "open311:city-app" || evs[0].Action != string(models.ActSubmit) {
				t.Fatalf("events = %d %v", len(evs), err)
			}
			var out []*models.OutboxMessage
			if err := db.Gorm().Where("text LIKE ?", "%"+ref+"%").Find(&out).Error; err != nil {
				t.Fatal(err)
			}
			return a, evs, out
		}
		var refs []string
		t.Run("small item: grid-less routing, push to the committee", func(t *testing.T) {
			c := postJSON(t, form("corridor-light", "楼道灯坏了，晚上很黑"))
			a, evs, out := check(t, c.ID)
			if a.Kind != models.KindSmall || a.Level != models.LevelCommunity || a.Status != models.StatusAssigned ||
				a.Assignee != models.RolePlaceholder(models.RoleCommittee) || a.GridID != "" || a.OpenID != "" || evs[1].Action != string(models.ActAssign) {
				t.Fatalf("appeal = %+v", a)
			}
			if len(out) != 1 || out[0].OpenID != "o-committee" || out[0].Type != models.PushTaskAssigned || !strings.Contains(out[0].Text, "幸福路8号7栋") {
				t.Fatalf("pushes = %d %+v", len(out), out)
			}
			if !strings.Contains(c.Notice, "社区两委") || !strings.Contains(c.Notice, "12月3日") {
				t.Fatalf("notice = %q", c.Notice)
			}
			refs = append(refs, c.ID)
		})
		t.Run("major item: street level, liaison, working days", func(t *testing.T) {
			c := postJSON(t, url.Values{"api_key": {key}, "service_code": {"social-security"}, "description": {"社保卡补办要带什么材料"}})
			a, _, out := check(t, c.ID)
			// Monday 30 November + 7 working days = Wednesday 9 December, end of day.
			want := models.DefaultCalendar(shanghai).Due(e.now, 7, true)
			if a.Level != models.LevelStreet || a.Assignee != liaison.Ref() || a.Unit != "街道社会保障服务所" || a.DueAt == nil ||
				!a.DueAt.Equal(want) || a.DueAt.In(shanghai).Format(time.DateOnly) != "2026-12-09" {
				t.Fatalf("appeal = %+v (want due %v)", a, want)
			}
			if len(out) != 1 || out[0].OpenID != "o-liaison" {
				t.Fatalf("pushes = %+v", out)
			}
			if !strings.Contains(c.Notice, "7个工作日") || !strings.Contains(c.Notice, "12月9日") {
				t.Fatalf("notice = %q", c.Notice)
			}
			refs = append(refs, c.ID)
		})
		t.Run("private item: guided, nobody pushed", func(t *testing.T) {
			c := postJSON(t, url.Values{"api_key": {key}, "service_code": {"home-repair"}, "description": {"家里水龙头坏了"}})
			a, evs, out := check(t, c.ID)
			if a.Status != models.StatusGuided || a.Level != models.LevelSelf || a.Assignee != "" || evs[1].Action != string(models.ActGuide) || len(out) != 0 {
				t.Fatalf("appeal = %+v, %d pushes", a, len(out))
			}
			get := func() int { code, _ := e.call("GET", "/open311/v2/requests/"+c.ID+".json", "none", nil); return code }
			if get() != 404 {
				t.Fatal("a private appeal is published")
			}
		})
		t.Run("xml, JSON body and key in the query string", func(t *testing.T) {
			code, b := e.post("/open311/v2/requests.xml", form("parking-order", "小区里乱停车堵住通道"))
			var x struct {
				Requests []struct {
					ID     string `xml:"service_request_id"`
					Notice string `xml:"service_notice"`
				} `xml:"request"`
			}
			if code != 200 || xml.Unmarshal(b, &x) != nil || len(x.Requests) != 1 || !models.ValidRef(x.Requests[0].ID) || x.Requests[0].Notice == "" ||
				!strings.HasPrefix(string(b), "<service_requests>") {
				t.Fatalf("xml POST = %d %s", code, b)
			}
			refs = append(refs, x.Requests[0].ID)
			body, _ := json.Marshal(map[string]any{"service_code": "greenery", "description": "绿化带杂草太多", "lat": 29.5631, "long": 106.5517})
			code, b = e.callType("POST", "/open311/v2/requests.json?api_key="+url.QueryEscape(key), "application/json", string(body))
			var out []created
			if code != 200 || json.Unmarshal(b, &out) != nil || len(out) != 1 {
				t.Fatalf("JSON POST = %d %s", code, b)
			}
			refs = append(refs, out[0].ID)
		})
		t.Run("created requests are published without personal data", func(t *testing.T) {
			code, body := e.call("GET", "/open311/v2/requests.json", "none", nil)
			if code != 200 {
				t.Fatalf("GET = %d %s", code, body)
			}
			validate(t, sc["requests"], body)
			for _, ref := range refs {
				if !strings.Contains(string(body), `"service_request_id":"`+ref+`"`) {
					t.Errorf("%s not listed", ref)
				}
				_, one := e.call("GET", "/open311/v2/requests/"+ref+".json", "none", nil)
				validate(t, sc["requests"], one)
				body = append(body, one...)
			}
			for _, p := range append(postedPersonal, "楼道灯坏了", "o-committee", "o-liaison") {
				if strings.Contains(string(body), p) {
					t.Errorf("Open311 output shows %q", p)
				}
			}
			// Nothing of the contact fields is stored at all.
			var n int64
			db.Gorm().Model(&models.Appeal{}).Where("description LIKE ? OR location LIKE ? OR description LIKE ?", "%13900139000%", "%zhang@%", "%张三丰%").Count(&n)
			if n != 0 {
				t.Fatalf("%d appeals hold contact data", n)
			}
		})
	})
}
