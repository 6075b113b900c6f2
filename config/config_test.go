package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeFile puts a settings file in a fresh temporary folder.
func writeFile(tb testing.TB, text string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "gongzhi.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

const validAESKey = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ" // 43 characters

func TestLoadDefaults(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
	}{
		{"nil environment", nil},
		{"unrelated variables", []string{"PATH=/usr/bin", "HOME=/root", "TEST_REDIS_ADDR=127.0.0.1:6379"}},
		{"empty GONGZHI variables count as unset", []string{"GONGZHI_HTTP_ADDR=", "GONGZHI_DB_DRIVER=", "GONGZHI_CONFIG="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("", tc.environ)
			if err != nil {
				t.Fatalf("Load = %v, want no error", err)
			}
			if !c.Sandbox() {
				t.Error("Sandbox() = false, want true with no AppID")
			}
			for _, f := range []struct {
				name      string
				got, want any
			}{
				{"HTTPAddr", c.HTTPAddr, "127.0.0.1:8080"}, // sandbox: loopback
				{"DB", c.DB, DB{Driver: "sqlite", DSN: "data/gongzhi.db"}},
				{"RedisAddr", c.RedisAddr, ""},
				{"WeChat", c.WeChat, WeChat{APIBase: "https://api.weixin.qq.com", Community: "sample"}},
				{"AdminToken", c.AdminToken, ""},
				{"Timezone", c.Timezone, "Asia/Shanghai"},
				{"Location", c.Location.String(), "Asia/Shanghai"},
				{"Catalog", c.Catalog, ""},
				{"Jobs", c.Jobs, map[string]string{
					"DEADLINE_REMINDER":   "0 */10 * * * *",
					"OVERDUE_ESCALATION":  "0 */10 * * * *",
					"RETENTION_PURGE":     "0 40 3 * * *",
					"MEETING_REMINDER":    "0 * * * * *",
					"DAILY_DIGEST":        "0 0 8 * * *",
					"CONVERSATION_EXPIRY": "0 */5 * * * *",
					"DEDUPE_CLEANUP":      "0 17 3 * * *",
					"CLOSE_UNRATED":       "0 30 * * * *",
					"MONTHLY_TOPIC":       "0 0 9 1 * *",
				}},
				{"DeadlineReminders", c.DeadlineReminders, []time.Duration{24 * time.Hour}},
				{"MeetingReminders", c.MeetingReminders, []time.Duration{24 * time.Hour, time.Hour}},
				{"ConversationTTL", c.ConversationTTL, 30 * time.Minute},
				{"DedupeTTL", c.DedupeTTL, 72 * time.Hour},
				{"ClockSkew", c.ClockSkew, 5 * time.Minute},
				{"ReplyBudget", c.ReplyBudget, 4 * time.Second},
				{"PushRate", c.PushRate, 20.0},
				{"LogLevel", c.LogLevel, "info"},
				{"Templates", c.Templates, map[string]string{}},
				{"PushCustomPerWindow", c.PushCustomPerWindow, 5},
				{"PushDailyTemplateQuota", c.PushDailyTemplateQuota, 100000},
				{"PushLease", c.PushLease, time.Minute},
				{"InviteTTL", c.InviteTTL, 72 * time.Hour},
				{"MeTooWindow", c.MeTooWindow, 7 * 24 * time.Hour},
				{"RatingWindow", c.RatingWindow, 7 * 24 * time.Hour},
				{"Communities", c.Communities, []Community{SampleCommunity()}},
			} {
				if !reflect.DeepEqual(f.got, f.want) {
					t.Errorf("%s = %#v, want %#v", f.name, f.got, f.want)
				}
			}
			cm, ok := c.Community("sample")
			if !ok || cm.Name != "示例社区" || len(cm.Grids) != 3 || cm.Hotline != "023-00000000" || cm.RadiusKM != 2 || cm.Center == nil {
				t.Errorf("Community(sample) = %+v, %v; want the sample community", cm, ok)
			}
			if g, ok := cm.GridOf("１０号楼"); !ok || g.ID != "g3" {
				t.Errorf("GridOf(１０号楼) = %v, %v; want g3", g, ok)
			}
			if _, ok := c.Community("nope"); ok {
				t.Error("Community(nope) found, want not found")
			}
			if len(c.UnknownEnv()) != 0 {
				t.Errorf("UnknownEnv() = %v, want none", c.UnknownEnv())
			}
		})
	}
}

func TestLoadEmptyFile(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "---\n", "~\n"} {
		t.Run(fmt.Sprintf("%q", text), func(t *testing.T) {
			c, err := Load(writeFile(t, text), nil)
			if err != nil {
				t.Fatalf("Load = %v, want no error", err)
			}
			if c.HTTPAddr != "127.0.0.1:8080" { // sandbox: loopback
				t.Errorf("HTTPAddr = %q, want the default", c.HTTPAddr)
			}
		})
	}
}

const twoCommunities = `
http_addr: ":9000"
db:
  driver: mysql
  dsn: "gongzhi@tcp(db:3306)/gongzhi?charset=utf8mb4"
redis_addr: "redis:6379"
wechat:
  appid: wx0123456789abcdef
  community: riverside
accounts:
  - appid: wxfedcba9876543210
    community: hillside
timezone: Asia/Chongqing
jobs:
  daily_digest: "0 30 7 * * *"
  MEETING_REMINDER: "@every 30s"
  weekly_report: "0 9 * * 1"
deadline_reminders: [48h, 2h]
conversation_ttl: 15m
push_rate: 5
log_level: debug
communities:
  - id: riverside
    name: 滨江社区
    center: {lat: 29.56, lng: 106.55}
    radius_km: 1.5
    hotline: 023-11111111
    grids:
      - {id: r1, name: 一网格, buildings: [1, 2, "3栋"]}
      - {id: r2, name: 二网格, buildings: ["04", b座]}
  - id: hillside
    name: 山城社区
    grids:
      - {id: h1, name: 一网格, buildings: [1, 2]}
`

