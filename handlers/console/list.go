package console

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/models"
)

// pageSize is how many appeals one page of the list shows.
const pageSize = 50

// reviewLimit bounds the review queue shown above the list.
const reviewLimit = 20

// filter is the list's filter form as read from the query string.
type filter struct {
	Community, Kind, Level, Status, Grid, Assignee, Text, From, To string
	Overdue                                                        bool
	Page                                                           int
}

// readFilter reads and checks the query; a bad value is an EINVALID error.
func (c *Console) readFilter(g *gin.Context, v *models.Viewer) (filter, models.ListQuery, error) {
	f := filter{Community: strings.TrimSpace(g.Query("community")), Kind: g.Query("kind"), Level: g.Query("level"), Status: g.Query("status"), Grid: strings.TrimSpace(g.Query("grid")),
		Assignee: strings.TrimSpace(g.Query("assignee")), Text: strings.TrimSpace(g.Query("q")),
		From: g.Query("from"), To: g.Query("to"), Overdue: g.Query("overdue") == "1" || g.Query("overdue") == "true", Page: 1}
	q := models.ListQuery{GridID: f.Grid, Assignee: f.Assignee, Text: f.Text, Overdue: f.Overdue, Now: c.d.Now()}
	if !v.AllCommunities() {
		q.Communities = []string{v.Staff.CommunityID}
	} else if f.Community != "" {
		q.Communities = []string{f.Community}
	}
	if f.Kind != "" {
		k, err := models.ParseKind(f.Kind)
		if err != nil {
			return f, q, models.Errorf(models.EINVALID, "类别 %q 不认识", f.Kind)
		}
		q.Kind = k
	}
	if f.Level != "" {
		l, err := models.ParseLevel(f.Level)
		if err != nil {
			return f, q, models.Errorf(models.EINVALID, "层级 %q 不认识", f.Level)
		}
		q.Level = l
	}
	if f.Status != "" {
		if !models.Status(f.Status).Valid() {
			return f, q, models.Errorf(models.EINVALID, "状态 %q 不认识", f.Status)
		}
		q.Status = models.Status(f.Status)
	}
	if len([]rune(f.Text)) > 100 {
		return f, q, models.Errorf(models.EINVALID, "搜索文字太长（最多100字）")
	}
	for _, d := range []struct {
		raw string
		dst *time.Time
		end bool
	}{{f.From, &q.From, false}, {f.To, &q.To, true}} {
		if d.raw == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.raw, c.d.Location)
		if err != nil {
			return f, q, models.Errorf(models.EINVALID, "日期 %q 格式不对（应为 2026-01-31）", d.raw)
		}
		if d.end {
			t = t.AddDate(0, 0, 1) // the end day is included
		}
		*d.dst = t
	}
	if p := g.Query("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			return f, q, models.Errorf(models.EINVALID, "页码 %q 不对", p)
		}
		f.Page = n
	}
	return f, q, nil
}

