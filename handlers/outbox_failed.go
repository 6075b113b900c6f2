package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/models"
)

// FailedPushStore is what GET /api/outbox/failed reads; *store.DB implements it.
type FailedPushStore interface {
	FailedPushes(ctx context.Context, communityID string, since time.Time) ([]*models.FailedPush, error)
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
}

// failedPushJSON is one person to phone or visit. It names the recipient as
// the committee already knows them (a staff member by id, name and role; a
// resident by the address they registered) and carries neither the openid
// nor the message text, which may quote what a resident wrote.
type failedPushJSON struct {
	ID        uint64             `json:"id"`
	Type      string             `json:"type"`
	Error     string             `json:"error"`
	Attempts  int                `json:"attempts"`
	CreatedAt time.Time          `json:"created_at"`
	Recipient failedRecipientOut `json:"recipient"`
}

type failedRecipientOut struct {
	Kind     string `json:"kind"` // "staff" or "resident"
	StaffID  uint64 `json:"staff_id,omitempty"`
	Name     string `json:"name,omitempty"`
	Role     string `json:"role,omitempty"`
	Building string `json:"building,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Room     string `json:"room,omitempty"`
}

// failedPushes: GET /api/outbox/failed?since=&community= — pushes that could
// not be delivered since the time given (RFC 3339; default the last 7 days).
func (a *staffAPI) failedPushes(fs FailedPushStore) gin.HandlerFunc {
	return func(c *gin.Context) {
		since := a.now().Add(-7 * 24 * time.Hour)
		if v := c.Query("since"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeError(c, a.log, models.Errorf(models.EINVALID, "since %q: want RFC 3339 with a zone, e.g. 2026-11-20T00:00:00+08:00", v))
				return
			}
			since = t
		}
		community, err := a.communityOf(c)
		if err != nil {
			writeError(c, a.log, err)
			return
		}
		ctx := c.Request.Context()
		list, err := fs.FailedPushes(ctx, community, since)
		if err != nil {
			writeError(c, a.log, err)
			return
		}
		out := make([]failedPushJSON, 0, len(list))
		for _, p := range list {
			r := failedRecipientOut{Kind: "resident"}
			s, err := fs.StaffByOpenID(ctx, community, p.OpenID)
			switch models.ErrorCode(err) {
			case "":
				r = failedRecipientOut{Kind: "staff", StaffID: s.ID, Name: s.Name, Role: string(s.Role)}
			case models.ENOTFOUND:
				res, err := a.db.Resident(ctx, community, p.OpenID)
				if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
					writeError(c, a.log, err)
					return
				}
				if res != nil {
					r.Building, r.Unit, r.Room = res.Building, res.Unit, res.Room
				}
			default:
				writeError(c, a.log, err)
				return
			}
			out = append(out, failedPushJSON{ID: p.ID, Type: p.Type, Error: p.Error, Attempts: p.Attempts,
				CreatedAt: a.in(p.CreatedAt), Recipient: r})
		}
		c.JSON(http.StatusOK, gin.H{"since": a.in(since), "failed": out})
	}
}
