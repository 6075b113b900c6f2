package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// The hostile-input suite of the webhook: each test is one way an attacker
// got in (or could have), and checks that the request is refused and that
// nothing reached the bot or the database.

// refused checks a refusal: its status, no reply body, no row, no bot call.
func refused(t *testing.T, h *harness, r request, want int) string {
	t.Helper()
	before, calls := h.counts(), len(h.Rec.calls())
	status, body := h.do(r)
	if status != want {
		t.Errorf("status %d (%.80s), want %d", status, body, want)
	}
	if strings.Contains(body, "<xml") {
		t.Errorf("a refused request got a reply: %.200s", body)
	}
	if after := h.counts(); after != before {
		t.Errorf("rows changed: %+v → %+v", before, after)
	}
	if n := len(h.Rec.calls()); n != calls {
		t.Errorf("the bot handled %d message(s) of a refused request", n-calls)
	}
	return body
}

// TestSafeModeCannotBeDowngraded: with an AES key, only the signed,
// encrypted part of a request is ever read. Before, a plaintext body
// under a seen `signature` was processed as any openid.
func TestSafeModeCannotBeDowngraded(t *testing.T) {
	const victim, forger = "oCommitteeMember00000001", "oForgerOfMessages0000001"
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{})
			t.Run("plaintext body on an account with an AES key", func(t *testing.T) {
				r := h.plain(textMsg(victim, "改类 SQ2611300001 大事", 1))
				r.Path = "" // the default account, which has the key
				refused(t, h, r, http.StatusForbidden)
			})
			t.Run("encrypt_type other than aes", func(t *testing.T) {
				r := h.plain(textMsg(victim, "我的诉求", 2))
				r.Path = ""
				r.Query.Set("encrypt_type", "raw")
				refused(t, h, r, http.StatusForbidden)
			})
			t.Run("compatible mode: the plaintext part is never read", func(t *testing.T) {
				r := h.safe(textMsg(forger, "帮助", 3))
				forged := strings.Replace(textMsg(victim, "我的诉求", 4), "</xml>", "", 1)
				r.Body = []byte(forged + strings.TrimPrefix(string(r.Body), "<xml>"))
				status, body := h.do(r)
				if status != http.StatusOK {
					t.Fatalf("status %d (%s)", status, body)
				}
				calls := h.Rec.calls()
				if in := calls[len(calls)-1].In; in.OpenID != forger || in.Content != "帮助" {
					t.Errorf("the bot got %s %q, want the encrypted message only", in.OpenID, in.Content)
				}
			})
			t.Run("openid in the query is not the sender", func(t *testing.T) {
				r := h.safe(textMsg(forger, "帮助", 5))
				r.Query.Set("openid", victim)
				refused(t, h, r, http.StatusForbidden)
			})
			t.Run("openid in the query is the sender", func(t *testing.T) {
				r := h.safe(textMsg(forger, "帮助", 6))
				r.Query.Set("openid", forger)
				if status, body := h.do(r); status != http.StatusOK {
					t.Errorf("status %d (%s), want 200", status, body)
				}
			})
		})
	}
}