func TestLoadFileAndEnv(t *testing.T) {
	path := writeFile(t, twoCommunities)
	environ := []string{
		"GONGZHI_HTTP_ADDR=127.0.0.1:9100",
		"GONGZHI_WECHAT_APPSECRET=app-secret-value",
		"GONGZHI_WECHAT_TOKEN=tokenvalue",
		"GONGZHI_WECHAT_AES_KEY=" + validAESKey,
		"GONGZHI_ACCOUNT_WXFEDCBA9876543210_APPSECRET=second-secret",
		"GONGZHI_ACCOUNT_wxfedcba9876543210_TOKEN=secondtoken",
		"GONGZHI_JOB_DAILY_DIGEST_SCHEDULE=0 0 9 * * *",
		"GONGZHI_JOB_DEDUPE_CLEANUP_SCHEDULE=off",
		"GONGZHI_MEETING_REMINDERS=24h, 30m",
		"GONGZHI_PUSH_RATE=2.5",
		"GONGZHI_DB_DSN=",     // empty: the file's DSN stays
		"GONGZHI_HTTP_ADR=:1", // a typo
	}
	c, err := Load(path, environ)
	if err != nil {
		t.Fatalf("Load = %v, want no error", err)
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"HTTPAddr (env over file)", c.HTTPAddr, "127.0.0.1:9100"},
		{"DB (file, parseTime added)", c.DB, DB{Driver: "mysql", DSN: "gongzhi@tcp(db:3306)/gongzhi?charset=utf8mb4&parseTime=true"}},
		{"RedisAddr (file)", c.RedisAddr, "redis:6379"},
		{"WeChat.AppID (file)", c.WeChat.AppID, "wx0123456789abcdef"},
		{"WeChat.AppSecret (env)", c.WeChat.AppSecret, "app-secret-value"},
		{"WeChat.APIBase (default)", c.WeChat.APIBase, DefaultAPIBase},
		{"Accounts[0]", c.Accounts[0], WeChat{AppID: "wxfedcba9876543210", AppSecret: "second-secret", Token: "secondtoken", APIBase: DefaultAPIBase, Community: "hillside"}},
		{"Location", c.Location.String(), "Asia/Chongqing"},
		{"Jobs[DAILY_DIGEST] (env over file)", c.Jobs["DAILY_DIGEST"], "0 0 9 * * *"},
		{"Jobs[MEETING_REMINDER] (file)", c.Jobs["MEETING_REMINDER"], "@every 30s"},
		{"Jobs[WEEKLY_REPORT] (file, new job)", c.Jobs["WEEKLY_REPORT"], "0 9 * * 1"},
		{"Jobs[DEADLINE_REMINDER] (default kept)", c.Jobs["DEADLINE_REMINDER"], "0 */10 * * * *"},
		{"Jobs[DEDUPE_CLEANUP] (env off)", c.Jobs["DEDUPE_CLEANUP"], "off"},
		{"DeadlineReminders (file)", c.DeadlineReminders, []time.Duration{48 * time.Hour, 2 * time.Hour}},
		{"MeetingReminders (env)", c.MeetingReminders, []time.Duration{24 * time.Hour, 30 * time.Minute}},
		{"ConversationTTL (file)", c.ConversationTTL, 15 * time.Minute},
		{"DedupeTTL (default)", c.DedupeTTL, 72 * time.Hour},
		{"PushRate (env over file)", c.PushRate, 2.5},
		{"LogLevel (file)", c.LogLevel, "debug"},
		{"SlogLevel", c.SlogLevel(), slog.LevelDebug},
		{"riverside buildings normalised", c.Communities[0].Grids[1].Buildings, []string{"4", "B"}},
		{"UnknownEnv", c.UnknownEnv(), []string{"GONGZHI_HTTP_ADR"}},
	} {
		if !reflect.DeepEqual(f.got, f.want) {
			t.Errorf("%s = %#v, want %#v", f.name, f.got, f.want)
		}
	}
	if c.Sandbox() {
		t.Error("Sandbox() = true, want false with an AppID")
	}
	if spec, on := c.Schedule("dedupe_cleanup"); on {
		t.Errorf("Schedule(dedupe_cleanup) = %q, on; want off", spec)
	}
	if spec, on := c.Schedule(JobDailyDigest); !on || spec != "0 0 9 * * *" {
		t.Errorf("Schedule(DAILY_DIGEST) = %q, %v; want the env spec, on", spec, on)
	}
	if w, ok := c.Account("wxfedcba9876543210"); !ok || w.Community != "hillside" {
		t.Errorf("Account(second) = %v, %v", w, ok)
	}
	if w, ok := c.Account("wx0123456789abcdef"); !ok || w != &c.WeChat {
		t.Errorf("Account(default) = %v, %v; want &c.WeChat", w, ok)
	}
	if g, ok := c.Communities[0].GridOf("第3栋"); !ok || g.ID != "r1" {
		t.Errorf("GridOf(第3栋) = %v, %v; want r1", g, ok)
	}
}

