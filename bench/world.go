package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func numCPU() int { return runtime.NumCPU() }

// Message kinds, as reported for the mix.
const (
	kFirst      = "appeal: first message"
	kFollow     = "appeal: follow-up"
	kHelp       = "帮助"
	kMine       = "我的诉求"
	kStaff      = "staff command"
	kMeeting    = "meeting answer"
	kBareHelp   = "帮助 (bare)"
	maxInFlight = 2048
)

var kinds = []string{kFirst, kFollow, kHelp, kMine, kStaff, kMeeting}

// msg is one message to send and what to do with its reply.
type msg struct {
	kind, openID, text string
	// then sees the reply's text; it returns false when the reply is not
	// what the conversation expects.
	then func(reply string) bool
}

// Appeal texts residents open with (small matters of their building or
// the estate, as residents write them).
var appealTexts = []string{
	"楼道灯坏了好几天了，晚上黑黢黢的",
	"楼下的垃圾桶满了没人清理，味道很大",
	"单元门的门禁坏了，关不上",
	"小区里的路灯不亮了",
	"楼道里堆满了杂物，过不去",
	"电梯按钮失灵，按了没反应",
}

var refRE = regexp.MustCompile(`编号 ([A-Z]+[0-9]+)`)

type staffer struct {
	openID   string
	mu       sync.Mutex
	waiting  []string // refs assigned, not accepted yet
	accepted []string
}

type world struct {
	acct      *account
	base      string
	client    *http.Client
	mu        sync.Mutex
	residents []string
	staff     [3]*staffer // grid workers of g1, g2, g3
	meeting   string
	ready     chan *conversation // appeals whose next step can be sent
	newcomers atomic.Int64
	firstErr  atomic.Pointer[error]
}

// conversation is one resident raising an appeal, step by step.
type conversation struct {
	openID   string
	building int
	steps    int
	next     string
	queue    chan *conversation // where it waits for its next step; nil: it ends after one
}

func newWorld(acct *account, base string) *world {
	return &world{acct: acct, base: base, ready: make(chan *conversation, 1<<16),
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
			MaxIdleConns: maxInFlight, MaxIdleConnsPerHost: maxInFlight, IdleConnTimeout: time.Minute}}}
}

// post sends one message to url and returns the reply's text.
func (w *world) post(url string, m *msg) (string, error) {
	q, body := w.acct.request(m.openID, m.text, msgIDs.Add(1))
	resp, err := w.client.Post(url+"?"+q, "text/xml", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %.100s", resp.StatusCode, b)
	}
	if string(b) == "success" {
		return "", errDeferred
	}
	return w.acct.reply(b)
}

// errDeferred is WeChat's "success": no reply now, the answer comes as a
// customer-service push (the service does that when its reply budget runs out).
var errDeferred = errors.New("deferred to a push")

