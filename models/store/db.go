// Package store implements models.Store with gorm on MySQL/MariaDB and on
// the pure-Go SQLite driver (the embedded default).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gongzhi/gongzhi/models"
)

// Driver names, as in GONGZHI_DB_DRIVER.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

// DB is the gorm-backed store.
type DB struct {
	gorm   *gorm.DB
	driver string
	// Now is the one clock of every row's times (gorm's NowFunc reads it
	// too); App sets it to its own clock, tests to one they move.
	Now func() time.Time
	// MeetingCode makes a candidate meeting code (models.RandomMeetingCode
	// when nil); tests that name codes make them in order.
	MeetingCode func() string
	// OnGridsChanged, when set, runs after PutGrids commits (App reloads
	// the engine's grids with it).
	OnGridsChanged func(communityID string)
	log            *slog.Logger
	// stmts holds the hot path's prepared statements by query (prepared).
	stmts sync.Map
	// batch commits conversation turns in groups (batch.go).
	batch *turnGroups
	// learnedMem keeps each community's learned words (learned_cache.go).
	learnedMem *learnedCache
	// ckpt runs SQLite's WAL checkpoints off the write path (checkpoint.go).
	ckpt *checkpointer
	// gate queues SQLite's writers (sqlite_stmts.go); nil on MySQL.
	gate *writeGate
	// groupPool sends a group commit in one round trip (batch_mysql.go);
	// nil on SQLite.
	groupPool *sql.DB
	// tripSlots bounds the turns committing alone in one trip at once;
	// tripTurns counts those committed, tripFallbacks those that rolled
	// back and went to the transaction (turn_mysql.go, OneTripStats).
	tripSlots               chan struct{}
	tripTurns, tripFallback atomic.Int64
}

var _ models.Store = (*DB)(nil)

