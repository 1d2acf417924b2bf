package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/edactl/edactl/registry/compat"
)

// RecordFormat is the version of the log record format this package writes.
// DecodeRecord reads every format up to it and refuses newer ones.
const RecordFormat = 1

// RecordKind names what a record says happened.
type RecordKind string

// The record kinds.
const (
	// SchemaRegistered: a schema became version Version of Subject with id ID.
	SchemaRegistered RecordKind = "SchemaRegistered"
	// VersionDeleted: a version was soft deleted, or removed (Permanent).
	VersionDeleted RecordKind = "VersionDeleted"
	// SubjectDeleted: every live version was soft deleted, or every
	// soft-deleted version removed (Permanent).
	SubjectDeleted RecordKind = "SubjectDeleted"
	// ConfigSet: the config of a scope (global "", context ":.ctx:" or a
	// subject) became Config.
	ConfigSet RecordKind = "ConfigSet"
	// ConfigDeleted: the config of a scope was removed.
	ConfigDeleted RecordKind = "ConfigDeleted"
	// ModeSet: the mode of a scope became Mode.
	ModeSet RecordKind = "ModeSet"
	// ModeDeleted: the mode of a scope was removed (with Recursive, also the
	// modes of every subject inside it).
	ModeDeleted RecordKind = "ModeDeleted"
)

// Reference is a Confluent schema reference: a named type the schema uses,
// defined by version Version of Subject.
type Reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

// Metadata is Confluent's schema metadata (data contracts). It is stored and
// returned, and is part of a schema's identity.
type Metadata struct {
	Tags       map[string][]string `json:"tags,omitempty"`
	Properties map[string]string   `json:"properties,omitempty"`
	Sensitive  []string            `json:"sensitive,omitempty"`
}

// empty reports whether m carries nothing.
func (m *Metadata) empty() bool {
	return m == nil || len(m.Tags) == 0 && len(m.Properties) == 0 && len(m.Sensitive) == 0
}

// Config is the compatibility configuration of a scope.
type Config struct {
	// Compatibility is the level; empty means "not set here".
	Compatibility compat.Level `json:"compatibilityLevel,omitempty"`
	// Normalize makes registration and lookup normalize schemas.
	Normalize *bool `json:"normalize,omitempty"`
	// CompatibilityGroup names a metadata property: only versions with the
	// same value of that property are checked against each other.
	CompatibilityGroup string `json:"compatibilityGroup,omitempty"`
}

// Mode is a registry mode.
type Mode string

// The modes.
const (
	ModeReadWrite        Mode = "READWRITE"
	ModeReadOnly         Mode = "READONLY"
	ModeReadOnlyOverride Mode = "READONLY_OVERRIDE"
	ModeImport           Mode = "IMPORT"
	ModeForward          Mode = "FORWARD"
)

// ParseMode parses a mode name case-insensitively.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToUpper(strings.TrimSpace(s)))
	switch m {
	case ModeReadWrite, ModeReadOnly, ModeReadOnlyOverride, ModeImport, ModeForward:
		return m, nil
	}
	return "", newErr(CodeInvalidMode, "Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT and FORWARD.")
}

func (m Mode) readOnly() bool { return m == ModeReadOnly || m == ModeReadOnlyOverride }

// Record is one entry of the registry log. Which fields are set depends on
// Kind; the JSON form (with "v": RecordFormat) is what the log stores.
type Record struct {
	Format     int         `json:"v"`
	Kind       RecordKind  `json:"kind"`
	Subject    string      `json:"subject,omitempty"`
	Version    int         `json:"version,omitempty"`
	ID         int         `json:"id,omitempty"`
	SchemaType string      `json:"schemaType,omitempty"`
	Schema     string      `json:"schema,omitempty"`
	References []Reference `json:"references,omitempty"`
	Metadata   *Metadata   `json:"metadata,omitempty"`
	Permanent  bool        `json:"permanent,omitempty"`
	Recursive  bool        `json:"recursive,omitempty"`
	Config     *Config     `json:"config,omitempty"`
	Mode       Mode        `json:"mode,omitempty"`
}

// EncodeRecord returns the log form of r, stamped with RecordFormat.
func EncodeRecord(r Record) ([]byte, error) {
	r.Format = RecordFormat
	if err := r.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// DecodeRecord parses and validates one log record. It never panics; an
// error names what is wrong.
func DecodeRecord(data []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("decode record: %w", err)
	}
	if dec.More() {
		return Record{}, fmt.Errorf("decode record: trailing data after the record")
	}
	if r.Format < 1 {
		return Record{}, fmt.Errorf("decode record: missing or invalid format version %d", r.Format)
	}
	if r.Format > RecordFormat {
		return Record{}, fmt.Errorf("decode record: format v%d is newer than this edactl reads (v%d); upgrade edactl", r.Format, RecordFormat)
	}
	if err := r.validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// validScope reports whether s names a config/mode scope: "" (global),
// ":.ctx:" (a context) or a valid subject.
func validScope(s string) bool {
	if s == "" {
		return true
	}
	if ctx, name := SplitSubject(s); name == "" && ctx != DefaultContext && strings.HasSuffix(s, ":") {
		return validContext(ctx)
	}
	return ValidSubject(s)
}

// MaxID is the largest schema id and version number: Confluent's clients
// and the wire format carry them as signed 32-bit integers.
const MaxID = math.MaxInt32

func (r *Record) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid %s record: %s", r.Kind, fmt.Sprintf(format, args...))
	}
	switch r.Kind {
	case SchemaRegistered:
		if !ValidSubject(r.Subject) {
			return bad("invalid subject %q", r.Subject)
		}
		if r.Version < 1 || r.ID < 1 || r.Version > MaxID || r.ID > MaxID {
			return bad("version %d and id %d must be in [1, %d]", r.Version, r.ID, MaxID)
		}
		if r.Schema == "" {
			return bad("empty schema")
		}
		if r.SchemaType != "" && r.SchemaType != "AVRO" {
			return bad("unsupported schema type %q", r.SchemaType)
		}
		for i, ref := range r.References {
			if ref.Name == "" || !ValidSubject(ref.Subject) || ref.Version < 1 {
				return bad("reference %d is incomplete", i)
			}
		}
	case VersionDeleted:
		if !ValidSubject(r.Subject) || r.Version < 1 {
			return bad("needs a valid subject and a positive version")
		}
	case SubjectDeleted:
		if !ValidSubject(r.Subject) {
			return bad("invalid subject %q", r.Subject)
		}
	case ConfigSet:
		if !validScope(r.Subject) {
			return bad("invalid scope %q", r.Subject)
		}
		if r.Config == nil {
			return bad("missing config")
		}
		if r.Config.Compatibility != "" && !slices.Contains(compat.Levels, r.Config.Compatibility) {
			return bad("invalid compatibility level %q", r.Config.Compatibility)
		}
	case ConfigDeleted, ModeDeleted:
		if !validScope(r.Subject) {
			return bad("invalid scope %q", r.Subject)
		}
	case ModeSet:
		if !validScope(r.Subject) {
			return bad("invalid scope %q", r.Subject)
		}
		if _, err := ParseMode(string(r.Mode)); err != nil || Mode(strings.ToUpper(string(r.Mode))) != r.Mode {
			return bad("invalid mode %q", r.Mode)
		}
	default:
		return fmt.Errorf("invalid record: unknown kind %q", r.Kind)
	}
	return nil
}
