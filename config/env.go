package config

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// EnvConfig names the variable holding the settings file when --config is not given.
const EnvConfig = "GONGZHI_CONFIG"

// setting ties one YAML key to its environment variable. An explicit table
// rather than struct tags: each variable's parse error can say what it wants.
type setting struct {
	key    string // YAML path, e.g. "db.dsn"
	env    string
	secret bool // never printed; Redacted shows set/unset
	set    func(c *Config, v string) error
}

func str(dst func(c *Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *dst(c) = v; return nil }
}

func dur(dst func(c *Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		*dst(c) = d
		return nil
	}
}

func durs(dst func(c *Config) *[]time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		var out []time.Duration
		for _, part := range strings.Split(v, ",") {
			d, err := parseDuration(strings.TrimSpace(part))
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		*dst(c) = out
		return nil
	}
}

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (want a number with a unit, e.g. \"30m\", \"24h\")", v)
	}
	return d, nil
}

var settings = []setting{
	{key: "http_addr", env: "GONGZHI_HTTP_ADDR", set: str(func(c *Config) *string { return &c.HTTPAddr })},
	{key: "pprof_addr", env: "GONGZHI_PPROF_ADDR", set: str(func(c *Config) *string { return &c.PprofAddr })},
	{key: "db.driver", env: "GONGZHI_DB_DRIVER", set: str(func(c *Config) *string { return &c.DB.Driver })},
	{key: "db.dsn", env: "GONGZHI_DB_DSN", set: str(func(c *Config) *string { return &c.DB.DSN })},
	{key: "redis_addr", env: "GONGZHI_REDIS_ADDR", set: str(func(c *Config) *string { return &c.RedisAddr })},
	{key: "wechat.appid", env: "GONGZHI_WECHAT_APPID", set: str(func(c *Config) *string { return &c.WeChat.AppID })},
	{key: "wechat.appsecret", env: "GONGZHI_WECHAT_APPSECRET", secret: true, set: str(func(c *Config) *string { return &c.WeChat.AppSecret })},
	{key: "wechat.token", env: "GONGZHI_WECHAT_TOKEN", secret: true, set: str(func(c *Config) *string { return &c.WeChat.Token })},
	{key: "wechat.aes_key", env: "GONGZHI_WECHAT_AES_KEY", secret: true, set: str(func(c *Config) *string { return &c.WeChat.AESKey })},
	{key: "wechat.api_base", env: "GONGZHI_WECHAT_API_BASE", set: str(func(c *Config) *string { return &c.WeChat.APIBase })},
	{key: "wechat.community", env: "GONGZHI_WECHAT_COMMUNITY", set: str(func(c *Config) *string { return &c.WeChat.Community })},
	{key: "admin_token", env: "GONGZHI_ADMIN_TOKEN", secret: true, set: str(func(c *Config) *string { return &c.AdminToken })},
	{key: "public_url", env: "GONGZHI_PUBLIC_URL", set: str(func(c *Config) *string { return &c.PublicURL })},
	{key: "retention_days", env: "GONGZHI_RETENTION_DAYS", set: count(func(c *Config) *int { return &c.RetentionDays })},
	{key: "timezone", env: "GONGZHI_TIMEZONE", set: str(func(c *Config) *string { return &c.Timezone })},
	{key: "catalog", env: "GONGZHI_CATALOG", set: str(func(c *Config) *string { return &c.Catalog })},
	{key: "deadline_reminders", env: "GONGZHI_DEADLINE_REMINDERS", set: durs(func(c *Config) *[]time.Duration { return &c.DeadlineReminders })},
	{key: "meeting_reminders", env: "GONGZHI_MEETING_REMINDERS", set: durs(func(c *Config) *[]time.Duration { return &c.MeetingReminders })},
	{key: "conversation_ttl", env: "GONGZHI_CONVERSATION_TTL", set: dur(func(c *Config) *time.Duration { return &c.ConversationTTL })},
	{key: "dedupe_ttl", env: "GONGZHI_DEDUPE_TTL", set: dur(func(c *Config) *time.Duration { return &c.DedupeTTL })},
	{key: "webhook_max_skew", env: "GONGZHI_WEBHOOK_MAX_SKEW", set: dur(func(c *Config) *time.Duration { return &c.ClockSkew })},
	{key: "webhook_reply_budget", env: "GONGZHI_WEBHOOK_REPLY_BUDGET", set: dur(func(c *Config) *time.Duration { return &c.ReplyBudget })},
	{key: "push_rate", env: "GONGZHI_PUSH_RATE", set: func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%q is not a number (pushes per second, e.g. \"20\" or \"0.5\")", v)
		}
		c.PushRate = f
		return nil
	}},
	{key: "log_level", env: "GONGZHI_LOG_LEVEL", set: str(func(c *Config) *string { return &c.LogLevel })},
	{key: "push_custom_per_window", env: "GONGZHI_PUSH_CUSTOM_PER_WINDOW", set: count(func(c *Config) *int { return &c.PushCustomPerWindow })},
	{key: "push_daily_template_quota", env: "GONGZHI_PUSH_DAILY_TEMPLATE_QUOTA", set: count(func(c *Config) *int { return &c.PushDailyTemplateQuota })},
	{key: "push_lease", env: "GONGZHI_PUSH_LEASE", set: dur(func(c *Config) *time.Duration { return &c.PushLease })},
	{key: "holidays", env: "GONGZHI_HOLIDAYS", set: str(func(c *Config) *string { return &c.Holidays })},
	{key: "invite_ttl", env: "GONGZHI_INVITE_TTL", set: dur(func(c *Config) *time.Duration { return &c.InviteTTL })},
	{key: "metoo_window", env: "GONGZHI_METOO_WINDOW", set: dur(func(c *Config) *time.Duration { return &c.MeTooWindow })},
	{key: "rating_window", env: "GONGZHI_RATING_WINDOW", set: dur(func(c *Config) *time.Duration { return &c.RatingWindow })},
	{key: "meeting_remind_undecided", env: "GONGZHI_MEETING_REMIND_UNDECIDED", set: func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.MeetingRemindUndecided = b
		return nil
	}},
}

