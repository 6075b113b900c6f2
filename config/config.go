// Package config holds Gongzhi's typed settings: defaults that run a sandbox
// with no settings at all, a YAML file, environment variables over it, and one
// Validate that names the bad setting in one line without ever printing a
// secret. It imports nothing of ours.
package config

import (
	"log/slog"
	"strings"
	"time"

	// Embedded zone data so that Asia/Shanghai loads on distroless and
	// scratch images, which carry no /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"
)

// Drivers accepted in DB.Driver.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// DefaultAPIBase is where WeChat API calls go unless GONGZHI_WECHAT_API_BASE says otherwise.
const DefaultAPIBase = "https://api.weixin.qq.com"

// Names of the built-in jobs, as used in Config.Jobs and in GONGZHI_JOB_<NAME>_SCHEDULE.
const (
	JobDeadlineReminder   = "DEADLINE_REMINDER"
	JobOverdueEscalation  = "OVERDUE_ESCALATION"
	JobMeetingReminder    = "MEETING_REMINDER"
	JobDailyDigest        = "DAILY_DIGEST"
	JobConversationExpiry = "CONVERSATION_EXPIRY"
	JobDedupeCleanup      = "DEDUPE_CLEANUP"
	JobCloseUnrated       = "CLOSE_UNRATED"
	JobRetentionPurge     = "RETENTION_PURGE"
	JobMonthlyTopic       = "MONTHLY_TOPIC" // 每月一题: 09:00 on the 1st
)

// JobOff as a job's schedule turns that job off (on this replica).
const JobOff = "off"

// fileOrigin marks a names entry as coming from the settings file.
const fileOrigin = "file:"

// Config is every setting of the service. Load fills it; Validate checks it
// and resolves the derived fields (Location, default community, …).
type Config struct {
	HTTPAddr  string   `yaml:"http_addr"`
	PprofAddr string   `yaml:"pprof_addr"` // "" = no profiling endpoint; else Go's pprof handlers there (keep it on loopback)
	DB        DB       `yaml:"db"`
	RedisAddr string   `yaml:"redis_addr"` // "" = in-process token cache, dedupe and locks
	WeChat    WeChat   `yaml:"wechat"`     // the default official account, served at /wechat
	Accounts  []WeChat `yaml:"accounts"`   // further official accounts, served at /wechat/{appid}

	AdminToken string `yaml:"admin_token"` // "" = the admin API refuses every call

	// PublicURL is the service's public base URL (no trailing slash), used
	// in links sent by chat and in Open311 discovery; never taken from a
	// request's Host header. Sandbox default: http://localhost:8080.
	PublicURL string `yaml:"public_url"`
	// RetentionDays is how long the personal data of a closed appeal is
	// kept after it closed; the RETENTION_PURGE job then masks it.
	RetentionDays int `yaml:"retention_days"`

	Timezone string         `yaml:"timezone"`
	Location *time.Location `yaml:"-"` // Timezone, resolved by Validate

	Catalog string `yaml:"catalog"` // "" = built-in catalog

	// Jobs maps a job NAME (upper case, e.g. DAILY_DIGEST) to its cron spec;
	// parse a spec with ParseSchedule. JobOff turns a job off.
	Jobs map[string]string `yaml:"jobs"`

	DeadlineReminders []time.Duration `yaml:"deadline_reminders"`
	MeetingReminders  []time.Duration `yaml:"meeting_reminders"`
	ConversationTTL   time.Duration   `yaml:"conversation_ttl"`
	DedupeTTL         time.Duration   `yaml:"dedupe_ttl"`
	ClockSkew         time.Duration   `yaml:"webhook_max_skew"`
	ReplyBudget       time.Duration   `yaml:"webhook_reply_budget"`
	PushRate          float64         `yaml:"push_rate"` // pushes per second
	LogLevel          string          `yaml:"log_level"`

	// Templates maps a push type (lower case, e.g. deadline_reminder,
	// meeting_invite) to its WeChat template id; "default" serves the rest.
	Templates map[string]string `yaml:"templates"`
	// PushCustomPerWindow is how many customer-service messages one person
	// gets per 48-hour window before pushes switch to templates.
	PushCustomPerWindow int `yaml:"push_custom_per_window"`
	// PushDailyTemplateQuota caps template sends a day (the account's quota);
	// what is over waits for the next day.
	PushDailyTemplateQuota int           `yaml:"push_daily_template_quota"`
	PushLease              time.Duration `yaml:"push_lease"`    // how long a dispatcher holds claimed pushes
	Holidays               string        `yaml:"holidays"`      // holiday file replacing the built-in calendar
	InviteTTL              time.Duration `yaml:"invite_ttl"`    // lifetime of staff binding codes
	MeTooWindow            time.Duration `yaml:"metoo_window"`  // how far back an open appeal of the same topic is offered for 附议
	RatingWindow           time.Duration `yaml:"rating_window"` // after this a resolved appeal without a rating closes as unrated
	// MeetingRemindUndecided also reminds invitees who have not answered.
	MeetingRemindUndecided bool `yaml:"meeting_remind_undecided"`

	Communities []Community `yaml:"communities"`

	// names maps a setting's YAML path to where Load found it: the
	// environment variable, or fileOrigin+path of the settings file.
	names map[string]string
	// unknown lists GONGZHI_* variables that no setting reads (names only).
	unknown []string
}

