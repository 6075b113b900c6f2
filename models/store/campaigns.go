package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/gongzhi/gongzhi/models"
)

// CreateCampaign stores a new campaign with the code it carries; ErrStale
// when another campaign took that code meanwhile (compute it again).
func (db *DB) CreateCampaign(ctx context.Context, c *models.Campaign) error {
	at := db.now()
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = 0, 1, at, at
	c.EndsAt = c.EndsAt.UTC().Truncate(time.Microsecond) // SQLite compares times as text
	if err := db.gorm.WithContext(ctx).Create(c).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return models.ErrStale
		}
		return fmt.Errorf("create campaign: %w", err)
	}
	return nil
}

// NextCampaignCode returns the code the community's next campaign gets.
func (db *DB) NextCampaignCode(ctx context.Context, communityID string) (string, error) {
	n, err := db.nextCode(ctx, &models.Campaign{}, communityID, "WX")
	if err != nil {
		return "", fmt.Errorf("next campaign code: %w", err)
	}
	return models.FormatCampaignCode(n), nil
}

// nextCode is 1 + the highest number among the community's recent codes of
// a table (two creations at once may get the same: the unique index decides).
func (db *DB) nextCode(ctx context.Context, model any, communityID, prefix string) (int, error) {
	var codes []string
	err := db.gorm.WithContext(ctx).Model(model).Where("community_id = ?", communityID).
		Order("id DESC").Limit(50).Pluck("code", &codes).Error
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range codes {
		n = max(n, models.CodeNumber(prefix, c))
	}
	return n + 1, nil
}

// CampaignByID returns a community's campaign or ENOTFOUND.
func (db *DB) CampaignByID(ctx context.Context, communityID string, id uint64) (*models.Campaign, error) {
	var c models.Campaign
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND id = ?", communityID, id).Take(&c).Error; err != nil {
		return nil, notFound(err, "campaign")
	}
	return &c, nil
}

// CampaignByCode returns a community's campaign by its code or ENOTFOUND.
func (db *DB) CampaignByCode(ctx context.Context, communityID, code string) (*models.Campaign, error) {
	var c models.Campaign
	if err := db.gorm.WithContext(ctx).Where("community_id = ? AND code = ?", communityID, code).Take(&c).Error; err != nil {
		return nil, notFound(err, "campaign")
	}
	return &c, nil
}

// ListCampaigns returns a community's campaigns, newest first.
func (db *DB) ListCampaigns(ctx context.Context, communityID string) ([]*models.Campaign, error) {
	var out []*models.Campaign
	if err := db.gorm.WithContext(ctx).Where("community_id = ?", communityID).Order("id DESC").Limit(500).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	return out, nil
}

// CampaignRecipients returns whom a campaign asked, in the order they were added.
func (db *DB) CampaignRecipients(ctx context.Context, campaignID uint64) ([]*models.CampaignRecipient, error) {
	var out []*models.CampaignRecipient
	if err := db.gorm.WithContext(ctx).Where("campaign_id = ?", campaignID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("campaign recipients: %w", err)
	}
	return out, nil
}

