package schemas

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/edactl/edactl/registry/compat"
)

// ConfigFile is the name of the project configuration file edactl looks for
// in the current directory.
const ConfigFile = "edactl.yaml"

// DefaultSchemasDir is the schema tree root used when edactl.yaml does not
// name one.
const DefaultSchemasDir = "schemas"

// Config is the content of edactl.yaml. Unknown keys are an error, reported
// with their line, so a typo never silently changes behaviour.
type Config struct {
	// Registry is the schema registry URL.
	Registry string `yaml:"registry,omitempty"`
	// Brokers is the Kafka bootstrap list, comma separated.
	Brokers string `yaml:"brokers,omitempty"`
	// SchemasDir is the root of the schema tree, relative to edactl.yaml
	// (default "schemas").
	SchemasDir string `yaml:"schemas,omitempty"`
	// SubjectStrategy names Confluent's subject naming strategy for value
	// subjects: "topic" (default), "record" or "topic-record".
	SubjectStrategy string `yaml:"subject_strategy,omitempty"`
	// Compatibility is the default compatibility level (default BACKWARD).
	Compatibility string `yaml:"compatibility,omitempty"`
	// Events holds per-event settings keyed by "<domain>/<event>" folder path.
	Events map[string]EventConfig `yaml:"events,omitempty"`
	// Lint configures the event-design lint rules.
	Lint LintConfig `yaml:"lint,omitempty"`
	// Gen configures code generation.
	Gen GenConfig `yaml:"gen,omitempty"`
	// Trace configures `edactl trace` and the TUI's Trace screen.
	Trace TraceConfig `yaml:"trace,omitempty"`
	// Connection holds the client connection settings other than Registry
	// and Brokers (Kafka TLS and SASL, the registry client's TLS and
	// credentials), keyed by the names `edactl config` lists (kafka_tls,
	// kafka_sasl_mechanism, registry_ca_file, ...). The command line owns
	// those names and reports an unknown one with its line (Line).
	Connection map[string]string `yaml:"connection,omitempty"`
	// Waivers accept single findings of `edactl check`, each with a
	// reason, an owner and an expiry date.
	Waivers []Waiver `yaml:"waivers,omitempty"`

	// lines maps dotted key paths ("events.orders/order-placed.consumers")
	// to the line of the key in the file, for reports.
	lines map[string]int
}

// TraceConfig configures tracing a flow across topics.
type TraceConfig struct {
	// Headers names extra record headers whose value is a correlation id,
	// besides the standard ones (traceparent, ce_correlationid, ...).
	Headers []string `yaml:"headers,omitempty"`
}

// EventConfig overrides project defaults for one event.
type EventConfig struct {
	// Compatibility overrides the default compatibility level.
	Compatibility string `yaml:"compatibility,omitempty"`
	// Topic is the Kafka topic the event is published to; it may also come
	// from the schema's x-eda-topic attribute (they must agree).
	Topic string `yaml:"topic,omitempty"`
	// Subject overrides the subject the naming strategy would give.
	Subject string `yaml:"subject,omitempty"`
	// Producers names the services that publish the event.
	Producers []string `yaml:"producers,omitempty"`
	// Consumers names the services that consume the event.
	Consumers []string `yaml:"consumers,omitempty"`
}

// Waiver accepts the findings of one rule at one path of one version of
// an event, until a date. A waived finding is still reported, marked as
// waived, and does not fail the check; once the date has passed the waiver
// fails the check itself.
type Waiver struct {
	// Event is the event folder "<domain>/<event>".
	Event string `yaml:"event" json:"event"`
	// Version is N of vN.avsc.
	Version int `yaml:"version" json:"version"`
	// Path is the field path as the finding prints it
	// ("OrderPlaced.totalCents"); empty waives the rule at every path of
	// the version.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// Rule is the rule id as the finding prints it (TYPE_MISMATCH, ...).
	Rule string `yaml:"rule" json:"rule"`
	// Reason says why the finding is accepted.
	Reason string `yaml:"reason" json:"reason"`
	// Owner names who answers for it (a person or a team).
	Owner string `yaml:"owner" json:"owner"`
	// Expires is the last day the waiver holds, YYYY-MM-DD (UTC).
	Expires string `yaml:"expires" json:"expires"`
	// Line is the line of the waiver in edactl.yaml.
	Line int `yaml:"-" json:"line,omitempty"`
}

