package ops

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

	"github.com/gongzhi/gongzhi/bot/messages"
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
	AppealByRef(ctx context.Context, communityID, ref string) (*models.Appeal, error)
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
// lifecycle (Appeals.PlanResolve), and volunteers (PlanVolunteer, for the chat).
type Projects struct {
	store   ProjectStore
	appeals *Appeals
	msg     *messages.CampaignMessages
	loc     *time.Location
	now     func() time.Time
	quota   int
	notify  func()
}

// ProjectsConfig is what NewProjects needs.
type ProjectsConfig struct {
	Store    ProjectStore // required
	Appeals  *Appeals     // required: completion resolves the linked appeals through it
	Location *time.Location
	Now      func() time.Time // nil: time.Now
	// TemplateQuota: see MeetingsConfig.TemplateQuota.
	TemplateQuota int
	// Notify wakes the outbox dispatcher after pushes were stored (nil: nobody).
	Notify func()
}

// NewProjects builds the project operations; a missing store or appeal
// operations are an error.
func NewProjects(c ProjectsConfig) (*Projects, error) {
	if c.Store == nil || c.Appeals == nil {
		return nil, errors.New("ops: projects need a store and the appeal operations")
	}
	c.Location, c.Now, c.Notify, c.TemplateQuota = broadcastDefaults(c.Location, c.Now, c.Notify, c.TemplateQuota)
	return &Projects{store: c.Store, appeals: c.Appeals, msg: &messages.ZhCNCampaigns, loc: c.Location, now: c.Now,
		quota: c.TemplateQuota, notify: c.Notify}, nil
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
	name := models.TrimText(r.Name)
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
		if _, err := s.store.StakeholderByID(ctx, r.CommunityID, r.LeadStakeholder); err != nil {
			return nil, invalid(err, "lead_stakeholder %d is not in the stakeholder directory", r.LeadStakeholder)
		}
	}
	if r.CampaignID != 0 {
		if _, err := s.store.CampaignByID(ctx, r.CommunityID, r.CampaignID); err != nil {
			return nil, invalid(err, "campaign %d does not exist", r.CampaignID)
		}
	}
	refs := r.AppealRefs
	if r.MeetingID != 0 {
		m, err := s.store.MeetingByID(ctx, r.CommunityID, r.MeetingID)
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
		if p.Code, err = s.store.NextProjectCode(ctx, r.CommunityID); err != nil {
			return nil, err
		}
		err = s.store.ApplyProjectChange(ctx, &models.ProjectChange{Project: p})
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
		a, err := s.store.AppealByRef(ctx, communityID, ref)
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
		p, err := s.store.ProjectByID(ctx, communityID, id)
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
		err = s.store.ApplyProjectChange(ctx, ch)
		if (errors.Is(err, models.ErrStale) || errors.Is(err, models.ErrAppealChanged)) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if len(ch.Outbox) > 0 {
			s.notify()
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
		a, err := s.store.AppealByRef(ctx, p.CommunityID, ref)
		if models.ErrorCode(err) == models.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		add(a.OpenID)
		fs, err := s.store.Followers(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			add(f.OpenID)
		}
	}
	vs, err := s.store.VolunteerOpenIDs(ctx, p.ID)
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
		progress = fmt.Sprintf(s.msg.ProgressLineF, *r.Progress)
	}
	var res SendResult
	_, done, err := s.apply(ctx, communityID, id, func(p *models.Project, ch *models.ProjectChange) error {
		cp := *ms
		ch.Milestone = &cp
		who, err := s.concerned(ctx, p)
		if err != nil {
			return err
		}
		text := fmt.Sprintf(s.msg.MilestoneF, p.Code, p.Name, title, progress, note)
		data, _ := json.Marshal(map[string]string{"thing1": messages.Clip(p.Name, 20), "thing2": messages.Clip(title, 20), "character_string3": p.Code})
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
	return pushPlan{Load: s.store, Quota: s.quota, Location: s.loc, Now: s.now()}
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
		now := s.now().UTC()
		p.Status, p.Outcome, p.CompletedAt = models.ProjectCompleted, outcome, &now
		msgs, told, err := s.closeAppeals(ctx, p, ch, actor, now)
		if err != nil {
			return err
		}
		vs, err := s.store.VolunteerOpenIDs(ctx, p.ID)
		if err != nil {
			return err
		}
		done := fmt.Sprintf(s.msg.CompletedF, p.Code, p.Name, outcome)
		for _, o := range vs {
			if !told[o] {
				told[o] = true
				msgs = append(msgs, s.push(p, o, "done", done))
			}
		}
		planned, _, got, err := s.planner().plan(ctx, p.CommunityID, msgs, time.Time{})
		res = got
		res.Queued += len(ch.Outbox) // the resolved appeals' pushes, sent as every appeal push is
		ch.Outbox = append(ch.Outbox, planned...)
		return err
	})
	if err != nil {
		return nil, SendResult{}, err
	}
	return p, res, nil
}

