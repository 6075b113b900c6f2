package main

// Fault tests of pushes and jobs: the real binary, a MariaDB database and the fake
// WeChat platform over HTTP. They need TEST_MYSQL_DSN (in CI they fail
// without it) and take 15–45 s each.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/wx/wxfake"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

const (
	faultAppID  = "wx1234567890abcdef"
	faultSecret = "0123456789abcdef0123456789abcdef"
)

// buildBinary compiles the service once per test into its temp folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gongzhi")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// service is one running gongzhi process.
type service struct {
	cmd *exec.Cmd
	log string
}

func startService(t *testing.T, bin string, env map[string]string, name string) *service {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &service{cmd: cmd, log: logPath}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		f.Close()
	})
	return s
}

func (s *service) kill9(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Wait()
}

func (s *service) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("service exited with %v; log:\n%s", err, tail(s.log))
		}
	case <-time.After(30 * time.Second):
		t.Errorf("service did not stop within 30 s")
		_ = s.cmd.Process.Kill()
	}
}

func (s *service) alive() bool {
	return s.cmd.ProcessState == nil && s.cmd.Process.Signal(syscall.Signal(0)) == nil
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// serviceEnv is the environment of a service on dsn that pushes to the fake.
func serviceEnv(dsn, apiBase string, extra map[string]string) map[string]string {
	env := map[string]string{
		"GONGZHI_HTTP_ADDR": "127.0.0.1:0", "GONGZHI_DB_DRIVER": "mysql", "GONGZHI_DB_DSN": dsn,
		"GONGZHI_WECHAT_APPID": faultAppID, "GONGZHI_WECHAT_APPSECRET": faultSecret, "GONGZHI_WECHAT_TOKEN": "faulttoken",
		"GONGZHI_WECHAT_API_BASE": apiBase, "GONGZHI_TEMPLATE_DEFAULT": "TPL-DEFAULT", "GONGZHI_LOG_LEVEL": "info",
	}
	for _, j := range []string{"DEADLINE_REMINDER", "OVERDUE_ESCALATION", "MEETING_REMINDER", "DAILY_DIGEST", "CONVERSATION_EXPIRY", "DEDUPE_CLEANUP"} {
		env["GONGZHI_JOB_"+j+"_SCHEDULE"] = "off"
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func migrated(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.MySQL, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// seedPushes queues nTemplate pushes to people outside the 48 h window and
// nCustom to people inside it (one each, so all go by customer service).
func seedPushes(t *testing.T, db *store.DB, nTemplate, nCustom int) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	var residents []*models.Resident
	for i := range nCustom {
		residents = append(residents, &models.Resident{CommunityID: "sample", OpenID: fmt.Sprintf("oCustom%06d", i), LastMessageAt: &now,
			CreatedAt: now, UpdatedAt: now})
	}
	if len(residents) > 0 {
		if err := db.Gorm().CreateInBatches(residents, 500).Error; err != nil {
			t.Fatal(err)
		}
	}
	// Interleaved, so that a kill at any moment finds both kinds in flight.
	var msgs []*models.OutboxMessage
	for i, c := 0, 0; i < nTemplate || c < nCustom; {
		if c < nCustom && (i >= nTemplate || (i+c)%(1+nTemplate/max(nCustom, 1)) == 0) {
			msgs = append(msgs, &models.OutboxMessage{CommunityID: "sample", OpenID: fmt.Sprintf("oCustom%06d", c), Type: models.PushProgress,
				Text: fmt.Sprintf("进度 c%d", c), Key: fmt.Sprintf("c:%d", c)})
			c++
			continue
		}
		msgs = append(msgs, &models.OutboxMessage{CommunityID: "sample", OpenID: fmt.Sprintf("oTpl%06d", i), Type: models.PushProgress,
			Text: fmt.Sprintf("进度 t%d", i), Key: fmt.Sprintf("t:%d", i)})
		i++
	}
	if n, err := db.Enqueue(ctx, msgs...); err != nil || n != len(msgs) {
		t.Fatalf("Enqueue = %d, %v", n, err)
	}
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func outboxIdle(db *store.DB) bool {
	c, err := db.OutboxCounts(context.Background())
	return err == nil && c[models.OutboxPending]+c[models.OutboxSending] == 0
}

// deliveries counts arrivals at the fake: templates by client_msg_id,
// customer-service messages by their (unique) text.
func deliveries(p *wxfake.Platform) (tpl, custom map[string]int) {
	tpl, custom = map[string]int{}, map[string]int{}
	for _, push := range p.Pushes() {
		if push.Kind == "template" {
			tpl[push.ClientMsgID]++
		} else {
			custom[push.Text]++
		}
	}
	return tpl, custom
}

// TestFaultKill9WhileDispatching: kill -9 of the service while it
// dispatches 5,000 pushes, then a restart: every template push arrives
// exactly once; customer-service pushes arrive at most once, and any that
// may have been in flight at the kill is listed as "uncertain", never lost
// silently and never sent twice.
func TestFaultKill9WhileDispatching(t *testing.T) {
	_, dsn := storetest.DSN(t, store.MySQL)
	db := migrated(t, dsn)
	const nTemplate, nCustom = 4000, 1000
	seedPushes(t, db, nTemplate, nCustom)
	p := wxfake.New(faultAppID, faultSecret)
	srv := httptest.NewServer(p)
	defer srv.Close()
	bin := buildBinary(t)
	env := serviceEnv(dsn, srv.URL, map[string]string{"GONGZHI_PUSH_RATE": "500", "GONGZHI_PUSH_LEASE": "3s"})

	first := startService(t, bin, env, "first")
	waitFor(t, 30*time.Second, "1,500 deliveries", func() bool { return len(p.Pushes()) >= 1500 })
	first.kill9(t)
	atKill := len(p.Pushes())
	_, customAtKill := deliveries(p)
	second := startService(t, bin, env, "second")
	waitFor(t, 45*time.Second, "the outbox to drain", func() bool { return outboxIdle(db) })
	second.stop(t)

	tpl, custom := deliveries(p)
	for i := range nTemplate {
		if n := tpl[fmt.Sprintf("t:%d", i)]; n != 1 {
			t.Errorf("template push t:%d arrived %d times", i, n)
		}
	}
	for text, n := range custom {
		if n != 1 {
			t.Errorf("customer-service push %q arrived %d times", text, n)
		}
	}
	failed, err := db.FailedPushes(context.Background(), "sample", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failed {
		if f.Error != models.PushUncertain || !strings.HasPrefix(f.OpenID, "oCustom") {
			t.Errorf("unexpected failure %+v", f)
		}
	}
	// A customer-service message in flight at the kill may have arrived or
	// not: WeChat's API cannot tell, so it is never resent (at most once) and
	// is listed as uncertain for the committee. Every message must therefore
	// have arrived, or be listed, or both; none may be lost silently.
	accounted := map[string]bool{}
	for text := range custom {
		accounted[text] = true
	}
	for _, f := range failed {
		accounted[f.Text] = true
	}
	if len(accounted) != nCustom {
		t.Errorf("customer-service pushes: %d arrived, %d uncertain, %d accounted for, want %d", len(custom), len(failed), len(accounted), nCustom)
	}
	if len(customAtKill) == 0 {
		t.Error("no customer-service push had gone out at the kill: the test did not cover them")
	}
	t.Logf("killed after %d of %d deliveries (%d customer-service); in the end %d templates and %d customer-service messages arrived once each, %d uncertain",
		atKill, nTemplate+nCustom, len(customAtKill), len(tpl), len(custom), len(failed))
}

type jobRun struct {
	Job  string `json:"job"`
	Tick string `json:"tick"`
	Msg  string `json:"msg"`
}

func jobRuns(t *testing.T, logs ...string) map[string]map[string]int {
	t.Helper()
	runs := map[string]map[string]int{}
	for _, path := range logs {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var r jobRun
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Msg == "job run" {
				if runs[r.Job] == nil {
					runs[r.Job] = map[string]int{}
				}
				runs[r.Job][r.Tick]++
			}
		}
		f.Close()
	}
	return runs
}

// TestFaultTwoReplicasRemindOnce: two service processes on one MariaDB run
// DEADLINE_REMINDER and OVERDUE_ESCALATION every second for 20 s while 60
// deadlines fall due: each reminder and each escalation is sent once, and
// each tick of each job ran on one replica only. 20 s covers 20 ticks of
// both jobs with deadlines spread over the first 15 s, so every appeal goes
// through both lead windows and its escalation while both replicas race.
func TestFaultTwoReplicasRemindOnce(t *testing.T) {
	_, dsn := storetest.DSN(t, store.MySQL)
	db := migrated(t, dsn)
	p := wxfake.New(faultAppID, faultSecret)
	srv := httptest.NewServer(p)
	defer srv.Close()
	bin := buildBinary(t)
	start := time.Now().Add(3 * time.Second)
	const n = 60
	var appeals []*models.NewAppeal
	for i := range n {
		due := start.Add(time.Duration(i) * 200 * time.Millisecond).UTC()
		appeals = append(appeals, &models.NewAppeal{Appeal: &models.Appeal{CommunityID: "sample", OpenID: fmt.Sprintf("oRes%04d", i),
			Kind: models.KindSmall, Level: models.LevelCommunity, Status: models.StatusAssigned, Topic: "楼道灯",
			Assignee: fmt.Sprintf("oWorker%04d", i), DueAt: &due}})
	}
	if err := db.CommitTurn(context.Background(), &models.Turn{CommunityID: "sample", OpenID: "seed", NewAppeals: appeals}); err != nil {
		t.Fatal(err)
	}
	env := serviceEnv(dsn, srv.URL, map[string]string{"GONGZHI_PUSH_RATE": "200",
		"GONGZHI_JOB_DEADLINE_REMINDER_SCHEDULE": "@every 1s", "GONGZHI_JOB_OVERDUE_ESCALATION_SCHEDULE": "@every 1s",
		"GONGZHI_DEADLINE_REMINDERS": "5s,2s"})
	a := startService(t, bin, env, "a")
	b := startService(t, bin, env, "b")
	time.Sleep(20 * time.Second)
	waitFor(t, 20*time.Second, "the outbox to drain", func() bool { return outboxIdle(db) })
	a.stop(t)
	b.stop(t)

	tpl, _ := deliveries(p)
	remindersPer, escalationsPer := map[string]int{}, map[string]int{}
	for key, c := range tpl {
		if c != 1 {
			t.Errorf("push %s arrived %d times", key, c)
		}
		parts := strings.Split(key, ":")
		switch parts[0] {
		case "remind":
			remindersPer[parts[1]]++
		case "esc":
			escalationsPer[parts[1]]++
		}
	}
	for _, na := range appeals {
		id := fmt.Sprint(na.Appeal.ID)
		if r := remindersPer[id]; r < 1 || r > 2 {
			t.Errorf("appeal %s: %d reminders, want 1 or 2 (one per lead window it was seen in)", id, r)
		}
		if e := escalationsPer[id]; e != 2 { // resident and old handler
			t.Errorf("appeal %s: %d escalation pushes, want 2", id, e)
		}
		evs, _ := db.AppealEvents(context.Background(), na.Appeal.ID)
		esc := 0
		for _, ev := range evs {
			if ev.Action == string(models.ActEscalate) {
				esc++
			}
		}
		if esc != 1 {
			t.Errorf("appeal %s escalated %d times", id, esc)
		}
	}
	runs := jobRuns(t, a.log, b.log)
	for job, ticks := range runs {
		for tick, c := range ticks {
			if c != 1 {
				t.Errorf("%s tick %s ran %d times", job, tick, c)
			}
		}
	}
	if len(runs["DEADLINE_REMINDER"]) < 15 {
		t.Errorf("DEADLINE_REMINDER ran on %d ticks in 20 s, want about 20", len(runs["DEADLINE_REMINDER"]))
	}
	t.Logf("%d pushes, each once; DEADLINE_REMINDER ran %d ticks, OVERDUE_ESCALATION %d ticks, none twice",
		len(tpl), len(runs["DEADLINE_REMINDER"]), len(runs["OVERDUE_ESCALATION"]))
}

// privateMariaDB starts a mariadbd of this test's own on a free port, so
// that it can be stopped without touching the server other tests use.
type privateMariaDB struct {
	t       *testing.T
	datadir string
	sock    string
	port    int
	cmd     *exec.Cmd
	server  string
	logPath string
}

func startPrivateMariaDB(t *testing.T) *privateMariaDB {
	t.Helper()
	server, err1 := exec.LookPath("mariadbd")
	installer, err2 := exec.LookPath("mariadb-install-db")
	if err1 != nil || err2 != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("mariadbd and mariadb-install-db are needed for the database outage test")
		}
		t.Skip("mariadbd not installed")
	}
	dir, err := os.MkdirTemp("", "gz-mariadb-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	m := &privateMariaDB{t: t, datadir: filepath.Join(dir, "data"), sock: filepath.Join(dir, "m.sock"), logPath: filepath.Join(dir, "m.log")}
	args := []string{"--no-defaults", "--datadir=" + m.datadir, "--auth-root-authentication-method=normal", "--skip-test-db"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	if out, err := exec.Command(installer, args...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	m.server = server
	m.start()
	t.Cleanup(func() {
		if m.cmd != nil && m.cmd.ProcessState == nil {
			_ = m.cmd.Process.Kill()
			_ = m.cmd.Wait()
		}
	})
	return m
}

func (m *privateMariaDB) start() {
	m.t.Helper()
	args := []string{"--no-defaults", "--datadir=" + m.datadir, "--socket=" + m.sock, fmt.Sprintf("--port=%d", m.port),
		"--bind-address=127.0.0.1", "--skip-grant-tables", "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
		"--log-error=" + m.logPath}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	m.cmd = exec.Command(m.server, args...)
	if err := m.cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", m.port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("private mariadbd did not start: %s", tail(m.logPath))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (m *privateMariaDB) kill() {
	_ = m.cmd.Process.Signal(syscall.SIGKILL)
	_ = m.cmd.Wait()
}

func (m *privateMariaDB) dsn(db string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s?parseTime=true&charset=utf8mb4&loc=UTC", m.port, db)
}

// TestFaultDatabaseDown: the database dies for 20 s while the service
// dispatches: the service keeps running, resumes by itself when the
// database is back, and every push arrives exactly once.
func TestFaultDatabaseDown(t *testing.T) {
	m := startPrivateMariaDB(t)
	admin, err := store.Open(context.Background(), store.MySQL, m.dsn(""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Gorm().Exec("CREATE DATABASE gz CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		t.Fatal(err)
	}
	admin.Close()
	db := migrated(t, m.dsn("gz"))
	const n = 1500
	seedPushes(t, db, n, 0)
	p := wxfake.New(faultAppID, faultSecret)
	srv := httptest.NewServer(p)
	defer srv.Close()
	bin := buildBinary(t)
	svc := startService(t, bin, serviceEnv(m.dsn("gz"), srv.URL, map[string]string{"GONGZHI_PUSH_RATE": "100"}), "svc")
	waitFor(t, 20*time.Second, "300 deliveries", func() bool { return len(p.Pushes()) >= 300 })
	m.kill()
	downAt := len(p.Pushes())
	time.Sleep(20 * time.Second)
	if !svc.alive() {
		t.Fatalf("the service died while the database was down:\n%s", tail(svc.log))
	}
	duringOutage := len(p.Pushes()) - downAt
	m.start()
	waitFor(t, 40*time.Second, "all pushes delivered after the database came back", func() bool {
		tpl, _ := deliveries(p)
		return len(tpl) == n
	})
	waitFor(t, 20*time.Second, "the outbox to drain", func() bool { return outboxIdle(db) })
	svc.stop(t)
	tpl, _ := deliveries(p)
	for i := range n {
		if c := tpl[fmt.Sprintf("t:%d", i)]; c != 1 {
			t.Errorf("push t:%d arrived %d times", i, c)
		}
	}
	t.Logf("database killed after %d deliveries, down 20 s (%d more delivered from the rows already claimed), all %d arrived once",
		downAt, duringOutage, n)
}
