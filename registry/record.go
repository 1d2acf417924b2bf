package registry

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/edactl/edactl/registry/compat"
)

// recordFormat is the version of the log record format this package writes.
// decodeRecord reads every format up to it and refuses newer ones, so an
// older edactl stops with "upgrade edactl" instead of folding a record by
// rules it does not know. The fold applies each record by the rules of its
// own format:
//
//   - 1: the first format.
//   - 2: a SchemaRegistered record no longer tombstones a soft-deleted
//     version with the same id that some version still references, and a
//     soft VersionDeleted is refused only while a live version references
//     the version (a permanent one still while any version does), as
//     Confluent does.
//   - 3: commands. A write is logged as what was asked (Register,
//     DeleteSubject, DeleteVersion, SetConfig, DeleteConfig, SetMode,
//     DeleteMode), already validated and prepared, and every instance
//     decides it again at its place in the log (execute, command.go): the
//     decision yields the records of the kinds above, which the fold
//     applies. Many instances can then share one log without a leader.
const recordFormat = 3

// firstCommandFormat is the first record format with command records.
const firstCommandFormat = 3

// recordKind names what a record says happened. The names are the "kind"
// values of the stored JSON.
type recordKind string

// The record kinds.
const (
	// schemaRegistered: a schema became version Version of Subject with id ID.
	schemaRegistered recordKind = "SchemaRegistered"
	// versionDeleted: a version was soft deleted, or removed (Permanent).
	versionDeleted recordKind = "VersionDeleted"
	// subjectDeleted: every live version was soft deleted, or every
	// soft-deleted version removed (Permanent).
	subjectDeleted recordKind = "SubjectDeleted"
	// configSet: the config of a scope (global "", context ":.ctx:" or a
	// subject) became Config.
	configSet recordKind = "ConfigSet"
	// configDeleted: the config of a scope was removed.
	configDeleted recordKind = "ConfigDeleted"
	// modeSet: the mode of a scope became Mode.
	modeSet recordKind = "ModeSet"
	// modeDeleted: the mode of a scope was removed (with Recursive, also the
	// modes of every subject inside it).
	modeDeleted recordKind = "ModeDeleted"
)

// The command kinds (format 3 on): what a write asked, decided by every
// instance at its place in the log.
const (
	cmdRegister      recordKind = "Register"
	cmdDeleteSubject recordKind = "DeleteSubject"
	cmdDeleteVersion recordKind = "DeleteVersion"
	cmdSetConfig     recordKind = "SetConfig"
	cmdDeleteConfig  recordKind = "DeleteConfig"
	cmdSetMode       recordKind = "SetMode"
	cmdDeleteMode    recordKind = "DeleteMode"
)

// isCommand reports whether k is a command kind.
func (k recordKind) isCommand() bool {
	switch k {
	case cmdRegister, cmdDeleteSubject, cmdDeleteVersion, cmdSetConfig, cmdDeleteConfig, cmdSetMode, cmdDeleteMode:
		return true
	}
	return false
}

// record is one entry of the registry log: a fact with its ids and versions
// already assigned. Which fields are set depends on Kind; the JSON form
// (with "v": recordFormat) is what the log stores.
type record struct {
	Format     int         `json:"v"`
	Kind       recordKind  `json:"kind"`
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

	// The fields of commands only.

	// Origin names the instance and request that appended a command, so
	// that the instance can answer the request when its reader applies it.
	Origin string `json:"origin,omitempty"`
	// RefKeys are the hex content keys of the versions References named
	// when the command was prepared; a command whose references changed
	// meanwhile is refused.
	RefKeys []string `json:"refKeys,omitempty"`
	// Problems are what validation found in the schema (accepted in
	// IMPORT mode only).
	Problems []string `json:"problems,omitempty"`
	// Checked is what the preparing instance's compatibility check found
	// compatible: only versions not in it are compared at the command's
	// place in the log.
	Checked *checkedRecord `json:"checked,omitempty"`
	// Update is a SetConfig's change.
	Update *ConfigUpdate `json:"update,omitempty"`
	// Force is a SetMode's ?force=true.
	Force bool `json:"force,omitempty"`

	// key, when set, is the content key of a SchemaRegistered fact,
	// computed when the registration was prepared from the very schema,
	// references and metadata the fact carries; the fold uses it rather
	// than hashing them again in the sequencer. Never logged.
	key *[32]byte
}

