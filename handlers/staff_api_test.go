package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

const token = "test-admin-token"

var (
	shanghai, _ = time.LoadLocation("Asia/Shanghai")
	dayT        = time.Date(2026, 11, 20, 9, 0, 0, 0, shanghai)
)

type env struct {
	t   *testing.T
	db  *store.DB
	srv *httptest.Server
	now time.Time
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	if err := db.EnsureCommunity(ctx, &models.Community{ID: "c1", Name: "测试社区"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedGrids(ctx, "c1", []models.GridSpec{{ID: "g1", Buildings: []string{"1", "2"}}, {ID: "g2", Buildings: []string{"3"}}}); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, now: dayT.Add(10 * 24 * time.Hour)}
	log := slog.New(slog.DiscardHandler)
	r := mustRouter(t, testDeps(t, db, &handlers.Webhook{}, handlers.NewMetrics(), log, token, func() time.Time { return e.now }, shanghai))
	e.srv = httptest.NewServer(r)
	t.Cleanup(e.srv.Close)
	return e
}

// call makes one HTTP request; auth is "right", "wrong" or "none".
func (e *env) call(method, path, auth string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	switch auth {
	case "right":
		req.Header.Set("Authorization", "Bearer "+token)
	case "wrong":
		req.Header.Set("Authorization", "Bearer nope")
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (e *env) mustCall(method, path string, body any, want int) map[string]any {
	e.t.Helper()
	code, b := e.call(method, path, "right", body)
	if code != want {
		e.t.Fatalf("%s %s = %d %s; want %d", method, path, code, b, want)
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// bindVia issues an invite through the API and binds openID with the code.
func (e *env) bindVia(body map[string]any, openID string) *models.Staff {
	e.t.Helper()
	out := e.mustCall("POST", "/api/staff/invites", body, http.StatusCreated)
	s, err := e.db.BindStaff(context.Background(), "c1", openID, out["code"].(string), e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// newAppeal stores an appeal the way the chat does.
func (e *env) newAppeal(a *models.Appeal, at time.Time) *models.Appeal {
	e.t.Helper()
	a.CommunityID, a.CreatedAt = "c1", at.UTC()
	if a.OpenID == "" {
		a.OpenID = "o-resident-secret"
	}
	a.Description = "3栋2单元1708室 王阿姨 电话13800138000 " + a.Topic
	a.Building = "3"
	turn := &models.Turn{CommunityID: "c1", OpenID: a.OpenID, At: at, NewAppeals: []*models.NewAppeal{{Appeal: a,
		Events: []*models.AppealEvent{{Actor: "resident", Action: "submitted", ToStatus: a.Status, At: at.UTC()}}}}}
	if err := e.db.CommitTurn(context.Background(), turn); err != nil {
		e.t.Fatal(err)
	}
	return a
}

// step applies one lifecycle step through the store, as the chat half will.
func (e *env) step(ref string, s models.Step, actor models.Actor, reason string, at time.Time) {
	e.t.Helper()
	ctx := context.Background()
	a, err := e.db.AppealByRef(ctx, "c1", ref)
	if err != nil {
		e.t.Fatal(err)
	}
	expect := a.Status
	ev, err := models.Apply(a, s, actor, reason, at)
	if err != nil {
		e.t.Fatalf("%s on %s: %v", s.Action, ref, err)
	}
	if err := e.db.UpdateAppeal(ctx, &models.AppealUpdate{Appeal: a, ExpectStatus: expect, Events: []*models.AppealEvent{ev}}); err != nil {
		e.t.Fatal(err)
	}
}

func TestAdminAuthMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.newAppeal(&models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g1", Topic: "楼道灯"}, dayT)
		routes := []struct {
			method, path string
			body         any
			want         int
		}{
			{"POST", "/api/departments", map[string]any{"name": "区生态环境局"}, http.StatusCreated},
			{"GET", "/api/departments", nil, http.StatusOK},
			{"POST", "/api/staff/invites", map[string]any{"role": "committee", "name": "王委员"}, http.StatusCreated},
			{"GET", "/api/staff", nil, http.StatusOK},
			{"DELETE", "/api/staff/999", nil, http.StatusNotFound},
			{"GET", "/api/grids", nil, http.StatusOK},
			{"PUT", "/api/grids", map[string]any{"grids": []map[string]any{{"id": "g1", "buildings": []string{"1", "2"}}, {"id": "g2", "buildings": []string{"3栋"}}}}, http.StatusOK},
			{"PATCH", "/api/appeals/" + a.Ref, map[string]any{"due_at": "2026-12-01T18:00:00+08:00", "reason": "约定时间"}, http.StatusOK},
			{"GET", "/api/stats", nil, http.StatusOK},
		}
		for _, r := range routes {
			for _, auth := range []string{"none", "wrong", "right"} {
				t.Run(r.method+" "+r.path+"/"+auth, func(t *testing.T) {
					before := snapshot(t, db)
					code, body := e.call(r.method, r.path, auth, r.body)
					if auth != "right" {
						if code != http.StatusUnauthorized {
							t.Fatalf("%s without the right token = %d %s; want 401", r.path, code, body)
						}
						if after := snapshot(t, db); after != before {
							t.Fatalf("refused call changed the database:\n%s\n%s", before, after)
						}
						return
					}
					if code != r.want {
						t.Fatalf("%s %s = %d %s; want %d", r.method, r.path, code, body, r.want)
					}
				})
			}
		}
	})
}

// snapshot summarises every table the admin API writes.
func snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, m := range []any{&models.Staff{}, &models.StaffInvite{}, &models.Grid{}, &models.Department{}, &models.AppealEvent{}} {
		var n int64
		if err := db.Gorm().Model(m).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Repeat("#", int(n)) + "|")
	}
	var rows []models.Appeal
	db.Gorm().Order("id").Find(&rows)
	for _, r := range rows {
		b.WriteString(r.Ref + string(r.Status) + string(r.Kind) + string(r.Level) + r.Assignee)
		if r.DueAt != nil {
			b.WriteString(r.DueAt.UTC().String())
		}
	}
	var grids []models.Grid
	db.Gorm().Order("id").Find(&grids)
	for _, g := range grids {
		b.WriteString(g.ID + ":" + g.Buildings)
	}
	return b.String()
}

func TestStaffAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.mustCall("POST", "/api/departments", map[string]any{"name": "街道社会保障服务所"}, http.StatusCreated)
		bad := []struct {
			name string
			body any
			want int
		}{
			{"unknown role", map[string]any{"role": "mayor", "name": "x"}, 400},
			{"worker without grid", map[string]any{"role": "grid_worker", "name": "x"}, 400},
			{"worker of unknown grid", map[string]any{"role": "grid_worker", "grid": "g9", "name": "x"}, 400},
			{"liaison without department", map[string]any{"role": "liaison", "name": "x"}, 400},
			{"liaison of unknown department", map[string]any{"role": "liaison", "department": "区教委", "name": "x"}, 400},
			{"no name", map[string]any{"role": "committee"}, 400},
			{"unknown field", map[string]any{"role": "committee", "name": "x", "openid": "o"}, 400},
			{"not json", "{role:", 400},
			{"empty body", "", 400},
			{"wrong type", map[string]any{"role": 3, "name": "x"}, 400},
		}
		for _, tc := range bad {
			t.Run("invite/"+tc.name, func(t *testing.T) {
				before := snapshot(t, db)
				code, body := e.call("POST", "/api/staff/invites", "right", tc.body)
				if code != tc.want || !strings.Contains(string(body), `"message"`) {
					t.Fatalf("= %d %s; want %d with a message", code, body, tc.want)
				}
				if snapshot(t, db) != before {
					t.Fatal("a refused invite changed the database")
				}
			})
		}
		out := e.mustCall("POST", "/api/staff/invites", map[string]any{"role": "grid_worker", "grid": "g1", "name": "张网格"}, http.StatusCreated)
		code, _ := out["code"].(string)
		exp, err := time.Parse(time.RFC3339, out["expires_at"].(string))
		if len(code) != 8 || err != nil || !exp.Equal(e.now.Add(72*time.Hour)) || !strings.HasSuffix(out["expires_at"].(string), "+08:00") {
			t.Fatalf("invite = %v", out)
		}
		w, err := db.BindStaff(context.Background(), "c1", "o-worker", code, e.now)
		if err != nil {
			t.Fatal(err)
		}
		e.bindVia(map[string]any{"role": "liaison", "department": "街道社会保障服务所", "name": "李联络"}, "o-liaison")
		list := e.mustCall("GET", "/api/staff", nil, 200)["staff"].([]any)
		if len(list) != 2 || strings.Contains(mustJSON(list), "o-worker") {
			t.Fatalf("staff list = %v (must hold 2 and no openid)", list)
		}
		e.mustCall("DELETE", "/api/staff/"+itoa(w.ID), nil, 200)
		e.mustCall("DELETE", "/api/staff/abc", nil, 400)
		if _, err := db.StaffByOpenID(context.Background(), "c1", "o-worker"); models.ErrorCode(err) != models.ENOTFOUND {
			t.Fatal("DELETE did not deactivate")
		}
		grids := e.mustCall("GET", "/api/grids", nil, 200)["grids"].([]any)
		if len(grids) != 2 {
			t.Fatalf("grids = %v", grids)
		}
		e.mustCall("PUT", "/api/grids", map[string]any{"grids": []map[string]any{{"id": "g1", "buildings": []string{"1"}}, {"id": "g2", "buildings": []string{"1号楼"}}}}, 400)
		e.mustCall("PUT", "/api/grids", map[string]any{}, 400)
		e.mustCall("GET", "/api/grids?community=nope", nil, 404)
		e.mustCall("POST", "/api/departments", map[string]any{"name": "街道社会保障服务所"}, 409)
	})
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestPatchAppeal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.mustCall("POST", "/api/departments", map[string]any{"name": "街道社会保障服务所"}, http.StatusCreated)
		l := e.bindVia(map[string]any{"role": "liaison", "department": "街道社会保障服务所", "name": "李联络"}, "o-liaison")
		a := e.newAppeal(&models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g2", Topic: "停车"}, dayT)
		path := "/api/appeals/" + a.Ref
		bad := []struct {
			name string
			path string
			body any
			want int
		}{
			{"no reason", path, map[string]any{"kind": "major", "level": "street"}, 400},
			{"blank reason", path, map[string]any{"kind": "major", "level": "street", "reason": "  "}, 400},
			{"nothing to change", path, map[string]any{"reason": "x"}, 400},
			{"bad kind", path, map[string]any{"kind": "huge", "reason": "x"}, 400},
			{"bad level", path, map[string]any{"level": "city", "reason": "x"}, 400},
			{"kind and level do not fit", path, map[string]any{"kind": "major", "reason": "x"}, 400},
			{"bad time", path, map[string]any{"due_at": "tomorrow", "reason": "x"}, 400},
			{"time without zone", path, map[string]any{"due_at": "2026-12-01T18:00:00", "reason": "x"}, 400},
			{"unknown assignee", path, map[string]any{"assignee": "o-nobody", "reason": "x"}, 400},
			{"unknown staff id", path, map[string]any{"assignee": "999", "reason": "x"}, 400},
			{"valid change with a bad one", path, map[string]any{"kind": "major", "level": "street", "due_at": "soon", "reason": "x"}, 400},
			{"unknown ref", "/api/appeals/SQ2611209999", map[string]any{"kind": "major", "reason": "x"}, 404},
			{"malformed ref", "/api/appeals/xyz", map[string]any{"kind": "major", "reason": "x"}, 400},
			{"unknown field", path, map[string]any{"status": "closed", "reason": "x"}, 400},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, db)
				code, body := e.call("PATCH", tc.path, "right", tc.body)
				if code != tc.want || !strings.Contains(string(body), `"message"`) {
					t.Fatalf("= %d %s; want %d with a message", code, body, tc.want)
				}
				if snapshot(t, db) != before {
					t.Fatal("a refused PATCH changed the database")
				}
			})
		}
		out := e.mustCall("PATCH", path, map[string]any{"kind": "major", "level": "street", "assignee": "o-liaison",
			"due_at": "2026-12-07T18:00:00+08:00", "reason": "属于社保，转街道"}, 200)
		ap := out["appeal"].(map[string]any)
		evs := out["events"].([]any)
		if ap["kind"] != "major" || ap["level"] != "street" || ap["assignee"] != l.Ref() || ap["status"] != "assigned" ||
			ap["due_at"] != "2026-12-07T18:00:00+08:00" || len(evs) != 4 {
			t.Fatalf("after PATCH: %v, %d events", ap, len(evs))
		}
		for i, want := range []string{"reclassify", "assign", "set_deadline"} {
			ev := evs[i+1].(map[string]any)
			if ev["what"] != want || ev["who"] != "admin" || !strings.Contains(ev["why"].(string), "属于社保") {
				t.Fatalf("event %d = %v; want %s by admin with the reason", i+1, ev, want)
			}
		}
		// A second PATCH with a staff id reassigns.
		c := e.bindVia(map[string]any{"role": "committee", "name": "王委员"}, "o-committee")
		out = e.mustCall("PATCH", path, map[string]any{"assignee": itoa(c.ID), "reason": "先由社区跟进"}, 200)
		if evs := out["events"].([]any); evs[len(evs)-1].(map[string]any)["what"] != "reassign" {
			t.Fatalf("last event = %v; want reassign", evs[len(evs)-1])
		}
	})
}

