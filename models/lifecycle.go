package models

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Action is one step of the appeal lifecycle.
type Action string

// The lifecycle's actions. Each is recorded as an event with this name.
const (
	ActAssign          Action = "assign"           // a handler is chosen (routing, committee)
	ActReassign        Action = "reassign"         // the committee changes the handler
	ActAccept          Action = "accept"           // 接单
	ActProgress        Action = "progress"         // 进展
	ActResolve         Action = "resolve"          // 办结
	ActRateSatisfied   Action = "rate_satisfied"   // 满意
	ActRateUnsatisfied Action = "rate_unsatisfied" // 不满意 → reopened
	ActEscalate        Action = "escalate"         // 上报 one level up
	ActReclassify      Action = "reclassify"       // kind and/or level changed
	ActReturn          Action = "return"           // 退回: wrong assignment, back to the committee
	ActWithdraw        Action = "withdraw"         // the resident withdraws
	ActGuide           Action = "guide"            // a private matter: pointed to self-help
	ActDisputePrivate  Action = "dispute_private"  // the resident disputes "private" → review
	ActSetDeadline     Action = "set_deadline"     // due_at changed
	ActCloseUnrated    Action = "close_unrated"    // no rating within N days: closed, not satisfied
	ActAnswer          Action = "answer"           // an enquiry answered on the spot (即时办结)
)

// Actions lists every action in a stable order.
var Actions = []Action{ActAssign, ActReassign, ActAccept, ActProgress, ActResolve, ActRateSatisfied,
	ActRateUnsatisfied, ActEscalate, ActReclassify, ActReturn, ActWithdraw, ActGuide, ActDisputePrivate,
	ActSetDeadline, ActCloseUnrated, ActAnswer}

// Who may take an action, as a set of bits.
type Who uint8

// The parties of the lifecycle.
const (
	WhoAssignee  Who = 1 << iota // the appeal's handler (or a holder of its placeholder role)
	WhoCommittee                 // a committee member of the appeal's community
	WhoAdmin                     // an administrator (the admin API or an admin staff member)
	WhoSystem                    // routing and scheduled jobs
	WhoAuthor                    // the resident who raised the appeal
)

// open is every status in which someone still has to act.
var open = []Status{StatusSubmitted, StatusAssigned, StatusAccepted, StatusInProgress,
	StatusReopened, StatusEscalated, StatusReview}

// rule is one row of the lifecycle: from which statuses an action may be
// taken, the status it leads to ("" keeps the status) and who may take it.
type rule struct {
	from []Status
	to   Status
	who  Who
}

// handling is where a handler works on an appeal.
var handling = []Status{StatusAssigned, StatusAccepted, StatusInProgress, StatusReopened, StatusEscalated}

// lifecycle is the state machine. Read a row as: action, allowed from, goes to, by whom.
var lifecycle = map[Action]rule{
	ActAssign:          {[]Status{StatusSubmitted, StatusReview, StatusReopened, StatusEscalated}, StatusAssigned, WhoSystem | WhoCommittee | WhoAdmin},
	ActReassign:        {handling, StatusAssigned, WhoSystem | WhoCommittee | WhoAdmin},
	ActAccept:          {[]Status{StatusAssigned, StatusReopened, StatusEscalated}, StatusAccepted, WhoAssignee | WhoCommittee},
	ActProgress:        {[]Status{StatusAccepted, StatusInProgress}, StatusInProgress, WhoAssignee | WhoCommittee},
	ActResolve:         {handling, StatusResolved, WhoAssignee | WhoCommittee},
	ActRateSatisfied:   {[]Status{StatusResolved}, StatusClosed, WhoAuthor},
	ActRateUnsatisfied: {[]Status{StatusResolved}, StatusReopened, WhoAuthor},
	ActEscalate:        {handling, StatusEscalated, WhoAssignee | WhoCommittee | WhoAdmin | WhoSystem},
	ActReclassify:      {open, "", WhoCommittee | WhoAdmin},
	ActReturn:          {handling, StatusSubmitted, WhoAssignee},
	ActWithdraw:        {open, StatusWithdrawn, WhoAuthor},
	ActGuide:           {[]Status{StatusSubmitted, StatusAssigned, StatusReview}, StatusGuided, WhoSystem | WhoCommittee | WhoAdmin},
	ActDisputePrivate:  {[]Status{StatusGuided}, StatusReview, WhoAuthor},
	ActSetDeadline:     {open, "", WhoSystem | WhoCommittee | WhoAdmin},
	ActCloseUnrated:    {[]Status{StatusResolved}, StatusClosed, WhoSystem},
	ActAnswer:          {[]Status{StatusAssigned}, StatusResolved, WhoSystem},
}

