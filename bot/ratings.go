package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/models"
)

// rate is the resident's 满意 / 不满意 <原因>, on the appeal named or their
// latest resolved one. Only the author rates; 不满意 reopens the appeal and
// tells its handler and the committee (ops.Appeals.PlanRate).
func (x *cmdCtx) rate(satisfied bool, rest string) (bool, error) {
	sm := x.c.sm
	ref, reason, hasRef := splitRef(rest)
	if !hasRef {
		reason = strings.TrimSpace(strings.TrimLeftFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }))
		list, err := x.c.store.ListAppeals(x.ctx, models.AppealFilter{CommunityID: x.in.Msg.CommunityID,
			OpenID: x.in.Msg.OpenID, Status: models.StatusResolved, Limit: maxRateChoices})
		if err != nil {
			return false, fmt.Errorf("resolved appeals: %w", err)
		}
		// A neighbour's appeal this resident said "me too" to, resolved
		// since their own: only its author rates (a first user's 不满意 on
		// it reopened her own old enquiry instead).
		if f, err := x.followedResolved(list); err != nil {
			return false, err
		} else if f != nil {
			x.say(sm.RateFollowedF, f.Ref, f.Topic)
			return true, nil
		}
		if len(list) == 0 {
			if !satisfied && utf8.RuneCountInString(reason) >= minAppealRunes {
				return false, nil // 不满意 and a description, with nothing to rate: a new appeal
			}
			x.say("%s", sm.RateNothing)
			return true, nil
		}
		if len(list) > 1 && reason != "" {
			// 不满意 垃圾桶只清了一半: the one waiting appeal its words are about.
			var same []*models.Appeal
			for _, a := range list {
				if x.c.appeals.SameMatter(a, reason) {
					same = append(same, a)
				}
			}
			if len(same) == 1 {
				list = same
			}
		}
		if len(list) > 1 {
			// Two or more wait: which one is meant is asked, not guessed (a
			// first user's 满意 rated the latest of two silently).
			lines := make([]string, 0, len(list))
			for _, a := range list {
				lines = append(lines, fmt.Sprintf(sm.RateChoiceLineF, a.Ref, a.Topic))
			}
			x.say(sm.RateWhichF, len(list), strings.Join(lines, "\n"), list[0].Ref, list[0].Ref)
			return true, nil
		}
		ref = list[0].Ref
	}
	word := chat.Satisfied
	if !satisfied {
		word = chat.Unsatisfied
	}
	ch, err := x.c.appeals.PlanRate(x.ctx, ops.RateRequest{Community: x.in.Msg.CommunityID, Ref: ref,
		OpenID: x.in.Msg.OpenID, Satisfied: satisfied, Reason: reason})
	var se *ops.StepError
	switch {
	case err == nil:
	case errors.Is(err, ops.ErrNotResolved) && errors.As(err, &se):
		if se.Status == models.StatusClosed {
			// Rated already: not "办结后才能评价" (found by a second user).
			x.say(sm.RateClosedF, ref)
			return true, nil
		}
		x.say(sm.RateNotResolvedF, ref, x.c.msg.StatusNames[string(se.Status)])
		return true, nil
	case errors.Is(err, ops.ErrRatingReason):
		topic := ""
		if a, err := x.c.appeals.Appeal(x.ctx, x.in.Msg.CommunityID, ref); err == nil {
			topic = a.Topic
		}
		x.say(sm.RateNeedReasonF, ref, topic)
		x.waitForReason(ref)
		return true, nil
	default:
		return true, x.refused(err, ref, word)
	}
	if c := x.in.Conversation; c != nil && State(c.State) == StateRateReason {
		x.out.Turn.ClearConversation = true // the wait for a reason ends with any rating
	}
	if satisfied {
		x.say(sm.RatedSatisfiedF, ch.Appeal.Ref)
	} else {
		x.say(sm.RatedUnsatisfiedF, ch.Appeal.Ref)
	}
	ch.AddTo(&x.out.Turn)
	return true, nil
}

// maxRateChoices bounds the appeals listed when several wait for a rating.
const maxRateChoices = 5

// rateInWords reads a resident's free reply while an appeal of theirs waits
// for a rating (resolved, outside any conversation): "修了个铲铲，今天早上
// 又关了人" is unhappy, "修好了，安逸" happy; the reply says what was
// understood. Words of neither kind, nothing to rate, or words naming
// another matter ("电梯又关人了" after a 低保 answer) go on as new.
func (x *cmdCtx) rateInWords(text string) (bool, error) {
	if conv := x.in.Conversation; conv != nil && x.in.Now.Before(conv.ExpiresAt) && unfinished(State(conv.State)) {
		return false, nil
	}
	w := normWord(text)
	if _, withdraw := cutWord(w, chat.Withdraw...); withdraw {
		return false, nil // 撤回吧 已经修好了 withdraws, it does not rate
	}
	unhappy := containsAny(w, chat.Unhappy)
	satisfied := !unhappy && containsAny(w, chat.Happy)
	if !unhappy && !satisfied {
		return false, nil
	}
	list, err := x.c.store.ListAppeals(x.ctx, models.AppealFilter{CommunityID: x.in.Msg.CommunityID,
		OpenID: x.in.Msg.OpenID, Status: models.StatusResolved, Limit: 1})
	if err != nil {
		return false, fmt.Errorf("resolved appeals: %w", err)
	}
	if len(list) == 0 || !x.c.appeals.SameMatter(list[0], text) {
		return false, nil // nothing to rate, or words about another matter: a new appeal
	}
	rating := chat.Satisfied
	if !satisfied {
		rating = chat.Unsatisfied
	}
	understood := fmt.Sprintf(x.c.sm.UnderstoodF, messages.Clip(text, 30), rating)
	handled, err := x.rate(satisfied, list[0].Ref+" "+text)
	if handled && err == nil && len(x.out.Replies) > 0 {
		x.out.Replies[0] = understood + x.out.Replies[0]
	}
	return handled, err
}

