// Command gongzhi runs a community's WeChat official account for
// community governance: appeals, the list, staff tasks, meetings.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gongzhi/gongzhi/bot/triage"
	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/models/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, e *env, args []string) error
}

// env is what every command gets.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string
	configPath     string
}

var commands = []command{
	{"serve", "serve", "run the service (the default command)", cmdServe},
	{"migrate", "migrate", "apply the database schema and exit", cmdMigrate},
	{"version", "version", "print the version", cmdVersion},
	{"healthcheck", "healthcheck", "exit 0 when the local service answers /healthz (for container health checks)", cmdHealthcheck},
	{"staff", "staff invite --role R [--grid G] [--department D] --name N", "issue a one-time staff binding code", cmdStaff},
	{"report", "report [--from DATE] [--to DATE] [--csv|--json] [--list --csv] | report --campaign CODE", "print the list's figures (Chinese labels) for a date range, export the list, or a campaign's report", cmdReport},
	{"classify", "classify [--json]", "read appeal texts, one a line, on stdin and print what the bot would decide", cmdClassify},
	{"menu", "menu sync", "create or update the official accounts' custom menu", cmdMenu},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "gongzhi %s — 共治: community governance on a WeChat official account\n\n", version)
	fmt.Fprintf(w, "Usage: gongzhi [--config FILE] <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nSettings come from the YAML file (--config or GONGZHI_CONFIG) and GONGZHI_* variables;\nsee the README. Each command takes -h.\n")
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	fs := flag.NewFlagSet("gongzhi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(stderr) }
	cfgPath := fs.String("config", "", "YAML settings file (also GONGZHI_CONFIG)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ, configPath: *cfgPath}
	if e.configPath == "" {
		e.configPath = lookupEnv(environ, "GONGZHI_CONFIG")
	}
	rest := fs.Args()
	name := "serve"
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if name == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == name {
			if err := c.run(ctx, e, rest); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return 0
				}
				fmt.Fprintf(stderr, "gongzhi %s: %v\n", name, err)
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(stderr, "gongzhi: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func lookupEnv(environ []string, key string) string {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func newFlags(e *env, name, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: gongzhi %s [flags]\n\n%s\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

func noArgs(e *env, name, summary string, args []string) error {
	return parseFlags(newFlags(e, name, summary), args)
}

// parseFlags parses a command's flags; commands take no positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func (e *env) loadConfig() (*config.Config, error) {
	return config.Load(e.configPath, e.environ)
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// serveGCPercent is the service's garbage-collection target (Go's default
// is 100): the heap may grow to three times what is live before a cycle
// instead of twice. Under load this cuts the collector's CPU about in half
// (帮助: 163 → 140 µs a message; peak RSS 60 → 72 MB, within the 100 MB
// budget; docs/performance.md). GOGC, when set, wins; GOMEMLIMIT is Go's.
const serveGCPercent = 200

// tuneGC sets serveGCPercent unless the environment sets GOGC, and returns
// the percent in force (-1: off).
func tuneGC(environ []string) int {
	if v := lookupEnv(environ, "GOGC"); v != "" {
		p := debug.SetGCPercent(100) // read what the runtime took from GOGC
		debug.SetGCPercent(p)
		return p
	}
	debug.SetGCPercent(serveGCPercent)
	return serveGCPercent
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	if err := noArgs(e, "serve", "Runs the service: webhook, admin API, jobs. With no WeChat settings it runs in sandbox mode.", args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(e.stdout, cfg.SlogLevel())
	gcPercent := tuneGC(e.environ)
	// Listen first so that a taken port fails before anything else starts.
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("GONGZHI_HTTP_ADDR %q: %w", cfg.HTTPAddr, err)
	}
	app, err := NewApp(ctx, cfg, log, nil)
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	if cfg.PprofAddr != "" {
		if err := servePprof(ctx, cfg.PprofAddr, log); err != nil {
			return fmt.Errorf("GONGZHI_PPROF_ADDR %q: %w", cfg.PprofAddr, err)
		}
	}
	mode := "wechat"
	if cfg.Sandbox() {
		mode = "sandbox"
	}
	log.Info("gongzhi started", "version", version, "addr", ln.Addr().String(), "mode", mode,
		"db", cfg.DB.Driver, "gc_percent", gcPercent, "settings", cfg)
	for _, name := range cfg.UnknownEnv() {
		log.Warn("environment variable is not a setting: check its spelling", "variable", name)
	}
	if cfg.Sandbox() {
		app.warnSandbox(ctx, ln.Addr())
		log.Info("sandbox mode: no WeChat credentials; pushes go to the in-process fake platform; chat at /sim/")
	}
	return app.Serve(ctx, ln)
}

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "Applies the database schema (idempotent) and exits.")
	status := fs.Bool("status", false, "list each schema version, applied or pending, and change nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.SlogLevel())
	db, err := store.Open(ctx, cfg.DB.Driver, cfg.DB.DSN, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		return printMigrationStatus(ctx, e, db)
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema at version %d (%d step(s) applied)\n", v, n)
	return nil
}

func printMigrationStatus(ctx context.Context, e *env, db *store.DB) error {
	states, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tNAME\tSTATE\tAPPLIED AT")
	for _, s := range states {
		state, at := "pending", "-"
		if s.Applied {
			state, at = "applied", s.AppliedAt.UTC().Format(time.RFC3339)
		}
		if s.Unknown {
			state += " (not in this build)"
		}
		fmt.Fprintf(w, "%04d\t%s\t%s\t%s\n", s.Version, s.Name, state, at)
	}
	return w.Flush()
}

func cmdVersion(ctx context.Context, e *env, args []string) error {
	if err := noArgs(e, "version", "Prints the version.", args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "gongzhi %s\n", version)
	return nil
}

func cmdHealthcheck(ctx context.Context, e *env, args []string) error {
	if err := noArgs(e, "healthcheck", "Exits 0 when the service on GONGZHI_HTTP_ADDR answers /healthz.", args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %d", resp.StatusCode)
	}
	return nil
}

func cmdClassify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "classify", "Reads one appeal text per line on standard input and writes, per line, what the bot\n"+
		"would decide (kind, level, confidence, topic, and the question it would ask). Uses GONGZHI_CATALOG\n"+
		"or the built-in catalog.")
	asJSON := fs.Bool("json", false, `one JSON object a line: {"kind","level","topic","confidence","question","choices"}`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	c, err := loadClassifier(cfg.Catalog)
	if err != nil {
		return err
	}
	return triage.RunClassify(e.stdin, e.stdout, *asJSON, c)
}

func cmdMenu(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "menu sync", "Creates the custom menu (我要反映, 我的诉求, 更多: 议事会议, 帮助) on every configured\n"+
		"official account, writing only where it differs. In sandbox mode it sets the fake platform's menu.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "sync" {
		fs.Usage()
		return fmt.Errorf("want: gongzhi menu sync")
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.SlogLevel())
	a := &App{Config: cfg, Log: log, Now: time.Now}
	if err := a.setupWeChat(wx.NewMemoryCache()); err != nil {
		return err
	}
	if err := a.SyncMenus(log); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "menu in sync on %d account(s)\n", len(a.Accounts.All()))
	return nil
}