func count(dst func(c *Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a count (a whole number, 0 or more)", v)
		}
		*dst(c) = n
		return nil
	}
}

// Variables found by scanning the environment rather than through the table.
const (
	jobPrefix      = "GONGZHI_JOB_"
	jobSuffix      = "_SCHEDULE"
	accountPrefix  = "GONGZHI_ACCOUNT_"
	templatePrefix = "GONGZHI_TEMPLATE_" // GONGZHI_TEMPLATE_<TYPE>: a push type's template id
)

// accountSecrets are the suffixes of GONGZHI_ACCOUNT_<APPID>_… variables, so
// that further accounts' secrets need not sit in the YAML file.
var accountSecrets = []struct {
	suffix, key string
	field       func(w *WeChat) *string
}{
	{"_APPSECRET", "appsecret", func(w *WeChat) *string { return &w.AppSecret }},
	{"_AES_KEY", "aes_key", func(w *WeChat) *string { return &w.AESKey }},
	{"_TOKEN", "token", func(w *WeChat) *string { return &w.Token }},
}

// EnvNames lists every fixed environment variable Load reads, for docs and -h.
func EnvNames() []string {
	names := []string{EnvConfig}
	for _, s := range settings {
		names = append(names, s.env)
	}
	return names
}

// environMap turns os.Environ-style pairs into a map; a later pair wins, as
// with the process environment. Empty values count as unset, so that a
// compose file's "${VAR:-}" leaves the default in place.
func environMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		if v == "" {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

// applyEnv sets every setting named in env over what the file and defaults gave.
func (c *Config) applyEnv(env map[string]string) error {
	known := map[string]bool{EnvConfig: true}
	for _, s := range settings {
		known[s.env] = true
		v, ok := env[s.env]
		if !ok {
			continue
		}
		if err := s.set(c, v); err != nil {
			if s.secret { // a parse error must not echo a secret; none of ours fail, but be sure
				err = fmt.Errorf("is not valid")
			}
			return &SettingError{Setting: s.env, Problem: err.Error()}
		}
		c.names[s.key] = s.env
	}

	// Sorted so that, with several bad variables, the same one is reported each run.
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := env[k]
		switch {
		case known[k]:
		case strings.HasPrefix(k, jobPrefix) && strings.HasSuffix(k, jobSuffix) && len(k) > len(jobPrefix)+len(jobSuffix):
			name := strings.TrimSuffix(strings.TrimPrefix(k, jobPrefix), jobSuffix)
			name = strings.ToUpper(name)
			if c.Jobs == nil {
				c.Jobs = map[string]string{}
			}
			c.Jobs[name] = v
			c.names[jobKey(name)] = k
		case strings.HasPrefix(k, accountPrefix):
			if err := c.applyAccountEnv(k, v); err != nil {
				return err
			}
		case strings.HasPrefix(k, templatePrefix) && len(k) > len(templatePrefix):
			typ := strings.ToLower(strings.TrimPrefix(k, templatePrefix))
			if c.Templates == nil {
				c.Templates = map[string]string{}
			}
			c.Templates[typ] = v
			c.names["templates."+typ] = k
		case strings.HasPrefix(k, "GONGZHI_"):
			c.unknown = append(c.unknown, k)
		}
	}
	return nil
}

// applyAccountEnv sets one further account's secret from GONGZHI_ACCOUNT_<APPID>_<FIELD>.
func (c *Config) applyAccountEnv(k, v string) error {
	rest := strings.TrimPrefix(k, accountPrefix)
	for _, f := range accountSecrets {
		appID, ok := strings.CutSuffix(rest, f.suffix)
		if !ok || appID == "" {
			continue
		}
		for i := range c.Accounts {
			if strings.EqualFold(c.Accounts[i].AppID, appID) {
				*f.field(&c.Accounts[i]) = v
				c.names[fmt.Sprintf("accounts[%d].%s", i, f.key)] = k
				return nil
			}
		}
		return &SettingError{Setting: k, Problem: fmt.Sprintf("no account with appid %q under accounts in the settings file", appID)}
	}
	return &SettingError{Setting: k, Problem: "unknown variable (want GONGZHI_ACCOUNT_<APPID>_APPSECRET, _TOKEN or _AES_KEY)"}
}

// jobKey is the YAML path of a job's schedule.
func jobKey(name string) string { return "jobs." + strings.ToLower(name) }

// jobEnv is the variable of a job's schedule.
func jobEnv(name string) string { return jobPrefix + strings.ToUpper(name) + jobSuffix }
