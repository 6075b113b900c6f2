package jobs

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/bot/wx/wxfake"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

const (
	testAppID  = "wx1234567890abcdef"
	testSecret = "0123456789abcdef0123456789abcdef"
)

// fake starts the fake WeChat platform over HTTP and points the SDK at it.
// The SDK's client is process-wide: tests using it never run in parallel.
func fake(t testing.TB) (*wxfake.Platform, *wx.Sender) {
	t.Helper()
	p := wxfake.New(testAppID, testSecret)
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	wx.SetHTTPClient(&http.Client{Timeout: 5 * time.Second, Transport: wxfake.RewriteTransport(base, nil)})
	acct := wx.NewAccount(wx.AccountConfig{AppID: testAppID, AppSecret: testSecret, Token: "t", CommunityID: "c1"}, wx.NewMemoryCache())
	return p, &wx.Sender{Accounts: wx.NewAccounts(acct)}
}

func fastSettings() DispatchSettings {
	return DispatchSettings{Rate: 2000, RetryBase: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond,
		Poll: 10 * time.Millisecond, Templates: map[string]string{"*": "TPL-DEFAULT", models.PushDeadlineReminder: "TPL-REMIND"}}
}

// drain runs d until no push is pending or sending, or fails after limit.
func drain(t testing.TB, db *store.DB, d *Dispatcher, limit time.Duration) map[models.OutboxStatus]int {
	t.Helper()
	d.Start(context.Background())
	defer d.Stop()
	deadline := time.Now().Add(limit)
	for {
		c, err := db.OutboxCounts(context.Background())
		if err == nil && c[models.OutboxPending]+c[models.OutboxSending] == 0 {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox not drained after %v: %v (%v)", limit, c, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func outboxMsgs(n int, prefix, typ string) []*models.OutboxMessage {
	out := make([]*models.OutboxMessage, n)
	for i := range out {
		out[i] = &models.OutboxMessage{CommunityID: "c1", OpenID: fmt.Sprintf("oUser%05d", i), Type: typ,
			Text: fmt.Sprintf("消息 %d", i), Key: fmt.Sprintf("%s:%d", prefix, i)}
	}
	return out
}

func perKey(p *wxfake.Platform) map[string]int {
	m := map[string]int{}
	for _, push := range p.Pushes() {
		if push.Kind == "template" {
			m[push.ClientMsgID]++
		} else {
			m["custom:"+push.ToUser+":"+push.Text]++
		}
	}
	return m
}

func openWindow(t testing.TB, db *store.DB, openID string, at time.Time) {
	t.Helper()
	if err := db.CommitTurn(context.Background(), &models.Turn{CommunityID: "c1", OpenID: openID, At: at,
		Resident: &models.Resident{LastMessageAt: &at}}); err != nil {
		t.Fatal(err)
	}
}

func TestDispatcherTemplateRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p, sender := fake(t)
		ctx := context.Background()
		long := "一二三四五六七八九十一二三四五六七八九十超出的部分"
		m := &models.OutboxMessage{CommunityID: "c1", OpenID: "oUser1", Type: models.PushDeadlineReminder, Text: "x",
			Key: "k1", Data: encodeData(map[string]string{"thing1": long, "phrase3": "已经上报了吗", "first": "旧式开头", "remark": "旧式备注"})}
		if _, err := db.Enqueue(ctx, m); err != nil {
			t.Fatal(err)
		}
		drain(t, db, NewDispatcher(db, sender, fastSettings(), nil, nil), 10*time.Second)
		got := p.Pushes()
		if len(got) != 1 {
			t.Fatalf("%d pushes, want 1", len(got))
		}
		g := got[0]
		tests := []struct{ name, got, want string }{
			{"kind", g.Kind, "template"},
			{"template id by type", g.TemplateID, "TPL-REMIND"},
			{"client_msg_id is the key", g.ClientMsgID, "k1"},
			{"thing cut to 20", g.Data["thing1"], "一二三四五六七八九十一二三四五六七八九…"},
			{"phrase cut to 5", g.Data["phrase3"], "已经上报…"},
			{"no first", g.Data["first"], ""},
			{"no remark", g.Data["remark"], ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.got != tt.want {
					t.Errorf("got %q, want %q", tt.got, tt.want)
				}
			})
		}
	})
}

