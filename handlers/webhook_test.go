package handlers_test

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot"
	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// TestWebhookOfficialSample posts WeChat's published safe-mode sample,
// byte for byte, at its own time, and checks what the bot received, what it
// stored and the encrypted reply.
func TestWebhookOfficialSample(t *testing.T) {
	v := loadVectors(t)
	sec, _ := strconv.ParseInt(v.Timestamp, 10, 64)
	sampleReq := func(h *harness) request {
		h.remember(v.DecryptedPlaintext)
		q := map[string][]string{"signature": {v.Signature}, "timestamp": {v.Timestamp}, "nonce": {v.Nonce},
			"encrypt_type": {"aes"}, "msg_signature": {v.MsgSignature}}
		return request{Method: http.MethodPost, Query: q, Body: []byte(v.PostBody), Safe: true}
	}
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{Token: v.Token, AESKey: v.EncodingAESKey, AppID: v.AppID, Start: time.Unix(sec, 0)})
			r := sampleReq(h)
			status, body := h.do(r)
			if status != http.StatusOK {
				t.Fatalf("status %d (%s), want 200", status, body)
			}
			calls := h.Rec.calls()
			if len(calls) != 1 {
				t.Fatalf("handler called %d times, want 1", len(calls))
			}
			in := calls[0].In
			if in.OpenID != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" || in.Content != "abcdteT" || in.MsgID != 6054768590064713728 ||
				in.MsgType != models.MsgText || in.CreateTime != 1409735668 || in.CommunityID != testCommunity {
				t.Errorf("handled message = %+v", in)
			}
			stored, err := h.DB.ProcessedReply(context.Background(), testCommunity, (&models.Inbound{OpenID: "oyORnuP8q7ou2gfYjqLzSIWZf0rs", MsgID: 6054768590064713728}).DedupeKey())
			want := firstReply(t, "abcdteT")
			if err != nil || stored != want {
				t.Errorf("dedupe row reply = %q, %v; want %q", stored, err, want)
			}

			got := h.decode(r, body)
			if got.MsgType != "text" || got.Content != want ||
				got.ToUserName != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" || got.FromUserName != "gh_10f6c3c3ac5a" {
				t.Errorf("reply = %+v", got)
			}
			t.Run("node reference verifies and decrypts the reply", func(t *testing.T) {
				var e encryptedReply
				if err := xml.Unmarshal([]byte(body), &e); err != nil {
					t.Fatal(err)
				}
				out := nodeCrypt(t, "decrypt", map[string]string{"token": v.Token, "encodingAESKey": v.EncodingAESKey,
					"appid": v.AppID, "timestamp": e.TimeStamp, "nonce": e.Nonce, "encrypt": e.Encrypt, "msg_signature": e.MsgSignature})
				if !out.SignatureOK || out.AppID != v.AppID {
					t.Fatalf("node: signature_ok=%v appid=%q", out.SignatureOK, out.AppID)
				}
				var x replyXML
				if err := xml.Unmarshal([]byte(out.Message), &x); err != nil || x.Content != want {
					t.Errorf("node-decrypted reply = %q (%v)", out.Message, err)
				}
			})
			t.Run("the same request today is stale", func(t *testing.T) {
				h.Clock.Set(time.Now())
				before := h.counts()
				if status, _ := h.do(sampleReq(h)); status != http.StatusForbidden {
					t.Errorf("status %d, want 403", status)
				}
				if after := h.counts(); after != before {
					t.Errorf("rows changed: %+v → %+v", before, after)
				}
			})
		})
	}
}

