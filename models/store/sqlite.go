package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	sqlite3 "github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
)

// SQLite runs through github.com/ncruces/go-sqlite3 (pure Go, no cgo): it
// keeps each prepared statement compiled and reuses it, where the previous
// driver compiled the SQL text again on every execution
// (docs/performance.md). The gorm dialect below is the part of a dialect
// this store uses: the schema comes from the embedded SQL migrations, so the
// migrator only needs to inspect tables, columns and indexes.

// sqliteTimeLayout is how times are stored as text: the layout the previous
// driver wrote, so that existing files read back and compare the same
// (always UTC, "+00:00": text order is time order).
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// openSQLite opens the pool with the pragmas of sqliteDSN; each
// connection keeps its compiled statements (stmtCache).
func openSQLite(dsn string) (gorm.Dialector, error) {
	c, err := (&driver.SQLite{}).OpenConnector(ncrucesDSN(dsn))
	if err != nil {
		return nil, err
	}
	sc := newStmtCache(c)
	return sqliteDialect{conn: sql.OpenDB(sc), gate: sc.gate}, nil
}

// ncrucesDSN is sqliteDSN as a file: URI (the driver reads its
// parameters only from one) with the time layout.
func ncrucesDSN(dsn string) string {
	d := sqliteDSN(dsn)
	if !strings.HasPrefix(d, "file:") {
		path, query, _ := strings.Cut(d, "?")
		d = "file:" + strings.NewReplacer("%", "%25", "#", "%23").Replace(path) + "?" + query
	}
	if !strings.Contains(d, "_timefmt") {
		d += "&_timefmt=" + url.QueryEscape(sqliteTimeLayout)
	}
	return d
}

// sqliteDialect is gorm's dialect for SQLite over a *sql.DB of the driver.
type sqliteDialect struct {
	conn *sql.DB
	gate *writeGate // the pool's writers queue here (sqlite_stmts.go)
}

func (sqliteDialect) Name() string { return SQLite }

func (d sqliteDialect) Initialize(db *gorm.DB) error {
	db.ConnPool = d.conn
	// SQLite ≥ 3.35 has RETURNING: gorm reads generated keys back with it.
	callbacks.RegisterDefaultCallbacks(db, &callbacks.Config{
		CreateClauses:        []string{"INSERT", "VALUES", "ON CONFLICT", "RETURNING"},
		UpdateClauses:        []string{"UPDATE", "SET", "FROM", "WHERE", "RETURNING"},
		DeleteClauses:        []string{"DELETE", "FROM", "WHERE", "RETURNING"},
		LastInsertIDReversed: true,
	})
	db.ClauseBuilders["LIMIT"] = sqliteLimit
	db.ClauseBuilders["FOR"] = func(c clause.Clause, b clause.Builder) {
		if _, ok := c.Expression.(clause.Locking); !ok { // SQLite locks the whole file: no row locks
			c.Build(b)
		}
	}
	return nil
}

// sqliteLimit writes LIMIT -1 for an OFFSET without a limit (SQLite needs a LIMIT before OFFSET).
func sqliteLimit(c clause.Clause, b clause.Builder) {
	l, ok := c.Expression.(clause.Limit)
	if !ok {
		return
	}
	n := -1
	if l.Limit != nil && *l.Limit >= 0 {
		n = *l.Limit
	}
	if n >= 0 || l.Offset > 0 {
		b.WriteString("LIMIT " + strconv.Itoa(n))
	}
	if l.Offset > 0 {
		b.WriteString(" OFFSET " + strconv.Itoa(l.Offset))
	}
}

func (sqliteDialect) DefaultValueOf(f *schema.Field) clause.Expression {
	if f.AutoIncrement {
		return clause.Expr{SQL: "NULL"}
	}
	return clause.Expr{SQL: "DEFAULT"}
}

func (d sqliteDialect) Migrator(db *gorm.DB) gorm.Migrator {
	return sqliteMigrator{migrator.Migrator{Config: migrator.Config{DB: db, Dialector: d, CreateIndexAfterCreateTable: true}}}
}

func (sqliteDialect) BindVarTo(w clause.Writer, _ *gorm.Statement, _ any) { w.WriteByte('?') }

// QuoteTo quotes each part of a dotted name with backticks (SQLite accepts them).
func (sqliteDialect) QuoteTo(w clause.Writer, name string) {
	for i, part := range strings.Split(name, ".") {
		if i > 0 {
			w.WriteByte('.')
		}
		w.WriteByte('`')
		w.WriteString(strings.ReplaceAll(strings.Trim(part, "`"), "`", "``"))
		w.WriteByte('`')
	}
}