// DB says which database to open.
type DB struct {
	Driver string `yaml:"driver"` // DriverSQLite or DriverMySQL
	DSN    string `yaml:"dsn"`    // SQLite file, or a go-sql-driver/mysql DSN (parseTime=true is added if absent)
}

// WeChat is one official account. An empty AppID on Config.WeChat means sandbox.
type WeChat struct {
	AppID     string `yaml:"appid"`
	AppSecret string `yaml:"appsecret"`
	Token     string `yaml:"token"`
	AESKey    string `yaml:"aes_key"` // EncodingAESKey; "" = plaintext mode
	APIBase   string `yaml:"api_base"`
	Community string `yaml:"community"` // id of the community this account serves; "" = the first
}

// Community is one residential community the service runs for.
type Community struct {
	ID       string  `yaml:"id"`
	Name     string  `yaml:"name"`
	Center   *Point  `yaml:"center"` // optional
	RadiusKM float64 `yaml:"radius_km"`
	Grids    []Grid  `yaml:"grids"`
	Hotline  string  `yaml:"hotline"`
}

// Point is a WGS-84 position.
type Point struct {
	Lat float64 `yaml:"lat"`
	Lng float64 `yaml:"lng"`
}

// Grid is one grid (网格) of a community and the buildings it covers.
type Grid struct {
	ID        string   `yaml:"id"`
	Name      string   `yaml:"name"`
	Buildings []string `yaml:"buildings"` // normalised by Validate with NormalizeBuilding: "1", "12", "B"
}

// Default returns the settings used when nothing is configured: sandbox mode,
// SQLite at data/gongzhi.db, the sample community. It is not yet validated
// (Location is nil); Load("", nil) gives the validated form.
func Default() *Config {
	return &Config{
		HTTPAddr:          ":8080",
		DB:                DB{Driver: DriverSQLite, DSN: "data/gongzhi.db"},
		WeChat:            WeChat{APIBase: DefaultAPIBase},
		Timezone:          "Asia/Shanghai",
		Jobs:              DefaultJobs(),
		DeadlineReminders: []time.Duration{24 * time.Hour},
		MeetingReminders:  []time.Duration{24 * time.Hour, time.Hour},
		ConversationTTL:   30 * time.Minute,
		DedupeTTL:         72 * time.Hour,
		ClockSkew:         5 * time.Minute,
		ReplyBudget:       4 * time.Second,
		PushRate:          20,
		LogLevel:          "info",

		Templates:              map[string]string{},
		PushCustomPerWindow:    5,
		PushDailyTemplateQuota: 100000,
		PushLease:              time.Minute,
		InviteTTL:              72 * time.Hour,
		MeTooWindow:            7 * 24 * time.Hour,
		RatingWindow:           7 * 24 * time.Hour,
		RetentionDays:          3 * 365,
		Communities:            []Community{SampleCommunity()},
	}
}

// DefaultJobs returns the built-in jobs and their default schedules.
func DefaultJobs() map[string]string {
	return map[string]string{
		JobDeadlineReminder:   "0 */10 * * * *",
		JobOverdueEscalation:  "0 */10 * * * *",
		JobMeetingReminder:    "0 * * * * *",
		JobDailyDigest:        "0 0 8 * * *",
		JobConversationExpiry: "0 */5 * * * *",
		JobDedupeCleanup:      "0 17 3 * * *",
		JobCloseUnrated:       "0 30 * * * *",
		JobRetentionPurge:     "0 40 3 * * *",
		JobMonthlyTopic:       "0 0 9 1 * *",
	}
}