// scriptedList builds the list the stats and Open311 tests read (see TestStats for the expected figures).
func scriptedList(e *env) map[string]*models.Appeal {
	ctx := context.Background()
	e.mustCall("POST", "/api/departments", map[string]any{"name": "街道社会保障服务所"}, http.StatusCreated)
	w := e.bindVia(map[string]any{"role": "grid_worker", "grid": "g1", "name": "张网格"}, "o-worker")
	l := e.bindVia(map[string]any{"role": "liaison", "department": "街道社会保障服务所", "name": "李联络"}, "o-liaison")
	sys := models.Actor{Kind: models.ActorSystem}
	res := models.Actor{Kind: models.ActorResident, OpenID: "o-resident-secret"}
	ws, ls := models.Actor{Kind: models.ActorStaff, Staff: w}, models.Actor{Kind: models.ActorStaff, Staff: l}
	h := time.Hour
	due := func(d time.Duration) *time.Time { t := dayT.Add(d).UTC(); return &t }
	A := e.newAppeal(&models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g1",
		TopicID: "corridor-light", Topic: "楼道灯", Unit: "社区居委会", DueAt: due(72 * h)}, dayT)
	B := e.newAppeal(&models.Appeal{Kind: models.KindMajor, Level: models.LevelStreet, Status: models.StatusSubmitted,
		TopicID: "social-security", Topic: "社保咨询", Unit: "街道社会保障服务所", DueAt: due(7 * 24 * h)}, dayT.Add(time.Minute))
	C := e.newAppeal(&models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g2",
		TopicID: "parking-order", Topic: "停车秩序"}, dayT.Add(2*time.Minute))
	D := e.newAppeal(&models.Appeal{Kind: models.KindPrivate, Level: models.LevelSelf, Status: models.StatusSubmitted, Topic: "家电维修"}, dayT.Add(3*time.Minute))
	E := e.newAppeal(&models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g1", Topic: "绿化"}, dayT.Add(4*time.Minute))
	for _, a := range []*models.Appeal{A, B} {
		to, err := e.db.RouteAppeal(ctx, a)
		if err != nil {
			e.t.Fatal(err)
		}
		e.step(a.Ref, models.Step{Action: models.ActAssign, Assignee: to}, sys, "", dayT.Add(5*time.Minute))
	}
	e.step(A.Ref, models.Step{Action: models.ActAccept}, ws, "", dayT.Add(2*h))
	e.step(A.Ref, models.Step{Action: models.ActResolve}, ws, "换了灯泡", dayT.Add(24*h))
	e.step(A.Ref, models.Step{Action: models.ActRateSatisfied}, res, "", dayT.Add(25*h))
	e.step(B.Ref, models.Step{Action: models.ActAccept}, ls, "", dayT.Add(30*h))
	e.step(B.Ref, models.Step{Action: models.ActResolve}, ls, "已答复", dayT.Add(8*24*h))
	e.step(B.Ref, models.Step{Action: models.ActRateUnsatisfied}, res, "没说清楚", dayT.Add(8*24*h+h))
	e.step(B.Ref, models.Step{Action: models.ActResolve}, ls, "再次答复", dayT.Add(9*24*h))
	e.step(B.Ref, models.Step{Action: models.ActCloseUnrated}, sys, "7天未评价", dayT.Add(9*24*h+2*h))
	e.mustCall("PATCH", "/api/appeals/"+C.Ref, map[string]any{"kind": "major", "level": "street", "assignee": "o-liaison", "reason": "市政道路"}, 200)
	e.step(C.Ref, models.Step{Action: models.ActEscalate}, models.Actor{Kind: models.ActorAdmin}, "街道无法解决", dayT.Add(3*24*h))
	e.step(D.Ref, models.Step{Action: models.ActGuide}, sys, "", dayT.Add(3*time.Minute))
	e.step(E.Ref, models.Step{Action: models.ActWithdraw}, res, "已自行解决", dayT.Add(h))
	return map[string]*models.Appeal{"A": A, "B": B, "C": C, "D": D, "E": E}
}

func TestStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		scriptedList(e)
		code, body := e.call("GET", "/api/stats?from=2026-11-01&to=2026-12-01", "right", nil)
		if code != 200 {
			t.Fatalf("stats = %d %s", code, body)
		}
		var s handlers.StatsJSON
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatal(err)
		}
		check := func(name string, got, want any) {
			t.Helper()
			if mustJSON(got) != mustJSON(want) {
				t.Errorf("%s = %s, want %s", name, mustJSON(got), mustJSON(want))
			}
		}
		check("total", s.Total, 5)
		check("by_kind", s.ByKind, map[string]int{"small": 2, "major": 2, "private": 1})
		check("by_level", s.ByLevel, map[string]int{"community": 2, "street": 1, "district": 1, "self": 1})
		check("by_status", s.ByStatus, map[string]int{"closed": 2, "escalated": 1, "guided": 1, "withdrawn": 1})
		check("by_grid", s.ByGrid, map[string]int{"g1": 2, "g2": 1, "none": 2})
		// C, made major, is handled where major matters are (its parking
		// topic names no government unit): 街道办事处.
		check("by_department", s.ByDepartment, map[string]int{"社区居委会": 1, "街道社会保障服务所": 1, "街道办事处": 1, "none": 2})
		check("on_time", []int{s.OnTime.Num, s.OnTime.Den}, []int{1, 2})
		check("response", []int{s.Response.Num, s.Response.Den}, []int{1, 3})
		check("resolution", []int{s.Resolution.Num, s.Resolution.Den}, []int{2, 4})
		check("satisfaction", []int{s.Satisfaction.Num, s.Satisfaction.Den}, []int{1, 2})
		check("satisfaction rate", *s.Satisfaction.Rate, 0.5)
		check("unrated", s.Unrated, 1)
		check("split", s.Split, json.RawMessage(`{"community":{"total":2,"resolved":1},"district":{"total":1,"resolved":0},`+
			`"street":{"total":1,"resolved":1,"resolved_on_time":0}}`))

		// A range before everything: zeros, and rates are null rather than 0%.
		code, body = e.call("GET", "/api/stats?from=2026-10-01&to=2026-10-31", "right", nil)
		if code != 200 || !strings.Contains(string(body), `"satisfaction_rate":{"num":0,"den":0,"rate":null}`) {
			t.Fatalf("empty range = %d %s", code, body)
		}
		for _, q := range []string{"from=yesterday", "to=2026-13-01", "from=2026-12-01&to=2026-11-01", "community=nope"} {
			if code, body := e.call("GET", "/api/stats?"+q, "right", nil); code/100 != 4 {
				t.Errorf("stats?%s = %d %s; want 4xx", q, code, body)
			}
		}
	})
}

