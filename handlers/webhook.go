package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/wx"
	"github.com/gongzhi/gongzhi/models"
)

// MaxBodyBytes is the largest webhook body accepted (WeChat's are a few KiB).
const MaxBodyBytes = 1 << 20

// DefaultMaxInFlight is Webhook.MaxInFlight's default: far above what one
// account's traffic needs, far below what 1 MiB bodies can exhaust.
const DefaultMaxInFlight = 64

// DefaultMaxQueued is Webhook.MaxQueued's default: a burst of this many
// messages past the in-flight bound waits for a slot instead of a 503 (half
// a second at 500 messages a second). Each waiting request holds its
// connection's buffers and goroutine (~25 KiB): under sustained overload,
// when more arrive than can be answered, a longer queue only holds more
// memory (512 took the load tool's peak RSS to 97 MB).
const DefaultMaxQueued = 256

// DefaultSlotWait is Webhook.SlotWait's default: how long a message waits
// for a slot before the 503, well inside WeChat's 5-second wait.
const DefaultSlotWait = time.Second

// maxWaitingBody is the largest body that may wait for a slot: WeChat's are
// a few KiB, and MaxQueued bodies of 1 MiB each would hold half a GiB.
const maxWaitingBody = 64 << 10

// DefaultBodyReadTimeout is Webhook.BodyReadTimeout's default: WeChat's
// bodies are a few kilobytes, sent at once.
const DefaultBodyReadTimeout = 5 * time.Second

// MessageHandler is what the webhook hands each verified message to.
type MessageHandler interface {
	Handle(ctx context.Context, msg models.Inbound) (bot.Result, error)
}

// Webhook serves WeChat's server URL: verification (GET) and messages
// (POST) in plaintext, compatible and safe (AES) modes.
type Webhook struct {
	Accounts *wx.Accounts
	Handler  MessageHandler
	Pusher   bot.Pusher
	Log      *slog.Logger
	Metrics  *Metrics
	Now      func() time.Time
	// MaxSkew refuses requests whose timestamp is further off: the SDK
	// checks the signature but not freshness, so an old signed request
	// could be replayed forever.
	MaxSkew time.Duration
	// ReplyBudget is how long a message may take before the webhook answers
	// "success" and delivers the reply later by customer-service message,
	// inside WeChat's 5-second wait.
	ReplyBudget time.Duration
	// Failure is said when the message could not be handled at all.
	Failure string
	// Nonces remembers each signed triple with the body it carried, so that
	// a signature seen once (in a proxy's access log, say) cannot carry
	// another body; nil remembers nothing.
	Nonces models.NonceStore
	// MaxInFlight bounds the POST bodies handled at once (a body is read
	// before it takes a slot). 0 = DefaultMaxInFlight.
	MaxInFlight int
	// MaxQueued bounds the messages waiting for a slot; past it the webhook
	// answers 503 at once (WeChat retries). 0 = DefaultMaxQueued; < 0: none
	// wait.
	MaxQueued int
	// SlotWait bounds a message's wait for a slot (then 503); 0 =
	// DefaultSlotWait. It is at most half the reply budget, and the time
	// waited comes out of the budget, so the answer still leaves in time.
	SlotWait time.Duration
	// BodyReadTimeout bounds reading one POST body (0: the default; < 0:
	// none), so slow senders cannot hold the server's connections.
	BodyReadTimeout time.Duration

	slotsOnce sync.Once
	slots     chan struct{}
	waiting   atomic.Int64

	// workers run the messages: goroutines kept between messages (workers.go).
	workers workers

	// inflight counts messages still being handled, and late replies still
	// being pushed, after their request was answered (Drain).
	inflight sync.WaitGroup
}

