package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models/store"
)

// TestCheckpointOffTheWritePath: on SQLite the commit no longer checkpoints
// every 1,000 pages (wal_autocheckpoint is the 10,000-page backstop), the
// background checkpoints run, and they catch up: after ~24 MB written in
// 600 commits, the next commit finds the log restarted.
func TestCheckpointOffTheWritePath(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ckpt.db")
	db, err := store.Open(ctx, store.SQLite, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g := db.Gorm()
	var backstop int
	if err := g.Raw("PRAGMA wal_autocheckpoint").Scan(&backstop).Error; err != nil {
		t.Fatal(err)
	}
	if backstop != 10000 {
		t.Fatalf("wal_autocheckpoint = %d, want the 10000-page backstop", backstop)
	}
	if err := g.Exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("共治", 6800) // ~40 KB: 10 pages a row
	for i := range 600 {
		if err := g.Exec("INSERT INTO blobs (id, body) VALUES (?, ?)", i+1, body).Error; err != nil {
			t.Fatal(err)
		}
		if i%50 == 49 {
			time.Sleep(10 * time.Millisecond) // let the ticker in between writers, as real traffic does
		}
	}
	// Two background checkpoints after the last write: the log has been
	// copied back whole, so the next commit restarts it from its beginning.
	runs0, _ := db.CheckpointStats()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runs, failed := db.CheckpointStats()
		if failed != 0 {
			t.Fatalf("%d background checkpoints failed", failed)
		}
		if runs >= runs0+2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d background checkpoints in 5 s", runs-runs0)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := g.Exec("INSERT INTO blobs (id, body) VALUES (?, ?)", 601, "一行").Error; err != nil {
		t.Fatal(err)
	}
	// 600 rows × ~40 KB = 24 MB (~6,000 pages) went through the log; had
	// nothing checkpointed it (the backstop is 10,000 pages) the log would
	// now hold them all plus the new row.
	var busy, logFrames, done int
	if err := g.Raw("PRAGMA wal_checkpoint(PASSIVE)").Row().Scan(&busy, &logFrames, &done); err != nil {
		t.Fatal(err)
	}
	if logFrames > 50 {
		t.Fatalf("the WAL holds %d frames after one small commit: the background checkpoints did not catch up", logFrames)
	}
	var n int
	if err := g.Raw("SELECT count(*) FROM blobs").Scan(&n).Error; err != nil || n != 601 {
		t.Fatalf("rows = %d, %v; want 601", n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Closed: the goroutine has stopped, its counts stay readable and still.
	atClose, _ := db.CheckpointStats()
	time.Sleep(2 * 500 * time.Millisecond)
	if runs, _ := db.CheckpointStats(); runs != atClose || runs == 0 {
		t.Fatalf("checkpoints after Close: %d, at Close %d; want the same, not zero", runs, atClose)
	}
}