// TestSignedTripleCarriesOneBody: a signature (token, timestamp, nonce)
// seen once, in a message or in the URL's verification (GET), cannot carry
// another body within the replay window, on any replica; WeChat's retry of
// the same body still gets its answer.
func TestSignedTripleCarriesOneBody(t *testing.T) {
	const openID = "oNonceOwner0000000000001"
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{Replicas: 2})
			r := h.plain(textMsg(openID, "帮助", 1))
			if status, body := h.do(r); status != http.StatusOK {
				t.Fatalf("first delivery: %d %s", status, body)
			}
			forged := r
			forged.Body = []byte(textMsg(openID, "我的诉求", 2))
			t.Run("another body, same replica", func(t *testing.T) { refused(t, h, forged, http.StatusForbidden) })
			t.Run("another body, other replica", func(t *testing.T) {
				before := h.counts()
				if status, _ := h.doOn(1, forged); status != http.StatusForbidden {
					t.Errorf("status %d, want 403", status)
				}
				if after := h.counts(); after != before {
					t.Errorf("rows changed: %+v → %+v", before, after)
				}
			})
			t.Run("the same body again (WeChat's retry)", func(t *testing.T) {
				if status, body := h.doOn(1, r); status != http.StatusOK || h.decode(r, body).Content != messages.ZhCN.HelpResident {
					t.Errorf("retry: %d %s", status, body)
				}
			})
			t.Run("a verification's triple carries no message", func(t *testing.T) {
				r := h.plain(textMsg(openID, "登录", 5))
				get := request{Method: http.MethodGet, Path: r.Path, Query: url.Values{}}
				for k, v := range r.Query {
					get.Query[k] = v
				}
				get.Query.Set("echostr", "4711")
				for _, try := range []string{"verification", "the same verification again"} {
					if status, body := h.do(get); status != http.StatusOK || body != "4711" {
						t.Fatalf("%s: %d %q", try, status, body)
					}
				}
				before := h.counts()
				for i := range h.Servers {
					if status, _ := h.doOn(i, r); status != http.StatusForbidden {
						t.Errorf("replica %d: a message under a verification's triple: status %d, want 403", i, status)
					}
				}
				if after := h.counts(); after != before {
					t.Errorf("rows changed: %+v → %+v", before, after)
				}
			})
			t.Run("a nonce longer than WeChat's", func(t *testing.T) {
				r := h.plain(textMsg(openID, "帮助", 3))
				nonce := strings.Repeat("7", models.MaxNonceLen+1)
				r.Query.Set("nonce", nonce)
				r.Query.Set("signature", refSign(h.Account.Token, r.Query.Get("timestamp"), nonce))
				refused(t, h, r, http.StatusForbidden)
			})
		})
	}
}

// deepBody is an unclosed nest of n elements after prefix.
func deepBody(prefix string, n int) []byte {
	return []byte(prefix + strings.Repeat("<a>", n))
}

// TestSignatureBeforeXML: a safe-mode body with a wrong msg_signature is
// refused from a byte scan, before any XML is parsed: a 1 MiB nested body
// costs little more than reading it. Before, the envelope was parsed first
// (400 for this body, and memory in proportion to the nesting).
func TestSignatureBeforeXML(t *testing.T) {
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{})
	r := h.safe(textMsg("oDeepSender0000000000001", "帮助", 1))
	r.Query.Set("msg_signature", refSign(h.Account.Token, r.Query.Get("timestamp"), r.Query.Get("nonce"), "other"))
	head := strings.TrimSuffix(string(r.Body), "</xml>")
	r.Body = deepBody(head, (handlers.MaxBodyBytes-len(head))/3)
	refused(t, h, r, http.StatusForbidden)

	// What one refused request allocates, client and server together.
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for range 4 {
		h.do(r)
	}
	runtime.ReadMemStats(&m1)
	per := (m1.TotalAlloc - m0.TotalAlloc) / 4
	t.Logf("a refused 1 MiB nested body: %.1f MiB allocated", float64(per)/(1<<20))
	if per > 8<<20 {
		t.Errorf("a refused 1 MiB body allocates %d MiB, want under 8", per>>20)
	}
}

// TestWebhookRefusesDeepNesting: a signed body nested deeper than any
// message WeChat sends is refused before the message parser sees it.
func TestWebhookRefusesDeepNesting(t *testing.T) {
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{})
	nest := strings.Repeat("<a>", 20) + strings.Repeat("</a>", 20)
	r := h.plain(strings.Replace(textMsg("oDeepSender0000000000002", "帮助", 2), "</xml>", nest+"</xml>", 1))
	refused(t, h, r, http.StatusBadRequest)
	// Every fixture is within the bound (the deepest is a photo event).
	for i, name := range fixtures(t) {
		r := h.plain(strings.Replace(uniquify(fixture(t, name), int64(900+i)), "<FromUserName><![CDATA[", "<FromUserName><![CDATA[deep", 1))
		if status, body := h.do(r); status != http.StatusOK {
			t.Errorf("%s: status %d (%s)", name, status, body)
		}
	}
}