func TestConfigEnvVariable(t *testing.T) {
	fromEnv := writeFile(t, "http_addr: \":7000\"\n")
	fromFlag := writeFile(t, "http_addr: \":7001\"\n")
	for _, tc := range []struct {
		name, path string
		want       string
	}{
		{"GONGZHI_CONFIG when no path is given", "", ":7000"},
		{"the path argument wins over GONGZHI_CONFIG", fromFlag, ":7001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.path, []string{"GONGZHI_CONFIG=" + fromEnv})
			if err != nil {
				t.Fatalf("Load = %v", err)
			}
			if c.HTTPAddr != tc.want {
				t.Errorf("HTTPAddr = %q, want %q", c.HTTPAddr, tc.want)
			}
		})
	}
}

// TestInvalidSettings checks that each bad setting is refused with one line
// that names it: by its variable when the environment set it (or it is a
// default), by file and key when the file did.
func TestInvalidSettings(t *testing.T) {
	appEnv := []string{"GONGZHI_WECHAT_APPID=wx1", "GONGZHI_WECHAT_APPSECRET=s3cr3t-app", "GONGZHI_WECHAT_TOKEN=tok3n"}
	for _, tc := range []struct {
		name        string
		yaml        string // written to a file when not empty; FILE in want stands for its path
		env         []string
		wantSetting string
		wantProblem string // a part of the problem
	}{
		{name: "driver from env", env: []string{"GONGZHI_DB_DRIVER=postgres"},
			wantSetting: "GONGZHI_DB_DRIVER", wantProblem: `"postgres" is not one of sqlite, mysql`},
		{name: "driver from file", yaml: "db: {driver: postgres}\n",
			wantSetting: "FILE: db.driver", wantProblem: `"postgres" is not one of sqlite, mysql`},
		{name: "empty DSN from file", yaml: "db:\n  dsn: \"\"\n",
			wantSetting: "FILE: db.dsn", wantProblem: "is empty"},
		{name: "bad MySQL DSN", env: []string{"GONGZHI_DB_DRIVER=mysql", "GONGZHI_DB_DSN=user@tcp(db:3306"},
			wantSetting: "GONGZHI_DB_DSN", wantProblem: "is not a MySQL DSN"},
		{name: "MySQL DSN with parseTime=false", env: []string{"GONGZHI_DB_DRIVER=mysql", "GONGZHI_DB_DSN=u@tcp(db)/x?parseTime=false"},
			wantSetting: "GONGZHI_DB_DSN", wantProblem: "parseTime must be true"},
		{name: "MySQL DSN with the sqlite driver", env: []string{"GONGZHI_DB_DSN=u@tcp(db:3306)/x"},
			wantSetting: "GONGZHI_DB_DSN", wantProblem: "set GONGZHI_DB_DRIVER=mysql"},
		{name: "HTTP addr without port", env: []string{"GONGZHI_HTTP_ADDR=localhost"},
			wantSetting: "GONGZHI_HTTP_ADDR", wantProblem: "has no port"},
		{name: "HTTP addr with a bad port", env: []string{"GONGZHI_HTTP_ADDR=:99999"},
			wantSetting: "GONGZHI_HTTP_ADDR", wantProblem: "not a number from 0 to 65535"},
		{name: "Redis URL", env: []string{"GONGZHI_REDIS_ADDR=redis://localhost:6379"},
			wantSetting: "GONGZHI_REDIS_ADDR", wantProblem: "not a URL"},
		{name: "Redis without port", env: []string{"GONGZHI_REDIS_ADDR=localhost"},
			wantSetting: "GONGZHI_REDIS_ADDR", wantProblem: "is not host:port"},
		{name: "AES key too short", env: []string{"GONGZHI_WECHAT_AES_KEY=short"},
			wantSetting: "GONGZHI_WECHAT_AES_KEY", wantProblem: "exactly 43 characters"},
		{name: "AES key outside the alphabet", env: []string{"GONGZHI_WECHAT_AES_KEY=" + strings.Repeat("é", 43)},
			wantSetting: "GONGZHI_WECHAT_AES_KEY", wantProblem: "exactly 43 characters"},
		{name: "AppID from file without secret", yaml: "wechat: {appid: wx1}\n", env: []string{"GONGZHI_WECHAT_TOKEN=tok3n"},
			wantSetting: "GONGZHI_WECHAT_APPSECRET", wantProblem: "is required when FILE: wechat.appid is set"},
		{name: "AppID without secret", env: []string{"GONGZHI_WECHAT_APPID=wx1", "GONGZHI_WECHAT_TOKEN=tok3n"},
			wantSetting: "GONGZHI_WECHAT_APPSECRET", wantProblem: "is required when GONGZHI_WECHAT_APPID is set"},
		{name: "AppID without token", env: []string{"GONGZHI_WECHAT_APPID=wx1", "GONGZHI_WECHAT_APPSECRET=s3cr3t-app"},
			wantSetting: "GONGZHI_WECHAT_TOKEN", wantProblem: "is required when GONGZHI_WECHAT_APPID is set"},
		{name: "secret without AppID", env: []string{"GONGZHI_WECHAT_APPSECRET=s3cr3t-app"},
			wantSetting: "GONGZHI_WECHAT_APPID", wantProblem: "sandbox"},
		{name: "AppID with a slash", env: []string{"GONGZHI_WECHAT_APPID=wx/1", "GONGZHI_WECHAT_APPSECRET=s3cr3t-app", "GONGZHI_WECHAT_TOKEN=tok3n"},
			wantSetting: "GONGZHI_WECHAT_APPID", wantProblem: "only letters"},
		{name: "API base not a URL", env: []string{"GONGZHI_WECHAT_API_BASE=api.weixin.qq.com"},
			wantSetting: "GONGZHI_WECHAT_API_BASE", wantProblem: "is not an http(s) URL"},
		{name: "API base ftp", env: []string{"GONGZHI_WECHAT_API_BASE=ftp://x"},
			wantSetting: "GONGZHI_WECHAT_API_BASE", wantProblem: "is not an http(s) URL"},
		{name: "account community unknown", env: []string{"GONGZHI_WECHAT_COMMUNITY=elsewhere"},
			wantSetting: "GONGZHI_WECHAT_COMMUNITY", wantProblem: `"elsewhere" is not the id of a community (have: sample)`},
		{name: "further account without appid", yaml: "accounts:\n  - token: x\n",
			wantSetting: "FILE: accounts[0].appid", wantProblem: "is empty"},
		{name: "further account without secret", yaml: "accounts:\n  - appid: wx2\n",
			wantSetting: "GONGZHI_ACCOUNT_WX2_APPSECRET", wantProblem: "is required when FILE: accounts[0].appid is set"},
		{name: "further account repeats the default appid", yaml: "accounts:\n  - {appid: wx1, appsecret: a, token: b}\n", env: appEnv,
			wantSetting: "FILE: accounts[0].appid", wantProblem: `"wx1" is already used by wechat.appid`},
		{name: "account secret for no account", env: []string{"GONGZHI_ACCOUNT_WX9_TOKEN=x"},
			wantSetting: "GONGZHI_ACCOUNT_WX9_TOKEN", wantProblem: "no account with appid"},
		{name: "account variable of unknown field", env: []string{"GONGZHI_ACCOUNT_WX9_SECRET=x"},
			wantSetting: "GONGZHI_ACCOUNT_WX9_SECRET", wantProblem: "unknown variable"},
		{name: "timezone", env: []string{"GONGZHI_TIMEZONE=Mars/Olympus"},
			wantSetting: "GONGZHI_TIMEZONE", wantProblem: `"Mars/Olympus" is not a time zone`},
		{name: "catalog missing", env: []string{"GONGZHI_CATALOG=/nonexistent/catalog.yaml"},
			wantSetting: "GONGZHI_CATALOG", wantProblem: "no such file"},
		{name: "catalog is a folder", env: []string{"GONGZHI_CATALOG=/"},
			wantSetting: "GONGZHI_CATALOG", wantProblem: "is a directory"},
		{name: "job spec from env", env: []string{"GONGZHI_JOB_DAILY_DIGEST_SCHEDULE=0 0 25 * * *"},
			wantSetting: "GONGZHI_JOB_DAILY_DIGEST_SCHEDULE", wantProblem: `"0 0 25 * * *" is not a cron spec`},
		{name: "job spec from file", yaml: "jobs:\n  daily_digest: every day\n",
			wantSetting: "FILE: jobs.daily_digest", wantProblem: "is not a cron spec"},
		{name: "job spec empty in file", yaml: "jobs:\n  daily_digest: \"\"\n",
			wantSetting: "FILE: jobs.daily_digest", wantProblem: "is empty"},
		{name: "job name with a dash", yaml: "jobs:\n  daily-digest: \"@daily\"\n",
			wantSetting: "FILE: jobs.daily-digest", wantProblem: "may hold only"},
		{name: "duration without unit", env: []string{"GONGZHI_CONVERSATION_TTL=30"},
			wantSetting: "GONGZHI_CONVERSATION_TTL", wantProblem: `"30" is not a duration`},
		{name: "negative duration", env: []string{"GONGZHI_DEDUPE_TTL=-1h"},
			wantSetting: "GONGZHI_DEDUPE_TTL", wantProblem: "is not a positive duration"},
		{name: "zero skew", env: []string{"GONGZHI_WEBHOOK_MAX_SKEW=0s"},
			wantSetting: "GONGZHI_WEBHOOK_MAX_SKEW", wantProblem: "is not a positive duration"},
		{name: "reply budget beyond WeChat's wait", env: []string{"GONGZHI_WEBHOOK_REPLY_BUDGET=6s"},
			wantSetting: "GONGZHI_WEBHOOK_REPLY_BUDGET", wantProblem: "WeChat gives up"},
		{name: "dedupe shorter than skew", env: []string{"GONGZHI_DEDUPE_TTL=1m"},
			wantSetting: "GONGZHI_DEDUPE_TTL", wantProblem: "shorter than GONGZHI_WEBHOOK_MAX_SKEW"},
		{name: "reminder list with a bad item", env: []string{"GONGZHI_MEETING_REMINDERS=24h,soon"},
			wantSetting: "GONGZHI_MEETING_REMINDERS", wantProblem: `"soon" is not a duration`},
		{name: "reminder list with a negative item", env: []string{"GONGZHI_DEADLINE_REMINDERS=24h,-1h"},
			wantSetting: "GONGZHI_DEADLINE_REMINDERS", wantProblem: "-1h0m0s is not a positive duration"},
		{name: "reminder list twice the same", env: []string{"GONGZHI_MEETING_REMINDERS=1h,60m"},
			wantSetting: "GONGZHI_MEETING_REMINDERS", wantProblem: "is given twice"},
		{name: "reminder list empty in file", yaml: "deadline_reminders: []\n",
			wantSetting: "FILE: deadline_reminders", wantProblem: "is empty"},
		{name: "push rate not a number", env: []string{"GONGZHI_PUSH_RATE=fast"},
			wantSetting: "GONGZHI_PUSH_RATE", wantProblem: `"fast" is not a number`},
		{name: "push rate zero", env: []string{"GONGZHI_PUSH_RATE=0"},
			wantSetting: "GONGZHI_PUSH_RATE", wantProblem: "not a positive number"},
		{name: "push rate infinite", env: []string{"GONGZHI_PUSH_RATE=+Inf"},
			wantSetting: "GONGZHI_PUSH_RATE", wantProblem: "is not a number"},
		{name: "log level", env: []string{"GONGZHI_LOG_LEVEL=verbose"},
			wantSetting: "GONGZHI_LOG_LEVEL", wantProblem: `"verbose" is not one of debug, info, warn, error`},
		{name: "no communities", yaml: "communities: []\n",
			wantSetting: "FILE: communities", wantProblem: "is empty"},
		{name: "community ids repeat", yaml: "communities:\n  - {id: a, name: A}\n  - {id: a, name: B}\n",
			wantSetting: "FILE: communities[1].id", wantProblem: `"a" is also the id of communities[0]`},
		{name: "community without name", yaml: "communities:\n  - {id: a}\n",
			wantSetting: "FILE: communities[0].name", wantProblem: "is empty"},
		{name: "community centre off the globe", yaml: "communities:\n  - {id: a, name: A, center: {lat: 129, lng: 6}}\n",
			wantSetting: "FILE: communities[0].center", wantProblem: "is not a position"},
		{name: "negative radius", yaml: "communities:\n  - {id: a, name: A, radius_km: -1}\n",
			wantSetting: "FILE: communities[0].radius_km", wantProblem: "is negative"},
		{name: "grid ids repeat", yaml: "communities:\n  - id: a\n    name: A\n    grids: [{id: g, name: G}, {id: g, name: H}]\n",
			wantSetting: "FILE: communities[0].grids[1].id", wantProblem: `"g" is also the id of communities[0].grids[0]`},
		{name: "grid without id", yaml: "communities:\n  - id: a\n    name: A\n    grids: [{name: G}]\n",
			wantSetting: "FILE: communities[0].grids[0].id", wantProblem: "want a non-empty id"},
		{name: "building in two grids", yaml: "communities:\n  - id: a\n    name: A\n    grids: [{id: g1, buildings: [1, 2]}, {id: g2, buildings: [\"2栋\"]}]\n",
			wantSetting: "FILE: communities[0].grids[1].buildings", wantProblem: `building "2" is already in grid "g1" of community "a"`},
		{name: "empty building", yaml: "communities:\n  - id: a\n    name: A\n    grids: [{id: g1, buildings: [\" \"]}]\n",
			wantSetting: "FILE: communities[0].grids[0].buildings[0]", wantProblem: "is empty"},
		// Decoding problems in the file name the key and its line.
		{name: "unknown top-level key", yaml: "http_addr: \":1\"\nhttp_adr: \":2\"\n",
			wantSetting: "FILE", wantProblem: `line 2: unknown key "http_adr" (known here: accounts, admin_token,`},
		{name: "unknown nested key", yaml: "wechat:\n  appid: wx1\n  app_secret: x\n",
			wantSetting: "FILE", wantProblem: `line 3: unknown key "wechat.app_secret" (known here: aes_key, api_base, appid, appsecret, community, token)`},
		{name: "unknown key in a grid", yaml: "communities:\n  - id: a\n    name: A\n    grids:\n      - {id: g1, building: [1]}\n",
			wantSetting: "FILE", wantProblem: `line 5: unknown key "communities[0].grids[0].building"`},
		{name: "duration as a bare number", yaml: "conversation_ttl: 30\n",
			wantSetting: "FILE", wantProblem: `line 1: conversation_ttl: want a duration such as "30m"`},
		{name: "duration list with a word", yaml: "meeting_reminders: [1h, soon]\n",
			wantSetting: "FILE", wantProblem: `line 1: meeting_reminders[1]: want a duration`},
		{name: "list where a mapping belongs", yaml: "db: [sqlite]\n",
			wantSetting: "FILE", wantProblem: "line 1: db: want a mapping"},
		{name: "key given twice", yaml: "http_addr: \":1\"\nhttp_addr: \":2\"\n",
			wantSetting: "FILE", wantProblem: "http_addr is given twice"},
		{name: "top level is a list", yaml: "- a\n- b\n",
			wantSetting: "FILE", wantProblem: "want a mapping of settings"},
		{name: "YAML syntax", yaml: "db: {driver: sqlite\n",
			wantSetting: "FILE", wantProblem: "line 1: did not find expected"},
		{name: "env parse error wins over a later bad setting", env: []string{"GONGZHI_PUSH_RATE=x", "GONGZHI_LOG_LEVEL=loud"},
			wantSetting: "GONGZHI_PUSH_RATE", wantProblem: "is not a number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.yaml != "" {
				path = writeFile(t, tc.yaml)
			}
			c, err := Load(path, tc.env)
			if err == nil {
				t.Fatalf("Load = %v, nil; want an error naming %s", c, tc.wantSetting)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error has several lines: %q", msg)
			}
			wantSetting := strings.ReplaceAll(tc.wantSetting, "FILE", path)
			wantProblem := strings.ReplaceAll(tc.wantProblem, "FILE", path)
			var se *SettingError
			if !errors.As(err, &se) {
				// Errors that are not about one key still start with the file.
				if !strings.HasPrefix(msg, wantSetting+": ") || !strings.Contains(msg, wantProblem) {
					t.Fatalf("error = %q, want %q: …%s…", msg, wantSetting, wantProblem)
				}
				return
			}
			if se.Setting != wantSetting {
				t.Errorf("Setting = %q, want %q (error %q)", se.Setting, wantSetting, msg)
			}
			if !strings.Contains(se.Problem, wantProblem) {
				t.Errorf("Problem = %q, want it to contain %q", se.Problem, wantProblem)
			}
		})
	}
}