// Owner is who must act next on an appeal in status s: its handler (the
// assignee, a committee placeholder after a return) while it waits or is
// handled, the committee for a review, its author for a rating or a guided
// matter (who may dispute it), and nobody once closed or withdrawn.
func Owner(s Status) Who {
	switch s {
	case StatusReview:
		return WhoCommittee
	case StatusResolved, StatusGuided:
		return WhoAuthor
	case StatusClosed, StatusWithdrawn:
		return 0
	}
	return WhoAssignee
}

// Allowed reports whether act may be taken from status s (by someone).
func Allowed(s Status, act Action) bool {
	r, ok := lifecycle[act]
	return ok && slices.Contains(r.from, s)
}

// Target is the status act leads to from s ("" when not allowed).
func Target(s Status, act Action) Status {
	if !Allowed(s, act) {
		return ""
	}
	if to := lifecycle[act].to; to != "" {
		return to
	}
	return s
}

// WhoMay returns who may take act.
func WhoMay(act Action) Who { return lifecycle[act].who }

// ActorKind says what sort of party acts.
type ActorKind string

// Actor kinds.
const (
	ActorResident ActorKind = "resident"
	ActorStaff    ActorKind = "staff"
	ActorAdmin    ActorKind = "admin"  // the admin API (bearer token)
	ActorSystem   ActorKind = "system" // routing, jobs
)

// Actor is who takes an action: a resident (by OpenID), a staff member, the
// admin API, or the system.
type Actor struct {
	Kind   ActorKind
	OpenID string // residents
	Staff  *Staff // staff
}

// String is the event's actor field: "resident", "staff:<id>", "admin", "system".
func (a Actor) String() string {
	if a.Kind == ActorStaff && a.Staff != nil {
		return a.Staff.Ref()
	}
	return string(a.Kind)
}

// roles returns the parties this actor counts as for appeal ap.
func (a Actor) roles(ap *Appeal) Who {
	switch a.Kind {
	case ActorSystem:
		return WhoSystem
	case ActorAdmin:
		return WhoAdmin
	case ActorResident:
		if a.OpenID != "" && a.OpenID == ap.OpenID {
			return WhoAuthor
		}
	case ActorStaff:
		s := a.Staff
		if s == nil || !s.Active || s.CommunityID != ap.CommunityID {
			return 0
		}
		var w Who
		switch s.Role {
		case RoleAdmin:
			w |= WhoAdmin | WhoCommittee
		case RoleCommittee:
			w |= WhoCommittee
		}
		if IsHandler(s, ap) {
			w |= WhoAssignee
		}
		return w
	}
	return 0
}

// IsHandler reports whether s is the appeal's handler: its assignee, or a
// holder of the placeholder role it waits for (the worker of its grid, a
// liaison of its unit, a district coordinator, a committee member).
func IsHandler(s *Staff, ap *Appeal) bool {
	if s == nil || !s.Active || s.CommunityID != ap.CommunityID || ap.Assignee == "" {
		return false
	}
	if ap.Assignee == s.Ref() {
		return true
	}
	r, ok := PlaceholderRole(ap.Assignee)
	if !ok || r != s.Role {
		return false
	}
	switch r {
	case RoleGridWorker:
		return s.GridID != "" && s.GridID == ap.GridID
	case RoleLiaison:
		return s.Department != "" && slices.Contains(UnitDepartments(ap.Unit), s.Department)
	}
	return true
}

// Step is an action with the values it sets.
type Step struct {
	Action   Action
	Assignee string     // assign, reassign; escalate (optional: the next level's handler)
	Kind     Kind       // reclassify
	Level    Level      // reclassify
	TopicID  string     // reclassify: the matter the committee chose ("" keeps it; the caller names it)
	DueAt    *time.Time // set_deadline
}

