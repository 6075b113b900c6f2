// Command bench is Gongzhi's load tool. It starts the service (the binary
// given with -gongzhi) on SQLite or MariaDB against a fake WeChat platform,
// and beside it silenceper/wechat's bare handler (the ceiling), then posts
// safe-mode (AES) messages as WeChat sends them — signed, encrypted, one
// MsgId each — and checks every encrypted reply. Each round runs the same
// phases one after the other, so that ratios to the bare SDK compare
// messages measured minutes apart on the same machine:
//
//	bare    帮助 to the bare SDK handler
//	help    帮助 from registered residents
//	first   the first message of an appeal, from a new sender each time
//	mix     new appeals with their follow-ups (address, confirmations), 帮助,
//	        我的诉求, staff commands (接单, 进展, 我的任务) and meeting answers
//	peer    帮助 to each -peer (another webhook, e.g. a Node one)
//
// At -rate N it sends N messages a second whatever the answers (latency
// counted from when each was due); at -rate 0 it sends flat out from
// -clients concurrent senders. docs/performance.md has the figures.
//
//	go build -o gongzhi . && go run ./bench -gongzhi ./gongzhi -db sqlite,mysql
package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/gongzhi/gongzhi/bot/wx/wxfake"
)

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		err = cmdBare(os.Args[2:])
	} else {
		err = cmdRun(os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// The account the service, the bare handler and the senders share.
const (
	benchAppID  = "wxbench0000000001"
	benchSecret = "bench-secret"
	benchToken  = "benchtoken"
	benchAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

func accountFlags(fs *flag.FlagSet) *account {
	a := &account{}
	fs.StringVar(&a.AppID, "appid", benchAppID, "official account AppID")
	fs.StringVar(&a.Secret, "secret", benchSecret, "AppSecret")
	fs.StringVar(&a.Token, "token", benchToken, "server token")
	fs.StringVar(&a.AESKey, "aes-key", benchAESKey, "EncodingAESKey")
	return a
}

// announce tells the parent process where a child listens.
func announce(addr string) { fmt.Println("listening " + addr) }

type peers []string

func (p *peers) String() string     { return strings.Join(*p, ",") }
func (p *peers) Set(v string) error { *p = append(*p, v); return nil }

type options struct {
	gongzhi, dbs, mysqlDSN, pprofOut string
	pprofPhase, only                 string
	rate, clients, rounds, warm      int
	phase                            time.Duration
	peers                            peers
	nodePeer                         string
	acct                             *account
}

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	var o options
	fs.StringVar(&o.gongzhi, "gongzhi", "./gongzhi", "the service binary (go build -o gongzhi .)")
	fs.StringVar(&o.dbs, "db", "sqlite", "databases to run on, in order: sqlite, mysql")
	fs.StringVar(&o.mysqlDSN, "mysql-dsn", envOr("TEST_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/"), "MariaDB server; a fresh database is created and dropped")
	fs.IntVar(&o.rate, "rate", 0, "messages a second (0: flat out from -clients senders)")
	fs.IntVar(&o.clients, "clients", 8, "concurrent senders when flat out")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds of all phases")
	fs.StringVar(&o.only, "phases", "", "run only these phases, comma-separated (bare is always run: the ratios need it), e.g. help")
	fs.DurationVar(&o.phase, "phase", 5*time.Second, "length of each phase")
	fs.IntVar(&o.warm, "residents", 200, "residents who register and submit an appeal before the rounds")
	fs.StringVar(&o.pprofOut, "cpuprofile", "", "write a CPU profile of the service (GONGZHI_PPROF_ADDR) during the last round's -profile-phase")
	fs.StringVar(&o.pprofPhase, "profile-phase", "mix", "the phase -cpuprofile covers")
	fs.StringVar(&o.nodePeer, "node-peer", "", "bench/node/peer.js: start the Node peer (npm install there first) and send it 帮助 as phase node")
	fs.Var(&o.peers, "peer", "name=URL of another webhook on the same account, sent 帮助 (repeatable)")
	o.acct = accountFlags(fs)
	_ = fs.Parse(args)
	acct, err := newAccount(o.acct.AppID, o.acct.Secret, o.acct.Token, o.acct.AESKey)
	if err != nil {
		return err
	}
	o.acct = acct
	if _, err := os.Stat(o.gongzhi); err != nil {
		return fmt.Errorf("-gongzhi: %w (build it with: go build -o gongzhi .)", err)
	}

	platform := wxfake.New(acct.AppID, acct.Secret)
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = http.Serve(pl, platform) }()

	self, err := os.Executable()
	if err != nil {
		return err
	}
	bare, bareAddr, err := startChild(exec.Command(self, "bare", "-appid", acct.AppID, "-secret", acct.Secret, "-token", acct.Token, "-aes-key", acct.AESKey))
	if err != nil {
		return fmt.Errorf("bare server: %w", err)
	}
	defer stop(bare)
	if o.nodePeer != "" {
		node, addr, err := startChild(exec.Command("node", o.nodePeer, "0"))
		if err != nil {
			return fmt.Errorf("node peer: %w", err)
		}
		defer stop(node)
		o.peers = append(o.peers, fmt.Sprintf("node=http://%s/wechat@%d", addr, node.Process.Pid))
	}

	fmt.Printf("# bench: %s, phases of %s, %d rounds, %s; GOMAXPROCS of this machine: %d cores\n",
		mode(o), o.phase, o.rounds, time.Now().Format(time.RFC3339), numCPU())
	for _, db := range strings.Split(o.dbs, ",") {
		if err := runDatabase(o, strings.TrimSpace(db), "http://"+bareAddr+"/wechat", "http://"+pl.Addr().String(), bare.Process.Pid); err != nil {
			return fmt.Errorf("%s: %w", db, err)
		}
	}
	return nil
}

func mode(o options) string {
	if o.rate > 0 {
		return fmt.Sprintf("fixed rate %d msg/s", o.rate)
	}
	return fmt.Sprintf("flat out, %d senders", o.clients)
}

func envOr(k, d string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return d
}

// runDatabase starts the service on one database and runs the rounds.
func runDatabase(o options, db, bareURL, platformURL string, barePID int) error {
	driver, dsn, cleanup, err := freshDatabase(db, o.mysqlDSN)
	if err != nil {
		return err
	}
	defer cleanup()
	port, err := freePort()
	if err != nil {
		return err
	}
	pprofAddr := ""
	if o.pprofOut != "" {
		p, _ := freePort()
		pprofAddr = fmt.Sprintf("127.0.0.1:%d", p)
	}
	cmd := exec.Command(o.gongzhi, "serve")
	cmd.Env = append(os.Environ(),
		"GONGZHI_HTTP_ADDR="+fmt.Sprintf("127.0.0.1:%d", port), "GONGZHI_DB_DRIVER="+driver, "GONGZHI_DB_DSN="+dsn,
		"GONGZHI_WECHAT_APPID="+o.acct.AppID, "GONGZHI_WECHAT_APPSECRET="+o.acct.Secret, "GONGZHI_WECHAT_TOKEN="+o.acct.Token,
		"GONGZHI_WECHAT_AES_KEY="+o.acct.AESKey, "GONGZHI_WECHAT_API_BASE="+platformURL, "GONGZHI_ADMIN_TOKEN=bench-admin-token-0123456789abcdef",
		"GONGZHI_PUBLIC_URL=http://127.0.0.1", "GONGZHI_PUSH_RATE=200", "GONGZHI_PPROF_ADDR="+pprofAddr)
	svc, err := startService(cmd, port)
	if err != nil {
		return fmt.Errorf("start gongzhi: %w", err)
	}
	defer stop(svc)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	w := newWorld(o.acct, base)
	start := time.Now()
	if err := w.setup(o.warm); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	fmt.Printf("\n## %s: %d residents registered and submitted an appeal, 3 grid workers bound, 1 meeting broadcast (%.1f s)\n\n",
		db, len(w.residents), time.Since(start).Seconds())

	type row struct {
		name string
		r    []result
	}
	type phase struct {
		name string
		url  string
		next func() *msg
		pid  int // the server process, whose CPU time is counted
	}
	dbPID := 0
	if driver == "mysql" {
		dbPID = processNamed("mariadbd", "mysqld")
	}
	phases := []phase{
		{"bare", bareURL, w.bareHelp, barePID},
		{"help", base + "/wechat", w.help, svc.Process.Pid},
		{"first", base + "/wechat", w.first, svc.Process.Pid},
		{"mix", base + "/wechat", w.mix, svc.Process.Pid},
	}
	for _, p := range o.peers {
		name, u, ok := strings.Cut(p, "=")
		if !ok {
			return fmt.Errorf("-peer %q: want name=URL", p)
		}
		pid := 0
		if at := strings.LastIndexByte(u, '@'); at > 0 { // started here: its process is known
			_, _ = fmt.Sscan(u[at+1:], &pid)
			u = u[:at]
		}
		phases = append(phases, phase{name, u, w.bareHelp, pid})
	}
	if o.only != "" {
		keep := phases[:1] // bare: every ratio is to it
		for _, p := range phases[1:] {
			if slices.Contains(strings.Split(o.only, ","), p.name) {
				keep = append(keep, p)
			}
		}
		phases = keep
	}
	rows := make([]row, len(phases))
	for round := 1; round <= o.rounds; round++ {
		for i, p := range phases {
			var prof func()
			if p.name == o.pprofPhase && round == o.rounds && pprofAddr != "" {
				prof = profile(pprofAddr, o.phase, o.pprofOut)
			}
			cpu0, db0 := cpuTime(p.pid), cpuTime(dbPID)
			r := w.run(p.url, o, p.next)
			r.cpu, r.dbCPU = cpuTime(p.pid)-cpu0, cpuTime(dbPID)-db0
			if p.pid == 0 {
				r.cpu = -1
			}
			if prof != nil {
				prof()
			}
			rows[i].name = p.name
			rows[i].r = append(rows[i].r, r)
			fmt.Printf("round %d %-6s %s  server CPU %s µs/msg  database CPU %s µs/msg\n", round, p.name, r.line(rows[0].r[round-1].rate()), orDash(r.cpuPerMsg(r.cpu)), orDash(r.cpuPerMsg(r.dbCPU)))
		}
	}
	fmt.Printf("\nMedians of %d rounds (ratio: to bare in the same round, then the median):\n\n", o.rounds)
	fmt.Println("× bare CPU: the bare handler's CPU time per message over this one's (the server's, plus the database's")
	fmt.Println("beyond what it used meanwhile for others, i.e. during bare): the rate ratio the server would reach with the")
	fmt.Println("machine to itself. It holds better than the rate ratio on a shared machine.")
	fmt.Println()
	fmt.Println("deferred: answered \"success\" (the answer went out as a push when the reply budget ran out); errors include")
	fmt.Println("messages shed at -rate when 2 048 were already waiting.")
	fmt.Println()
	fmt.Println("| phase | msg/s | × bare | × bare CPU | p50 ms | p99 ms | max ms | errors | unexpected | server CPU µs/msg | database CPU µs/msg | deferred |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, rw := range rows {
		var rate, ratio, cpuRatio, p50, p99, mx, cpu, dbCPU []float64
		errs, unexp, deferred := 0, 0, 0
		for i, r := range rw.r {
			rate = append(rate, r.rate())
			ratio = append(ratio, r.rate()/rows[0].r[i].rate())
			p50 = append(p50, ms(r.pct(50)))
			p99 = append(p99, ms(r.pct(99)))
			mx = append(mx, ms(r.pct(100)))
			errs += r.errors
			unexp += r.unexpected
			deferred += r.deferred
			cpu = append(cpu, r.cpuPerMsg(r.cpu))
			dbCPU = append(dbCPU, r.cpuPerMsg(r.dbCPU))
			if c, b := r.cpuPerMsg(r.cpu), rows[0].r[i].cpuPerMsg(rows[0].r[i].cpu); c > 0 && b > 0 {
				// The database's CPU, less what it spent meanwhile on others (its rate during bare).
				bare := rows[0].r[i]
				if d := r.dbCPU - time.Duration(float64(bare.dbCPU)*r.elapsed.Seconds()/bare.elapsed.Seconds()); d > 0 && rw.name != "bare" && !isPeer(rw.name) {
					c += r.cpuPerMsg(d)
				}
				cpuRatio = append(cpuRatio, b/c)
			}
		}
		fmt.Printf("| %s | %.0f | %.2f | %s | %.2f | %.2f | %.1f | %d | %d | %s | %s | %d |\n", rw.name, median(rate), median(ratio), ratioOrDash(median(cpuRatio)),
			median(p50), median(p99), median(mx), errs, unexp, orDash(median(cpu)), orDash(median(dbCPU)), deferred)
		if rw.name == "mix" {
			for _, k := range kinds {
				var p50k, p99k []float64
				n := 0
				for _, r := range rw.r {
					if l := r.byKind[k]; len(l) > 0 {
						p50k = append(p50k, ms(pct(l, 50)))
						p99k = append(p99k, ms(pct(l, 99)))
						n += len(l)
					}
				}
				if n > 0 {
					fmt.Printf("| mix: %s (%d) | | | | %.2f | %.2f | | | | | | |\n", k, n, median(p50k), median(p99k))
				}
			}
		}
	}
	if rss, err := peakRSS(svc.Process.Pid); err == nil {
		fmt.Printf("\ngongzhi peak RSS (VmHWM): %.1f MB\n", float64(rss)/1024)
	}
	if f := w.firstErr.Load(); f != nil {
		fmt.Printf("first error: %v\n", *f)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// freshDatabase returns the service's driver and DSN on an empty database.
func freshDatabase(db, mysqlDSN string) (driver, dsn string, cleanup func(), err error) {
	switch db {
	case "sqlite":
		dir, err := os.MkdirTemp("", "gongzhi-bench-")
		if err != nil {
			return "", "", nil, err
		}
		return "sqlite", filepath.Join(dir, "gongzhi.db"), func() { _ = os.RemoveAll(dir) }, nil
	case "mysql":
		cfg, err := gomysql.ParseDSN(mysqlDSN)
		if err != nil {
			return "", "", nil, fmt.Errorf("-mysql-dsn: %w", err)
		}
		cfg.DBName = ""
		admin, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			return "", "", nil, err
		}
		name := fmt.Sprintf("gz_bench_%d", time.Now().UnixNano()%1e9)
		if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
			admin.Close()
			return "", "", nil, err
		}
		cfg.DBName, cfg.ParseTime, cfg.MultiStatements = name, true, false
		cfg.Params = map[string]string{"charset": "utf8mb4"}
		cfg.Loc = time.UTC
		return "mysql", cfg.FormatDSN(), func() { _, _ = admin.Exec("DROP DATABASE " + name); admin.Close() }, nil
	}
	return "", "", nil, fmt.Errorf("unknown database %q (sqlite or mysql)", db)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startChild starts cmd and reads the address it announces.
func startChild(cmd *exec.Cmd) (*exec.Cmd, string, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening ") {
		stop(cmd)
		return nil, "", fmt.Errorf("no address announced: %q %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return cmd, strings.TrimSpace(strings.TrimPrefix(line, "listening ")), nil
}

// startService starts gongzhi (its log goes nowhere, as a quiet
// production log would cost the same) and waits until it is ready.
func startService(cmd *exec.Cmd, port int) (*exec.Cmd, error) {
	errLog, err := os.CreateTemp("", "gongzhi-bench-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = io.Discard, errLog
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return cmd, nil
			}
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop(cmd)
	b, _ := os.ReadFile(errLog.Name())
	return nil, fmt.Errorf("not ready within 90 s: %.500s", b)
}

func stop(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
	}
}

// peakRSS reads a process's VmHWM (kB).
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			_, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb, err
		}
	}
	return 0, fmt.Errorf("no VmHWM")
}