// Open connects to the database. For SQLite it creates the file's folder and
// turns on WAL, a busy timeout and immediate write transactions so that
// concurrent writers queue instead of failing. It does not migrate.
func Open(ctx context.Context, driver, dsn string, log *slog.Logger) (*DB, error) {
	var dial gorm.Dialector
	var mysqlDSNFull string
	switch driver {
	case SQLite:
		if err := ensureDir(dsn); err != nil {
			return nil, err
		}
		d, err := openSQLite(dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite database: %w", err)
		}
		dial = d
	case MySQL:
		d, err := mysqlDSN(dsn)
		if err != nil {
			return nil, err
		}
		dial = mysql.Open(d)
		mysqlDSNFull = d
	default:
		return nil, fmt.Errorf("open database: unknown driver %q", driver)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db := &DB{driver: driver, Now: time.Now, log: log, learnedMem: newLearnedCache()}
	if d, ok := dial.(sqliteDialect); ok {
		db.gate = d.gate
	}
	g, err := gorm.Open(dial, &gorm.Config{
		Logger:                 gormLogger(log),
		SkipDefaultTransaction: true,
		// gorm's own timestamps come from the same clock as ours.
		NowFunc:        db.now,
		TranslateError: true,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	if driver == SQLite {
		// One writer at a time is SQLite's rule; a small pool keeps readers
		// going while busy_timeout queues the writers.
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetMaxIdleConns(4) // reopening a connection costs more than a query
	} else {
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(16)
		sqlDB.SetConnMaxLifetime(connMaxLifetime)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", driver, err)
	}
	db.gorm = g
	if driver == MySQL {
		if db.groupPool, err = openGroupPool(mysqlDSNFull); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
		db.tripSlots = make(chan struct{}, turnSlots)
	}
	if err := db.watchLearningVotes(g); err != nil {
		_ = sqlDB.Close()
		if db.groupPool != nil {
			_ = db.groupPool.Close()
		}
		return nil, fmt.Errorf("open %s database: %w", driver, err)
	}
	db.batch = &turnGroups{db: db}
	if driver == SQLite && !inMemory(dsn) {
		db.startCheckpointer(sqlDB, checkpointEvery)
	}
	return db, nil
}

// connMaxLifetime retires MySQL connections (a proxy or failover may have
// moved the server meanwhile).
const connMaxLifetime = 30 * time.Minute

// Driver returns "sqlite" or "mysql".
func (db *DB) Driver() string { return db.driver }

// Gorm exposes the handle to sibling store code and tests.
func (db *DB) Gorm() *gorm.DB { return db.gorm }

// Close closes the prepared statements and the connection pool.
func (db *DB) Close() error {
	db.stopCheckpointer()
	db.stmts.Range(func(k, v any) bool {
		_ = v.(*sql.Stmt).Close()
		db.stmts.Delete(k)
		return true
	})
	if db.groupPool != nil {
		_ = db.groupPool.Close()
	}
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

func ensureDir(dsn string) error {
	path := dsn
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	path = strings.TrimPrefix(path, "file:")
	if inMemory(dsn) {
		return nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("create database folder: %w", err)
		}
	}
	return nil
}

// inMemory reports a SQLite DSN without a file (no WAL, nothing to create).
func inMemory(dsn string) bool {
	path, query, _ := strings.Cut(dsn, "?")
	path = strings.TrimPrefix(path, "file:")
	return path == "" || strings.HasPrefix(path, ":memory:") || strings.Contains(query, "mode=memory")
}

// sqliteDSN adds the pragmas we rely on unless the operator set them.
func sqliteDSN(dsn string) string {
	add := []string{}
	if !strings.Contains(dsn, "busy_timeout") {
		add = append(add, "_pragma=busy_timeout(10000)")
	}
	if !strings.Contains(dsn, "journal_mode") {
		add = append(add, "_pragma=journal_mode(WAL)")
	}
	if !strings.Contains(dsn, "synchronous") {
		add = append(add, "_pragma=synchronous(NORMAL)")
	}
	if !strings.Contains(dsn, "wal_autocheckpoint") { // checkpoint.go checkpoints in the background
		add = append(add, fmt.Sprintf("_pragma=wal_autocheckpoint(%d)", checkpointBackstop))
	}
	if !strings.Contains(dsn, "_txlock") {
		add = append(add, "_txlock=immediate")
	}
	if len(add) == 0 {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + strings.Join(add, "&")
}

// mysqlDSN turns on client-side interpolation of arguments unless the DSN
// sets interpolateParams itself: without it each statement with arguments
// costs three round trips (prepare, execute, close) instead of one. The
// driver still prepares on the server for character sets where
// interpolation is unsafe (utf8mb4 is safe).
func mysqlDSN(dsn string) (string, error) {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "", errors.New("open mysql database: the DSN is not a go-sql-driver DSN") // it may hold a password
	}
	if !strings.Contains(dsn, "interpolateParams") {
		cfg.InterpolateParams = true
	}
	return cfg.FormatDSN(), nil
}

// gormLogger routes gorm's messages to slog at warn, without SQL values:
// parameters can hold residents' personal data.
func gormLogger(log *slog.Logger) logger.Interface {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return quietDuplicates{Interface: logger.NewSlogLogger(log, logger.Config{
		SlowThreshold:             slowSQL,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
	}), level: logger.Warn}
}

// slowSQL is how long a statement runs before it is logged as slow.
const slowSQL = time.Second

// quietDuplicates does not log a duplicate key as an error: the store uses
// unique keys on purpose (a WeChat retry, a replica's race) and handles them.
// Below Info it skips gorm's logger when there is nothing to log: that one
// renders each statement's SQL first (a few percent of the CPU per message).
type quietDuplicates struct {
	logger.Interface
	level logger.LogLevel
}

func (q quietDuplicates) LogMode(l logger.LogLevel) logger.Interface {
	return quietDuplicates{Interface: q.Interface.LogMode(l), level: l}
}

// ParamsFilter passes on the inner logger's (ParameterizedQueries): without
// it gorm would render the arguments — personal data — into the logged SQL.
func (q quietDuplicates) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := q.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, nil
}

func (q quietDuplicates) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = nil // still traced when slow
	}
	quiet := err == nil || errors.Is(err, gorm.ErrRecordNotFound)
	if q.level < logger.Info && quiet && time.Since(begin) <= slowSQL {
		return
	}
	q.Interface.Trace(ctx, begin, fc, err)
}

func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Errorf(models.ENOTFOUND, "%s not found", what)
	}
	return err
}
