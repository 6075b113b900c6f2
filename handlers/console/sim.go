package console

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/models"
)

// SimCommitteeOpenID is the simulator's committee persona.
const SimCommitteeOpenID = "sim-committee"

// simStaff binds the simulator's committee persona on first use.
type simStaff interface {
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
	CreateInvite(ctx context.Context, req models.InviteRequest, now time.Time, ttl time.Duration) (string, *models.StaffInvite, error)
	BindStaff(ctx context.Context, communityID, openID, code string, now time.Time) (*models.Staff, error)
}

// simLogin opens a session as the simulator's committee persona (sandbox
// only), binding it first if needed. The custom header keeps other sites'
// forms out: a cross-site form cannot set it, and a cross-site fetch with
// it needs CORS, which the console never grants.
func (c *Console) simLogin(g *gin.Context) {
	if g.GetHeader("X-Gongzhi-Sim") != "1" {
		c.fail(g, http.StatusForbidden, "请从模拟器页面进入。")
		return
	}
	st, ok := c.d.Store.(simStaff)
	if !ok {
		c.fail(g, http.StatusNotImplemented, "模拟器无法绑定两委身份。")
		return
	}
	ctx := g.Request.Context()
	now := c.d.Now()
	s, err := st.StaffByOpenID(ctx, c.d.Community, SimCommitteeOpenID)
	if models.ErrorCode(err) == models.ENOTFOUND {
		var code string
		code, _, err = st.CreateInvite(ctx, models.InviteRequest{CommunityID: c.d.Community, Role: models.RoleCommittee, Name: "模拟两委成员"}, now, time.Hour)
		if err == nil {
			s, err = st.BindStaff(ctx, c.d.Community, SimCommitteeOpenID, code, now)
		}
	}
	if err != nil {
		c.failErr(g, err)
		return
	}
	if !models.MayUseConsole(s) {
		c.fail(g, http.StatusForbidden, "模拟两委成员已被停用。")
		return
	}
	if err := c.startSession(g, &models.ConsoleSession{CommunityID: s.CommunityID, StaffID: s.ID, ExpiresAt: now.Add(models.ConsoleSessionTTL)}); err != nil {
		c.failErr(g, err)
		return
	}
	g.JSON(http.StatusOK, gin.H{"location": Base})
}