// Transition takes an action that carries no values (accept, progress,
// resolve, rate, return, withdraw, guide, dispute, close_unrated; escalate
// to the next level's placeholder). It is Apply with a bare Step.
func Transition(a *Appeal, act Action, actor Actor, reason string, now time.Time) (*AppealEvent, error) {
	return Apply(a, Step{Action: act}, actor, reason, now)
}

// Apply checks that actor may take the step on a in its current status,
// changes a, and returns the event to record. On any error a is unchanged:
// EINVALID for a malformed step, ECONFLICT for a step the status does not
// allow, EFORBIDDEN for an actor who may not take it.
func Apply(a *Appeal, s Step, actor Actor, reason string, now time.Time) (*AppealEvent, error) {
	r, ok := lifecycle[s.Action]
	if !ok {
		return nil, Errorf(EINVALID, "unknown action %q", s.Action)
	}
	if !slices.Contains(r.from, a.Status) {
		return nil, Errorf(ECONFLICT, "appeal %s is %s: %s is not possible now", a.Ref, a.Status, s.Action)
	}
	if actor.roles(a)&r.who == 0 {
		return nil, Errorf(EFORBIDDEN, "you may not %s appeal %s", s.Action, a.Ref)
	}
	next := *a // change a copy; a is only written when everything checks out
	switch s.Action {
	case ActAssign, ActReassign:
		if s.Assignee == "" {
			return nil, Errorf(EINVALID, "%s needs an assignee", s.Action)
		}
		if s.Assignee == a.Assignee && s.Action == ActReassign {
			return nil, fmt.Errorf("appeal %s, %s: %w", a.Ref, s.Assignee, ErrSameAssignee)
		}
		next.Assignee = s.Assignee
	case ActReclassify:
		if s.Kind == "" && s.Level == "" && s.TopicID == "" {
			return nil, Errorf(EINVALID, "reclassify needs a kind, a level or a matter")
		}
		if s.TopicID != "" {
			next.TopicID = s.TopicID
		}
		if s.Kind != "" {
			if !s.Kind.Valid() {
				return nil, Errorf(EINVALID, "kind %q: want major, small or private", s.Kind)
			}
			next.Kind = s.Kind
		}
		if s.Level != "" {
			if !s.Level.Valid() {
				return nil, Errorf(EINVALID, "level %q: want community, street, district or self", s.Level)
			}
			next.Level = s.Level
		}
		if next.Kind == a.Kind && next.Level == a.Level && next.TopicID == a.TopicID {
			return nil, Errorf(ECONFLICT, "appeal %s is %s/%s already", a.Ref, a.Kind, a.Level)
		}
		if err := levelFits(next.Kind, next.Level); err != nil {
			return nil, err
		}
	case ActSetDeadline:
		if s.DueAt == nil || s.DueAt.IsZero() {
			return nil, Errorf(EINVALID, "set_deadline needs a time")
		}
		d := s.DueAt.UTC()
		next.DueAt = &d
	case ActEscalate:
		up, ok := a.Level.Next()
		if !ok {
			return nil, Errorf(ECONFLICT, "appeal %s is at the %s level: it cannot go higher", a.Ref, a.Level)
		}
		next.Level = up
		next.Assignee = s.Assignee
		if next.Assignee == "" {
			next.Assignee = RolePlaceholder(LevelRole(up))
		}
	case ActReturn:
		next.Assignee = RolePlaceholder(RoleCommittee)
	case ActGuide:
		if a.Kind != KindPrivate {
			return nil, Errorf(ECONFLICT, "appeal %s is %s, not private: reclassify it first", a.Ref, a.Kind)
		}
		// Pointed to self-help: nobody handles it, so nothing is due (a
		// 大事 reclassified 私事 kept its street deadline; found by a user).
		next.Level, next.Assignee, next.DueAt = LevelSelf, "", nil
	case ActDisputePrivate:
		next.Assignee = RolePlaceholder(RoleCommittee) // a review is the committee's to decide
	case ActResolve, ActAnswer:
		t := now.UTC()
		next.ResolvedAt = &t
	case ActRateUnsatisfied:
		next.ResolvedAt = nil
	}
	if (s.Action == ActRateUnsatisfied || s.Action == ActEscalate || s.Action == ActReturn ||
		s.Action == ActWithdraw || s.Action == ActDisputePrivate) && reason == "" {
		return nil, Errorf(EINVALID, "%s needs a reason", s.Action)
	}
	if takes(s.Action) && actor.Kind == ActorStaff && actor.Staff != nil {
		// A person who takes up an appeal that waited for a role (接单, or
		// progress or 办结 without it) becomes its handler: the list shows
		// who really handles it, not the role it waited for.
		if _, waiting := PlaceholderRole(next.Assignee); waiting || next.Assignee == "" {
			next.Assignee = actor.Staff.Ref()
		}
		// A committee member's 接单 of someone else's task takes it over:
		// the list, 我的任务 and the resident name who handles it (before, the
		// worker stayed its handler and was not told; found by a user).
		if s.Action == ActAccept && next.Assignee != actor.Staff.Ref() && actor.roles(a)&WhoAssignee == 0 {
			next.Assignee = actor.Staff.Ref()
		}
	}
	if r.to != "" {
		next.Status = r.to
	}
	next.UpdatedAt = now.UTC()
	ev := &AppealEvent{AppealID: a.ID, Actor: actor.String(), Action: string(s.Action), FromStatus: a.Status,
		ToStatus: next.Status, Reason: eventReason(s, a, &next, reason), At: now.UTC()}
	*a = next
	return ev, nil
}

