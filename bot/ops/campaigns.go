package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// CampaignStore is what campaigns read and write; *store.DB implements it.
type CampaignStore interface {
	PushLoad
	CreateCampaign(ctx context.Context, c *models.Campaign) error
	NextCampaignCode(ctx context.Context, communityID string) (string, error)
	CampaignByID(ctx context.Context, communityID string, id uint64) (*models.Campaign, error)
	CampaignByCode(ctx context.Context, communityID, code string) (*models.Campaign, error)
	ListCampaigns(ctx context.Context, communityID string) ([]*models.Campaign, error)
	CampaignRecipients(ctx context.Context, campaignID uint64) ([]*models.CampaignRecipient, error)
	BroadcastCampaign(ctx context.Context, c *models.Campaign, expectVersion int64, rs []*models.CampaignRecipient, pushes []*models.OutboxMessage) error
	AnsweringCampaigns(ctx context.Context, communityID, openID string, t time.Time) ([]*models.Campaign, error)
	CampaignReport(ctx context.Context, campaignID uint64, topN int) (*models.CampaignReport, error)
	CampaignAnswerCounts(ctx context.Context, campaignIDs []uint64) (map[uint64]int, error)
	CampaignUnreachable(ctx context.Context, campaignID uint64) ([]models.UnreachableResident, error)
	CampaignAppeals(ctx context.Context, campaignID uint64, limit int) ([]models.AnsweredAppeal, error)
	ResidentOpenIDs(ctx context.Context, communityID string, buildings, grids []string, all bool) ([]string, error)
}

// Limits of a campaign.
const (
	MaxQuestionRunes  = 200
	MaxCampaignAsked  = 20000
	campaignTopTopics = 10
)

// Campaign errors the API tells apart.
var (
	ErrCampaignEnded   = &models.Error{Code: models.ECONFLICT, Message: "the campaign has ended: its question can no longer be sent"}
	ErrNoAudience      = &models.Error{Code: models.EINVALID, Message: "audience: give all, buildings or grids"}
	ErrAudienceTooLong = &models.Error{Code: models.EINVALID, Message: "audience: at most 255 characters of buildings and of grids, comma-separated"}
	ErrAudienceNobody  = &models.Error{Code: models.EINVALID, Message: "the audience resolves to nobody: no registered resident lives in those buildings or grids"}
	// ErrNoResidents: the audience is everyone, and no resident of the
	// community has registered an address yet (a fresh install).
	ErrNoResidents = &models.Error{Code: models.EINVALID, Message: "the audience resolves to nobody: no resident of the community has registered an address yet"}
)

// Campaigns runs campaigns (问需于民): create, broadcast the question within
// WeChat's rules, record the answers, report.
type Campaigns struct {
	store     CampaignStore
	msg       *messages.CampaignMessages
	directory Directory
	loc       *time.Location
	now       func() time.Time
	quota     int
	notify    func()
}

// CampaignsConfig is what NewCampaigns needs.
type CampaignsConfig struct {
	Store     CampaignStore // required
	Directory Directory
	Location  *time.Location
	Now       func() time.Time // nil: time.Now
	// TemplateQuota: see MeetingsConfig.TemplateQuota.
	TemplateQuota int
	// Notify wakes the outbox dispatcher after pushes were stored (nil: nobody).
	Notify func()
}

// NewCampaigns builds the campaign operations; a missing store is an error.
func NewCampaigns(c CampaignsConfig) (*Campaigns, error) {
	if c.Store == nil {
		return nil, errors.New("ops: campaigns need a store")
	}
	c.Location, c.Now, c.Notify, c.TemplateQuota = broadcastDefaults(c.Location, c.Now, c.Notify, c.TemplateQuota)
	return &Campaigns{store: c.Store, msg: &messages.ZhCNCampaigns, directory: c.Directory, loc: c.Location, now: c.Now,
		quota: c.TemplateQuota, notify: c.Notify}, nil
}

