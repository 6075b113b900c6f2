package config

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// maxReplyBudget: WeChat waits 5 s for a webhook's answer and then retries,
// so the reply budget must leave room to answer "success" before that.
const maxReplyBudget = 5 * time.Second

var (
	// AppIDs become a URL path segment (/wechat/{appid}).
	appIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	// Community and grid ids are stored in the database and appear in URLs.
	idRE      = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	jobNameRE = regexp.MustCompile(`^[A-Z0-9_]+$`)
	aesKeyRE  = regexp.MustCompile(`^[A-Za-z0-9+/]{43}$`)
)

// Validate checks every setting and fills the derived ones: Location from
// Timezone, parseTime=true in a MySQL DSN, each account's default community
// and API base, and normalised building numbers. It returns the first problem
// as one line naming the setting; no secret is ever part of it.
func (c *Config) Validate() error {
	if err := c.validate(); err != nil {
		return c.scrub(err)
	}
	return nil
}

// fail builds the error for the setting at YAML path key.
func (c *Config) fail(key, format string, args ...any) error {
	return &SettingError{Setting: c.nameOf(key), Problem: fmt.Sprintf(format, args...)}
}

// nameOf says how the operator set key: its environment variable, or the
// file and key it came from. A default is named by its variable, since that
// is the way to change it.
func (c *Config) nameOf(key string) string {
	for k := key; k != ""; k = parent(k) {
		n, ok := c.names[k]
		if !ok {
			continue
		}
		if file, ok := strings.CutPrefix(n, fileOrigin); ok {
			return file + ": " + key // the key itself, though only its parent is in the file
		}
		if k == key {
			return n
		}
	}
	for _, s := range settings {
		if s.key == key {
			return s.env
		}
	}
	if name, ok := strings.CutPrefix(key, "jobs."); ok {
		return jobEnv(name)
	}
	return key
}

// parent strips the last ".key" or "[i]" of a YAML path.
func parent(key string) string {
	i := strings.LastIndexAny(key, ".[")
	if i < 0 {
		return ""
	}
	return key[:i]
}

