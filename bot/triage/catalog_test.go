package triage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongzhi/gongzhi/models"
)

// minimal is a valid catalog that the loader tests break one field at a time.
const minimal = `
dialect: {勒个: 这个}
questions:
  reply_hint: 请回复数字。
  ask:
    - {kinds: [private, small], text: 甲？, options: [家里, 小区]}
    - {kinds: [small, major], text: 乙？, options: [小区里, 小区外]}
    - {kinds: [private, major], text: 丙？, options: [服务, 政府]}
    - {kinds: [private, small, major], text: 丁？, options: [家里, 小区, 政府]}
cues:
  - {name: own_home, kind: private, weight: 1, words: [我家]}
items:
  - {id: corridor-light, name: 楼道照明, kind: small, level: community, unit: 社区居委会, time_limit: 72h, words: [楼道灯]}
  - {id: hukou, name: 户籍办理, kind: major, level: street, unit: 派出所, time_limit: {days: 7, working_days: true}, words: [户口]}
  - {id: unlocking, name: 开锁, kind: private, level: self, unit: 居民自行处理, time_limit: 24h, words: [开锁], guide: 请找备案的开锁公司。}
`

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		old     string // replaced in minimal by new
		new     string
		wantErr string // "" means the catalog must load
	}{
		{"valid", "", "", ""},
		{"unknown kind", "kind: small, level: community", "kind: medium, level: community", `item corridor-light: kind "medium"`},
		{"unknown level", "level: street", "level: city", `item hukou: level "city"`},
		{"kind level mismatch", "kind: small, level: community", "kind: small, level: street", `item corridor-light: level "street" does not fit kind "small"`},
		{"private must be self", "kind: private, level: self", "kind: private, level: community", `item unlocking: level "community" does not fit`},
		{"duplicate id", "id: hukou", "id: corridor-light", "item corridor-light: duplicate id"},
		{"missing id", "id: hukou, ", "", "item #2: id is missing"},
		{"bad id", "id: hukou", "id: 户口", `item 户口: id "户口": want an ascii slug`},
		{"missing words", "words: [户口]", "words: []", "item hukou: words are missing"},
		{"empty word", "words: [户口]", `words: [户口, " "]`, "item hukou: words #2 is empty"},
		{"private without guide", ", guide: 请找备案的开锁公司。", "", "item unlocking: guide is missing"},
		{"guide too long", "guide: 请找备案的开锁公司。", "guide: " + strings.Repeat("长", 121), "item unlocking: guide has 121 characters"},
		{"bad duration", "time_limit: 72h", "time_limit: 3天", `item corridor-light: time_limit: "3天" is not a Go duration`},
		{"zero duration", "time_limit: 72h", "time_limit: 0s", "item corridor-light: time_limit must be positive"},
		{"days missing", "{days: 7, working_days: true}", "{working_days: true}", "item hukou: time_limit: days is missing"},
		{"negative days", "{days: 7, working_days: true}", "{days: -1}", "item hukou: time_limit must be positive"},
		{"no time limit", ", time_limit: 72h", "", "item corridor-light: time_limit is missing"},
		{"missing unit", "unit: 派出所, ", "", "item hukou: unit is missing"},
		{"missing name", "name: 开锁, ", "", "item unlocking: name is missing"},
		{"unknown field", "words: [开锁]", "words: [开锁], wrods: [x]", "field wrods not found"},
		{"question missing", "    - {kinds: [private, major], text: 丙？, options: [服务, 政府]}\n", "", "no question for kinds [private major]"},
		{"question options", "options: [服务, 政府]", "options: [服务]", "questions.ask #3: want 2 or 3 kinds and one option per kind"},
		{"question kind", "kinds: [private, major]", "kinds: [private, huge]", `questions.ask #3: unknown kind "huge"`},
		{"cue kind", "kind: private, weight: 1", "kind: mine, weight: 1", `cue own_home: unknown kind "mine"`},
		{"cue weight", "weight: 1", "weight: 0", "cue own_home: weight must be positive"},
		{"cue yields to itself", "words: [我家]}", "words: [我家], yields_to: [own_home]}", `cue own_home: yields_to "own_home" is not another cue`},
		{"cue yields to unknown", "words: [我家]}", "words: [我家], yields_to: [nobody]}", `cue own_home: yields_to "nobody" is not another cue`},
		{"request cue that says whose", "words: [我家]}", "words: [我家], whose: true, request: true}", `cue own_home: a request cue neither says whose nor yields`},
		{"empty dialect form", "{勒个: 这个}", `{勒个: ""}`, `dialect "勒个": empty form`},
		{"not yaml", minimal, "items: [", "catalog: yaml"},
		{"empty", minimal, "", "catalog: empty document"},
		{"no items", minimal, "dialect: {}", "catalog: no items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := minimal
			if tt.old != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("test is stale: %q not in the minimal catalog", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.new, 1)
			}
			_, err := Load(strings.NewReader(src))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Load succeeded, want error containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("Load error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefaultCatalog(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	count := map[models.Kind]int{}
	for _, it := range cat.Items() {
		count[it.Kind]++
		if cat.Item(it.ID) != it {
			t.Errorf("Item(%q) does not return the item", it.ID)
		}
	}
	if n := len(cat.Items()); n < 60 {
		t.Errorf("default catalog has %d items, want at least 60", n)
	}
	for _, k := range models.Kinds {
		if count[k] < 15 {
			t.Errorf("default catalog has %d %s items, want at least 15", count[k], k)
		}
	}
	if len(cat.Dialect) < 30 {
		t.Errorf("dialect has %d forms, want a proper list", len(cat.Dialect))
	}
	if cat.Item("no-such-item") != nil {
		t.Error("Item of an unknown id is not nil")
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := os.WriteFile(path, []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	cat, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cat.Items()); got != 3 {
		t.Errorf("%d items, want 3", got)
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: error %v, want one naming the file", err)
	}
}

func TestDeadline(t *testing.T) {
	cat, err := Load(strings.NewReader(minimal))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	from := time.Date(2026, 11, 26, 22, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		id   string
		want time.Time
	}{
		{"duration", "corridor-light", time.Date(2026, 11, 30, 6, 0, 0, 0, sh)},
		{"working days are left to the calendar", "hukou", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cat.Item(tt.id).Deadline(from, sh)
			if !got.Equal(tt.want) {
				t.Errorf("Deadline = %v, want %v", got, tt.want)
			}
		})
	}
	hukou := cat.Item("hukou")
	if hukou.Days != 7 || !hukou.WorkingDays {
		t.Errorf("hukou: Days %d WorkingDays %v, want 7 true", hukou.Days, hukou.WorkingDays)
	}
	// Calendar days are added on the local calendar.
	it := &Item{TimeLimit: TimeLimit{}, Days: 30}
	want := time.Date(2026, 12, 27, 6, 0, 0, 0, sh)
	if got := it.Deadline(from, sh); !got.Equal(want) {
		t.Errorf("30 calendar days: %v, want %v", got, want)
	}
}