// rateReasonWindow is how long the words after a bare 不满意 are read as its
// reason.
const rateReasonWindow = 30 * time.Minute

// waitForReason remembers, after a bare 不满意, that the resident's next
// words are its reason (a first user sent "不满意", was asked why, and
// answered "今天还是黑的": that started a new appeal). An appeal being
// prepared is never dropped for it.
func (x *cmdCtx) waitForReason(ref string) {
	if c := x.in.Conversation; c != nil && x.now.Before(c.ExpiresAt) && unfinished(State(c.State)) {
		return
	}
	b, err := json.Marshal(convData{RateRef: ref})
	if err != nil { // a struct of one string: cannot fail
		return
	}
	x.out.Turn.Conversation = &models.Conversation{State: string(StateRateReason), Data: string(b), ExpiresAt: x.now.Add(rateReasonWindow)}
}

// rateReason takes the words after a bare 不满意 as its reason, while that
// appeal still waits for a rating and the words are not clearly an appeal
// about another matter ("楼下垃圾桶满了好几天没人清" is a new appeal, and the
// wait ends with it; "今天晚上还是黑的" is the reason asked for).
func (x *cmdCtx) rateReason(text string) (bool, error) {
	c := x.in.Conversation
	if c == nil || State(c.State) != StateRateReason || !x.now.Before(c.ExpiresAt) {
		return false, nil
	}
	var d convData
	if err := json.Unmarshal([]byte(c.Data), &d); err != nil || d.RateRef == "" {
		return false, nil
	}
	if notAReason(normWord(text)) {
		return false, nil
	}
	// The appeal asked about, not the latest one (不满意 <an older ref> then
	// the reason reopened the newer one; found by an attacker).
	a, err := x.c.appeals.Appeal(x.ctx, x.in.Msg.CommunityID, d.RateRef)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("appeal %s: %w", d.RateRef, err)
	}
	if a.OpenID != x.in.Msg.OpenID || a.Status != models.StatusResolved || x.c.appeals.ClearlyAnother(a, text) {
		return false, nil
	}
	return x.rate(false, d.RateRef+" "+text)
}

// notAReason reports whether words sent while a bare 不满意 waits for its
// reason are something else: a command or chat word of any state ("我的诉求",
// an appeal's number, 帮助, a meeting's or a project's answer, 登录), small
// talk, a plain yes, no or number, words of satisfaction, or letting the
// rating go ("算了不评了"; a first user's 我的诉求 and an attacker's 修好了,
// 参加 YS… and 登录 each became the reason of a reopened appeal). Words of
// dissatisfaction are always a reason.
func notAReason(w string) bool {
	if containsAny(w, chat.Unhappy) {
		return false
	}
	if slices.Contains(chat.Help, w) || slices.Contains(chat.Greetings, w) || slices.Contains(chat.Thanks, w) ||
		slices.Contains(chat.Yes, w) || slices.Contains(chat.No, w) || slices.Contains(chat.MeetingYes, w) ||
		slices.Contains(chat.ChangeAddress, w) || addressIntent(w) || w == WordLogin || w == WordConsole ||
		letGo(w) ||
		strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		return true
	}
	if containsAny(w, chat.Happy) {
		return true
	}
	if _, ok := bareRef(w); ok {
		return true
	}
	cw := &messages.ZhCNCampaigns
	for _, words := range [][]string{chat.Cancel, chat.MyAppeals, chat.Withdraw, chat.NotPrivate, chat.MeetingDecline,
		chat.MeetingAccept, chat.MeetingShow, chat.MeetingCall, {chat.MeetingCancel}, cw.SignUpWords, cw.WithdrawWords} {
		if _, ok := cutWord(w, words...); ok {
			return true
		}
	}
	return false
}

// maxFollowedRead bounds the appeals read for a follower's rating.
const maxFollowedRead = 20

// followedResolved is the latest resolved appeal the sender follows when it
// was resolved after their own latest resolved one (own, at most one), else nil.
func (x *cmdCtx) followedResolved(own []*models.Appeal) (*models.Appeal, error) {
	fs, err := x.c.store.FollowedAppeals(x.ctx, x.in.Msg.CommunityID, x.in.Msg.OpenID, maxFollowedRead)
	if err != nil {
		return nil, fmt.Errorf("followed appeals: %w", err)
	}
	var best *models.Appeal
	for _, a := range fs {
		if a.Status == models.StatusResolved && a.ResolvedAt != nil && (best == nil || a.ResolvedAt.After(*best.ResolvedAt)) {
			best = a
		}
	}
	if best == nil {
		return nil, nil
	}
	if len(own) > 0 && own[0].ResolvedAt != nil && !best.ResolvedAt.After(*own[0].ResolvedAt) {
		return nil, nil
	}
	return best, nil
}

// letGo reports words that let a rating go (算了不评了, 没事了, 不用了).
func letGo(w string) bool {
	return containsAny(w, []string{"不评", "没事了", "不用了"})
}
