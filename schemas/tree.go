package schemas

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/internal/avroschema"
	"github.com/edactl/edactl/internal/jsontree"
	"github.com/edactl/edactl/registry/compat"
)

// Kind is what a message is for, from the x-eda-kind attribute.
type Kind string

// The four kinds.
const (
	// KindEvent is a fact that happened (past tense: OrderPlaced).
	KindEvent Kind = "event"
	// KindCommand asks one handler to do something (imperative: PlaceOrder).
	KindCommand Kind = "command"
	// KindDocument carries the current state of an entity (Order).
	KindDocument Kind = "document"
	// KindQuery asks for information (GetStockLevel).
	KindQuery Kind = "query"
)

// Kinds lists the valid kinds.
var Kinds = []Kind{KindEvent, KindCommand, KindDocument, KindQuery}

// The custom Avro attributes edactl reads from a schema's root record.
const (
	AttrKind  = "x-eda-kind"
	AttrKey   = "x-eda-key"
	AttrTopic = "x-eda-topic"
	AttrOwner = "x-eda-owner"
)

// Tree is a loaded schema tree: every event with every version, and every
// problem found while loading it.
type Tree struct {
	// Config is the project configuration (edactl.yaml).
	Config *Config
	// ConfigFile is the display path of edactl.yaml ("edactl.yaml" when the
	// tree was loaded from the current directory).
	ConfigFile string
	// Dir is the display path of the schema tree root ("schemas").
	Dir string
	// Events lists the events sorted by domain, then name.
	Events []*Event
	// Problems lists every loading problem (all errors), sorted.
	Problems []Finding
}

// Event returns the event in folder "<domain>/<event>", or nil.
func (t *Tree) Event(id string) *Event {
	for _, e := range t.Events {
		if e.ID() == id {
			return e
		}
	}
	return nil
}

// NumVersions returns the number of version files in the tree.
func (t *Tree) NumVersions() int {
	n := 0
	for _, e := range t.Events {
		n += len(e.Versions)
	}
	return n
}

// Event is one event folder and everything known about it. Its metadata
// comes from the newest version that parses, then edactl.yaml.
type Event struct {
	// Domain and Name are the folder names: schemas/<Domain>/<Name>/.
	Domain, Name string
	// Dir is the display path of the folder.
	Dir string
	// Versions holds the version files ordered by number. Versions that do
	// not parse are included, with a nil Schema.
	Versions []*Version
	// FullName is the full name of the latest valid version's record.
	FullName string
	// Kind, Key, Topic and Owner come from the x-eda-* attributes; Topic
	// may come from edactl.yaml instead, and defaults to "<domain>.<name>".
	Kind  Kind
	Key   string
	Topic string
	Owner string
	// Subject is the registry subject of the event's values.
	Subject string
	// Level is the compatibility level that applies to the event.
	Level compat.Level
	// Producers and Consumers come from edactl.yaml.
	Producers, Consumers []string
}

// ID returns "<domain>/<name>", the key of the event in edactl.yaml.
func (e *Event) ID() string { return e.Domain + "/" + e.Name }

// Latest returns the newest version whose schema parses, or nil.
func (e *Event) Latest() *Version {
	for i := len(e.Versions) - 1; i >= 0; i-- {
		if e.Versions[i].Schema != nil {
			return e.Versions[i]
		}
	}
	return nil
}

// Version is one version file.
type Version struct {
	// Number is N in vN.avsc.
	Number int
	// File is the display path of the file.
	File string
	// Source is the file content.
	Source []byte
	// Schema is the parsed schema, nil when the file is not a valid Avro
	// record (the problem is in Tree.Problems).
	Schema avro.Schema

	fsPath string // path inside the loaded file system
	once   sync.Once
	doc    *jdoc
}

// Record returns the schema as a record, or nil.
func (v *Version) Record() *avro.RecordSchema {
	r, _ := v.Schema.(*avro.RecordSchema)
	return r
}

func (v *Version) jdoc() *jdoc {
	v.once.Do(func() { v.doc = newDoc(v.Source) })
	return v.doc
}

// LineOfPointer returns the line of the value a JSON pointer into the
// schema names (as registry/compat's Incompatibility.Pointer), following
// named-type references; the nearest enclosing line when the pointer cannot
// be followed to the end; 1 when the file is not JSON.
func (v *Version) LineOfPointer(ptr string) int {
	d := v.jdoc()
	if d == nil {
		return 1
	}
	return d.lineOf(d.pointer(ptr))
}

