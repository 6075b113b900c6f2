// Package triage holds the catalog of matters (准入清单) and the classifier that
// sorts a resident's appeal into a major (大事), small (小事) or private (私事)
// matter, following "three things diversion" (三事分流) of docs/domain.md.
//
// Every user-facing string of triage (topics, units, guides, clarifying
// questions) lives in the catalog YAML, so administrators can change wording
// without a build. The built-in default is catalog.yaml, embedded below.
package triage

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/gongzhi/gongzhi/models"
)

//go:embed catalog.yaml
var defaultCatalog []byte

// maxGuideRunes bounds a private item's guide: it is sent as one chat line.
const maxGuideRunes = 120

// Item is one matter of the catalog.
type Item struct {
	ID    string       `yaml:"id"`
	Name  string       `yaml:"name"` // the topic, zh-CN
	Kind  models.Kind  `yaml:"kind"`
	Level models.Level `yaml:"level"`
	Unit  string       `yaml:"unit"` // the responsible unit, zh-CN
	Words []string     `yaml:"words"`
	Guide string       `yaml:"guide,omitempty"` // private items: the pointer the resident gets
	// Answer answers an enquiry about the item at once (where, opening
	// hours, what to bring, phone); such an enquiry is recorded as resolved
	// immediately at community level. Local facts: to be checked locally.
	Answer string `yaml:"answer,omitempty"`
	// AskWhose marks objects found both in homes and in shared areas (pipes,
	// drains, doors): unless the text says whose or where, the bot asks.
	AskWhose bool `yaml:"ask_whose,omitempty"`
	// Fallback marks the kind's catch-all topic: a decided appeal that no
	// other item names still gets a topic, a unit and a time limit. It has
	// no words of its own (at most one per kind).
	Fallback bool `yaml:"fallback,omitempty"`

	// The time limit, copied from TimeLimit at load: a plain Duration, or
	// Days with WorkingDays telling whether they are working days.
	Duration    time.Duration `yaml:"-"`
	Days        int           `yaml:"-"`
	WorkingDays bool          `yaml:"-"`

	// TimeLimit is the YAML form (time_limit) of the fields above. It is a
	// named field, not embedded, so that its UnmarshalYAML is not promoted to
	// Item.
	TimeLimit TimeLimit `yaml:"time_limit"`
}

// TimeLimit is an item's time limit: either Duration (a plain Go duration,
// YAML "72h"), or Days with WorkingDays telling whether they are working days
// (YAML {days: N, working_days: true}). Working days need a holiday calendar,
// which another package owns, so Deadline does not guess them.
type TimeLimit struct {
	Duration    time.Duration
	Days        int
	WorkingDays bool

	set bool
	err error // kept so that validation can name the item
}

// UnmarshalYAML accepts a scalar duration or a mapping with days and working_days.
func (t *TimeLimit) UnmarshalYAML(n *yaml.Node) error {
	t.set = true
	switch n.Kind {
	case yaml.ScalarNode:
		d, err := time.ParseDuration(n.Value)
		if err != nil {
			t.err = fmt.Errorf("%q is not a Go duration: %w", n.Value, err)
			return nil
		}
		t.Duration = d
	case yaml.MappingNode:
		var m struct {
			Days        *int  `yaml:"days"`
			WorkingDays *bool `yaml:"working_days"`
		}
		if err := n.Decode(&m); err != nil {
			t.err = fmt.Errorf("want {days: N, working_days: true|false}: %w", err)
			return nil
		}
		if m.Days == nil {
			t.err = errors.New("days is missing")
			return nil
		}
		t.Days = *m.Days
		if m.WorkingDays != nil {
			t.WorkingDays = *m.WorkingDays
		}
	default:
		t.err = errors.New(`want a duration like "72h" or {days: N, working_days: true|false}`)
	}
	return nil
}

// Deadline is when an appeal received at from is due, for items whose limit
// is a plain duration or calendar days (days are added on loc's calendar, so
// a DST change does not shift the hour). For working days it returns the zero
// time: the caller computes those with the holiday calendar from Days.
func (it *Item) Deadline(from time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	from = from.In(loc)
	switch {
	case it.Duration > 0:
		return from.Add(it.Duration)
	case it.Days > 0 && !it.WorkingDays:
		return from.AddDate(0, 0, it.Days)
	}
	return time.Time{}
}

// Question is one clarifying question, for one combination of kinds in doubt.
type Question struct {
	Kinds   []models.Kind `yaml:"kinds"`
	Text    string        `yaml:"text"`
	Options []string      `yaml:"options"`
	// Items, when set, limits the question to texts whose best item is one
	// of these ids: a divorce is asked about differently from a pipe. The
	// question without Items is the one for any other text.
	Items []string `yaml:"items,omitempty"`
}

