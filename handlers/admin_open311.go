package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// APIKeyStore issues, lists, revokes and checks Open311 API keys (Deps.Keys;
// *store.DB implements it).
type APIKeyStore interface {
	CreateAPIKey(ctx context.Context, communityID, name string, now time.Time) (string, *models.APIKey, error)
	APIKeys(ctx context.Context, communityID string) ([]*models.APIKey, error)
	RevokeAPIKey(ctx context.Context, communityID string, id uint64, now time.Time) (*models.APIKey, error)
	// APIKeyByKey returns the active key or ENOTFOUND.
	APIKeyByKey(ctx context.Context, key string) (*models.APIKey, error)
}

// Open311Intake creates an appeal from an Open311 request (*ops.Appeals).
type Open311Intake interface {
	Intake(ctx context.Context, r ops.IntakeRequest) (*ops.IntakeResult, error)
}

// keysAPI serves /api/open311/keys.
type keysAPI struct {
	*staffAPI
	keys APIKeyStore
}

func (a *keysAPI) register(g *gin.RouterGroup) {
	g.POST("/open311/keys", a.create)
	g.GET("/open311/keys", a.list)
	g.DELETE("/open311/keys/:id", a.revoke)
}

type apiKeyJSON struct {
	ID        uint64     `json:"id"`
	Name      string     `json:"name"`
	Community string     `json:"community"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	Active    bool       `json:"active"`
}

func (a *keysAPI) keyOut(k *models.APIKey) apiKeyJSON {
	out := apiKeyJSON{ID: k.ID, Name: k.Name, Community: k.CommunityID, CreatedAt: a.in(k.CreatedAt), Active: k.RevokedAt == nil}
	if k.RevokedAt != nil {
		t := a.in(*k.RevokedAt)
		out.RevokedAt = &t
	}
	return out
}

// create: POST /api/open311/keys {name} → 201 {id, key, name, created_at}; the key is shown this once.
func (a *keysAPI) create(c *gin.Context) {
	community, name, ok := a.namedIn(c)
	if !ok {
		return
	}
	key, k, err := a.keys.CreateAPIKey(c.Request.Context(), community, name, a.now())
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": k.ID, "key": key, "name": k.Name, "community": k.CommunityID,
		"created_at": a.in(k.CreatedAt)})
}

// list: GET /api/open311/keys → {keys: [...]}, never the keys themselves.
func (a *keysAPI) list(c *gin.Context) {
	if community, out, ok := communityList(a.staffAPI, c, a.keys.APIKeys, a.keyOut); ok {
		c.JSON(http.StatusOK, gin.H{"community": community, "keys": out})
	}
}

// revoke: DELETE /api/open311/keys/{id} → {key: {...}}; the key opens nothing from now on.
func (a *keysAPI) revoke(c *gin.Context) {
	community, id, ok := a.communityAndID(c, "key")
	if !ok {
		return
	}
	k, err := a.keys.RevokeAPIKey(c.Request.Context(), community, id, a.now())
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"key": a.keyOut(k)})
}
