package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/models"
)

// JobMonthlyTopic is the monthly topic's job name (GONGZHI_JOB_MONTHLY_TOPIC_SCHEDULE).
const JobMonthlyTopic = config.JobMonthlyTopic

// TopicStore is what the monthly topic reads and writes; *store.DB implements it.
type TopicStore interface {
	MonthTopics(ctx context.Context, communityID string, from, to time.Time) ([]models.TopicCount, error)
	MonthTopicAppeals(ctx context.Context, communityID, topicID string, from, to time.Time) ([]string, error)
	SaveTopicProposal(ctx context.Context, p *models.TopicProposal, pushes []*models.OutboxMessage) (bool, error)
}

// MonthlyTopic (每月一题) proposes to each community's committee, once per
// month, the last full month's most frequent topic (appeals and campaign
// answers, "me too" included) as the next community meeting's topic, with
// its appeals linked: a push to each committee member and a row the admin
// API lists (GET /api/topics/monthly).
type MonthlyTopic struct {
	Store       TopicStore
	Recipients  Recipients
	Communities []CommunityName
	Msg         messages.CampaignMessages
	Location    *time.Location
	Now         func() time.Time
	Notify      func()
}

// Run implements Job.
func (j *MonthlyTopic) Run(ctx context.Context) error { _, err := j.RunCounts(ctx); return err }

// RunCounts implements CountingJob: communities, proposed (new), quiet (no topic), pushes.
func (j *MonthlyTopic) RunCounts(ctx context.Context) (Counts, error) {
	c := Counts{"communities": 0, "proposed": 0, "quiet": 0, "pushes": 0}
	loc := j.Location
	if loc == nil {
		loc = time.UTC
	}
	y, m, _ := j.Now().In(loc).Date()
	to := time.Date(y, m, 1, 0, 0, 0, 0, loc)
	from := to.AddDate(0, -1, 0)
	month := from.Format("2006-01")
	for _, com := range j.Communities {
		c["communities"]++
		topics, err := j.Store.MonthTopics(ctx, com.ID, from, to)
		if err != nil {
			return c, fmt.Errorf("monthly topic: %w", err)
		}
		if len(topics) == 0 {
			c["quiet"]++
			continue
		}
		top := topics[0]
		refs, err := j.Store.MonthTopicAppeals(ctx, com.ID, top.TopicID, from, to)
		if err != nil {
			return c, fmt.Errorf("monthly topic: %w", err)
		}
		p := &models.TopicProposal{CommunityID: com.ID, Month: month, TopicID: top.TopicID, Topic: top.Topic,
			Mentions: top.Count, AppealRefs: strings.Join(refs, ",")}
		committee, err := j.Recipients.Committee(ctx, com.ID)
		if err != nil {
			return c, fmt.Errorf("monthly topic: %w", err)
		}
		shown := refs
		if len(shown) > 10 {
			shown = append(shown[:10:10], "…")
		}
		text := fmt.Sprintf(j.Msg.MonthlyTopicF, from.Format("2006年1月"), top.Topic, top.Count, len(refs), strings.Join(shown, "、"))
		data := encodeData(map[string]string{"thing1": top.Topic, "time2": month, "number3": fmt.Sprint(top.Count)})
		var msgs []*models.OutboxMessage
		for _, o := range unique(committee) {
			msgs = append(msgs, &models.OutboxMessage{CommunityID: com.ID, OpenID: o, Type: models.PushMonthlyTopic,
				Text: text, Data: data, Key: fmt.Sprintf("monthly:%s:%s:%s", com.ID, month, o)})
		}
		created, err := j.Store.SaveTopicProposal(ctx, p, msgs)
		if err != nil {
			return c, fmt.Errorf("monthly topic: %w", err)
		}
		if created {
			c["proposed"]++
			c["pushes"] += len(msgs)
		}
	}
	if c["pushes"] > 0 && j.Notify != nil {
		j.Notify()
	}
	return c, nil
}