// Drain waits until every message taken is committed (or failed) and every
// late reply pushed, or ctx ends. Shutdown calls it after the HTTP server
// stopped taking requests and before the database closes: a message already
// answered with "success" is not retried by WeChat, so it must not be lost.
func (w *Webhook) Drain(ctx context.Context) error {
	idle := make(chan struct{})
	go func() { w.inflight.Wait(); close(idle) }()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// refuse answers a request that is not trusted or not readable. Nothing has
// been stored at this point.
func (w *Webhook) refuse(c *gin.Context, status int, reason string) {
	w.Metrics.WebhookRefused.WithLabelValues(reason).Inc()
	w.Log.WarnContext(c.Request.Context(), "webhook request refused", "reason", reason, "status", status, "request_id", RequestID(c))
	c.String(status, http.StatusText(status))
}

// Serve handles GET and POST on /wechat and /wechat/:appid.
func (w *Webhook) Serve(c *gin.Context) {
	started := time.Now()
	defer func() { w.Metrics.WebhookSeconds.Observe(time.Since(started).Seconds()) }()

	acct := w.Accounts.Default
	if appID := c.Param("appid"); appID != "" {
		a, ok := w.Accounts.ByAppID(appID)
		if !ok {
			w.refuse(c, http.StatusNotFound, "unknown_account")
			return
		}
		acct = a
	}
	q := c.Request.URL.Query()
	ts, nonce, sig := q.Get("timestamp"), q.Get("nonce"), q.Get("signature")
	if sig == "" || ts == "" || nonce == "" {
		w.refuse(c, http.StatusForbidden, "missing_signature")
		return
	}
	if !wx.ValidSignature(sig, acct.Config.Token, ts, nonce) {
		w.refuse(c, http.StatusForbidden, "bad_signature")
		return
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	// Only the canonical form: with leading zeros the same signature would
	// fit another split of timestamp and nonce, and pass the replay guard.
	if err != nil || sec <= 0 || strconv.FormatInt(sec, 10) != ts {
		w.refuse(c, http.StatusForbidden, "bad_timestamp")
		return
	}
	if skew := w.Now().Sub(time.Unix(sec, 0)); skew > w.MaxSkew || skew < -w.MaxSkew {
		w.refuse(c, http.StatusForbidden, "stale_timestamp")
		return
	}
	if len(nonce) > models.MaxNonceLen {
		w.refuse(c, http.StatusForbidden, "bad_nonce")
		return
	}
	if c.Request.Method == http.MethodGet {
		echo := q.Get("echostr")
		if echo == "" {
			w.refuse(c, http.StatusBadRequest, "no_echostr")
			return
		}
		// The verification spends its triple too: `signature` covers no
		// body, so a plaintext POST under a verification URL seen once (in
		// a proxy's log) could otherwise carry anything as anyone. The same
		// GET again is answered again.
		if !w.useNonce(c, acct.Config.AppID, sec, nonce, []byte("GET echostr="+echo)) {
			return
		}
		c.String(http.StatusOK, echo)
		return
	}

	// An account with an AES key reads only what msg_signature covers:
	// `signature` covers no body, so a plaintext request under a signature
	// seen once (in a proxy's log) could carry anything as anyone.
	safe := acct.Config.AESKey != ""
	if safe && q.Get("encrypt_type") != "aes" {
		w.refuse(c, http.StatusForbidden, "plaintext_refused")
		return
	}
	// WeChat sends its small bodies at once: a sender that trickles one is
	// cut off early, and holds no slot while it trickles.
	if rt := w.BodyReadTimeout; rt >= 0 {
		if rt == 0 {
			rt = DefaultBodyReadTimeout
		}
		_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(rt))
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, MaxBodyBytes+1))
	if err != nil {
		w.refuse(c, http.StatusBadRequest, "unreadable_body")
		return
	}
	waitStart := time.Now()
	if !w.acquire(c.Request.Context(), len(body) <= maxWaitingBody) {
		c.Header("Retry-After", "1")
		w.refuse(c, http.StatusServiceUnavailable, "busy")
		return
	}
	defer w.release()
	budget := w.ReplyBudget - time.Since(waitStart)
	if len(body) > MaxBodyBytes {
		w.refuse(c, http.StatusRequestEntityTooLarge, "body_too_large")
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		w.refuse(c, http.StatusBadRequest, "empty_body")
		return
	}
	signed, safeSigned := body, false
	if q.Get("encrypt_type") == "aes" {
		// A byte scan, no XML tree: nothing costly happens before the
		// signature over the Encrypt text is checked.
		enc, err := wx.ScanEncrypt(body)
		if err != nil {
			w.refuse(c, http.StatusBadRequest, "malformed_envelope")
			return
		}
		if !wx.ValidSignature(q.Get("msg_signature"), acct.Config.Token, ts, nonce, enc) {
			w.refuse(c, http.StatusForbidden, "bad_msg_signature")
			return
		}
		// Compatible mode also sends the message in plaintext, unsigned:
		// the SDK gets the encrypted part only.
		signed, body, safeSigned = []byte(enc), wx.EnvelopeOf(enc), true
	} else if err := wx.CheckDepth(body, wx.MaxDepth); err != nil {
		w.refuse(c, http.StatusBadRequest, "too_deep")
		return
	}
	// In safe mode msg_signature already binds the body to the triple: a
	// replay can only carry the same Encrypt, which the message dedupe
	// answers. Only plaintext needs the triple remembered.
	if !safeSigned && !w.useNonce(c, acct.Config.AppID, sec, nonce, signed) {
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	queryOpenID := q.Get("openid")

	var (
		invalid  bool
		failed   bool
		mismatch bool
	)
	// The SDK writes to a buffer, not to the client: in plaintext mode it
	// answers "success" itself before the webhook can refuse the message.
	out := &sdkWriter{header: http.Header{}}
	srv := acct.OA.GetServer(c.Request, out)
	srv.SkipValidate(true) // `signature` was checked above; msg_signature the SDK checks again
	srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
		if string(m.FromUserName) == "" || m.MsgType == "" {
			invalid = true
			return nil
		}
		if queryOpenID != "" && queryOpenID != string(m.FromUserName) {
			mismatch = true // WeChat puts the sender in both places
			return nil
		}
		in := wx.ToInbound(m, acct.Config.CommunityID)
		w.Metrics.Messages.WithLabelValues(metricType(in)).Inc()
		text, err := w.handle(c.Request.Context(), in, RequestID(c), budget)
		if err != nil {
			failed = true
			w.Log.ErrorContext(c.Request.Context(), "handle message failed", "err", err, "msg_type", in.MsgType, "request_id", RequestID(c))
			text = w.Failure
		}
		if text == "" {
			return nil
		}
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(text)}
	})
	if err := srv.Serve(); err != nil {
		// Decryption, AppID or XML errors: the signature passed but the
		// content is not a message we can read.
		w.refuse(c, http.StatusBadRequest, "undecodable_message")
		return
	}
	if invalid {
		w.refuse(c, http.StatusBadRequest, "malformed_message")
		return
	}
	if mismatch {
		w.refuse(c, http.StatusForbidden, "openid_mismatch")
		return
	}
	if failed {
		w.Metrics.WebhookRefused.WithLabelValues("handler_error").Inc()
	}
	if srv.ResponseMsg == nil {
		// In safe mode the SDK would send an encrypted empty string, which
		// WeChat shows as an error: "success" is what it expects.
		w.flush(c, out)
		return
	}
	if err := srv.Send(); err != nil {
		w.Log.ErrorContext(c.Request.Context(), "send reply failed", "err", wx.Scrub(err), "request_id", RequestID(c))
		out.body.Reset()
	}
	w.flush(c, out)
}

