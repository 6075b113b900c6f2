package bot

import (
	"strings"
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, loc)
	for _, c := range []struct {
		name, text string
		want       string // "" = not a time
		used       int
	}{
		{"date and time apart", "11月28日 19:00", "2026-11-28 19:00", 2},
		{"together", "11月28日19:00", "2026-11-28 19:00", 1},
		{"点 and 半", "11月28号7点半", "2026-11-28 07:30", 1},
		{"afternoon", "11月28日 下午7点", "2026-11-28 19:00", 2},
		{"ISO", "2026-11-28 19:00", "2026-11-28 19:00", 2},
		{"tomorrow", "明天19点", "2026-11-27 19:00", 1},
		{"the day after tomorrow", "后天 晚上8点", "2026-11-28 20:00", 2},
		{"January typed in November is next year", "1月5日 10:00", "2027-01-05 10:00", 2},
		{"morning word", "明日早上9点", "2026-11-27 09:00", 1},
		{"today", "今天 晚上7点半", "2026-11-26 19:30", 2},
		{"no such day", "2月30日 10:00", "", 0},
		{"hour 25", "11月28日 25:00", "", 0},
		{"words", "周六晚上", "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, used, ok := parseWhen(strings.Fields(c.text+" 地点 议题"), now, loc)
			if c.want == "" {
				if ok {
					t.Fatalf("parsed %v", got)
				}
				return
			}
			if !ok || got.Format("2006-01-02 15:04") != c.want || used != c.used {
				t.Fatalf("got %v (%d fields, %v), want %s (%d)", got, used, ok, c.want, c.used)
			}
		})
	}
}
