package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/models"
)

// ProjectStore is what community service projects read and write; *store.DB implements it.
type ProjectStore interface {
	PushLoad
	NextProjectCode(ctx context.Context, communityID string) (string, error)
	ApplyProjectChange(ctx context.Context, ch *models.ProjectChange) error
	ProjectByID(ctx context.Context, communityID string, id uint64) (*models.Project, error)
	ProjectByCode(ctx context.Context, communityID, code string) (*models.Project, error)
	ListProjects(ctx context.Context, communityID string, need models.Need) ([]*models.Project, error)
	ProjectTotals(ctx context.Context, projectID uint64) (*models.ProjectTotals, error)
	ProjectPledges(ctx context.Context, projectID uint64) ([]*models.ProjectPledge, error)
	ProjectMilestones(ctx context.Context, projectID uint64) ([]*models.ProjectMilestone, error)
	ProjectVolunteer(ctx context.Context, projectID uint64, openID string) (*models.ProjectVolunteer, error)
	VolunteerOpenIDs(ctx context.Context, projectID uint64) ([]string, error)
	CampaignByID(ctx context.Context, communityID string, id uint64) (*models.Campaign, error)
	MeetingByID(ctx context.Context, communityID string, id uint64) (*models.Meeting, error)
	StakeholderByID(ctx context.Context, communityID string, id uint64) (*models.Stakeholder, error)
	StaffByID(ctx context.Context, communityID string, id uint64) (*models.Staff, error)
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
	AppealByRef(ctx context.Context, ref string) (*models.Appeal, error)
	Followers(ctx context.Context, appealID uint64) ([]*models.Follower, error)
}

// Limits of a project.
const (
	MaxProjectNameRunes = 60
	MaxMilestoneRunes   = 60
	MaxNoteRunes        = 500
	MaxDonorRunes       = 40
	MaxProjectAppeals   = 200
)

// ErrProjectDone refuses changes to a completed project.
var ErrProjectDone = &models.Error{Code: models.ECONFLICT, Message: "the project is completed: it cannot change any more"}

// Projects runs community service projects (项目化): create, pledges,
// milestones told to those concerned, completion through the appeal
// lifecycle, and volunteers by chat (ProjectCommands).
type Projects struct {
	Store    ProjectStore
	Msg      CampaignMessages
	StaffMsg StaffMessages // the resolved-appeal pushes (zero: ZhCNStaff)
	Location *time.Location
	Now      func() time.Time
	// TemplateQuota: see Meetings.TemplateQuota.
	TemplateQuota int
	// Notify wakes the outbox dispatcher (may be nil).
	Notify func()
}

func (s *Projects) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

func (s *Projects) staffMsg() *StaffMessages {
	if s.StaffMsg.RoleNames == nil {
		return &ZhCNStaff
	}
	return &s.StaffMsg
}

// ProjectRequest is a project to create.
type ProjectRequest struct {
	CommunityID     string
	Name            string
	Need            string
	LeadStakeholder uint64
	CampaignID      uint64
	MeetingID       uint64
	AppealRefs      []string
	CreatedBy       string
}

