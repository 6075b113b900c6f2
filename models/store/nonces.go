package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

var _ models.NonceStore = (*DB)(nil)

// UseNonce implements models.NonceStore: the primary key settles a race
// between replicas; the loser compares digests.
func (db *DB) UseNonce(ctx context.Context, r models.SignedRequest) error {
	if r.SeenAt.IsZero() {
		r.SeenAt = db.now()
	}
	g := db.gorm.WithContext(ctx)
	err := g.Create(&r).Error
	if err == nil {
		return nil
	}
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("remember nonce: %w", err)
	}
	var have models.SignedRequest
	if err := g.Where("app_id = ? AND ts = ? AND nonce = ?", r.AppID, r.Timestamp, r.Nonce).Take(&have).Error; err != nil {
		return fmt.Errorf("read nonce: %w", err)
	}
	if have.Digest != r.Digest {
		return models.ErrNonceReused
	}
	return nil
}

// ForgetNonces implements models.NonceStore.
func (db *DB) ForgetNonces(ctx context.Context, before time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("seen_at < ?", before).Delete(&models.SignedRequest{})
	return res.RowsAffected, res.Error
}
