// Package wx is the WeChat adapter: it builds the SDK's official accounts,
// converts messages, checks signatures and pushes messages. It is the only
// package besides handlers that imports silenceper/wechat.
package wx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"sync"

	wechat "github.com/silenceper/wechat/v2"
	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	offConfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
	"github.com/sirupsen/logrus"
)

// AccountConfig is one official account and the community it serves.
type AccountConfig struct {
	AppID, AppSecret, Token, AESKey string
	CommunityID                     string
}

// Account is one official account with its push APIs, each fetched once:
// the SDK's lazy getters race when first called from several goroutines.
type Account struct {
	Config AccountConfig
	OA     *officialaccount.OfficialAccount
	cache  cache.Cache
	tmpl   *message.Template
	cs     *message.Manager
	menu   *menu.Menu
}

// NewAccount builds an account on a shared, race-free cache with the stable
// access token, so that every replica uses the same token.
func NewAccount(cfg AccountConfig, c cache.Cache) *Account {
	oa := wechat.NewWechat().GetOfficialAccount(&offConfig.Config{
		AppID: cfg.AppID, AppSecret: cfg.AppSecret, Token: cfg.Token, EncodingAESKey: cfg.AESKey,
		Cache: c, UseStableAK: true,
	})
	return &Account{Config: cfg, OA: oa, cache: c, tmpl: oa.GetTemplate(), cs: oa.GetCustomerMessageManager(), menu: oa.GetMenu()}
}

var setupOnce sync.Once

// Setup configures the SDK process-wide, once: its HTTP client (the SDK keeps
// it in a package global) and its logrus logger, which otherwise prints every
// decrypted message — residents' personal data — at debug level on stdout.
func Setup(client *http.Client) {
	setupOnce.Do(func() {
		logrus.SetLevel(logrus.ErrorLevel)
		logrus.SetOutput(io.Discard)
		wechat.NewWechat().SetHTTPClient(client)
	})
}

// SetHTTPClient replaces the SDK's client; tests that start their own fake
// platform use it. Not safe while pushes are in flight.
func SetHTTPClient(client *http.Client) { util.DefaultHTTPClient = client }

var errcodeRe = regexp.MustCompile(`errcode=(-?\d+)`)

// ErrCode extracts WeChat's errcode from an SDK error (0 when none).
func ErrCode(err error) int {
	if err == nil {
		return 0
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return int(ce.ErrCode)
	}
	if m := errcodeRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// tokenRe finds access tokens that SDK errors embed in URLs.
var tokenRe = regexp.MustCompile(`access_token=[^&\s"]+`)

// Scrub removes access tokens from an error's text before it is logged.
func Scrub(err error) string {
	if err == nil {
		return ""
	}
	return tokenRe.ReplaceAllString(err.Error(), "access_token=***")
}

// tokenExpired reports WeChat's "invalid/expired access token" codes.
func tokenExpired(code int) bool { return code == 40001 || code == 42001 || code == 40014 }

// dropToken forgets the cached token so the next call fetches a fresh one.
func (a *Account) dropToken() {
	_ = a.cache.Delete(fmt.Sprintf("%s_stable_access_token_%s", "gowechat_officialaccount_", a.Config.AppID))
	_ = a.cache.Delete(fmt.Sprintf("%s_access_token_%s", "gowechat_officialaccount_", a.Config.AppID))
}

// withToken runs call and, if WeChat says the token is invalid, drops the
// cached token and tries once more.
func (a *Account) withToken(call func() error) error {
	err := call()
	if tokenExpired(ErrCode(err)) {
		a.dropToken()
		err = call()
	}
	return err
}

// SendText sends a customer-service text message (allowed within 48 hours
// of the person's last message).
func (a *Account) SendText(ctx context.Context, openID, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return a.withToken(func() error { return a.cs.Send(message.NewCustomerTextMessage(openID, text)) })
}

// SendTemplate sends a template message; clientMsgID makes WeChat drop a
// repeated send of the same message.
func (a *Account) SendTemplate(ctx context.Context, msg *message.TemplateMessage) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var id int64
	err := a.withToken(func() error {
		var err error
		id, err = a.tmpl.Send(msg)
		return err
	})
	return id, err
}

// SetMenu creates the custom menu.
func (a *Account) SetMenu(buttons []*menu.Button) error {
	return a.withToken(func() error { return a.menu.SetMenu(buttons) })
}

// Accounts routes by AppID (webhook) and by community (pushes).
type Accounts struct {
	Default     *Account
	byAppID     map[string]*Account
	byCommunity map[string]*Account
}

// NewAccounts indexes the accounts; the first is the default (/wechat).
func NewAccounts(list ...*Account) *Accounts {
	as := &Accounts{byAppID: map[string]*Account{}, byCommunity: map[string]*Account{}}
	for i, a := range list {
		if i == 0 {
			as.Default = a
		}
		as.byAppID[a.Config.AppID] = a
		if _, ok := as.byCommunity[a.Config.CommunityID]; !ok {
			as.byCommunity[a.Config.CommunityID] = a
		}
	}
	return as
}

// ByAppID returns the account of appID.
func (as *Accounts) ByAppID(appID string) (*Account, bool) {
	a, ok := as.byAppID[appID]
	return a, ok
}

// ByCommunity returns the account that serves a community.
func (as *Accounts) ByCommunity(id string) (*Account, bool) {
	a, ok := as.byCommunity[id]
	return a, ok
}

// All returns every account.
func (as *Accounts) All() []*Account {
	out := make([]*Account, 0, len(as.byAppID))
	for _, a := range as.byAppID {
		out = append(out, a)
	}
	return out
}

// PushText sends a customer-service message through the community's account.
func (as *Accounts) PushText(ctx context.Context, communityID, openID, text string) error {
	a, ok := as.ByCommunity(communityID)
	if !ok {
		return fmt.Errorf("push: no official account serves community %q", communityID)
	}
	return a.SendText(ctx, openID, text)
}