func TestBadFilePath(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.yaml")
	for _, tc := range []struct {
		name    string
		path    string
		environ []string
		want    string
		is      error
	}{
		{"missing file", missing, nil, "config file: open " + missing + ": no such file or directory", os.ErrNotExist},
		{"missing file from GONGZHI_CONFIG", "", []string{"GONGZHI_CONFIG=" + missing}, "GONGZHI_CONFIG: open " + missing + ": no such file or directory", os.ErrNotExist},
		{"a folder", dir, nil, "config file: read " + dir + ": is a directory", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.path, tc.environ)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Load = %v, want %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false, want the cause wrapped", err, tc.is)
			}
		})
	}
}

func TestMySQLDSN(t *testing.T) {
	for _, tc := range []struct {
		name, dsn, want string
	}{
		{"no parameters", "u:p@tcp(db:3306)/gongzhi", "u:p@tcp(db:3306)/gongzhi?parseTime=true"},
		{"other parameters", "u:p@tcp(db:3306)/gongzhi?charset=utf8mb4", "u:p@tcp(db:3306)/gongzhi?charset=utf8mb4&parseTime=true"},
		{"parseTime already there", "u@tcp(db)/g?parseTime=true&loc=UTC", "u@tcp(db)/g?parseTime=true&loc=UTC"},
		{"password with a slash and a question mark", "u:p/a?ss@tcp(db)/g", "u:p/a?ss@tcp(db)/g?parseTime=true"},
		{"no database", "root@tcp(127.0.0.1:3306)/", "root@tcp(127.0.0.1:3306)/?parseTime=true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("", []string{"GONGZHI_DB_DRIVER=MySQL", "GONGZHI_DB_DSN=" + tc.dsn})
			if err != nil {
				t.Fatalf("Load = %v", err)
			}
			if c.DB.Driver != "mysql" || c.DB.DSN != tc.want {
				t.Errorf("DB = %+v, want mysql %q", c.DB, tc.want)
			}
		})
	}
}