// BroadcastCampaign stores a campaign's broadcast in one transaction: the
// campaign row (only while its version is expectVersion, else ErrStale),
// the new recipients (existing ones are kept) and their pushes.
func (db *DB) BroadcastCampaign(ctx context.Context, c *models.Campaign, expectVersion int64,
	rs []*models.CampaignRecipient, pushes []*models.OutboxMessage) error {
	return db.transact(ctx, func(tx *gorm.DB) error {
		at := db.now()
		res := tx.Model(&models.Campaign{}).Where("id = ? AND version = ?", c.ID, expectVersion).Updates(map[string]any{
			"status": c.Status, "broadcast_at": c.BroadcastAt, "version": expectVersion + 1, "updated_at": at})
		if res.Error != nil {
			return fmt.Errorf("broadcast campaign: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return models.ErrStale
		}
		for i := 0; i < len(rs); i += outboxBatch {
			chunk := rs[i:min(i+outboxBatch, len(rs))]
			for _, r := range chunk {
				r.ID, r.CampaignID, r.CommunityID, r.CreatedAt = 0, c.ID, c.CommunityID, at
			}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Omit("ID").Create(chunk).Error; err != nil {
				return fmt.Errorf("add campaign recipients: %w", err)
			}
		}
		if _, err := insertOutbox(tx, pushes, at); err != nil {
			return err
		}
		c.Version = expectVersion + 1
		return nil
	}, nil)
}

// AnsweringCampaigns returns the campaigns that asked openID and take
// answers at t (broadcast, not ended), oldest first.
func (db *DB) AnsweringCampaigns(ctx context.Context, communityID, openID string, t time.Time) ([]*models.Campaign, error) {
	var out []*models.Campaign
	t = t.UTC()
	err := db.gorm.WithContext(ctx).Model(&models.Campaign{}).
		Joins("JOIN campaign_recipients AS r ON r.campaign_id = campaigns.id").
		Where("r.community_id = ? AND r.open_id = ? AND campaigns.status = ? AND campaigns.broadcast_at <= ? AND campaigns.ends_at > ?",
			communityID, openID, models.CampaignOpen, t, t).
		Order("campaigns.id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("answering campaigns: %w", err)
	}
	return out, nil
}

// applyParticipation stores a turn's campaign answers and volunteer
// changes inside its transaction (after its new appeals got their ids).
func applyParticipation(tx *gorm.DB, t *models.Turn, at time.Time) error {
	for _, a := range t.CampaignAnswers {
		if a.NewAppeal > 0 {
			if a.NewAppeal > len(t.NewAppeals) {
				return fmt.Errorf("campaign answer: no new appeal %d in the turn", a.NewAppeal)
			}
			a.AppealID = t.NewAppeals[a.NewAppeal-1].Appeal.ID
		}
		a.ID, a.CommunityID, a.OpenID, a.CreatedAt = 0, t.CommunityID, t.OpenID, at
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(a).Error; err != nil {
			return fmt.Errorf("record campaign answer: %w", err)
		}
	}
	for _, v := range t.Volunteers {
		v.ID, v.CommunityID, v.OpenID, v.UpdatedAt = 0, t.CommunityID, t.OpenID, at
		if v.SignedUpAt.IsZero() {
			v.SignedUpAt = at
		}
		cols := []string{"active", "updated_at"}
		if v.Active {
			cols = append(cols, "signed_up_at") // a new sign-up after a withdrawal counts from now
		}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "project_id"}, {Name: "open_id"}},
			DoUpdates: clause.AssignmentColumns(cols),
		}).Create(v).Error
		if err != nil {
			return fmt.Errorf("record volunteer: %w", err)
		}
	}
	return nil
}

// CampaignReport computes a campaign's table from its answers and the
// appeals they are on the list as (as those appeals stand now).
// CampaignAnswerCounts counts each campaign's answers (its report's
// Total) in one query, for a list of campaigns; a campaign without answers
// is absent (zero).
func (db *DB) CampaignAnswerCounts(ctx context.Context, campaignIDs []uint64) (map[uint64]int, error) {
	out := map[uint64]int{}
	if len(campaignIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		CampaignID uint64
		N          int
	}
	err := db.gorm.WithContext(ctx).Table("campaign_answers AS ca").Joins("JOIN appeals AS a ON a.id = ca.appeal_id").
		Select("ca.campaign_id, count(*) AS n").Where("ca.campaign_id IN ?", campaignIDs).Group("ca.campaign_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("campaign answers: %w", err)
	}
	for _, r := range rows {
		out[r.CampaignID] = r.N
	}
	return out, nil
}

