package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/gongzhi/gongzhi/models"
)

// ResponseWindow is how soon after assignment an appeal must be accepted to
// count as answered in the response rate.
const ResponseWindow = 24 * time.Hour

// Stats computes the list's figures for appeals created in [from, to),
// of one community or ("" ) all. Counts come from SQL aggregates; the
// per-appeal comparisons of event times are made in Go because date
// arithmetic differs between SQLite and MySQL.
func (db *DB) Stats(ctx context.Context, communityID string, from, to time.Time) (*models.Stats, error) {
	return db.stats(ctx, communityID, "", from, to)
}

// GridStats is Stats of the appeals of one grid.
func (db *DB) GridStats(ctx context.Context, communityID, gridID string, from, to time.Time) (*models.Stats, error) {
	return db.stats(ctx, communityID, gridID, from, to)
}

func (db *DB) stats(ctx context.Context, communityID, gridID string, from, to time.Time) (*models.Stats, error) {
	from, to = from.UTC(), to.UTC()
	if !from.Before(to) {
		return nil, models.Errorf(models.EINVALID, "from must be before to")
	}
	st := &models.Stats{From: from, To: to, CommunityID: communityID, ByKind: map[string]int{}, ByLevel: map[string]int{},
		ByStatus: map[string]int{}, ByGrid: map[string]int{}, ByDepartment: map[string]int{}}
	g := db.gorm.WithContext(ctx)
	scope := func() *gorm.DB {
		q := g.Model(&models.Appeal{}).Where("created_at >= ? AND created_at < ?", from, to)
		if communityID != "" {
			q = q.Where("community_id = ?", communityID)
		}
		if gridID != "" {
			q = q.Where("grid_id = ?", gridID)
		}
		return q
	}
	type count struct {
		Key string
		N   int
	}
	for col, dst := range map[string]map[string]int{"kind": st.ByKind, "level": st.ByLevel, "status": st.ByStatus,
		"grid_id": st.ByGrid, "unit": st.ByDepartment} {
		var rows []count
		if err := scope().Select(col + " AS `key`, COUNT(*) AS n").Group(col).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("stats by %s: %w", col, err)
		}
		for _, r := range rows {
			k := r.Key
			if k == "" {
				k = "none"
			}
			dst[k] += r.N
		}
	}
	for _, n := range st.ByKind {
		st.Total += n
	}

	// On time: resolved (now or since closed) with a deadline, by the deadline.
	var onTime struct{ Num, Den int }
	if err := scope().Select("COALESCE(SUM(CASE WHEN resolved_at <= due_at THEN 1 ELSE 0 END), 0) AS num, COUNT(*) AS den").
		Where("resolved_at IS NOT NULL AND due_at IS NOT NULL").Scan(&onTime).Error; err != nil {
		return nil, fmt.Errorf("stats on time: %w", err)
	}
	st.OnTime = models.Ratio{Num: onTime.Num, Den: onTime.Den}

	// Resolution and the split, over non-private appeals.
	var split []struct {
		Level    string
		Total    int
		Resolved int
		OnTime   int
	}
	if err := scope().Select("level, COUNT(*) AS total, "+
		"COALESCE(SUM(CASE WHEN status IN ('resolved','closed') THEN 1 ELSE 0 END), 0) AS resolved, "+
		"COALESCE(SUM(CASE WHEN status IN ('resolved','closed') AND due_at IS NOT NULL AND resolved_at <= due_at THEN 1 ELSE 0 END), 0) AS on_time").
		Where("kind <> ?", models.KindPrivate).Group("level").Scan(&split).Error; err != nil {
		return nil, fmt.Errorf("stats split: %w", err)
	}
	for _, r := range split {
		st.Resolution.Num += r.Resolved
		st.Resolution.Den += r.Total
		row := models.SplitRow{Total: r.Total, Resolved: r.Resolved}
		switch models.Level(r.Level) {
		case models.LevelCommunity:
			st.Split.Community = row
		case models.LevelStreet:
			st.Split.Street = row
			st.Split.StreetResolvedOnTime = r.OnTime
		case models.LevelDistrict:
			st.Split.District = row
		}
	}

	// Events of the range's appeals: ratings, and first assignment vs first acceptance.
	evScope := func() *gorm.DB {
		q := g.Table("appeal_events AS e").Joins("JOIN appeals AS a ON a.id = e.appeal_id").
			Where("a.created_at >= ? AND a.created_at < ?", from, to)
		if communityID != "" {
			q = q.Where("a.community_id = ?", communityID)
		}
		if gridID != "" {
			q = q.Where("a.grid_id = ?", gridID)
		}
		return q
	}
	var ratings []count
	if err := evScope().Select("e.action AS `key`, COUNT(*) AS n").
		Where("e.action IN ?", []models.Action{models.ActRateSatisfied, models.ActRateUnsatisfied, models.ActCloseUnrated}).
		Group("e.action").Scan(&ratings).Error; err != nil {
		return nil, fmt.Errorf("stats ratings: %w", err)
	}
	for _, r := range ratings {
		switch models.Action(r.Key) {
		case models.ActRateSatisfied:
			st.Satisfaction.Num += r.N
			st.Satisfaction.Den += r.N
		case models.ActRateUnsatisfied:
			st.Satisfaction.Den += r.N
		case models.ActCloseUnrated:
			st.Unrated += r.N
		}
	}
	var firsts []struct {
		ID       uint64
		Assigned dbTime
		Accepted dbTime
	}
	if err := evScope().Select("e.appeal_id AS id, "+
		"MIN(CASE WHEN e.action IN ('assign','reassign') THEN e.at END) AS assigned, "+
		"MIN(CASE WHEN e.action IN ('accept','progress','resolve') THEN e.at END) AS accepted").
		Where("e.action IN ?", []models.Action{models.ActAssign, models.ActReassign, models.ActAccept, models.ActProgress, models.ActResolve}).
		Group("e.appeal_id").Scan(&firsts).Error; err != nil {
		return nil, fmt.Errorf("stats response: %w", err)
	}
	for _, f := range firsts {
		if !f.Assigned.Valid {
			continue
		}
		st.Response.Den++
		if f.Accepted.Valid && !f.Accepted.Time.Before(f.Assigned.Time) && f.Accepted.Time.Sub(f.Assigned.Time) <= ResponseWindow {
			st.Response.Num++
		}
	}
	return st, nil
}

