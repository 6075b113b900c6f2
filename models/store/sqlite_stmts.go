package store

import (
	"context"
	"database/sql/driver"

	ncdriver "github.com/ncruces/go-sqlite3/driver"
)

// stmtCache keeps each SQLite connection's compiled statements by SQL text.
// database/sql prepares a statement for every query and every exec with
// arguments and closes it afterwards, and gorm's own statement cache
// prepares again in each transaction: so every execution compiled its SQL,
// a sixth of the service's CPU under load. Here closing a statement only
// returns it to its connection, compiled, for the next execution of the
// same text.
type stmtCache struct{ driver.Connector }

// maxConnStmts bounds the statements kept per connection (the least
// recently used idle one goes first).
const maxConnStmts = 256

func (c stmtCache) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: dc.(ncdriver.Conn), stmts: map[string]*cachedStmt{}}, nil
}

// cachingConn is one connection and its statements. database/sql uses a
// connection from one goroutine at a time: no lock.
type cachingConn struct {
	ncdriver.Conn
	stmts map[string]*cachedStmt
	tick  uint64
}

// cachedStmt is a compiled statement; busy while database/sql holds it.
type cachedStmt struct {
	driver.Stmt
	busy bool
	used uint64
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
	if err != nil || ok {
		return st, err // the kept one is in use (an open result set): this one is not kept
	}
	c.evict()
	s = &cachedStmt{Stmt: st, busy: true, used: c.tick}
	c.stmts[query] = s
	return s, nil
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

// Close finalizes the kept statements, then closes the connection.
func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		_ = s.Stmt.Close()
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

// Close returns the statement to its connection (the driver has already
// reset it and cleared its arguments).
func (s *cachedStmt) Close() error {
	s.busy = false
	return nil
}

func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *cachedStmt) CheckNamedValue(v *driver.NamedValue) error {
	return s.Stmt.(driver.NamedValueChecker).CheckNamedValue(v)
}