func TestJobSpecs(t *testing.T) {
	for _, spec := range []string{"@every 1s", "@daily", "*/5 * * * *", "0 */10 * * * *", "0 0 8 * * 1-5", JobOff, "  0 * * * * *  "} {
		t.Run(spec, func(t *testing.T) {
			c, err := Load("", []string{"GONGZHI_JOB_MEETING_REMINDER_SCHEDULE=" + spec})
			if err != nil {
				t.Fatalf("Load = %v, want %q accepted", err, spec)
			}
			if got := c.Jobs[JobMeetingReminder]; got != strings.TrimSpace(spec) {
				t.Errorf("Jobs[MEETING_REMINDER] = %q, want %q", got, strings.TrimSpace(spec))
			}
			if _, on := c.Schedule(JobMeetingReminder); on {
				if _, err := ParseSchedule(c.Jobs[JobMeetingReminder]); err != nil {
					t.Errorf("ParseSchedule = %v after Validate accepted it", err)
				}
			}
		})
	}
}

// TestSecretsNeverShown puts a recognisable secret in every secret field and
// a bad value elsewhere, and looks for the secrets in every output.
func TestSecretsNeverShown(t *testing.T) {
	const (
		appSecret  = "SECRET-appsecret-1111"
		token      = "SECRETtoken2222"
		aesKey     = "SECRETaeskey3333333333333333333333333333333" // valid: 43 characters
		badAESKey  = "SECRET-aeskey-not-valid-4444"
		adminToken = "SECRET-admin-5555-0123456789"
		dbPassword = "SECRET-dbpass-6666"
		acctSecret = "SECRET-acct-7777"
		acctToken  = "SECRETaccttoken8888"
	)
	secrets := []string{appSecret, token, aesKey, badAESKey, adminToken, dbPassword, acctSecret, acctToken, "SECRET"}
	base := []string{
		"GONGZHI_WECHAT_APPID=wx1",
		"GONGZHI_WECHAT_APPSECRET=" + appSecret,
		"GONGZHI_WECHAT_TOKEN=" + token,
		"GONGZHI_WECHAT_AES_KEY=" + aesKey,
		"GONGZHI_ADMIN_TOKEN=" + adminToken,
		"GONGZHI_DB_DRIVER=mysql",
		"GONGZHI_DB_DSN=gongzhi:" + dbPassword + "@tcp(db:3306)/gongzhi",
		"GONGZHI_ACCOUNT_WX2_APPSECRET=" + acctSecret,
		"GONGZHI_ACCOUNT_WX2_TOKEN=" + acctToken,
	}
	accounts := "accounts:\n  - appid: wx2\n"
	check := func(t *testing.T, what, text string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s shows secret %q: %s", what, s, text)
			}
		}
	}
	for _, tc := range []struct {
		name string
		yaml string
		env  []string
	}{
		{"bad driver", accounts, []string{"GONGZHI_DB_DRIVER=postgres"}},
		{"bad DSN holding the password", accounts, []string{"GONGZHI_DB_DSN=gongzhi:" + dbPassword + "@tcp(db:3306/gongzhi"}},
		{"DSN with a bad parameter value", accounts, []string{"GONGZHI_DB_DSN=gongzhi:" + dbPassword + "@tcp(db:3306)/gongzhi?parseTime=" + dbPassword}},
		{"bad AES key", accounts, []string{"GONGZHI_WECHAT_AES_KEY=" + badAESKey}},
		{"bad account AES key", accounts, []string{"GONGZHI_ACCOUNT_WX2_AES_KEY=" + badAESKey}},
		{"bad timezone", accounts, []string{"GONGZHI_TIMEZONE=Nowhere"}},
		{"bad job", accounts, []string{"GONGZHI_JOB_X_SCHEDULE=never"}},
		{"bad API base", accounts, []string{"GONGZHI_WECHAT_API_BASE=https://user:" + dbPassword + "@/"}},
		{"secret where a mapping belongs in the file", accounts + "wechat: " + appSecret + "\n", nil},
		{"secret of the wrong type in the file", accounts + "admin_token: [" + adminToken + "]\n", nil},
		{"secret as an unknown key in the file", accounts + adminToken + ": 1\n", nil},
		{"secret in a bad duration in the file", accounts + "dedupe_ttl: " + token + "\n", nil},
		{"secret in a bad account", "accounts:\n  - {appid: wx2, appsecret: " + acctSecret + "}\n  - {appid: wx2, appsecret: " + acctSecret + ", token: " + acctToken + "}\n", nil},
		{"missing secret next to set ones", accounts, []string{"GONGZHI_WECHAT_TOKEN="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.yaml)
			_, err := Load(path, append(append([]string(nil), base...), tc.env...))
			if err == nil {
				t.Fatal("Load = nil error, want one")
			}
			check(t, "error", err.Error())
		})
	}

	t.Run("valid settings printed", func(t *testing.T) {
		c, err := Load(writeFile(t, accounts), base)
		if err != nil {
			t.Fatalf("Load = %v", err)
		}
		check(t, "Redacted()", fmt.Sprint(c.Redacted()))
		check(t, "%v", fmt.Sprintf("%v", c))
		check(t, "%+v", fmt.Sprintf("%+v", c))
		check(t, "%#v", fmt.Sprintf("%#v", c))
		check(t, "%+v of the value", fmt.Sprintf("%+v %#v", *c, *c))
		check(t, "%v of the account", fmt.Sprintf("%v %+v %#v", c.WeChat, c.Accounts, c.Accounts[0]))
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("start", "config", c, "value", *c, "account", c.WeChat)
		check(t, "slog", buf.String())
		r := c.Redacted()
		wechat := r["wechat"].(map[string]any)
		for key, want := range map[string]any{"appsecret": "set", "token": "set", "aes_key": "set"} {
			if wechat[key] != want {
				t.Errorf("Redacted()[wechat][%s] = %v, want %v", key, wechat[key], want)
			}
		}
		if r["admin_token"] != "set" {
			t.Errorf("Redacted()[admin_token] = %v, want set", r["admin_token"])
		}
		if dsn := r["db"].(map[string]any)["dsn"]; dsn != "gongzhi:***@tcp(db:3306)/gongzhi?parseTime=true" {
			t.Errorf("Redacted()[db][dsn] = %v, want the password hidden", dsn)
		}
		if !strings.Contains(buf.String(), `"appsecret":"set"`) {
			t.Errorf("slog output lacks the redacted settings: %s", buf.String())
		}
	})

	t.Run("unset secrets", func(t *testing.T) {
		c, err := Load("", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Redacted()["admin_token"]; got != "unset" {
			t.Errorf("Redacted()[admin_token] = %v, want unset", got)
		}
	})
}

