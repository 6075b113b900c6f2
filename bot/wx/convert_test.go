package wx

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/gongzhi/gongzhi/models"
)

// fixtureDir holds the documented message examples (shared with handlers).
var fixtureDir = filepath.Join("..", "..", "handlers", "testdata", "wechat")

func TestToInbound(t *testing.T) {
	cases := []struct {
		file string
		want models.Inbound
	}{
		{"text.xml", models.Inbound{OpenID: "fromUser", MsgType: "text", Content: "this is a test", MsgID: 1234567890123456, CreateTime: 1348831860}},
		{"event_subscribe.xml", models.Inbound{OpenID: "FromUser", MsgType: "event", Event: models.EventSubscribe, CreateTime: 123456789}},
		{"event_CLICK.xml", models.Inbound{OpenID: "FromUser", MsgType: "event", Event: models.EventClick, EventKey: "EVENTKEY", CreateTime: 123456789}},
		{"location.xml", models.Inbound{OpenID: "fromUser", MsgType: "location", Lat: 23.134521, Lng: 113.358803, Label: "位置信息", MsgID: 1234567890123456, CreateTime: 1351776360}},
		{"image.xml", models.Inbound{OpenID: "fromUser", MsgType: "image", PicURL: "this is a url", MediaID: "media_id", MsgID: 1234567890123456, CreateTime: 1348831860}},
		{"voice.xml", models.Inbound{OpenID: "fromUser", MsgType: "voice", MediaID: "media_id", MsgID: 1234567890123456, CreateTime: 1357290913}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(fixtureDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var m message.MixMessage
			if err := xml.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			tc.want.CommunityID = "c1"
			if got := ToInbound(&m, "c1"); got != tc.want {
				t.Errorf("ToInbound =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
	t.Run("voice carries its recognition as content", func(t *testing.T) {
		m := message.MixMessage{Recognition: "帮助"}
		m.MsgType = "VOICE"
		if got := ToInbound(&m, "c1"); got.MsgType != models.MsgVoice || got.Content != "帮助" {
			t.Errorf("ToInbound = %+v", got)
		}
	})
}

// FuzzToInbound parses arbitrary XML as the SDK does and converts it: never
// a panic, types lower-cased, the three known events spelled as models'.
func FuzzToInbound(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join(fixtureDir, "*.xml"))
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("<xml><MsgType>EVENT</MsgType><Event>Subscribe</Event></xml>"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var m message.MixMessage
		if err := xml.Unmarshal(raw, &m); err != nil {
			return
		}
		in := ToInbound(&m, "c1")
		if in.MsgType != strings.ToLower(in.MsgType) {
			t.Errorf("MsgType %q not lower-cased", in.MsgType)
		}
		if in.OpenID != string(m.FromUserName) || in.MsgID != m.MsgID || in.CommunityID != "c1" {
			t.Errorf("identity fields changed: %+v from %+v", in, m.CommonToken)
		}
		if in.MsgType == models.MsgEvent {
			switch strings.ToLower(string(m.Event)) {
			case "subscribe", "unsubscribe", "click":
				if in.Event != models.EventSubscribe && in.Event != models.EventUnsubscribe && in.Event != models.EventClick {
					t.Errorf("event %q became %q", m.Event, in.Event)
				}
			}
		}
		if in.MsgType == models.MsgVoice && in.Content != m.Recognition {
			t.Errorf("voice content %q, want the recognition %q", in.Content, m.Recognition)
		}
		_ = in.DedupeKey()
	})
}
