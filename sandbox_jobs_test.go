package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
)

// TestSandboxReminderAndEscalation is the jobs' acceptance: in sandbox
// mode, with the job schedules and lead times shortened through the
// settings, a deadline reminder reaches the handler and the escalation
// reaches the resident, both through the outbox and the fake platform, and
// the resident sees it on the simulator's push list.
func TestSandboxReminderAndEscalation(t *testing.T) {
	environ := []string{
		"GONGZHI_DB_DSN=" + filepath.Join(t.TempDir(), "gongzhi.db"),
		"GONGZHI_JOB_DEADLINE_REMINDER_SCHEDULE=@every 1s",
		"GONGZHI_JOB_OVERDUE_ESCALATION_SCHEDULE=@every 1s",
		"GONGZHI_DEADLINE_REMINDERS=1m",
		"GONGZHI_PUSH_RATE=50",
	}
	cfg, err := config.Load("", environ)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	app, err := NewApp(ctx, cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	srv := httptest.NewServer(app.Router)
	defer srv.Close()

	const resident, worker = "oSandboxResident01", "oSandboxWorker0001"
	due := time.Now().Add(4 * time.Second).UTC()
	a := &models.Appeal{CommunityID: "sample", OpenID: resident, Kind: models.KindSmall, Level: models.LevelCommunity,
		Status: models.StatusAssigned, Topic: "3栋楼道灯不亮", Assignee: worker, DueAt: &due}
	// The resident has just chatted (48-hour window open); the worker has not.
	now := time.Now().UTC()
	if err := app.Store.CommitTurn(ctx, &models.Turn{CommunityID: "sample", OpenID: resident, At: now,
		Resident:   &models.Resident{Building: "3", LastMessageAt: &now, Subscribed: true},
		NewAppeals: []*models.NewAppeal{{Appeal: a}}}); err != nil {
		t.Fatal(err)
	}

	var reminder, escalation string
	deadline := time.Now().Add(20 * time.Second)
	for (reminder == "" || escalation == "") && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		for _, p := range app.Platform.Pushes() {
			switch {
			case p.ToUser == worker && p.Kind == "template" && strings.HasPrefix(p.ClientMsgID, "remind:"):
				reminder = p.Text // template keywords: the worker has no open window
			case p.ToUser == resident && p.Kind == "custom" && strings.Contains(p.Text, "上报"):
				escalation = p.Text // customer-service text inside the window
			}
		}
	}
	if reminder == "" || escalation == "" {
		t.Fatalf("reminder %q, escalation %q; pushes: %+v", reminder, escalation, app.Platform.Pushes())
	}
	if !strings.Contains(reminder, a.Ref) || !strings.Contains(escalation, a.Ref) {
		t.Errorf("pushes do not name the appeal %s: %q / %q", a.Ref, reminder, escalation)
	}
	got, err := app.Store.AppealByRef(ctx, a.CommunityID, a.Ref)
	if err != nil || got.Level != models.LevelStreet || got.Status != models.StatusEscalated {
		t.Fatalf("appeal after escalation: %+v, %v", got, err)
	}

	// What the simulator page shows the resident.
	resp, err := http.Get(srv.URL + "/sim/pushes?openid=" + resident)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/sim/pushes: %d, %v", resp.StatusCode, err)
	}
	if !strings.Contains(string(body), a.Ref) {
		t.Errorf("/sim/pushes for the resident does not show the escalation: %s", body)
	}
	// The worker's reminder went as a template: the page shows it as a
	// phone does, with the fields' names, not the raw keys.
	wresp, err := http.Get(srv.URL + "/sim/pushes?openid=" + worker)
	if err != nil {
		t.Fatal(err)
	}
	defer wresp.Body.Close()
	var wp struct {
		Pushes []handlers.SimPush `json:"pushes"`
	}
	if err := json.NewDecoder(wresp.Body).Decode(&wp); err != nil {
		t.Fatal(err)
	}
	shown := false
	for _, p := range wp.Pushes {
		if p.Kind != "template" {
			continue
		}
		shown = true
		if !strings.HasPrefix(p.Text, "【模板消息】") || !strings.Contains(p.Text, "编号："+a.Ref) || strings.Contains(p.Text, "character_string") {
			t.Errorf("a template push in the simulator reads %q; want 【模板消息】 with named fields", p.Text)
		}
	}
	if !shown {
		t.Errorf("/sim/pushes for the worker shows no template: %+v", wp.Pushes)
	}
	fmt.Fprintf(testWriter{t}, "reminder to the handler: %s\nescalation to the resident: %s\n", reminder, escalation)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