func (db *DB) CampaignReport(ctx context.Context, campaignID uint64, topN int) (*models.CampaignReport, error) {
	g := db.gorm.WithContext(ctx)
	rep := &models.CampaignReport{ByLevel: map[string]int{}, ByKind: map[string]int{}, ByStatus: map[string]int{}}
	for _, l := range []models.Level{models.LevelCommunity, models.LevelStreet, models.LevelDistrict, models.LevelSelf} {
		rep.ByLevel[string(l)] = 0
	}
	for _, k := range []models.Kind{models.KindMajor, models.KindSmall, models.KindPrivate} {
		rep.ByKind[string(k)] = 0
	}
	var rows []struct {
		OpenID     string `gorm:"column:open_id"`
		AppealID   uint64
		Kind       string
		Level      string
		Status     string
		TopicID    string
		Topic      string
		DueAt      *time.Time
		ResolvedAt *time.Time
	}
	err := g.Table("campaign_answers AS ca").Joins("JOIN appeals AS a ON a.id = ca.appeal_id").
		Select("ca.open_id, ca.appeal_id, a.kind, a.level, a.status, a.topic_id, a.topic, a.due_at, a.resolved_at").
		Where("ca.campaign_id = ?", campaignID).Order("ca.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("campaign report: %w", err)
	}
	who, appeals := map[string]bool{}, map[uint64]bool{}
	topics := map[string]*models.TopicCount{}
	for _, r := range rows {
		rep.Total++
		who[r.OpenID], appeals[r.AppealID] = true, true
		rep.ByLevel[r.Level]++
		rep.ByKind[r.Kind]++
		rep.ByStatus[r.Status]++
		st := models.Status(r.Status)
		done := st == models.StatusResolved || st == models.StatusClosed
		switch {
		case st == models.StatusGuided:
			rep.Guided++
		case done:
			rep.Resolved++
			if r.DueAt != nil && r.ResolvedAt != nil && !r.ResolvedAt.After(*r.DueAt) {
				rep.OnTime++
			}
			if models.Level(r.Level) == models.LevelCommunity {
				rep.Immediate++
			}
		}
		if r.TopicID != "" && models.Kind(r.Kind) != models.KindPrivate {
			tc := topics[r.TopicID]
			if tc == nil {
				tc = &models.TopicCount{TopicID: r.TopicID, Topic: r.Topic}
				topics[r.TopicID] = tc
			}
			tc.Count++
		}
	}
	rep.Answerers, rep.Appeals = len(who), len(appeals)
	rep.TopTopics = topTopics(topics, topN)
	var rc []struct {
		Unreachable string
		N           int
	}
	err = g.Model(&models.CampaignRecipient{}).Select("unreachable, COUNT(*) AS n").
		Where("campaign_id = ?", campaignID).Group("unreachable").Scan(&rc).Error
	if err != nil {
		return nil, fmt.Errorf("campaign report recipients: %w", err)
	}
	for _, r := range rc {
		rep.Recipients += r.N
		if r.Unreachable == "" {
			rep.Reached += r.N
		} else {
			rep.Unreached += r.N
		}
	}
	return rep, nil
}

// topTopics sorts topic counts, most first (ties by topic id), and keeps n.
func topTopics(m map[string]*models.TopicCount, n int) []models.TopicCount {
	out := make([]models.TopicCount, 0, len(m))
	for _, tc := range m {
		out = append(out, *tc)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].TopicID < out[j].TopicID
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// maxUnreachableShown bounds the unreachable residents read for one campaign.
const maxUnreachableShown = 5000

// CampaignUnreachable returns the residents a campaign could not reach, by
// their registered address (never their openid), in the order they were added.
func (db *DB) CampaignUnreachable(ctx context.Context, campaignID uint64) ([]models.UnreachableResident, error) {
	var out []models.UnreachableResident
	err := db.gorm.WithContext(ctx).Table("campaign_recipients AS r").
		Joins("LEFT JOIN residents AS res ON res.community_id = r.community_id AND res.open_id = r.open_id").
		Select("r.id AS recipient_id, COALESCE(res.building, '') AS building, COALESCE(res.unit, '') AS unit, "+
			"COALESCE(res.room, '') AS room, COALESCE(res.grid_id, '') AS grid_id, r.source, r.unreachable AS why").
		Where("r.campaign_id = ? AND r.unreachable <> ''", campaignID).Order("r.id").Limit(maxUnreachableShown).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("campaign unreachable: %w", err)
	}
	return out, nil
}

// CampaignAppeals returns the appeals a campaign's answers are on the list
// as, in the order of their first answer, at most limit (0: all), each
// with its count of answers and of "me too" answers.
func (db *DB) CampaignAppeals(ctx context.Context, campaignID uint64, limit int) ([]models.AnsweredAppeal, error) {
	g := db.gorm.WithContext(ctx)
	var rows []struct {
		AppealID uint64
		How      string
	}
	if err := g.Model(&models.CampaignAnswer{}).Select("appeal_id, how").Where("campaign_id = ?", campaignID).
		Order("id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("campaign answers: %w", err)
	}
	var order []uint64
	by := map[uint64]*models.AnsweredAppeal{}
	for _, r := range rows {
		a := by[r.AppealID]
		if a == nil {
			if limit > 0 && len(order) == limit {
				continue
			}
			a = &models.AnsweredAppeal{}
			by[r.AppealID] = a
			order = append(order, r.AppealID)
		}
		a.Answers++
		if r.How == models.AnswerByMeToo {
			a.MeToo++
		}
	}
	out := make([]models.AnsweredAppeal, 0, len(order))
	for i := 0; i < len(order); i += outboxBatch {
		var list []*models.Appeal
		if err := g.Where("id IN ?", order[i:min(i+outboxBatch, len(order))]).Find(&list).Error; err != nil {
			return nil, fmt.Errorf("campaign appeals: %w", err)
		}
		for _, a := range list {
			by[a.ID].Appeal = a
		}
	}
	for _, id := range order {
		if a := by[id]; a.Appeal != nil {
			out = append(out, *a)
		}
	}
	return out, nil
}
