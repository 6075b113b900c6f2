package store_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

func TestMigrationFilesAgree(t *testing.T) {
	if err := store.CheckMigrationFiles(); err != nil {
		t.Fatal(err)
	}
	v := store.MigrationVersions()
	if len(v) < 6 || !slices.Equal(v[:6], []int{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("MigrationVersions() = %v; the released versions 1-6 must stay first", v)
	}
}

// releasedVersion is the schema version of the frozen fixture in
// testdata/released: a deployment as the release with versions 1-6 left it.
const releasedVersion = 6

// TestUpgradeFromReleasedSchema loads a released deployment (schema and a
// row or more in every table, dumped from that release) and migrates it to
// the latest version: every row must survive, and the schema must be the one
// a fresh install gets and the one the models expect.
func TestUpgradeFromReleasedSchema(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			d, dsn := storetest.DSN(t, driver)
			db, err := store.Open(ctx, d, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			fixture := loadFixture(t, db)
			before := rowCounts(t, db, slices.Sorted(maps.Keys(fixture)))
			for table, n := range fixture {
				if before[table] != n || n == 0 {
					t.Fatalf("fixture table %s: %d rows loaded, %d in the dump; every table needs a row", table, before[table], n)
				}
			}
			var released []struct {
				Version   int
				Name      string
				AppliedAt time.Time
			}
			if err := db.Gorm().Raw("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").Scan(&released).Error; err != nil {
				t.Fatal(err)
			}

			applied, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate() on the released schema: %v", err)
			}
			pending := 0
			for _, v := range store.MigrationVersions() {
				if v > releasedVersion {
					pending++
				}
			}
			if applied != pending {
				t.Errorf("Migrate() applied %d steps; want %d (those after version %d)", applied, pending, releasedVersion)
			}
			if v, _ := db.Version(ctx); v != store.SchemaVersion() {
				t.Errorf("Version() = %d, want %d", v, store.SchemaVersion())
			}

			after := rowCounts(t, db, slices.Sorted(maps.Keys(fixture)))
			for table, n := range before {
				if table == "schema_migrations" {
					if after[table] != n+pending {
						t.Errorf("schema_migrations: %d rows after upgrade, want %d", after[table], n+pending)
					}
					continue
				}
				if after[table] != n {
					t.Errorf("table %s: %d rows after upgrade, want %d", table, after[table], n)
				}
			}
			var kept []struct {
				Version   int
				Name      string
				AppliedAt time.Time
			}
			if err := db.Gorm().Raw("SELECT version, name, applied_at FROM schema_migrations WHERE version <= ? ORDER BY version", releasedVersion).Scan(&kept).Error; err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(kept, released) {
				t.Errorf("released schema_migrations rows changed:\n got %+v\nwant %+v", kept, released)
			}
			checkFixtureValues(t, db)
			if err := db.CheckSchema(ctx); err != nil {
				t.Errorf("the upgraded schema does not fit the models:\n%v", err)
			}

			fresh := storetest.Open(t, driver)
			if err := fresh.CheckSchema(ctx); err != nil {
				t.Errorf("a fresh install does not fit the models:\n%v", err)
			}
			if got, want := schemaOf(t, db), schemaOf(t, fresh); !slices.Equal(got, want) {
				t.Errorf("upgraded and fresh schemas differ:\n%s", diffLines(got, want))
			}
		})
	}
}

// loadFixture runs the driver's dump on one connection and returns the
// number of rows it inserts into each table.
func loadFixture(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "released", db.Driver()+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.Gorm().DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	counts := map[string]int{}
	insert := regexp.MustCompile("^INSERT INTO `?(\\w+)`?")
	var stmt strings.Builder
	for _, line := range strings.Split(string(body), "\n") {
		if stmt.Len() == 0 && (strings.HasPrefix(line, "--") || strings.TrimSpace(line) == "") {
			continue
		}
		stmt.WriteString(line)
		stmt.WriteByte('\n')
		if !strings.HasSuffix(strings.TrimSpace(line), ";") {
			continue
		}
		s := stmt.String()
		stmt.Reset()
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("load fixture: %v\n%s", err, s)
		}
		if m := insert.FindStringSubmatch(s); m != nil && m[1] != "sqlite_sequence" {
			counts[m[1]]++
		}
	}
	return counts
}