// query is the filter as a query string (for paging and the CSV link).
func (f filter) query(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"community": f.Community, "kind": f.Kind, "level": f.Level, "status": f.Status, "grid": f.Grid,
		"assignee": f.Assignee, "q": f.Text, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Overdue {
		v.Set("overdue", "1")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}

// link is a path with an encoded query, safe to put in an href as is.
func link(path, query string) template.URL {
	if query == "" {
		return template.URL(path)
	}
	return template.URL(path + "?" + query) // query is url.Values.Encode output
}

// names returns display names of the staff of the communities the viewer sees.
func (c *Console) names(ctx context.Context, v *models.Viewer) (people, []*models.Staff, error) {
	ids := []string{}
	if v.AllCommunities() {
		var err error
		if ids, err = c.d.Store.Communities(ctx); err != nil {
			return nil, nil, err
		}
	} else {
		ids = append(ids, v.Staff.CommunityID)
	}
	p := people{}
	var all []*models.Staff
	for _, id := range ids {
		list, err := c.d.Store.ListStaff(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		for _, s := range list {
			p[s.Ref()] = s.Name
			all = append(all, s)
		}
	}
	return p, all, nil
}

// option is one choice of a filter's select.
type option struct{ Value, Label string }

// gridOptions are the grids of the communities shown, by name; with more
// than one community the name says whose.
func (c *Console) gridOptions(communities []string, gn gridNames) []option {
	var out []option
	for _, cm := range communities {
		ids := make([]string, 0, len(gn[cm]))
		for id := range gn[cm] {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			label := gn.Name(cm, id)
			if len(communities) > 1 {
				label = c.communityName(cm) + " · " + label
			}
			out = append(out, option{Value: id, Label: label})
		}
	}
	return out
}

// communityOptions are the communities a viewer of every community may pick.
func (c *Console) communityOptions(ctx context.Context, v *models.Viewer) []option {
	if !v.AllCommunities() {
		return nil
	}
	ids, err := c.d.Store.Communities(ctx)
	if err != nil {
		return nil
	}
	out := make([]option, 0, len(ids))
	for _, id := range ids {
		out = append(out, option{Value: id, Label: c.communityName(id)})
	}
	return out
}

// row is one appeal of the list as shown.
type row struct {
	A        *models.Appeal
	Assignee string
	Overdue  bool
	// Urgent: an open appeal whose words speak of danger now (电梯关人,
	// 煤气味), marked 紧急 as its task push is (a first user saw it look
	// like any other row).
	Urgent bool
}

func (c *Console) rows(list []*models.Appeal, p people) []row {
	now := c.d.Now()
	out := make([]row, 0, len(list))
	for _, a := range list {
		out = append(out, row{A: a, Assignee: handler(a, p.name), Overdue: a.Overdue(now),
			Urgent: a.Status.Open() && messages.Urgent(a.Description)})
	}
	return out
}

func (c *Console) list(g *gin.Context) {
	ctx := g.Request.Context()
	v := viewer(g)
	f, q, err := c.readFilter(g, v)
	if err != nil {
		c.failErr(g, err)
		return
	}
	q.Limit, q.Offset = pageSize, (f.Page-1)*pageSize
	list, total, err := c.d.Store.ConsoleAppeals(ctx, q)
	if err != nil {
		c.failErr(g, err)
		return
	}
	p, staff, err := c.names(ctx, v)
	if err != nil {
		c.failErr(g, err)
		return
	}
	shown, gn, err := c.shownGrids(ctx, q.Communities)
	if err != nil {
		c.failErr(g, err)
		return
	}
	data := map[string]any{"F": f, "Rows": c.rows(list, p), "Total": total, "Page": f.Page, "GridNames": gn,
		"GridOptions": c.gridOptions(shown, gn), "CommunityOptions": c.communityOptions(ctx, v),
		"Pages": (total + pageSize - 1) / pageSize, "Staff": staff, "All": v.AllCommunities(), "ExportURL": link("/console/export.csv", f.query(0))}
	if f.Page > 1 {
		data["PrevURL"] = link("/console/", f.query(f.Page-1))
	}
	if f.Page*pageSize < total {
		data["NextURL"] = link("/console/", f.query(f.Page+1))
	}
	if f.Page == 1 {
		rq := models.ListQuery{Communities: q.Communities, Review: true, Now: q.Now, Limit: reviewLimit}
		review, n, err := c.d.Store.ConsoleAppeals(ctx, rq)
		if err != nil {
			c.failErr(g, err)
			return
		}
		data["Review"], data["ReviewTotal"] = c.rows(review, p), n
	}
	c.render(g, http.StatusOK, "list", v, data)
}

// csvHeader is the export's first line, in the order of csvRow.
var csvHeader = []string{"编号", "类别", "层级", "状态", "事项", "描述", "网格", "楼栋", "承办人", "办结时限", "是否超期", "提交时间", "更新时间"}

// exportCSV writes exactly the filtered rows (every page) as CSV that Excel
// opens: UTF-8 with a byte-order mark, Chinese headers.
func (c *Console) exportCSV(g *gin.Context) {
	ctx := g.Request.Context()
	v := viewer(g)
	_, q, err := c.readFilter(g, v)
	if err != nil {
		c.failErr(g, err)
		return
	}
	list, _, err := c.d.Store.ConsoleAppeals(ctx, q)
	if err != nil {
		c.failErr(g, err)
		return
	}
	p, _, err := c.names(ctx, v)
	if err != nil {
		c.failErr(g, err)
		return
	}
	_, gn, err := c.shownGrids(ctx, q.Communities)
	if err != nil {
		c.failErr(g, err)
		return
	}
	name := fmt.Sprintf("台账-%s.csv", c.d.Now().In(c.d.Location).Format("20060102-1504"))
	g.Header("Content-Type", "text/csv; charset=utf-8")
	g.Header("Content-Disposition", `attachment; filename="list.csv"; filename*=UTF-8''`+url.PathEscape(name))
	g.Status(http.StatusOK)
	if err := WriteListCSV(g.Writer, list, CSVNames{Assignee: p.name, Grid: gn.Name}, c.d.Location, c.d.Now()); err != nil {
		c.d.Log.WarnContext(ctx, "csv export cut short", "err", err)
	}
}

// CSVNames says stored ids as people read them in the CSV: an assignee as
// a person's name, a grid by its name (nil: shown as stored).
type CSVNames struct {
	Assignee func(assignee string) string
	Grid     func(community, id string) string
}

// shownGrids are the communities a list shows (those asked for, else all)
// and their grids' names.
func (c *Console) shownGrids(ctx context.Context, asked []string) ([]string, gridNames, error) {
	shown := asked
	if len(shown) == 0 {
		var err error
		if shown, err = c.d.Store.Communities(ctx); err != nil {
			return nil, nil, err
		}
	}
	gn, err := c.gridNamesOf(ctx, shown)
	return shown, gn, err
}

// WriteListCSV writes appeals as the list's CSV that Excel opens: UTF-8
// with a byte-order mark, Chinese headers (csvHeader), one row an appeal,
// handlers and grids by name, buildings as 3栋.
func WriteListCSV(out io.Writer, list []*models.Appeal, names CSVNames, loc *time.Location, now time.Time) error {
	name, grid := names.Assignee, names.Grid
	if name == nil {
		name = people{}.name
	}
	if grid == nil {
		grid = func(_, id string) string { return id }
	}
	when := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
	if _, err := out.Write([]byte("\ufeff")); err != nil {
		return err
	}
	w := csv.NewWriter(out)
	_ = w.Write(csvHeader)
	for _, a := range list {
		due := ""
		if a.DueAt != nil {
			due = when(*a.DueAt)
		}
		over := "否"
		if a.Overdue(now) {
			over = "是"
		}
		_ = w.Write([]string{a.Ref, orRaw(messages.ZhCN.KindNames, string(a.Kind)), orRaw(LevelNames, string(a.Level)),
			orRaw(messages.ZhCN.StatusNames, string(a.Status)), cell(a.Topic), cell(a.Description), cell(grid(a.CommunityID, a.GridID)), cell(building(a.Building)),
			cell(handler(a, name)), due, over, when(a.CreatedAt), when(a.UpdatedAt)})
	}
	w.Flush()
	return w.Error()
}

// building says a building number as people write it (3栋).
func building(b string) string {
	if b == "" {
		return ""
	}
	return fmt.Sprintf(messages.ZhCN.AddressBuildingF, b)
}

// cell is models.CSVCell: a cell of the export that a spreadsheet will not run.
func cell(s string) string { return models.CSVCell(s) }
