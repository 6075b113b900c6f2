package main

import (
	"flag"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/silenceper/wechat/v2"
	"github.com/silenceper/wechat/v2/cache"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/sirupsen/logrus"
)

// bareReply is what the bare server answers to everything.
const bareReply = "您好，这里是社区服务号。"

// cmdBare serves silenceper/wechat's handler alone, answering every message
// with a fixed text: the ceiling a webhook on this SDK can reach here.
func cmdBare(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	acct := accountFlags(fs)
	_ = fs.Parse(args)
	logrus.SetOutput(io.Discard) // the SDK logs every decrypted message at debug
	logrus.SetLevel(logrus.ErrorLevel)
	oa := wechat.NewWechat().GetOfficialAccount(&offConfig.Config{AppID: acct.AppID, AppSecret: acct.Secret,
		Token: acct.Token, EncodingAESKey: acct.AESKey, Cache: cache.NewMemory()})
	mux := http.NewServeMux()
	mux.HandleFunc("/wechat", func(w http.ResponseWriter, r *http.Request) {
		srv := oa.GetServer(r, w)
		srv.SetMessageHandler(func(*message.MixMessage) *message.Reply {
			return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(bareReply)}
		})
		if err := srv.Serve(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		_ = srv.Send()
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	announce(ln.Addr().String())
	return (&http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
}