// LineOfPath returns the line of the field a human path names
// ("OrderPlaced.items[].price", as registry/compat's Incompatibility.Path),
// matching fields by name or alias; the nearest enclosing line when a name
// is not found.
func (v *Version) LineOfPath(p string) int {
	d := v.jdoc()
	if d == nil {
		return 1
	}
	return d.lineOf(d.path(p))
}

// lineOfAttr returns the line of a root attribute, or 1.
func (v *Version) lineOfAttr(key string) int {
	d := v.jdoc()
	if d == nil {
		return 1
	}
	if n := d.root.First(key); n != nil {
		return d.lineOf(n)
	}
	return d.lineOf(d.root)
}

// LoadOption configures LoadFS.
type LoadOption func(*loadOptions)

type loadOptions struct {
	cfg     *Config
	display string
	logger  *slog.Logger
}

// WithConfig uses cfg instead of reading edactl.yaml from the tree's file
// system (default: read it; a missing file means all defaults).
func WithConfig(cfg *Config) LoadOption { return func(o *loadOptions) { o.cfg = cfg } }

// WithDisplayDir prefixes every reported file path with dir (default: paths
// relative to the file system's root).
func WithDisplayDir(dir string) LoadOption {
	return func(o *loadOptions) { o.display = filepath.ToSlash(filepath.Clean(dir)) }
}

// WithLogger logs loading at debug level to l (default: no logging).
func WithLogger(l *slog.Logger) LoadOption { return func(o *loadOptions) { o.logger = l } }

// Load reads the project whose edactl.yaml is at configPath; the schema
// tree is found relative to it and reported paths are relative to the
// working directory.
func Load(ctx context.Context, configPath string, opts ...LoadOption) (*Tree, error) {
	cfg, err := LoadConfig(configPath)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(configPath)
	opts = append([]LoadOption{WithConfig(cfg), WithDisplayDir(dir)}, opts...)
	return LoadFS(ctx, os.DirFS(dir), opts...)
}

