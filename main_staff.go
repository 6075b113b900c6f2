package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/gongzhi/gongzhi/bot/ops"
	"github.com/gongzhi/gongzhi/config"
	"github.com/gongzhi/gongzhi/handlers"
	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
)

// openSeeded opens and migrates the database and makes sure the configured
// communities and their grids exist, as serve does at start.
func openSeeded(ctx context.Context, e *env) (*config.Config, *store.DB, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, cfg.DB.Driver, cfg.DB.DSN, newLogger(e.stderr, cfg.SlogLevel()))
	if err != nil {
		return nil, nil, err
	}
	if err := seedCommunities(ctx, db, cfg); err != nil {
		db.Close()
		return nil, nil, err
	}
	return cfg, db, nil
}

// seedCommunities migrates and inserts the configured communities and grids.
func seedCommunities(ctx context.Context, db *store.DB, cfg *config.Config) error {
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	for _, c := range cfg.Communities {
		if err := db.EnsureCommunity(ctx, &models.Community{ID: c.ID, Name: c.Name}); err != nil {
			return err
		}
		if _, err := db.SeedGrids(ctx, c.ID, gridSpecs(c)); err != nil {
			return err
		}
	}
	return nil
}

// gridSpecs turns a configured community's grids into the store's form.
func gridSpecs(c config.Community) []models.GridSpec {
	out := make([]models.GridSpec, 0, len(c.Grids))
	for _, g := range c.Grids {
		out = append(out, models.GridSpec{ID: g.ID, Name: g.Name, Buildings: g.Buildings})
	}
	return out
}

func cmdStaff(ctx context.Context, e *env, args []string) error {
	const summary = "Issues a one-time binding code: the staff member sends “绑定 <code>” to the official account.\n" +
		"Roles: grid_worker (needs --grid), committee, liaison (needs --department), district_coordinator, admin."
	if len(args) == 0 || args[0] != "invite" {
		fs := newFlags(e, "staff invite", summary)
		fs.Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return fmt.Errorf("want: gongzhi staff invite --role R [--grid G] [--department D] --name N")
	}
	fs := newFlags(e, "staff invite", summary)
	role := fs.String("role", "", "grid_worker | committee | liaison | district_coordinator | admin")
	grid := fs.String("grid", "", "grid id (grid workers)")
	dept := fs.String("department", "", "department name or id (liaisons); add departments with POST /api/departments")
	name := fs.String("name", "", "the staff member's name")
	community := fs.String("community", "", "community id (default: the first configured)")
	ttl := fs.Duration("ttl", models.DefaultInviteTTL, "how long the code stays valid")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, db, err := openSeeded(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	if *community == "" {
		*community = cfg.Communities[0].ID
	}
	staff, err := ops.NewStaff(ops.StaffConfig{Store: db, InviteTTL: *ttl})
	if err != nil {
		return err
	}
	// The operator at the server's console acts as the system does.
	code, inv, err := staff.Invite(ctx, models.Actor{Kind: models.ActorSystem}, models.InviteRequest{CommunityID: *community,
		Role: models.Role(*role), GridID: *grid, Department: *dept, Name: *name})
	if err != nil {
		return fmt.Errorf("%s", models.ErrorMessage(err))
	}
	fmt.Fprintf(e.stdout, "code %s\nexpires %s\n", code, inv.ExpiresAt.In(cfg.Location).Format(time.RFC3339))
	return nil
}

func cmdReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "report", "Prints counts by kind, level, status, grid and department and the on-time, response,\n"+
		"resolution and satisfaction rates for appeals created in [from, to) (the same figures as GET /api/stats).")
	from := fs.String("from", "", "first day (2026-11-01) or RFC 3339 time; default 30 days before --to")
	to := fs.String("to", "", "end (exclusive): a day or RFC 3339 time; default now")
	asCSV := fs.Bool("csv", false, "write CSV rows (figure,key,value) instead of Chinese text")
	asJSON := fs.Bool("json", false, "write the figures as JSON (the shape of GET /api/stats)")
	asList := fs.Bool("list", false, "export the list itself (its appeals in the range) as CSV for Excel: UTF-8 with BOM, Chinese headers")
	community := fs.String("community", "", "one community id (default: every community)")
	campaign := fs.String("campaign", "", "a campaign's code (WX101) or id: print its report (问需 table) instead")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, db, err := openSeeded(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	if *campaign != "" {
		return printCampaignReport(ctx, e, cfg, db, *community, *campaign)
	}
	start, end, err := handlers.StatsRange(*from, *to, time.Now(), cfg.Location)
	if err != nil {
		return fmt.Errorf("%s", models.ErrorMessage(err))
	}
	if *asList {
		return writeReportList(ctx, e.stdout, db, *community, start, end, cfg.Location)
	}
	st, err := db.Stats(ctx, *community, start, end)
	if err != nil {
		return err
	}
	if !*asCSV && !*asJSON {
		return writeReportText(e.stdout, st, cfg.Location)
	}
	out := handlers.StatsOut(st, cfg.Location)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	w := csv.NewWriter(e.stdout)
	rows := [][]string{{"figure", "key", "value"}, {"range", "from", out.From.Format(time.RFC3339)},
		{"range", "to", out.To.Format(time.RFC3339)}, {"total", "", strconv.Itoa(out.Total)}}
	for _, g := range []struct {
		name string
		m    map[string]int
	}{{"kind", out.ByKind}, {"level", out.ByLevel}, {"status", out.ByStatus}, {"grid", out.ByGrid}, {"department", out.ByDepartment}} {
		keys := make([]string, 0, len(g.m))
		for k := range g.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rows = append(rows, []string{g.name, models.CSVCell(k), strconv.Itoa(g.m[k])})
		}
	}
	for _, r := range []struct {
		name string
		r    models.Ratio
	}{{"on_time_rate", st.OnTime}, {"response_rate", st.Response}, {"resolution_rate", st.Resolution}, {"satisfaction_rate", st.Satisfaction}} {
		rate := ""
		if r.r.Den > 0 {
			rate = strconv.FormatFloat(r.r.Rate(), 'f', 4, 64)
		}
		rows = append(rows, []string{r.name, "num", strconv.Itoa(r.r.Num)}, []string{r.name, "den", strconv.Itoa(r.r.Den)},
			[]string{r.name, "rate", rate})
	}
	rows = append(rows, []string{"unrated", "", strconv.Itoa(st.Unrated)})
	for _, lv := range []string{"community", "street", "district"} {
		s := out.Split[lv]
		rows = append(rows, []string{"split_" + lv, "total", strconv.Itoa(s.Total)}, []string{"split_" + lv, "resolved", strconv.Itoa(s.Resolved)})
		if s.ResolvedOnTime != nil {
			rows = append(rows, []string{"split_" + lv, "resolved_on_time", strconv.Itoa(*s.ResolvedOnTime)})
		}
	}
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