// ErrSameAssignee refuses to reassign an appeal to its own handler.
var ErrSameAssignee = &Error{Code: ECONFLICT, Message: "assigned to this handler already"}

// takes reports whether act is a handler's own work on an appeal.
func takes(act Action) bool { return act == ActAccept || act == ActProgress || act == ActResolve }

// eventReason keeps what changed on the record next to the why.
func eventReason(s Step, before, after *Appeal, reason string) string {
	var what string
	switch s.Action {
	case ActAssign, ActReassign, ActEscalate, ActReturn:
		what = "assignee " + orNone(before.Assignee) + " → " + after.Assignee
	case ActAccept, ActProgress, ActResolve:
		if before.Assignee != after.Assignee {
			what = "assignee " + orNone(before.Assignee) + " → " + after.Assignee
		}
		if before.Level != after.Level {
			what = "level " + string(before.Level) + " → " + string(after.Level) + "; " + what
		}
	case ActReclassify:
		what = string(before.Kind) + "/" + string(before.Level) + " → " + string(after.Kind) + "/" + string(after.Level)
	case ActSetDeadline:
		prev := "none"
		if before.DueAt != nil {
			prev = before.DueAt.UTC().Format(time.RFC3339)
		}
		what = "due " + prev + " → " + after.DueAt.UTC().Format(time.RFC3339)
	}
	switch {
	case what == "":
		return reason
	case reason == "":
		return what
	}
	return what + "; " + reason
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// levelFits refuses a kind with a level it cannot have.
func levelFits(k Kind, l Level) error {
	switch {
	case k == KindPrivate && l != LevelSelf:
		return Errorf(EINVALID, "a private appeal has level self, not %s", l)
	case k != KindPrivate && l == LevelSelf:
		return Errorf(EINVALID, "level self is for private appeals only")
	case k == KindSmall && l != LevelCommunity:
		return Errorf(EINVALID, "a small appeal is handled at the community level, not %s", l)
	case k == KindMajor && l == LevelCommunity:
		return Errorf(EINVALID, "a major appeal is handled at the street or district level")
	}
	return nil
}

// LevelRole is the role that handles appeals at a level.
func LevelRole(l Level) Role {
	switch l {
	case LevelStreet:
		return RoleLiaison
	case LevelDistrict:
		return RoleDistrictCoordinator
	}
	return RoleCommittee
}

// Route chooses an appeal's handler from the community's staff: small → the
// grid worker of its grid, else the committee; major at street level → the
// liaison of its unit; district level → the district coordinator. It returns
// the staff ref, or a role placeholder when nobody suitable is bound, and ""
// for private appeals, which get no handler. Among several candidates the
// lowest id wins, so routing is deterministic.
func Route(a *Appeal, staff []*Staff) string {
	pick := func(ok func(s *Staff) bool) *Staff {
		var best *Staff
		for _, s := range staff {
			if s.Active && s.CommunityID == a.CommunityID && s.OpenID != "" && ok(s) && (best == nil || s.ID < best.ID) {
				best = s
			}
		}
		return best
	}
	var found *Staff
	var fallback Role
	switch {
	case a.Kind == KindPrivate || a.Level == LevelSelf:
		return ""
	case a.Level == LevelDistrict:
		found = pick(func(s *Staff) bool { return s.Role == RoleDistrictCoordinator })
		fallback = RoleDistrictCoordinator
	case a.Level == LevelStreet:
		// A unit may name several departments (街道城管执法队、区生态环境局):
		// the liaison of the first one that has a bound liaison.
		for _, unit := range UnitDepartments(a.Unit) {
			if found = pick(func(s *Staff) bool { return s.Role == RoleLiaison && s.Department == unit }); found != nil {
				break
			}
		}
		fallback = RoleLiaison
	default:
		found = pick(func(s *Staff) bool { return s.Role == RoleGridWorker && a.GridID != "" && s.GridID == a.GridID })
		fallback = RoleCommittee
	}
	if found != nil {
		return found.Ref()
	}
	return RolePlaceholder(fallback)
}

// UnitDepartments are the departments a unit names, in order: the whole
// unit first, then each part of a list (、，,/ separate them).
func UnitDepartments(unit string) []string {
	unit = strings.TrimSpace(unit)
	if unit == "" {
		return nil
	}
	out := []string{unit}
	for _, p := range strings.FieldsFunc(unit, func(r rune) bool { return strings.ContainsRune("、，,/", r) }) {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// AppealUpdate is a change to an existing appeal with its events, committed
// only if the appeal is still in ExpectStatus (optimistic concurrency).
type AppealUpdate struct {
	Appeal       *Appeal
	ExpectStatus Status
	Events       []*AppealEvent
	// Retopic writes the appeal's topic and unit too: a reclassification
	// that moved it to another kind's topic.
	Retopic bool
	// Place writes the appeal's building and grid too: an urgent appeal
	// filed with no place, placed by its author's next words.
	Place bool
	// LearningVotes are a committee correction's votes (a changed kind
	// teaches the community's phrases of the appeal), stored with the change.
	LearningVotes []*LearningVote
}

// ErrAppealChanged is returned when an AppealUpdate finds the appeal no
// longer in the status it was read in.
var ErrAppealChanged = &Error{Code: ECONFLICT, Message: "the appeal changed meanwhile; please look at it again"}

// Stats are the list's figures for a date range (appeals created in [From, To)).
type Stats struct {
	From, To     time.Time
	CommunityID  string
	Total        int
	ByKind       map[string]int
	ByLevel      map[string]int
	ByStatus     map[string]int
	ByGrid       map[string]int
	ByDepartment map[string]int

	// Rates as numerator / denominator; a zero denominator means "no data".
	OnTime       Ratio // resolved by due_at / resolved with a due_at
	Response     Ratio // accepted within 24 h of first assignment / assigned
	Resolution   Ratio // resolved or closed / all non-private
	Satisfaction Ratio // satisfied ratings / all ratings (unrated closes never count)
	Unrated      int   // closed without a rating

	// Split is the seed's three-way split of non-private appeals by level.
	Split Split
}

// Ratio is a rate with its counts.
type Ratio struct {
	Num, Den int
}

// Rate is Num/Den, or 0 with no data.
func (r Ratio) Rate() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// String formats the rate as a percentage with its counts.
func (r Ratio) String() string {
	if r.Den == 0 {
		return "n/a (0/0)"
	}
	return strconv.FormatFloat(100*r.Rate(), 'f', 1, 64) + "% (" + strconv.Itoa(r.Num) + "/" + strconv.Itoa(r.Den) + ")"
}

// Split counts appeals solved at the community level, undertaken by streets
// and departments (and how many of those in time), and taken to the district.
type Split struct {
	Community            SplitRow
	Street               SplitRow
	District             SplitRow
	StreetResolvedOnTime int
}

// SplitRow is one level of the split.
type SplitRow struct {
	Total, Resolved int
}

// EscalatedUnit is the unit of an appeal moved up to level to: a community
// matter (its unit the residents' committee, the property company …) that
// goes to the street is the street office's (streetUnit), so that the list,
// the resident and the routing to a liaison name a department of that
// level (a user saw 上报 leave 社区居委会 on a street-level appeal); any other
// move keeps the unit. "" means unchanged.
func EscalatedUnit(a *Appeal, to Level, streetUnit string) string {
	if a.Level == LevelCommunity && to == LevelStreet && streetUnit != "" && a.Unit != streetUnit {
		return streetUnit
	}
	return ""
}