// LoadFS reads a schema tree from fsys, whose root is the project directory
// (where edactl.yaml is). Problems with the tree are returned in
// Tree.Problems; the error is for what stops loading altogether: a bad
// edactl.yaml (*ConfigError), a missing schema directory, a cancelled ctx.
func LoadFS(ctx context.Context, fsys fs.FS, opts ...LoadOption) (*Tree, error) {
	o := loadOptions{display: "."}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	t := &Tree{Config: o.cfg, ConfigFile: o.join(ConfigFile)}
	if t.Config == nil {
		data, err := fs.ReadFile(fsys, ConfigFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			t.Config = &Config{}
		case err != nil:
			return nil, fmt.Errorf("read %s: %w", t.ConfigFile, err)
		default:
			cfg, err := ParseConfig(data)
			if err != nil {
				var ce *ConfigError
				if errors.As(err, &ce) {
					ce.File = t.ConfigFile
				}
				return nil, err
			}
			t.Config = cfg
		}
	}
	root := t.Config.Dir()
	t.Dir = o.join(root)
	st, err := fs.Stat(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("schema tree %s: %w", t.Dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("schema tree %s: not a directory", t.Dir)
	}

	l := &loader{t: t, fsys: fsys, root: root, o: &o, events: map[string]*Event{}}
	if err := l.scan(ctx); err != nil {
		return nil, err
	}
	if err := l.parse(ctx); err != nil {
		return nil, err
	}
	l.finish()
	for i, f := range l.problems {
		if e := l.events[f.Event]; f.Subject == "" && e != nil {
			l.problems[i].Subject = e.Subject
		}
	}
	t.Problems = SortFindings(l.problems)
	o.logger.Debug("schema tree loaded", "dir", t.Dir, "events", len(t.Events), "versions", t.NumVersions(), "problems", len(t.Problems))
	return t, nil
}

func (o *loadOptions) join(p string) string {
	if o.display == "" || o.display == "." {
		return p
	}
	return path.Join(o.display, p)
}

type loader struct {
	t        *Tree
	fsys     fs.FS
	root     string
	o        *loadOptions
	events   map[string]*Event
	problems []Finding
	mu       sync.Mutex
}

func (l *loader) problem(f Finding) {
	f.Severity = Error
	l.mu.Lock()
	l.problems = append(l.problems, f)
	l.mu.Unlock()
}

// scan walks the tree and collects the version files.
func (l *loader) scan(ctx context.Context) error {
	return fs.WalkDir(l.fsys, l.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", l.o.join(p), err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if p == l.root {
			return nil
		}
		rel := strings.TrimPrefix(p, l.root+"/")
		if l.root == "." {
			rel = p
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		parts := strings.Split(rel, "/")
		display := l.o.join(p)
		if d.IsDir() {
			if len(parts) == 2 {
				l.event(parts[0], parts[1], display)
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".avsc") {
			return nil // READMEs and the like are allowed anywhere
		}
		if len(parts) != 3 {
			l.problem(Finding{File: display, Line: 1, Rule: RuleLayout,
				Message: fmt.Sprintf("schema files belong in %s/<domain>/<event>/vN.avsc", l.t.Dir)})
			return nil
		}
		ev := l.event(parts[0], parts[1], path.Dir(display))
		n, ok := versionNumber(d.Name())
		if !ok {
			l.problem(Finding{File: display, Line: 1, Event: ev.ID(), Rule: RuleFileName,
				Message: fmt.Sprintf("%q is not a version file name: use v1.avsc, v2.avsc, ...", d.Name())})
			return nil
		}
		ev.Versions = append(ev.Versions, &Version{Number: n, File: display, fsPath: p})
		return nil
	})
}

func (l *loader) event(domain, name, display string) *Event {
	id := domain + "/" + name
	e, ok := l.events[id]
	if !ok {
		e = &Event{Domain: domain, Name: name, Dir: display}
		l.events[id] = e
	}
	return e
}

// versionNumber parses "v<N>.avsc" with N >= 1 and no leading zero.
func versionNumber(name string) (int, bool) {
	s, ok := strings.CutSuffix(name, ".avsc")
	if !ok || len(s) < 2 || s[0] != 'v' || s[1] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 1 || strconv.Itoa(n) != s[1:] {
		return 0, false
	}
	return n, true
}

// parse reads and parses every version file, in parallel.
func (l *loader) parse(ctx context.Context) error {
	var all []*Version
	for _, e := range l.events {
		all = append(all, e.Versions...)
	}
	jobs := make(chan *Version)
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	workers := min(runtime.GOMAXPROCS(0), max(1, len(all)))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range jobs {
				if err := l.parseVersion(v); err != nil {
					errOnce.Do(func() { firstErr = err })
				}
			}
		}()
	}
	for _, v := range all {
		if ctx.Err() != nil {
			break
		}
		jobs <- v
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return firstErr
}

func (l *loader) parseVersion(v *Version) error {
	data, err := fs.ReadFile(l.fsys, v.fsPath)
	if err != nil {
		return fmt.Errorf("read %s: %w", v.File, err)
	}
	v.Source = data
	s, err := avroschema.Parse(string(data))
	if err != nil {
		f := Finding{File: v.File, Line: 1, Version: v.Number, Rule: RuleInvalidSchema, Message: err.Error()}
		var pe *avroschema.ParseError
		if errors.As(err, &pe) {
			f.Message = pe.Msg
			if pe.Line > 0 {
				f.Rule, f.Line, f.Column = RuleInvalidJSON, pe.Line, pe.Column
			} else if strings.HasPrefix(pe.Msg, "invalid JSON") || strings.HasPrefix(pe.Msg, "empty schema") {
				f.Rule = RuleInvalidJSON
			} else {
				f.Line = guessLine(data, pe.Msg)
			}
		}
		l.problem(f)
		return nil
	}
	if _, ok := s.(*avro.RecordSchema); !ok {
		l.problem(Finding{File: v.File, Line: 1, Version: v.Number, Rule: RuleNotARecord,
			Message: fmt.Sprintf("the schema is a %s; an event must be a record", s.Type())})
		return nil
	}
	v.Schema = s
	return nil
}