func (sqliteDialect) Explain(sql string, vars ...any) string {
	return logger.ExplainSQL(sql, nil, `"`, vars...)
}

// DataTypeOf maps a field to the column type the SQL migrations use.
func (sqliteDialect) DataTypeOf(f *schema.Field) string {
	switch f.DataType {
	case schema.Bool:
		return "numeric"
	case schema.Int, schema.Uint:
		if f.AutoIncrement {
			return "integer PRIMARY KEY AUTOINCREMENT"
		}
		return "integer"
	case schema.Float:
		return "real"
	case schema.String:
		return "text"
	case schema.Time:
		if t, ok := f.TagSettings["TYPE"]; ok {
			return t
		}
		return "datetime"
	case schema.Bytes:
		return "blob"
	}
	return string(f.DataType)
}

func (sqliteDialect) SavePoint(tx *gorm.DB, name string) error {
	return tx.Exec("SAVEPOINT " + name).Error
}

func (sqliteDialect) RollbackTo(tx *gorm.DB, name string) error {
	return tx.Exec("ROLLBACK TO SAVEPOINT " + name).Error
}

// Translate maps constraint violations to gorm's errors (TranslateError).
func (sqliteDialect) Translate(err error) error {
	var e *sqlite3.Error
	if errors.As(err, &e) {
		switch e.ExtendedCode() {
		case sqlite3.CONSTRAINT_UNIQUE, sqlite3.CONSTRAINT_PRIMARYKEY:
			return gorm.ErrDuplicatedKey
		case sqlite3.CONSTRAINT_FOREIGNKEY:
			return gorm.ErrForeignKeyViolated
		}
	}
	return err
}

// sqliteMigrator answers the schema questions from sqlite_master and
// pragma_table_info (gorm's generic migrator asks information_schema).
type sqliteMigrator struct{ migrator.Migrator }

func (m sqliteMigrator) count(query string, args ...any) bool {
	var n int64
	err := m.DB.Session(&gorm.Session{NewDB: true}).Raw(query, args...).Scan(&n).Error
	return err == nil && n > 0
}

func (m sqliteMigrator) table(value any) (name string) {
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		name = stmt.Table
		return nil
	})
	return name
}

func (m sqliteMigrator) HasTable(value any) bool {
	return m.count("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", m.table(value))
}

func (m sqliteMigrator) GetTables() (tables []string, err error) {
	err = m.DB.Session(&gorm.Session{NewDB: true}).
		Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").
		Scan(&tables).Error
	return tables, err
}

func (m sqliteMigrator) HasColumn(value any, field string) bool {
	name := field
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		if stmt.Schema != nil {
			if f := stmt.Schema.LookUpField(field); f != nil {
				name = f.DBName
			}
		}
		return nil
	})
	return m.count("SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", m.table(value), name)
}

func (m sqliteMigrator) index(value any, name string) string {
	_ = m.RunWithValue(value, func(stmt *gorm.Statement) error {
		if stmt.Schema != nil {
			if ix := stmt.Schema.LookIndex(name); ix != nil {
				name = ix.Name
			}
		}
		return nil
	})
	return name
}

func (m sqliteMigrator) HasIndex(value any, name string) bool {
	return m.count("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?",
		m.table(value), m.index(value, name))
}

func (m sqliteMigrator) DropIndex(value any, name string) error {
	return m.DB.Session(&gorm.Session{NewDB: true}).Exec("DROP INDEX " + quoteIdent(m.index(value, name))).Error
}

func (m sqliteMigrator) CurrentDatabase() string { return "main" }

// ColumnTypes reads the declared columns (gorm's generic version asks information_schema).
func (m sqliteMigrator) ColumnTypes(value any) ([]gorm.ColumnType, error) {
	rows, err := m.DB.Session(&gorm.Session{NewDB: true}).WithContext(context.Background()).
		Raw("SELECT * FROM " + quoteIdent(m.table(value)) + " LIMIT 0").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	out := make([]gorm.ColumnType, len(types))
	for i, t := range types {
		out[i] = migrator.ColumnType{SQLColumnType: t}
	}
	return out, nil
}

func quoteIdent(name string) string {
	return fmt.Sprintf("`%s`", strings.ReplaceAll(name, "`", "``"))
}
