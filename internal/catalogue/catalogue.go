// Package catalogue generates the event catalogue of a schema tree: an
// AsyncAPI 3.0 document and a static HTML site, from the same facts
// `edactl check` uses (the tree's versions, edactl.yaml's producers and
// consumers, and optionally what a registry holds).
//
// Design decisions:
//
//   - Generate is a pure function from a loaded tree to files (a map from
//     slash-separated path to content); writing them is Write's job, and
//     Stale compares them with a directory for `edactl docs --check`. The
//     output is deterministic: everything is sorted, nothing depends on
//     the clock, map order or the machine, so a stale catalogue fails CI.
//   - The site is plain HTML and one CSS file, usable from file:// with no
//     server and no build step. Search is a few lines of inline script
//     over an inline index; without script every page is still complete.
//     Every text from a schema goes through html/template's escaping.
//   - The field-level changes between two versions are registry/compat's
//     Diff and the verdicts its CheckPair, the list the TUI's Schemas
//     screen shows, so the catalogue and the terminal never disagree.
//   - The graph of producers, topics and consumers is an inline SVG laid
//     out by this package in three columns; nothing is fetched.
package catalogue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/edactl/edactl/registry/compat"
	"github.com/edactl/edactl/schemas"
	"github.com/edactl/edactl/schemas/gate"
)

// AvroContentType is the AsyncAPI schema format and content type of the
// messages: Avro 1.9.0's JSON form.
const AvroContentType = "application/vnd.apache.avro+json;version=1.9.0"

// Options configures Generate.
type Options struct {
	// Title names the catalogue (default "Event catalogue").
	Title string
	// RegistryURL and Registered say what a registry holds (see
	// gate.RegisteredVersions); when Registered is nil the catalogue does
	// not mention a registry.
	RegistryURL string
	Registered  map[string]map[int]gate.Registered
}

