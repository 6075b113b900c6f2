package console

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/models"
)

// FiguresStore is what the figures page reads. *store.DB implements it.
type FiguresStore interface {
	Stats(ctx context.Context, communityID string, from, to time.Time) (*models.Stats, error)
	GridStats(ctx context.Context, communityID, gridID string, from, to time.Time) (*models.Stats, error)
	FailedPushes(ctx context.Context, communityID string, since time.Time) ([]*models.FailedPush, error)
	StaffByOpenID(ctx context.Context, communityID, openID string) (*models.Staff, error)
}

// maxWeeks bounds the weekly table of a long period (the latest weeks are shown).
const maxWeeks = 26

func (c *Console) registerFigures(r gin.IRoutes) {
	if c.d.Figures == nil {
		return
	}
	r.GET("/console/figures", c.secure, c.auth, c.figures)
}

// community is the community a page works on: a committee member's own; for
// viewers who see every community, ?community= or (all) "".
func (c *Console) community(g *gin.Context, v *models.Viewer) string {
	if !v.AllCommunities() {
		return v.Staff.CommunityID
	}
	return strings.TrimSpace(g.Query("community"))
}

// weekRow is one row of the weekly or per-grid table.
type weekRow struct {
	Label string
	S     *models.Stats
}

// recipient is a person to phone or visit, named as the committee knows them.
type recipient struct {
	At      time.Time
	Who     string
	Type    string
	Error   string
	Attempt int
}

func (c *Console) figures(g *gin.Context) {
	ctx := g.Request.Context()
	v := viewer(g)
	now := c.d.Now().In(c.d.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, c.d.Location)
	from, to := today.AddDate(0, 0, -27), today.AddDate(0, 0, 1)
	fromS, toS := g.Query("from"), g.Query("to")
	var err error
	if fromS != "" {
		if from, err = time.ParseInLocation("2006-01-02", fromS, c.d.Location); err != nil {
			c.fail(g, http.StatusBadRequest, "开始日期格式不对（应为 2026-01-31）。")
			return
		}
	}
	if toS != "" {
		t, err := time.ParseInLocation("2006-01-02", toS, c.d.Location)
		if err != nil {
			c.fail(g, http.StatusBadRequest, "结束日期格式不对（应为 2026-01-31）。")
			return
		}
		to = t.AddDate(0, 0, 1)
	}
	if !from.Before(to) {
		c.fail(g, http.StatusBadRequest, "开始日期要早于结束日期。")
		return
	}
	community := c.community(g, v)
	st, err := c.d.Figures.Stats(ctx, community, from, to)
	if err != nil {
		c.failErr(g, err)
		return
	}
	var weeks []weekRow
	for w := from; w.Before(to); w = w.AddDate(0, 0, 7) {
		end := w.AddDate(0, 0, 7)
		if end.After(to) {
			end = to
		}
		ws, err := c.d.Figures.Stats(ctx, community, w, end)
		if err != nil {
			c.failErr(g, err)
			return
		}
		weeks = append(weeks, weekRow{Label: w.Format("01-02") + " ~ " + end.AddDate(0, 0, -1).Format("01-02"), S: ws})
	}
	if len(weeks) > maxWeeks {
		weeks = weeks[len(weeks)-maxWeeks:]
	}
	gridOf := community
	if gridOf == "" {
		gridOf = c.d.Community
	}
	var grids []weekRow
	gl, err := c.d.Store.Grids(ctx, gridOf)
	if err != nil {
		c.failErr(g, err)
		return
	}
	for _, gr := range gl {
		gs, err := c.d.Figures.GridStats(ctx, gridOf, gr.ID, from, to)
		if err != nil {
			c.failErr(g, err)
			return
		}
		label := gr.ID
		if gr.Name != "" {
			label = gr.Name + "（" + gr.ID + "）"
		}
		grids = append(grids, weekRow{Label: label, S: gs})
	}
	failed, err := c.failed(ctx, gridOf, from)
	if err != nil {
		c.failErr(g, err)
		return
	}
	c.render(g, http.StatusOK, "figures", v, map[string]any{"S": st, "From": from.Format("2006-01-02"),
		"To": to.AddDate(0, 0, -1).Format("2006-01-02"), "Levels": levelChart(st.Split), "Kinds": kindChart(st.ByKind),
		"Weeks": weeks, "Grids": grids, "Failed": failed, "Community": community, "All": v.AllCommunities(),
		"CommunityOptions": c.communityOptions(ctx, v)})
}

