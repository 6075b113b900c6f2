package handlers

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/models"
)

// LearnedStore is what the classifier learned per community, and its removal.
type LearnedStore interface {
	Learned(ctx context.Context, communityID string) ([]models.LearnedWord, error)
	ForgetLearned(ctx context.Context, communityID, phrase string) error
}

// learnedAPI serves GET /api/learned and DELETE /api/learned/{phrase}: the
// committee sees what its community taught the classifier and removes what
// is wrong.
type learnedAPI struct {
	*staffAPI
	learned LearnedStore
}

func (a *learnedAPI) list(c *gin.Context) {
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	words, err := a.learned.Learned(c.Request.Context(), community)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	if words == nil {
		words = []models.LearnedWord{}
	}
	c.JSON(http.StatusOK, gin.H{"community": community, "learned": words})
}

func (a *learnedAPI) forget(c *gin.Context) {
	phrase := strings.TrimSpace(c.Param("phrase"))
	if phrase == "" || utf8.RuneCountInString(phrase) > models.MaxPhraseRunes {
		writeError(c, a.log, models.Errorf(models.EINVALID, "phrase must have 1 to %d characters", models.MaxPhraseRunes))
		return
	}
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	if err := a.learned.ForgetLearned(c.Request.Context(), community, phrase); err != nil {
		writeError(c, a.log, err)
		return
	}
	c.Status(http.StatusNoContent)
}