func TestDispatcherChannels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p, sender := fake(t)
		ctx := context.Background()
		now := time.Now()
		openWindow(t, db, "oUser00000", now.Add(-time.Hour))
		openWindow(t, db, "oUser00001", now.Add(-49*time.Hour))
		// Seven pushes to a person inside the window: five by customer service, then templates.
		var msgs []*models.OutboxMessage
		for i := range 7 {
			msgs = append(msgs, &models.OutboxMessage{CommunityID: "c1", OpenID: "oUser00000", Type: models.PushReply,
				Text: fmt.Sprintf("回复 %d", i), Key: fmt.Sprintf("w:%d", i)})
		}
		msgs = append(msgs, &models.OutboxMessage{CommunityID: "c1", OpenID: "oUser00001", Type: models.PushReply, Text: "窗口已过", Key: "old"})
		if _, err := db.Enqueue(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
		set := fastSettings()
		set.Workers = 1 // in order, so that the count per window is exact
		drain(t, db, NewDispatcher(db, sender, set, nil, nil), 10*time.Second)
		kinds := map[string]map[string]int{}
		for _, push := range p.Pushes() {
			if kinds[push.ToUser] == nil {
				kinds[push.ToUser] = map[string]int{}
			}
			kinds[push.ToUser][push.Kind]++
		}
		if k := kinds["oUser00000"]; k["custom"] != 5 || k["template"] != 2 {
			t.Errorf("inside the window: %v, want 5 custom then 2 template", k)
		}
		if k := kinds["oUser00001"]; k["template"] != 1 || k["custom"] != 0 {
			t.Errorf("window closed: %v, want 1 template", k)
		}
	})
}

func TestDispatcherErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tests := []struct {
			name       string
			code       int
			window     bool
			wantStatus models.OutboxStatus
			wantKind   string // what finally arrived ("" none)
			wantErr    string
		}{
			{"unsubscribed is permanent", 43004, false, models.OutboxFailed, "", "43004"},
			{"bad openid is permanent", 40003, false, models.OutboxFailed, "", "40003"},
			{"outside the window falls back to a template", 45015, true, models.OutboxSent, "template", ""},
			{"quota waits for tomorrow", 45009, false, models.OutboxPending, "", "45009"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p, sender := fake(t)
				ctx := context.Background()
				openID := fmt.Sprintf("oErr%05d", i)
				if tt.window {
					openWindow(t, db, openID, time.Now().Add(-time.Hour))
				}
				m := &models.OutboxMessage{CommunityID: "c1", OpenID: openID, Type: models.PushReply, Text: "x", Key: "e:" + tt.name}
				if _, err := db.Enqueue(ctx, m); err != nil {
					t.Fatal(err)
				}
				p.Fail(wxfake.Fault{ErrRate: 1, ErrCode: tt.code})
				d := NewDispatcher(db, sender, fastSettings(), nil, nil)
				if _, err := d.DispatchOnce(ctx, 10); err != nil {
					t.Fatal(err)
				}
				p.Fail(wxfake.Fault{})
				if _, err := d.DispatchOnce(ctx, 10); err != nil { // the template fallback is due at once
					t.Fatal(err)
				}
				var row models.OutboxMessage
				db.Gorm().Where("idem_key = ?", m.Key).Take(&row)
				if row.Status != tt.wantStatus || row.LastError != tt.wantErr {
					t.Errorf("status=%s error=%q, want %s %q", row.Status, row.LastError, tt.wantStatus, tt.wantErr)
				}
				if tt.code == 45009 {
					loc := time.UTC
					next := time.Now().In(loc)
					want := time.Date(next.Year(), next.Month(), next.Day()+1, 0, 5, 0, 0, loc)
					if !row.NextAttemptAt.Equal(want) {
						t.Errorf("next attempt %v, want %v", row.NextAttemptAt, want)
					}
				}
				pushes := p.Pushes()
				if tt.wantKind == "" && len(pushes) != 0 || tt.wantKind != "" && (len(pushes) != 1 || pushes[0].Kind != tt.wantKind) {
					t.Errorf("pushes = %+v, want one %q", pushes, tt.wantKind)
				}
			})
		}
		failed, err := db.FailedPushes(context.Background(), "c1", time.Now().Add(-time.Hour))
		if err != nil || len(failed) != 2 {
			t.Errorf("FailedPushes = %d, %v; want the two permanent failures", len(failed), err)
		}
	})
}

