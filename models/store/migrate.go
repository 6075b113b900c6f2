package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// migrationFiles holds each schema version's DDL, one file per driver,
// written once and never edited: an upgrade runs exactly what a fresh
// install of that release ran.
//
//go:embed migrations/sqlite/*.sql migrations/mysql/*.sql
var migrationFiles embed.FS

// migration is one versioned step of the schema, read from NNNN_name.sql.
type migration struct {
	Version int
	Name    string
	File    string
	Stmts   []string
}

// schemaMigration records an applied step.
type schemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"size:128;not null"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// schemaMigrationsDDL creates the version table, as every release created it.
var schemaMigrationsDDL = map[string]string{
	SQLite: "CREATE TABLE `schema_migrations` (`version` integer,`name` text NOT NULL,`applied_at` datetime,PRIMARY KEY (`version`))",
	MySQL:  "CREATE TABLE `schema_migrations` (`version` bigint,`name` varchar(128) NOT NULL,`applied_at` datetime(3) NULL,PRIMARY KEY (`version`))",
}

// refCounter hands out the daily sequence of reference codes.
type refCounter struct {
	Day string `gorm:"primaryKey;size:8"`
	N   int64  `gorm:"not null"`
}

func (refCounter) TableName() string { return "ref_counters" }

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads one driver's steps, ordered by version.
func loadMigrations(driver string) ([]migration, error) {
	dir := path.Join("migrations", driver)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", driver, err)
	}
	var out []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s/%s: want NNNN_name.sql (lower case, digits, underscores)", dir, e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		stmts := splitStatements(string(body))
		if len(stmts) == 0 {
			return nil, fmt.Errorf("migration file %s/%s has no statement", dir, e.Name())
		}
		if len(out) > 0 && out[len(out)-1].Version == v {
			return nil, fmt.Errorf("migrations %s and %s in %s share version %d", out[len(out)-1].File, e.Name(), dir, v)
		}
		out = append(out, migration{Version: v, Name: m[2], File: e.Name(), Stmts: stmts})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no migration files in %s", dir)
	}
	return out, nil
}

// splitStatements cuts a file into statements: "--" lines are comments, and
// a statement ends with a semicolon at the end of a line.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// allMigrations loads both drivers' files once and checks that they list
// the same versions under the same names.
var allMigrations = sync.OnceValues(func() (map[string][]migration, error) {
	out := map[string][]migration{}
	for _, d := range []string{SQLite, MySQL} {
		ms, err := loadMigrations(d)
		if err != nil {
			return nil, err
		}
		out[d] = ms
	}
	a, b := out[SQLite], out[MySQL]
	for i := 0; i < max(len(a), len(b)); i++ {
		if i >= len(a) || i >= len(b) || a[i].File != b[i].File {
			return nil, fmt.Errorf("migrations/sqlite and migrations/mysql differ: %v vs %v", fileNames(a), fileNames(b))
		}
	}
	return out, nil
})

func fileNames(ms []migration) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.File
	}
	return out
}

// CheckMigrationFiles reports a malformed migration file or a version that
// one driver has and the other lacks.
func CheckMigrationFiles() error {
	_, err := allMigrations()
	return err
}

// MigrationVersions lists the versions Migrate applies, in order (nil when
// the files are malformed: see CheckMigrationFiles).
func MigrationVersions() []int {
	all, err := allMigrations()
	if err != nil {
		return nil
	}
	out := make([]int, len(all[SQLite]))
	for i, m := range all[SQLite] {
		out[i] = m.Version
	}
	return out
}

// SchemaVersion is the version the code expects after Migrate.
func SchemaVersion() int {
	v := MigrationVersions()
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}