// schemas compiles the Open311 JSON schemas in testdata.
func schemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	files, _ := filepath.Glob("testdata/open311/*.json")
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(fh)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource("file:///open311/"+filepath.Base(f), doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, n := range []string{"services", "service-definition", "requests"} {
		s, err := c.Compile("file:///open311/" + n + ".json")
		if err != nil {
			t.Fatalf("compile %s: %v", n, err)
		}
		out[n] = s
	}
	return out
}

func validate(t *testing.T, s *jsonschema.Schema, body []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not JSON: %v: %s", err, body)
	}
	if err := s.Validate(doc); err != nil {
		t.Fatalf("schema: %v\n%s", err, body)
	}
}

// private strings of the scripted list that Open311 must never show.
var personal = []string{"o-resident-secret", "13800138000", "1708", "王阿姨", "2单元", "o-liaison", "o-worker"}

func TestOpen311(t *testing.T) {
	sc := schemas(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ap := scriptedList(e)
		get := func(t *testing.T, path string, want int) []byte {
			t.Helper()
			code, body := e.call("GET", path, "none", nil)
			if code != want {
				t.Fatalf("GET %s = %d %s; want %d", path, code, body, want)
			}
			for _, p := range personal {
				if strings.Contains(string(body), p) {
					t.Fatalf("GET %s leaks %q", path, p)
				}
			}
			return body
		}
		refs := func(t *testing.T, body []byte) []string {
			var list []map[string]any
			if err := json.Unmarshal(body, &list); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range list {
				out = append(out, r["service_request_id"].(string)+":"+r["status"].(string))
			}
			return out
		}
		t.Run("discovery", func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal(get(t, "/open311/v2/discovery.json", 200), &d); err != nil || d["endpoints"] == nil {
				t.Fatalf("discovery = %v, %v", d, err)
			}
			var x struct {
				Endpoints []struct {
					URL     string   `xml:"url"`
					Formats []string `xml:"formats>format"`
				} `xml:"endpoints>endpoint"`
			}
			if err := xml.Unmarshal(get(t, "/open311/v2/discovery.xml", 200), &x); err != nil || len(x.Endpoints) != 1 || len(x.Endpoints[0].Formats) != 2 {
				t.Fatalf("discovery.xml = %+v, %v", x, err)
			}
		})
		t.Run("services", func(t *testing.T) {
			body := get(t, "/open311/v2/services.json", 200)
			validate(t, sc["services"], body)
			var list []map[string]any
			_ = json.Unmarshal(body, &list)
			found := false
			for _, s := range list {
				if s["group"] == "private" {
					t.Fatalf("private service published: %v", s)
				}
				found = found || (s["service_code"] == "corridor-light" && s["group"] == "small" && s["type"] == "realtime")
			}
			if !found || len(list) < 20 {
				t.Fatalf("services: %d, corridor-light found %v", len(list), found)
			}
			var x struct {
				Services []struct {
					Code     string `xml:"service_code"`
					Metadata bool   `xml:"metadata"`
				} `xml:"service"`
			}
			if err := xml.Unmarshal(get(t, "/open311/v2/services.xml", 200), &x); err != nil || len(x.Services) != len(list) {
				t.Fatalf("services.xml: %d services, %v", len(x.Services), err)
			}
			validate(t, sc["service-definition"], get(t, "/open311/v2/services/corridor-light.json", 200))
			var def struct {
				Code string `xml:"service_code"`
			}
			if err := xml.Unmarshal(get(t, "/open311/v2/services/corridor-light.xml", 200), &def); err != nil || def.Code != "corridor-light" {
				t.Fatalf("service definition xml: %+v %v", def, err)
			}
			body = get(t, "/open311/v2/services/nope.json", 404)
			if !strings.HasPrefix(string(body), `[{"code":404,"description":`) {
				t.Fatalf("404 body = %s", body)
			}
			var xe struct {
				Errors []struct {
					Code int `xml:"code"`
				} `xml:"error"`
			}
			if err := xml.Unmarshal(get(t, "/open311/v2/services/nope.xml", 404), &xe); err != nil || len(xe.Errors) != 1 || xe.Errors[0].Code != 404 {
				t.Fatalf("xml error = %+v %v", xe, err)
			}
		})
		t.Run("requests", func(t *testing.T) {
			A, B, C, D, E := ap["A"].Ref, ap["B"].Ref, ap["C"].Ref, ap["D"].Ref, ap["E"].Ref
			cases := []struct {
				query string
				want  []string
			}{
				{"", []string{E + ":closed", C + ":open", B + ":closed", A + ":closed"}},
				{"?status=open", []string{C + ":open"}},
				{"?status=closed", []string{E + ":closed", B + ":closed", A + ":closed"}},
				{"?service_code=corridor-light", []string{A + ":closed"}},
				{"?service_request_id=" + A + "," + D, []string{A + ":closed"}},
				{"?start_date=2026-11-20T09:01:30%2B08:00&end_date=2026-11-20T09:03:30%2B08:00", []string{C + ":open"}},
				{"?start_date=2026-12-01T00:00:00Z&end_date=2026-12-05T00:00:00Z", []string{}},
				{"?end_date=2026-11-01T00:00:00Z", []string{}},
			}
			for _, tc := range cases {
				body := get(t, "/open311/v2/requests.json"+tc.query, 200)
				validate(t, sc["requests"], body)
				if got := refs(t, body); mustJSON(got) != mustJSON(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
					t.Errorf("requests%s = %v, want %v", tc.query, got, tc.want)
				}
			}
			body := get(t, "/open311/v2/requests/"+B+".json", 200)
			validate(t, sc["requests"], body)
			var one []map[string]any
			_ = json.Unmarshal(body, &one)
			if one[0]["agency_responsible"] != "街道社会保障服务所" || one[0]["expected_datetime"] != "2026-11-27T09:00:00+08:00" ||
				!strings.HasSuffix(one[0]["requested_datetime"].(string), "+08:00") || one[0]["description"] != nil {
				t.Fatalf("request = %v", one[0])
			}
			var x struct {
				Requests []struct {
					ID     string `xml:"service_request_id"`
					Status string `xml:"status"`
				} `xml:"request"`
			}
			if err := xml.Unmarshal(get(t, "/open311/v2/requests.xml?status=open", 200), &x); err != nil || len(x.Requests) != 1 || x.Requests[0].ID != C {
				t.Fatalf("requests.xml = %+v %v", x, err)
			}
			get(t, "/open311/v2/requests/"+D+".json", 404) // private: never published
			get(t, "/open311/v2/requests/SQ2611209999.xml", 404)
			for _, q := range []string{"?status=pending", "?start_date=yesterday", "?end_date=2026-11-01", "?service_request_id=abc",
				"?start_date=2026-12-01T00:00:00Z&end_date=2026-11-01T00:00:00Z"} {
				body := get(t, "/open311/v2/requests.json"+q, 400)
				if !strings.HasPrefix(string(body), `[{"code":400`) {
					t.Errorf("requests%s error body = %s", q, body)
				}
			}
			code, body := e.call("POST", "/open311/v2/requests.json", "none", "service_code=corridor-light")
			if code != http.StatusNotImplemented || !strings.HasPrefix(string(body), `[{"code":501`) {
				t.Fatalf("POST requests = %d %s", code, body)
			}
		})
	})
}