// acquire takes a slot for one message in flight. When all are taken it
// waits (if mayWait), at most SlotWait and only if fewer than MaxQueued
// already wait, so a short burst is absorbed instead of refused.
func (w *Webhook) acquire(ctx context.Context, mayWait bool) bool {
	w.slotsOnce.Do(func() {
		n := w.MaxInFlight
		if n <= 0 {
			n = DefaultMaxInFlight
		}
		w.slots = make(chan struct{}, n)
	})
	select {
	case w.slots <- struct{}{}:
		return true
	default:
	}
	limit := int64(w.MaxQueued)
	if !mayWait {
		return false
	}
	if limit == 0 {
		limit = DefaultMaxQueued
	}
	if w.waiting.Add(1) > limit {
		w.waiting.Add(-1)
		return false
	}
	w.Metrics.WebhookWaiting.Inc()
	defer func() {
		w.waiting.Add(-1)
		w.Metrics.WebhookWaiting.Dec()
	}()
	timer := time.NewTimer(w.slotWait())
	defer timer.Stop()
	select {
	case w.slots <- struct{}{}:
		return true
	case <-timer.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// slotWait is SlotWait or its default, at most half the reply budget.
func (w *Webhook) slotWait() time.Duration {
	d := w.SlotWait
	if d <= 0 {
		d = DefaultSlotWait
	}
	return min(d, w.ReplyBudget/2)
}

func (w *Webhook) release() { <-w.slots }

// useNonce records the signed triple with the body it carries and refuses
// a triple seen with another body. A database that does not answer lets
// the request through: the message cannot be acted on either, and the
// resident gets the apology rather than WeChat's error.
func (w *Webhook) useNonce(c *gin.Context, appID string, ts int64, nonce string, signed []byte) bool {
	if w.Nonces == nil {
		return true
	}
	sum := sha256.Sum256(signed)
	err := w.Nonces.UseNonce(c.Request.Context(), models.SignedRequest{AppID: appID, Timestamp: ts, Nonce: nonce,
		Digest: hex.EncodeToString(sum[:]), SeenAt: w.Now()})
	switch {
	case err == nil:
		return true
	case errors.Is(err, models.ErrNonceReused):
		w.refuse(c, http.StatusForbidden, "replayed_nonce")
		return false
	default:
		w.Log.WarnContext(c.Request.Context(), "replay check unavailable", "err", err, "request_id", RequestID(c))
		return true
	}
}

// flush sends what the SDK wrote, or "success" when it wrote nothing.
func (w *Webhook) flush(c *gin.Context, out *sdkWriter) {
	if out.body.Len() == 0 {
		c.String(http.StatusOK, "success")
		return
	}
	if ct := out.header.Get("Content-Type"); ct != "" {
		c.Header("Content-Type", ct)
	}
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(out.body.Bytes())
}

// sdkWriter holds the SDK's answer until the webhook has decided to send it.
type sdkWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (s *sdkWriter) Header() http.Header         { return s.header }
func (s *sdkWriter) WriteHeader(int)             {}
func (s *sdkWriter) Write(p []byte) (int, error) { return s.body.Write(p) }

// handle runs the message within the reply budget. Past it, the webhook
// answers "success" and the reply follows as a customer-service message.
func (w *Webhook) handle(ctx context.Context, in models.Inbound, reqID string, budget time.Duration) (string, error) {
	type outcome struct {
		res bot.Result
		err error
	}
	done := make(chan outcome, 1)
	// The work must not die with WeChat's connection: it commits or not, whole.
	work := context.WithoutCancel(ctx)
	w.inflight.Add(1) // done by whoever takes the outcome
	w.workers.run(func() {
		res, err := w.Handler.Handle(work, in)
		done <- outcome{res, err}
	})
	timer := time.NewTimer(budget)
	defer timer.Stop()
	select {
	case o := <-done:
		w.inflight.Done()
		if o.res.Duplicate {
			w.Metrics.DedupeHits.Inc()
		}
		return o.res.Reply, o.err
	case <-timer.C:
		w.Metrics.LateReplies.Inc()
		go func() {
			defer w.inflight.Done()
			o := <-done
			if o.err != nil || o.res.Duplicate || o.res.Reply == "" {
				if o.err != nil {
					w.Log.Error("late message failed", "err", o.err, "request_id", reqID)
				}
				return
			}
			text := o.res.Reply
			if o.res.LateReply != "" {
				text = o.res.LateReply // a one-time link is not stored in the outbox
			}
			pctx, cancel := context.WithTimeout(work, 10*time.Second)
			defer cancel()
			if err := w.Pusher.PushText(pctx, in.CommunityID, in.OpenID, text); err != nil {
				w.Log.Error("push late reply failed", "err", errors.New(wx.Scrub(err)), "request_id", reqID)
			}
		}()
		return "", nil
	}
}

// metricType bounds the label's values: WeChat can send any type string.
func metricType(in models.Inbound) string {
	switch in.MsgType {
	case models.MsgText, models.MsgImage, models.MsgVoice, models.MsgVideo, models.MsgLocation, models.MsgLink:
		return in.MsgType
	case models.MsgEvent:
		switch in.Event {
		case models.EventSubscribe, models.EventUnsubscribe, models.EventClick:
			return "event_" + in.Event
		}
		return "event_other"
	}
	return "unknown"
}
