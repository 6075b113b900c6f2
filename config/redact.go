package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
)

const redacted = "***"

// setOrUnset is how a secret is shown: whether it is there, never what it is.
func setOrUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return "set"
}

// Redacted returns every setting by its YAML key, for logging at start-up,
// with secrets shown as "set"/"unset" and a MySQL password as "***".
func (c *Config) Redacted() map[string]any {
	jobs := make(map[string]string, len(c.Jobs))
	for k, v := range c.Jobs {
		jobs[k] = v
	}
	accounts := make([]map[string]any, len(c.Accounts))
	for i := range c.Accounts {
		accounts[i] = c.Accounts[i].redacted()
	}
	communities := make([]string, len(c.Communities))
	for i, cm := range c.Communities {
		communities[i] = fmt.Sprintf("%s (%s, %d grids)", cm.ID, cm.Name, len(cm.Grids))
	}
	catalog := c.Catalog
	if catalog == "" {
		catalog = "built-in"
	}
	redis := redactURL(c.RedisAddr)
	if redis == "" {
		redis = "in-process"
	}
	return map[string]any{
		"sandbox":                   c.Sandbox(),
		"http_addr":                 c.HTTPAddr,
		"pprof_addr":                c.PprofAddr,
		"db":                        map[string]any{"driver": c.DB.Driver, "dsn": RedactDSN(c.DB.Driver, c.DB.DSN)},
		"redis_addr":                redis,
		"wechat":                    c.WeChat.redacted(),
		"accounts":                  accounts,
		"admin_token":               setOrUnset(c.AdminToken),
		"public_url":                c.PublicURL,
		"timezone":                  c.Timezone,
		"catalog":                   catalog,
		"jobs":                      jobs,
		"deadline_reminders":        fmt.Sprint(c.DeadlineReminders),
		"meeting_reminders":         fmt.Sprint(c.MeetingReminders),
		"conversation_ttl":          c.ConversationTTL.String(),
		"dedupe_ttl":                c.DedupeTTL.String(),
		"webhook_max_skew":          c.ClockSkew.String(),
		"webhook_reply_budget":      c.ReplyBudget.String(),
		"push_rate":                 c.PushRate,
		"log_level":                 c.LogLevel,
		"templates":                 c.Templates,
		"push_custom_per_window":    c.PushCustomPerWindow,
		"push_daily_template_quota": c.PushDailyTemplateQuota,
		"push_lease":                c.PushLease.String(),
		"holidays":                  c.Holidays,
		"invite_ttl":                c.InviteTTL.String(),
		"metoo_window":              c.MeTooWindow.String(),
		"rating_window":             c.RatingWindow.String(),
		"meeting_remind_undecided":  c.MeetingRemindUndecided,
		"retention_days":            c.RetentionDays,
		"communities":               communities,
	}
}

func (w WeChat) redacted() map[string]any {
	return map[string]any{
		"appid":     w.AppID,
		"appsecret": setOrUnset(w.AppSecret),
		"token":     setOrUnset(w.Token),
		"aes_key":   setOrUnset(w.AESKey),
		"api_base":  redactURL(w.APIBase),
		"community": w.Community,
	}
}

// String prints the redacted settings, so that a stray %v never leaks a
// secret. Value receivers: printing a Config or a *Config is redacted alike.
func (c Config) String() string { return flatten("", c.Redacted()) }

// GoString keeps %#v redacted too.
func (c Config) GoString() string { return "config.Config{" + c.String() + "}" }

// LogValue makes slog.Any("config", cfg) log the redacted settings.
func (c Config) LogValue() slog.Value { return slog.AnyValue(c.Redacted()) }

// String prints the account with its secrets as set/unset.
func (w WeChat) String() string { return flatten("", w.redacted()) }

// GoString keeps %#v of an account redacted.
func (w WeChat) GoString() string { return "config.WeChat{" + w.String() + "}" }

// LogValue makes slog log an account redacted.
func (w WeChat) LogValue() slog.Value { return slog.AnyValue(w.redacted()) }

// flatten writes a nested map as sorted "a.b=v" pairs on one line.
func flatten(prefix string, m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		switch v := m[k].(type) {
		case map[string]any:
			parts = append(parts, flatten(prefix+k+".", v))
		default:
			parts = append(parts, fmt.Sprintf("%s%s=%v", prefix, k, v))
		}
	}
	return strings.Join(parts, " ")
}

// RedactDSN hides the password of a MySQL DSN ("user:***@tcp(db:3306)/x").
// SQLite paths hold no secret and are returned as they are.
func RedactDSN(driver, dsn string) string {
	if driver != DriverMySQL {
		return dsn
	}
	start, end, ok := dsnPassword(dsn)
	if !ok {
		return dsn
	}
	return dsn[:start] + redacted + dsn[end:]
}

// dsnPassword finds the password in a go-sql-driver DSN the way its ParseDSN
// does — the first ':' before the last '@' before the last '/' — so that what
// the driver reads as the password is exactly what is hidden, even when
// ParseDSN itself fails later.
func dsnPassword(dsn string) (start, end int, ok bool) {
	slash := strings.LastIndex(dsn, "/")
	if slash <= 0 {
		// No database part: hide anything that looks like user:password@.
		slash = len(dsn)
	}
	at := strings.LastIndex(dsn[:slash], "@")
	if at < 0 {
		return 0, 0, false
	}
	colon := strings.Index(dsn[:at], ":")
	if colon < 0 || colon+1 == at {
		return 0, 0, false
	}
	return colon + 1, at, true
}

// redactURL hides a password in a URL's user info ("http://u:***@host/").
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(s, "@"); i >= 0 && !strings.Contains(s, "://") {
			return redacted + s[i:]
		}
		return s
	}
	return u.Redacted()
}

// secrets lists every secret value the settings hold, longest first, so that
// scrub replaces a secret before any shorter one inside it.
func (c *Config) secrets() []string {
	var out []string
	add := func(s string) {
		// Very short values would also match ordinary text; no message of
		// ours quotes a secret anyway, scrubbing is the second line of defence.
		if len(s) >= 4 {
			out = append(out, s)
		}
	}
	for _, w := range append([]WeChat{c.WeChat}, c.Accounts...) {
		add(w.AppSecret)
		add(w.Token)
		add(w.AESKey)
	}
	add(c.AdminToken)
	if start, end, ok := dsnPassword(c.DB.DSN); ok && c.DB.Driver != DriverSQLite {
		add(c.DB.DSN[start:end])
	}
	if u, err := url.Parse(c.RedisAddr); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			add(p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// scrub replaces any secret that made its way into err's text with "***".
// A scrubbed error no longer unwraps: the original's text holds the secret.
func (c *Config) scrub(err error) error {
	if err == nil {
		return nil
	}
	secrets := c.secrets()
	clean := func(s string) string {
		for _, secret := range secrets {
			s = strings.ReplaceAll(s, secret, redacted)
		}
		return s
	}
	msg := err.Error()
	if clean(msg) == msg {
		return err
	}
	var se *SettingError
	if errors.As(err, &se) && se.Error() == msg {
		return &SettingError{Setting: clean(se.Setting), Problem: clean(se.Problem)}
	}
	return errors.New(clean(msg))
}
