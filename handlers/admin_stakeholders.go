package handlers

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/models"
)

// StakeholderStore is the stakeholder directory; *store.DB implements it.
type StakeholderStore interface {
	Stakeholders(ctx context.Context, communityID string) ([]*models.Stakeholder, error)
	StakeholderByID(ctx context.Context, communityID string, id uint64) (*models.Stakeholder, error)
	SaveStakeholder(ctx context.Context, s *models.Stakeholder) error
	DeactivateStakeholder(ctx context.Context, communityID string, id uint64) error
}

type stakeholderJSON struct {
	ID        uint64   `json:"id"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Contact   string   `json:"contact,omitempty"`
	OpenID    string   `json:"openid,omitempty"`
	Phone     string   `json:"phone,omitempty"`
	Buildings []string `json:"buildings,omitempty"`
}

func stakeholderOut(s *models.Stakeholder) stakeholderJSON {
	return stakeholderJSON{ID: s.ID, Kind: string(s.Kind), Name: s.Name, Contact: s.Contact, OpenID: s.OpenID,
		Phone: s.Phone, Buildings: models.SplitList(s.Buildings)}
}

func (a *meetingsAPI) listStakeholders(c *gin.Context) {
	if _, out, ok := communityList(a.staffAPI, c, a.dir.Stakeholders, stakeholderOut); ok {
		c.JSON(http.StatusOK, gin.H{"stakeholders": out})
	}
}

// stakeholderBody validates a directory entry: a kind, a name, and a way to
// reach them (an openid that follows the account, or a phone).
func stakeholderBody(c *gin.Context, community string) (*models.Stakeholder, error) {
	var b struct {
		Kind      string   `json:"kind"`
		Name      string   `json:"name"`
		Contact   string   `json:"contact"`
		OpenID    string   `json:"openid"`
		Phone     string   `json:"phone"`
		Buildings []string `json:"buildings"`
	}
	if err := decode(c, &b); err != nil {
		return nil, err
	}
	e := models.StakeholderEntry{Kind: b.Kind, Name: b.Name, Contact: b.Contact, OpenID: b.OpenID, Phone: b.Phone}
	for _, x := range b.Buildings {
		e.Buildings = append(e.Buildings, normalizeBuilding(x))
	}
	return e.Stakeholder(community)
}

func (a *meetingsAPI) createStakeholder(c *gin.Context) {
	community, err := a.communityOf(c)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	s, err := stakeholderBody(c, community)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	if err := a.dir.SaveStakeholder(c.Request.Context(), s); err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusCreated, stakeholderOut(s))
}

func (a *meetingsAPI) stakeholderID(c *gin.Context) (string, uint64, bool) {
	return a.communityAndID(c, "stakeholder")
}

func (a *meetingsAPI) putStakeholder(c *gin.Context) {
	community, id, ok := a.stakeholderID(c)
	if !ok {
		return
	}
	s, err := stakeholderBody(c, community)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	s.ID = id
	if err := a.dir.SaveStakeholder(c.Request.Context(), s); err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, stakeholderOut(s))
}

func (a *meetingsAPI) deleteStakeholder(c *gin.Context) {
	community, id, ok := a.stakeholderID(c)
	if !ok {
		return
	}
	if err := a.dir.DeactivateStakeholder(c.Request.Context(), community, id); err != nil {
		writeError(c, a.log, err)
		return
	}
	c.Status(http.StatusNoContent)
}