func (c *Config) validate() error {
	if err := c.validateHTTP(); err != nil {
		return err
	}
	if err := c.validateSecurity(); err != nil {
		return err
	}
	if err := c.validatePublicURL(); err != nil {
		return err
	}
	if err := c.validateDB(); err != nil {
		return err
	}
	if err := c.validateRedis(); err != nil {
		return err
	}
	if err := c.validateCommunities(); err != nil {
		return err
	}
	if err := c.validateAccounts(); err != nil {
		return err
	}
	if err := c.validateTime(); err != nil {
		return err
	}
	if c.Catalog != "" {
		fi, err := os.Stat(c.Catalog)
		if err != nil {
			return c.fail("catalog", "%v", err)
		}
		if fi.IsDir() {
			return c.fail("catalog", "%q is a directory, want a catalog file", c.Catalog)
		}
	}
	if err := c.validateJobs(); err != nil {
		return err
	}
	if err := c.validateDurations(); err != nil {
		return err
	}
	if math.IsNaN(c.PushRate) || math.IsInf(c.PushRate, 0) || c.PushRate <= 0 {
		return c.fail("push_rate", "%v is not a positive number of pushes per second", c.PushRate)
	}
	c.LogLevel = strings.ToLower(strings.TrimSpace(c.LogLevel))
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c.fail("log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	return nil
}

func (c *Config) validateHTTP() error {
	_, port, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil || port == "" {
		return c.fail("http_addr", "%q has no port (want host:port or :port, e.g. \":8080\")", c.HTTPAddr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return c.fail("http_addr", "%q: port %q is not a number from 0 to 65535", c.HTTPAddr, port)
	}
	return nil
}

// MinAdminTokenLen is the shortest admin token accepted: 24 random
// characters cannot be guessed over HTTP.
const MinAdminTokenLen = 24

// sandboxAddr is where the sandbox listens unless told otherwise: its
// simulator signs any request and shows anyone's pushes.
const sandboxAddr = "127.0.0.1:8080"

func (c *Config) validateSecurity() error {
	if _, set := c.names["http_addr"]; c.Sandbox() && !set && c.HTTPAddr == Default().HTTPAddr {
		c.HTTPAddr = sandboxAddr
	}
	if n := len(c.AdminToken); n > 0 && n < MinAdminTokenLen {
		return c.fail("admin_token", "is %d characters: want at least %d random characters (e.g. openssl rand -hex 16)", n, MinAdminTokenLen)
	}
	if c.RetentionDays < 1 {
		return c.fail("retention_days", "%d: want a number of days, at least 1", c.RetentionDays)
	}
	return nil
}

func (c *Config) validateDB() error {
	c.DB.Driver = strings.ToLower(strings.TrimSpace(c.DB.Driver))
	if c.DB.Driver != DriverSQLite && c.DB.Driver != DriverMySQL {
		return c.fail("db.driver", "%q is not one of sqlite, mysql", c.DB.Driver)
	}
	if strings.TrimSpace(c.DB.DSN) == "" {
		return c.fail("db.dsn", "is empty (want a SQLite file path, or a MySQL DSN)")
	}
	if c.DB.Driver == DriverSQLite {
		// A MySQL DSN here would quietly become a file named "user:pw@tcp(…)".
		if strings.Contains(c.DB.DSN, "@tcp(") || strings.Contains(c.DB.DSN, "@unix(") {
			return c.fail("db.dsn", "looks like a MySQL DSN but the driver is sqlite (set %s=mysql)", c.nameOfEnv("db.driver"))
		}
		return nil
	}
	dsn, err := mysqlDSN(c.DB.DSN)
	if err != nil {
		return c.fail("db.dsn", "%v", err)
	}
	c.DB.DSN = dsn
	return nil
}

// mysqlDSN checks a go-sql-driver DSN and adds parseTime=true if absent,
// because the store scans DATETIME columns into time.Time. The returned
// error never quotes the DSN (it may hold a password).
func mysqlDSN(dsn string) (string, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("is not a MySQL DSN like user:password@tcp(host:3306)/gongzhi?parseTime=true: %w", err)
	}
	if cfg.ParseTime {
		return dsn, nil
	}
	if _, params, ok := strings.Cut(dsn[strings.LastIndex(dsn, "/"):], "?"); ok && hasParam(params, "parseTime") {
		return "", fmt.Errorf("parseTime must be true (the store reads DATETIME columns as time.Time)")
	}
	if strings.Contains(dsn[strings.LastIndex(dsn, "/"):], "?") {
		return dsn + "&parseTime=true", nil
	}
	return dsn + "?parseTime=true", nil
}

func hasParam(params, name string) bool {
	for _, p := range strings.Split(params, "&") {
		if k, _, _ := strings.Cut(p, "="); k == name {
			return true
		}
	}
	return false
}

func (c *Config) validateRedis() error {
	if c.RedisAddr == "" {
		return nil
	}
	if strings.Contains(c.RedisAddr, "://") {
		return c.fail("redis_addr", "want host:port (e.g. \"redis:6379\"), not a URL")
	}
	if _, port, err := net.SplitHostPort(c.RedisAddr); err != nil || port == "" {
		return c.fail("redis_addr", "%q is not host:port (e.g. \"redis:6379\")", c.RedisAddr)
	}
	return nil
}

// validateAccount checks one official account whose settings sit under key.
func (c *Config) validateAccount(key string, w *WeChat, defaultAccount bool) error {
	if w.AppID == "" {
		if !defaultAccount {
			return c.fail(key+".appid", "is empty (every further account needs its appid)")
		}
		// Without an AppID the service pushes to its fake platform: a secret
		// given without one is almost surely a forgotten AppID.
		if w.AppSecret != "" {
			return c.fail(key+".appid", "is empty while %s is set (an empty appid means sandbox mode)", c.nameOf(key+".appsecret"))
		}
	} else {
		if !appIDRE.MatchString(w.AppID) {
			return c.fail(key+".appid", "%q may hold only letters, digits, '_' and '-'", w.AppID)
		}
		if w.AppSecret == "" {
			return c.failSecret(key, "appsecret", w, defaultAccount)
		}
		if w.Token == "" {
			return c.failSecret(key, "token", w, defaultAccount)
		}
	}
	if w.AESKey != "" && !aesKeyRE.MatchString(w.AESKey) {
		return c.fail(key+".aes_key", "must be exactly 43 characters of A-Z, a-z, 0-9, '+' and '/' (the EncodingAESKey from the WeChat console); got %d characters", len(w.AESKey))
	}
	if w.APIBase == "" && !defaultAccount {
		w.APIBase = c.WeChat.APIBase
	}
	u, err := url.Parse(w.APIBase)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return c.fail(key+".api_base", "%q is not an http(s) URL such as %s", redactURL(w.APIBase), DefaultAPIBase)
	}
	if w.Community == "" {
		w.Community = c.Communities[0].ID
	} else if _, ok := c.Community(w.Community); !ok {
		return c.fail(key+".community", "%q is not the id of a community (have: %s)", w.Community, c.communityIDs())
	}
	return nil
}