func TestRedactDSN(t *testing.T) {
	for _, tc := range []struct {
		name, driver, dsn, want string
	}{
		{"sqlite path", "sqlite", "data/gongzhi.db", "data/gongzhi.db"},
		{"mysql with password", "mysql", "u:pw@tcp(h:1)/d", "u:***@tcp(h:1)/d"},
		{"mysql password with @ and :", "mysql", "u:p@w:d@tcp(h:1)/d", "u:***@tcp(h:1)/d"},
		{"mysql without password", "mysql", "u@tcp(h:1)/d", "u@tcp(h:1)/d"},
		{"mysql without slash", "mysql", "u:pw@tcp(h:1)", "u:***@tcp(h:1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RedactDSN(tc.driver, tc.dsn); got != tc.want {
				t.Errorf("RedactDSN(%q, %q) = %q, want %q", tc.driver, tc.dsn, got, tc.want)
			}
		})
	}
}

func TestNormalizeBuilding(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1", "1"},
		{" 12 ", "12"},
		{"03", "3"},
		{"0", "0"},
		{"3栋", "3"},
		{"3号楼", "3"},
		{"第3幢", "3"},
		{"１２", "12"},
		{"b", "B"},
		{"B座", "B"},
		{"a1", "A1"},
		{"", ""},
		{"栋", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := NormalizeBuilding(tc.in); got != tc.want {
				t.Errorf("NormalizeBuilding(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestValidateStandalone(t *testing.T) {
	c := Default()
	c.Timezone = "UTC"
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate = %v", err)
	}
	if c.Location != time.UTC {
		t.Errorf("Location = %v, want UTC", c.Location)
	}
	c.DB.Driver = "postgres"
	var se *SettingError
	if err := c.Validate(); !errors.As(err, &se) || se.Setting != "GONGZHI_DB_DRIVER" {
		t.Errorf("Validate = %v, want a SettingError for GONGZHI_DB_DRIVER", err)
	}
}

func TestEnvNames(t *testing.T) {
	names := EnvNames()
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("%s listed twice", n)
		}
		seen[n] = true
	}
	for _, n := range []string{"GONGZHI_CONFIG", "GONGZHI_HTTP_ADDR", "GONGZHI_WECHAT_AES_KEY", "GONGZHI_PUSH_RATE"} {
		if !seen[n] {
			t.Errorf("EnvNames() lacks %s", n)
		}
	}
}

