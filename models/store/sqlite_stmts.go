package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"sync/atomic"
	"time"

	ncdriver "github.com/ncruces/go-sqlite3/driver"
)

// stmtCache keeps each SQLite connection's compiled statements by SQL text.
// database/sql prepares a statement for every query and every exec with
// arguments and closes it afterwards, and gorm's own statement cache
// prepares again in each transaction: so every execution compiled its SQL,
// a sixth of the service's CPU under load. Here closing a statement only
// returns it to its connection, compiled, for the next execution of the
// same text.
//
// It also queues the writers (writeGate): SQLite lets one transaction write
// at a time, and a writer that finds the file locked polls it (the
// driver's busy handler: retry, sleep up to 2 ms, retry) until it wins — in
// no order, burning CPU, and with waits that grow the tail under load
// (docs/performance.md). Here every write transaction and every write
// outside one first takes the pool's gate, a channel of one: writers wait
// their turn in order, asleep. Readers never take it (WAL lets them read
// beside the writer).
type stmtCache struct {
	driver.Connector
	gate *writeGate
}

func newStmtCache(c driver.Connector) stmtCache {
	return stmtCache{Connector: c, gate: &writeGate{ch: make(chan struct{}, 1)}}
}

// writeGate is held by the one connection writing; waiting counts the
// writers queued for it.
type writeGate struct {
	ch      chan struct{}
	waiting atomic.Int64
}

// gateWait bounds a writer's wait, as busy_timeout bounded its polling.
const gateWait = 10 * time.Second

var errGateTimeout = errors.New("database is locked: waited 10s for the writer before this one")

func (g *writeGate) take(ctx context.Context) error {
	select {
	case g.ch <- struct{}{}:
		return nil
	default:
	}
	g.waiting.Add(1)
	defer g.waiting.Add(-1)
	t := time.NewTimer(gateWait)
	defer t.Stop()
	select {
	case g.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errGateTimeout
	}
}

func (g *writeGate) give() { <-g.ch }

// maxConnStmts bounds the statements kept per connection (the least
// recently used idle one goes first).
const maxConnStmts = 256

func (c stmtCache) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: dc.(ncdriver.Conn), stmts: map[string]*cachedStmt{}, gate: c.gate}, nil
}

// cachingConn is one connection and its statements. database/sql uses a
// connection from one goroutine at a time: no lock.
type cachingConn struct {
	ncdriver.Conn
	stmts map[string]*cachedStmt
	tick  uint64
	gate  *writeGate
	inTx  bool // a write transaction holds the gate
}

// cachedStmt is a compiled statement; busy while database/sql holds it.
// kept is false for a second copy compiled while the kept one was busy:
// closing that one finalizes it.
type cachedStmt struct {
	driver.Stmt
	conn   *cachingConn
	busy   bool
	kept   bool
	writes bool // sqlite3_stmt_readonly is false: takes the gate outside a transaction
	used   uint64
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.tick++
	s, ok := c.stmts[query]
	if ok && !s.busy {
		s.busy, s.used = true, c.tick
		return s, nil
	}
	st, err := c.Conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	fresh := &cachedStmt{Stmt: st, conn: c, busy: true, kept: !ok, writes: writes(st), used: c.tick}
	if ok {
		return fresh, nil // the kept one is in use (an open result set): this one is not kept
	}
	c.evict()
	c.stmts[query] = fresh
	return fresh, nil
}

// writes asks SQLite whether the compiled statement changes the database
// (sqlite3_stmt_readonly; the driver's statement embeds *sqlite3.Stmt).
func writes(st driver.Stmt) bool {
	ro, ok := st.(interface{ ReadOnly() bool })
	return !ok || !ro.ReadOnly() // unknown: take the gate to be safe
}

// BeginTx takes the gate for a write transaction (every transaction but a
// read-only one: they begin IMMEDIATE); Commit or Rollback gives it back.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly {
		return c.Conn.BeginTx(ctx, opts)
	}
	if err := c.gate.take(ctx); err != nil {
		return nil, err
	}
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		c.gate.give()
		return nil, err
	}
	c.inTx = true
	return gatedTx{tx, c}, nil
}

// gatedTx gives the gate back when the transaction ends.
type gatedTx struct {
	driver.Tx
	c *cachingConn
}

func (t gatedTx) Commit() error   { defer t.c.endTx(); return t.Tx.Commit() }
func (t gatedTx) Rollback() error { defer t.c.endTx(); return t.Tx.Rollback() }

func (c *cachingConn) endTx() {
	if c.inTx {
		c.inTx = false
		c.gate.give()
	}
}

func (c *cachingConn) evict() {
	if len(c.stmts) < maxConnStmts {
		return
	}
	var oldest string
	var at uint64
	for q, s := range c.stmts {
		if !s.busy && (oldest == "" || s.used < at) {
			oldest, at = q, s.used
		}
	}
	if oldest != "" {
		_ = c.stmts[oldest].Stmt.Close()
		delete(c.stmts, oldest)
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *cachingConn) CheckNamedValue(v *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(v)
}

// Close finalizes the kept statements, then closes the connection (and
// gives back the gate if a transaction was left open).
func (c *cachingConn) Close() error {
	c.endTx()
	for q, s := range c.stmts {
		_ = s.Stmt.Close()
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

// Close returns the statement to its connection (the driver has already
// reset it and cleared its arguments), or finalizes a copy not kept.
func (s *cachedStmt) Close() error {
	s.busy = false
	if !s.kept {
		return s.Stmt.Close()
	}
	return nil
}

// alone reports a write outside a transaction: it takes the gate itself.
func (s *cachedStmt) alone() bool { return s.writes && !s.conn.inTx }

func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.alone() {
		if err := s.conn.gate.take(ctx); err != nil {
			return nil, err
		}
		defer s.conn.gate.give()
	}
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if !s.alone() { // a read, or inside the transaction that holds the gate
		return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	}
	if err := s.conn.gate.take(ctx); err != nil { // INSERT … RETURNING outside a transaction
		return nil, err
	}
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		s.conn.gate.give()
		return nil, err
	}
	return &gatedRows{Rows: rows, gate: s.conn.gate}, nil
}

// gatedRows holds the gate until the write's result set is closed (the
// statement runs, and writes, as its rows are read).
type gatedRows struct {
	driver.Rows
	gate *writeGate
	done bool
}

func (r *gatedRows) Close() error {
	err := r.Rows.Close()
	if !r.done {
		r.done = true
		r.gate.give()
	}
	return err
}

func (s *cachedStmt) CheckNamedValue(v *driver.NamedValue) error {
	return s.Stmt.(driver.NamedValueChecker).CheckNamedValue(v)
}

// The column metadata the driver's rows give database/sql, passed through.

func (r *gatedRows) ColumnTypeDatabaseTypeName(i int) string {
	if m, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return m.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *gatedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if m, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return m.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *gatedRows) ColumnTypeScanType(i int) reflect.Type {
	if m, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return m.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
