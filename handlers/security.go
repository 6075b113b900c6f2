package handlers

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/gin-gonic/gin"
)

// InviteStore revokes staff invite codes.
type InviteStore interface {
	// RevokeInvite ends an unused, unexpired invite code of the community
	// at now; ENOTFOUND when there is none (unknown, used or expired).
	RevokeInvite(ctx context.Context, communityID, code string, now time.Time) error
}

// revokeInvite: DELETE /api/staff/invites/{code}, for a code handed to
// the wrong person or not needed any more.
func (a *staffAPI) revokeInvite(is InviteStore) gin.HandlerFunc {
	return func(c *gin.Context) {
		community, err := a.communityOf(c)
		if err != nil {
			writeError(c, a.log, err)
			return
		}
		if err := is.RevokeInvite(c.Request.Context(), community, c.Param("code"), a.now()); err != nil {
			writeError(c, a.log, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"revoked": true})
	}
}

// jsonKind names a Go type in JSON's words, so that an error never shows
// one of our type names.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}
