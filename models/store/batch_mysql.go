package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// On MySQL a group's writes travel in one round trip. The transaction
// through gorm is five or more: START TRANSACTION, the dedupe rows, each
// guarded conversation, the residents, the new conversations, COMMIT, each
// a write and a read on both sides of the socket. On the shared two-core
// machine of docs/performance.md a round trip costs more CPU than the
// statement it carries, so the group's statements are sent together in one
// multi-statement query (a pool of its own, the only one with
// multiStatements on), their affected rows checked, then COMMIT or
// ROLLBACK; when no statement's affected rows need checking (new
// conversations only, as first messages make), the COMMIT ends the same
// query: the server runs it only if every statement before it succeeded.
// The statements are the ones gorm builds for the transaction path (a dry
// run of the same calls), so both write the same rows.

// groupPoolSize is how many connections the one-trip pool keeps: one group
// commits at a time (batch.go), the second covers a connection being
// replaced.
const groupPoolSize = 2

// errNotSent says the one-trip path sent nothing: use the transaction.
var errNotSent = errors.New("group not sent in one trip")

// openGroupPool opens the one-trip pool on the service's own DSN (already
// through mysqlDSN: interpolateParams on, which a multi-statement query
// with arguments needs) with multiStatements on.
func openGroupPool(dsn string) (*sql.DB, error) {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return nil, errors.New("open mysql group pool: the DSN is not a go-sql-driver DSN") // it may hold a password
	}
	cfg.MultiStatements = true
	cfg.InterpolateParams = true
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("open mysql group pool: %w", err)
	}
	pool := sql.OpenDB(conn)
	pool.SetMaxOpenConns(groupPoolSize)
	pool.SetMaxIdleConns(groupPoolSize)
	pool.SetConnMaxLifetime(connMaxLifetime)
	return pool, nil
}

// tripStmt is one statement of a group and the affected rows it must have
// (want < 0: any).
type tripStmt struct {
	sql  string
	vars []any
	want int64
	what string
}

// groupStatements builds the group's statements as the transaction path
// would run them, without running them.
func (db *DB) groupStatements(ctx context.Context, w *groupWrites) ([]tripStmt, error) {
	dry := func() *gorm.DB { return db.gorm.Session(&gorm.Session{DryRun: true, NewDB: true, Context: ctx}) }
	var out []tripStmt
	add := func(res *gorm.DB, want int64, what string) error {
		if res.Error != nil {
			return fmt.Errorf("%s: %w", what, res.Error)
		}
		out = append(out, tripStmt{sql: res.Statement.SQL.String(), vars: res.Statement.Vars, want: want, what: what})
		return nil
	}
	if err := add(dry().Create(&w.processed), -1, "record messages"); err != nil {
		return nil, err
	}
	for _, t := range w.guarded {
		q, want, what := guardedConversation(dry(), t, db.turnTime(t))
		if err := add(q, want, what); err != nil {
			return nil, err
		}
	}
	if len(w.residents) > 0 {
		if err := add(residentUpsert(dry()).Create(&w.residents), -1, "save resident"); err != nil {
			return nil, err
		}
	}
	if len(w.created) > 0 {
		if err := add(dry().Create(&w.created), -1, "save conversations"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// commitGroupOneTrip writes the group in one multi-statement round trip
// and commits it, or writes nothing: errNotSent when nothing reached the
// server (the caller uses the transaction path), models.ErrStale when a
// guarded conversation moved on, else the database's error.
func (db *DB) commitGroupOneTrip(ctx context.Context, w *groupWrites) error {
	stmts, err := db.groupStatements(ctx, w)
	if err != nil {
		return errors.Join(errNotSent, err)
	}
	var q strings.Builder
	q.WriteString("START TRANSACTION")
	var vars []any
	checked := false // a statement whose affected rows decide COMMIT or ROLLBACK
	for _, s := range stmts {
		q.WriteString(";\n")
		q.WriteString(s.sql)
		vars = append(vars, s.vars...)
		checked = checked || s.want >= 0
	}
	// Nothing to check (new conversations only, as a first message's): the
	// COMMIT goes in the same trip; the server runs it only if every
	// statement before it succeeded.
	results := len(stmts) + 1
	if !checked {
		q.WriteString(";\nCOMMIT")
		results++
	}
	conn, err := db.groupPool.Conn(ctx)
	if err != nil {
		return errors.Join(errNotSent, err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		ex, ok1 := dc.(driver.ExecerContext)
		check, ok2 := dc.(driver.NamedValueChecker)
		if !ok1 || !ok2 {
			return errNotSent
		}
		args := make([]driver.NamedValue, len(vars))
		for i, v := range vars {
			args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
			if err := check.CheckNamedValue(&args[i]); err != nil {
				return errors.Join(errNotSent, err)
			}
		}
		res, err := ex.ExecContext(ctx, q.String(), args)
		if errors.Is(err, driver.ErrSkip) { // e.g. too large to interpolate: nothing was sent
			return errNotSent
		}
		if err != nil {
			var me *gomysql.MySQLError
			if errors.As(err, &me) && me.Number == 1062 { // as gorm translates it: a retry racing the group
				err = fmt.Errorf("%w: %w", gorm.ErrDuplicatedKey, err)
			}
			return rollback(ctx, ex, err)
		}
		mr, ok := res.(gomysql.Result)
		if !ok {
			return rollback(ctx, ex, errors.New("group commit: no per-statement results"))
		}
		affected := mr.AllRowsAffected()
		if len(affected) != results {
			return rollback(ctx, ex, fmt.Errorf("group commit: %d results for %d statements", len(affected), results))
		}
		if !checked {
			return nil // committed
		}
		for i, s := range stmts {
			if s.want >= 0 && affected[i+1] != s.want {
				return rollback(ctx, ex, models.ErrStale)
			}
		}
		if _, err := ex.ExecContext(ctx, "COMMIT", nil); err != nil {
			return errors.Join(err, driver.ErrBadConn) // the outcome is unknown: never reuse the connection
		}
		return nil
	})
}

// rollback ends a one-trip group that failed part way and returns cause.
// A connection whose ROLLBACK fails is dropped from the pool (ErrBadConn),
// never reused in the middle of a transaction.
func rollback(ctx context.Context, ex driver.ExecerContext, cause error) error {
	if _, err := ex.ExecContext(ctx, "ROLLBACK", nil); err != nil {
		return errors.Join(cause, driver.ErrBadConn)
	}
	return cause
}
