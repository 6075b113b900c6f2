package models

import (
	"context"
	"time"
)

// Turn is everything one inbound message changes, committed atomically:
// the dedupe record with its reply, the conversation state, the resident,
// new appeals with their events, and events on existing appeals. Either all
// of it is stored or none of it.
type Turn struct {
	CommunityID string
	OpenID      string
	DedupeKey   string // "" for turns that are not WeChat messages
	Reply       string
	At          time.Time

	Resident          *Resident     // upserted when non-nil
	Conversation      *Conversation // upserted when non-nil
	ClearConversation bool          // deletes the conversation (after a submit or 取消)
	NewAppeals        []*NewAppeal  // stored with fresh reference codes
	Events            []*AppealEvent

	// AppealUpdates change existing appeals (lifecycle steps), each only if
	// the appeal is still in its ExpectStatus; else the whole turn fails
	// with ErrAppealChanged.
	AppealUpdates []*AppealUpdate
	// Conversation guard (engine): when GuardConversation is set, the turn
	// commits only if the stored conversation still has ConversationVersion
	// (0 = none stored); else CommitTurn returns ErrStale.
	GuardConversation   bool
	ConversationVersion int64
	NewFollowers        []*Follower // "me too" links; an existing link is kept
	// Outbox holds pushes caused by this turn, stored in the same transaction
	// and sent later by the dispatcher (jobs); a Key that exists is skipped.
	Outbox []*OutboxMessage

	// Meetings are meeting changes of this turn (answers to invitations,
	// meetings called by chat); see MeetingChange.
	Meetings []*MeetingChange

	// CampaignAnswers link this turn's appeals (new or followed) to the
	// campaigns they answer; Volunteers sign residents up for projects or
	// withdraw them (campaign.go, project.go).
	CampaignAnswers []*CampaignAnswer
	Volunteers      []*ProjectVolunteer
	// LearningVotes are residents' answers to the kind question, cast when
	// their appeal is submitted (learning a community's own words).
	LearningVotes []*LearningVote
	// Asks mark (Ref set) or clear (Ref "") a resident's question waiting
	// for an answer: a handler's progress note that asks the author
	// something, and the author's answer (Resident.AskedRef).
	Asks []*Ask
}

// Ask is one resident's question mark: the appeal whose handler asked
// them, or "" once they answered. A clear with Was set clears only that
// appeal's question (its handler wrote again and asked nothing).
type Ask struct {
	OpenID string
	Ref    string
	Was    string
}

// NewAppeal is an appeal to create with its first events; Store.CommitTurn
// fills in Appeal.ID, Appeal.Ref and each event's AppealID.
type NewAppeal struct {
	Appeal *Appeal
	Events []*AppealEvent
}

// Sender is everything stored about the person who sent a message: what
// the engine needs before it can answer. Each part is nil when absent.
type Sender struct {
	Resident     *Resident
	Conversation *Conversation
	Staff        *Staff // the active staff role bound to this openid, if any
}

// Store is the persistence the service needs. Implementations return
// *Error values with ENOTFOUND for missing rows and ErrDuplicate from
// CommitTurn when the dedupe key exists; other errors are internal.
type Store interface {
	Ping(ctx context.Context) error

	// EnsureCommunity creates the community or updates its name.
	EnsureCommunity(ctx context.Context, c *Community) error

	// Resident returns the resident or ENOTFOUND.
	Resident(ctx context.Context, communityID, openID string) (*Resident, error)
	// TouchResident records that the resident wrote at t (their 48-hour
	// customer-service window) unless a later time is stored.
	TouchResident(ctx context.Context, communityID, openID string, t time.Time) error
	// Sender returns what a message's step needs to know about its sender
	// (resident, conversation, staff role), read at once; nil parts were
	// not found.
	Sender(ctx context.Context, communityID, openID string) (Sender, error)
	// ProcessedReply returns the reply given to a processed message or ENOTFOUND.
	ProcessedReply(ctx context.Context, communityID, key string) (string, error)
	// CommitTurn stores a turn atomically; ErrDuplicate if its key exists.
	CommitTurn(ctx context.Context, t *Turn) error
	// DeleteProcessedBefore forgets dedupe records older than t.
	DeleteProcessedBefore(ctx context.Context, t time.Time) (int64, error)

	// ListAppeals returns appeals matching f, newest first.
	ListAppeals(ctx context.Context, f AppealFilter) ([]*Appeal, error)
	// LastResolvedLike returns the latest appeal on the matter topicID in
	// the building resolved at or after since and not reopened, or
	// ENOTFOUND (a problem come back, ops.RelapseWindow).
	LastResolvedLike(ctx context.Context, communityID, topicID, building string, since time.Time) (*Appeal, error)
	// OpenPublicAppealsSince counts the author's open small and major
	// appeals created after since (the chat's per-person limit).
	OpenPublicAppealsSince(ctx context.Context, communityID, openID string, since time.Time) (int, error)
	// AppealByRef returns the community's appeal or ENOTFOUND (another
	// community's appeal is not found either).
	AppealByRef(ctx context.Context, communityID, ref string) (*Appeal, error)
	// AppealEvents returns an appeal's events, oldest first.
	AppealEvents(ctx context.Context, appealID uint64) ([]*AppealEvent, error)

	FollowerStore
}