// TestWebhookFixtures sends every documented message type in plaintext and
// in safe mode and checks the reply each gets.
func TestWebhookFixtures(t *testing.T) {
	z := messages.ZhCN
	want := map[string]string{ // "" = no reply: "success"
		"event_CLICK.xml":                     "", // a key the menu does not have
		"event_CLICK_HELP":                    z.HelpResident,
		"event_LOCATION.xml":                  "",
		"event_MASSSENDJOBFINISH.xml":         "",
		"event_SCAN.xml":                      "",
		"event_TEMPLATESENDJOBFINISH.xml":     "",
		"event_VIEW.xml":                      "",
		"event_location_select.xml":           "",
		"event_pic_photo_or_album.xml":        "",
		"event_subscribe.xml":                 z.Welcome,
		"event_subscribe_msg_popup_event.xml": "",
		"event_subscribe_qrscene.xml":         z.Welcome,
		"event_unsubscribe.xml":               "",
		"image.xml":                           z.PhotoAskText,
		"link.xml":                            z.LinkReceived,
		"location.xml":                        z.LocationAskText,
		"text.xml":                            firstReply(t, "this is a test"),
		"unknown_msgtype.xml":                 z.Unsupported,
		"video.xml":                           z.VideoReceived,
		"voice.xml":                           z.VoiceNoText,
	}
	names := append(fixtures(t), "event_CLICK_HELP")
	for _, n := range names {
		if _, ok := want[n]; !ok {
			t.Errorf("fixture %s has no expected reply in this test", n)
		}
	}
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{})
			var n int64
			for _, mode := range []string{"plain", "safe"} {
				for _, name := range names {
					t.Run(mode+"/"+name, func(t *testing.T) {
						var msg string
						if name == "event_CLICK_HELP" {
							msg = strings.Replace(fixture(t, "event_CLICK.xml"), "EVENTKEY", "HELP", 1)
						} else {
							msg = fixture(t, name)
						}
						n++
						// Each fixture from a new resident: the reply must not
						// depend on what an earlier fixture started.
						msg = strings.Replace(uniquify(msg, n), "<FromUserName><![CDATA[", fmt.Sprintf("<FromUserName><![CDATA[fixture%03d", n), 1)
						r := h.in(mode, msg)
						status, body := h.do(r)
						if status != http.StatusOK {
							t.Fatalf("status %d (%s), want 200", status, body)
						}
						got := h.decode(r, body)
						if want[name] == "" {
							if !got.Success {
								t.Errorf("reply %+v, want success", got)
							}
							return
						}
						from := fromRe.FindStringSubmatch(msg)[1]
						if got.Success || got.MsgType != "text" || got.Content != want[name] || got.ToUserName != from {
							t.Errorf("reply %+v, want text %q to %s", got, want[name], from)
						}
					})
				}
			}
			// Every message was new and each was recorded once, but for the
			// two help clicks: a pure query is not recorded (Output.ReadOnly).
			if c := h.counts(); c.Processed != n-2 {
				t.Errorf("%d dedupe rows after %d distinct messages, want %d", c.Processed, n, n-2)
			}
		})
	}
}

// TestWebhookSafeModeNodeRoundTrip has the Node.js reference encrypt the
// request exactly as WeChat does and verify and decrypt the reply.
func TestWebhookSafeModeNodeRoundTrip(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{})
			const openID = "oNodeRoundTrip00000000001"
			msg := textMsg(openID, messages.ZhCNWords.Help[0], 424242)
			h.remember(msg)
			q := h.signedQuery(h.Clock.Now())
			enc := nodeCrypt(t, "encrypt", map[string]string{"token": h.Account.Token, "encodingAESKey": h.Account.AESKey,
				"appid": h.Account.AppID, "timestamp": q.Get("timestamp"), "nonce": q.Get("nonce"), "message": msg})
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", enc.MsgSignature)
			body := "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[" + enc.Encrypt + "]]></Encrypt></xml>"
			status, resp := h.do(request{Method: http.MethodPost, Query: q, Body: []byte(body), Safe: true})
			if status != http.StatusOK {
				t.Fatalf("status %d (%s), want 200", status, resp)
			}
			var e encryptedReply
			if err := xml.Unmarshal([]byte(resp), &e); err != nil || e.Encrypt == "" {
				t.Fatalf("reply is not an encrypted envelope (%v): %s", err, resp)
			}
			out := nodeCrypt(t, "decrypt", map[string]string{"token": h.Account.Token, "encodingAESKey": h.Account.AESKey,
				"appid": h.Account.AppID, "timestamp": e.TimeStamp, "nonce": e.Nonce, "encrypt": e.Encrypt, "msg_signature": e.MsgSignature})
			if !out.SignatureOK {
				t.Error("node: the reply's MsgSignature does not verify")
			}
			if out.AppID != h.Account.AppID {
				t.Errorf("node: reply encrypted for %q, want %q", out.AppID, h.Account.AppID)
			}
			var x replyXML
			if err := xml.Unmarshal([]byte(out.Message), &x); err != nil {
				t.Fatalf("node-decrypted reply is not XML: %v: %q", err, out.Message)
			}
			if x.MsgType != "text" || x.Content != messages.ZhCN.HelpResident || x.ToUserName != openID || x.FromUserName != "gh_test" {
				t.Errorf("reply = %+v", x)
			}
		})
	}
}

