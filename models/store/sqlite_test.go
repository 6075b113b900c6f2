package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	sqlite3 "github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
)

// TestSQLiteSettings checks what the store relies on from SQLite: WAL, the
// busy timeout and synchronous=NORMAL on every pooled connection, write
// transactions that take the write lock at BEGIN, and times stored as UTC
// text in one layout (text order is time order), including rows written
// in that layout by earlier versions.
func TestSQLiteSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gongzhi.db")
	db, err := store.Open(ctx, store.SQLite, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.Gorm().DB()
	var conns []interface{ Close() error }
	for range 3 { // hold several connections at once: each must have the settings
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var mode string
		var busy, sync int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil || busy != 10000 {
			t.Errorf("busy_timeout = %d, %v; want 10000", busy, err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 1 {
			t.Errorf("synchronous = %d, %v; want 1 (NORMAL)", sync, err)
		}
	}
	for _, c := range conns {
		_ = c.Close()
	}

	at := time.Date(2026, 11, 30, 0, 5, 3, 120000000, time.UTC)
	r := models.Resident{CommunityID: "c1", OpenID: "o1", Building: "3", LastMessageAt: &at, CreatedAt: at, UpdatedAt: at}
	if err := db.Gorm().Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	var raw, kind string
	if err := sqlDB.QueryRowContext(ctx, "SELECT typeof(created_at), CAST(created_at AS TEXT) FROM residents WHERE id = ?", r.ID).Scan(&kind, &raw); err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-30 00:05:03.12+00:00"; kind != "text" || raw != want {
		t.Errorf("stored created_at = %s %q, want text %q", kind, raw, want)
	}
	var last models.Resident
	if err := db.Gorm().Where("open_id = ? AND last_message_at > ?", "o1", at.Add(-time.Microsecond)).First(&last).Error; err != nil || !last.LastMessageAt.Equal(at) {
		t.Errorf("compare and read back a time: %v, %v", err, last.LastMessageAt)
	}
	// A row as the earlier driver wrote it reads back as the same instant.
	if err := db.Gorm().Exec("INSERT INTO residents (community_id, open_id, building, unit, room, grid_id, subscribed, created_at, updated_at) VALUES ('c1', 'o2', '3', '', '', '', 1, '2026-11-27 10:00:00.123456+00:00', '2026-11-27 10:00:00+00:00')").Error; err != nil {
		t.Fatal(err)
	}
	var old models.Resident
	if err := db.Gorm().Where("open_id = ?", "o2").First(&old).Error; err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.UTC); !old.CreatedAt.Equal(want) || !old.UpdatedAt.Equal(want.Truncate(time.Second)) || !old.Subscribed {
		t.Errorf("old row read back as %v / %v / %v", old.CreatedAt, old.UpdatedAt, old.Subscribed)
	}

	// BEGIN IMMEDIATE: a transaction that has only read already holds the
	// write lock, so a writer elsewhere gets SQLITE_BUSY at once (no wait).
	other, err := driver.Open("file:" + path + "?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx := db.Gorm().Begin()
	var n int64
	if err := tx.Raw("SELECT count(*) FROM residents").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	_, err = other.ExecContext(ctx, "UPDATE residents SET room = '9' WHERE open_id = 'o1'")
	if !errors.Is(err, sqlite3.BUSY) {
		t.Errorf("write beside a read-only transaction: %v, want SQLITE_BUSY", err)
	}
	tx.Rollback()
	if _, err := other.ExecContext(ctx, "UPDATE residents SET room = '9' WHERE open_id = 'o1'"); err != nil {
		t.Errorf("write after the transaction ended: %v", err)
	}

	// Constraint violations come back as gorm's errors.
	dup := models.Resident{CommunityID: "c1", OpenID: "o1", CreatedAt: at, UpdatedAt: at}
	if err := db.Gorm().Create(&dup).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Errorf("duplicate resident: %v, want gorm.ErrDuplicatedKey", err)
	}
}