// SampleCommunity is the community served when none is configured.
func SampleCommunity() Community {
	return Community{
		ID:       "sample",
		Name:     "示例社区",
		Center:   &Point{Lat: 29.5630, Lng: 106.5516},
		RadiusKM: 2,
		Hotline:  "023-00000000",
		Grids: []Grid{
			{ID: "g1", Name: "网格一", Buildings: []string{"1", "2", "3", "4"}},
			{ID: "g2", Name: "网格二", Buildings: []string{"5", "6", "7", "8"}},
			{ID: "g3", Name: "网格三", Buildings: []string{"9", "10", "11", "12"}},
		},
	}
}

// scheduleParser accepts 5-field specs, 6-field specs with seconds first, and
// descriptors such as "@every 1s" or "@daily".
var scheduleParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a job's cron spec the way Validate checks it. Use it,
// or cron.New(cron.WithParser(ScheduleParser())), so that what validates also runs.
func ParseSchedule(spec string) (cron.Schedule, error) {
	return scheduleParser.Parse(spec)
}

// ScheduleParser is the parser behind ParseSchedule, for cron.WithParser.
func ScheduleParser() cron.ScheduleParser { return scheduleParser }

// Sandbox reports whether the service runs against the built-in fake WeChat
// platform, which it does when no AppID is configured.
func (c *Config) Sandbox() bool { return c.WeChat.AppID == "" }

// Retention is RetentionDays as a duration.
func (c *Config) Retention() time.Duration { return time.Duration(c.RetentionDays) * 24 * time.Hour }

// Community returns the community with the given id.
func (c *Config) Community(id string) (*Community, bool) {
	for i := range c.Communities {
		if c.Communities[i].ID == id {
			return &c.Communities[i], true
		}
	}
	return nil, false
}

// Account returns the official account with the given AppID: the default one
// or one of Accounts.
func (c *Config) Account(appID string) (*WeChat, bool) {
	if appID == "" {
		return nil, false
	}
	if c.WeChat.AppID == appID {
		return &c.WeChat, true
	}
	for i := range c.Accounts {
		if c.Accounts[i].AppID == appID {
			return &c.Accounts[i], true
		}
	}
	return nil, false
}

// Schedule returns a job's cron spec and whether the job runs at all (it does
// not when its spec is JobOff or it has none).
func (c *Config) Schedule(name string) (spec string, on bool) {
	spec = c.Jobs[strings.ToUpper(name)]
	return spec, spec != "" && spec != JobOff
}

// SlogLevel is LogLevel as a slog.Level (info when LogLevel is not valid).
func (c *Config) SlogLevel() slog.Level {
	switch strings.ToLower(c.LogLevel) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// UnknownEnv lists the GONGZHI_* environment variables that Load saw but no
// setting reads, most likely typos; main should log them as a warning. Only
// names are kept, never values.
func (c *Config) UnknownEnv() []string { return append([]string(nil), c.unknown...) }

// Grid returns the grid with the given id.
func (cm *Community) Grid(id string) (*Grid, bool) {
	for i := range cm.Grids {
		if cm.Grids[i].ID == id {
			return &cm.Grids[i], true
		}
	}
	return nil, false
}

// GridOf returns the grid that covers a building, as a resident names it
// ("3栋", "３号楼" and "3" are the same building).
func (cm *Community) GridOf(building string) (*Grid, bool) {
	b := NormalizeBuilding(building)
	if b == "" {
		return nil, false
	}
	for i := range cm.Grids {
		for _, have := range cm.Grids[i].Buildings {
			if have == b {
				return &cm.Grids[i], true
			}
		}
	}
	return nil, false
}

// buildingSuffixes are the words residents put after a building number.
var buildingSuffixes = []string{"号楼", "栋楼", "幢楼", "栋", "幢", "座", "楼", "号"}

// NormalizeBuilding turns a building number as a resident writes it into the
// form grids list: full-width characters folded, "第" and "栋/幢/号楼/座"
// dropped, leading zeros dropped, letters upper-cased: "第０3栋" → "3",
// "b座" → "B". It returns "" for an empty name.
func NormalizeBuilding(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '！' && r <= '～': // full-width ASCII block
			r -= '！' - '!'
		case r == '　': // ideographic space
			r = ' '
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	out = strings.TrimPrefix(out, "第")
	for _, suf := range buildingSuffixes {
		if strings.HasSuffix(out, suf) {
			out = strings.TrimSuffix(out, suf)
			break
		}
	}
	out = strings.ToUpper(strings.TrimSpace(out))
	if trimmed := strings.TrimLeft(out, "0"); trimmed != "" && trimmed[0] >= '0' && trimmed[0] <= '9' {
		out = trimmed
	} else if trimmed == "" && out != "" {
		out = "0"
	}
	return out
}