// Migrate applies every step not yet recorded, in order of version. On
// SQLite a step and its record commit together. MySQL commits each DDL
// statement on its own, so a step that stops halfway says which statement
// failed, and the next run skips the statements whose table, column or index
// already exists. On MySQL a named lock keeps two replicas starting together
// from migrating at once.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	all, err := allMigrations()
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	steps := all[db.driver]
	err = db.gorm.WithContext(ctx).Connection(func(c *gorm.DB) error {
		// Each statement needs a fresh session: a reused *gorm.DB keeps the
		// previous statement's model.
		conn := func() *gorm.DB { return c.Session(&gorm.Session{NewDB: true}) }
		if db.driver == MySQL {
			var got int
			if err := conn().Raw("SELECT GET_LOCK('gongzhi_migrate', 60)").Scan(&got).Error; err != nil {
				return fmt.Errorf("migrate: take lock: %w", err)
			}
			if got != 1 {
				return fmt.Errorf("migrate: another process holds the migration lock")
			}
			defer conn().Exec("SELECT RELEASE_LOCK('gongzhi_migrate')")
		}
		if !conn().Migrator().HasTable("schema_migrations") {
			if err := conn().Exec(schemaMigrationsDDL[db.driver]).Error; err != nil {
				return fmt.Errorf("migrate: create schema_migrations: %w", err)
			}
		}
		var done []schemaMigration
		if err := conn().Find(&done).Error; err != nil {
			return fmt.Errorf("migrate: read versions: %w", err)
		}
		have := map[int]bool{}
		for _, m := range done {
			have[m.Version] = true
		}
		for _, m := range steps {
			if have[m.Version] {
				continue
			}
			rec := schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: db.now()}
			if db.driver == SQLite {
				err = conn().Transaction(func(tx *gorm.DB) error {
					if err := runStatements(tx, m, false); err != nil {
						return err
					}
					return tx.Session(&gorm.Session{NewDB: true}).Create(&rec).Error
				})
			} else {
				err = runStatements(conn(), m, true)
				if err == nil {
					err = conn().Create(&rec).Error
				}
			}
			if err != nil {
				return fmt.Errorf("migrate: version %d (%s/%s): %w", m.Version, db.driver, m.File, err)
			}
			applied++
		}
		return nil
	})
	return applied, err
}

// runStatements runs a step's statements in order. With rerun, a statement
// whose object already exists (left by an earlier run that stopped halfway)
// counts as done.
func runStatements(c *gorm.DB, m migration, rerun bool) error {
	for i, s := range m.Stmts {
		err := c.Session(&gorm.Session{NewDB: true}).Exec(s).Error
		if err == nil || (rerun && alreadyDone(err)) {
			continue
		}
		after := "nothing of the step is applied"
		if rerun && i > 0 {
			after = "the statements before it are applied; fix the cause and run again: they are skipped"
		}
		return fmt.Errorf("statement %d of %d failed (%s): %w; %s", i+1, len(m.Stmts), firstLine(s, 100), err, after)
	}
	return nil
}

// alreadyDone tells MySQL's "it is already there" answers: table exists,
// duplicate column, duplicate index, nothing to drop.
func alreadyDone(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && slices.Contains([]uint16{1050, 1060, 1061, 1091}, me.Number)
}

func firstLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// Version returns the highest applied schema version (0 for an empty database).
func (db *DB) Version(ctx context.Context) (int, error) {
	if !db.gorm.Migrator().HasTable(&schemaMigration{}) {
		return 0, nil
	}
	var v *int
	if err := db.gorm.WithContext(ctx).Model(&schemaMigration{}).Select("MAX(version)").Scan(&v).Error; err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// MigrationState is one schema version as this database has it.
type MigrationState struct {
	Version int
	Name    string
	Applied bool
	// AppliedAt is zero for a pending step.
	AppliedAt time.Time
	// Unknown marks a version the database records but this build lacks
	// (the database was migrated by a newer build).
	Unknown bool
}

// MigrationStatus lists every version this build knows and any other that
// the database records, in order of version. It changes nothing.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	all, err := allMigrations()
	if err != nil {
		return nil, err
	}
	var done []schemaMigration
	if db.gorm.Migrator().HasTable(&schemaMigration{}) {
		if err := db.gorm.WithContext(ctx).Order("version").Find(&done).Error; err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
	}
	rec := map[int]schemaMigration{}
	for _, r := range done {
		rec[r.Version] = r
	}
	var out []MigrationState
	for _, m := range all[db.driver] {
		st := MigrationState{Version: m.Version, Name: m.Name}
		if r, ok := rec[m.Version]; ok {
			st.Applied, st.AppliedAt = true, r.AppliedAt
			delete(rec, m.Version)
		}
		out = append(out, st)
	}
	for _, r := range rec {
		out = append(out, MigrationState{Version: r.Version, Name: r.Name, Applied: true, AppliedAt: r.AppliedAt, Unknown: true})
	}
	slices.SortFunc(out, func(a, b MigrationState) int { return a.Version - b.Version })
	return out, nil
}
