package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// migratedSQLite opens a migrated SQLite file store, closed when the test ends.
func migratedSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), SQLite, filepath.Join(t.TempDir(), "gongzhi.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestStatementCache: a statement's SQL is compiled once per connection and
// reused, also inside transactions; the same text used again while its
// first result set is still open gets a statement of its own.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db := migratedSQLite(t)
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

// TestWritersQueueAtTheGate: while one transaction writes, readers go on
// (WAL), and writers — in transactions and alone, INSERT … RETURNING
// included — wait at the gate, asleep, then all commit in the order they
// came (polling the file lock gave no order); a writer whose
// context ends while it waits gives up with nothing written and the gate
// still usable.
func TestWritersQueueAtTheGate(t *testing.T) {
	ctx := context.Background()
	db := migratedSQLite(t)
	now := time.Now().UTC()
	resident := func(id string) *models.Resident {
		return &models.Resident{CommunityID: "c1", OpenID: id, CreatedAt: now, UpdatedAt: now}
	}
	if err := db.Gorm().Create(resident("seed")).Error; err != nil {
		t.Fatal(err)
	}

	holder := db.Gorm().Begin()
	if err := holder.Create(resident("held")).Error; err != nil {
		t.Fatal(err)
	}
	// A read does not wait for the writer.
	var n int64
	readCtx, cancel := context.WithTimeout(ctx, time.Second)
	if err := db.Gorm().WithContext(readCtx).Model(&models.Resident{}).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("read beside a writer: n=%d err=%v, want 1 committed row and no wait", n, err)
	}
	cancel()
	// A writer whose context ends at the gate writes nothing.
	shortCtx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	err := db.Gorm().WithContext(shortCtx).Create(resident("late")).Error
	cancel()
	if err == nil {
		t.Fatal("a write went past a held gate")
	}
	// Eight writers queue, each after the one before is waiting at the
	// gate: four alone (INSERT … RETURNING), four in transactions. (The
	// pool is widened so that each has a connection: database/sql hands
	// free connections out in no order.)
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(16)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			if i%2 == 0 {
				errs <- db.Gorm().Create(resident(fmt.Sprintf("q%d", i))).Error
				return
			}
			errs <- db.Gorm().Transaction(func(tx *gorm.DB) error {
				return tx.Create(resident(fmt.Sprintf("q%d", i))).Error
			})
		}()
		for deadline := time.Now().Add(5 * time.Second); db.gate.waiting.Load() != int64(i+1); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("writer %d did not reach the gate (%d waiting)", i, db.gate.waiting.Load())
			}
		}
	}
	select {
	case err := <-errs:
		t.Fatalf("a writer finished while the gate was held: %v", err)
	default:
	}
	if err := holder.Commit().Error; err != nil {
		t.Fatal(err)
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatalf("a queued writer failed: %v", err)
		}
	}
	if err := db.Gorm().Model(&models.Resident{}).Count(&n).Error; err != nil || n != 10 {
		t.Fatalf("rows = %d (%v), want seed + held + 8 queued = 10 (and not the late one)", n, err)
	}
	// In the order they came: the ids were given as they committed.
	var order []string
	if err := db.Gorm().Model(&models.Resident{}).Where("open_id LIKE ?", "q%").Order("id").Pluck("open_id", &order).Error; err != nil {
		t.Fatal(err)
	}
	if want := []string{"q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7"}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("writers committed in the order %v, want the order they came in %v", order, want)
	}
}
