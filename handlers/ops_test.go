package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/wx/wxfake"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestHealthAndReadiness: /healthz answers while the process runs, /readyz
// only while the database does.
func TestHealthAndReadiness(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{})
			if status, _ := h.get("/healthz", ""); status != http.StatusOK {
				t.Errorf("/healthz = %d", status)
			}
			if status, _ := h.get("/readyz", ""); status != http.StatusOK {
				t.Errorf("/readyz = %d with the database up", status)
			}
			if err := h.DB.Close(); err != nil {
				t.Fatal(err)
			}
			if status, _ := h.get("/readyz", ""); status != http.StatusServiceUnavailable {
				t.Errorf("/readyz = %d with the database closed, want 503", status)
			}
			if status, _ := h.get("/healthz", ""); status != http.StatusOK {
				t.Errorf("/healthz = %d with the database closed, want 200", status)
			}
		})
	}
}

// TestMetrics checks the service's series after a known mix of
// requests.
func TestMetrics(t *testing.T) {
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{AdminToken: "metrics-admin-token"})
	// Safe mode: the default account has an AES key, so it is served at /wechat.
	r := h.safe(textMsg("oMetricsSender0000000001", "小区门口的路灯不亮", 9001))
	for range 2 { // a message and its retry
		if status, _ := h.do(r); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
	}
	bad := h.safe(textMsg("oMetricsSender0000000001", "签名错了", 9002))
	bad.Query.Set("signature", "0000000000000000000000000000000000000000")
	if status, _ := h.do(bad); status != http.StatusForbidden {
		t.Fatalf("bad signature: status %d", status)
	}
	if status, _ := h.do(h.safe(uniquify(fixture(t, "event_subscribe.xml"), 1))); status != http.StatusOK {
		t.Fatalf("subscribe: status %d", status)
	}
	h.get("/api/appeals/SQ2611260007", "metrics-admin-token")
	h.get("/no/such/path", "")

	for _, c := range []struct{ name, labels string }{
		{"gongzhi_http_requests_total", `method="POST",route="/wechat",status="200"`},
		{"gongzhi_http_requests_total", `method="POST",route="/wechat",status="403"`},
		{"gongzhi_http_requests_total", `method="GET",route="/api/appeals/:ref",status="404"`},
		{"gongzhi_http_requests_total", `method="GET",route="unmatched",status="404"`},
		{"gongzhi_webhook_duration_seconds_count", ""},
		{"gongzhi_webhook_duration_seconds_bucket", `le="+Inf"`},
		{"gongzhi_messages_total", `type="text"`},
		{"gongzhi_messages_total", `type="event_subscribe"`},
		{"gongzhi_dedupe_hits_total", ""},
		{"gongzhi_webhook_refused_total", `reason="bad_signature"`},
	} {
		want := map[string]float64{
			`gongzhi_http_requests_total{method="POST",route="/wechat",status="200"}`:          3,
			`gongzhi_http_requests_total{method="POST",route="/wechat",status="403"}`:          1,
			`gongzhi_http_requests_total{method="GET",route="/api/appeals/:ref",status="404"}`: 1,
			`gongzhi_http_requests_total{method="GET",route="unmatched",status="404"}`:         1,
			`gongzhi_webhook_duration_seconds_count{}`:                                         4,
			`gongzhi_webhook_duration_seconds_bucket{le="+Inf"}`:                               4,
			`gongzhi_messages_total{type="text"}`:                                              2, // received: the retry too
			`gongzhi_messages_total{type="event_subscribe"}`:                                   1,
			`gongzhi_dedupe_hits_total{}`:                                                      1,
			`gongzhi_webhook_refused_total{reason="bad_signature"}`:                            1,
		}[c.name+"{"+c.labels+"}"]
		if got := h.metric(0, c.name, c.labels); got != want {
			t.Errorf("%s{%s} = %v, want %v", c.name, c.labels, got, want)
		}
	}
	_, body := h.get("/metrics", "")
	if strings.Contains(body, "SQ2611260007") {
		t.Error("a raw path (with a reference code) became a label value")
	}
}

