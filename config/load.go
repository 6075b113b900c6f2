package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// SettingError is a bad setting: Setting names it as the operator wrote it
// (the environment variable, or "FILE: yaml.key"), Problem says what is
// wrong. Neither ever holds a secret's value.
type SettingError struct {
	Setting string
	Problem string
}

func (e *SettingError) Error() string { return e.Setting + ": " + e.Problem }

// Load builds the validated settings: defaults, then the YAML file at path
// (or at $GONGZHI_CONFIG when path is ""; no file when both are empty), then
// the environment in environ (as from os.Environ()).
func Load(path string, environ []string) (*Config, error) {
	c := Default()
	c.names = map[string]string{}
	env := environMap(environ)

	fileName := "config file"
	if path == "" {
		path = env[EnvConfig]
		fileName = EnvConfig
	}
	if path != "" {
		if err := c.loadFile(path); err != nil {
			var se *SettingError
			if !errors.As(err, &se) {
				err = fmt.Errorf("%s: %w", fileName, err)
			}
			// The environment's secrets are not applied yet but must not
			// show either (say, pasted into the file as a key).
			fromEnv := Default()
			fromEnv.names = map[string]string{}
			_ = fromEnv.applyEnv(env)
			return nil, fromEnv.scrub(c.scrub(err))
		}
	}
	if err := c.applyEnv(env); err != nil {
		return nil, c.scrub(err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// loadFile decodes the YAML file over c. Unknown keys and values of the wrong
// type are errors that name the key and its line, never the value.
func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err // *fs.PathError already names the path
	}
	return c.decodeFile(path, data)
}

// decodeFile decodes the settings file's content; path only names it.
func (c *Config) decodeFile(path string, data []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return &SettingError{Setting: path, Problem: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if root.Kind == 0 || (root.Kind == yaml.DocumentNode && len(root.Content) == 0) {
		return nil // an empty file sets nothing
	}
	doc := root.Content[0]
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return nil
	}
	if doc.Kind != yaml.MappingNode {
		return &SettingError{Setting: path, Problem: fmt.Sprintf("line %d: want a mapping of settings (key: value) at the top", doc.Line)}
	}

	// Our own walk first: it knows each key's full path, so that an unknown
	// or mistyped key is reported as "wechat.appsecrett", not just "appsecrett".
	w := walker{file: path, lines: map[int]string{}, types: map[string]reflect.Type{}, seen: map[string]bool{}}
	if err := w.walk(doc, reflect.TypeOf(Config{}), ""); err != nil {
		return err
	}

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return w.explain(err)
	}

	for key := range w.seen {
		c.names[key] = fileOrigin + path
	}
	// Job names are case-insensitive in the file; the map uses upper case.
	for name, spec := range c.Jobs {
		if up := strings.ToUpper(name); up != name {
			delete(c.Jobs, name)
			c.Jobs[up] = spec
			c.names[jobKey(up)] = fileOrigin + path
		}
	}
	return nil
}

// walker checks a YAML tree against Config's yaml tags and remembers, for
// each line, which key it holds.
type walker struct {
	file  string
	lines map[int]string          // line → YAML path of the deepest key on it
	types map[string]reflect.Type // YAML path → Go type of its value
	seen  map[string]bool         // YAML paths of mapping keys present in the file
}

func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		// Not followed: an alias bomb would blow up this walk. The anchor's
		// own content is walked where it stands, and the decoder's
		// KnownFields still checks what an alias brings elsewhere.
		return nil
	}
	if path != "" {
		w.types[path] = t
		w.lines[n.Line] = path
	}
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" { // merge key: what it merges is checked where it is defined
				continue
			}
			child := join(path, k.Value)
			ft, ok := fields[k.Value]
			if !ok {
				return &SettingError{Setting: w.file, Problem: fmt.Sprintf("line %d: unknown key %q (known here: %s)", k.Line, child, knownKeys(fields))}
			}
			w.seen[child] = true
			w.lines[k.Line] = child
			if err := w.walk(v, ft, child); err != nil {
				return err
			}
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			child := join(path, k.Value)
			w.seen[child] = true
			w.lines[k.Line] = child
			if err := w.walk(v, t.Elem(), child); err != nil {
				return err
			}
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, v := range n.Content {
			if err := w.walk(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	// Kind mismatches (a list where a string belongs, …) are left to the
	// decoder; explain turns its message into one naming the key.
	return nil
}

var lineRE = regexp.MustCompile(`^line (\d+): `)

// explain rewrites a yaml.v3 decoding error as one line naming the key. The
// decoder's own text quotes the value, which may be a secret: it is dropped.
func (w *walker) explain(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return &SettingError{Setting: w.file, Problem: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	msg := te.Errors[0]
	m := lineRE.FindStringSubmatch(msg)
	if m == nil {
		return &SettingError{Setting: w.file, Problem: "cannot decode"}
	}
	line, _ := strconv.Atoi(m[1])
	key, ok := w.lines[line]
	if !ok {
		return &SettingError{Setting: w.file, Problem: fmt.Sprintf("line %d: cannot decode", line)}
	}
	if strings.Contains(msg, "already defined") {
		return &SettingError{Setting: w.file, Problem: fmt.Sprintf("line %d: %s is given twice", line, key)}
	}
	return &SettingError{Setting: w.file, Problem: fmt.Sprintf("line %d: %s: want %s", line, key, describe(w.types[key]))}
}

var durationType = reflect.TypeOf(time.Duration(0))

// describe says in words what a value of type t looks like in YAML.
func describe(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	if t == durationType {
		return `a duration such as "30m" or "24h"`
	}
	switch t.Kind() {
	case reflect.String:
		return "a single value (a string)"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list, each " + describe(t.Elem())
	case reflect.Map:
		return "a mapping of names to values"
	case reflect.Struct, reflect.Pointer:
		return "a mapping of keys to values"
	}
	return "another kind of value"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps each yaml key of struct type t to its field's type.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f.Type
	}
	return m
}

func knownKeys(fields map[string]reflect.Type) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}