// FuzzLoadFile: no settings file makes Load panic, print several lines, or
// show a secret of the environment. It decodes from memory: the file is only
// read with os.ReadFile, and disk I/O would slow the fuzzer for nothing.
func FuzzLoadFile(f *testing.F) {
	f.Add(twoCommunities)
	f.Add("wechat: {appid: wx1, appsecret: x}\n")
	f.Add("jobs: {a: \"@every 1s\"}\ncommunities: [{id: a, name: A, grids: [{id: g, buildings: [1, 1]}]}]\n")
	f.Add("db: &x {driver: mysql}\nwechat: *x\n")
	f.Add("<<: {http_addr: ':1'}\n")
	f.Add("a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n")
	const secret = "FUZZ-SECRET-9999-0123456789"
	env := environMap([]string{"GONGZHI_ADMIN_TOKEN=" + secret})
	f.Fuzz(func(t *testing.T, text string) {
		c := Default()
		c.names = map[string]string{}
		err := c.decodeFile("f.yaml", []byte(text))
		if err == nil {
			if err = c.applyEnv(env); err == nil {
				err = c.Validate()
			}
		}
		if err == nil {
			return
		}
		msg := c.scrub(err).Error()
		if strings.Contains(msg, secret) {
			t.Errorf("error shows the secret: %v", msg)
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("error has several lines: %q", msg)
		}
	})
}