// Audience says whom a campaign asks.
type Audience struct {
	All       bool     `json:"all,omitempty"`
	Buildings []string `json:"buildings,omitempty"`
	Grids     []string `json:"grids,omitempty"`
}

// CampaignRequest is a campaign to create.
type CampaignRequest struct {
	CommunityID string
	Question    string
	Audience    Audience
	EndsAt      time.Time
	CreatedBy   string // actor string
}

// Create validates and stores a campaign (a draft until it is broadcast).
func (s *Campaigns) Create(ctx context.Context, r CampaignRequest) (*models.Campaign, error) {
	now := s.now()
	q := models.TrimText(r.Question)
	switch {
	case q == "" || utf8.RuneCountInString(q) > MaxQuestionRunes:
		return nil, models.Errorf(models.EINVALID, "question: want 1 to %d characters", MaxQuestionRunes)
	case r.EndsAt.IsZero():
		return nil, models.Errorf(models.EINVALID, "ends_at: want an RFC 3339 time with a zone")
	case !r.EndsAt.After(now):
		return nil, models.Errorf(models.EINVALID, "ends_at is in the past: a campaign must end later than now")
	case r.EndsAt.After(now.Add(models.MaxCampaignPeriod)):
		return nil, models.Errorf(models.EINVALID, "ends_at is more than a year ahead: a campaign runs at most one year")
	}
	c := &models.Campaign{CommunityID: r.CommunityID, Question: q, EndsAt: r.EndsAt.UTC(), Status: models.CampaignDraft,
		CreatedBy: r.CreatedBy}
	if c.CreatedBy == "" {
		c.CreatedBy = string(models.ActorAdmin)
	}
	if err := s.audience(c, r.Audience); err != nil {
		return nil, err
	}
	ids, err := s.asked(ctx, c)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 && c.All {
		return nil, ErrNoResidents
	}
	if len(ids) == 0 {
		return nil, ErrAudienceNobody
	}
	for attempt := 1; ; attempt++ {
		if c.Code, err = s.store.NextCampaignCode(ctx, c.CommunityID); err != nil {
			return nil, err
		}
		err = s.store.CreateCampaign(ctx, c)
		if errors.Is(err, models.ErrStale) && attempt < 5 {
			continue // another campaign took the code
		}
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// maxAudienceList is the size of the campaign's buildings and grids columns.
const maxAudienceList = 255

// audience checks and normalises the audience onto c.
func (s *Campaigns) audience(c *models.Campaign, a Audience) error {
	// The stored lists are at most maxAudienceList characters each (the
	// columns' size); checking as they grow bounds the work on any input.
	var buildings, grids []string
	seenBuilding, seenGrid := map[string]bool{}, map[string]bool{}
	size := func(list []string) int { return len(strings.Join(list, ",")) }
	for _, b := range a.Buildings {
		if b = normBuilding(b); b != "" && !seenBuilding[b] {
			seenBuilding[b] = true
			if buildings = append(buildings, b); size(buildings) > maxAudienceList {
				return ErrAudienceTooLong
			}
		}
	}
	com := s.directory.Community(c.CommunityID)
	for _, g := range a.Grids {
		g = strings.TrimSpace(g)
		if g == "" || seenGrid[g] {
			continue
		}
		seenGrid[g] = true
		if len(com.GridList()) > 0 && com.Grid(g) == nil {
			return models.Errorf(models.EINVALID, "grid %q is not a grid of community %s", g, c.CommunityID)
		}
		if grids = append(grids, g); size(grids) > maxAudienceList {
			return ErrAudienceTooLong
		}
	}
	if !a.All && len(buildings) == 0 && len(grids) == 0 {
		return ErrNoAudience
	}
	c.All = a.All
	if !a.All {
		c.Buildings, c.Grids = strings.Join(buildings, ","), strings.Join(grids, ",")
	}
	return nil
}

// asked returns the openids of the registered residents the campaign asks
// (a grid's residents: by their stored grid and by the grid's buildings).
func (s *Campaigns) asked(ctx context.Context, c *models.Campaign) ([]string, error) {
	buildings, grids := models.SplitList(c.Buildings), models.SplitList(c.Grids)
	query := append([]string(nil), buildings...)
	if com := s.directory.Community(c.CommunityID); com != nil {
		for _, g := range com.GridList() {
			if slices.Contains(grids, g.ID) {
				query = append(query, g.Buildings...)
			}
		}
	}
	ids, err := s.store.ResidentOpenIDs(ctx, c.CommunityID, query, grids, c.All)
	if err != nil {
		return nil, err
	}
	if len(ids) > MaxCampaignAsked {
		return nil, models.Errorf(models.EINVALID, "%d residents: at most %d per campaign", len(ids), MaxCampaignAsked)
	}
	return ids, nil
}

// audienceSource is the recipients' source: all, building or grid.
func audienceSource(c *models.Campaign) string {
	switch {
	case c.All:
		return "all"
	case c.Buildings != "":
		return models.SourceBuilding
	}
	return models.SourceGrid
}

// Broadcast sends the question to every resident of the audience not asked
// yet (idempotent: residents registered since the last broadcast are asked
// now). Template-bound pushes beyond the day's quota wait for the next
// day; a question that could only leave after the campaign ends is not
// queued, and the resident is listed unreachable.
func (s *Campaigns) Broadcast(ctx context.Context, communityID string, id uint64) (*models.Campaign, SendResult, error) {
	for attempt := 1; ; attempt++ {
		c, res, err := s.broadcastOnce(ctx, communityID, id)
		if errors.Is(err, models.ErrStale) && attempt < 5 {
			continue
		}
		return c, res, err
	}
}

func (s *Campaigns) broadcastOnce(ctx context.Context, communityID string, id uint64) (*models.Campaign, SendResult, error) {
	var res SendResult
	c, err := s.store.CampaignByID(ctx, communityID, id)
	if err != nil {
		return nil, res, err
	}
	now := s.now()
	if !now.Before(c.EndsAt) {
		return nil, res, ErrCampaignEnded
	}
	ids, err := s.asked(ctx, c)
	if err != nil {
		return nil, res, err
	}
	have, err := s.store.CampaignRecipients(ctx, c.ID)
	if err != nil {
		return nil, res, err
	}
	done := make(map[string]bool, len(have))
	for _, r := range have {
		done[r.OpenID] = true
	}
	text := fmt.Sprintf(s.msg.QuestionF, c.Code, c.Question, c.EndsAt.In(s.loc).Format(s.msg.TimeLayout))
	data, _ := json.Marshal(map[string]string{"thing1": messages.Clip(c.Question, 20),
		"time2": c.EndsAt.In(s.loc).Format(s.msg.TimeLayout), "character_string3": c.Code})
	var rs []*models.CampaignRecipient
	var msgs []*models.OutboxMessage
	src := audienceSource(c)
	for _, o := range ids {
		if done[o] {
			continue
		}
		done[o] = true
		rs = append(rs, &models.CampaignRecipient{OpenID: o, Source: src})
		msgs = append(msgs, &models.OutboxMessage{CommunityID: c.CommunityID, OpenID: o, Type: models.PushCampaign,
			Text: text, Data: string(data), Key: fmt.Sprintf("campaign:%d:ask:%s", c.ID, o)})
	}
	byOpenID := make(map[string]*models.CampaignRecipient, len(rs))
	for _, r := range rs {
		byOpenID[r.OpenID] = r
	}
	plan := pushPlan{Load: s.store, Quota: s.quota, Location: s.loc, Now: now}
	kept, late, res, err := plan.plan(ctx, c.CommunityID, msgs, c.EndsAt)
	if err != nil {
		return nil, res, err
	}
	for _, i := range late {
		byOpenID[msgs[i].OpenID].Unreachable = "quota"
	}
	t := now.UTC()
	for _, m := range kept {
		byOpenID[m.OpenID].QueuedAt = &t
	}
	expect := c.Version
	if c.Status == models.CampaignDraft {
		c.Status, c.BroadcastAt = models.CampaignOpen, &t
	}
	if err := s.store.BroadcastCampaign(ctx, c, expect, rs, kept); err != nil {
		return nil, res, err
	}
	if len(kept) > 0 {
		s.notify()
	}
	return c, res, nil
}

// Status is a campaign's status at now: draft, open, or ended.
func (s *Campaigns) Status(c *models.Campaign) string {
	if !s.now().Before(c.EndsAt) {
		return "ended"
	}
	return string(c.Status)
}

// CampaignView is a campaign with whom it asked and whom to phone or
// visit, by registered address (never by openid).
type CampaignView struct {
	Campaign    *models.Campaign
	Status      string
	Recipients  int
	Unreachable []models.UnreachableResident
}

// Get returns a campaign with its recipients' counts and the unreachable.
func (s *Campaigns) Get(ctx context.Context, communityID string, id uint64) (*CampaignView, error) {
	c, err := s.store.CampaignByID(ctx, communityID, id)
	if err != nil {
		return nil, err
	}
	rs, err := s.store.CampaignRecipients(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	v := &CampaignView{Campaign: c, Status: s.Status(c), Recipients: len(rs)}
	if v.Unreachable, err = s.store.CampaignUnreachable(ctx, c.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// Pending counts the residents of the campaign's audience a broadcast now
// would ask (those not asked yet): what the committee confirms before it sends.
func (s *Campaigns) Pending(ctx context.Context, communityID string, id uint64) (int, error) {
	c, err := s.store.CampaignByID(ctx, communityID, id)
	if err != nil {
		return 0, err
	}
	ids, err := s.asked(ctx, c)
	if err != nil {
		return 0, err
	}
	have, err := s.store.CampaignRecipients(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	done := make(map[string]bool, len(have))
	for _, r := range have {
		done[r.OpenID] = true
	}
	n := 0
	for _, o := range ids {
		if !done[o] {
			n++
		}
	}
	return n, nil
}

// MaxAnswersShown bounds the appeals listed with a campaign's report.
const MaxAnswersShown = 500

// Answers returns the appeals the campaign's answers are on the list as,
// in the order of their first answer (at most MaxAnswersShown).
func (s *Campaigns) Answers(ctx context.Context, communityID string, id uint64) ([]models.AnsweredAppeal, error) {
	c, err := s.store.CampaignByID(ctx, communityID, id)
	if err != nil {
		return nil, err
	}
	return s.store.CampaignAppeals(ctx, c.ID, MaxAnswersShown)
}

// ErrNotCommittee: only the committee and administrators run campaigns,
// projects and the monthly topics, and remove what the community taught
// the classifier (as they organise meetings; a district coordinator sees).
var ErrNotCommittee = &models.Error{Code: models.EFORBIDDEN,
	Message: "only committee members and administrators run campaigns, projects and learned words"}

// CheckCommittee refuses an actor who may not run campaigns, projects,
// monthly topics or learned words (ErrNotCommittee).
func CheckCommittee(a models.Actor) error {
	if !manages(a) {
		return ErrNotCommittee
	}
	return nil
}

// List returns a community's campaigns, newest first.
func (s *Campaigns) List(ctx context.Context, communityID string) ([]*models.Campaign, error) {
	return s.store.ListCampaigns(ctx, communityID)
}

// Find returns a campaign by its code (WX101) or its id.
func (s *Campaigns) Find(ctx context.Context, communityID, codeOrID string) (*models.Campaign, error) {
	if code, ok := models.NormalizeCampaignCode(codeOrID); ok {
		return s.store.CampaignByCode(ctx, communityID, code)
	}
	var id uint64
	if _, err := fmt.Sscan(strings.TrimSpace(codeOrID), &id); err != nil || id == 0 {
		return nil, models.Errorf(models.EINVALID, "campaign %q: want a code (WX101) or an id", codeOrID)
	}
	return s.store.CampaignByID(ctx, communityID, id)
}

// Report returns the campaign's table.
func (s *Campaigns) Report(ctx context.Context, communityID string, id uint64) (*models.Campaign, *models.CampaignReport, error) {
	c, err := s.store.CampaignByID(ctx, communityID, id)
	if err != nil {
		return nil, nil, err
	}
	rep, err := s.store.CampaignReport(ctx, c.ID, campaignTopTopics)
	if err != nil {
		return nil, nil, err
	}
	return c, rep, nil
}

// AnswerCounts counts the answers of each campaign of a list (List's), as
// their reports' Total would, in one read.
func (s *Campaigns) AnswerCounts(ctx context.Context, list []*models.Campaign) (map[uint64]int, error) {
	ids := make([]uint64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	return s.store.CampaignAnswerCounts(ctx, ids)
}

// ReportText is the report in words, for `gongzhi report --campaign`.
func (s *Campaigns) ReportText(c *models.Campaign, r *models.CampaignReport) string {
	m := s.msg
	lines := []string{
		fmt.Sprintf(m.ReportHeadF, c.Code, c.Question, m.StatusNames[s.Status(c)], c.EndsAt.In(s.loc).Format(m.TimeLayout)),
		fmt.Sprintf(m.ReportRecipientsF, r.Recipients, r.Reached, r.Unreached),
		fmt.Sprintf(m.ReportTotalF, r.Total, r.Answerers, r.Appeals),
		m.ReportLevels,
	}
	for _, l := range []string{"community", "street", "district", "self"} {
		lines = append(lines, fmt.Sprintf(m.ReportRowF, m.ReportLevelNames[l], r.ByLevel[l]))
	}
	lines = append(lines, m.ReportKinds)
	for _, k := range []string{"major", "small", "private"} {
		lines = append(lines, fmt.Sprintf(m.ReportRowF, m.ReportKindNames[k], r.ByKind[k]))
	}
	lines = append(lines, fmt.Sprintf(m.ReportImmediateF, r.Immediate), fmt.Sprintf(m.ReportResolvedF, r.Resolved, r.OnTime),
		fmt.Sprintf(m.ReportGuidedF, r.Guided), m.ReportTopics)
	if len(r.TopTopics) == 0 {
		lines = append(lines, m.ReportNoTopics)
	}
	for i, t := range r.TopTopics {
		lines = append(lines, fmt.Sprintf(m.ReportTopicF, i+1, t.Topic, t.Count))
	}
	return strings.Join(lines, "\n") + "\n"
}

// PlanAnswers records the turn's appeals of openID — new ones (not those
// speaking of danger now), and those followed by "me too" — as answers to every campaign that asked openID and
// takes answers at t, and returns the line thanking for it ("" when none).
func (s *Campaigns) PlanAnswers(ctx context.Context, t *models.Turn, communityID, openID string, at time.Time) (string, error) {
	if len(t.NewAppeals) == 0 && len(t.NewFollowers) == 0 {
		return "", nil
	}
	cs, err := s.store.AnsweringCampaigns(ctx, communityID, openID, at)
	if err != nil || len(cs) == 0 {
		return "", err
	}
	var codes []string
	n := len(t.CampaignAnswers)
	for _, c := range cs {
		for i, na := range t.NewAppeals {
			// A call for help is no answer to "what does the community need"
			// (a first user's lift entrapment was thanked as one).
			if na.Appeal.OpenID == openID && !messages.Urgent(na.Appeal.Description) {
				t.CampaignAnswers = append(t.CampaignAnswers, &models.CampaignAnswer{CampaignID: c.ID, NewAppeal: i + 1, How: models.AnswerByAppeal})
			}
		}
		for _, f := range t.NewFollowers {
			t.CampaignAnswers = append(t.CampaignAnswers, &models.CampaignAnswer{CampaignID: c.ID, AppealID: f.AppealID, How: models.AnswerByMeToo})
		}
		codes = append(codes, c.Code)
	}
	if len(t.CampaignAnswers) == n {
		return "", nil
	}
	return fmt.Sprintf(s.msg.AnswerThanksF, strings.Join(codes, "、")), nil
}
