package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gongzhi/gongzhi/models"
)

// On MySQL a turn that commits alone (a staff command, a meeting answer, a
// me too, a submission) travels in as few round trips as its writes allow,
// over the one-trip pool (batch_mysql.go), instead of one trip a statement
// through gorm's transaction: one trip when every write is known before it
// is sent; a submission takes three (its reference code comes from the
// day's counter, its events need the appeal's id). Every statement is gorm's, built in a dry run with the builders the
// transaction path runs. Each guarded write must affect its row; anything
// else (a stored message, a stale conversation, an appeal that moved on, a
// closed meeting, a deadlock) rolls back, and the transaction path runs the
// turn again and decides its outcome, as it would have alone.

// OneTripStats counts the turns committed alone in batches on MySQL, and
// those that rolled back there and were committed by the transaction path
// (a retry, a stale conversation, an appeal that moved on …; a steady rise
// beside few retries would say the batches misfire on this server).
func (db *DB) OneTripStats() (committed, fellBack int64) {
	return db.tripTurns.Load(), db.tripFallback.Load()
}

// oneTripTurn reports a turn whose writes can be built in batches: no
// learning vote, campaign answer or volunteer, and meeting changes that are
// answers only.
func oneTripTurn(t *models.Turn) bool {
	if t.DedupeKey == "" || len(t.LearningVotes) > 0 || len(t.CampaignAnswers) > 0 || len(t.Asks) > 0 ||
		len(t.Volunteers) > 0 || len(t.Outbox) > outboxBatch {
		return false
	}
	if !t.GuardConversation && (t.Conversation != nil || t.ClearConversation) {
		return false
	}
	for _, na := range t.NewAppeals {
		if na == nil || na.Appeal == nil {
			return false
		}
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

// commitTurnOneTrip commits a oneTripTurn in batches, or writes nothing:
// errNotSent when it was not sent (every slot busy, or it could not be
// built), else why it rolled back.
func (db *DB) commitTurnOneTrip(ctx context.Context, t *models.Turn, at time.Time) error {
	select {
	case db.tripSlots <- struct{}{}:
		defer func() { <-db.tripSlots }()
	default:
		return errNotSent
	}
	head, err := db.turnHead(ctx, t, at)
	if err != nil {
		return errors.Join(errNotSent, err)
	}
	return db.inTrips(ctx, func(send tripSend) error {
		if len(t.NewAppeals) > 0 {
			if err := db.sendNewAppeals(ctx, t, at, head, send); err != nil {
				return err
			}
			head = nil
		}
		tail, err := db.turnTail(ctx, t, at)
		if err != nil {
			return err
		}
		_, err = send(append(head, tail...), true)
		return err
	})
}

// turnHead builds what a turn writes first, in commitTurnAlone's order:
// the dedupe row, the resident, the conversation.
func (db *DB) turnHead(ctx context.Context, t *models.Turn, at time.Time) ([]tripStmt, error) {
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
	return *out, nil
}

// sendNewAppeals sends the head with each new appeal's step of its day's
// counter (the row stays locked to this transaction, as nextRef's), then
// the appeals with their reference codes, and gives each its id.
func (db *DB) sendNewAppeals(ctx context.Context, t *models.Turn, at time.Time, head []tripStmt, send tripSend) error {
	dry, add, out := db.tripBuilder(ctx)
	for _, na := range t.NewAppeals {
		// n = 1 on a new day's row; else LAST_INSERT_ID(n + 1) makes the
		// server report the new n as the statement's insert id.
		q := dry().Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "day"}},
			DoUpdates: clause.Assignments(map[string]any{"n": gorm.Expr("LAST_INSERT_ID(n + 1)")})}).
			Create(&refCounter{Day: refDay(stampAppeal(na, at)), N: 1})
		if err := add(q, -1, "next reference code"); err != nil {
			return err
		}
	}
	res, err := send(append(head, *out...), false)
	if err != nil {
		return err
	}
	counters := res[len(head):]
	*out = (*out)[:0]
	for i, na := range t.NewAppeals {
		var n int64
		switch c := counters[i]; {
		case c.affected == 1: // inserted
			n = 1
		case c.affected == 2 && c.insertID > 1: // incremented
			n = c.insertID
		default:
			return fmt.Errorf("next reference code: counter answered %d rows, %d", c.affected, c.insertID)
		}
		a := na.Appeal
		a.Ref = models.FormatRef(a.CreatedAt.In(refZone), n)
		if err := add(dry().Create(a), -1, "create appeal"); err != nil {
			return err
		}
	}
	// The appeal's id is the statement's insert id, which a RETURNING
	// clause (MariaDB) would turn into a result set the batch discards.
	for i := range *out {
		(*out)[i].sql = strings.TrimSuffix((*out)[i].sql, " RETURNING `id`")
	}
	res, err = send(*out, false)
	if err != nil {
		return err
	}
	for i, na := range t.NewAppeals {
		if res[i].insertID <= 0 {
			return errors.New("create appeal: no id")
		}
		na.Appeal.ID = uint64(res[i].insertID)
	}
	return nil
}

// turnTail builds the rest of a turn's writes, in commitTurnAlone's order,
// once its new appeals have their ids and reference codes.
func (db *DB) turnTail(ctx context.Context, t *models.Turn, at time.Time) ([]tripStmt, error) {
	dry, add, out := db.tripBuilder(ctx)
	for _, na := range t.NewAppeals {
		for _, ev := range newAppealEvents(na, at) {
			if err := add(dry().Create(ev), -1, "record appeal event"); err != nil {
				return nil, err
			}
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
	if filled := models.FillRefs(t.Reply, t.NewAppeals); filled != t.Reply {
		t.Reply = filled
		if err := add(replyUpdate(dry(), t), -1, "record reply"); err != nil {
			return nil, err
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
