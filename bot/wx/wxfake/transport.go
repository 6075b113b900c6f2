package wxfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// InProcessTransport returns a RoundTripper that serves every request, for
// any host, with h in the same process: no socket, no network. The sandbox
// mode uses it so that the SDK's hard-coded https://api.weixin.qq.com URLs
// reach the fake without DNS or TLS.
//
// h runs synchronously with the request's context; the Platform honours
// cancellation while it injects latency, so client timeouts still work.
func InProcessTransport(h http.Handler) http.RoundTripper {
	return inProcess{h: h}
}

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	// A RoundTripper must always close the request body.
	if req.Body != nil {
		defer req.Body.Close()
	}
	// Build the server-side view of the request, as net/http's server would:
	// RequestURI and RemoteAddr set, a non-nil body.
	sreq := req.Clone(req.Context())
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:0"
	sreq.Host = req.URL.Host
	if sreq.Body == nil {
		sreq.Body = http.NoBody
	}

	defer func() {
		// A server would recover a handler's panic and drop the connection;
		// turn it into a transport error instead of crashing the caller.
		if v := recover(); v != nil {
			resp, err = nil, fmt.Errorf("wxfake: handler panic: %v", v)
		}
	}()
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, sreq)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp = rec.Result()
	resp.Request = req
	return resp, nil
}

// RewriteTransport returns a RoundTripper that sends each request to base
// instead of its own scheme and host (any host, not only api.weixin.qq.com),
// then through next (http.DefaultTransport when nil). A path in base is a
// prefix: with base http://127.0.0.1:8080/wxfake, /cgi-bin/token goes to
// http://127.0.0.1:8080/wxfake/cgi-bin/token. Use it for an httptest server,
// GONGZHI_WECHAT_API_BASE, or a forward proxy on a whitelisted IP.
func RewriteTransport(base *url.URL, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	b := *base // copy: the caller may reuse its URL
	return rewrite{base: &b, next: next}
}

type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

func (t rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	// RoundTrippers must not modify the caller's request: work on a clone.
	r := req.Clone(req.Context())
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	if p := strings.TrimSuffix(t.base.Path, "/"); p != "" {
		r.URL.Path = p + r.URL.Path
		if r.URL.RawPath != "" {
			r.URL.RawPath = strings.TrimSuffix(t.base.EscapedPath(), "/") + r.URL.RawPath
		}
	}
	r.Host = "" // let the Host header follow the new URL
	return t.next.RoundTrip(r)
}
