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
// multiStatements on) that ends with COMMIT: the server runs the COMMIT
// only if every statement before it succeeded, and a guarded write that
// missed its row stops the query at the guard after it (staleGuard). The
// statements are the ones gorm builds for the transaction path (a dry run
// of the same calls), so both write the same rows.

// groupPoolSize is how many connections the one-trip pool keeps for groups:
// one group commits at a time (batch.go), the second covers a connection
// being replaced. turnSlots more serve the turns that commit alone in one
// trip (oneTripTurn); when all are busy a turn takes the transaction path.
const (
	groupPoolSize = 2
	turnSlots     = 8
)

// errNotSent says the one-trip path sent nothing: use the transaction.
var errNotSent = errors.New("group not sent in one trip")

// staleGuard follows a statement that must affect %d rows: when it did
// not, the scalar subquery returns two rows and the server stops the query
// with error 1242 before anything after it runs, the batch's COMMIT
// included; so a batch with guarded writes still commits in its own trip.
// (A constant subquery would be evaluated whatever the count; this one
// depends on ROW_COUNT(), the rows the statement before it affected.)
const staleGuard = "SELECT (SELECT n FROM (SELECT 1 AS n UNION ALL SELECT 2) AS guard WHERE ROW_COUNT() <> %d) AS stale"

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
	pool.SetMaxOpenConns(groupPoolSize + turnSlots)
	pool.SetMaxIdleConns(groupPoolSize + turnSlots)
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
	dry, add, out := db.tripBuilder(ctx)
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
	return *out, nil
}

// tripBuilder gives a fresh dry-run session (gorm builds the statement
// the transaction path would run, without running it), and add, which
// keeps a built statement and the rows it must affect (-1: any) in out.
func (db *DB) tripBuilder(ctx context.Context) (dry func() *gorm.DB, add func(res *gorm.DB, want int64, what string) error, out *[]tripStmt) {
	out = new([]tripStmt)
	dry = func() *gorm.DB { return db.gorm.Session(&gorm.Session{DryRun: true, NewDB: true, Context: ctx}) }
	add = func(res *gorm.DB, want int64, what string) error {
		if res.Error != nil {
			return fmt.Errorf("%s: %w", what, res.Error)
		}
		*out = append(*out, tripStmt{sql: res.Statement.SQL.String(), vars: res.Statement.Vars, want: want, what: what})
		return nil
	}
	return dry, add, out
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
	return db.inTrips(ctx, func(send tripSend) error {
		_, err := send(stmts, true)
		return err
	})
}

// tripSend sends a batch of a transaction's statements in one query (the
// first batch opens the transaction; with commit, the batch ends with
// COMMIT), a staleGuard after each statement whose affected rows must be
// its want, and returns each statement's result; a guard that fires is
// models.ErrStale.
type tripSend func(stmts []tripStmt, commit bool) ([]tripResult, error)

// tripResult is what the server said of one statement.
type tripResult struct{ affected, insertID int64 }

// inTrips runs fn's batches as one transaction on a connection of the
// one-trip pool and commits it when fn returns nil (unless its last batch
// carried the COMMIT); on any error it rolls back. errNotSent: nothing
// reached the server.
func (db *DB) inTrips(ctx context.Context, fn func(send tripSend) error) error {
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
		begun, committed := false, false
		send := func(stmts []tripStmt, commit bool) ([]tripResult, error) {
			var q strings.Builder
			var vars []any
			at := make([]int, len(stmts)) // each statement's place among the results
			n := 0
			if !begun {
				q.WriteString("START TRANSACTION;\n")
				n++
			}
			for i, s := range stmts {
				if i > 0 {
					q.WriteString(";\n")
				}
				q.WriteString(s.sql)
				vars = append(vars, s.vars...)
				at[i] = n
				n++
				if s.want >= 0 {
					fmt.Fprintf(&q, ";\n"+staleGuard, s.want)
					n++
				}
			}
			if commit {
				q.WriteString(";\nCOMMIT")
				n++
			}
			args := make([]driver.NamedValue, len(vars))
			for i, v := range vars {
				args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
				if err := check.CheckNamedValue(&args[i]); err != nil {
					return nil, errors.Join(errNotSent, err)
				}
			}
			res, err := ex.ExecContext(ctx, q.String(), args)
			if errors.Is(err, driver.ErrSkip) { // e.g. too large to interpolate: this batch was not sent
				return nil, errNotSent
			}
			begun = true
			if err != nil {
				var me *gomysql.MySQLError
				if errors.As(err, &me) && me.Number == 1062 { // as gorm translates it: a retry racing this one
					err = fmt.Errorf("%w: %w", gorm.ErrDuplicatedKey, err)
				}
				if errors.As(err, &me) && me.Number == 1242 { // a guard: the statement before it missed
					err = models.ErrStale
				}
				return nil, err
			}
			committed = commit
			mr, ok := res.(gomysql.Result)
			if !ok {
				return nil, errors.New("one-trip commit: no per-statement results")
			}
			affected, ids := mr.AllRowsAffected(), mr.AllLastInsertIds()
			if len(affected) != n || len(ids) != n {
				return nil, fmt.Errorf("one-trip commit: %d results for %d statements", len(affected), n)
			}
			out := make([]tripResult, len(stmts))
			for i, k := range at {
				out[i] = tripResult{affected: affected[k], insertID: ids[k]}
			}
			return out, nil
		}
		err := fn(send)
		switch {
		case errors.Is(err, errNotSent) && !begun:
			return err
		case committed:
			return err // nil: a batch carried the COMMIT and the server ran it
		case err != nil:
			return rollback(ctx, ex, err)
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