// profile fetches a CPU profile of the service over d; the returned
// function waits for it.
func profile(addr string, d time.Duration, out string) func() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, max(1, int(d.Seconds()))))
		if err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
			return
		}
		_, _ = io.Copy(f, resp.Body)
		_ = f.Close()
	}()
	return wg.Wait
}

var rng = struct {
	sync.Mutex
	*rand.Rand
}{Rand: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))}

func randN(n int) int {
	rng.Lock()
	defer rng.Unlock()
	return rng.IntN(n)
}

var msgIDs atomic.Int64

func init() { msgIDs.Store(time.Now().UnixNano() / 1000) }

var _ = context.Background

func orDash(v float64) string {
	if v <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", v)
}

// cpuTime is a process's user and system CPU time so far (0 for pid 0).
func cpuTime(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from the 3rd on
	var ut, st int64
	if len(f) > 12 {
		_, _ = fmt.Sscan(f[11], &ut)
		_, _ = fmt.Sscan(f[12], &st)
	}
	return time.Duration(ut+st) * time.Second / 100 // clock ticks (USER_HZ = 100 on Linux)
}

// processNamed finds the process with one of the names that has used the
// most CPU (the machine's MariaDB server rather than a test's private one),
// or 0.
func processNamed(names ...string) int {
	dirs, _ := os.ReadDir("/proc")
	best, most := 0, time.Duration(-1)
	for _, d := range dirs {
		pid := 0
		if _, err := fmt.Sscan(d.Name(), &pid); err != nil {
			continue
		}
		comm, err := os.ReadFile("/proc/" + d.Name() + "/comm")
		if err == nil && slices.Contains(names, strings.TrimSpace(string(comm))) {
			if c := cpuTime(pid); c > most {
				best, most = pid, c
			}
		}
	}
	return best
}

func isPeer(name string) bool {
	return !slices.Contains([]string{"bare", "help", "first", "mix"}, name)
}

func ratioOrDash(v float64) string {
	if v <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", v)
}