// TestDocsExample loads the example file of docs/configuration.md, so that
// the documentation cannot drift from what Load accepts.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "configuration.md"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("docs/configuration.md not found")
	}
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "## Example file")
	if !ok {
		t.Fatal(`docs/configuration.md has no "## Example file" section`)
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	if !ok {
		t.Fatal("the example section has no ```yaml block")
	}
	example, _, _ := strings.Cut(rest, "```")
	c, err := Load(writeFile(t, example), []string{
		"GONGZHI_DB_DSN=gongzhi:pw@tcp(db.internal:3306)/gongzhi?charset=utf8mb4",
		"GONGZHI_WECHAT_APPSECRET=s", "GONGZHI_WECHAT_TOKEN=t",
		"GONGZHI_ACCOUNT_WXFEDCBA9876543210_APPSECRET=s", "GONGZHI_ACCOUNT_WXFEDCBA9876543210_TOKEN=t",
	})
	if err != nil {
		t.Fatalf("Load(docs example) = %v", err)
	}
	if len(c.Communities) != 2 || len(c.Accounts) != 1 {
		t.Errorf("docs example: %d communities, %d accounts; want 2 and 1", len(c.Communities), len(c.Accounts))
	}
}

func TestPushAndWindowSettings(t *testing.T) {
	c, err := Load("", []string{"GONGZHI_TEMPLATE_DEADLINE_REMINDER=tplA", "GONGZHI_TEMPLATE_DEFAULT=tplZ",
		"GONGZHI_PUSH_CUSTOM_PER_WINDOW=3", "GONGZHI_PUSH_LEASE=90s", "GONGZHI_INVITE_TTL=24h",
		"GONGZHI_METOO_WINDOW=72h", "GONGZHI_RATING_WINDOW=120h", "GONGZHI_PUSH_DAILY_TEMPLATE_QUOTA=500",
		"GONGZHI_MEETING_REMIND_UNDECIDED=true"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Templates["deadline_reminder"] != "tplA" || c.Templates["default"] != "tplZ" || c.PushCustomPerWindow != 3 ||
		c.PushLease != 90*time.Second || c.InviteTTL != 24*time.Hour || c.MeTooWindow != 72*time.Hour ||
		c.RatingWindow != 120*time.Hour || c.PushDailyTemplateQuota != 500 || !c.MeetingRemindUndecided {
		t.Errorf("settings = %+v", c)
	}
	if u := c.UnknownEnv(); len(u) != 0 {
		t.Errorf("UnknownEnv = %v, want none: template ids are settings", u)
	}
	for _, tt := range []struct{ env, name string }{
		{"GONGZHI_PUSH_LEASE=10ms", "GONGZHI_PUSH_LEASE"},
		{"GONGZHI_INVITE_TTL=-1h", "GONGZHI_INVITE_TTL"},
		{"GONGZHI_PUSH_CUSTOM_PER_WINDOW=many", "GONGZHI_PUSH_CUSTOM_PER_WINDOW"},
		{"GONGZHI_HOLIDAYS=/no/such/file", "GONGZHI_HOLIDAYS"},
		{"GONGZHI_MEETING_REMIND_UNDECIDED=maybe", "GONGZHI_MEETING_REMIND_UNDECIDED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", []string{tt.env})
			if err == nil || !strings.HasPrefix(err.Error(), tt.name) {
				t.Errorf("Load(%s) = %v, want an error naming %s", tt.env, err, tt.name)
			}
		})
	}
}
