// Package regmigrate moves a schema registry's content between registries
// with every id kept: it exports what any Confluent-API registry holds
// (every subject and version, soft-deleted ones too, with ids, references,
// metadata, configs and modes) as JSON Lines, reads a Confluent _schemas
// topic into the same entries, and imports entries into a registry in
// IMPORT mode, idempotently.
//
// It talks to registries through their REST API only (franz-go's pkg/sr
// client), never to edactl's registry package, so the same code exports
// from Confluent, Karapace, Apicurio's compatibility API or edactl.
//
// Imports: franz-go (sr, kgo), serde for the wire format, the standard
// library.
package regmigrate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"
)

// Format names the export file format, on its first line.
const Format = "edactl-registry-export"

// FormatVersion is the version of the export format this package writes
// and the newest it reads.
const FormatVersion = 1

// Entry kinds.
const (
	KindHeader = "header"
	KindSchema = "schema"
	KindConfig = "config"
	KindMode   = "mode"
)

// Reference is a schema reference, as the REST API writes it.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Entry is one line of an export: a header, one version of one subject, or
// the config or mode of one scope ("" is global, ":.ctx:" a context, else
// a subject).
type Entry struct {
	Kind string `json:"type"`

	// Header.
	Format  string `json:"format,omitempty"`
	Version int    `json:"formatVersion,omitempty"`
	Source  string `json:"source,omitempty"`

	// Schema; Subject is also the scope of config and mode.
	Subject       string          `json:"subject,omitempty"`
	SchemaVersion int             `json:"version,omitempty"`
	ID            int             `json:"id,omitempty"`
	SchemaType    string          `json:"schemaType,omitempty"`
	Schema        string          `json:"schema,omitempty"`
	References    []Reference     `json:"references,omitempty"`
	Metadata      json.RawMessage `json:"metadata,omitempty"`
	Deleted       bool            `json:"deleted,omitempty"`

	// Config.
	Compatibility      string `json:"compatibilityLevel,omitempty"`
	Normalize          *bool  `json:"normalize,omitempty"`
	CompatibilityGroup string `json:"compatibilityGroup,omitempty"`

	// Mode.
	Mode string `json:"mode,omitempty"`
}

// key names what an entry is about, for sorting and comparing.
func (e *Entry) key() string {
	if e.Kind == KindSchema {
		return fmt.Sprintf("%s\x00%s\x00%010d", e.Kind, e.Subject, e.SchemaVersion)
	}
	return e.Kind + "\x00" + e.Subject
}

// Sort orders entries: schemas by id, subject and version, then configs
// and modes by scope.
func Sort(es []Entry) {
	rank := map[string]int{KindHeader: 0, KindSchema: 1, KindConfig: 2, KindMode: 3}
	slices.SortStableFunc(es, func(a, b Entry) int {
		if d := rank[a.Kind] - rank[b.Kind]; d != 0 {
			return d
		}
		if a.Kind == KindSchema && a.ID != b.ID {
			return a.ID - b.ID
		}
		return strings.Compare(a.key(), b.key())
	})
}

// Progress receives what an export or import has done so far.
type Progress func(done, total int, what string)

// versionBody is GET /subjects/{subject}/versions/{version}.
type versionBody struct {
	Subject    string          `json:"subject"`
	Version    int             `json:"version"`
	ID         int             `json:"id"`
	SchemaType string          `json:"schemaType"`
	Schema     string          `json:"schema"`
	References []Reference     `json:"references"`
	Metadata   json.RawMessage `json:"metadata"`
}

// configBody is GET /config[/{scope}].
type configBody struct {
	Compatibility      string `json:"compatibilityLevel"`
	Normalize          *bool  `json:"normalize"`
	CompatibilityGroup string `json:"compatibilityGroup"`
}

type modeBody struct {
	Mode string `json:"mode"`
}

func subjectPath(subject string, rest ...string) string {
	return "/subjects/" + url.PathEscape(subject) + strings.Join(rest, "")
}

func scopePath(base, scope string) string {
	if scope == "" {
		return base
	}
	return base + "/" + url.PathEscape(scope)
}