// failSecret reports a missing secret of an account by its variable, since
// that is where a secret belongs (not in the file).
func (c *Config) failSecret(key, field string, w *WeChat, defaultAccount bool) error {
	name := c.nameOf(key + "." + field)
	if _, set := c.names[key+"."+field]; !set {
		if defaultAccount {
			name = c.nameOfEnv(key + "." + field)
		} else {
			name = accountPrefix + strings.ToUpper(w.AppID) + "_" + strings.ToUpper(field)
		}
	}
	return &SettingError{Setting: name, Problem: fmt.Sprintf("is required when %s is set", c.nameOf(key+".appid"))}
}

func (c *Config) validateAccounts() error {
	if err := c.validateAccount("wechat", &c.WeChat, true); err != nil {
		return err
	}
	seen := map[string]string{}
	if c.WeChat.AppID != "" {
		seen[strings.ToLower(c.WeChat.AppID)] = "wechat.appid"
	}
	for i := range c.Accounts {
		key := fmt.Sprintf("accounts[%d]", i)
		if err := c.validateAccount(key, &c.Accounts[i], false); err != nil {
			return err
		}
		id := strings.ToLower(c.Accounts[i].AppID)
		if prev, dup := seen[id]; dup {
			return c.fail(key+".appid", "%q is already used by %s", c.Accounts[i].AppID, prev)
		}
		seen[id] = key + ".appid"
	}
	return nil
}

func (c *Config) validateTime() error {
	if c.Timezone == "" {
		return c.fail("timezone", "is empty (want an IANA zone such as Asia/Shanghai)")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return c.fail("timezone", "%q is not a time zone (want an IANA zone such as Asia/Shanghai)", c.Timezone)
	}
	c.Location = loc
	return nil
}

func (c *Config) validateJobs() error {
	names := make([]string, 0, len(c.Jobs))
	for name := range c.Jobs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		spec := strings.TrimSpace(c.Jobs[name])
		key := jobKey(name)
		if !jobNameRE.MatchString(name) {
			return c.fail(key, "job name %q may hold only A-Z, 0-9 and '_'", name)
		}
		c.Jobs[name] = spec
		if spec == JobOff {
			continue
		}
		if spec == "" {
			return c.fail(key, "is empty (want a cron spec such as \"0 */10 * * * *\", or %q)", JobOff)
		}
		if _, err := ParseSchedule(spec); err != nil {
			return c.fail(key, "%q is not a cron spec (seconds field optional, or @every 1m): %v", spec, err)
		}
	}
	return nil
}

