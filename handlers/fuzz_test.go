package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models/store"
)

// fuzzHarness is a quiet harness for fuzzing: its logs are not kept (they
// would grow without bound) and its requests are not remembered as secrets.
func fuzzHarness(f *testing.F) *harness {
	return newHarness(f, store.SQLite, harnessOpts{Quiet: true})
}

// checkFuzzAnswer holds for any body: a known status, nothing stored on a
// refusal, and a 200 carries "success" or an XML reply.
func checkFuzzAnswer(t *testing.T, h *harness, before int64, status int, body string, allowed ...int) {
	t.Helper()
	ok := false
	for _, s := range allowed {
		ok = ok || status == s
	}
	if !ok {
		t.Fatalf("status %d (%.200q), want one of %v", status, body, allowed)
	}
	if status != http.StatusOK {
		if c := h.counts(); c.Processed != before {
			t.Fatalf("a refused request (status %d) stored a message", status)
		}
		return
	}
	if body != "success" && !strings.HasPrefix(body, "<xml>") {
		t.Fatalf("200 with body %.200q: want success or an XML reply", body)
	}
}

// FuzzWebhookPlain sends arbitrary bodies, correctly signed, through the
// real router in plaintext mode.
func FuzzWebhookPlain(f *testing.F) {
	for _, name := range fixtures(f) {
		f.Add([]byte(fixture(f, name)))
	}
	f.Add([]byte(""))
	f.Add([]byte("<xml>"))
	f.Add([]byte("<xml><FromUserName><![CDATA[o]]></FromUserName><MsgType>text</MsgType><Content>帮助</Content></xml>"))
	f.Add([]byte("<xml><MsgType>event</MsgType><Event>subscribe</Event><FromUserName>o1</FromUserName></xml>"))
	f.Add([]byte(`<!DOCTYPE xml [<!ENTITY x "y">]><xml>&x;</xml>`))
	f.Add([]byte("<xml><Encrypt>abc</Encrypt></xml>"))
	h := fuzzHarness(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		h := h.with(t)
		before := h.counts().Processed
		r := request{Method: http.MethodPost, Path: h.plainPath, Query: h.signedQuery(h.Clock.Now()), Body: body}
		status, resp := h.do(r)
		allowed := []int{http.StatusOK, http.StatusBadRequest}
		if len(body) > handlers.MaxBodyBytes {
			allowed = []int{http.StatusRequestEntityTooLarge}
		}
		checkFuzzAnswer(t, h, before, status, resp, allowed...)
	})
}

// FuzzWebhookAES sends arbitrary Encrypt values with a valid msg_signature
// in safe mode; the seeds are every fixture, properly encrypted.
func FuzzWebhookAES(f *testing.F) {
	for _, name := range fixtures(f) {
		enc, err := refEncrypt(sampleAESKey, sampleAppID, nil, []byte(fixture(f, name)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	enc, _ := refEncrypt(sampleAESKey, "wx0000000000000000", nil, []byte(fixture(f, "text.xml")))
	f.Add(enc)
	enc, _ = refEncrypt(sampleAESKey, sampleAppID, nil, []byte("not xml"))
	f.Add(enc)
	f.Add("")
	f.Add("AAAA")
	f.Add("]]></Encrypt><Encrypt>x")
	h := fuzzHarness(f)
	f.Fuzz(func(t *testing.T, encrypt string) {
		h := h.with(t)
		before := h.counts().Processed
		r := h.safeEncryptedQuiet(encrypt)
		status, resp := h.do(r)
		allowed := []int{http.StatusOK, http.StatusBadRequest}
		if len(r.Body) > handlers.MaxBodyBytes {
			allowed = []int{http.StatusRequestEntityTooLarge}
		}
		checkFuzzAnswer(t, h, before, status, resp, allowed...)
		if status == http.StatusOK && resp != "success" {
			h.decode(r, resp) // a reply must verify and decrypt
		}
	})
}