// TestWebhookBoundsBodiesInFlight: past MaxInFlight concurrent bodies, with
// no room to wait, the webhook answers 503 with Retry-After at once, and
// serves again after.
func TestWebhookBoundsBodiesInFlight(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	entered := make(chan struct{})
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{MaxInFlight: 1, MaxQueued: -1,
		WrapHandler: func(next handlers.MessageHandler) handlers.MessageHandler {
			return handlerFunc(func(ctx context.Context, in models.Inbound) (bot.Result, error) {
				if in.Content == "慢" {
					once.Do(func() { close(entered) })
					<-release
				}
				return next.Handle(ctx, in)
			})
		}})
	slow := h.safe(textMsg("oSlowSender0000000000001", "慢", 1))
	done := make(chan int)
	go func() { s, _ := h.do(slow); done <- s }()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the first request never reached the bot")
	}
	body := refused(t, h, h.safe(textMsg("oBusySender0000000000001", "帮助", 2)), http.StatusServiceUnavailable)
	if body == "" {
		t.Error("503 without a body")
	}
	if got := h.metric(0, "gongzhi_webhook_refused_total", `reason="busy"`); got != 1 {
		t.Errorf("refused{busy} = %v, want 1", got)
	}
	close(release)
	if s := <-done; s != http.StatusOK {
		t.Errorf("the held request: %d", s)
	}
	if status, _ := h.do(h.safe(textMsg("oBusySender0000000000001", "帮助", 3))); status != http.StatusOK {
		t.Errorf("after the bound cleared: %d, want 200", status)
	}
}

// TestWebhookQueuesABurst: past MaxInFlight a message waits for a slot
// instead of a 503, and is answered when one frees; past MaxQueued waiting
// (or past SlotWait) it gets the 503 at once. Counts and channels only.
func TestWebhookQueuesABurst(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	entered := make(chan struct{})
	hold := func(next handlers.MessageHandler) handlers.MessageHandler {
		return handlerFunc(func(ctx context.Context, in models.Inbound) (bot.Result, error) {
			if in.Content == "慢" {
				once.Do(func() { close(entered) })
				<-release
			}
			return next.Handle(ctx, in)
		})
	}
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{MaxInFlight: 1, MaxQueued: 1, SlotWait: time.Minute,
		ReplyBudget: 4 * time.Minute, WrapHandler: hold})
	slow := h.safe(textMsg("oSlowSender0000000000001", "慢", 1))
	slowDone := make(chan int)
	go func() { s, _ := h.do(slow); slowDone <- s }()
	<-entered // the only slot is held

	// A body far larger than WeChat's does not wait (waiting bodies are held in memory).
	big := h.safe(textMsg("oBigSender00000000000001", "帮助", 4))
	big.Body = append(big.Body, bytes.Repeat([]byte(" "), 100<<10)...)
	refused(t, h, big, http.StatusServiceUnavailable)
	if got := h.metric(0, "gongzhi_webhook_refused_total", `reason="busy"`); got != 1 {
		t.Errorf("refused{busy} = %v after the big body, want 1", got)
	}

	queued := h.safe(textMsg("oQueuedSender00000000001", "帮助", 2))
	type answer struct {
		status int
		body   string
	}
	queuedDone := make(chan answer)
	go func() { s, b := h.do(queued); queuedDone <- answer{s, b} }()
	for i := 0; h.metric(0, "gongzhi_webhook_waiting", "") != 1; i++ {
		if i == 1000 {
			t.Fatal("the second message never waited for the slot")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The queue (one) is full: the third is refused at once, while the
	// first still holds the slot.
	refused(t, h, h.safe(textMsg("oBusySender0000000000001", "帮助", 3)), http.StatusServiceUnavailable)
	if got := h.metric(0, "gongzhi_webhook_refused_total", `reason="busy"`); got != 2 {
		t.Errorf("refused{busy} = %v, want 2", got)
	}
	select {
	case a := <-queuedDone:
		t.Fatalf("the waiting message was answered (%d) while the slot was held", a.status)
	default:
	}

	close(release)
	if s := <-slowDone; s != http.StatusOK {
		t.Errorf("the held request: %d", s)
	}
	a := <-queuedDone
	if a.status != http.StatusOK {
		t.Fatalf("the waiting message: %d (%.80s), want 200", a.status, a.body)
	}
	if r := h.decode(queued, a.body); r.Success || r.Content == "" || r.Content == messages.ZhCN.Failure {
		t.Errorf("the waiting message's reply: %+v, want the help text", r)
	}
	if got := h.metric(0, "gongzhi_webhook_waiting", ""); got != 0 {
		t.Errorf("waiting = %v after the burst, want 0", got)
	}
	if got := h.metric(0, "gongzhi_webhook_refused_total", `reason="busy"`); got != 2 {
		t.Errorf("refused{busy} = %v after the burst, want still 2", got)
	}
}

// TestWebhookSlotWaitEnds: a message that waits longer than SlotWait for a
// slot is refused (503, Retry-After) while the slot is still held.
func TestWebhookSlotWaitEnds(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	entered := make(chan struct{})
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{MaxInFlight: 1, SlotWait: time.Millisecond,
		WrapHandler: func(next handlers.MessageHandler) handlers.MessageHandler {
			return handlerFunc(func(ctx context.Context, in models.Inbound) (bot.Result, error) {
				if in.Content == "慢" {
					once.Do(func() { close(entered) })
					<-release
				}
				return next.Handle(ctx, in)
			})
		}})
	slowDone := make(chan int)
	go func() { s, _ := h.do(h.safe(textMsg("oSlowSender0000000000001", "慢", 1))); slowDone <- s }()
	<-entered
	refused(t, h, h.safe(textMsg("oLateSender0000000000001", "帮助", 2)), http.StatusServiceUnavailable)
	close(release)
	if s := <-slowDone; s != http.StatusOK {
		t.Errorf("the held request: %d", s)
	}
	if got := h.metric(0, "gongzhi_webhook_waiting", ""); got != 0 {
		t.Errorf("waiting = %v, want 0", got)
	}
}

