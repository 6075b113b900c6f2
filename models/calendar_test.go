package models

import (
	"strings"
	"testing"
	"time"
)

func TestAddWorkingDays(t *testing.T) {
	t.Parallel()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cal := DefaultCalendar(sh)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"weekday to weekday", "2026-03-10 10:00", 1, "2026-03-11 10:00"},
		{"friday skips weekend", "2026-03-13 10:00", 1, "2026-03-16 10:00"},
		{"saturday starts monday", "2026-03-14 09:00", 1, "2026-03-16 09:00"},
		{"zero is from", "2026-03-14 09:00", 0, "2026-03-14 09:00"},
		{"national day week skipped, 10-10 worked", "2026-09-30 17:00", 1, "2026-10-08 17:00"},
		{"adjusted saturday counts", "2026-10-09 10:00", 1, "2026-10-10 10:00"},
		{"spring festival: 02-14 worked", "2026-02-13 10:00", 1, "2026-02-14 10:00"},
		{"spring festival: nine days off", "2026-02-14 10:00", 1, "2026-02-24 10:00"},
		{"street limit across May day", "2026-04-29 10:00", 7, "2026-05-12 10:00"},
		{"new year 2027 provisional", "2026-12-31 10:00", 1, "2027-01-04 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.AddWorkingDays(at(tt.from), tt.n)
			if want := at(tt.want); !got.Equal(want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got.Format("2006-01-02 15:04 Mon"), tt.want)
			}
		})
	}
}

func TestDeadlineFor(t *testing.T) {
	t.Parallel()
	cal := DefaultCalendar(time.UTC)
	from := time.Date(2026, 4, 29, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		level Level
		want  time.Time
		ok    bool
	}{
		{LevelCommunity, time.Date(2026, 5, 2, 23, 59, 59, 0, time.UTC), true},
		{LevelStreet, time.Date(2026, 5, 12, 23, 59, 59, 0, time.UTC), true},
		{LevelDistrict, time.Date(2026, 5, 29, 23, 59, 59, 0, time.UTC), true},
		{LevelSelf, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.level), func(t *testing.T) {
			got, ok := cal.DeadlineFor(tt.level, from)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("DeadlineFor(%s) = %v, %v; want %v, %v", tt.level, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseCalendarErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"bad date", "2026-13-01 off x"},
		{"bad word", "2026-01-01 holiday"},
		{"missing word", "2026-01-01"},
		{"both", "2026-01-01 off\n2026-01-01 work"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseCalendar(strings.NewReader(tt.in), nil); err == nil {
				t.Errorf("ParseCalendar(%q) = nil error", tt.in)
			}
		})
	}
	c, err := ParseCalendar(strings.NewReader("# only a comment\n2026-03-16 off test # trailing\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkingDay(time.Date(2026, 3, 16, 12, 0, 0, 0, time.UTC)) {
		t.Error("2026-03-16 listed off but counted as a working day")
	}
}

func TestCalendarDue(t *testing.T) {
	t.Parallel()
	shanghai := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, shanghai)
	w := DefaultCalendar(shanghai)
	tests := []struct {
		name    string
		from    time.Time
		days    int
		working bool
		want    string
	}{
		{"3 calendar days", now, 3, false, "2026-11-29 23:59:59"},
		{"7 working days from Thursday", now, 7, true, "2026-12-07 23:59:59"},
		{"1 working day from Friday", time.Date(2026, 11, 27, 18, 0, 0, 0, shanghai), 1, true, "2026-11-30 23:59:59"},
		{"from Saturday", time.Date(2026, 11, 28, 10, 0, 0, 0, shanghai), 1, true, "2026-11-30 23:59:59"},
		{"zero days", now, 0, true, "2026-11-26 23:59:59"},
		{"National Day week is skipped", time.Date(2026, 9, 30, 10, 0, 0, 0, shanghai), 1, true, "2026-10-08 23:59:59"},
		{"an adjusted working Saturday counts", time.Date(2026, 10, 9, 10, 0, 0, 0, shanghai), 1, true, "2026-10-10 23:59:59"},
		{"UTC input late evening is the next local day", time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC), 0, false, "2026-11-27 23:59:59"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.Due(tt.from, tt.days, tt.working).In(shanghai).Format(time.DateTime); got != tt.want {
				t.Errorf("Due(%v, %d, %v) = %s, want %s", tt.from, tt.days, tt.working, got, tt.want)
			}
		})
	}
}