func (s *Projects) push(p *models.Project, openID, tag, text string) *models.OutboxMessage {
	data, _ := json.Marshal(map[string]string{"thing1": messages.Clip(p.Name, 20), "character_string3": p.Code})
	return &models.OutboxMessage{CommunityID: p.CommunityID, OpenID: openID, Type: models.PushProject, Text: text,
		Data: string(data), Key: fmt.Sprintf("project:%d:%s:%s", p.ID, tag, openID)}
}

// closeAppeals adds the outcome to each linked appeal and resolves, through
// Appeals.PlanResolve, the ones the lifecycle lets resolve now (their
// residents are asked to rate, as after 办结); it returns the pushes for the
// residents of the others, and the openids already told.
func (s *Projects) closeAppeals(ctx context.Context, p *models.Project, ch *models.ProjectChange, actor models.Actor, now time.Time) ([]*models.OutboxMessage, map[string]bool, error) {
	reason := fmt.Sprintf(s.msg.AppealOutcomeF, p.Code, p.Name, p.Outcome)
	done := fmt.Sprintf(s.msg.CompletedF, p.Code, p.Name, p.Outcome)
	var msgs []*models.OutboxMessage
	told := map[string]bool{}
	for _, ref := range p.LinkedAppeals() {
		outcome := &models.AppealEvent{Actor: actor.String(), Action: string(models.ActProjectOutcome), Reason: reason, At: now}
		rc, err := s.appeals.PlanResolve(ctx, StepRequest{Community: p.CommunityID, Ref: ref, Actor: actor, Note: p.Outcome})
		var step *StepError
		switch {
		case err == nil:
			a := rc.Appeal
			outcome.AppealID, outcome.FromStatus, outcome.ToStatus = a.ID, rc.Before.Status, rc.Before.Status
			rc.Update.Events = append([]*models.AppealEvent{outcome}, rc.Update.Events...)
			ch.AppealUpdates = append(ch.AppealUpdates, rc.Update)
			ch.Outbox = append(ch.Outbox, rc.Outbox...)
			for _, o := range rc.Outbox {
				told[o.OpenID] = true
			}
			continue
		case models.ErrorCode(err) == models.ENOTFOUND:
			continue // a linked appeal that is gone has nothing to close
		case !errors.As(err, &step):
			return nil, nil, err
		}
		// Not resolvable now (not yet handled, resolved already, closed): the outcome is recorded and told.
		a, err := s.store.AppealByRef(ctx, p.CommunityID, ref)
		if err != nil {
			return nil, nil, err
		}
		outcome.AppealID, outcome.FromStatus, outcome.ToStatus = a.ID, a.Status, a.Status
		ch.Events = append(ch.Events, outcome)
		fs, err := s.store.Followers(ctx, a.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range append([]string{a.OpenID}, followerIDs(fs)...) {
			if o != "" && !told[o] {
				told[o] = true
				msgs = append(msgs, s.push(p, o, "done", done))
			}
		}
	}
	return msgs, told, nil
}

func followerIDs(fs []*models.Follower) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.OpenID)
	}
	return out
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
		st, err = s.store.StaffByID(ctx, communityID, id)
	} else {
		st, err = s.store.StaffByOpenID(ctx, communityID, by)
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
	p, err := s.store.ProjectByID(ctx, communityID, id)
	if err != nil {
		return nil, err
	}
	v := &ProjectView{Project: p}
	if v.Totals, err = s.store.ProjectTotals(ctx, p.ID); err != nil {
		return nil, err
	}
	if v.Pledges, err = s.store.ProjectPledges(ctx, p.ID); err != nil {
		return nil, err
	}
	if v.Milestones, err = s.store.ProjectMilestones(ctx, p.ID); err != nil {
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
	ps, err := s.store.ListProjects(ctx, communityID, n)
	if err != nil {
		return nil, err
	}
	out := make([]*ProjectView, 0, len(ps))
	for _, p := range ps {
		t, err := s.store.ProjectTotals(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, &ProjectView{Project: p, Totals: t})
	}
	return out, nil
}

// PlanVolunteer signs openID up for the project with the code (join), or
// withdraws them, into the message's turn t, and returns the reply: an
// unknown code, a completed project, a repeated sign-up or a withdrawal of
// someone not signed up change nothing and say so.
func (s *Projects) PlanVolunteer(ctx context.Context, t *models.Turn, communityID, openID, code string, join bool) (string, error) {
	msg := s.msg
	p, err := s.store.ProjectByCode(ctx, communityID, code)
	if models.ErrorCode(err) == models.ENOTFOUND {
		return s.unknownProject(ctx, communityID, code)
	}
	if err != nil {
		return "", err
	}
	v, err := s.store.ProjectVolunteer(ctx, p.ID, openID)
	if err != nil && models.ErrorCode(err) != models.ENOTFOUND {
		return "", err
	}
	active := v != nil && v.Active
	switch {
	case join && p.Status == models.ProjectCompleted:
		return fmt.Sprintf(msg.ProjectDoneF, p.Code, p.Name), nil
	case join && active:
		return fmt.Sprintf(msg.AlreadySignedF, p.Code, p.Name), nil
	case join:
		tot, err := s.store.ProjectTotals(ctx, p.ID)
		if err != nil {
			return "", err
		}
		t.Volunteers = append(t.Volunteers, &models.ProjectVolunteer{ProjectID: p.ID, Active: true})
		return fmt.Sprintf(msg.SignedUpF, p.Code, p.Name, tot.Volunteers+1), nil
	case active:
		t.Volunteers = append(t.Volunteers, &models.ProjectVolunteer{ProjectID: p.ID, Active: false})
		return fmt.Sprintf(msg.WithdrawnF, p.Code, p.Name), nil
	}
	return fmt.Sprintf(msg.NotSignedF, p.Code), nil
}

// maxProjectsNamed keeps the unknown-code reply one readable message.
const maxProjectsNamed = 5

// recruiting names the active projects (at most maxProjectsNamed), "XM101 名称".
func (s *Projects) recruiting(ctx context.Context, communityID string) ([]string, error) {
	ps, err := s.store.ListProjects(ctx, communityID, "")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range ps {
		if p.Status == models.ProjectActive && len(names) < maxProjectsNamed {
			names = append(names, p.Code+" "+p.Name)
		}
	}
	return names, nil
}

// Recruiting answers a bare 报名 from someone invited to no meeting: the
// projects that recruit volunteers and how to sign up, or that nothing
// (no meeting, no project) is open to sign up for now.
func (s *Projects) Recruiting(ctx context.Context, communityID string) (string, error) {
	names, err := s.recruiting(ctx, communityID)
	if err != nil || len(names) == 0 {
		return s.msg.NothingToSignUp, err
	}
	return fmt.Sprintf(s.msg.ActiveProjsF, strings.Join(names, "、")), nil
}

// unknownProject says a code names no project and which ones recruit now
// (a first user tried the help's example code, which named none).
func (s *Projects) unknownProject(ctx context.Context, communityID, code string) (string, error) {
	msg := s.msg
	names, err := s.recruiting(ctx, communityID)
	if err != nil {
		return "", err
	}
	if len(names) == 0 {
		return fmt.Sprintf(msg.UnknownProjF, code) + msg.NoActiveProjs, nil
	}
	return fmt.Sprintf(msg.UnknownProjF, code) + fmt.Sprintf(msg.ActiveProjsF, strings.Join(names, "、")), nil
}