// TestWebhookRefusals checks each refusal's status and that nothing reached
// the bot or the database.
func TestWebhookRefusals(t *testing.T) {
	const openID = "oRefusedSender0000000001"
	big := "<xml>" + strings.Repeat(" ", handlers.MaxBodyBytes) + "</xml>"
	otherKey := "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
	cases := []struct {
		name  string
		build func(h *harness) request
		want  int
	}{
		{"bad signature", func(h *harness) request {
			r := h.plain(textMsg(openID, "签名不对", 1))
			r.Query.Set("signature", refSign("not-the-token", r.Query.Get("timestamp"), r.Query.Get("nonce")))
			return r
		}, http.StatusForbidden},
		{"missing signature", func(h *harness) request {
			r := h.plain(textMsg(openID, "没有签名", 2))
			r.Query.Del("signature")
			return r
		}, http.StatusForbidden},
		{"missing timestamp", func(h *harness) request {
			r := h.plain(textMsg(openID, "没有时间", 3))
			r.Query.Del("timestamp")
			return r
		}, http.StatusForbidden},
		{"timestamp not a number", func(h *harness) request {
			r := h.plain(textMsg(openID, "时间不对", 4))
			r.Query.Set("timestamp", "soon")
			r.Query.Set("signature", refSign(h.Account.Token, "soon", r.Query.Get("nonce")))
			return r
		}, http.StatusForbidden},
		{"timestamp 6 minutes old", func(h *harness) request {
			r := h.plain(textMsg(openID, "太旧了", 5))
			r.Query = h.signedQuery(h.Clock.Now().Add(-6 * time.Minute))
			return r
		}, http.StatusForbidden},
		{"timestamp 6 minutes ahead", func(h *harness) request {
			r := h.plain(textMsg(openID, "太新了", 6))
			r.Query = h.signedQuery(h.Clock.Now().Add(6 * time.Minute))
			return r
		}, http.StatusForbidden},
		{"replay of an accepted request 6 minutes later", func(h *harness) request {
			r := h.plain(textMsg(openID, "重放攻击", 7))
			if status, body := h.do(r); status != http.StatusOK {
				t.Fatalf("first delivery: status %d (%s)", status, body)
			}
			h.Clock.Advance(6 * time.Minute)
			return r
		}, http.StatusForbidden},
		{"body over 1 MiB", func(h *harness) request { return h.plain(big) }, http.StatusRequestEntityTooLarge},
		{"safe-mode body over 1 MiB", func(h *harness) request {
			r := h.safe(textMsg(openID, "太大了", 8))
			r.Body = append(r.Body, []byte(strings.Repeat(" ", handlers.MaxBodyBytes))...)
			return r
		}, http.StatusRequestEntityTooLarge},
		{"empty body", func(h *harness) request { return h.plain("") }, http.StatusBadRequest},
		{"malformed XML", func(h *harness) request {
			return h.plain("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[" + openID)
		}, http.StatusBadRequest},
		{"not XML at all", func(h *harness) request { return h.plain("{\"msgtype\":\"text\"}") }, http.StatusBadRequest},
		{"plaintext message without FromUserName", func(h *harness) request {
			return h.plain(strings.Replace(textMsg(openID, "没有发件人", 9), "<FromUserName><![CDATA["+openID+"]]></FromUserName>", "", 1))
		}, http.StatusBadRequest},
		{"safe-mode message without FromUserName", func(h *harness) request {
			return h.safe(strings.Replace(textMsg(openID, "没有发件人", 10), "<FromUserName><![CDATA["+openID+"]]></FromUserName>", "", 1))
		}, http.StatusBadRequest},
		{"message without MsgType", func(h *harness) request {
			return h.plain(strings.Replace(textMsg(openID, "没有类型", 11), "<MsgType><![CDATA[text]]></MsgType>", "", 1))
		}, http.StatusBadRequest},
		{"AES body with a bad msg_signature", func(h *harness) request {
			r := h.safe(textMsg(openID, "坏的消息签名", 12))
			r.Query.Set("msg_signature", refSign(h.Account.Token, r.Query.Get("timestamp"), r.Query.Get("nonce"), "other"))
			return r
		}, http.StatusForbidden},
		{"AES body without msg_signature", func(h *harness) request {
			r := h.safe(textMsg(openID, "没有消息签名", 13))
			r.Query.Del("msg_signature")
			return r
		}, http.StatusForbidden},
		{"AES body encrypted with another key", func(h *harness) request {
			msg := textMsg(openID, "别的密钥", 14)
			enc, err := refEncrypt(otherKey, h.Account.AppID, []byte("0123456789abcdef"), []byte(msg))
			if err != nil {
				t.Fatal(err)
			}
			return h.safeEncrypted(msg, enc)
		}, http.StatusBadRequest},
		{"AES body that is not base64", func(h *harness) request { return h.safeEncrypted("", "!!not*base64!!") }, http.StatusBadRequest},
		{"AES body shorter than a block", func(h *harness) request {
			return h.safeEncrypted("", base64.StdEncoding.EncodeToString([]byte("0123456789abcdef")))
		}, http.StatusBadRequest},
		{"AES body for another AppID", func(h *harness) request {
			msg := textMsg(openID, "别的公众号", 15)
			enc, err := refEncrypt(h.Account.AESKey, "wx0000000000000000", nil, []byte(msg))
			if err != nil {
				t.Fatal(err)
			}
			return h.safeEncrypted(msg, enc)
		}, http.StatusBadRequest},
		{"AES envelope without Encrypt", func(h *harness) request {
			r := h.safe(textMsg(openID, "空信封", 16))
			r.Body = []byte("<xml><ToUserName><![CDATA[gh_test]]></ToUserName></xml>")
			return r
		}, http.StatusBadRequest},
		{"AES envelope that decrypts to non-XML", func(h *harness) request {
			enc, err := refEncrypt(h.Account.AESKey, h.Account.AppID, nil, []byte("not xml at all"))
			if err != nil {
				t.Fatal(err)
			}
			return h.safeEncrypted("", enc)
		}, http.StatusBadRequest},
		{"GET without echostr", func(h *harness) request {
			return request{Method: http.MethodGet, Query: h.signedQuery(h.Clock.Now())}
		}, http.StatusBadRequest},
		{"GET echostr with a bad signature", func(h *harness) request {
			q := h.signedQuery(h.Clock.Now())
			q.Set("echostr", "4242")
			q.Set("signature", "0000000000000000000000000000000000000000")
			return request{Method: http.MethodGet, Query: q}
		}, http.StatusForbidden},
		{"unknown appid", func(h *harness) request {
			r := h.plain(textMsg(openID, "找不到公众号", 17))
			r.Path = "/wechat/wx9999999999999999"
			return r
		}, http.StatusNotFound},
	}
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{})
			// One accepted message first, so that "nothing written" is measured on a used database.
			if status, _ := h.do(h.plain(textMsg("oEarlierResident00000001", "之前的消息", 99))); status != http.StatusOK {
				t.Fatalf("warm-up message: status %d", status)
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					start := h.Clock.Now()
					defer h.Clock.Set(start)
					r := tc.build(h)
					before, calls := h.counts(), len(h.Rec.calls())
					status, body := h.do(r)
					if status != tc.want {
						t.Errorf("status %d (%.80s), want %d", status, body, tc.want)
					}
					if strings.Contains(body, "success") || strings.Contains(body, "<xml") {
						t.Errorf("a refused request got a reply body: %.200s", body)
					}
					if after := h.counts(); after != before {
						t.Errorf("rows changed: %+v → %+v", before, after)
					}
					if n := len(h.Rec.calls()); n != calls {
						t.Errorf("the bot handled %d message(s) of a refused request", n-calls)
					}
				})
			}
		})
	}
}

