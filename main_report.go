package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/gongzhi/gongzhi/bot/messages"
	"github.com/gongzhi/gongzhi/handlers/console"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
)

// writeReportText prints the figures with Chinese labels: what `gongzhi
// report` shows a committee member by default.
func writeReportText(w io.Writer, st *models.Stats, loc *time.Location) error {
	who := "全部社区"
	if st.CommunityID != "" {
		who = "社区 " + st.CommunityID
	}
	counts := func(m map[string]int, names map[string]string) string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			name := k
			if n, ok := names[k]; ok {
				name = n
			} else if k == "none" {
				name = "未填"
			}
			parts = append(parts, fmt.Sprintf("%s %d", name, m[k]))
		}
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, " · ")
	}
	rate := func(r models.Ratio) string {
		if r.Den == 0 {
			return "暂无数据"
		}
		return fmt.Sprintf("%.1f%%（%d/%d）", 100*r.Rate(), r.Num, r.Den)
	}
	s := st.Split
	lines := [][2]string{
		{"诉求统计", fmt.Sprintf("%s 至 %s（%s，不含结束时刻）", st.From.In(loc).Format("2006-01-02 15:04"), st.To.In(loc).Format("2006-01-02 15:04"), who)},
		{"诉求总数", fmt.Sprint(st.Total)},
		{"按类别", counts(st.ByKind, messages.ZhCN.KindNames)},
		{"按层级", counts(st.ByLevel, console.LevelNames)},
		{"按状态", counts(st.ByStatus, messages.ZhCN.StatusNames)},
		{"按网格", counts(st.ByGrid, nil)},
		{"按部门", counts(st.ByDepartment, nil)},
		{"按时办结率", rate(st.OnTime)},
		{"24小时响应率", rate(st.Response)},
		{"办结率", rate(st.Resolution)},
		{"满意率", rate(st.Satisfaction)},
		{"超期未评价", fmt.Sprint(st.Unrated)},
		{"三级分流", fmt.Sprintf("社区即办 %d（已办结 %d） · 街镇部门限时办 %d（已办结 %d，按时 %d） · 区级统筹办 %d（已办结 %d）",
			s.Community.Total, s.Community.Resolved, s.Street.Total, s.Street.Resolved, s.StreetResolvedOnTime,
			s.District.Total, s.District.Resolved)},
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%s\t%s\n", l[0], l[1]); err != nil {
			return err
		}
	}
	return nil
}

// writeReportList exports the list itself (appeals created in [from, to) of
// one community or all) as the console's CSV, handlers by name.
func writeReportList(ctx context.Context, w io.Writer, db *store.DB, community string, from, to time.Time, loc *time.Location) error {
	q := models.ListQuery{From: from, To: to, Now: time.Now()}
	ids := []string{community}
	if community != "" {
		q.Communities = ids
	} else {
		var err error
		if ids, err = db.Communities(ctx); err != nil {
			return err
		}
	}
	list, _, err := db.ConsoleAppeals(ctx, q)
	if err != nil {
		return err
	}
	names, grids := map[string]string{}, map[string]string{}
	for _, id := range ids {
		gs, err := db.Grids(ctx, id)
		if err != nil {
			return err
		}
		for _, g := range gs {
			grids[id+"\x00"+g.ID] = g.Name
		}
		staff, err := db.ListStaff(ctx, id)
		if err != nil {
			return err
		}
		for _, s := range staff {
			names[s.Ref()] = s.Name
		}
	}
	name := func(a string) string {
		if n, ok := names[a]; ok {
			return n
		}
		return console.AssigneeName(a)
	}
	grid := func(community, id string) string {
		if n := grids[community+"\x00"+id]; n != "" {
			return n
		}
		return id
	}
	return console.WriteListCSV(w, list, console.CSVNames{Assignee: name, Grid: grid}, loc, q.Now)
}