// TestDispatcherSurvivesFlakyPlatform is the fault "the platform answers -1
// to 30% of sends": every push arrives, none twice.
func TestDispatcherSurvivesFlakyPlatform(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p, sender := fake(t)
		ctx := context.Background()
		const n = 600
		msgs := outboxMsgs(n, "flaky", models.PushProgress)
		for i := range 100 { // a sixth of them inside the window: customer service
			openWindow(t, db, msgs[i].OpenID, time.Now().Add(-time.Hour))
		}
		if _, err := db.Enqueue(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
		p.Fail(wxfake.Fault{ErrRate: 0.3, ErrCode: -1, Seed: 7})
		// Two dispatchers, as two replicas would run.
		d1 := NewDispatcher(db, sender, fastSettings(), nil, nil)
		d2 := NewDispatcher(db, sender, fastSettings(), nil, nil)
		d2.Start(ctx)
		counts := drain(t, db, d1, 50*time.Second)
		d2.Stop()
		if counts[models.OutboxSent] != n {
			t.Errorf("outbox %v, want all %d sent", counts, n)
		}
		keys := perKey(p)
		if len(keys) != n {
			t.Errorf("%d distinct pushes arrived, want %d", len(keys), n)
		}
		for k, c := range keys {
			if c != 1 {
				t.Errorf("%s arrived %d times", k, c)
			}
		}
		var retried int64
		db.Gorm().Model(&models.OutboxMessage{}).Where("attempts > 1").Count(&retried)
		t.Logf("%d pushes, %d needed more than one attempt", n, retried)
		if retried == 0 {
			t.Error("no push was retried: the fault was not injected")
		}
	})
}

func TestDispatcherRefreshesExpiredToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p, sender := fake(t)
		ctx := context.Background()
		if _, err := db.Enqueue(ctx, outboxMsgs(20, "tok", models.PushProgress)...); err != nil {
			t.Fatal(err)
		}
		d := NewDispatcher(db, sender, fastSettings(), nil, nil)
		if _, err := d.DispatchOnce(ctx, 10); err != nil {
			t.Fatal(err)
		}
		issued := p.TokenIssued()
		p.ExpireTokens() // the cached token now answers 40001
		drain(t, db, d, 10*time.Second)
		if got := len(perKey(p)); got != 20 {
			t.Errorf("%d pushes arrived, want 20", got)
		}
		if p.TokenIssued() != issued+1 {
			t.Errorf("tokens issued %d → %d, want one refresh", issued, p.TokenIssued())
		}
		var retried int64
		db.Gorm().Model(&models.OutboxMessage{}).Where("attempts > 1").Count(&retried)
		if retried != 0 {
			t.Errorf("%d pushes needed a second attempt; bot/wx should refresh within the call", retried)
		}
	})
}

// TestUncertainCustomNeverResent plays a crash between a customer-service
// call and its record: the row is left "sending" with an expired lease.
func TestUncertainCustomNeverResent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p, sender := fake(t)
		ctx := context.Background()
		now := time.Now()
		openWindow(t, db, "oUser00000", now.Add(-time.Hour))
		msgs := outboxMsgs(2, "crash", models.PushProgress)
		if _, err := db.Enqueue(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
		now = time.Now()
		rows, _ := db.ClaimOutbox(ctx, "dead", now, time.Second, 10)
		if len(rows) != 2 {
			t.Fatalf("claimed %d rows, want 2", len(rows))
		}
		for _, r := range rows {
			ch := models.ChannelTemplate
			if r.OpenID == "oUser00000" {
				ch = models.ChannelCustom
			}
			if ok, err := db.MarkSending(ctx, r.ID, "dead", ch, now, time.Second); !ok || err != nil {
				t.Fatal(ok, err)
			}
		}
		d := NewDispatcher(db, sender, fastSettings(), nil, func() time.Time { return time.Now().Add(2 * time.Second) })
		if _, err := d.DispatchOnce(ctx, 10); err != nil {
			t.Fatal(err)
		}
		got := p.Pushes()
		if len(got) != 1 || got[0].Kind != "template" || got[0].ClientMsgID != "crash:1" {
			t.Errorf("pushes after the crash = %+v; want only the template resent", got)
		}
		failed, _ := db.FailedPushes(ctx, "c1", now.Add(-time.Hour))
		if len(failed) != 1 || failed[0].Error != models.PushUncertain || failed[0].OpenID != "oUser00000" {
			t.Errorf("FailedPushes = %+v; want the customer-service push as uncertain", failed)
		}
	})
}

func TestOutboxPusher(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		woken := 0
		var mu sync.Mutex
		p := &OutboxPusher{Outbox: db, Notify: func() { mu.Lock(); woken++; mu.Unlock() }}
		for range 2 {
			if err := p.PushText(context.Background(), "c1", "oUser1", "稍后回复"); err != nil {
				t.Fatal(err)
			}
		}
		c, _ := db.OutboxCounts(context.Background())
		if c[models.OutboxPending] != 2 || woken != 2 {
			t.Errorf("pending=%d woken=%d, want 2 and 2", c[models.OutboxPending], woken)
		}
	})
}

var _ = messages.ZhCNPush