func rowCounts(t *testing.T, db *store.DB, tables []string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range tables {
		var n int
		if err := db.Gorm().Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// checkFixtureValues reads back some of the fixture's fields, through the
// models where the store reads them that way.
func checkFixtureValues(t *testing.T, db *store.DB) {
	t.Helper()
	var a models.Appeal
	if err := db.Gorm().Where("ref = ?", "GZ20260501-0002").First(&a).Error; err != nil {
		t.Fatalf("read appeal: %v", err)
	}
	if a.ID != 2 || a.CommunityID != "c1" || a.OpenID != "oRES2" || a.Description != "3栋楼道灯坏了，晚上看不见 2" ||
		a.DueAt == nil || !a.DueAt.Equal(time.Date(2026, 5, 2, 8, 15, 30, 123e6, time.UTC)) {
		t.Errorf("appeal after upgrade = %+v", a)
	}
	for _, c := range []struct{ query, want string }{
		{"SELECT name FROM communities WHERE id = 'c1'", "王小明 1"},
		{"SELECT code FROM meetings WHERE id = 1", "M0001"},
		{"SELECT reason FROM appeal_events WHERE id = 2", "居民反映 2"},
		{"SELECT text FROM outbox_messages WHERE id = 1", "您的诉求已受理 1"},
		{"SELECT name FROM staffs WHERE open_id = 'oRES2'", "王小明 2"},
		{"SELECT hash FROM api_keys WHERE id = 2", "hash-2"},
		{"SELECT state FROM conversations WHERE open_id = 'oRES1'", "idle"},
		{"SELECT CAST(n AS CHAR) FROM ref_counters WHERE day = 'day-1'", "1"},
	} {
		var got string
		if err := db.Gorm().Raw(c.query).Scan(&got).Error; err != nil || got != c.want {
			t.Errorf("%s = %q, %v; want %q", c.query, got, err, c.want)
		}
	}
	// New rows continue after the released ones.
	f := models.Follower{AppealID: 1, CommunityID: "c1", OpenID: "oRES9", CreatedAt: time.Now().UTC()}
	if err := db.Gorm().Create(&f).Error; err != nil || f.ID != 3 {
		t.Errorf("new follower after upgrade: id %d, %v; want 3, nil", f.ID, err)
	}
}

// schemaOf describes the tables, columns and indexes, one line each, sorted.
func schemaOf(t *testing.T, db *store.DB) []string {
	t.Helper()
	var queries []string
	switch db.Driver() {
	case store.SQLite:
		queries = []string{"SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"}
	case store.MySQL:
		queries = []string{
			"SELECT CONCAT_WS(' ', table_name, engine, table_collation) FROM information_schema.tables WHERE table_schema = DATABASE()",
			"SELECT CONCAT_WS(' ', table_name, LPAD(ordinal_position, 3, '0'), column_name, column_type, is_nullable, COALESCE(column_default, '-'), extra, COALESCE(collation_name, '-')) FROM information_schema.columns WHERE table_schema = DATABASE()",
			"SELECT CONCAT_WS(' ', table_name, index_name, non_unique, seq_in_index, column_name) FROM information_schema.statistics WHERE table_schema = DATABASE()",
		}
	}
	var out []string
	for _, q := range queries {
		var rows []string
		if err := db.Gorm().Raw(q).Scan(&rows).Error; err != nil {
			t.Fatalf("describe schema: %v", err)
		}
		out = append(out, rows...)
	}
	slices.Sort(out)
	return out
}

func diffLines(got, want []string) string {
	var b strings.Builder
	for _, l := range got {
		if !slices.Contains(want, l) {
			fmt.Fprintf(&b, "  only upgraded: %s\n", l)
		}
	}
	for _, l := range want {
		if !slices.Contains(got, l) {
			fmt.Fprintf(&b, "  only fresh:    %s\n", l)
		}
	}
	return b.String()
}

// A MySQL step that stopped halfway (its DDL committed statement by
// statement) completes on the next run; on SQLite a step is one transaction,
// and a failing statement is named in the error.
func TestMigrateRerunsHalfAppliedStep(t *testing.T) {
	for _, driver := range storetest.Drivers(t) {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, driver)
			// Version 3 ends with two CREATE INDEX on appeals: forget the
			// step and its last index, as if the run stopped before it.
			if err := db.Gorm().Exec("DELETE FROM schema_migrations WHERE version = 3").Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Gorm().Migrator().DropIndex("appeals", "ix_appeal_created"); err != nil {
				t.Fatal(err)
			}
			n, err := db.Migrate(ctx)
			if driver == store.SQLite {
				if err == nil || !strings.Contains(err.Error(), "version 3 (sqlite/0003_jobs.sql): statement 1 of 9 failed (CREATE TABLE `outbox_messages`") {
					t.Fatalf("Migrate() = %d, %v; want the failing statement named", n, err)
				}
				return
			}
			if err != nil || n != 1 {
				t.Fatalf("Migrate() = %d, %v; want 1, nil", n, err)
			}
			if !db.Gorm().Migrator().HasIndex("appeals", "ix_appeal_created") {
				t.Error("ix_appeal_created missing after the re-run")
			}
		})
	}
}
