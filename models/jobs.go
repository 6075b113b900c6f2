package models

import "time"

// Reminder is one appeal's reminder for one lead time and its pushes.
type Reminder struct {
	AppealID uint64
	Lead     time.Duration
	Outbox   []*OutboxMessage
}

// Escalation moves one overdue appeal up a level.
type Escalation struct {
	Appeal   *Appeal // as read by the scan: its level, status and deadline are the precondition
	ToLevel  Level
	Assignee string // the new handler ("" when not known yet)
	NewDueAt time.Time
	// Unit is the appeal's new unit ("" keeps it): see EscalatedUnit.
	Unit   string
	Event  *AppealEvent
	Outbox []*OutboxMessage
}

// DigestCounts are one community's figures for the daily digest.
type DigestCounts struct {
	New, Overdue, Unrated int64
}

// PushOutcome is what an attempt at a push came to.
type PushOutcome struct {
	Status        OutboxStatus // sent, pending (retry at Next) or failed
	Code          string       // errcode or Push* code; "" when sent
	Next          time.Time    // pending only
	ForceTemplate bool         // pending only: next attempt by template
	Channel       string       // the channel tried, "" when none was
	// Attempted adds one to the attempts (sends not marked by MarkSending:
	// templates, which WeChat deduplicates by client_msg_id).
	Attempted bool
}
