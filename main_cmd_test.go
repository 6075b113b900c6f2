package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestClassifyCommand(t *testing.T) {
	t.Parallel()
	in := "3栋楼道灯坏了好几天了\n我想办理居住证去哪里办\n我家热水器坏了想找个师傅\n水管漏水了\n\n"
	var out, errb bytes.Buffer
	env := []string{"GONGZHI_DB_DSN=" + filepath.Join(t.TempDir(), "x.db")}
	if code := run(context.Background(), []string{"classify", "--json"}, strings.NewReader(in), &out, &errb, env); code != 0 {
		t.Fatalf("classify exited %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d output lines for 5 input lines: %q", len(lines), out.String())
	}
	type line struct {
		Kind       string   `json:"kind"`
		Level      string   `json:"level"`
		Topic      string   `json:"topic"`
		Confidence *float64 `json:"confidence"`
		Question   *string  `json:"question"`
		Choices    []string `json:"choices"`
	}
	want := []struct{ kind, level string }{{"small", "community"}, {"major", "street"}, {"private", "self"}, {"", ""}, {"", ""}}
	for i, l := range lines {
		var got line
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
		if got.Confidence == nil || got.Question == nil || got.Choices == nil || got.Kind == "" || got.Level == "" {
			t.Errorf("line %d misses a field: %s", i+1, l)
		}
		if w := want[i]; w.kind != "" && (got.Kind != w.kind || got.Level != w.level || *got.Question != "") {
			t.Errorf("line %d = %s, want kind %s level %s decided", i+1, l, w.kind, w.level)
		}
		if i == 3 && (*got.Question == "" || len(got.Choices) < 2) {
			t.Errorf("水管漏水了 should be asked with choices: %s", l)
		}
	}
}

func TestClassifyCommandBadCatalog(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := os.WriteFile(bad, []byte("items: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"classify"}, strings.NewReader("x\n"), &out, &errb, []string{"GONGZHI_CATALOG=" + bad})
	if code == 0 || !strings.Contains(errb.String(), "catalog") {
		t.Fatalf("exit %d, stderr %q; want a failure naming the catalog", code, errb.String())
	}
}

func TestMenuSyncCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"menu", "sync"}, nil, &out, &errb, nil); code != 0 {
		t.Fatalf("menu sync exited %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "menu in sync") {
		t.Errorf("output %q", out.String())
	}
	if code := run(context.Background(), []string{"menu"}, nil, &out, &errb, nil); code == 0 {
		t.Error("menu without sync succeeded")
	}
}

// The service collects garbage at serveGCPercent unless the operator set
// GOGC, which the runtime has already applied and which tuneGC leaves alone.
func TestServeGCPercent(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	if got := tuneGC([]string{"GONGZHI_HTTP_ADDR=:0"}); got != serveGCPercent {
		t.Errorf("tuneGC without GOGC = %d, want %d", got, serveGCPercent)
	}
	if now := debug.SetGCPercent(serveGCPercent); now != serveGCPercent {
		t.Errorf("GC percent in force = %d, want %d", now, serveGCPercent)
	}
	debug.SetGCPercent(77) // as the runtime would from GOGC=77
	if got := tuneGC([]string{"GOGC=77"}); got != 77 {
		t.Errorf("tuneGC with GOGC=77 = %d, want 77", got)
	}
	if now := debug.SetGCPercent(77); now != 77 {
		t.Errorf("GC percent in force = %d, want 77 (GOGC wins)", now)
	}
}
