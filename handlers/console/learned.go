package console

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/models"
)

// LearnedStore is what the community taught the classifier, and its
// removal: the same reads and removal as GET and DELETE /api/learned (*store.DB).
type LearnedStore interface {
	Learned(ctx context.Context, communityID string) ([]models.LearnedWord, error)
	ForgetLearned(ctx context.Context, communityID, phrase string) error
}

func (c *Console) registerLearned(r gin.IRoutes) {
	if c.d.Learned == nil {
		return
	}
	r.GET("/console/learned", c.secure, c.auth, c.learned)
	r.POST("/console/learned/remove", c.secure, c.auth, c.forgetLearned)
}

// learnedRow is one learned phrase as shown: who taught it in aggregate.
type learnedRow struct {
	W     models.LearnedWord
	Topic string
}

func (c *Console) learned(g *gin.Context) { c.showLearned(g, "", http.StatusOK) }

func (c *Console) showLearned(g *gin.Context, refusal string, status int) {
	v := viewer(g)
	community := c.workCommunity(g, v)
	words, err := c.d.Learned.Learned(g.Request.Context(), community)
	if err != nil {
		c.failErr(g, err)
		return
	}
	rows := make([]learnedRow, 0, len(words))
	for _, w := range words {
		r := learnedRow{W: w}
		if w.TopicID != "" && c.d.TopicName != nil {
			r.Topic = c.d.TopicName(w.TopicID)
		}
		rows = append(rows, r)
	}
	c.render(g, status, "learned", v, map[string]any{"Rows": rows, "Community": community,
		"CommunityName": c.communityName(community), "MayRun": canRun(v), "Error": refusal,
		"Removed": removedBanner(v, g.Query("removed"), g.Query("mark")), "Min": models.MinResidentVoters,
		"How": learnedHowText(models.MinResidentVoters), "None": learnedNone})
}

// forgetLearned removes everything the community taught about a phrase.
func (c *Console) forgetLearned(g *gin.Context) {
	v := viewer(g)
	if !c.mayRun(g, v) {
		return
	}
	phrase := strings.TrimSpace(g.PostForm("phrase"))
	if phrase == "" || utf8.RuneCountInString(phrase) > models.MaxPhraseRunes {
		c.showLearned(g, "请选择要删除的词。", http.StatusBadRequest)
		return
	}
	community := c.workCommunity(g, v)
	if err := c.d.Learned.ForgetLearned(g.Request.Context(), community, phrase); err != nil {
		switch models.ErrorCode(err) {
		case models.EINTERNAL:
			c.failErr(g, err)
		case models.ENOTFOUND:
			c.showLearned(g, "“"+phrase+"”已经不在学到的词里了（可能已被删除）。", http.StatusNotFound)
		default:
			c.showLearned(g, formError(err), statusOf(err))
		}
		return
	}
	g.Redirect(http.StatusSeeOther, withCommunity(v, "/console/learned?removed="+url.QueryEscape(phrase)+
		"&mark="+removedMark(v, phrase), community))
}

// removedMark binds a removal's banner to the session that removed the word
// (an HMAC of the phrase under the session's CSRF secret), and
// removedBanner shows the phrase only with its mark: a crafted link cannot
// plant a message of its own as "已删除…" (found by an attacker).
func removedMark(v *models.Viewer, phrase string) string {
	if v == nil || v.Session == nil {
		return ""
	}
	m := hmac.New(sha256.New, []byte(v.Session.CSRFToken))
	m.Write([]byte(phrase))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func removedBanner(v *models.Viewer, phrase, mark string) string {
	want := removedMark(v, phrase)
	if phrase == "" || want == "" || !hmac.Equal([]byte(want), []byte(mark)) {
		return ""
	}
	return phrase
}

// learnedHowText is the page's explanation with the residents' threshold.
func learnedHowText(min int) []string {
	out := make([]string, len(learnedHow))
	for i, p := range learnedHow {
		if strings.Contains(p, "%d") {
			p = fmt.Sprintf(p, min)
		}
		out[i] = p
	}
	return out
}
