package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/models"
)

// defaultStatsRange is the window of /api/stats without from and to.
const defaultStatsRange = 30 * 24 * time.Hour

// ParseRangeTime reads a stats bound: RFC 3339, or a date (YYYY-MM-DD) at
// midnight in loc. `gongzhi report` uses it too.
func ParseRangeTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, models.Errorf(models.EINVALID, "%q: want a date (2026-11-01) or RFC 3339 time", s)
	}
	return t, nil
}

// StatsRange resolves from and to ("" = default: the 30 days up to now).
func StatsRange(fromS, toS string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	to, from := now, time.Time{}
	var err error
	if toS != "" {
		if to, err = ParseRangeTime(toS, loc); err != nil {
			return from, to, models.Errorf(models.EINVALID, "to: %s", models.ErrorMessage(err))
		}
	}
	from = to.Add(-defaultStatsRange)
	if fromS != "" {
		if from, err = ParseRangeTime(fromS, loc); err != nil {
			return from, to, models.Errorf(models.EINVALID, "from: %s", models.ErrorMessage(err))
		}
	}
	if !from.Before(to) {
		return from, to, models.Errorf(models.EINVALID, "from must be before to")
	}
	return from, to, nil
}

// RatioJSON is a rate with its counts; rate is null without data.
type RatioJSON struct {
	Num  int      `json:"num"`
	Den  int      `json:"den"`
	Rate *float64 `json:"rate"`
}

func ratioOut(r models.Ratio) RatioJSON {
	out := RatioJSON{Num: r.Num, Den: r.Den}
	if r.Den > 0 {
		v := float64(int(r.Rate()*10000+0.5)) / 10000
		out.Rate = &v
	}
	return out
}

// StatsJSON is the shape of GET /api/stats and `gongzhi report`.
type StatsJSON struct {
	From         time.Time               `json:"from"`
	To           time.Time               `json:"to"`
	Community    string                  `json:"community,omitempty"`
	Total        int                     `json:"total"`
	ByKind       map[string]int          `json:"by_kind"`
	ByLevel      map[string]int          `json:"by_level"`
	ByStatus     map[string]int          `json:"by_status"`
	ByGrid       map[string]int          `json:"by_grid"`
	ByDepartment map[string]int          `json:"by_department"`
	OnTime       RatioJSON               `json:"on_time_rate"`
	Response     RatioJSON               `json:"response_rate"`
	Resolution   RatioJSON               `json:"resolution_rate"`
	Satisfaction RatioJSON               `json:"satisfaction_rate"`
	Unrated      int                     `json:"unrated"`
	Split        map[string]splitRowJSON `json:"split"`
}

type splitRowJSON struct {
	Total          int  `json:"total"`
	Resolved       int  `json:"resolved"`
	ResolvedOnTime *int `json:"resolved_on_time,omitempty"`
}

// StatsOut turns figures into their JSON form, times in loc.
func StatsOut(s *models.Stats, loc *time.Location) StatsJSON {
	if loc == nil {
		loc = time.UTC
	}
	onTime := s.Split.StreetResolvedOnTime
	return StatsJSON{From: s.From.In(loc), To: s.To.In(loc), Community: s.CommunityID, Total: s.Total,
		ByKind: s.ByKind, ByLevel: s.ByLevel, ByStatus: s.ByStatus, ByGrid: s.ByGrid, ByDepartment: s.ByDepartment,
		OnTime: ratioOut(s.OnTime), Response: ratioOut(s.Response), Resolution: ratioOut(s.Resolution),
		Satisfaction: ratioOut(s.Satisfaction), Unrated: s.Unrated,
		Split: map[string]splitRowJSON{
			"community": {Total: s.Split.Community.Total, Resolved: s.Split.Community.Resolved},
			"street":    {Total: s.Split.Street.Total, Resolved: s.Split.Street.Resolved, ResolvedOnTime: &onTime},
			"district":  {Total: s.Split.District.Total, Resolved: s.Split.District.Resolved},
		}}
}

// stats: GET /api/stats?from=&to=&community= (community "" = every community).
func (a *staffAPI) stats(c *gin.Context) {
	from, to, err := StatsRange(c.Query("from"), c.Query("to"), a.now(), a.loc)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	community := c.Query("community")
	if community != "" {
		if community, err = a.communityOf(c); err != nil {
			writeError(c, a.log, err)
			return
		}
	}
	s, err := a.db.Stats(c.Request.Context(), community, from, to)
	if err != nil {
		writeError(c, a.log, err)
		return
	}
	c.JSON(http.StatusOK, StatsOut(s, a.loc))
}