// failed names the people whom pushes did not reach: staff by name and
// role, residents by their registered address; never an openid or a text.
func (c *Console) failed(ctx context.Context, community string, since time.Time) ([]recipient, error) {
	list, err := c.d.Figures.FailedPushes(ctx, community, since)
	if err != nil {
		return nil, err
	}
	out := make([]recipient, 0, len(list))
	for _, p := range list {
		who := "居民（未登记住址）"
		if s, err := c.d.Figures.StaffByOpenID(ctx, community, p.OpenID); err == nil {
			who = s.Name + "（" + orRaw(roleNames, string(s.Role)) + "）"
		} else if r, err := c.d.Store.Resident(ctx, community, p.OpenID); err == nil && r.Building != "" {
			who = fmt.Sprintf("居民：%s栋%s单元%s", r.Building, r.Unit, r.Room)
		}
		out = append(out, recipient{At: p.CreatedAt, Who: who, Type: p.Type, Error: p.Error, Attempt: p.Attempts})
	}
	return out, nil
}

// bar is one bar of a chart.
type bar struct {
	Label    string
	Total    int
	Resolved int
	Color    string
}

// levelChart draws the seed's three-level split as an SVG bar chart: each
// level's appeals, and how many of them are resolved.
func levelChart(s models.Split) template.HTML {
	return barChart("三级分流：社区即办 / 街镇部门限时办 / 区级统筹办", []bar{
		{"社区即办", s.Community.Total, s.Community.Resolved, "#2e7d32"},
		{"街镇部门限时办", s.Street.Total, s.Street.Resolved, "#1565c0"},
		{"区级统筹办", s.District.Total, s.District.Resolved, "#b71c1c"},
	}, true)
}

func kindChart(by map[string]int) template.HTML {
	return barChart("三事分流：大事 / 小事 / 私事", []bar{
		{"大事", by["major"], -1, "#1565c0"}, {"小事", by["small"], -1, "#2e7d32"}, {"私事", by["private"], -1, "#6a1b9a"},
	}, false)
}

// Chart geometry: a narrow viewBox with each label on its own line above
// its bar, so that a chart drawn at phone width (about 340 CSS px) keeps
// its labels at their size instead of shrinking a wide drawing.
const (
	chartW       = 340 // viewBox width
	chartFont    = 13  // label size, in viewBox units
	chartRowH    = 44  // label line + bar
	chartBarH    = 18
	chartNumRoom = 110 // right of the longest bar: "12 件，已办结 10"
)

// barChart renders horizontal bars. Every label is escaped (ours, or a
// catalog topic's name) and every value is a number, so the markup is built
// directly.
func barChart(title string, bars []bar, resolved bool) template.HTML {
	max := 1
	for _, b := range bars {
		if b.Total > max {
			max = b.Total
		}
	}
	h := 6 + chartRowH*len(bars)
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" font-size="%d" role="img" aria-label="%s">`,
		chartW, h, chartFont, template.HTMLEscapeString(title))
	span := chartW - chartNumRoom
	for i, b := range bars {
		y := 4 + i*chartRowH
		full := span * b.Total / max
		fmt.Fprintf(&sb, `<text x="0" y="%d">%s</text>`, y+chartFont, template.HTMLEscapeString(b.Label))
		by := y + chartFont + 5
		fmt.Fprintf(&sb, `<rect x="0" y="%d" width="%d" height="%d" fill="%s" fill-opacity="0.35"></rect>`, by, max1(full), chartBarH, b.Color)
		label := fmt.Sprintf("%d 件", b.Total)
		if resolved && b.Resolved >= 0 {
			done := span * b.Resolved / max
			fmt.Fprintf(&sb, `<rect x="0" y="%d" width="%d" height="%d" fill="%s"></rect>`, by, done, chartBarH, b.Color)
			label = fmt.Sprintf("%d 件，已办结 %d", b.Total, b.Resolved)
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d">%s</text>`, max1(full)+6, by+chartBarH-4, template.HTMLEscapeString(label))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String()) // numbers and escaped labels only
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}