// TestWebhookAccepts covers the accepted edges of the refusals: GET
// verification, the per-account path, and timestamps just within the skew.
func TestWebhookAccepts(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{})
			t.Run("GET echostr", func(t *testing.T) {
				q := h.signedQuery(h.Clock.Now())
				q.Set("echostr", "7539218560148853210")
				status, body := h.do(request{Method: http.MethodGet, Query: q})
				if status != http.StatusOK || body != "7539218560148853210" {
					t.Errorf("GET = %d %q, want 200 and the echostr", status, body)
				}
			})
			t.Run("GET echostr on the account's own path", func(t *testing.T) {
				q := h.signedQuery(h.Clock.Now())
				q.Set("echostr", "echo-by-appid")
				status, body := h.do(request{Method: http.MethodGet, Path: "/wechat/" + h.Account.AppID, Query: q})
				if status != http.StatusOK || body != "echo-by-appid" {
					t.Errorf("GET = %d %q", status, body)
				}
			})
			t.Run("POST on the account's own path", func(t *testing.T) {
				r := h.safe(textMsg("oByAppIDPath000000000001", messages.ZhCNWords.Help[0], 31))
				r.Path = "/wechat/" + h.Account.AppID
				status, body := h.do(r)
				if got := h.decode(r, body); status != http.StatusOK || got.Content != messages.ZhCN.HelpResident {
					t.Errorf("POST = %d %+v", status, got)
				}
			})
			for i, skew := range []time.Duration{-4*time.Minute - 59*time.Second, 4*time.Minute + 59*time.Second} {
				t.Run("timestamp off by "+skew.String(), func(t *testing.T) {
					r := h.plain(textMsg("oSkewedClock000000000001", messages.ZhCNWords.Help[0], int64(40+i)))
					r.Query = h.signedQuery(h.Clock.Now().Add(skew))
					if status, body := h.do(r); status != http.StatusOK {
						t.Errorf("status %d (%s), want 200", status, body)
					}
				})
			}
		})
	}
}

