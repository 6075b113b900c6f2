package store

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// TestGormLogging: a duplicate key and a missing row log nothing, a failing
// statement logs its SQL without the arguments (they can be personal data).
func TestGormLogging(t *testing.T) {
	var buf bytes.Buffer
	ctx := context.Background()
	db, err := Open(ctx, SQLite, filepath.Join(t.TempDir(), "gongzhi.db"), slog.New(slog.NewJSONHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	now := time.Now().UTC()
	r := models.Resident{CommunityID: "c1", OpenID: "o-secret-1", CreatedAt: now, UpdatedAt: now}
	if err := db.Gorm().Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	dup := models.Resident{CommunityID: "c1", OpenID: "o-secret-1", CreatedAt: now, UpdatedAt: now}
	_ = db.Gorm().Create(&dup).Error
	var none models.Resident
	_ = db.Gorm().Where("open_id = ?", "o-secret-2").First(&none).Error
	if buf.Len() != 0 {
		t.Fatalf("logged for a duplicate key or a missing row: %s", buf.String())
	}
	if err := db.Gorm().Exec("UPDATE no_such_table SET x = ? WHERE open_id = ?", 1, "o-secret-3").Error; err == nil {
		t.Fatal("no error from a missing table")
	}
	out := buf.String()
	if !strings.Contains(out, "SQL executed") || !strings.Contains(out, "no_such_table") || strings.Contains(out, "o-secret") {
		t.Fatalf("error log = %s", out)
	}
}