// Generate returns the catalogue of tree: "asyncapi.yaml", "index.html",
// "style.css" and one page per event, "events/<domain>/<event>.html". A
// tree with loading problems is refused: the catalogue documents only
// what `edactl check` accepts to load.
func Generate(tree *schemas.Tree, opts Options) (map[string][]byte, error) {
	var errs []string
	for _, p := range tree.Problems {
		if p.Severity == schemas.Error {
			errs = append(errs, p.String())
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("the schema tree has %d problem(s), fix them first (edactl check):\n  %s", len(errs), strings.Join(errs, "\n  "))
	}
	if opts.Title == "" {
		opts.Title = "Event catalogue"
	}
	m := buildModel(tree, opts)
	files := map[string][]byte{}
	api, err := asyncAPI(tree, m, opts)
	if err != nil {
		return nil, fmt.Errorf("asyncapi.yaml: %w", err)
	}
	files["asyncapi.yaml"] = api
	if err := renderSite(m, files); err != nil {
		return nil, err
	}
	return files, nil
}

// model is what the pages show.
type model struct {
	Title       string
	RegistryURL string
	Events      []*eventView
	Domains     []*domainView
	Services    int
	Versions    int
}

type domainView struct {
	Name   string
	Events []*eventView
}

type eventView struct {
	ID, Domain, Name string
	FullName         string
	Doc              string
	Kind             string
	Key, KeyType     string
	KeyAvro          string // the key field's Avro primitive type ("string")
	Topic, Subject   string
	Owner            string
	Level            string
	LevelDesc        string
	Producers        []string
	Consumers        []string
	// Versions is newest first.
	Versions []*versionView
	Diffs    []*diffView
	Page     string // path from the site's root
	ev       *schemas.Event
}

type versionView struct {
	Number     int
	Doc        string
	Fields     []fieldView
	Source     string
	Registered *gate.Registered
	schema     avro.Schema
}

type fieldView struct {
	Path, Type, Default, Doc string
	Depth                    int
}

type diffView struct {
	From, To int
	Changes  []string
	// Backward: To reads From's data; Forward: From reads To's data.
	Backward, Forward                 []string
	BackwardRequired, ForwardRequired bool
}

func buildModel(tree *schemas.Tree, opts Options) *model {
	m := &model{Title: opts.Title, RegistryURL: opts.RegistryURL}
	services := map[string]bool{}
	domains := map[string]*domainView{}
	for _, e := range tree.Events {
		latest := e.Latest()
		if latest == nil {
			continue
		}
		ev := &eventView{
			ID: e.ID(), Domain: e.Domain, Name: e.Name, FullName: e.FullName,
			Kind: string(e.Kind), Key: e.Key, Topic: e.Topic, Subject: e.Subject, Owner: e.Owner,
			Level: string(e.Level), LevelDesc: e.Level.Description(),
			Producers: slices.Clone(e.Producers), Consumers: slices.Clone(e.Consumers),
			Page: "events/" + e.Domain + "/" + e.Name + ".html", ev: e, KeyAvro: "string",
		}
		if r := latest.Record(); r != nil {
			ev.Doc = r.Doc()
			if f := keyField(r, e.Key); f != nil {
				ev.KeyType = describe(f.Type())
				ev.KeyAvro = keyAvroType(f.Type())
			}
		}
		for _, s := range e.Producers {
			services[s] = true
		}
		for _, s := range e.Consumers {
			services[s] = true
		}
		var valid []*versionView
		for _, v := range e.Versions {
			if v.Schema == nil {
				continue
			}
			vv := &versionView{Number: v.Number, Source: prettyJSON(v.Source), schema: v.Schema}
			if r := v.Record(); r != nil {
				vv.Doc = r.Doc()
				vv.Fields = flatten(r)
			}
			if reg, ok := opts.Registered[e.ID()][v.Number]; ok {
				reg := reg
				vv.Registered = &reg
			}
			valid = append(valid, vv)
			m.Versions++
		}
		for i := len(valid) - 1; i >= 0; i-- {
			ev.Versions = append(ev.Versions, valid[i])
		}
		for i := range valid {
			for j := i + 1; j < len(valid); j++ {
				ev.Diffs = append(ev.Diffs, diff(valid[i], valid[j], e.Level))
			}
		}
		m.Events = append(m.Events, ev)
		d := domains[e.Domain]
		if d == nil {
			d = &domainView{Name: e.Domain}
			domains[e.Domain] = d
			m.Domains = append(m.Domains, d)
		}
		d.Events = append(d.Events, ev)
	}
	sort.Slice(m.Domains, func(i, j int) bool { return m.Domains[i].Name < m.Domains[j].Name })
	m.Services = len(services)
	return m
}

func diff(from, to *versionView, level compat.Level) *diffView {
	d := &diffView{From: from.Number, To: to.Number,
		BackwardRequired: level.ChecksBackward(), ForwardRequired: level.ChecksForward()}
	for _, c := range compat.Diff(from.schema, to.schema) {
		d.Changes = append(d.Changes, c.String())
	}
	for _, is := range compat.CheckPair(to.schema, from.schema) {
		d.Backward = append(d.Backward, is.String())
	}
	for _, is := range compat.CheckPair(from.schema, to.schema) {
		d.Forward = append(d.Forward, is.String())
	}
	return d
}

// flatten lists a record's fields, and the fields of the records nested in
// them (through arrays, maps and unions), with their paths.
func flatten(r *avro.RecordSchema) []fieldView {
	var out []fieldView
	seen := map[string]bool{r.FullName(): true}
	var walk func(prefix string, depth int, rec *avro.RecordSchema)
	walk = func(prefix string, depth int, rec *avro.RecordSchema) {
		for _, f := range rec.Fields() {
			p := prefix + f.Name()
			fv := fieldView{Path: p, Type: describe(f.Type()), Doc: f.Doc(), Depth: depth}
			if f.HasDefault() {
				fv.Default = defaultJSON(f)
			}
			if en, ok := deref(f.Type()).(*avro.EnumSchema); ok {
				fv.Doc = strings.TrimSpace(fv.Doc + " Symbols: " + strings.Join(en.Symbols(), ", ") + ".")
			}
			out = append(out, fv)
			for _, n := range nested(f.Type(), "") {
				if seen[n.rec.FullName()] {
					continue
				}
				seen[n.rec.FullName()] = true
				walk(p+n.suffix+".", depth+1, n.rec)
			}
		}
	}
	walk("", 0, r)
	return out
}

type nestedRecord struct {
	suffix string
	rec    *avro.RecordSchema
}

func nested(s avro.Schema, suffix string) []nestedRecord {
	switch t := deref(s).(type) {
	case *avro.RecordSchema:
		return []nestedRecord{{suffix, t}}
	case *avro.ArraySchema:
		return nested(t.Items(), suffix+"[]")
	case *avro.MapSchema:
		return nested(t.Values(), suffix+"{}")
	case *avro.UnionSchema:
		var out []nestedRecord
		for _, b := range t.Types() {
			out = append(out, nested(b, suffix)...)
		}
		return out
	}
	return nil
}

func deref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

// describe names a type the way people read it: "string",
// "long (timestamp-millis)", "array<shop.orders.OrderLine>", "null | string".
func describe(s avro.Schema) string {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema().(avro.NamedSchema).FullName()
	}
	switch t := s.(type) {
	case *avro.ArraySchema:
		return "array<" + describe(t.Items()) + ">"
	case *avro.MapSchema:
		return "map<" + describe(t.Values()) + ">"
	case *avro.UnionSchema:
		var parts []string
		for _, b := range t.Types() {
			parts = append(parts, describe(b))
		}
		return strings.Join(parts, " | ")
	case *avro.FixedSchema:
		return fmt.Sprintf("fixed %s (%d bytes)", t.FullName(), t.Size())
	case avro.NamedSchema:
		return string(s.Type()) + " " + t.FullName()
	}
	name := string(s.Type())
	if lt, ok := s.(avro.LogicalTypeSchema); ok && lt.Logical() != nil {
		name += " (" + string(lt.Logical().Type()) + ")"
	}
	return name
}