// commitBarrier holds every CommitTurn until n are waiting (or a timeout),
// so that concurrent deliveries all pass the dedupe lookup before any
// commits: the race the database's unique key must settle.
type commitBarrier struct {
	models.Store
	n       int
	enabled atomic.Bool
	mu      sync.Mutex
	waiting int
	release chan struct{}
}

func newCommitBarrier(n int) *commitBarrier {
	return &commitBarrier{n: n, release: make(chan struct{})}
}

func (b *commitBarrier) CommitTurn(ctx context.Context, t *models.Turn) error {
	if b.enabled.Load() {
		b.mu.Lock()
		b.waiting++
		if b.waiting == b.n {
			close(b.release)
		}
		release := b.release
		b.mu.Unlock()
		select {
		case <-release:
		case <-time.After(3 * time.Second):
		}
	}
	return b.Store.CommitTurn(ctx, t)
}

// TestWebhookRetryStorm sends one message three times at once, each to
// another replica over the same database: it is processed once and every
// delivery gets the same reply.
func TestWebhookRetryStorm(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			barrier := newCommitBarrier(3)
			h := newHarness(t, driver, harnessOpts{Replicas: 3, WrapStore: func(s models.Store) models.Store {
				barrier.Store = s
				return barrier
			}})
			for i, mode := range []struct {
				name string
				held bool
			}{{"commits held until all three race", true}, {"free-running", false}} {
				t.Run(mode.name, func(t *testing.T) {
					barrier.enabled.Store(mode.held)
					openID := "oStormSender00000000000" + strconv.Itoa(i)
					r := h.safe(textMsg(openID, "楼道的灯坏了三天了", int64(5000+i)))
					before := h.counts()
					callsBefore := make([]int, len(h.Recs))
					for k, rec := range h.Recs {
						callsBefore[k] = len(rec.calls())
					}
					var wg sync.WaitGroup
					statuses, bodies := make([]int, 3), make([]string, 3)
					for k := range 3 {
						wg.Go(func() { statuses[k], bodies[k] = h.doOn(k, r) })
					}
					wg.Wait()
					for k := range 3 {
						if statuses[k] != http.StatusOK {
							t.Fatalf("delivery %d: status %d (%s)", k, statuses[k], bodies[k])
						}
						got := h.decode(r, bodies[k])
						if want := firstReply(t, "楼道的灯坏了三天了"); !got.Success && (got.Content != want || got.ToUserName != openID) {
							t.Errorf("delivery %d: reply %+v, want %q or success", k, got, want)
						}
					}
					after := h.counts()
					if after.Processed-before.Processed != 1 || after.Residents-before.Residents != 1 {
						t.Errorf("rows %+v → %+v: want one dedupe row and one resident", before, after)
					}
					var firsts, dups int
					var calls []handled
					for k, rec := range h.Recs {
						calls = append(calls, rec.calls()[callsBefore[k]:]...)
					}
					for _, c := range calls {
						if c.Err != nil {
							t.Errorf("handler error: %v", c.Err)
						} else if c.Res.Duplicate {
							dups++
						} else {
							firsts++
						}
					}
					if firsts != 1 || dups != 2 {
						t.Errorf("%d first deliveries and %d duplicates, want 1 and 2", firsts, dups)
					}
					res, err := h.DB.Resident(context.Background(), testCommunity, openID)
					if err != nil || res.LastMessageAt == nil {
						t.Errorf("resident = %+v, %v", res, err)
					}
				})
			}
			var hits float64
			for i := range h.Servers {
				hits += h.metric(i, "gongzhi_dedupe_hits_total", "")
			}
			if hits != 4 {
				t.Errorf("dedupe hits across replicas = %v, want 4 (2 per storm)", hits)
			}
		})
	}
}

