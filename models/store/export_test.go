package store

import "github.com/gongzhi/gongzhi/models"

// CommitGroupForTest commits turns as one group, as the committing
// goroutine does: nil, or an error when the group rolled back whole.
func CommitGroupForTest(db *DB, turns ...*models.Turn) error {
	group := make([]*groupedTurn, len(turns))
	for i, t := range turns {
		group[i] = &groupedTurn{t: t, done: make(chan error, 1)}
	}
	return db.commitGroupSafely(group)
}

// OneTripGroups counts the groups committed in one round trip (MySQL).
func OneTripGroups(db *DB) int64 { return db.batch.oneTrip.Load() }
