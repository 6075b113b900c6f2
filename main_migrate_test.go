package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestMigrateStatusCommand(t *testing.T) {
	env := []string{"GONGZHI_DB_DSN=" + filepath.Join(t.TempDir(), "x.db")}
	status := func() string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"migrate", "--status"}, nil, &out, &errb, env); code != 0 {
			t.Fatalf("migrate --status exited %d: %s", code, errb.String())
		}
		return out.String()
	}
	if got := status(); !regexp.MustCompile(`(?m)^0001\s+core\s+pending\s+-$`).MatchString(got) || strings.Contains(got, "applied") {
		t.Fatalf("status of an empty database:\n%s", got)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"migrate"}, nil, &out, &errb, env); code != 0 {
		t.Fatalf("migrate exited %d: %s", code, errb.String())
	}
	got := status()
	if strings.Contains(got, "pending") || !regexp.MustCompile(`(?m)^0006\s+open311\s+applied\s+\d{4}-\d\d-\d\dT`).MatchString(got) {
		t.Fatalf("status after migrate:\n%s", got)
	}
}
