package models

import (
	"strings"
	"testing"
	"time"
)

func TestAddWorkingDays(t *testing.T) {
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
	cal := DefaultCalendar(time.UTC)
	from := time.Date(2026, 4, 29, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		level Level
		want  time.Time
		ok    bool
	}{
		{LevelCommunity, from.AddDate(0, 0, 3), true},
		{LevelStreet, time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC), true},
		{LevelDistrict, from.AddDate(0, 0, 30), true},
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
