package wx

import (
	"strings"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/gongzhi/gongzhi/models"
)

// ToInbound turns the SDK's message into the bot's transport-neutral form.
func ToInbound(m *message.MixMessage, communityID string) models.Inbound {
	in := models.Inbound{
		CommunityID: communityID,
		OpenID:      string(m.FromUserName),
		MsgType:     strings.ToLower(string(m.MsgType)),
		Event:       string(m.Event),
		EventKey:    m.EventKey,
		Content:     m.Content,
		MsgID:       m.MsgID,
		CreateTime:  m.CreateTime,
		PicURL:      m.PicURL,
		MediaID:     m.MediaID,
		Lat:         m.LocationX,
		Lng:         m.LocationY,
		Label:       m.Label,
	}
	if in.MsgType == models.MsgEvent {
		// WeChat spells events in either case ("subscribe", "CLICK"); keep
		// the spelling of models' constants.
		switch strings.ToLower(in.Event) {
		case "subscribe":
			in.Event = models.EventSubscribe
		case "unsubscribe":
			in.Event = models.EventUnsubscribe
		case "click":
			in.Event = models.EventClick
		}
	}
	if in.MsgType == models.MsgVoice {
		in.Content = m.Recognition
	}
	return in
}
