package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite's WAL checkpoints, off the write path. By default SQLite copies
// the WAL back into the database file (and syncs it) inside the COMMIT
// that takes the log past 1,000 pages: that commit is the group commit
// (batch.go) every waiting message depends on, and under load it held the
// tail of first messages at 25–90 ms (docs/performance.md). Here a
// goroutine runs a PASSIVE checkpoint every checkpointEvery on a pooled
// connection: it never blocks a writer or a reader (SQLite lets one
// checkpointer run beside them), and the log restarts from its beginning
// once a checkpoint has caught up. The commit's own checkpoint stays as a
// backstop at checkpointBackstop pages (~40 MB), should the goroutine fall
// behind.

const (
	checkpointEvery    = 500 * time.Millisecond
	checkpointBackstop = 10000 // pages, for the wal_autocheckpoint pragma
	checkpointTimeout  = 30 * time.Second
)

// checkpointer runs the background checkpoints of one SQLite pool.
type checkpointer struct {
	stop chan struct{}
	once sync.Once
	done sync.WaitGroup
	runs atomic.Int64 // checkpoints completed (CheckpointStats)
	fail atomic.Int64
}

// startCheckpointer starts the goroutine; stopCheckpointer ends it.
func (db *DB) startCheckpointer(pool *sql.DB, every time.Duration) {
	c := &checkpointer{stop: make(chan struct{})}
	db.ckpt = c
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), checkpointTimeout)
			_, err := pool.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
			cancel()
			if err != nil {
				if c.fail.Add(1) == 1 || c.fail.Load()%100 == 0 { // say it, not every half second
					db.log.Warn("sqlite checkpoint failed; the commit's own checkpoint takes over", "err", err, "failures", c.fail.Load())
				}
				continue
			}
			c.runs.Add(1)
		}
	}()
}

// stopCheckpointer ends the goroutine and waits for it (a second call does
// nothing). db.ckpt stays set: /metrics may read its counts meanwhile.
func (db *DB) stopCheckpointer() {
	c := db.ckpt
	if c == nil {
		return
	}
	c.once.Do(func() { close(c.stop) })
	c.done.Wait()
}

// CheckpointStats returns how many background checkpoints ran and failed
// (zero on MySQL and for in-memory SQLite, which have none); after Close,
// the counts at the end.
func (db *DB) CheckpointStats() (runs, failed int64) {
	if c := db.ckpt; c != nil {
		return c.runs.Load(), c.fail.Load()
	}
	return 0, 0
}