// Cue is a group of deciding words of domain.md (procedure, service-seeking,
// whose thing, where) that pushes the decision towards one kind.
type Cue struct {
	Name   string      `yaml:"name"`
	Kind   models.Kind `yaml:"kind"`
	Weight float64     `yaml:"weight"`
	Words  []string    `yaml:"words"`
	// YieldsTo names cue groups that, when they fire, make this one not
	// count: "my home" is only the place harmed when a neighbour caused it.
	YieldsTo []string `yaml:"yields_to,omitempty"`
	// Whose marks a cue that says whose thing it is or where it is (my
	// home, a neighbour, the compound, the road outside): an object found
	// both at home and in shared areas (an ask_whose item) belongs to the
	// kind such cues name when they name only one (round 11).
	Whose bool `yaml:"whose,omitempty"`
	// Request marks a cue that names the party a letter asks to act (the
	// property company, a city department, a seller under contract): it is
	// counted only in long texts, apart from the other cues, and the request
	// group a letter names most adds its weight × the classifier's request
	// weight to its kind (round 13).
	Request bool `yaml:"request,omitempty"`
}

// Catalog is the loaded, validated catalog. It is read-only after Load.
type Catalog struct {
	Dialect   map[string]string `yaml:"dialect"`
	Questions struct {
		ReplyHint string     `yaml:"reply_hint"`
		Ask       []Question `yaml:"ask"`
	} `yaml:"questions"`
	Cues     []Cue   `yaml:"cues"`
	RawItems []*Item `yaml:"items"`

	byID     map[string]*Item
	fallback map[models.Kind]*Item
}

// Items lists the catalog's items in file order. The slice is a copy; the
// items are shared and must not be modified.
func (c *Catalog) Items() []*Item { return slices.Clone(c.RawItems) }

// Item returns the item with the given id, or nil.
func (c *Catalog) Item(id string) *Item { return c.byID[id] }

// Default loads the built-in catalog.
func Default() (*Catalog, error) {
	c, err := Load(strings.NewReader(string(defaultCatalog)))
	if err != nil {
		return nil, fmt.Errorf("built-in catalog: %w", err)
	}
	return c, nil
}

// LoadFile loads and validates a catalog file (GONGZHI_CATALOG).
func LoadFile(path string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer f.Close()
	c, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Load reads and validates a catalog in YAML. Unknown fields are errors, so a
// misspelt key in an administrator's file does not go unnoticed.
func Load(r io.Reader) (*Catalog, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("catalog: empty document")
		}
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return &c, nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// wantLevels says which levels each kind may be handled at (domain.md).
var wantLevels = map[models.Kind][]models.Level{
	models.KindMajor:   {models.LevelStreet, models.LevelDistrict},
	models.KindSmall:   {models.LevelCommunity},
	models.KindPrivate: {models.LevelSelf},
}

func (c *Catalog) validate() error {
	if len(c.RawItems) == 0 {
		return errors.New("no items")
	}
	c.byID = make(map[string]*Item, len(c.RawItems))
	c.fallback = map[models.Kind]*Item{}
	for i, it := range c.RawItems {
		if it == nil {
			return fmt.Errorf("item #%d: empty", i+1)
		}
		if err := it.validate(); err != nil {
			name := it.ID
			if name == "" {
				name = fmt.Sprintf("#%d", i+1)
			}
			return fmt.Errorf("item %s: %w", name, err)
		}
		if _, dup := c.byID[it.ID]; dup {
			return fmt.Errorf("item %s: duplicate id", it.ID)
		}
		c.byID[it.ID] = it
		if it.Fallback {
			if other := c.fallback[it.Kind]; other != nil {
				return fmt.Errorf("item %s: a second fallback for %s (first: %s)", it.ID, it.Kind, other.ID)
			}
			c.fallback[it.Kind] = it
		}
	}
	for from, to := range c.Dialect {
		if strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			return fmt.Errorf("dialect %q: empty form", from)
		}
	}
	for i, q := range c.Questions.Ask {
		if strings.TrimSpace(q.Text) == "" {
			return fmt.Errorf("questions.ask #%d: text is missing", i+1)
		}
		if len(q.Kinds) < 2 || len(q.Options) != len(q.Kinds) {
			return fmt.Errorf("questions.ask #%d: want 2 or 3 kinds and one option per kind", i+1)
		}
		for _, k := range q.Kinds {
			if !k.Valid() {
				return fmt.Errorf("questions.ask #%d: unknown kind %q", i+1, k)
			}
		}
		for _, id := range q.Items {
			if c.byID[id] == nil {
				return fmt.Errorf("questions.ask #%d: unknown item %q", i+1, id)
			}
		}
	}
	// Every set of kinds the classifier may be in doubt about needs a question.
	for _, set := range [][]models.Kind{
		{models.KindPrivate, models.KindSmall},
		{models.KindSmall, models.KindMajor},
		{models.KindPrivate, models.KindMajor},
		{models.KindPrivate, models.KindSmall, models.KindMajor},
	} {
		if c.question(set) == nil {
			return fmt.Errorf("questions.ask: no question for kinds %v", set)
		}
	}
	for i, cue := range c.Cues {
		if cue.Name == "" {
			return fmt.Errorf("cues #%d: name is missing", i+1)
		}
		if !cue.Kind.Valid() {
			return fmt.Errorf("cue %s: unknown kind %q", cue.Name, cue.Kind)
		}
		if cue.Weight <= 0 {
			return fmt.Errorf("cue %s: weight must be positive", cue.Name)
		}
		if len(cue.Words) == 0 {
			return fmt.Errorf("cue %s: words are missing", cue.Name)
		}
		if cue.Request && (cue.Whose || len(cue.YieldsTo) > 0) {
			return fmt.Errorf("cue %s: a request cue neither says whose nor yields", cue.Name)
		}
		for _, y := range cue.YieldsTo {
			if y == cue.Name || !slices.ContainsFunc(c.Cues, func(o Cue) bool { return o.Name == y }) {
				return fmt.Errorf("cue %s: yields_to %q is not another cue", cue.Name, y)
			}
		}
	}
	return nil
}

