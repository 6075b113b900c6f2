package store

import (
	"github.com/gongzhi/gongzhi/models"
)

// turnSnapshot keeps what a failed commit wrote into a Turn's records (ids,
// reference codes, the filled reply) so that a rerun starts afresh.
type turnSnapshot struct {
	reply      string
	residentID uint64
}

func snapshotTurn(t *models.Turn) turnSnapshot {
	s := turnSnapshot{reply: t.Reply}
	if t.Resident != nil {
		s.residentID = t.Resident.ID
	}
	return s
}

func (s turnSnapshot) restore(t *models.Turn) {
	t.Reply = s.reply
	if t.Resident != nil {
		t.Resident.ID = s.residentID
	}
	for _, na := range t.NewAppeals {
		na.Appeal.ID, na.Appeal.Ref = 0, ""
		for _, ev := range na.Events {
			ev.ID, ev.AppealID = 0, 0
		}
	}
	for _, ev := range t.Events {
		ev.ID = 0
	}
	for _, f := range t.NewFollowers {
		f.ID = 0
	}
	for _, u := range t.AppealUpdates {
		for _, ev := range u.Events {
			ev.ID = 0
		}
	}
	for _, o := range t.Outbox {
		o.ID = 0
	}
	for _, a := range t.CampaignAnswers {
		a.ID = 0
		if a.NewAppeal > 0 {
			a.AppealID = 0
		}
	}
	for _, v := range t.Volunteers {
		v.ID = 0
	}
	if t.Conversation != nil {
		t.Conversation.Version = 0
	}
}