func (w *world) api(method, path string, in, out any) error {
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(method, w.base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer bench-admin-token-0123456789abcdef")
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %.200s", method, path, resp.StatusCode, body)
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}

// setup binds a grid worker to each grid, has n residents register and
// submit an appeal (8 at a time), and broadcasts a meeting to them.
func (w *world) setup(n int) error {
	for g := range w.staff {
		var inv struct{ Code string }
		if err := w.api("POST", "/api/staff/invites", map[string]string{"role": "grid_worker", "grid": fmt.Sprintf("g%d", g+1), "name": fmt.Sprintf("网格员%d", g+1)}, &inv); err != nil {
			return err
		}
		s := &staffer{openID: fmt.Sprintf("oBenchStaff%02d", g+1)}
		reply, err := w.post(w.base+"/wechat", &msg{openID: s.openID, text: "绑定 " + inv.Code})
		if err != nil {
			return fmt.Errorf("bind: %w", err)
		}
		if !strings.Contains(reply, "网格") {
			return fmt.Errorf("bind: unexpected reply %.100q", reply)
		}
		w.staff[g] = s
	}
	var wg sync.WaitGroup
	var failed atomic.Int64
	jobs := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := make(chan *conversation, 1)
			for range jobs {
				c := w.newConversation(own)
				m := w.step(c, kFirst)
				for m != nil {
					reply, err := w.post(w.base+"/wechat", m)
					if err != nil || !m.then(reply) {
						failed.Add(1)
						break
					}
					m = nil
					select {
					case c := <-own:
						m = w.step(c, kFollow)
					default:
					}
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if failed.Load() > int64(n/10) {
		return fmt.Errorf("%d of %d residents could not submit an appeal", failed.Load(), n)
	}
	w.mu.Lock()
	invitees := slices.Clone(w.residents)
	w.mu.Unlock()
	if len(invitees) == 0 {
		return errors.New("no resident registered")
	}
	var m struct {
		ID   any
		Code string
	}
	starts := time.Now().Add(72 * time.Hour).Format(time.RFC3339)
	if err := w.api("POST", "/api/meetings", map[string]any{"topic": "楼道照明改造议事", "level": "community", "starts_at": starts,
		"venue": "社区活动室", "invitees": map[string]any{"openids": invitees}}, &m); err != nil {
		return err
	}
	if err := w.api("POST", fmt.Sprintf("/api/meetings/%v/broadcast", m.ID), nil, nil); err != nil {
		return err
	}
	w.meeting = m.Code
	return nil
}

// followUp takes one conversation waiting for its next step.
func (w *world) followUp() *msg {
	select {
	case c := <-w.ready:
		return w.step(c, kFollow)
	default:
		return nil
	}
}

func (w *world) newConversation(queue chan *conversation) *conversation {
	n := w.newcomers.Add(1)
	return &conversation{openID: fmt.Sprintf("oBenchNew%d_%08d", time.Now().Unix()%100000, n), building: 1 + int(n%12),
		next: appealTexts[int(n)%len(appealTexts)], queue: queue}
}

// step is the conversation's next message; its reply decides the one after.
func (w *world) step(c *conversation, kind string) *msg {
	c.steps++
	return &msg{kind: kind, openID: c.openID, text: c.next, then: func(reply string) bool {
		switch {
		case strings.Contains(reply, "已提交"):
			if m := refRE.FindStringSubmatch(reply); m != nil {
				s := w.staff[(c.building-1)/4]
				s.mu.Lock()
				s.waiting = append(s.waiting, m[1])
				s.mu.Unlock()
			}
			w.registered(c.openID)
			return true
		case strings.Contains(reply, "已附议"):
			w.registered(c.openID)
			return true
		case c.steps >= 8:
			return false
		case strings.Contains(reply, "请先告诉我您的住址"):
			c.next = fmt.Sprintf("%d栋%d单元%d", c.building, 1+c.steps%3, 100*(1+c.steps%6)+c.building)
		case strings.Contains(reply, "附近邻居已反映过"):
			c.next = []string{"1", "2"}[randN(2)]
		case strings.Contains(reply, "回复 1"), strings.Contains(reply, "1 确认提交"):
			c.next = "1"
		default:
			return false
		}
		if c.queue != nil {
			c.queue <- c
		}
		return true
	}}
}

func (w *world) registered(openID string) {
	w.mu.Lock()
	w.residents = append(w.residents, openID)
	w.mu.Unlock()
}

func (w *world) resident() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.residents[randN(len(w.residents))]
}

func nonEmpty(string) bool { return true }

func (w *world) bareHelp() *msg {
	return &msg{kind: kBareHelp, openID: w.resident(), text: "帮助", then: nonEmpty}
}

func (w *world) help() *msg {
	return &msg{kind: kHelp, openID: w.resident(), text: "帮助", then: func(r string) bool { return strings.Contains(r, "我的诉求") }}
}

// first opens an appeal and leaves it there (its conversation stays open).
func (w *world) first() *msg { return w.step(w.newConversation(nil), kFirst) }

// mix draws a message: 40 % appeal conversations (a follow-up when one is
// waiting, else a new appeal), 15 % 帮助, 15 % 我的诉求, 15 % staff
// commands, 15 % meeting answers.
func (w *world) mix() *msg {
	switch n := randN(100); {
	case n < 40:
		if m := w.followUp(); m != nil {
			return m
		}
		return w.step(w.newConversation(w.ready), kFirst)
	case n < 55:
		return w.help()
	case n < 70:
		return &msg{kind: kMine, openID: w.resident(), text: "我的诉求", then: func(r string) bool { return strings.Contains(r, "SQ") || strings.Contains(r, "诉求") }}
	case n < 85:
		return w.staffCommand()
	default:
		word := []string{"参加 ", "不参加 "}[randN(2)]
		return &msg{kind: kMeeting, openID: w.resident(), text: word + w.meeting, then: nonEmpty}
	}
}

// staffCommand: 接单 a task waiting, else 进展 on an accepted one or 我的任务.
func (w *world) staffCommand() *msg {
	s := w.staff[randN(len(w.staff))]
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiting) > 0 {
		ref := s.waiting[0]
		s.waiting = s.waiting[1:]
		return &msg{kind: kStaff, openID: s.openID, text: "接单 " + ref, then: func(r string) bool {
			s.mu.Lock()
			s.accepted = append(s.accepted, ref)
			s.mu.Unlock()
			return strings.Contains(r, ref)
		}}
	}
	if len(s.accepted) > 0 && randN(2) == 0 {
		ref := s.accepted[randN(len(s.accepted))]
		return &msg{kind: kStaff, openID: s.openID, text: "进展 " + ref + " 已联系物业，明天上午维修", then: func(r string) bool { return strings.Contains(r, ref) }}
	}
	return &msg{kind: kStaff, openID: s.openID, text: "我的任务", then: nonEmpty}
}

// result is one phase's measurements.
type result struct {
	elapsed          time.Duration
	ok, errors       int
	unexpected, shed int
	deferred         int // "success": the answer went out as a push
	all              []time.Duration
	byKind           map[string][]time.Duration
	cpu, dbCPU       time.Duration // CPU time of the server and of the database during the phase
}

// cpuPerMsg is d per answered message in µs (negative when not measured).
func (r result) cpuPerMsg(d time.Duration) float64 {
	if d <= 0 || r.ok == 0 {
		return -1
	}
	return float64(d.Microseconds()) / float64(r.ok)
}

func (r result) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r result) pct(p int) time.Duration { return pct(r.all, p) }