// seedAppeal stores one appeal through the store's own commit.
func seedAppeal(t *testing.T, h *harness, due time.Time) *models.Appeal {
	t.Helper()
	a := &models.Appeal{CommunityID: testCommunity, OpenID: "oAppealAuthor00000000001", Kind: models.KindSmall,
		Level: models.LevelCommunity, Status: models.StatusAssigned, Topic: "楼道照明", Description: "3号楼2单元楼道灯坏了",
		GridID: "g1", Assignee: "staff-7", DueAt: &due}
	turn := &models.Turn{CommunityID: testCommunity, OpenID: a.OpenID, At: h.Clock.Now(),
		NewAppeals: []*models.NewAppeal{{Appeal: a, Events: []*models.AppealEvent{{Actor: "resident", Action: "submit", ToStatus: models.StatusSubmitted}}}}}
	if err := h.DB.CommitTurn(context.Background(), turn); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestAdminAPI checks authentication, the contract's JSON shape, filter
// validation and unknown references.
func TestAdminAPI(t *testing.T) {
	const token = "s3cret-admin-token-for-tests"
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			t.Run("no token configured refuses every call", func(t *testing.T) {
				h := newHarness(t, driver, harnessOpts{})
				seedAppeal(t, h, h.Clock.Now().Add(72*time.Hour))
				for _, path := range []string{"/api/appeals", "/api/appeals?kind=small", "/api/appeals/SQ2611260007"} {
					for _, tok := range []string{"", "anything", " "} {
						if status, body := h.get(path, tok); status != http.StatusUnauthorized || strings.Contains(body, "楼道") {
							t.Errorf("GET %s with token %q = %d %s, want 401 and no data", path, tok, status, body)
						}
					}
				}
			})

			h := newHarness(t, driver, harnessOpts{AdminToken: token})
			a := seedAppeal(t, h, h.Clock.Now().Add(72*time.Hour))
			t.Run("wrong or malformed token", func(t *testing.T) {
				for _, tok := range []string{"", "wrong", token + "x", strings.ToUpper(token)} {
					if status, _ := h.get("/api/appeals", tok); status != http.StatusUnauthorized {
						t.Errorf("token %q: status %d, want 401", tok, status)
					}
				}
				req, _ := http.NewRequest(http.MethodGet, h.Servers[0].URL+"/api/appeals", nil)
				req.Header.Set("Authorization", "Basic "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("Basic scheme: status %d, want 401", resp.StatusCode)
				}
			})
			t.Run("list has the contract's shape", func(t *testing.T) {
				status, body := h.get("/api/appeals?kind=small&level=community&status=assigned", token)
				if status != http.StatusOK {
					t.Fatalf("status %d: %s", status, body)
				}
				var out struct {
					Appeals []map[string]any `json:"appeals"`
				}
				if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Appeals) != 1 {
					t.Fatalf("body %s (%v), want one appeal", body, err)
				}
				got := out.Appeals[0]
				for _, k := range []string{"ref", "kind", "level", "status", "topic", "description", "grid", "assignee", "due_at", "created_at", "updated_at"} {
					if _, ok := got[k]; !ok {
						t.Errorf("appeal lacks %q: %v", k, got)
					}
				}
				if got["ref"] != a.Ref || got["kind"] != "small" || got["level"] != "community" || got["status"] != "assigned" ||
					got["grid"] != "g1" || got["assignee"] != "staff-7" || got["topic"] != "楼道照明" {
					t.Errorf("appeal = %v", got)
				}
				for _, k := range []string{"due_at", "created_at", "updated_at"} {
					s, _ := got[k].(string)
					if _, err := time.Parse(time.RFC3339, s); err != nil {
						t.Errorf("%s = %v: not RFC 3339 with a zone", k, got[k])
					}
				}
				if _, ok := got["open_id"]; ok {
					t.Error("the admin list exposes the author's openid")
				}
			})
			t.Run("filters that match nothing", func(t *testing.T) {
				status, body := h.get("/api/appeals?kind=major", token)
				if status != http.StatusOK || strings.TrimSpace(body) != `{"appeals":[]}` {
					t.Errorf("kind=major: %d %s, want an empty list", status, body)
				}
			})
			t.Run("bad filter values", func(t *testing.T) {
				for _, q := range []struct{ query, mention string }{
					{"kind=huge", "huge"}, {"level=galaxy", "galaxy"}, {"status=lost", "lost"},
					{"overdue=maybe", "overdue"}, {"limit=-1", "limit"}, {"limit=ten", "limit"}, {"offset=-5", "offset"},
				} {
					status, body := h.get("/api/appeals?"+q.query, token)
					var e struct {
						Error struct{ Code, Message string } `json:"error"`
					}
					_ = json.Unmarshal([]byte(body), &e)
					if status != http.StatusBadRequest || e.Error.Code != models.EINVALID || !strings.Contains(e.Error.Message, q.mention) {
						t.Errorf("%s: %d %s, want 400 with a message naming %q", q.query, status, body, q.mention)
					}
				}
			})
			t.Run("one appeal with its events", func(t *testing.T) {
				status, body := h.get("/api/appeals/"+a.Ref, token)
				var out struct {
					Appeal map[string]any      `json:"appeal"`
					Events []map[string]string `json:"events"`
				}
				if err := json.Unmarshal([]byte(body), &out); status != http.StatusOK || err != nil {
					t.Fatalf("%d %s (%v)", status, body, err)
				}
				if out.Appeal["ref"] != a.Ref || len(out.Events) != 1 || out.Events[0]["what"] != "submit" {
					t.Errorf("appeal %v events %v", out.Appeal, out.Events)
				}
			})
			t.Run("unknown and malformed references", func(t *testing.T) {
				if status, _ := h.get("/api/appeals/SQ0001010001", token); status != http.StatusNotFound {
					t.Errorf("unknown ref: %d, want 404", status)
				}
				if status, _ := h.get("/api/appeals/not-a-ref", token); status != http.StatusBadRequest {
					t.Errorf("malformed ref: %d, want 400", status)
				}
			})
		})
	}
}