// guessLine finds the line of the first quoted word of an Avro error
// message ("unknown type: strin") in the source; 1 when there is none.
func guessLine(data []byte, msg string) int {
	i := strings.LastIndex(msg, ": ")
	if i < 0 {
		return 1
	}
	word := strings.Trim(strings.TrimSpace(msg[i+2:]), `"'`)
	if word == "" || strings.ContainsAny(word, " \n") {
		return 1
	}
	off := strings.Index(string(data), `"`+word+`"`)
	if off < 0 {
		return 1
	}
	return jsontree.NewLines(data).Line(off)
}

// finish orders versions, checks numbering, names and attributes, and
// derives each event's metadata and subject.
func (l *loader) finish() {
	cfg := l.t.Config
	for _, e := range l.events {
		l.t.Events = append(l.t.Events, e)
	}
	sort.Slice(l.t.Events, func(i, j int) bool { return l.t.Events[i].ID() < l.t.Events[j].ID() })

	for _, e := range l.t.Events {
		sort.Slice(e.Versions, func(i, j int) bool { return e.Versions[i].Number < e.Versions[j].Number })
		ec := cfg.Events[e.ID()]
		e.Level = cfg.Level(e.ID())
		e.Producers, e.Consumers = ec.Producers, ec.Consumers
		if len(e.Versions) == 0 {
			continue // a folder without .avsc files is not an event (yet)
		}
		// Numbering: 1, 2, 3, ... without gaps.
		want := 1
		for _, v := range e.Versions {
			if v.Number != want {
				msg := fmt.Sprintf("v%d.avsc follows v%d.avsc: v%d.avsc is missing", v.Number, want-1, want)
				if want == 1 {
					msg = fmt.Sprintf("the first version is v%d.avsc: versions start at v1.avsc", v.Number)
				}
				if v.Number-want > 1 {
					msg = fmt.Sprintf("v%d.avsc follows v%d.avsc: v%d.avsc to v%d.avsc are missing", v.Number, want-1, want, v.Number-1)
				}
				l.problem(Finding{File: v.File, Line: 1, Event: e.ID(), Version: v.Number, Rule: RuleVersionGap, Message: msg})
			}
			want = v.Number + 1
		}
		// Record names match the folder.
		for _, v := range e.Versions {
			r := v.Record()
			if r == nil {
				continue
			}
			if normName(r.Name()) != normName(e.Name) {
				l.problem(Finding{File: v.File, Line: v.lineOfAttr("name"), Event: e.ID(), Version: v.Number,
					Path: r.Name(), Rule: RuleNameNotFolder,
					Message: fmt.Sprintf("record %s is in folder %s/: name the folder after the record (e.g. %s/) or the record after the folder",
						r.Name(), e.Name, kebab(r.Name()))})
			}
		}
		latest := e.Latest()
		if latest == nil {
			continue
		}
		rec := latest.Record()
		e.FullName = rec.FullName()
		l.attributes(e, latest, rec)
		switch {
		case ec.Topic != "" && e.Topic != "" && ec.Topic != e.Topic:
			l.problem(Finding{File: latest.File, Line: latest.lineOfAttr(AttrTopic), Event: e.ID(), Version: latest.Number,
				Path: rec.Name(), Rule: RuleTopicConflict,
				Message: fmt.Sprintf("x-eda-topic is %q but %s sets topic %q for %s (line %d): keep one",
					e.Topic, l.t.ConfigFile, ec.Topic, e.ID(), cfg.Line("events", e.ID(), "topic"))})
		case ec.Topic != "":
			e.Topic = ec.Topic
		case e.Topic == "":
			e.Topic = e.Domain + "." + e.Name
		}
		e.Subject = SubjectName(cfg.Strategy(), e.Topic, e.FullName)
		if ec.Subject != "" {
			e.Subject = ec.Subject
		}
		if st := cfg.Strategy(); st != StrategyTopic && ec.Subject == "" {
			for _, v := range e.Versions {
				if r := v.Record(); r != nil && r.FullName() != e.FullName {
					l.problem(Finding{File: v.File, Line: v.lineOfAttr("name"), Event: e.ID(), Version: v.Number,
						Subject: e.Subject, Path: r.Name(), Rule: RuleSubjectChanges,
						Message: fmt.Sprintf("record %s of v%d is %s in the latest version: under the %s strategy the subject is the record's full name, so the versions would land in different subjects (set events.%s.subject to keep one)",
							r.FullName(), v.Number, e.FullName, st, e.ID())})
				}
			}
		}
	}

	// Subjects are unique.
	bySubject := map[string][]*Event{}
	for _, e := range l.t.Events {
		if e.Subject != "" {
			bySubject[e.Subject] = append(bySubject[e.Subject], e)
		}
	}
	for subject, evs := range bySubject {
		if len(evs) < 2 {
			continue
		}
		ids := make([]string, len(evs))
		for i, e := range evs {
			ids[i] = e.ID()
		}
		hint := ""
		if cfg.Strategy() == StrategyTopic {
			hint = " (the topic strategy gives one subject per topic: give each event its own topic, or use subject_strategy: topic-record)"
		}
		for _, e := range evs {
			v := e.Latest()
			l.problem(Finding{File: v.File, Line: 1, Event: e.ID(), Version: v.Number, Subject: subject, Rule: RuleDuplicateSubject,
				Message: fmt.Sprintf("events %s share subject %q%s", strings.Join(ids, ", "), subject, hint)})
		}
	}

	// Every configured event exists.
	for id := range cfg.Events {
		if e, ok := l.events[id]; ok && len(e.Versions) > 0 {
			continue
		}
		l.problem(Finding{File: l.t.ConfigFile, Line: cfg.Line("events", id), Event: id, Rule: RuleUnknownEvent,
			Message: fmt.Sprintf("events.%s: there is no event folder %s/%s with version files", id, l.t.Dir, id)})
	}

	// Drop folders that hold no versions.
	kept := l.t.Events[:0]
	for _, e := range l.t.Events {
		if len(e.Versions) > 0 {
			kept = append(kept, e)
		}
	}
	l.t.Events = kept
}