// notFound reports whether err is a 404 answer.
func notFound(err error) bool {
	var re *sr.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// Fetch reads everything cl's registry holds: every subject of every
// context (soft-deleted ones too) with every version, the global, context
// and subject configs and modes. progress, if not nil, hears of every
// subject read.
func Fetch(ctx context.Context, cl *sr.Client, progress Progress) ([]Entry, error) {
	deleted := sr.WithParams(ctx, sr.ShowDeleted, sr.SubjectPrefix(":*:"))
	var subjects []string
	if err := cl.Do(deleted, http.MethodGet, "/subjects", nil, &subjects); err != nil {
		return nil, fmt.Errorf("list subjects: %w", err)
	}
	slices.Sort(subjects)
	var out []Entry
	for i, subject := range subjects {
		var all, live []int
		if err := cl.Do(sr.WithParams(ctx, sr.ShowDeleted), http.MethodGet, subjectPath(subject, "/versions"), nil, &all); err != nil {
			return nil, fmt.Errorf("subject %s: list versions: %w", subject, err)
		}
		if err := cl.Do(ctx, http.MethodGet, subjectPath(subject, "/versions"), nil, &live); err != nil && !notFound(err) {
			return nil, fmt.Errorf("subject %s: list live versions: %w", subject, err)
		}
		for _, v := range all {
			var b versionBody
			if err := cl.Do(sr.WithParams(ctx, sr.ShowDeleted), http.MethodGet, subjectPath(subject, fmt.Sprintf("/versions/%d", v)), nil, &b); err != nil {
				return nil, fmt.Errorf("subject %s version %d: %w", subject, v, err)
			}
			st := b.SchemaType
			if st == "AVRO" {
				st = ""
			}
			md := b.Metadata
			if string(md) == "null" {
				md = nil
			}
			out = append(out, Entry{Kind: KindSchema, Subject: subject, SchemaVersion: v, ID: b.ID, SchemaType: st,
				Schema: b.Schema, References: b.References, Metadata: md, Deleted: !slices.Contains(live, v)})
		}
		if progress != nil {
			progress(i+1, len(subjects), subject)
		}
	}
	scopes := []string{""}
	var contexts []string
	if err := cl.Do(ctx, http.MethodGet, "/contexts", nil, &contexts); err == nil {
		for _, c := range contexts {
			if c != "." && c != "" {
				scopes = append(scopes, ":"+c+":")
			}
		}
	}
	scopes = append(scopes, subjects...)
	for _, scope := range scopes {
		var c configBody
		err := cl.Do(ctx, http.MethodGet, scopePath("/config", scope), nil, &c)
		switch {
		case err == nil:
			out = append(out, Entry{Kind: KindConfig, Subject: scope, Compatibility: c.Compatibility, Normalize: c.Normalize, CompatibilityGroup: c.CompatibilityGroup})
		case !notFound(err):
			return nil, fmt.Errorf("config of %s: %w", scopeName(scope), err)
		}
		var m modeBody
		err = cl.Do(ctx, http.MethodGet, scopePath("/mode", scope), nil, &m)
		switch {
		case err == nil:
			out = append(out, Entry{Kind: KindMode, Subject: scope, Mode: m.Mode})
		case !notFound(err):
			return nil, fmt.Errorf("mode of %s: %w", scopeName(scope), err)
		}
	}
	Sort(out)
	return out, nil
}

func scopeName(scope string) string {
	if scope == "" {
		return "the global scope"
	}
	return scope
}

// Write writes entries as JSON Lines, after a header line naming the format
// and source.
func Write(w io.Writer, source string, entries []Entry) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Entry{Kind: KindHeader, Format: Format, Version: FormatVersion, Source: source}); err != nil {
		return err
	}
	for i := range entries {
		if err := enc.Encode(&entries[i]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Read reads an export written by Write. name is the file's name, for
// errors, which name the line and field.
func Read(r io.Reader, name string) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var out []Entry
	line := 0
	sawHeader := false
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var e Entry
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if !sawHeader {
			if e.Kind != KindHeader || e.Format != Format {
				return nil, fmt.Errorf("%s:%d: not an edactl registry export (want a first line with \"type\":\"header\",\"format\":%q)", name, line, Format)
			}
			if e.Version > FormatVersion {
				return nil, fmt.Errorf("%s:%d: export format version %d is newer than this edactl reads (%d); upgrade edactl", name, line, e.Version, FormatVersion)
			}
			sawHeader = true
			continue
		}
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if !sawHeader {
		return nil, fmt.Errorf("%s: empty file, not an edactl registry export", name)
	}
	return out, nil
}

// validate checks an entry on its own.
func (e *Entry) validate() error {
	switch e.Kind {
	case KindSchema:
		switch {
		case e.Subject == "":
			return errors.New("schema entry: field subject is empty")
		case e.SchemaVersion < 1:
			return fmt.Errorf("schema entry %s: field version is %d, want at least 1", e.Subject, e.SchemaVersion)
		case e.ID < 1:
			return fmt.Errorf("schema entry %s version %d: field id is %d, want at least 1", e.Subject, e.SchemaVersion, e.ID)
		case e.Schema == "":
			return fmt.Errorf("schema entry %s version %d: field schema is empty", e.Subject, e.SchemaVersion)
		}
		for i, r := range e.References {
			if r.Name == "" || r.Subject == "" || r.Version < 1 {
				return fmt.Errorf("schema entry %s version %d: references[%d] needs a name, a subject and a version", e.Subject, e.SchemaVersion, i)
			}
		}
	case KindConfig:
		if e.Compatibility == "" && e.Normalize == nil && e.CompatibilityGroup == "" {
			return fmt.Errorf("config entry %s: sets nothing", scopeName(e.Subject))
		}
	case KindMode:
		if e.Mode == "" {
			return fmt.Errorf("mode entry %s: field mode is empty", scopeName(e.Subject))
		}
	case KindHeader:
		return errors.New("a second header line")
	default:
		return fmt.Errorf("field type: unknown entry type %q (want schema, config or mode)", e.Kind)
	}
	return nil
}