// dbTime scans a time that SQLite hands back as text from an aggregate.
type dbTime struct {
	Time  time.Time
	Valid bool
}

var sqliteTimeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05"}

// Scan implements sql.Scanner.
func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*t = dbTime{}
		return nil
	case time.Time:
		*t = dbTime{Time: x.UTC(), Valid: true}
		return nil
	case []byte:
		return t.parse(string(x))
	case string:
		return t.parse(x)
	}
	return fmt.Errorf("scan time: unexpected %T", v)
}

func (t *dbTime) parse(s string) error {
	s = strings.TrimSpace(s)
	for _, l := range sqliteTimeLayouts {
		if p, err := time.Parse(l, s); err == nil {
			*t = dbTime{Time: p.UTC(), Valid: true}
			return nil
		}
	}
	return fmt.Errorf("scan time: cannot parse %q", s)
}

// Value implements driver.Valuer (unused in queries, here for completeness of the type).
func (t dbTime) Value() (driver.Value, error) {
	if !t.Valid {
		return nil, nil
	}
	return t.Time, nil
}

// PublicAppeals returns the non-private appeals matching f, newest first.
func (db *DB) PublicAppeals(ctx context.Context, f models.PublicFilter) ([]*models.Appeal, error) {
	q := db.gorm.WithContext(ctx).Model(&models.Appeal{}).Where("kind <> ?", models.KindPrivate)
	if f.CommunityID != "" {
		q = q.Where("community_id = ?", f.CommunityID)
	}
	if len(f.Refs) > 0 {
		q = q.Where("ref IN ?", f.Refs)
	}
	if f.TopicID != "" {
		q = q.Where("topic_id = ?", f.TopicID)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at <= ?", f.To.UTC())
	}
	if f.Open != nil {
		if *f.Open {
			q = q.Where("status NOT IN ?", closedStatuses())
		} else {
			q = q.Where("status IN ?", closedStatuses())
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []*models.Appeal
	if err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("public appeals: %w", err)
	}
	return out, nil
}
