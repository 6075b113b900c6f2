package config

import (
	"strings"
	"testing"
)

func TestPublicURL(t *testing.T) {
	wechat := []string{"GONGZHI_WECHAT_APPID=wx1", "GONGZHI_WECHAT_APPSECRET=s", "GONGZHI_WECHAT_TOKEN=t"}
	for _, tc := range []struct {
		name    string
		environ []string
		want    string
		wantErr string
	}{
		{"sandbox default", nil, SandboxPublicURL, ""},
		{"sandbox follows the listen port", []string{"GONGZHI_HTTP_ADDR=127.0.0.1:18490"}, "http://localhost:18490", ""},
		{"sandbox on every address", []string{"GONGZHI_HTTP_ADDR=0.0.0.0:9000"}, "http://localhost:9000", ""},
		{"sandbox on one address", []string{"GONGZHI_HTTP_ADDR=192.168.1.20:8080"}, "http://192.168.1.20:8080", ""},
		{"sandbox on an IPv6 address", []string{"GONGZHI_HTTP_ADDR=[fd00::5]:8080"}, "http://[fd00::5]:8080", ""},
		{"set, trailing slash dropped", []string{"GONGZHI_PUBLIC_URL=https://gz.example.cn/"}, "https://gz.example.cn", ""},
		{"outside sandbox unset stays empty", wechat, "", ""},
		{"outside sandbox set", append([]string{"GONGZHI_PUBLIC_URL=https://gz.example.cn/base"}, wechat...), "https://gz.example.cn/base", ""},
		{"no scheme", []string{"GONGZHI_PUBLIC_URL=gz.example.cn"}, "", "GONGZHI_PUBLIC_URL"},
		{"ftp", []string{"GONGZHI_PUBLIC_URL=ftp://gz.example.cn"}, "", "GONGZHI_PUBLIC_URL"},
		{"query", []string{"GONGZHI_PUBLIC_URL=https://gz.example.cn/?a=1"}, "", "GONGZHI_PUBLIC_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("", tc.environ)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Load = %v, want an error naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load = %v", err)
			}
			if c.PublicURL != tc.want {
				t.Fatalf("PublicURL = %q, want %q", c.PublicURL, tc.want)
			}
		})
	}
}
