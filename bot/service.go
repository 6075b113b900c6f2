package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// Pusher delivers a message outside the passive reply (customer-service
// message within 48 hours, else template).
type Pusher interface {
	PushText(ctx context.Context, communityID, openID, text string) error
}

// Result is what the webhook answers.
type Result struct {
	Reply     string // "" → answer "success"
	Duplicate bool   // a retry of a message already processed
	// LateReply is pushed instead of Reply when the reply comes too late
	// for WeChat (Output.LateReply); "" pushes Reply.
	LateReply string
}

// Service runs one message through dedupe, the engine and one commit.
type Service struct {
	Store  models.Store
	Engine *Engine
	Pusher Pusher
	Log    *slog.Logger
	Now    func() time.Time
	// ConversationTTL is how long an idle conversation is kept; it is the
	// engine's (Engine.ConversationTTL) when that is unset.
	ConversationTTL time.Duration
	// senders serialises one person's messages (Handle), by stripe.
	senders [senderStripes]sync.Mutex
}

// senderStripes bounds the locks of Handle: two people share one only by
// chance, and then only wait for each other's message.
const senderStripes = 256

func senderStripe(community, openID string) int {
	h := fnv.New32a()
	h.Write([]byte(community))
	h.Write([]byte{0})
	h.Write([]byte(openID))
	return int(h.Sum32() % senderStripes)
}

// touchEvery is how stale a resident's stored last-message time may be
// before a pure query (which writes nothing else) records it again. Later
// than the truth means the customer-service window is taken to close up to
// this much early, and its allowance of customer-service messages (counted
// since the last message) to renew this much late: a push then goes as a
// template, never the other way. An hour kept a resident who wrote again on
// templates for the rest of it (found by a third user).
const touchEvery = 5 * time.Minute

// touch records a pure query's time as the resident's last message (it
// opens WeChat's 48-hour customer-service window like any other message);
// a failure only costs that, so it is logged, not answered.
func (s *Service) touch(ctx context.Context, msg models.Inbound, r *models.Resident) {
	now := s.Now()
	if r == nil || (r.LastMessageAt != nil && now.Sub(*r.LastMessageAt) < touchEvery) {
		return
	}
	if err := s.Store.TouchResident(ctx, msg.CommunityID, msg.OpenID, now); err != nil {
		s.Log.WarnContext(ctx, "record last message time failed", "err", err)
	}
}

// maxAttempts bounds how often a message is recomputed when another message
// of the same person changed the conversation meanwhile.
const maxAttempts = 5

// Handle processes one inbound message exactly once per dedupe key: a retry,
// even one racing the first delivery on another replica, gets the first
// reply and changes nothing. Two different messages of one person handled at
// once are serialised by the conversation's version: the later commit is
// recomputed on the state the earlier one left.
func (s *Service) Handle(ctx context.Context, msg models.Inbound) (Result, error) {
	// One person's messages are handled one at a time in this process: a
	// turn that files an appeal outside any conversation (an urgent one) has
	// no version to serialise on, and 30 at once raced past the per-person
	// limit (found by an attacker). Other replicas still race; the limit is
	// then exceeded by at most one per replica.
	mu := &s.senders[senderStripe(msg.CommunityID, msg.OpenID)]
	mu.Lock()
	defer mu.Unlock()
	key := msg.DedupeKey()
	for attempt := 1; ; attempt++ {
		res, err := s.handleOnce(ctx, msg, key)
		// ErrAppealChanged: someone moved an appeal this message acts on;
		// recomputing shows the person the appeal as it is now.
		if (errors.Is(err, models.ErrStale) || errors.Is(err, models.ErrAppealChanged)) && attempt < maxAttempts {
			time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
			continue
		}
		return res, err
	}
}

// handleOnce needs no dedupe lookup before the step: the engine only reads,
// and CommitTurn writes the dedupe row first, so a retry's turn fails with
// ErrDuplicate and the first reply is returned. A read-only step (help, my
// appeals) commits no turn and no dedupe row: repeating it changes nothing.
// It only refreshes the resident's last-message time (touch).
func (s *Service) handleOnce(ctx context.Context, msg models.Inbound, key string) (Result, error) {
	who, err := s.Store.Sender(ctx, msg.CommunityID, msg.OpenID)
	if err != nil {
		return Result{}, err
	}
	out, err := s.Engine.Step(ctx, Input{Msg: msg, Resident: who.Resident, Conversation: who.Conversation,
		Staff: who.Staff, StaffKnown: true, Now: s.Now()})
	if err != nil {
		return Result{}, err
	}
	var reply string
	if len(out.Replies) > 0 {
		reply = out.Replies[0]
	}
	if out.ReadOnly {
		s.touch(ctx, msg, who.Resident)
		return Result{Reply: reply, LateReply: out.LateReply}, nil
	}
	turn := out.Turn
	turn.DedupeKey, turn.Reply = key, reply
	if err := s.Store.CommitTurn(ctx, &turn); err != nil {
		if errors.Is(err, models.ErrDuplicate) {
			first, err := s.Store.ProcessedReply(ctx, msg.CommunityID, key)
			if err != nil {
				return Result{Duplicate: true}, nil // answer "success"; the first delivery replies
			}
			return Result{Reply: first, Duplicate: true}, nil
		}
		if errors.Is(err, models.ErrStale) || errors.Is(err, models.ErrAppealChanged) {
			return Result{}, err
		}
		return Result{}, fmt.Errorf("commit turn: %w", err)
	}
	for _, extra := range out.Replies[min(1, len(out.Replies)):] {
		extra = models.FillRefs(extra, turn.NewAppeals)
		if err := s.Pusher.PushText(ctx, msg.CommunityID, msg.OpenID, extra); err != nil {
			s.Log.WarnContext(ctx, "push follow-up reply failed", "err", err)
		}
	}
	return Result{Reply: turn.Reply}, nil
}