// TestWebhookSequentialRetry re-sends an answered message: the retry gets
// the identical reply, changes nothing, and is counted as a dedupe hit.
func TestWebhookSequentialRetry(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{})
			for i, mode := range []string{"plain", "safe"} {
				t.Run(mode, func(t *testing.T) {
					openID := "oRetrySender00000000000" + strconv.Itoa(i)
					r := h.in(mode, textMsg(openID, "请问物业电话是多少", int64(6000+i)))
					s1, b1 := h.do(r)
					mid := h.counts()
					h.Clock.Advance(5 * time.Second) // WeChat retries after 5 s
					s2, b2 := h.do(r)
					if s1 != http.StatusOK || s2 != http.StatusOK {
						t.Fatalf("statuses %d, %d", s1, s2)
					}
					first, retry := h.decode(r, b1), h.decode(r, b2)
					first.CreateTime, retry.CreateTime = 0, 0 // the SDK stamps each reply with the time it is sent
					if first != retry || first.Content != firstReply(t, "请问物业电话是多少") {
						t.Errorf("first reply %+v, retry %+v", first, retry)
					}
					if after := h.counts(); after != mid {
						t.Errorf("the retry changed rows: %+v → %+v", mid, after)
					}
					calls := h.Rec.calls()
					if last := calls[len(calls)-1]; !last.Res.Duplicate {
						t.Errorf("the retry was not recognised as one: %+v", last.Res)
					}
					if hits := h.metric(0, "gongzhi_dedupe_hits_total", ""); hits != float64(i+1) {
						t.Errorf("gongzhi_dedupe_hits_total = %v, want %d", hits, i+1)
					}
				})
			}
		})
	}
}

// TestWebhookReplyBudget makes the bot slower than the reply budget: the
// webhook answers "success" within the budget and the reply arrives at
// WeChat as a customer-service message.
func TestWebhookReplyBudget(t *testing.T) {
	const delay = time.Second
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{ReplyBudget: 200 * time.Millisecond,
				WrapHandler: func(next handlers.MessageHandler) handlers.MessageHandler {
					return handlerFunc(func(ctx context.Context, in models.Inbound) (bot.Result, error) {
						time.Sleep(delay)
						return next.Handle(ctx, in)
					})
				}})
			for i, mode := range []string{"plain", "safe"} {
				t.Run(mode, func(t *testing.T) {
					openID := "oSlowReply00000000000000" + strconv.Itoa(i)
					r := h.in(mode, textMsg(openID, "电梯又停了", int64(7000+i)))
					start := time.Now()
					status, body := h.do(r)
					took := time.Since(start)
					if status != http.StatusOK || body != "success" {
						t.Fatalf("answer %d %q, want 200 success", status, body)
					}
					if took >= delay {
						t.Errorf("answered after %v: not within the budget (the bot takes %v)", took, delay)
					}
					var got []string
					deadline := time.Now().Add(5 * time.Second)
					for time.Now().Before(deadline) {
						got = got[:0]
						for _, p := range h.Platform.Pushes() {
							if p.ToUser == openID {
								got = append(got, p.Kind+": "+p.Text)
							}
						}
						if len(got) > 0 {
							break
						}
						time.Sleep(20 * time.Millisecond)
					}
					if len(got) != 1 || got[0] != "custom: "+firstReply(t, "电梯又停了") {
						t.Errorf("pushes to the sender = %q, want one customer-service message with the reply", got)
					}
					if n := h.metric(0, "gongzhi_webhook_late_replies_total", ""); n != float64(i+1) {
						t.Errorf("late replies = %v, want %d", n, i+1)
					}
				})
			}
			if c := h.counts(); c.Processed != 2 {
				t.Errorf("%d dedupe rows, want 2", c.Processed)
			}
		})
	}
}