// Create validates and stores a project. With a meeting and no appeals
// named, the project takes the meeting's appeals.
func (s *Projects) Create(ctx context.Context, r ProjectRequest) (*models.Project, error) {
	name := strings.TrimSpace(r.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxProjectNameRunes {
		return nil, models.Errorf(models.EINVALID, "name: want 1 to %d characters", MaxProjectNameRunes)
	}
	need, err := models.ParseNeed(r.Need)
	if err != nil {
		return nil, err
	}
	p := &models.Project{CommunityID: r.CommunityID, Name: name, Need: need, LeadStakeholderID: r.LeadStakeholder,
		CampaignID: r.CampaignID, MeetingID: r.MeetingID, Status: models.ProjectActive, CreatedBy: r.CreatedBy}
	if p.CreatedBy == "" {
		p.CreatedBy = string(models.ActorAdmin)
	}
	invalid := func(err error, format string, args ...any) error {
		if models.ErrorCode(err) == models.ENOTFOUND {
			return models.Errorf(models.EINVALID, format, args...)
		}
		return err
	}
	if r.LeadStakeholder != 0 {
		if _, err := s.Store.StakeholderByID(ctx, r.CommunityID, r.LeadStakeholder); err != nil {
			return nil, invalid(err, "lead_stakeholder %d is not in the stakeholder directory", r.LeadStakeholder)
		}
	}
	if r.CampaignID != 0 {
		if _, err := s.Store.CampaignByID(ctx, r.CommunityID, r.CampaignID); err != nil {
			return nil, invalid(err, "campaign %d does not exist", r.CampaignID)
		}
	}
	refs := r.AppealRefs
	if r.MeetingID != 0 {
		m, err := s.Store.MeetingByID(ctx, r.CommunityID, r.MeetingID)
		if err != nil {
			return nil, invalid(err, "meeting %d does not exist", r.MeetingID)
		}
		if len(refs) == 0 {
			refs = m.LinkedAppeals()
		}
	}
	if p.AppealRefs, err = s.checkRefs(ctx, r.CommunityID, refs); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if p.Code, err = s.Store.NextProjectCode(ctx, r.CommunityID); err != nil {
			return nil, err
		}
		err = s.Store.ApplyProjectChange(ctx, &models.ProjectChange{Project: p})
		if errors.Is(err, models.ErrStale) && attempt < 5 {
			continue // another project took the code
		}
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

// checkRefs checks that every reference code names an appeal of the community.
func (s *Projects) checkRefs(ctx context.Context, communityID string, refs []string) (string, error) {
	var out []string
	for _, ref := range refs {
		ref = strings.ToUpper(strings.TrimSpace(ref))
		if ref == "" || slices.Contains(out, ref) {
			continue
		}
		if !models.ValidRef(ref) {
			return "", models.Errorf(models.EINVALID, "appeal_refs: %q is not a reference code (e.g. SQ2611260007)", ref)
		}
		a, err := s.Store.AppealByRef(ctx, ref)
		if err != nil || a.CommunityID != communityID {
			if err == nil || models.ErrorCode(err) == models.ENOTFOUND {
				return "", models.Errorf(models.EINVALID, "appeal %s does not exist in community %s", ref, communityID)
			}
			return "", err
		}
		out = append(out, ref)
	}
	if len(out) > MaxProjectAppeals {
		return "", models.Errorf(models.EINVALID, "appeal_refs: at most %d appeals per project", MaxProjectAppeals)
	}
	return strings.Join(out, ","), nil
}

// apply runs build on a fresh read of the project and stores its change,
// again from a fresh read when the project changed meanwhile.
func (s *Projects) apply(ctx context.Context, communityID string, id uint64,
	build func(p *models.Project, ch *models.ProjectChange) error) (*models.Project, *models.ProjectChange, error) {
	for attempt := 1; ; attempt++ {
		p, err := s.Store.ProjectByID(ctx, communityID, id)
		if err != nil {
			return nil, nil, err
		}
		if p.Status == models.ProjectCompleted {
			return nil, nil, ErrProjectDone
		}
		ch := &models.ProjectChange{Project: p, ExpectVersion: p.Version}
		if err := build(p, ch); err != nil {
			return nil, nil, err
		}
		err = s.Store.ApplyProjectChange(ctx, ch)
		if (errors.Is(err, models.ErrStale) || errors.Is(err, models.ErrAppealChanged)) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if len(ch.Outbox) > 0 && s.Notify != nil {
			s.Notify()
		}
		return p, ch, nil
	}
}

// PledgeRequest is money pledged to a project, in whole yuan.
type PledgeRequest struct {
	Source     string
	AmountYuan int64
	Donor      string
	By         string // actor string
}

// Pledge records a pledge.
func (s *Projects) Pledge(ctx context.Context, communityID string, id uint64, r PledgeRequest) (*models.ProjectPledge, error) {
	src, err := models.ParsePledgeSource(r.Source)
	if err != nil {
		return nil, err
	}
	if r.AmountYuan <= 0 || r.AmountYuan > models.MaxPledgeYuan {
		return nil, models.Errorf(models.EINVALID, "amount_yuan %d: want a whole number of yuan from 1 to %d", r.AmountYuan, models.MaxPledgeYuan)
	}
	donor := strings.TrimSpace(r.Donor)
	if utf8.RuneCountInString(donor) > MaxDonorRunes {
		return nil, models.Errorf(models.EINVALID, "donor: at most %d characters", MaxDonorRunes)
	}
	if r.By == "" {
		r.By = string(models.ActorAdmin)
	}
	pl := &models.ProjectPledge{Source: src, AmountYuan: r.AmountYuan, Donor: donor, CreatedBy: r.By}
	_, _, err = s.apply(ctx, communityID, id, func(p *models.Project, ch *models.ProjectChange) error {
		ch.Pledge = pl
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pl, nil
}

// concerned returns, deduplicated, the linked appeals' authors and "me
// too" followers, then the active volunteers.
func (s *Projects) concerned(ctx context.Context, p *models.Project) ([]string, error) {
	var out []string
	add := func(o string) {
		if o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	for _, ref := range p.LinkedAppeals() {
		a, err := s.Store.AppealByRef(ctx, ref)
		if models.ErrorCode(err) == models.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		add(a.OpenID)
		fs, err := s.Store.Followers(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			add(f.OpenID)
		}
	}
	vs, err := s.Store.VolunteerOpenIDs(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		add(v)
	}
	return out, nil
}

// MilestoneRequest is a step of a project.
type MilestoneRequest struct {
	Title    string
	Progress *int // percent, optional
	Note     string
	By       string // actor string
}

// Milestone records a milestone and tells the linked appeals' residents and
// the volunteers, within WeChat's rules.
func (s *Projects) Milestone(ctx context.Context, communityID string, id uint64, r MilestoneRequest) (*models.ProjectMilestone, SendResult, error) {
	title, note := strings.TrimSpace(r.Title), strings.TrimSpace(r.Note)
	switch {
	case title == "" || utf8.RuneCountInString(title) > MaxMilestoneRunes:
		return nil, SendResult{}, models.Errorf(models.EINVALID, "title: want 1 to %d characters", MaxMilestoneRunes)
	case note == "" || utf8.RuneCountInString(note) > MaxNoteRunes:
		return nil, SendResult{}, models.Errorf(models.EINVALID, "note: want 1 to %d characters", MaxNoteRunes)
	case r.Progress != nil && (*r.Progress < 0 || *r.Progress > 100):
		return nil, SendResult{}, models.Errorf(models.EINVALID, "progress %d: want a percentage from 0 to 100", *r.Progress)
	}
	if r.By == "" {
		r.By = string(models.ActorAdmin)
	}
	ms := &models.ProjectMilestone{Title: title, Progress: -1, Note: note, CreatedBy: r.By}
	progress := ""
	if r.Progress != nil {
		ms.Progress = *r.Progress
		progress = fmt.Sprintf(s.Msg.ProgressLineF, *r.Progress)
	}
	var res SendResult
	_, done, err := s.apply(ctx, communityID, id, func(p *models.Project, ch *models.ProjectChange) error {
		cp := *ms
		ch.Milestone = &cp
		who, err := s.concerned(ctx, p)
		if err != nil {
			return err
		}
		text := fmt.Sprintf(s.Msg.MilestoneF, p.Code, p.Name, title, progress, note)
		data, _ := json.Marshal(map[string]string{"thing1": cut(p.Name, 20), "thing2": cut(title, 20), "character_string3": p.Code})
		var msgs []*models.OutboxMessage
		for _, o := range who {
			msgs = append(msgs, &models.OutboxMessage{CommunityID: p.CommunityID, OpenID: o, Type: models.PushProject, Text: text,
				Data: string(data), Key: fmt.Sprintf("project:%d:ms:%s:%s", p.ID, models.MilestoneIDPlaceholder, o)})
		}
		ch.Outbox, _, res, err = s.planner().plan(ctx, p.CommunityID, msgs, time.Time{})
		return err
	})
	if err != nil {
		return nil, SendResult{}, err
	}
	return done.Milestone, res, nil
}

func (s *Projects) planner() pushPlan {
	return pushPlan{Load: s.Store, Quota: s.TemplateQuota, Location: s.loc(), Now: s.Now()}
}

// CompleteRequest closes a project with its outcome.
type CompleteRequest struct {
	Outcome string
	// By is the committee member or administrator who records it (a staff
	// id or a bound openid): linked appeals are resolved in their name,
	// as the lifecycle lets only handlers and the committee resolve.
	By string
}

// Complete records the outcome, resolves each linked appeal through the
// lifecycle (its residents told and asked to rate, as after 办结), and
// tells the volunteers. A linked appeal the lifecycle does not let resolve
// now (not yet handled, resolved already, closed) gets the outcome as an
// event only, and its residents are told.
func (s *Projects) Complete(ctx context.Context, communityID string, id uint64, r CompleteRequest) (*models.Project, SendResult, error) {
	outcome := strings.TrimSpace(r.Outcome)
	if outcome == "" || utf8.RuneCountInString(outcome) > MaxNoteRunes {
		return nil, SendResult{}, models.Errorf(models.EINVALID, "outcome: want 1 to %d characters", MaxNoteRunes)
	}
	st, err := s.recorder(ctx, communityID, r.By)
	if err != nil {
		return nil, SendResult{}, err
	}
	actor := models.Actor{Kind: models.ActorStaff, Staff: st}
	var res SendResult
	p, _, err := s.apply(ctx, communityID, id, func(p *models.Project, ch *models.ProjectChange) error {
		now := s.Now().UTC()
		p.Status, p.Outcome, p.CompletedAt = models.ProjectCompleted, outcome, &now
		msgs, err := s.closeAppeals(ctx, p, ch, actor, now)
		if err != nil {
			return err
		}
		told := map[string]bool{}
		for _, m := range msgs {
			told[m.OpenID] = true
		}
		vs, err := s.Store.VolunteerOpenIDs(ctx, p.ID)
		if err != nil {
			return err
		}
		done := fmt.Sprintf(s.Msg.CompletedF, p.Code, p.Name, outcome)
		for _, o := range vs {
			if !told[o] {
				told[o] = true
				msgs = append(msgs, s.push(p, o, "done", done))
			}
		}
		ch.Outbox, _, res, err = s.planner().plan(ctx, p.CommunityID, msgs, time.Time{})
		return err
	})
	if err != nil {
		return nil, SendResult{}, err
	}
	return p, res, nil
}

func (s *Projects) push(p *models.Project, openID, tag, text string) *models.OutboxMessage {
	data, _ := json.Marshal(map[string]string{"thing1": cut(p.Name, 20), "character_string3": p.Code})
	return &models.OutboxMessage{CommunityID: p.CommunityID, OpenID: openID, Type: models.PushProject, Text: text,
		Data: string(data), Key: fmt.Sprintf("project:%d:%s:%s", p.ID, tag, openID)}
}

// closeAppeals adds the outcome to each linked appeal and resolves the ones
// the lifecycle lets resolve; it returns the pushes to their residents.
func (s *Projects) closeAppeals(ctx context.Context, p *models.Project, ch *models.ProjectChange, actor models.Actor, now time.Time) ([]*models.OutboxMessage, error) {
	sm := s.staffMsg()
	reason := fmt.Sprintf(s.Msg.AppealOutcomeF, p.Code, p.Name, p.Outcome)
	note := clip(p.Outcome, 200)
	var msgs []*models.OutboxMessage
	told := map[string]bool{}
	tell := func(o, text string) {
		if o != "" && !told[o] {
			told[o] = true
			msgs = append(msgs, s.push(p, o, "done", text))
		}
	}
	for _, ref := range p.LinkedAppeals() {
		a, err := s.Store.AppealByRef(ctx, ref)
		if models.ErrorCode(err) == models.ENOTFOUND {
			continue // a linked appeal that is gone has nothing to close
		}
		if err != nil {
			return nil, err
		}
		fs, err := s.Store.Followers(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		before := a.Status
		evs := []*models.AppealEvent{{AppealID: a.ID, Actor: actor.String(), Action: "project_outcome",
			FromStatus: before, ToStatus: before, Reason: reason, At: now}}
		resolved := false
		if models.Allowed(a.Status, models.ActResolve) {
			ev, err := models.Transition(a, models.ActResolve, actor, reason, now)
			if err != nil {
				return nil, err
			}
			evs, resolved = append(evs, ev), true
		}
		ch.AppealUpdates = append(ch.AppealUpdates, &models.AppealUpdate{Appeal: a, ExpectStatus: before, Events: evs})
		if resolved {
			tell(a.OpenID, fmt.Sprintf(sm.PushResolvedAuthorF, a.Ref, a.Topic, note))
			for _, f := range fs {
				tell(f.OpenID, fmt.Sprintf(sm.PushResolvedFollowerF, a.Ref, a.Topic, note))
			}
			continue
		}
		done := fmt.Sprintf(s.Msg.CompletedF, p.Code, p.Name, p.Outcome)
		tell(a.OpenID, done)
		for _, f := range fs {
			tell(f.OpenID, done)
		}
	}
	return msgs, nil
}

// recorder is the staff member named by by: a committee member or an
// administrator, by staff id or bound openid.
func (s *Projects) recorder(ctx context.Context, communityID, by string) (*models.Staff, error) {
	by = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(by), "staff:"))
	if by == "" {
		return nil, models.Errorf(models.EINVALID, "by: name the committee member who records the outcome (staff id or bound openid)")
	}
	var st *models.Staff
	var err error
	if id, perr := strconv.ParseUint(by, 10, 64); perr == nil {
		st, err = s.Store.StaffByID(ctx, communityID, id)
	} else {
		st, err = s.Store.StaffByOpenID(ctx, communityID, by)
	}
	if models.ErrorCode(err) == models.ENOTFOUND || (err == nil && (!st.Active ||
		(st.Role != models.RoleCommittee && st.Role != models.RoleAdmin))) {
		return nil, models.Errorf(models.EINVALID, "by %q: not an active committee member or administrator of community %s", by, communityID)
	}
	return st, err
}

// ProjectView is a project with its totals, pledges and milestones (no openids).
type ProjectView struct {
	Project    *models.Project
	Totals     *models.ProjectTotals
	Pledges    []*models.ProjectPledge
	Milestones []*models.ProjectMilestone
}

// Get returns a project's view.
func (s *Projects) Get(ctx context.Context, communityID string, id uint64) (*ProjectView, error) {
	p, err := s.Store.ProjectByID(ctx, communityID, id)
	if err != nil {
		return nil, err
	}
	v := &ProjectView{Project: p}
	if v.Totals, err = s.Store.ProjectTotals(ctx, p.ID); err != nil {
		return nil, err
	}
	if v.Pledges, err = s.Store.ProjectPledges(ctx, p.ID); err != nil {
		return nil, err
	}
	if v.Milestones, err = s.Store.ProjectMilestones(ctx, p.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// List returns a community's projects of a need ("" = all), each with its totals.
func (s *Projects) List(ctx context.Context, communityID, need string) ([]*ProjectView, error) {
	var n models.Need
	if need != "" {
		var err error
		if n, err = models.ParseNeed(need); err != nil {
			return nil, err
		}
	}
	ps, err := s.Store.ListProjects(ctx, communityID, n)
	if err != nil {
		return nil, err
	}
	out := make([]*ProjectView, 0, len(ps))
	for _, p := range ps {
		t, err := s.Store.ProjectTotals(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, &ProjectView{Project: p, Totals: t})
	}
	return out, nil
}