func pct(l []time.Duration, p int) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func (r result) line(bare float64) string {
	return fmt.Sprintf("%6.0f msg/s (%.2f× bare)  p50 %6.2f ms  p99 %6.2f ms  max %7.1f ms  errors %d (shed %d)  unexpected %d  deferred %d",
		r.rate(), r.rate()/bare, ms(r.pct(50)), ms(r.pct(99)), ms(r.pct(100)), r.errors, r.shed, r.unexpected, r.deferred)
}

// run sends the phase's messages to url for o.phase: at o.rate a second
// (latency from when each was due; beyond maxInFlight waiting replies a
// message is shed and counted as an error), or flat out from o.clients
// senders.
func (w *world) run(url string, o options, next func() *msg) result {
	var (
		mu  sync.Mutex
		res = result{byKind: map[string][]time.Duration{}}
		wg  sync.WaitGroup
	)
	send := func(m *msg, due time.Time) {
		reply, err := w.post(url, m)
		lat := time.Since(due)
		mu.Lock()
		defer mu.Unlock()
		if errors.Is(err, errDeferred) {
			res.deferred++ // answered in time by WeChat's rules, but not in the reply
			res.all = append(res.all, lat)
			return
		}
		if err != nil {
			res.errors++
			if w.firstErr.Load() == nil {
				w.firstErr.Store(&err)
			}
			return
		}
		res.ok++
		res.all = append(res.all, lat)
		res.byKind[m.kind] = append(res.byKind[m.kind], lat)
		if m.then != nil && !m.then(reply) {
			res.unexpected++
		}
	}
	start := time.Now()
	end := start.Add(o.phase)
	if o.rate > 0 {
		sem := make(chan struct{}, maxInFlight)
		interval := time.Second / time.Duration(o.rate)
		for i := 0; ; i++ {
			due := start.Add(time.Duration(i) * interval)
			if !due.Before(end) {
				break
			}
			time.Sleep(time.Until(due))
			select {
			case sem <- struct{}{}:
			default:
				mu.Lock()
				res.errors++
				res.shed++
				mu.Unlock()
				continue
			}
			m := next()
			wg.Add(1)
			go func() {
				defer wg.Done()
				send(m, due)
				<-sem
			}()
		}
	} else {
		for range o.clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					send(next(), time.Now())
				}
			}()
		}
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	if o.rate > 0 {
		res.elapsed = o.phase // offered for o.phase; the last replies are not extra throughput
	}
	return res
}