// TestWebhookLateSecret: a reply holding a credential (a console login
// link) that misses the reply budget is not pushed, and so never stored in
// the outbox; its LateReply is pushed instead (found by an attacker).
func TestWebhookLateSecret(t *testing.T) {
	const secret = "https://gz.example.cn/console/login?t=SECRET-TOKEN"
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{ReplyBudget: 100 * time.Millisecond,
				WrapHandler: func(next handlers.MessageHandler) handlers.MessageHandler {
					return handlerFunc(func(ctx context.Context, in models.Inbound) (bot.Result, error) {
						time.Sleep(500 * time.Millisecond)
						return bot.Result{Reply: "登录链接：" + secret, LateReply: "请重新发送“登录”。"}, nil
					})
				}})
			openID := "oLateSecret0000000000001"
			if status, body := h.do(h.in("plain", textMsg(openID, "登录", 9201))); status != http.StatusOK || body != "success" {
				t.Fatalf("answer %d %q, want 200 success", status, body)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := h.Webhooks[0].Drain(ctx); err != nil {
				t.Fatalf("Drain: %v", err)
			}
			var got []string
			for _, p := range h.Platform.Pushes() {
				if p.ToUser == openID {
					got = append(got, p.Text)
				}
			}
			if len(got) != 1 || got[0] != "请重新发送“登录”。" {
				t.Errorf("pushes %q, want only the late reply", got)
			}
			var n int64
			if err := h.DB.Gorm().Model(&models.OutboxMessage{}).Where("text LIKE ?", "%SECRET-TOKEN%").Count(&n).Error; err != nil || n != 0 {
				t.Errorf("%d outbox rows hold the link (%v)", n, err)
			}
		})
	}
}