// checkedRecord is a verdict in a command: the level checked and the hex
// content keys found compatible under it, sorted.
//
// Default and Budget are the rules of the instance that prepared the
// registration (its default level and compatibility work budget): every
// instance decides the command by them, so a restart with other options
// replays the log to the same state.
type checkedRecord struct {
	Level   compat.Level `json:"level,omitempty"`
	Keys    []string     `json:"keys,omitempty"`
	Default compat.Level `json:"default"`
	Budget  int          `json:"budget"`
}

// encodeRecord returns the log form of r, stamped with recordFormat unless
// it already carries a format (a decoded record keeps its own, and with it
// the rules it is folded by). r itself is not changed. It takes a pointer:
// a record passed by value would be copied to the heap for json.Marshal,
// once per logged write.
func encodeRecord(r *record) ([]byte, error) {
	if r.Format == 0 {
		stamped := *r
		stamped.Format = recordFormat
		r = &stamped
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// decodeRecord parses and validates one log record. It never panics; an
// error names what is wrong.
func decodeRecord(data []byte) (record, error) {
	var r record
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return record{}, fmt.Errorf("decode record: %w", err)
	}
	if dec.More() {
		return record{}, fmt.Errorf("decode record: trailing data after the record")
	}
	if r.Format < 1 {
		return record{}, fmt.Errorf("decode record: missing or invalid format version %d", r.Format)
	}
	if r.Format > recordFormat {
		return record{}, fmt.Errorf("decode record: format v%d is newer than this edactl reads (v%d); upgrade edactl", r.Format, recordFormat)
	}
	if err := r.validate(); err != nil {
		return record{}, err
	}
	return r, nil
}

// maxIDOrVersion is the largest schema id and version number: Confluent's
// clients and the wire format carry them as signed 32-bit integers.
const maxIDOrVersion = math.MaxInt32

// validate checks what a record says on its own, without the state.
func (r *record) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid %s record: %s", r.Kind, fmt.Sprintf(format, args...))
	}
	switch r.Kind {
	case schemaRegistered:
		if !validSubject(r.Subject) {
			return bad("invalid subject %q", r.Subject)
		}
		if r.Version < 1 || r.ID < 1 || r.Version > maxIDOrVersion || r.ID > maxIDOrVersion {
			return bad("version %d and id %d must be in [1, %d]", r.Version, r.ID, maxIDOrVersion)
		}
		if r.Schema == "" {
			return bad("empty schema")
		}
		if r.SchemaType != "" && r.SchemaType != "AVRO" {
			return bad("unsupported schema type %q", r.SchemaType)
		}
		for i, ref := range r.References {
			if ref.Name == "" || !validSubject(ref.Subject) || ref.Version < 1 {
				return bad("reference %d is incomplete", i)
			}
		}
	case versionDeleted:
		if !validSubject(r.Subject) || r.Version < 1 {
			return bad("needs a valid subject and a positive version")
		}
	case subjectDeleted:
		if !validSubject(r.Subject) {
			return bad("invalid subject %q", r.Subject)
		}
	case configSet:
		if !validScope(r.Subject) {
			return bad("invalid scope %q", r.Subject)
		}
		if r.Config == nil {
			return bad("missing config")
		}
		if r.Config.Compatibility != "" && !slices.Contains(compat.Levels, r.Config.Compatibility) {
			return bad("invalid compatibility level %q", r.Config.Compatibility)
		}
	case configDeleted, modeDeleted:
		if !validScope(r.Subject) {
			return bad("invalid scope %q", r.Subject)
		}
	case modeSet:
		if !validScope(r.Subject) {
			return bad("invalid scope %q", r.Subject)
		}
		if _, err := ParseMode(string(r.Mode)); err != nil || Mode(strings.ToUpper(string(r.Mode))) != r.Mode {
			return bad("invalid mode %q", r.Mode)
		}
	default:
		if r.Kind.isCommand() {
			return r.validateCommand()
		}
		return fmt.Errorf("invalid record: unknown kind %q", r.Kind)
	}
	return nil
}