func (c *Config) validateDurations() error {
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"conversation_ttl", c.ConversationTTL},
		{"dedupe_ttl", c.DedupeTTL},
		{"webhook_max_skew", c.ClockSkew},
		{"webhook_reply_budget", c.ReplyBudget},
		{"push_lease", c.PushLease},
		{"invite_ttl", c.InviteTTL},
		{"metoo_window", c.MeTooWindow},
		{"rating_window", c.RatingWindow},
	} {
		if d.v <= 0 {
			return c.fail(d.key, "%v is not a positive duration", d.v)
		}
	}
	if c.PushLease < time.Second {
		return c.fail("push_lease", "%v is too short (at least 1s)", c.PushLease)
	}
	if c.Holidays != "" {
		if _, err := os.Stat(c.Holidays); err != nil {
			return c.fail("holidays", "file %q cannot be read", c.Holidays)
		}
	}
	if c.ReplyBudget >= maxReplyBudget {
		return c.fail("webhook_reply_budget", "%v is too long: WeChat gives up on a webhook after %v", c.ReplyBudget, maxReplyBudget)
	}
	// A message may be replayed for as long as its timestamp is accepted;
	// its dedupe key must live at least that long.
	if c.DedupeTTL < c.ClockSkew {
		return c.fail("dedupe_ttl", "%v is shorter than %s (%v): a replayed message could be handled twice", c.DedupeTTL, c.nameOf("webhook_max_skew"), c.ClockSkew)
	}
	for _, r := range []struct {
		key string
		v   []time.Duration
	}{
		{"deadline_reminders", c.DeadlineReminders},
		{"meeting_reminders", c.MeetingReminders},
	} {
		if len(r.v) == 0 {
			return c.fail(r.key, "is empty (want at least one duration, e.g. \"24h,1h\")")
		}
		seen := map[time.Duration]bool{}
		for _, d := range r.v {
			if d <= 0 {
				return c.fail(r.key, "%v is not a positive duration", d)
			}
			if seen[d] {
				return c.fail(r.key, "%v is given twice", d)
			}
			seen[d] = true
		}
	}
	return nil
}

func (c *Config) validateCommunities() error {
	if len(c.Communities) == 0 {
		return c.fail("communities", "is empty (want at least one community)")
	}
	ids := map[string]int{}
	for i := range c.Communities {
		cm := &c.Communities[i]
		key := fmt.Sprintf("communities[%d]", i)
		if !idRE.MatchString(cm.ID) {
			return c.fail(key+".id", "%q: want a non-empty id of letters, digits, '_' and '-'", cm.ID)
		}
		if j, dup := ids[cm.ID]; dup {
			return c.fail(key+".id", "%q is also the id of communities[%d]", cm.ID, j)
		}
		ids[cm.ID] = i
		if strings.TrimSpace(cm.Name) == "" {
			return c.fail(key+".name", "is empty")
		}
		if p := cm.Center; p != nil && (p.Lat < -90 || p.Lat > 90 || p.Lng < -180 || p.Lng > 180 || math.IsNaN(p.Lat) || math.IsNaN(p.Lng)) {
			return c.fail(key+".center", "lat %v, lng %v is not a position (lat −90…90, lng −180…180)", p.Lat, p.Lng)
		}
		if cm.RadiusKM < 0 || math.IsNaN(cm.RadiusKM) {
			return c.fail(key+".radius_km", "%v is negative", cm.RadiusKM)
		}
		grids := map[string]int{}
		owner := map[string]string{} // building → grid id
		for j := range cm.Grids {
			g := &cm.Grids[j]
			gkey := fmt.Sprintf("%s.grids[%d]", key, j)
			if !idRE.MatchString(g.ID) {
				return c.fail(gkey+".id", "%q: want a non-empty id of letters, digits, '_' and '-'", g.ID)
			}
			if k, dup := grids[g.ID]; dup {
				return c.fail(gkey+".id", "%q is also the id of %s.grids[%d]", g.ID, key, k)
			}
			grids[g.ID] = j
			for k, b := range g.Buildings {
				n := NormalizeBuilding(b)
				if n == "" {
					return c.fail(fmt.Sprintf("%s.buildings[%d]", gkey, k), "is empty")
				}
				if prev, dup := owner[n]; dup {
					return c.fail(gkey+".buildings", "building %q is already in grid %q of community %q", n, prev, cm.ID)
				}
				owner[n] = g.ID
				g.Buildings[k] = n
			}
		}
	}
	return nil
}

func (c *Config) communityIDs() string {
	ids := make([]string, len(c.Communities))
	for i, cm := range c.Communities {
		ids[i] = cm.ID
	}
	return strings.Join(ids, ", ")
}

// nameOfEnv names a setting by its variable when it has one, for hints.
func (c *Config) nameOfEnv(key string) string {
	for _, s := range settings {
		if s.key == key {
			return s.env
		}
	}
	return key
}
