package wx

import (
	"bytes"
	"strings"
	"testing"
)

func TestScanEncrypt(t *testing.T) {
	for _, tc := range []struct {
		body, want string
		ok         bool
	}{
		{"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>", "abc+/=", true},
		{"<xml><Encrypt>abc</Encrypt></xml>", "abc", true},
		{"<xml><Encrypt>\n  <![CDATA[abc]]>\n</Encrypt></xml>", "", false},
		{"<xml><Encrypt><![CDATA[abc ]]></Encrypt></xml>", "", false},
		{"<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>", "", false},
		{"<xml><!-- <Encrypt>a</Encrypt> --><Encrypt>b</Encrypt></xml>", "", false},
		{"<xml><Encrypt></Encrypt></xml>", "", false},
		{"<xml><Encrypt><![CDATA[a]]]></Encrypt></xml>", "", false},
		{"<xml><Encrypt>a<b/></Encrypt></xml>", "", false},
		{"</Encrypt><Encrypt>", "", false},
		{"<xml></xml>", "", false},
	} {
		got, err := ScanEncrypt([]byte(tc.body))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ScanEncrypt(%q) = %q, %v; want %q ok=%v", tc.body, got, err, tc.want, tc.ok)
		}
	}
}

func TestCheckDepth(t *testing.T) {
	nest := func(n int) []byte { return []byte(strings.Repeat("<a>", n) + strings.Repeat("</a>", n)) }
	if err := CheckDepth(nest(MaxDepth), MaxDepth); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	if err := CheckDepth(nest(MaxDepth+1), MaxDepth); err != ErrTooDeep {
		t.Errorf("depth %d: %v, want ErrTooDeep", MaxDepth+1, err)
	}
	if err := CheckDepth([]byte(strings.Repeat("<a>", 1<<18)), MaxDepth); err != ErrTooDeep {
		t.Errorf("an unclosed deep nest: %v, want ErrTooDeep", err)
	}
}

// FuzzScanEncrypt: the cheap scans take any body; what ScanEncrypt returns
// is base64 text found in the body, and the envelope made of it holds it
// unchanged.
func FuzzScanEncrypt(f *testing.F) {
	for _, s := range []string{"<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>", "<xml><Encrypt>abc</Encrypt></xml>", "<Encrypt>",
		"<xml><Encrypt><![CDATA[", "<a><a><a>", "<!DOCTYPE x [<!ENTITY e \"y\">]><xml>&e;</xml>", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = CheckDepth(body, MaxDepth)
		enc, err := ScanEncrypt(body)
		if err != nil {
			return
		}
		if enc == "" || !bytes.Contains(body, []byte(enc)) || strings.Trim(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != "" {
			t.Fatalf("ScanEncrypt(%q) = %q", body, enc)
		}
		if again, err := ScanEncrypt(EnvelopeOf(enc)); err != nil || again != enc {
			t.Fatalf("envelope of %q scans as %q, %v", enc, again, err)
		}
	})
}
