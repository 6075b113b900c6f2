package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

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
	conn, err := db.groupPool.Conn(ctx)
	if err != nil {
		return errors.Join(errNotSent, err)
	}
	defer conn.Close()
	return sendOneTrip(ctx, conn, stmts)
}

// sendOneTrip runs stmts in one transaction on conn: one multi-statement
// query, then COMMIT or ROLLBACK by the affected rows. It writes all or
// nothing: errNotSent when nothing reached the server, models.ErrStale when
// a statement's affected rows were not the ones it must have, else the
// database's error.
func sendOneTrip(ctx context.Context, conn *sql.Conn, stmts []tripStmt) error {
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
			return rollback(ctx, ex, errors.New("one-trip commit: no per-statement results"))
		}
		affected := mr.AllRowsAffected()
		if len(affected) != results {
			return rollback(ctx, ex, fmt.Errorf("one-trip commit: %d results for %d statements", len(affected), results))
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

// A turn that commits alone (a staff command, a meeting answer, a me too)
// travels in one trip too when every write it makes is known before it is
// sent: no new appeal (its reference code is read from the day's counter),
// no learning vote, no campaign answer or volunteer, and meeting changes
// that are answers only. Each guarded write must affect its row; anything
// else (a stored message, a stale conversation, an appeal that moved on, a
// closed meeting, a deadlock) rolls back, and the transaction path runs the
// turn again and decides its outcome, as it would have alone.

// oneTripTurn reports a turn whose writes can all be built before sending.
func oneTripTurn(t *models.Turn) bool {
	if t.DedupeKey == "" || len(t.NewAppeals) > 0 || len(t.LearningVotes) > 0 || len(t.CampaignAnswers) > 0 ||
		len(t.Volunteers) > 0 || len(t.Outbox) > outboxBatch {
		return false
	}
	if !t.GuardConversation && (t.Conversation != nil || t.ClearConversation) {
		return false
	}
	for _, u := range t.AppealUpdates {
		if u == nil || len(u.LearningVotes) > 0 {
			return false
		}
	}
	for _, ch := range t.Meetings {
		if ch == nil || ch.Meeting == nil || !ch.AnswerOnly || len(ch.Invitees) == 0 || len(ch.DropPending) > 0 ||
			len(ch.Outbox) > 0 || len(ch.AppealUpdates) > 0 || len(ch.Events) > 0 {
			return false
		}
		for _, iv := range ch.Invitees {
			if iv == nil || iv.ID == 0 {
				return false
			}
		}
	}
	return true
}

// turnStatements builds a oneTripTurn's writes in the order
// commitTurnAlone makes them.
func (db *DB) turnStatements(ctx context.Context, t *models.Turn, at time.Time) ([]tripStmt, error) {
	dry, add, out := db.tripBuilder(ctx)
	pm := models.ProcessedMessage{CommunityID: t.CommunityID, Key: t.DedupeKey, Reply: t.Reply, CreatedAt: at}
	if err := add(dry().Create(&pm), -1, "record message"); err != nil {
		return nil, err
	}
	if r := turnResident(t, at); r != nil {
		if err := add(residentUpsert(dry()).Create(&[]*models.Resident{r}), -1, "save resident"); err != nil {
			return nil, err
		}
	}
	if t.GuardConversation && createsConversation(t) {
		if err := add(dry().Create(stampConversation(t, at)), -1, "save conversation"); err != nil {
			return nil, err
		}
	} else if t.GuardConversation && (t.Conversation != nil || t.ClearConversation) {
		if err := add(guardedConversation(dry(), t, at)); err != nil {
			return nil, err
		}
	}
	for _, u := range t.AppealUpdates {
		q, err := appealUpdate(dry(), u, at)
		if err != nil {
			return nil, err
		}
		if err := add(q, 1, "update appeal"); err != nil {
			return nil, err
		}
		for _, ev := range updateEvents(u, at) {
			if err := add(dry().Create(ev), -1, "record appeal event"); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range stampFollowers(t, at) {
		if err := add(followerInsert(dry(), f), -1, "add follower"); err != nil {
			return nil, err
		}
	}
	for _, ev := range stampEvents(t.Events, at) {
		if err := add(dry().Create(ev), -1, "record appeal event"); err != nil {
			return nil, err
		}
	}
	if msgs := fillOutboxRefs(t.Outbox, t.NewAppeals); len(msgs) > 0 {
		if err := stampOutbox(msgs, at); err != nil {
			return nil, err
		}
		if err := add(outboxInsert(dry(), msgs), -1, "queue pushes"); err != nil {
			return nil, err
		}
	}
	for _, ch := range t.Meetings {
		m := ch.Meeting
		m.StartsAt = m.StartsAt.UTC().Truncate(time.Microsecond)
		m.UpdatedAt = at
		for _, iv := range ch.Invitees {
			stampInvitee(iv, m, at)
			// The transaction path counts the meeting open first; here each
			// answer is written only while it is.
			open := dry().Where("EXISTS (?)", openMeeting(dry(), m, at).Select("1"))
			if err := add(inviteeUpdate(open, iv), 1, "update invitee"); err != nil {
				return nil, err
			}
		}
	}
	return *out, nil
}

// commitTurnOneTrip commits a oneTripTurn in one multi-statement trip (two
// when a write must be checked), or writes nothing: errNotSent when it was
// not sent (every slot busy, or it could not be built), else why it rolled
// back.
func (db *DB) commitTurnOneTrip(ctx context.Context, t *models.Turn, at time.Time) error {
	select {
	case db.tripSlots <- struct{}{}:
		defer func() { <-db.tripSlots }()
	default:
		return errNotSent
	}
	stmts, err := db.turnStatements(ctx, t, at)
	if err != nil {
		return errors.Join(errNotSent, err)
	}
	conn, err := db.groupPool.Conn(ctx)
	if err != nil {
		return errors.Join(errNotSent, err)
	}
	defer conn.Close()
	return sendOneTrip(ctx, conn, stmts)
}
