package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// SignedRequest is one webhook request's signed triple (account, timestamp,
// nonce) and a digest of the body it carried. A triple is good for one body:
// WeChat's own retries resend the same body under the same triple, so they
// pass (the message dedupe answers them); anything else under a seen triple
// is a replay.
type SignedRequest struct {
	AppID     string    `gorm:"primaryKey;size:64"`
	Timestamp int64     `gorm:"column:ts;primaryKey;autoIncrement:false"`
	Nonce     string    `gorm:"primaryKey;size:64"`
	Digest    string    `gorm:"size:64;not null"` // hex SHA-256 of the signed body
	SeenAt    time.Time `gorm:"not null;index"`
}

// TableName implements gorm's tabler.
func (SignedRequest) TableName() string { return "signed_requests" }

// MaxNonceLen bounds the nonce a webhook request may carry (WeChat's are ten digits).
const MaxNonceLen = 64

// ErrNonceReused is returned by NonceStore.UseNonce when the triple was
// seen with another body.
var ErrNonceReused = &Error{Code: ECONFLICT, Message: "signed request already used for another body"}

// NonceStore remembers the signed triples the webhook accepted, shared by
// every replica (the database is the one thing they all share).
type NonceStore interface {
	// UseNonce records r, or checks it against the record of its triple:
	// nil for a new triple or the same body again, ErrNonceReused otherwise.
	UseNonce(ctx context.Context, r SignedRequest) error
	// ForgetNonces deletes the records seen before t (outside the replay window).
	ForgetNonces(ctx context.Context, before time.Time) (int64, error)
}

// HashedPrefix marks an openid replaced by HashOpenID.
const HashedPrefix = "h:"

// HashOpenID is the pseudonym kept instead of an openid once its personal
// data is purged: stable, so statistics still count one person once, and
// not reversible (an openid is a long random string). It fits the 64
// characters of an openid column.
func HashOpenID(openID string) string {
	sum := sha256.Sum256([]byte(openID))
	return HashedPrefix + hex.EncodeToString(sum[:])[:62]
}

// PurgeableStatuses are the final statuses after which an appeal's
// personal data is kept only for the retention period.
var PurgeableStatuses = []Status{StatusClosed, StatusGuided, StatusWithdrawn}