// attributes reads the x-eda-* attributes of the latest version.
func (l *loader) attributes(e *Event, v *Version, rec *avro.RecordSchema) {
	str := func(key string) string {
		raw := rec.Prop(key)
		if raw == nil {
			return ""
		}
		s, ok := raw.(string)
		if !ok || s == "" {
			l.problem(Finding{File: v.File, Line: v.lineOfAttr(key), Event: e.ID(), Version: v.Number, Path: rec.Name(),
				Rule: RuleInvalidAttribute, Message: fmt.Sprintf("%s must be a non-empty string, not %v", key, raw)})
			return ""
		}
		return s
	}
	e.Kind = KindEvent
	if k := str(AttrKind); k != "" {
		valid := false
		for _, kk := range Kinds {
			if Kind(k) == kk {
				valid = true
			}
		}
		if valid {
			e.Kind = Kind(k)
		} else {
			l.problem(Finding{File: v.File, Line: v.lineOfAttr(AttrKind), Event: e.ID(), Version: v.Number, Path: rec.Name(),
				Rule: RuleInvalidAttribute, Message: fmt.Sprintf("%s is %q: want event, command, document or query", AttrKind, k)})
		}
	}
	e.Key = str(AttrKey)
	e.Topic = str(AttrTopic)
	e.Owner = str(AttrOwner)
}

// normName folds a name for comparing records with folders:
// "OrderPlaced", "order-placed" and "order_placed" are equal.
func normName(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '-' || c == '_' || c == '.':
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// kebab turns "OrderPlaced" into "order-placed".
func kebab(s string) string {
	return strings.ToLower(strings.Join(words(s), "-"))
}

// words splits a CamelCase or snake_case name into words.
func words(s string) []string {
	var out []string
	var cur []rune
	rs := []rune(s)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.':
			flush()
			continue
		case r >= 'A' && r <= 'Z':
			// A new word starts at an upper-case letter that follows a
			// lower-case one, or that starts "Xy" after an acronym.
			if i > 0 && (isLower(rs[i-1]) || isDigit(rs[i-1]) || i+1 < len(rs) && isLower(rs[i+1]) && isUpper(rs[i-1])) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

func isLower(r rune) bool { return r >= 'a' && r <= 'z' }
func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// SubjectName returns the value subject Confluent's strategy gives: topic:
// "<topic>-value"; record: "<fullName>"; topic-record: "<topic>-<fullName>".
func SubjectName(strategy, topic, fullName string) string {
	switch strategy {
	case StrategyRecord:
		return fullName
	case StrategyTopicRecord:
		return topic + "-" + fullName
	}
	return topic + "-value"
}