// TestLogsHoldNoPersonalData drives the noisy paths (refusals, a failing
// database, a late reply whose push fails, WeChat's openid in the query)
// and checks every log line: JSON, a request id on request lines, and no
// openid or message text. (The harness checks the same for every test, and
// TestMain for the whole run.)
func TestLogsHoldNoPersonalData(t *testing.T) {
	const openID, text = "oPrivateResident00000001", "我家住5栋302电话13800138000"
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{ReplyBudget: 100 * time.Millisecond,
		WrapHandler: func(next handlers.MessageHandler) handlers.MessageHandler {
			return handlerFunc(func(ctx context.Context, in models.Inbound) (bot.Result, error) {
				if in.Content == text+"慢" {
					time.Sleep(300 * time.Millisecond)
				}
				return next.Handle(ctx, in)
			})
		}})
	h.remember(textMsg(openID, text, 1))
	withOpenID := func(r request) request { r.Query.Set("openid", openID); return r }

	h.do(withOpenID(h.safe(textMsg(openID, text, 101))))
	bad := withOpenID(h.plain(textMsg(openID, text, 102)))
	bad.Query.Set("signature", "0000000000000000000000000000000000000000")
	h.do(bad)
	h.do(withOpenID(h.plain("<xml><FromUserName><![CDATA[" + openID + "]]><Content>" + text)))
	h.Platform.Fail(wxfake.Fault{ErrRate: 1, ErrCode: 45015})
	h.do(withOpenID(h.safe(textMsg(openID, text+"慢", 103))))
	time.Sleep(500 * time.Millisecond) // the late push fails and is logged
	if err := h.DB.Close(); err != nil {
		t.Fatal(err)
	}
	r := withOpenID(h.plain(textMsg(openID, text, 104)))
	status, body := h.do(r)
	if got := h.decode(r, body); status != http.StatusOK || got.Content != messages.ZhCN.Failure {
		t.Errorf("with the database closed: %d %+v, want the failure apology", status, got)
	}

	logs := h.Logs.String()
	for _, want := range []string{"webhook request refused", "push late reply failed", "handle message failed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the logs lack %q: the noisy paths were not exercised\n%s", want, logs)
		}
	}
	var requestLines int
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %s", line)
			continue
		}
		if rec["msg"] == "http request" {
			requestLines++
			if id, _ := rec["request_id"].(string); id == "" {
				t.Errorf("request log without request_id: %s", line)
			}
		}
		for _, secret := range []string{openID, text, "13800138000"} {
			if strings.Contains(line, secret) {
				t.Errorf("log line holds personal data %q: %s", secret, line)
			}
		}
	}
	if requestLines < 5 {
		t.Errorf("%d access-log lines for 5 requests", requestLines)
	}
}
