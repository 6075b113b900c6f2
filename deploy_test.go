package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/gongzhi/gongzhi/config"
)

// TestComposeIsASafeProductionExample: docker-compose.yml cannot start the
// sandbox (every WeChat secret is required), publishes the service on the
// host's loopback only, mounts a settings file, and reads only variables
// that .env.example lists; .env.example's passwords follow the documented
// rule (empty, to be filled); and the example settings file loads. Before,
// .env.example did not exist, no settings file was mounted, sandbox ran
// with empty credentials on every interface, and a comment put job locks
// in Redis.
func TestComposeIsASafeProductionExample(t *testing.T) {
	raw, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
			Ports       []string          `yaml:"ports"`
			Volumes     []string          `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	app, ok := c.Services["gongzhi"]
	if !ok {
		t.Fatal("no gongzhi service")
	}
	for _, v := range []string{"GONGZHI_WECHAT_APPID", "GONGZHI_WECHAT_APPSECRET", "GONGZHI_WECHAT_TOKEN", "GONGZHI_WECHAT_AES_KEY",
		"GONGZHI_ADMIN_TOKEN", "GONGZHI_PUBLIC_URL"} {
		if !strings.Contains(app.Environment[v], "${"+v+":?") {
			t.Errorf("%s = %q: want it required (${%s:?…}), so that compose never starts a sandbox", v, app.Environment[v], v)
		}
	}
	for _, p := range app.Ports {
		if !strings.HasPrefix(p, "127.0.0.1:") {
			t.Errorf("port %q is published on every interface of the host", p)
		}
	}
	if app.Environment["GONGZHI_CONFIG"] == "" || len(app.Volumes) == 0 || !strings.Contains(app.Volumes[0], app.Environment["GONGZHI_CONFIG"]) {
		t.Errorf("no settings file is mounted at GONGZHI_CONFIG: %v, %v", app.Environment["GONGZHI_CONFIG"], app.Volumes)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if comment, ok := strings.CutPrefix(strings.TrimSpace(line), "#"); ok && strings.Contains(comment, "lock") && !strings.Contains(comment, "database") {
			t.Errorf("comment %q: job locks are in the database, not in Redis", comment)
		}
	}

	env, err := os.ReadFile(".env.example")
	if err != nil {
		t.Fatalf(".env.example: %v", err)
	}
	listed := map[string]string{}
	for _, line := range strings.Split(string(env), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if k, v, ok := strings.Cut(line, "="); ok && regexp.MustCompile(`^[A-Z_]+$`).MatchString(k) {
			listed[k] = v
		}
	}
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+)`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := listed[m[1]]; !ok {
			t.Errorf("docker-compose.yml reads %s, which .env.example does not list", m[1])
		}
	}
	for _, k := range []string{"MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD", "GONGZHI_ADMIN_TOKEN"} {
		if v := listed[k]; v != "" && (!regexp.MustCompile(`^[A-Za-z0-9]{24,}$`).MatchString(v)) {
			t.Errorf(".env.example: %s=%q breaks the rule (letters and digits, 24 or more)", k, v)
		}
	}

	t.Setenv("GONGZHI_CONFIG", "")
	cfg, err := config.Load("gongzhi.example.yaml", []string{"GONGZHI_WECHAT_APPID=wx1", "GONGZHI_WECHAT_APPSECRET=s", "GONGZHI_WECHAT_TOKEN=t"})
	if err != nil {
		t.Fatalf("gongzhi.example.yaml: %v", err)
	}
	if cfg.Communities[0].ID == config.SampleCommunity().ID {
		t.Error("the example settings file runs the sample community")
	}
}
