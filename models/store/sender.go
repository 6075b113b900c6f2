package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// senderQuery reads a sender's resident row, conversation and active staff
// roles in one statement: every message needs all three before the engine
// can answer. The community's row (primary key) anchors the LEFT JOINs so
// that there is a row, NULLs where a part is missing; each join is a
// unique-key or indexed probe. Someone with two active roles gets a row for
// each, and the lowest staff id is taken (as StaffByOpenID does): a plain
// join, because a correlated MIN subquery cost MariaDB 45 µs more per
// message (docs/performance.md). (A derived one-row table would cost
// MariaDB a temporary table per message.)
const senderQuery = `SELECT
 r.id, r.building, r.unit, r.room, r.grid_id, r.subscribed, r.last_message_at, r.asked_ref, r.asked_at, r.created_at, r.updated_at,
 c.state, c.data, c.expires_at, c.updated_at, c.version,
 s.id, s.role, s.name, s.grid_id, s.department, s.bound_at, s.created_at, s.updated_at
FROM communities k
LEFT JOIN residents r ON r.community_id = k.id AND r.open_id = ?
LEFT JOIN conversations c ON c.community_id = k.id AND c.open_id = ?
LEFT JOIN staffs s ON s.community_id = k.id AND s.open_id = ? AND s.active = 1
WHERE k.id = ?`

// Sender returns the sender's resident, conversation and active staff role
// (models.Store.Sender), as StaffByOpenID, Resident and Conversation would.
func (db *DB) Sender(ctx context.Context, communityID, openID string) (models.Sender, error) {
	stmt, err := db.prepared(ctx, senderQuery)
	if err != nil {
		return models.Sender{}, fmt.Errorf("read sender: %w", err)
	}
	rows, err := stmt.QueryContext(ctx, openID, openID, openID, communityID)
	if err != nil {
		return models.Sender{}, fmt.Errorf("read sender: %w", err)
	}
	defer rows.Close()
	var out models.Sender
	for first := true; rows.Next(); first = false {
		var (
			rID                              sql.NullInt64
			rBuilding, rUnit, rRoom, rGrid   sql.NullString
			rAskedRef                        sql.NullString
			rSubscribed                      sql.NullBool
			rLast, rAskedAt                  sql.NullTime
			rCreated, rUpdated               sql.NullTime
			cState, cData                    sql.NullString
			cExpires, cUpdated               sql.NullTime
			cVersion                         sql.NullInt64
			sID                              sql.NullInt64
			sRole, sName, sGrid, sDepartment sql.NullString
			sBound, sCreated, sUpdated       sql.NullTime
		)
		if err := rows.Scan(
			&rID, &rBuilding, &rUnit, &rRoom, &rGrid, &rSubscribed, &rLast, &rAskedRef, &rAskedAt, &rCreated, &rUpdated,
			&cState, &cData, &cExpires, &cUpdated, &cVersion,
			&sID, &sRole, &sName, &sGrid, &sDepartment, &sBound, &sCreated, &sUpdated); err != nil {
			return models.Sender{}, fmt.Errorf("read sender: %w", err)
		}
		if first && rID.Valid { // the same resident and conversation on every row
			out.Resident = &models.Resident{ID: uint64(rID.Int64), CommunityID: communityID, OpenID: openID,
				Building: rBuilding.String, Unit: rUnit.String, Room: rRoom.String, GridID: rGrid.String,
				Subscribed: rSubscribed.Bool, LastMessageAt: timePtr(rLast), AskedRef: rAskedRef.String, AskedAt: timePtr(rAskedAt),
				CreatedAt: rCreated.Time, UpdatedAt: rUpdated.Time}
		}
		if first && cState.Valid {
			out.Conversation = &models.Conversation{CommunityID: communityID, OpenID: openID, State: cState.String,
				Data: cData.String, ExpiresAt: cExpires.Time, UpdatedAt: cUpdated.Time, Version: cVersion.Int64}
		}
		if sID.Valid && (out.Staff == nil || uint64(sID.Int64) < out.Staff.ID) {
			out.Staff = &models.Staff{ID: uint64(sID.Int64), CommunityID: communityID, OpenID: openID,
				Role: models.Role(sRole.String), Name: sName.String, GridID: sGrid.String, Department: sDepartment.String,
				BoundAt: timePtr(sBound), Active: true, CreatedAt: sCreated.Time, UpdatedAt: sUpdated.Time}
		}
	}
	if err := rows.Err(); err != nil {
		return models.Sender{}, fmt.Errorf("read sender: %w", err)
	}
	return out, nil // no row: a community not stored has nobody in it
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// prepared returns the statement for query, prepared once per process
// (database/sql prepares it again on each pooled connection that runs it).
// A failed prepare is not kept: the next call tries again (the table may
// not have existed yet).
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := db.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return nil, err
	}
	s, err := sqlDB.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(query, s); loaded {
		_ = s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// TouchResident records that the resident wrote at t (their 48-hour
// customer-service window) unless a later time is stored. Turns that write
// store it with the resident; pure queries (帮助, 我的诉求) call this.
func (db *DB) TouchResident(ctx context.Context, communityID, openID string, t time.Time) error {
	t = t.UTC().Truncate(time.Microsecond)
	err := db.gorm.WithContext(ctx).Model(&models.Resident{}).
		Where("community_id = ? AND open_id = ? AND (last_message_at IS NULL OR last_message_at < ?)", communityID, openID, t).
		Update("last_message_at", t).Error
	if err != nil {
		return fmt.Errorf("record last message: %w", err)
	}
	return nil
}