// TestPatchReasonRule: PATCH takes the one reason rule of every surface: a
// reason beyond 200 characters is refused and changes nothing; 200 is kept whole.
func TestPatchReasonRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a := e.newAppeal(&models.Appeal{Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusSubmitted, GridID: "g2", Topic: "停车"}, dayT)
		path := "/api/appeals/" + a.Ref
		before := snapshot(t, db)
		code, body := e.call("PATCH", path, "right", map[string]any{"due_at": "2026-12-01T18:00:00+08:00", "reason": strings.Repeat("理", 201)})
		if code != http.StatusBadRequest || !strings.Contains(string(body), "200") {
			t.Fatalf("PATCH with 201 characters = %d %s; want 400 naming the limit", code, body)
		}
		if snapshot(t, db) != before {
			t.Fatal("a refused PATCH changed the database")
		}
		whole := strings.Repeat("理", 200)
		out := e.mustCall("PATCH", path, map[string]any{"due_at": "2026-12-01T18:00:00+08:00", "reason": whole}, http.StatusOK)
		evs := out["events"].([]any)
		if why := evs[len(evs)-1].(map[string]any)["why"].(string); !strings.HasSuffix(why, "; "+whole) {
			t.Fatalf("last event's reason %q; want the whole 200 characters after the change", why)
		}
	})
}
