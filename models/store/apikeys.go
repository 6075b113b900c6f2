package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// CreateAPIKey issues an Open311 key for a community and returns the key
// itself (shown once; only its hash is stored). A name that an active key
// of the community already has is a conflict: names tell clients apart in
// the appeals' events.
func (db *DB) CreateAPIKey(ctx context.Context, communityID, name string, now time.Time) (string, *models.APIKey, error) {
	name, err := models.ValidateAPIKeyName(name)
	if err != nil {
		return "", nil, err
	}
	key, hash := models.NewAPIKey()
	k := &models.APIKey{CommunityID: communityID, Name: name, Hash: hash, CreatedAt: now.UTC().Truncate(time.Microsecond)}
	err = db.transact(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.APIKey{}).Where("community_id = ? AND name = ? AND revoked_at IS NULL", communityID, name).
			Count(&n).Error; err != nil {
			return fmt.Errorf("api key names: %w", err)
		}
		if n > 0 {
			return models.Errorf(models.ECONFLICT, "an active key named %q exists: revoke it first or pick another name", name)
		}
		if err := tx.Create(k).Error; err != nil {
			return fmt.Errorf("create api key: %w", err)
		}
		return nil
	}, func() { k.ID = 0 })
	if err != nil {
		return "", nil, err
	}
	return key, k, nil
}

// APIKeys lists a community's keys, revoked ones too, oldest first.
func (db *DB) APIKeys(ctx context.Context, communityID string) ([]*models.APIKey, error) {
	var out []*models.APIKey
	if err := db.gorm.WithContext(ctx).Where("community_id = ?", communityID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return out, nil
}

// RevokeAPIKey revokes a community's key (again: no change) or returns ENOTFOUND.
func (db *DB) RevokeAPIKey(ctx context.Context, communityID string, id uint64, now time.Time) (*models.APIKey, error) {
	var k models.APIKey
	err := db.gorm.WithContext(ctx).Where("community_id = ? AND id = ?", communityID, id).Take(&k).Error
	if err != nil {
		return nil, notFound(err, "api key")
	}
	if k.RevokedAt != nil {
		return &k, nil
	}
	at := now.UTC().Truncate(time.Microsecond)
	err = db.gorm.WithContext(ctx).Model(&models.APIKey{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at).Error
	if err != nil {
		return nil, fmt.Errorf("revoke api key: %w", err)
	}
	k.RevokedAt = &at
	return &k, nil
}

// APIKeyByKey returns the active key whose hash matches key, or ENOTFOUND
// (unknown or revoked alike).
func (db *DB) APIKeyByKey(ctx context.Context, key string) (*models.APIKey, error) {
	var k models.APIKey
	err := db.gorm.WithContext(ctx).Where("hash = ? AND revoked_at IS NULL", models.HashAPIKey(key)).Take(&k).Error
	if err != nil {
		return nil, notFound(err, "api key")
	}
	return &k, nil
}