// TestDedupeHitIsNotAnError: a WeChat retry is normal; it must not log at
// ERROR (an operator's alert), on either database.
func TestDedupeHitIsNotAnError(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{})
			r := h.safe(textMsg("oRetryLogger000000000001", "楼下的路灯坏了", 1))
			for range 2 {
				if status, _ := h.do(r); status != http.StatusOK {
					t.Fatalf("status %d", status)
				}
			}
			if h.metric(0, "gongzhi_dedupe_hits_total", "") != 1 {
				t.Fatal("the retry was not a dedupe hit")
			}
			for _, line := range strings.Split(h.Logs.String(), "\n") {
				if strings.Contains(line, `"level":"ERROR"`) {
					t.Errorf("logged at ERROR: %s", line)
				}
			}
		})
	}
}

// TestTimestampCanonicalOnly: the signature covers token, timestamp and
// nonce joined, so a timestamp with leading zeros (and a nonce shorter by as
// many characters) fits a signature already seen and would pass the replay
// guard as a new pair. Only the canonical timestamp is accepted.
func TestTimestampCanonicalOnly(t *testing.T) {
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{PlainOnly: true})
	r := h.plain(textMsg("oZeroStamp00000000000001", "帮助", 1))
	ts := "0" + r.Query.Get("timestamp")
	r.Query.Set("timestamp", ts)
	r.Query.Set("signature", refSign(h.Account.Token, ts, r.Query.Get("nonce")))
	refused(t, h, r, http.StatusForbidden)
	if got := h.metric(0, "gongzhi_webhook_refused_total", `reason="bad_timestamp"`); got != 1 {
		t.Errorf("refused{bad_timestamp} = %v, want 1", got)
	}
}

// TestSlowBodiesHoldNoSlot: senders that trickle their bodies are cut off
// after the read timeout and never hold one of the bounded slots, so a real
// message still gets through while they stall.
func TestSlowBodiesHoldNoSlot(t *testing.T) {
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{MaxInFlight: 1, BodyReadTimeout: 300 * time.Millisecond})
	u, err := url.Parse(h.Servers[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	stalled := h.safe(textMsg("oStalled0000000000000001", "帮助", 1))
	var conns []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "POST /wechat?%s HTTP/1.1\r\nHost: %s\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<xml>",
			stalled.Query.Encode(), u.Host)
	}
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	time.Sleep(100 * time.Millisecond) // the stalled bodies are being read
	if status, _ := h.do(h.safe(textMsg("oGenuine0000000000000001", "帮助", 2))); status != http.StatusOK {
		t.Fatalf("a genuine message while bodies stall: %d, want 200", status)
	}
	// The stalled senders are answered (400) once the read timeout passes.
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || !strings.Contains(line, " 400 ") {
			t.Errorf("stalled sender %d: %q, %v; want a 400 after the read timeout", i, line, err)
		}
	}
}
