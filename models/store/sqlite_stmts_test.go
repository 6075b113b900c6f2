package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// TestStatementCache: a statement's SQL is compiled once per connection and
// reused, also inside transactions; the same text used again while its
// first result set is still open gets a statement of its own.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, SQLite, filepath.Join(t.TempDir(), "gongzhi.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i := range 3 {
		r := models.Resident{CommunityID: "c1", OpenID: fmt.Sprintf("o%d", i), CreatedAt: now, UpdatedAt: now}
		if err := db.Gorm().Create(&r).Error; err != nil {
			t.Fatal(err)
		}
	}
	sqlDB, _ := db.Gorm().DB()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const q = "SELECT open_id FROM residents WHERE community_id = ? ORDER BY id"
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	outer, err := tx.QueryContext(ctx, q, "c1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for outer.Next() {
		var id string
		_ = outer.Scan(&id)
		var inner []string
		rows, err := tx.QueryContext(ctx, q, "c1") // same text while the first is open
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var x string
			_ = rows.Scan(&x)
			inner = append(inner, x)
		}
		rows.Close()
		if len(inner) != 3 {
			t.Fatalf("inner query saw %v", inner)
		}
		got = append(got, id)
	}
	outer.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[o0 o1 o2]" {
		t.Fatalf("outer query saw %v", got)
	}
	kept := func() (n, onConn int) {
		_ = conn.Raw(func(dc any) error {
			c := dc.(*cachingConn)
			for range c.Raw().Stmts() {
				onConn++
			}
			n = len(c.stmts)
			return nil
		})
		return n, onConn
	}
	var before int
	for i := range 20 {
		if i == 1 {
			before, _ = kept()
		}
		var n int
		if err := conn.QueryRowContext(ctx, q+" LIMIT 1", "c1").Scan(new(string)); err != nil {
			t.Fatal(err)
		}
		tx, _ := conn.BeginTx(ctx, nil)
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM residents WHERE community_id = ?", "c1").Scan(&n); err != nil || n != 3 {
			t.Fatalf("count = %d, %v", n, err)
		}
		_ = tx.Rollback()
	}
	if n, onConn := kept(); before < 2 || n != before || onConn != n {
		t.Errorf("%d statements kept after 20 rounds, %d after one, %d on the connection: want each text compiled once", n, before, onConn)
	}
}