// WaiverDateLayout is the layout of Waiver.Expires.
const WaiverDateLayout = "2006-01-02"

// Expired reports whether the waiver's last day is before now's date (UTC).
// A waiver whose date does not parse (ParseConfig refuses those) counts as
// expired.
func (w Waiver) Expired(now time.Time) bool {
	d, err := time.Parse(WaiverDateLayout, w.Expires)
	if err != nil {
		return true
	}
	today := now.UTC().Format(WaiverDateLayout)
	return d.Format(WaiverDateLayout) < today
}

// Matches reports whether the waiver accepts finding f.
func (w Waiver) Matches(f Finding) bool {
	return f.Event == w.Event && f.Version == w.Version && f.Rule == w.Rule && (w.Path == "" || f.Path == w.Path)
}

// LintConfig selects lint rules.
type LintConfig struct {
	// Disable lists rule ids that are not run.
	Disable []string `yaml:"disable,omitempty"`
}

// GenConfig configures `edactl gen`.
type GenConfig struct {
	// Go configures Go code generation.
	Go GoGenConfig `yaml:"go,omitempty"`
}

// GoGenConfig configures `edactl gen go`.
type GoGenConfig struct {
	// Out is the output directory.
	Out string `yaml:"out,omitempty"`
	// Package is the Go package name of the generated code.
	Package string `yaml:"package,omitempty"`
}

// Subject naming strategies, as Confluent's serializers name them.
const (
	// StrategyTopic is TopicNameStrategy: "<topic>-value".
	StrategyTopic = "topic"
	// StrategyRecord is RecordNameStrategy: "<record full name>".
	StrategyRecord = "record"
	// StrategyTopicRecord is TopicRecordNameStrategy:
	// "<topic>-<record full name>".
	StrategyTopicRecord = "topic-record"
)

// Strategy returns the configured subject naming strategy, normalised to
// StrategyTopic, StrategyRecord or StrategyTopicRecord. Confluent's class
// names (TopicNameStrategy, ...) are accepted too.
func (c *Config) Strategy() string {
	s, _ := parseStrategy(c.SubjectStrategy)
	return s
}

func parseStrategy(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "topic", "topicnamestrategy":
		return StrategyTopic, true
	case "record", "recordnamestrategy":
		return StrategyRecord, true
	case "topic-record", "topic_record", "topicrecordnamestrategy":
		return StrategyTopicRecord, true
	}
	return StrategyTopic, false
}

// Level returns the compatibility level of the event folder "<domain>/<event>":
// its override, else the project default, else BACKWARD. ParseConfig has
// validated both, so this never fails for a parsed Config.
func (c *Config) Level(event string) compat.Level {
	if ec, ok := c.Events[event]; ok && ec.Compatibility != "" {
		if l, err := compat.ParseLevel(ec.Compatibility); err == nil {
			return l
		}
	}
	if c.Compatibility != "" {
		if l, err := compat.ParseLevel(c.Compatibility); err == nil {
			return l
		}
	}
	return compat.Backward
}

// Dir returns the schema tree root relative to edactl.yaml.
func (c *Config) Dir() string {
	if c.SchemasDir == "" {
		return DefaultSchemasDir
	}
	return filepath.ToSlash(filepath.Clean(c.SchemasDir))
}

// LintDisabled reports whether the lint rule id is disabled.
func (c *Config) LintDisabled(id string) bool {
	for _, d := range c.Lint.Disable {
		if d == id {
			return true
		}
	}
	return false
}

// Line returns the line of a key in edactl.yaml, given as a path of key
// names (e.g. "events", "orders/order-placed", "consumers"), or 0 when the
// key is not in the file. It falls back to the nearest enclosing key.
func (c *Config) Line(keys ...string) int {
	for n := len(keys); n > 0; n-- {
		if l, ok := c.lines[strings.Join(keys[:n], "\x00")]; ok {
			return l
		}
	}
	return 0
}