func (it *Item) validate() error {
	switch {
	case it.ID == "":
		return errors.New("id is missing")
	case !idPattern.MatchString(it.ID):
		return fmt.Errorf("id %q: want an ascii slug (a-z, 0-9, - and _)", it.ID)
	case strings.TrimSpace(it.Name) == "":
		return errors.New("name is missing")
	case !it.Kind.Valid():
		return fmt.Errorf("kind %q: want major, small or private", it.Kind)
	case !it.Level.Valid():
		return fmt.Errorf("level %q: want community, street, district or self", it.Level)
	case !slices.Contains(wantLevels[it.Kind], it.Level):
		return fmt.Errorf("level %q does not fit kind %q (want %v)", it.Level, it.Kind, wantLevels[it.Kind])
	case strings.TrimSpace(it.Unit) == "":
		return errors.New("unit is missing")
	case len(it.Words) == 0 && !it.Fallback:
		return errors.New("words are missing")
	case len(it.Words) > 0 && it.Fallback:
		return errors.New("a fallback item has no words (it is the topic when no other item matches)")
	case it.Kind == models.KindPrivate && strings.TrimSpace(it.Guide) == "":
		return errors.New("guide is missing (every private item needs one)")
	case utf8.RuneCountInString(it.Guide) > maxGuideRunes:
		return fmt.Errorf("guide has %d characters, at most %d", utf8.RuneCountInString(it.Guide), maxGuideRunes)
	}
	for i, w := range it.Words {
		if strings.TrimSpace(w) == "" {
			return fmt.Errorf("words #%d is empty", i+1)
		}
	}
	tl := it.TimeLimit
	switch {
	case !tl.set:
		return errors.New("time_limit is missing")
	case tl.err != nil:
		return fmt.Errorf("time_limit: %w", tl.err)
	case tl.Days < 0 || tl.Duration < 0:
		return errors.New("time_limit must be positive")
	case tl.Days == 0 && tl.Duration == 0:
		return errors.New("time_limit must be positive")
	}
	it.Duration, it.Days, it.WorkingDays = tl.Duration, tl.Days, tl.WorkingDays
	return nil
}

// Fallback returns the catch-all item of a kind, or nil.
func (c *Catalog) Fallback(k models.Kind) *Item { return c.fallback[k] }

// question returns the clarifying question for exactly this set of kinds:
// the one written for the text's best item when there is one, else the
// general one.
func (c *Catalog) question(kinds []models.Kind, item ...*Item) *Question {
	var general *Question
	for i := range c.Questions.Ask {
		q := &c.Questions.Ask[i]
		if len(q.Kinds) != len(kinds) {
			continue
		}
		ok := true
		for _, k := range kinds {
			ok = ok && slices.Contains(q.Kinds, k)
		}
		switch {
		case !ok:
		case len(q.Items) == 0:
			if general == nil {
				general = q
			}
		case len(item) > 0 && item[0] != nil && slices.Contains(q.Items, item[0].ID):
			return q
		}
	}
	return general
}
