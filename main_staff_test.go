package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
	"github.com/gongzhi/gongzhi/models/store"
)

func TestStaffInviteAndReportCommands(t *testing.T) {
	t.Parallel() // its own database file; no App, no WeChat client
	dsn := filepath.Join(t.TempDir(), "gz.db")
	environ := []string{"GONGZHI_DB_DSN=" + dsn}
	cmd := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errb, environ)
		return code, out.String(), errb.String()
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"worker of an unknown grid", []string{"staff", "invite", "--role", "grid_worker", "--grid", "g9", "--name", "x"}, 1, "grid \"g9\" does not exist"},
		{"unknown role", []string{"staff", "invite", "--role", "boss", "--name", "x"}, 1, "role \"boss\""},
		{"no subcommand", []string{"staff"}, 1, "want: gongzhi staff invite"},
		{"bad range", []string{"report", "--from", "2026-12-01", "--to", "2026-11-01"}, 1, "from must be before to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := cmd(tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
	code, out, stderr := cmd("staff", "invite", "--role", "grid_worker", "--grid", "g1", "--name", "张网格")
	if code != 0 {
		t.Fatalf("staff invite: %d %s", code, stderr)
	}
	var invite string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "code "); ok {
			invite = v
		}
	}
	if len(invite) != models.InviteCodeLen || !strings.Contains(out, "expires ") || !strings.Contains(out, "+08:00") {
		t.Fatalf("staff invite printed %q", out)
	}
	db, err := store.Open(context.Background(), store.SQLite, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.BindStaff(context.Background(), "sample", "o-w", invite, time.Now())
	if err != nil || s.GridID != "g1" || s.Role != models.RoleGridWorker {
		t.Fatalf("binding the printed code: %+v, %v", s, err)
	}
	code, out, stderr = cmd("report", "--csv", "--from", "2026-01-01", "--to", "2027-01-01")
	if code != 0 || !strings.HasPrefix(out, "figure,key,value\n") || !strings.Contains(out, "satisfaction_rate,den,0") {
		t.Fatalf("report --csv: %d %q %s", code, out, stderr)
	}
	code, out, _ = cmd("report", "--json")
	if code != 0 || !strings.Contains(out, `"response_rate"`) {
		t.Fatalf("report --json: %d %q", code, out)
	}
	code, out, _ = cmd("report")
	if code != 0 || !strings.Contains(out, "诉求总数\t") || !strings.Contains(out, "三级分流\t社区即办") || strings.Contains(out, "response_rate") {
		t.Fatalf("report (Chinese by default): %d %q", code, out)
	}
	code, out, stderr = cmd("report", "--list", "--csv", "--from", "2026-01-01", "--to", "2099-01-01")
	if code != 0 || !strings.HasPrefix(out, "\ufeff编号,类别,层级,状态,事项,描述,网格,楼栋,承办人,办结时限,是否超期,提交时间,更新时间\n") {
		t.Fatalf("report --list --csv: %d %q %s", code, out, stderr)
	}
}
