package handlers

import (
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/wx"
)

//go:embed sim/index.html
var simPage []byte

// simPhoto is the simulator's sample photo (an SVG, whatever its name says:
// browsers go by the content type).
var simPhoto = []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240">` +
	`<rect width="320" height="240" fill="#dfe7ef"/><rect x="20" y="150" width="280" height="70" fill="#b8c4cf"/>` +
	`<circle cx="250" cy="60" r="28" fill="#f4d35e"/><path d="M40 150 L110 80 L170 150 Z" fill="#8fa3b5"/>` +
	`<text x="160" y="200" font-size="22" text-anchor="middle" fill="#33475b">示例照片</text></svg>`)

// SimPush is one message the fake platform took for a person.
type SimPush struct {
	Seq  int       `json:"seq"`
	Kind string    `json:"kind"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// Sim serves the sandbox chat simulator: a page that talks to the real
// webhook as a resident would, signing requests with the sandbox token
// (which guards nothing real), and shows what was pushed to that resident.
type Sim struct {
	Token  string
	Now    func() time.Time
	Pushes func(openID string) []SimPush
	// Menu is the account's custom menu as it is set on WeChat (the one
	// SyncMenus sets); the page shows it as a phone would.
	Menu []wx.MenuButton
}

// simButton is a menu button as the page reads it.
type simButton struct {
	Name string      `json:"name"`
	Key  string      `json:"key,omitempty"`
	Sub  []simButton `json:"sub,omitempty"`
}

func simButtons(bs []wx.MenuButton) []simButton {
	out := []simButton{}
	for _, b := range bs {
		out = append(out, simButton{Name: b.Name, Key: b.Key, Sub: simButtons(b.Sub)})
	}
	return out
}

func (s *Sim) register(r *gin.Engine) {
	r.GET("/sim", func(c *gin.Context) { c.Redirect(http.StatusFound, "/sim/") })
	r.GET("/sim/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", simPage) })
	r.GET("/sim/sign", s.sign)
	r.GET("/sim/pushes", s.pushes)
	// The sample photo the page sends as a picture message (its PicUrl), so
	// that the console shows an image where a real account has WeChat's.
	r.GET("/sim/photo.jpg", func(c *gin.Context) { c.Data(http.StatusOK, "image/svg+xml", simPhoto) })
	r.GET("/sim/menu", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"menu": simButtons(s.Menu)}) })
}

// sign returns fresh query parameters for one webhook request.
func (s *Sim) sign(c *gin.Context) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	ts := strconv.FormatInt(s.Now().Unix(), 10)
	nonce := hex.EncodeToString(b)
	c.JSON(http.StatusOK, gin.H{"timestamp": ts, "nonce": nonce, "signature": wx.Signature(s.Token, ts, nonce)})
}

func (s *Sim) pushes(c *gin.Context) {
	openID := c.Query("openid")
	if openID == "" {
		c.JSON(http.StatusBadRequest, gin.H{"error": gin.H{"code": "invalid", "message": "openid is required"}})
		return
	}
	list := s.Pushes(openID)
	if list == nil {
		list = []SimPush{}
	}
	c.JSON(http.StatusOK, gin.H{"pushes": list})
}

// SimCardText is a template push as a phone shows it: the fields in their
// template's order, named when the layout is one of the account's known
// ones holding all its fields (messages.TemplateLayouts), else their values alone; never the raw
// keys (a user read "character_string2: SQ…" in the simulator).
func SimCardText(m *messages.Messages, data map[string]string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	order := func(k string) int {
		n, _ := strconv.Atoi(strings.TrimLeftFunc(k, func(r rune) bool { return r < '0' || r > '9' }))
		return n
	}
	sort.Slice(keys, func(i, j int) bool { return order(keys[i]) < order(keys[j]) })
	var labels map[string]string
	for _, l := range m.TemplateLayouts {
		all := true // every field of data is one of the layout's (an empty one may be left out)
		for k := range data {
			if _, ok := l[k]; !ok {
				all = false
				break
			}
		}
		if all {
			labels = l
			break
		}
	}
	lines := []string{m.TemplateHead}
	for _, k := range keys {
		if labels != nil {
			lines = append(lines, labels[k]+"："+data[k])
		} else {
			lines = append(lines, data[k])
		}
	}
	return strings.Join(lines, "\n")
}
