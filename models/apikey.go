package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// APIKey is an Open311 client's key. Only the SHA-256 of the key is stored:
// the key itself is shown once, when it is issued.
type APIKey struct {
	ID          uint64     `gorm:"primaryKey"`
	CommunityID string     `gorm:"size:64;not null;index"`
	Name        string     `gorm:"size:64;not null"`
	Hash        string     `gorm:"size:64;not null;uniqueIndex"` // hex SHA-256 of the key
	CreatedAt   time.Time  `gorm:"not null"`
	RevokedAt   *time.Time // set by DELETE: the key no longer opens anything
}

// TableName keeps the table name explicit.
func (APIKey) TableName() string { return "api_keys" }

// MaxAPIKeyNameRunes bounds a key's name (it becomes the actor "open311:<name>").
const MaxAPIKeyNameRunes = 40

// apiKeyPrefix marks our keys, so that a leaked one is recognisable.
const apiKeyPrefix = "o311_"

// NewAPIKey returns a fresh random key and its hash.
func NewAPIKey() (key, hash string) {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	key = apiKeyPrefix + hex.EncodeToString(b)
	return key, HashAPIKey(key)
}

// HashAPIKey is the stored form of a key.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// ValidateAPIKeyName trims a key's name and checks it: 1–40 printable
// characters.
func ValidateAPIKeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxAPIKeyNameRunes || !utf8.ValidString(name) {
		return "", Errorf(EINVALID, "name is required: 1 to %d characters naming the client (e.g. city-app)", MaxAPIKeyNameRunes)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return "", Errorf(EINVALID, "name may hold printable characters only")
		}
	}
	return name, nil
}
