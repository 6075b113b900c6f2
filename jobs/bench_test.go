package jobs

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
	"github.com/gongzhi/gongzhi/models/store/storetest"
)

// seedAppeals stores total appeals with multi-row INSERTs, of which due
// are open with a deadline in the next hour; the rest are closed or due
// much later, as on a long-running list.
func seedAppeals(b *testing.B, db *store.DB, total, due int, now time.Time) {
	b.Helper()
	const batch = 1000
	statuses := []string{"closed", "resolved", "closed", "in_progress"}
	for start := 0; start < total; start += batch {
		var sb strings.Builder
		sb.WriteString("INSERT INTO appeals (ref, community_id, open_id, kind, level, status, topic, assignee, due_at, created_at, updated_at) VALUES ")
		args := make([]any, 0, batch*5)
		for i := start; i < min(start+batch, total); i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, 'c1', ?, 'small', 'community', ?, '楼道灯', ?, ?, ?, ?)")
			status, dueAt := statuses[i%len(statuses)], now.Add(-time.Duration(i%1000)*time.Hour)
			if status == "in_progress" {
				dueAt = now.Add(time.Duration(48+i%5000) * time.Hour) // open, due later
			}
			if i < due {
				status, dueAt = "assigned", now.Add(time.Duration(i+1)*time.Second)
			}
			args = append(args, fmt.Sprintf("SQ%012d", i), fmt.Sprintf("oRes%07d", i%50000), status,
				fmt.Sprintf("oWorker%05d", i%300), dueAt.UTC(), now.Add(-time.Duration(i)*time.Minute).UTC(), now.UTC())
		}
		if err := db.Gorm().Exec(sb.String(), args...).Error; err != nil {
			b.Fatal(err)
		}
	}
}

func explain(b *testing.B, db *store.DB, now time.Time) string {
	q := "SELECT * FROM appeals WHERE status IN ('submitted','assigned','accepted','in_progress','review','reopened','escalated') AND due_at > ? AND due_at <= ? " +
		"AND NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.appeal_id = appeals.id AND r.lead_seconds = 86400) ORDER BY due_at, id LIMIT 200"
	prefix := "EXPLAIN "
	if db.Driver() == store.SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.Gorm().Raw(prefix+q, now.UTC(), now.Add(24*time.Hour).UTC()).Rows()
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		_ = rows.Scan(ptrs...)
		var parts []string
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			if v != nil {
				parts = append(parts, fmt.Sprintf("%s=%v", cols[i], v))
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return strings.Join(out, " | ")
}

// BenchmarkDeadlineReminder is one DEADLINE_REMINDER run with 1,000 appeals
// due among 10,000 or (GONGZHI_BENCH_LARGE=1) 1,000,000 stored.
func BenchmarkDeadlineReminder(b *testing.B) {
	sizes := []int{10_000}
	if os.Getenv("GONGZHI_BENCH_LARGE") != "" {
		sizes = append(sizes, 1_000_000)
	}
	for _, driver := range storetest.Drivers(b) {
		for _, total := range sizes {
			b.Run(fmt.Sprintf("%s/stored=%d/due=1000", driver, total), func(b *testing.B) {
				db := storetest.Open(b, driver)
				now := time.Now().UTC().Truncate(time.Second)
				t0 := time.Now()
				seedAppeals(b, db, total, 1000, now)
				b.Logf("seeded %d appeals in %v; plan: %s", total, time.Since(t0).Round(time.Millisecond), explain(b, db, now))
				j := &DeadlineReminder{Store: db, Recipients: DefaultRecipients{}, Leads: []time.Duration{24 * time.Hour},
					Msg: messages.ZhCNPush, Location: time.UTC, Now: func() time.Time { return now }}
				b.ResetTimer()
				for range b.N {
					b.StopTimer()
					db.Gorm().Exec("DELETE FROM reminders_sent")
					db.Gorm().Exec("DELETE FROM outbox_messages")
					b.StartTimer()
					c, err := j.RunCounts(context.Background())
					if err != nil || c["queued"] != 1000 {
						b.Fatalf("run = %v, %v; want 1000 queued", c, err)
					}
				}
			})
		}
	}
}

// BenchmarkEnqueueInvitations queues 10,000 meeting invitations in one call.
func BenchmarkEnqueueInvitations(b *testing.B) {
	for _, driver := range storetest.Drivers(b) {
		b.Run(driver, func(b *testing.B) {
			db := storetest.Open(b, driver)
			for i := range b.N {
				msgs := make([]*models.OutboxMessage, 10_000)
				for k := range msgs {
					msgs[k] = &models.OutboxMessage{CommunityID: "c1", OpenID: fmt.Sprintf("oRes%07d", k), Type: models.PushMeetingInvite,
						Text: "邀请您参加议事会议", Key: fmt.Sprintf("invite:%d:%d", i, k)}
				}
				if n, err := db.Enqueue(context.Background(), msgs...); err != nil || n != len(msgs) {
					b.Fatalf("Enqueue = %d, %v", n, err)
				}
			}
		})
	}
}

// BenchmarkDispatchRate sends 2,000 pushes at 200/s to the fake platform
// over HTTP and reports the rate the platform saw.
func BenchmarkDispatchRate(b *testing.B) {
	for _, driver := range storetest.Drivers(b) {
		b.Run(driver, func(b *testing.B) {
			for range b.N {
				db := storetest.Open(b, driver)
				p, sender := fake(b)
				const n, rate = 2000, 200.0
				if _, err := db.Enqueue(context.Background(), outboxMsgs(n, "rate", models.PushProgress)...); err != nil {
					b.Fatal(err)
				}
				set := fastSettings()
				set.Rate = rate
				drain(b, db, NewDispatcher(db, sender, set, nil, nil), 60*time.Second)
				pushes := p.Pushes()
				if len(pushes) != n {
					b.Fatalf("%d pushes arrived, want %d", len(pushes), n)
				}
				span := pushes[n-1].At.Sub(pushes[0].At).Seconds()
				got := float64(n-1) / span
				b.ReportMetric(got, "pushes/s")
				b.ReportMetric(100*(got-rate)/rate, "%off")
			}
		})
	}
}