// validateCommand checks what a command record says on its own.
func (r *record) validateCommand() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("invalid %s command: %s", r.Kind, fmt.Sprintf(format, args...))
	}
	if r.Format < firstCommandFormat {
		return bad("commands need record format %d or later, the record says %d", firstCommandFormat, r.Format)
	}
	switch r.Kind {
	case cmdRegister:
		if !validSubject(r.Subject) {
			return bad("invalid subject %q", r.Subject)
		}
		if r.Version < 0 || r.ID < 0 || r.Version > maxIDOrVersion || r.ID > maxIDOrVersion {
			return bad("version %d and id %d must be in [0, %d]", r.Version, r.ID, maxIDOrVersion)
		}
		if r.Schema == "" {
			return bad("empty schema")
		}
		if r.SchemaType != "" && r.SchemaType != "AVRO" {
			return bad("unsupported schema type %q", r.SchemaType)
		}
		if len(r.RefKeys) != len(r.References) {
			return bad("%d references but %d reference keys", len(r.References), len(r.RefKeys))
		}
		for i, ref := range r.References {
			if ref.Name == "" || !validSubject(ref.Subject) || ref.Version < 1 {
				return bad("reference %d is incomplete", i)
			}
			if _, err := hexKey(r.RefKeys[i]); err != nil {
				return bad("reference key %d: %v", i, err)
			}
		}
		if c := r.Checked; c != nil {
			if c.Level != "" && !slices.Contains(compat.Levels, c.Level) {
				return bad("invalid checked level %q", c.Level)
			}
			if !slices.Contains(compat.Levels, c.Default) || c.Budget < 1 {
				return bad("invalid rules: default level %q, budget %d", c.Default, c.Budget)
			}
			for i, k := range c.Keys {
				if _, err := hexKey(k); err != nil {
					return bad("checked key %d: %v", i, err)
				}
			}
		}
	case cmdDeleteSubject:
		if !validSubject(r.Subject) {
			return bad("invalid subject %q", r.Subject)
		}
	case cmdDeleteVersion:
		if !validSubject(r.Subject) || (r.Version < 1 && r.Version != -1) {
			return bad("needs a valid subject and a positive version (or -1)")
		}
	case cmdSetConfig:
		if !validScope(r.Subject) {
			return bad("invalid scope %q", r.Subject)
		}
		if r.Update == nil {
			return bad("missing update")
		}
		if c := r.Update.Compatibility; c != nil && !slices.Contains(compat.Levels, compat.Level(*c)) {
			return bad("invalid compatibility level %q", *c)
		}
	case cmdDeleteConfig, cmdDeleteMode:
		if !validScope(r.Subject) {
			return bad("invalid scope %q", r.Subject)
		}
	case cmdSetMode:
		if !validScope(r.Subject) {
			return bad("invalid scope %q", r.Subject)
		}
		if _, err := ParseMode(string(r.Mode)); err != nil || Mode(strings.ToUpper(string(r.Mode))) != r.Mode {
			return bad("invalid mode %q", r.Mode)
		}
	}
	return nil
}

// hexKey parses a content key written as 64 hex digits.
func hexKey(s string) ([32]byte, error) {
	var k [32]byte
	if len(s) != 64 {
		return k, fmt.Errorf("want 64 hex digits, got %d characters", len(s))
	}
	if _, err := hex.Decode(k[:], []byte(s)); err != nil {
		return k, err
	}
	return k, nil
}