// keyField finds the key field: a field name, or a dotted path into
// nested records ("customer.id"); nil when there is none.
func keyField(r *avro.RecordSchema, key string) *avro.Field {
	if key == "" {
		return nil
	}
	rec := r
	parts := strings.Split(key, ".")
	for i, name := range parts {
		var found *avro.Field
		for _, f := range rec.Fields() {
			if f.Name() == name {
				found = f
			}
		}
		if found == nil {
			return nil
		}
		if i == len(parts)-1 {
			return found
		}
		next, ok := deref(found.Type()).(*avro.RecordSchema)
		if !ok {
			return nil
		}
		rec = next
	}
	return nil
}

// keyAvroType is the Avro primitive type of a key field: its own for a
// primitive (a logical type's underlying one), string otherwise (the
// record's key as text).
func keyAvroType(s avro.Schema) string {
	s = deref(s)
	if _, ok := s.(*avro.PrimitiveSchema); ok {
		return string(s.Type())
	}
	return "string"
}

func defaultJSON(f *avro.Field) string {
	d := f.Default()
	if d == nil {
		return "null"
	}
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Sprint(d)
	}
	return string(b)
}

func prettyJSON(src []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, bytes.TrimSpace(src), "", "  ") != nil {
		return string(src)
	}
	return b.String()
}

// Write writes files under dir, creating directories, and removes the
// event pages under dir/events that files does not hold (pages of events
// that left the tree). Other files in dir are left alone.
func Write(dir string, files map[string][]byte) error {
	for _, p := range sortedKeys(files) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if old, err := os.ReadFile(full); err == nil && bytes.Equal(old, files[p]) {
			continue
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return err
		}
	}
	extra, err := extraPages(dir, files)
	if err != nil {
		return err
	}
	for _, p := range extra {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			return err
		}
	}
	return nil
}

// StaleFile is one way a directory differs from a fresh catalogue.
type StaleFile struct {
	// Path is relative to the directory, slash separated.
	Path string `json:"path"`
	// Reason is "missing", "differs" or "not generated".
	Reason string `json:"reason"`
}

// Stale compares dir with files and lists every file that is missing,
// differs, or is an event page files does not hold, sorted by path.
func Stale(dir string, files map[string][]byte) ([]StaleFile, error) {
	var out []StaleFile
	for _, p := range sortedKeys(files) {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			out = append(out, StaleFile{p, "missing"})
		case err != nil:
			return nil, err
		case !bytes.Equal(data, files[p]):
			out = append(out, StaleFile{p, "differs"})
		}
	}
	extra, err := extraPages(dir, files)
	if err != nil {
		return nil, err
	}
	for _, p := range extra {
		out = append(out, StaleFile{p, "not generated"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// extraPages lists the .html files under dir/events that files lacks.
func extraPages(dir string, files map[string][]byte) ([]string, error) {
	root := filepath.Join(dir, "events")
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".html") {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if _, ok := files[rel]; !ok {
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func sortedKeys(files map[string][]byte) []string {
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// rel returns the path from page to target, both relative to the root.
func rel(page, target string) string {
	depth := strings.Count(page, "/")
	return strings.Repeat("../", depth) + path.Clean(target)
}