// ConfigProblem is one mistake in edactl.yaml.
type ConfigProblem struct {
	// Line is the 1-based line of the offending key or value (0 if unknown).
	Line int `json:"line,omitempty"`
	// Key is the dotted key path, e.g. "events.orders/order-placed.topik".
	Key string `json:"key,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// ConfigError lists every problem found in edactl.yaml.
type ConfigError struct {
	// File is the configuration file as given (may be empty).
	File     string
	Problems []ConfigProblem
}

func (e *ConfigError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		var b strings.Builder
		if e.File != "" {
			b.WriteString(e.File)
			b.WriteByte(':')
		}
		if p.Line > 0 {
			fmt.Fprintf(&b, "%d:", p.Line)
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Message)
		parts[i] = b.String()
	}
	return strings.Join(parts, "\n")
}

// LoadConfig reads and strictly decodes the configuration file at path.
// A missing file gives an error wrapping os.ErrNotExist; a bad file gives a
// *ConfigError naming the file, and the line and key of every problem.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.File = path
			return nil, ce
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig strictly decodes and validates edactl.yaml content. Every
// problem (unknown key, wrong type, invalid value) is reported in one
// *ConfigError, each with its line.
func ParseConfig(data []byte) (*Config, error) {
	cfg := &Config{lines: map[string]int{}}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil
		}
		return nil, &ConfigError{Problems: []ConfigProblem{yamlProblem(err)}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return cfg, nil
	}
	var probs []ConfigProblem
	walkKeys(root, reflect.TypeOf(Config{}), nil, cfg.lines, &probs)
	if len(probs) > 0 {
		return nil, &ConfigError{Problems: probs}
	}
	if err := root.Decode(cfg); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				probs = append(probs, yamlProblem(errors.New(m)))
			}
		} else {
			probs = append(probs, yamlProblem(err))
		}
		return nil, &ConfigError{Problems: probs}
	}
	probs = append(probs, cfg.validate()...)
	if len(probs) > 0 {
		return nil, &ConfigError{Problems: probs}
	}
	return cfg, nil
}

// yamlProblem turns a yaml.v3 message ("yaml: line 3: ...") into a problem
// with its line.
func yamlProblem(err error) ConfigProblem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return ConfigProblem{Line: line, Message: msg}
}

// walkKeys reports every mapping key that the Go type t has no field for,
// and records the line of every key.
func walkKeys(n *yaml.Node, t reflect.Type, path []string, lines map[string]int, probs *[]ConfigProblem) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // the decoder reports the type error
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			fields[name] = f.Type
			names = append(names, name)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := append(append([]string(nil), path...), k.Value)
			lines[strings.Join(p, "\x00")] = k.Line
			ft, ok := fields[k.Value]
			if !ok {
				msg := fmt.Sprintf("unknown key %q", k.Value)
				if len(path) > 0 {
					msg += " in " + strings.Join(path, ".")
				}
				if s := Closest(k.Value, names); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				} else {
					sort.Strings(names)
					msg += " (known keys: " + strings.Join(names, ", ") + ")"
				}
				*probs = append(*probs, ConfigProblem{Line: k.Line, Key: strings.Join(p, "."), Message: msg})
				continue
			}
			walkKeys(v, ft, p, lines, probs)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := append(append([]string(nil), path...), k.Value)
			lines[strings.Join(p, "\x00")] = k.Line
			walkKeys(v, t.Elem(), p, lines, probs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, e := range n.Content {
			p := append(append([]string(nil), path...), strconv.Itoa(i))
			lines[strings.Join(p, "\x00")] = e.Line
			walkKeys(e, t.Elem(), p, lines, probs)
		}
	}
}

// Closest returns the candidate within edit distance 2 of s (the first of
// the nearest), or "" when none is: the "did you mean" of configuration
// errors.
func Closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// validate checks values the YAML types cannot express.
func (c *Config) validate() []ConfigProblem {
	var probs []ConfigProblem
	if _, ok := parseStrategy(c.SubjectStrategy); !ok {
		probs = append(probs, ConfigProblem{Line: c.Line("subject_strategy"), Key: "subject_strategy",
			Message: fmt.Sprintf("subject_strategy %q: want topic, record or topic-record", c.SubjectStrategy)})
	}
	if c.Compatibility != "" {
		if _, err := compat.ParseLevel(c.Compatibility); err != nil {
			probs = append(probs, ConfigProblem{Line: c.Line("compatibility"), Key: "compatibility",
				Message: "compatibility: " + err.Error()})
		}
	}
	if c.SchemasDir != "" {
		d := filepath.ToSlash(filepath.Clean(c.SchemasDir))
		if filepath.IsAbs(c.SchemasDir) || d == ".." || strings.HasPrefix(d, "../") {
			probs = append(probs, ConfigProblem{Line: c.Line("schemas"), Key: "schemas",
				Message: fmt.Sprintf("schemas %q: must be a directory inside the project", c.SchemasDir)})
		}
	}
	keys := make([]string, 0, len(c.Events))
	for k := range c.Events {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ec := c.Events[k]
		domain, event, ok := strings.Cut(k, "/")
		if !ok || domain == "" || event == "" || strings.Contains(event, "/") {
			probs = append(probs, ConfigProblem{Line: c.Line("events", k), Key: "events." + k,
				Message: fmt.Sprintf("events: key %q must be an event folder \"<domain>/<event>\"", k)})
		}
		if ec.Compatibility != "" {
			if _, err := compat.ParseLevel(ec.Compatibility); err != nil {
				probs = append(probs, ConfigProblem{Line: c.Line("events", k, "compatibility"), Key: "events." + k + ".compatibility",
					Message: "events." + k + ".compatibility: " + err.Error()})
			}
		}
	}
	for i := range c.Waivers {
		probs = append(probs, c.validateWaiver(i)...)
	}
	for i, d := range c.Lint.Disable {
		if LintRuleByID(d) == nil {
			probs = append(probs, ConfigProblem{Line: c.Line("lint", "disable", strconv.Itoa(i)), Key: "lint.disable",
				Message: fmt.Sprintf("lint.disable: unknown rule %q (rules: %s)", d, strings.Join(LintRuleIDs(), ", "))})
		}
	}
	return probs
}

// validateWaiver checks waivers[i] and records its line.
func (c *Config) validateWaiver(i int) []ConfigProblem {
	w := &c.Waivers[i]
	idx := strconv.Itoa(i)
	w.Line = c.Line("waivers", idx)
	var probs []ConfigProblem
	bad := func(field, format string, args ...any) {
		key := fmt.Sprintf("waivers[%d].%s", i, field)
		probs = append(probs, ConfigProblem{Line: c.Line("waivers", idx, field), Key: key, Message: key + ": " + fmt.Sprintf(format, args...)})
	}
	if domain, event, ok := strings.Cut(w.Event, "/"); !ok || domain == "" || event == "" || strings.Contains(event, "/") {
		bad("event", "%q must be an event folder \"<domain>/<event>\"", w.Event)
	}
	if w.Version < 1 {
		bad("version", "want the version number N of vN.avsc (1 or more), got %d", w.Version)
	}
	if w.Rule == "" {
		bad("rule", "missing: name the rule id the finding prints (e.g. READER_FIELD_MISSING_DEFAULT_VALUE)")
	}
	if strings.TrimSpace(w.Reason) == "" {
		bad("reason", "missing: say why the finding is accepted")
	}
	if strings.TrimSpace(w.Owner) == "" {
		bad("owner", "missing: name who answers for the waiver")
	}
	if w.Expires == "" {
		bad("expires", "missing: the last day the waiver holds, YYYY-MM-DD")
	} else if _, err := time.Parse(WaiverDateLayout, w.Expires); err != nil {
		bad("expires", "%q is not a date YYYY-MM-DD", w.Expires)
	}
	return probs
}