// TestWebhookDrainWaitsForLateWork: a message answered "success" past the
// reply budget is still being handled; Drain (called at shutdown before the
// database closes) returns only once it is committed and its reply pushed.
func TestWebhookDrainWaitsForLateWork(t *testing.T) {
	const delay = 800 * time.Millisecond
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{ReplyBudget: 100 * time.Millisecond,
		WrapHandler: func(next handlers.MessageHandler) handlers.MessageHandler {
			return handlerFunc(func(ctx context.Context, in models.Inbound) (bot.Result, error) {
				time.Sleep(delay)
				return next.Handle(ctx, in)
			})
		}})
	openID := "oDrainedReply00000000001"
	start := time.Now()
	if status, body := h.do(h.in("plain", textMsg(openID, "电梯又停了", 9101))); status != http.StatusOK || body != "success" {
		t.Fatalf("answer %d %q, want 200 success", status, body)
	}
	if c := h.counts(); c.Processed != 0 {
		t.Fatalf("committed before the handler finished: %+v", c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Webhooks[0].Drain(ctx); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if took := time.Since(start); took < delay {
		t.Errorf("Drain returned after %v, before the handler's %v", took, delay)
	}
	// Everything is done by the time Drain returns: no waiting here.
	if c := h.counts(); c.Processed != 1 {
		t.Errorf("%d dedupe rows after Drain, want 1", c.Processed)
	}
	var pushed int
	for _, p := range h.Platform.Pushes() {
		if p.ToUser == openID && p.Kind == "custom" {
			pushed++
		}
	}
	if pushed != 1 {
		t.Errorf("%d late replies pushed after Drain, want 1", pushed)
	}
	// With nothing in flight Drain returns at once.
	quick, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if err := h.Webhooks[0].Drain(quick); err != nil {
		t.Errorf("Drain with nothing in flight: %v", err)
	}
}

// TestWebhookHandlerError: a failing bot gets the apology as the reply,
// the error is counted, and nothing is stored.
func TestWebhookHandlerError(t *testing.T) {
	h := newHarness(t, storetest.Drivers(t)[0], harnessOpts{WrapHandler: func(handlers.MessageHandler) handlers.MessageHandler {
		return handlerFunc(func(context.Context, models.Inbound) (bot.Result, error) {
			return bot.Result{}, errors.New("database is on fire")
		})
	}})
	r := h.safe(textMsg("oFailingBot0000000000001", "有人吗", 8001))
	status, body := h.do(r)
	if got := h.decode(r, body); status != http.StatusOK || got.Content != messages.ZhCN.Failure {
		t.Errorf("answer %d %+v, want the failure apology", status, got)
	}
	if n := h.metric(0, "gongzhi_webhook_refused_total", `reason="handler_error"`); n != 1 {
		t.Errorf("handler errors counted %v, want 1", n)
	}
	if c := h.counts(); c.Processed != 0 {
		t.Errorf("rows written: %+v", c)
	}
}

// TestWebhookManyResidentsThreeReplicas: forty residents talk at once, each
// message delivered twice at the same moment to two of three replicas
// sharing one database (WeChat's retry racing the first delivery), so that
// conversation steps of different people meet in the group commit and
// retries meet their first delivery. Each resident ends exactly where one
// resident talking alone ends: the same replies, the same conversation, one
// dedupe row per message, no handler error.
func TestWebhookManyResidentsThreeReplicas(t *testing.T) {
	script := []string{"小区东门的路灯坏了", "1", "3栋2单元501", "1"} // stops short of submitting
	const residents = 40
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			h := newHarness(t, driver, harnessOpts{Replicas: 3, PlainOnly: true})
			// The reference: one resident alone.
			var want []string
			for i, text := range script {
				status, body := h.do(h.plain(textMsg("oAloneResident0000000000", text, int64(9000+i))))
				if status != http.StatusOK {
					t.Fatalf("reference step %d: %d", i, status)
				}
				want = append(want, h.decode(h.plain(""), body).Content)
			}
			ref, err := h.DB.Conversation(context.Background(), testCommunity, "oAloneResident0000000000")
			if err != nil {
				t.Fatal(err)
			}
			before := h.counts()

			var wg sync.WaitGroup
			for p := range residents {
				wg.Go(func() {
					openID := fmt.Sprintf("oCrowdResident%010d", p)
					for i, text := range script {
						r := h.plain(textMsg(openID, text, int64(100_000+p*10+i)))
						var got [2]string
						var status [2]int
						var both sync.WaitGroup
						for k := range 2 {
							both.Go(func() { status[k], got[k] = h.doOn((p+i+k)%3, r) })
						}
						both.Wait()
						first := false
						for k := range 2 {
							c := h.decode(r, got[k])
							if status[k] != http.StatusOK || (!c.Success && c.Content != want[i]) {
								t.Errorf("%s step %d delivery %d: %d %q, want %q", openID, i, k, status[k], c.Content, want[i])
							}
							first = first || c.Content == want[i]
						}
						if !first {
							t.Errorf("%s step %d: neither delivery got the reply", openID, i)
						}
					}
				})
			}
			wg.Wait()

			after := h.counts()
			if n := after.Processed - before.Processed; n != residents*int64(len(script)) {
				t.Errorf("%d dedupe rows, want %d (one per message)", n, residents*len(script))
			}
			if n := after.Residents - before.Residents; n != residents {
				t.Errorf("%d new residents, want %d", n, residents)
			}
			for p := range residents {
				openID := fmt.Sprintf("oCrowdResident%010d", p)
				c, err := h.DB.Conversation(context.Background(), testCommunity, openID)
				if err != nil || c.State != ref.State || c.Data != ref.Data || c.Version != ref.Version {
					t.Errorf("%s: conversation %+v, %v; want state %s v%d %s", openID, c, err, ref.State, ref.Version, ref.Data)
				}
				r, err := h.DB.Resident(context.Background(), testCommunity, openID)
				if err != nil || r.Building != "3" || r.Unit != "2" || r.Room != "501" {
					t.Errorf("%s: resident %+v, %v", openID, r, err)
				}
			}
			for k, rec := range h.Recs {
				for _, c := range rec.calls() {
					if c.Err != nil {
						t.Errorf("replica %d: handler error: %v", k, c.Err)
					}
				}
			}
			g, n, failed := h.DB.GroupStats()
			if n <= g {
				t.Errorf("%d turns in %d groups: want groups of several", n, g)
			}
			t.Logf("%d turns in %d groups, %d groups failed (retries, stale steps) and were committed turn by turn; conversation %s v%d",
				n, g, failed, ref.State, ref.Version)
		})
	}
}
