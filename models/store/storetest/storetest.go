// Package storetest opens fresh, migrated databases for tests: SQLite in a
// temporary folder and, when TEST_MYSQL_DSN is set, a new MariaDB/MySQL
// database that is dropped afterwards. In CI (CI=true) a missing MySQL is a
// failure, never a skip.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/gongzhi/gongzhi/models/store"
)

// Drivers lists the drivers the storage tests run on here.
func Drivers(tb testing.TB) []string {
	tb.Helper()
	if os.Getenv("TEST_MYSQL_DSN") != "" {
		return []string{store.SQLite, store.MySQL}
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("TEST_MYSQL_DSN is not set: in CI the storage tests must run on MariaDB")
	}
	return []string{store.SQLite}
}

// Each runs f as a subtest on a fresh migrated database of every driver.
func Each(t *testing.T, f func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Drivers(t) {
		t.Run(d, func(t *testing.T) { f(t, Open(t, d)) })
	}
}

// Open returns a fresh, migrated database of the driver, closed (and for
// MySQL dropped) when the test ends.
func Open(tb testing.TB, driver string) *store.DB {
	tb.Helper()
	driver, dsn := DSN(tb, driver)
	db, err := store.Open(context.Background(), driver, dsn, nil)
	if err != nil {
		tb.Fatalf("open %s: %v", driver, err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s: %v", driver, err)
	}
	return db
}

// DSN creates an empty database for driver and returns its DSN; the
// database is removed when the test ends.
func DSN(tb testing.TB, driver string) (string, string) {
	tb.Helper()
	switch driver {
	case store.SQLite:
		return driver, filepath.Join(tb.TempDir(), "gongzhi.db")
	case store.MySQL:
		return driver, mysqlDatabase(tb)
	}
	tb.Fatalf("unknown driver %q", driver)
	return "", ""
}

func mysqlDatabase(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("TEST_MYSQL_DSN")
	if base == "" {
		tb.Skip("TEST_MYSQL_DSN not set")
	}
	cfg, err := gomysql.ParseDSN(base)
	if err != nil {
		tb.Fatalf("TEST_MYSQL_DSN: %v", err)
	}
	cfg.ParseTime = true
	cfg.MultiStatements = false
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["charset"] = "utf8mb4"
	admin := *cfg
	admin.DBName = ""
	conn, err := sql.Open("mysql", admin.FormatDSN())
	if err != nil {
		tb.Fatalf("mysql: %v", err)
	}
	defer conn.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "gz_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatalf("create test database (is MariaDB running? TEST_MYSQL_DSN=%s): %v", redact(base), err)
	}
	tb.Cleanup(func() {
		c, err := sql.Open("mysql", admin.FormatDSN())
		if err == nil {
			_, _ = c.Exec("DROP DATABASE IF EXISTS " + name)
			_ = c.Close()
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

func redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		if colon := strings.Index(dsn[:at], ":"); colon >= 0 {
			return dsn[:colon] + ":***" + dsn[at:]
		}
	}
	return dsn
}
