package config

import (
	"strings"
	"testing"
	"time"
)

var wechatEnv = []string{"GONGZHI_WECHAT_APPID=wx1", "GONGZHI_WECHAT_APPSECRET=s3cr3t-app", "GONGZHI_WECHAT_TOKEN=tok3n"}

// TestSandboxListensOnLoopback: the sandbox signs anything (/sim/sign) and
// shows anyone's pushes, so unless an address is set explicitly it listens
// on loopback only. Before, it listened on every interface.
func TestSandboxListensOnLoopback(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		file    string
		want    string
	}{
		{"sandbox, nothing set", nil, "", "127.0.0.1:8080"},
		{"sandbox, address set by variable", []string{"GONGZHI_HTTP_ADDR=:8080"}, "", ":8080"},
		{"sandbox, address set in the file", nil, "http_addr: \":9000\"\n", ":9000"},
		{"an official account, nothing set", wechatEnv, "", ":8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.file != "" {
				path = writeFile(t, tc.file)
			}
			c, err := Load(path, tc.environ)
			if err != nil {
				t.Fatal(err)
			}
			if c.HTTPAddr != tc.want {
				t.Errorf("HTTPAddr = %q, want %q", c.HTTPAddr, tc.want)
			}
		})
	}
}

// TestAdminTokenLength: a guessable admin token is a configuration error
// that names the variable and the rule, never the value.
func TestAdminTokenLength(t *testing.T) {
	for _, tc := range []struct {
		token string
		ok    bool
	}{{"", true}, {"a", false}, {strings.Repeat("x", 23), false}, {strings.Repeat("x", 24), true}} {
		t.Run(tc.token, func(t *testing.T) {
			_, err := Load("", []string{"GONGZHI_ADMIN_TOKEN=" + tc.token})
			if (err == nil) != tc.ok {
				t.Fatalf("Load = %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				msg := err.Error()
				if !strings.Contains(msg, "GONGZHI_ADMIN_TOKEN") || !strings.Contains(msg, "24") || strings.Contains(msg, tc.token+" ") {
					t.Errorf("error %q: want the variable and the rule, not the value", msg)
				}
			}
		})
	}
}

// TestPublicURL: links and Open311 discovery use the configured public URL,
// never a request's Host header.
func TestPublicURLSecurity(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		want    string
		ok      bool
	}{
		{"sandbox default", nil, "http://localhost:8080", true},
		{"set, trailing slash dropped", []string{"GONGZHI_PUBLIC_URL=https://gz.example.cn/"}, "https://gz.example.cn", true},
		{"with a path", []string{"GONGZHI_PUBLIC_URL=https://example.cn/gongzhi"}, "https://example.cn/gongzhi", true},
		{"not http", []string{"GONGZHI_PUBLIC_URL=ftp://example.cn"}, "", false},
		{"no host", []string{"GONGZHI_PUBLIC_URL=https://"}, "", false},
		{"with a query", []string{"GONGZHI_PUBLIC_URL=https://example.cn/?x=1"}, "", false},
		{"official account, unset", wechatEnv, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("", tc.environ)
			if (err == nil) != tc.ok {
				t.Fatalf("Load = %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "GONGZHI_PUBLIC_URL") {
					t.Errorf("error %q does not name GONGZHI_PUBLIC_URL", err)
				}
				return
			}
			if c.PublicURL != tc.want {
				t.Errorf("PublicURL = %q, want %q", c.PublicURL, tc.want)
			}
		})
	}
}

// TestRetention: closed appeals' personal data is kept three years unless
// set otherwise, and the purge job has a schedule.
func TestRetention(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Retention() != 3*365*24*time.Hour {
		t.Errorf("Retention() = %v, want three years", c.Retention())
	}
	if _, on := c.Schedule(JobRetentionPurge); !on {
		t.Error("RETENTION_PURGE is not scheduled by default")
	}
	c, err = Load("", []string{"GONGZHI_RETENTION_DAYS=30"})
	if err != nil || c.Retention() != 30*24*time.Hour {
		t.Errorf("30 days: %v, %v", c, err)
	}
	if _, err := Load("", []string{"GONGZHI_RETENTION_DAYS=0"}); err == nil || !strings.Contains(err.Error(), "GONGZHI_RETENTION_DAYS") {
		t.Errorf("0 days: %v, want an error naming GONGZHI_RETENTION_DAYS", err)
	}
}
